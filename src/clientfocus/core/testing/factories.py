"""Model factories for tests: small Russian portfolios with valid ИНН (factory_boy + Faker ru_RU)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from faker import Faker

from clientfocus.accounts.models import Role, Team, User
from clientfocus.activities.models import Activity, Kind, State
from clientfocus.companies.models import Company, Contact, Status
from clientfocus.deals.models import Deal, Stage
from clientfocus.exchange.inn import complete_inn

fake = Faker("ru_RU")
_inn_counter = itertools.count(1)


def next_inn() -> str:
    """A fresh valid 10-digit organisation ИНН (region 77, Moscow)."""
    return complete_inn(f"77{next(_inn_counter):07d}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Отдел продаж {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyFunction(fake.first_name)
    last_name = factory.LazyFunction(fake.last_name)
    role = Role.SELLER
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "пароль-для-тестов")

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.LazyFunction(lambda: f"ООО «{fake.company().split('«')[-1].rstrip('»')}»")
    inn = factory.LazyFunction(next_inn)
    kpp = "770101001"
    industry = "Оптовая торговля"
    region = "Москва"
    employees = 120
    status = Status.CLIENT
    relationship = 3


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    company = factory.SubFactory(CompanyFactory)
    full_name = factory.LazyFunction(fake.name)
    position = "Директор по закупкам"
    phone = factory.LazyFunction(lambda: "+7 " + fake.msisdn()[1:11])
    email = factory.LazyFunction(fake.email)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    company = factory.SubFactory(CompanyFactory)
    seller = factory.LazyAttribute(lambda o: o.company.owner)
    kind = Kind.CALL
    state = State.DONE
    date = dt.date(2026, 11, 2)
    subject = "Обсудили поставку"


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    company = factory.SubFactory(CompanyFactory)
    owner = factory.LazyAttribute(lambda o: o.company.owner)
    title = "Поставка на 2027 год"
    stage = Stage.QUALIFYING
    amount_minor = 150_000_00
    created_on = dt.date(2026, 10, 1)
