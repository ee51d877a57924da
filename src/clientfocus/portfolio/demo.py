"""`clientfocus demo`: a deterministic, realistic Russian client portfolio (issue 2, item 4).

How the figures are driven (so that the analysis has something true to find):

- **Firmographics first.** Every company gets an industry, a region and a headcount
  (log-normal, heavy-tailed: a few thousand-strong companies among many small ones; sole
  traders are small). Its *potential* annual purchase volume is
  ``base × industry spend × region price level × employees^0.95 × noise(σ=0.45)``, so
  companies that look alike by industry, region and size have similar potential — the
  look-alike estimate of PRODUCT.md §3 can work.
- **Wallet share.** What a buying client actually buys is potential × share, share ~ Beta(2.2, 1.5);
  about a fifth of the large companies (251+ staff) are *under-served*, share 2–12 %: they buy
  far below their peers (the A-by-potential companies that are "blue" on the temperature map).
  The spread of log headcount, industry and share makes revenue heavy-tailed: about 20 % of
  buying clients make about 80 % of the last year's revenue (seed 002).
- **Life stories.** ~28 % never bought (suspects and prospects). Buyers are stable, growing
  (+25…+70 %/year), declining (−20…−60 %/year), recently falling (the last 3–4 months at
  25–60 % of their level, PRODUCT.md §7) or lost (last purchase 6–18 months before *as of*;
  a third of them liquidated since). Some started buying within the three years.
- **Months.** Expected revenue per month = level × seasonality of the industry × trend.
  A client's invoices are spread over its months ∝ (that)^0.6 — evenly spaced along that
  profile, as regular reorders are, with a random phase and jitter — and each invoice is sized
  so that the expectation is exactly the month's revenue: both frequency and ticket size carry
  the season and the trend (ticket noise σ 0.45 for the smallest clients … 0.2 for the biggest).
  Invoices have 1…4 lines on average (bigger clients, bigger invoices); ~1.5 % of invoices are
  return documents «ВЗ-…» (negative lines); margins per line around a per-company rate, and
  ~10 % of clients have no margin recorded (imported from a ledger without cost).
- **Lines.** ``spec.lines`` lines in all, shared among buyers ∝ revenue^0.45 × active months,
  so the biggest clients have thousands of lines and the smallest a handful.

Everything comes from numpy generators seeded by ``spec.seed`` (company-level arrays from one
generator, each chunk of sale lines from its own ``(seed, chunk)`` generator): the same spec
gives the same portfolio on SQLite and PostgreSQL. Nothing per sale line is a Python object
except the rows handed to SQLite's executemany, one chunk at a time.

Generation runs one chunk ahead in a thread, hidden behind the database's work.
Writes: companies, contacts, activities and deals straight into their tables (COPY on
PostgreSQL, executemany on SQLite); sale lines and the monthly rollup only through
``sales.services.sales_fresh_load`` (ARCHITECTURE.md, invariant 4). Each chunk of companies is
one transaction holding its companies, people, lines and rollup, so every commit is
consistent (the rollup is in step with the lines of every committed company).
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from django.db import connection, models, transaction

from clientfocus.accounts.models import Role, Team, User
from clientfocus.accounts.services import audit_record, user_create
from clientfocus.activities.models import Activity, Kind, State
from clientfocus.companies.models import (
    BuyingRole,
    Channel,
    Company,
    Contact,
    Status,
    company_search_text,
    size_band_for,
)
from clientfocus.core.bulk import bulk_insert_frame
from clientfocus.core.prefetch import prefetched
from clientfocus.deals.models import Deal, NeedType, Stage
from clientfocus.exchange.inn import complete_inn
from clientfocus.sales import services as sales_services
from clientfocus.sales.models import DailySales, MonthlySales, Sale

DEMO_PASSWORD = "clientfocus-demo"  # noqa: S105 - a published demo login, not a secret
DEMO_TEAM = "Отдел продаж"
DEMO_USERS: list[tuple[str, str, str]] = [
    ("manager", Role.MANAGER.value, "Ольга Сергеевна Кузнецова"),
    ("anna", Role.SELLER.value, "Анна Викторовна Смирнова"),
    ("boris", Role.SELLER.value, "Борис Андреевич Волков"),
    ("vera", Role.SELLER.value, "Вера Николаевна Морозова"),
    ("admin", Role.ADMIN.value, "Дмитрий Павлович Лебедев"),
]

DEMO_NOT_EMPTY = "В базе уже есть компании: демо-портфель загружается только в пустую базу."

HISTORY_MONTHS = 36  # about three years of history up to spec.as_of (its month is partial)


@dataclass(frozen=True)
class DemoSpec:
    companies: int
    lines: int
    seed: int
    as_of: dt.date


@dataclass(frozen=True)
class DemoResult:
    companies: int
    lines: int
    contacts: int
    activities: int
    deals: int
    seconds: float


class DemoError(RuntimeError):
    pass


def demo_users_exist() -> bool:
    """True when the database already holds a portfolio (any company): `demo --if-empty`."""
    return Company.objects.exists()


# --- reference data -------------------------------------------------------------------------

PRODUCT_GROUPS = [
    "Расходные материалы",
    "Оборудование",
    "Запасные части",
    "Инструмент",
    "Электротехника",
    "Упаковка",
    "Спецодежда и СИЗ",
    "Бытовая химия",
    "Канцелярия и офис",
    "Сервисное обслуживание",
]
_PG = {name: i for i, name in enumerate(PRODUCT_GROUPS)}
_PRODUCT_ENUM = pl.lit(pl.Series(PRODUCT_GROUPS, dtype=pl.Enum(PRODUCT_GROUPS)))

# Seasonality, January…December (Russian B2B: January holidays, May holidays, year-end budgets).
SEASONS: dict[str, list[float]] = {
    "flat": [0.70, 0.90, 1.05, 1.00, 0.90, 1.00, 0.95, 0.95, 1.05, 1.10, 1.10, 1.30],
    "build": [0.50, 0.60, 0.85, 1.10, 1.20, 1.30, 1.30, 1.30, 1.20, 1.05, 0.85, 0.75],
    "retail": [0.75, 0.85, 1.00, 0.95, 0.95, 0.90, 0.90, 0.95, 1.00, 1.05, 1.25, 1.45],
    "food": [0.85, 0.90, 1.00, 1.00, 1.00, 1.05, 1.05, 1.00, 1.00, 1.00, 1.05, 1.10],
    "it": [0.60, 0.85, 1.00, 0.95, 0.85, 0.95, 0.85, 0.85, 1.00, 1.05, 1.15, 1.90],
    "edu": [0.80, 0.85, 0.90, 0.85, 0.70, 0.80, 1.30, 1.80, 1.30, 0.90, 0.85, 0.95],
    "horeca": [0.70, 0.75, 0.85, 0.95, 1.15, 1.25, 1.30, 1.25, 0.95, 0.85, 0.90, 1.30],
    "agro": [0.60, 0.90, 1.40, 1.60, 1.30, 0.90, 0.90, 1.10, 1.20, 0.95, 0.60, 0.55],
}


@dataclass(frozen=True)
class Industry:
    name: str
    weight: float  # share of companies
    spend: float  # purchases per employee against the average industry
    buy_rate: float  # chance that a company of this industry has ever bought
    margin: float  # typical gross margin of what we sell them
    season: str
    products: dict[str, float]  # product groups they buy most (the rest weigh 1)
    roots: tuple[str, ...]  # name material


INDUSTRIES: list[Industry] = [
    Industry(
        "Строительство",
        12,
        1.25,
        0.74,
        0.22,
        "build",
        {"Инструмент": 6, "Спецодежда и СИЗ": 4, "Электротехника": 3, "Расходные материалы": 3},
        ("Строй", "СтройИнвест", "Монтаж", "СтройСервис", "Промстрой", "Бетон"),
    ),
    Industry(
        "Розничная торговля",
        13,
        0.7,
        0.72,
        0.26,
        "retail",
        {"Упаковка": 6, "Бытовая химия": 3, "Канцелярия и офис": 2, "Оборудование": 2},
        ("Маркет", "Ритейл", "Торг", "Шоп", "Универсам", "Лавка"),
    ),
    Industry(
        "Оптовая торговля",
        11,
        1.0,
        0.74,
        0.18,
        "flat",
        {"Упаковка": 5, "Расходные материалы": 3, "Оборудование": 2},
        ("Трейд", "Снаб", "Опт", "Дистрибуция", "Поставка", "Комплект"),
    ),
    Industry(
        "Производство пищевых продуктов",
        7,
        1.4,
        0.75,
        0.24,
        "food",
        {"Упаковка": 6, "Бытовая химия": 4, "Спецодежда и СИЗ": 3, "Запасные части": 2},
        ("Продукт", "Хлебозавод", "Молоко", "Агропродукт", "Мясокомбинат", "Кондитер"),
    ),
    Industry(
        "Машиностроение",
        6,
        1.8,
        0.76,
        0.28,
        "flat",
        {"Запасные части": 6, "Инструмент": 4, "Оборудование": 3, "Электротехника": 3},
        ("Маш", "Машзавод", "Механика", "Станкопром", "Техмаш", "Привод"),
    ),
    Industry(
        "Металлообработка",
        4,
        1.6,
        0.75,
        0.27,
        "flat",
        {"Инструмент": 6, "Запасные части": 3, "Спецодежда и СИЗ": 3},
        ("Металл", "МеталлПром", "Сталь", "Прокат", "Литьё", "Металлоконструкция"),
    ),
    Industry(
        "Транспорт и логистика",
        8,
        1.1,
        0.73,
        0.2,
        "flat",
        {"Запасные части": 6, "Упаковка": 3, "Сервисное обслуживание": 3, "Расходные материалы": 2},
        ("Логистик", "Транс", "ТрансСервис", "Экспедиция", "Авто", "Перевозка"),
    ),
    Industry(
        "IT",
        7,
        0.8,
        0.68,
        0.32,
        "it",
        {"Оборудование": 6, "Сервисное обслуживание": 4, "Канцелярия и офис": 3, "Электротехника": 2},
        ("Софт", "Технологии", "Системс", "Диджитал", "Информ", "Лаб"),
    ),
    Industry(
        "Медицина",
        5,
        1.3,
        0.72,
        0.3,
        "flat",
        {"Расходные материалы": 6, "Бытовая химия": 3, "Оборудование": 3},
        ("Мед", "Клиника", "МедЦентр", "Фарм", "Здоровье", "Диагностика"),
    ),
    Industry(
        "Образование",
        4,
        0.6,
        0.66,
        0.25,
        "edu",
        {"Канцелярия и офис": 6, "Оборудование": 2, "Бытовая химия": 2},
        ("Академия", "Школа", "Образование", "Учебный центр", "Знание", "Эрудит"),
    ),
    Industry(
        "HoReCa",
        7,
        0.9,
        0.7,
        0.27,
        "horeca",
        {"Бытовая химия": 6, "Упаковка": 4, "Расходные материалы": 3, "Оборудование": 2},
        ("Ресторан", "Отель", "Кафе", "Гостиница", "Трактир", "Кейтеринг"),
    ),
    Industry(
        "Сельское хозяйство",
        5,
        1.2,
        0.7,
        0.21,
        "agro",
        {"Запасные части": 6, "Спецодежда и СИЗ": 3, "Инструмент": 3},
        ("Агро", "Агрохолдинг", "Ферма", "Нива", "Колос", "Агрокомплекс"),
    ),
    Industry(
        "Энергетика",
        2,
        2.2,
        0.78,
        0.26,
        "flat",
        {"Электротехника": 6, "Запасные части": 3, "Сервисное обслуживание": 2},
        ("Энерго", "ЭнергоСбыт", "Электросеть", "Энергия", "ТеплоСервис", "Генерация"),
    ),
    Industry(
        "Добыча полезных ископаемых",
        1.5,
        2.5,
        0.78,
        0.24,
        "flat",
        {"Запасные части": 6, "Спецодежда и СИЗ": 4, "Оборудование": 3},
        ("Ресурс", "Горнодобыча", "Руда", "Уголь", "Недра", "Нефтесервис"),
    ),
    Industry(
        "Химическая промышленность",
        2,
        1.9,
        0.76,
        0.25,
        "flat",
        {"Расходные материалы": 4, "Спецодежда и СИЗ": 4, "Оборудование": 2},
        ("Хим", "Химпром", "Полимер", "Пласт", "Реагент", "Химснаб"),
    ),
    Industry(
        "Финансы и страхование",
        3,
        0.5,
        0.62,
        0.33,
        "flat",
        {"Канцелярия и офис": 6, "Оборудование": 2, "Сервисное обслуживание": 3},
        ("Финанс", "Инвест", "Капитал", "Страхование", "Лизинг", "Кредит"),
    ),
    Industry(
        "Бытовые услуги",
        3,
        0.5,
        0.66,
        0.3,
        "flat",
        {"Бытовая химия": 5, "Расходные материалы": 3},
        ("Сервис", "Быт", "Клининг", "Ремонт", "Чистота", "Мастер"),
    ),
    Industry(
        "Недвижимость",
        2.5,
        0.9,
        0.64,
        0.25,
        "build",
        {"Электротехника": 3, "Бытовая химия": 3, "Сервисное обслуживание": 3},
        ("Недвижимость", "Девелопмент", "Эстейт", "Риэлт", "Пропертиз", "Управляющая компания"),
    ),
]


@dataclass(frozen=True)
class Region:
    name: str
    weight: float
    code: str  # the first two digits of ИНН and КПП
    phone: str  # city dialling code
    price: float  # price level against the country


REGIONS: list[Region] = [
    Region("Москва", 20, "77", "495", 1.25),
    Region("Санкт-Петербург", 10, "78", "812", 1.1),
    Region("Московская область", 9, "50", "496", 1.1),
    Region("Свердловская область", 5, "66", "343", 1.0),
    Region("Новосибирская область", 4, "54", "383", 0.95),
    Region("Республика Татарстан", 4.5, "16", "843", 1.0),
    Region("Краснодарский край", 5, "23", "861", 0.95),
    Region("Нижегородская область", 3.5, "52", "831", 0.95),
    Region("Самарская область", 3, "63", "846", 0.95),
    Region("Ростовская область", 3.5, "61", "863", 0.9),
    Region("Республика Башкортостан", 3, "02", "347", 0.9),
    Region("Челябинская область", 3, "74", "351", 0.95),
    Region("Пермский край", 2.5, "59", "342", 0.95),
    Region("Воронежская область", 2, "36", "473", 0.85),
    Region("Красноярский край", 2.5, "24", "391", 1.0),
    Region("Тюменская область", 2, "72", "345", 1.1),
    Region("Ленинградская область", 2, "47", "813", 1.0),
    Region("Омская область", 1.5, "55", "381", 0.85),
    Region("Приморский край", 1.5, "25", "423", 1.0),
    Region("Иркутская область", 1.5, "38", "395", 0.95),
]

SOURCES = [
    ("Рекомендация клиента", 16),
    ("Выставка", 9),
    ("Сайт", 18),
    ("Холодный звонок", 14),
    ("Тендерная площадка", 8),
    ("Входящая заявка", 12),
    ("Партнёр", 6),
    ("Реклама в интернете", 9),
    ("Справочник 2ГИС", 5),
    ("Конференция", 3),
]

NAME_PREFIXES = (
    "Альфа",
    "Вектор",
    "Гранит",
    "Дельта",
    "Евро",
    "Зенит",
    "Интер",
    "Кристалл",
    "Лидер",
    "Магистраль",
    "Меридиан",
    "Нова",
    "Орион",
    "Партнёр",
    "Прогресс",
    "Регион",
    "Сибирь",
    "Север",
    "Восток",
    "Юг",
    "Урал",
    "Волга",
    "Балтика",
    "Столица",
    "Триада",
    "Фаворит",
    "Эталон",
    "Атлант",
    "Гарант",
    "Импульс",
    "Континент",
    "Ника",
    "Олимп",
    "Пионер",
    "Рубин",
    "Сфера",
    "Титан",
    "Феникс",
    "Экспресс",
    "Аврора",
    "Базис",
    "Горизонт",
    "Диалог",
    "Мега",
    "Основа",
    "Стандарт",
    "Центр",
    "Союз",
    "Арсенал",
    "Простор",
)
NAME_SUFFIXES = ("Групп", "Холдинг", "Плюс", "Сервис", "Трейд", "Про", "М", "Компани")

POSITIONS: dict[str, tuple[str, ...]] = {
    BuyingRole.FINANCIAL: ("Генеральный директор", "Финансовый директор", "Директор", "Главный бухгалтер"),
    BuyingRole.TECHNICAL: (
        "Руководитель отдела закупок",
        "Главный инженер",
        "Менеджер по закупкам",
        "Технический директор",
    ),
    BuyingRole.USER: ("Начальник склада", "Инженер", "Мастер участка", "Специалист отдела снабжения"),
    BuyingRole.COACH: ("Заместитель директора", "Помощник руководителя", "Руководитель проекта"),
    BuyingRole.OTHER: ("Офис-менеджер", "Юрист", "Секретарь"),
}
CONTACT_ROLE_ORDER = [
    BuyingRole.FINANCIAL,
    BuyingRole.TECHNICAL,
    BuyingRole.USER,
    BuyingRole.COACH,
    BuyingRole.USER,
    BuyingRole.OTHER,
    BuyingRole.TECHNICAL,
    BuyingRole.USER,
]
MOBILE_CODES = (900, 903, 905, 909, 910, 912, 915, 916, 917, 919, 921, 925, 926, 929, 950, 960, 977, 985, 999)

ACTIVITY_SUBJECTS: dict[str, tuple[str, ...]] = {
    Kind.CALL: (
        "Уточнить потребность на квартал",
        "Согласовать поставку",
        "Сверка взаиморасчётов",
        "Напомнить о коммерческом предложении",
        "Запросить обратную связь",
        "Обсудить отгрузку",
    ),
    Kind.VISIT: (
        "Визит на производство",
        "Знакомство с главным инженером",
        "Презентация новой линейки",
        "Обсуждение годового договора",
    ),
    Kind.EMAIL: (
        "Отправить коммерческое предложение",
        "Поздравление с праздником",
        "Новый прайс-лист",
        "Анкета: что мы можем делать лучше?",
    ),
    Kind.MEETING: (
        "Переговоры об условиях договора",
        "Стратегическая встреча с ключевым клиентом",
        "Встреча с финансовым директором",
        "Разбор претензии",
    ),
}
ACTIVITY_OUTCOMES = (
    "Договорились о встрече",
    "Клиент запросил КП",
    "Нет потребности в этом квартале",
    "Перезвонить через месяц",
    "Оформлен заказ",
    "Не дозвонились",
    "Отправили образцы",
    "Согласовали график поставок",
    "Клиент рассматривает конкурента",
    "Передали вопрос техническому специалисту",
)
DEAL_TEMPLATES = (
    "Поставка: {pg}",
    "Годовой договор: {pg}",
    "Пилотный проект: {pg}",
    "Расширение ассортимента: {pg}",
    "Тендер: {pg}",
    "Переход с конкурента: {pg}",
)
CLIENT_GAINS = (
    "Снижение затрат на закупку на 8–12 %",
    "Поставка точно в срок, без простоев производства",
    "Один поставщик вместо трёх",
    "Рост продаж за счёт нового ассортимента",
    "Отсрочка платежа 30 дней",
    "Сокращение складских запасов",
)
OUR_GAINS = (
    "Годовой объём и предсказуемая загрузка",
    "Маржа выше средней по портфелю",
    "Рекомендации в отрасли",
    "Выход на новый регион",
    "Долгосрочный договор",
)
NEXT_STEPS = (
    "Отправить КП",
    "Провести презентацию",
    "Согласовать спецификацию",
    "Встреча с ЛПР",
    "Тестовая поставка",
    "Подписать договор",
    "Уточнить бюджет",
)

# Stage mix of deals (seed 003: the funnel), with every stage present in any demo.
DEAL_STAGES = [
    Stage.PROSPECTING,
    Stage.QUALIFYING,
    Stage.NEEDS_ANALYSIS,
    Stage.PRESENTATION,
    Stage.PROOF,
    Stage.CLOSING,
    Stage.WON,
    Stage.LOST,
]
DEAL_STAGE_WEIGHTS = [0.12, 0.11, 0.11, 0.11, 0.08, 0.08, 0.22, 0.17]
NEED_TYPES = [NeedType.REVENUE_UP, NeedType.COSTS_DOWN, NeedType.EFFICIENCY, NeedType.IMAGE]
NEED_WEIGHTS = [0.3, 0.38, 0.22, 0.1]

# Life stories of buyers.
STABLE, GROWING, DECLINING, FALLING, LOST = 0, 1, 2, 3, 4
TRAJECTORY_WEIGHTS = [0.53, 0.15, 0.12, 0.08, 0.12]

_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        " ": "-",
        "«": "",
        "»": "",
        ".": "",
        "'": "",
    }
)


def _translit(text: str) -> str:
    return text.lower().translate(_TRANSLIT)


def _person_names() -> dict[str, tuple[str, ...]]:
    """Russian first names, patronymics and surnames from Faker's ru_RU lists (no Faker calls:
    numpy picks indices, so 300,000 contacts cost a list lookup each)."""
    try:
        from faker.providers.person.ru_RU import Provider
    except ImportError:  # pragma: no cover - faker is installed with the project
        return _FALLBACK_NAMES
    return {
        "first_m": tuple(Provider.first_names_male),
        "first_f": tuple(Provider.first_names_female),
        "middle_m": tuple(Provider.middle_names_male),
        "middle_f": tuple(Provider.middle_names_female),
        "last_m": tuple(Provider.last_names_male),
        "last_f": tuple(Provider.last_names_female),
    }


_FALLBACK_NAMES: dict[str, tuple[str, ...]] = {
    "first_m": ("Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Иван", "Михаил", "Николай"),
    "first_f": ("Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Анна", "Мария", "Светлана"),
    "middle_m": ("Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Иванович", "Николаевич"),
    "middle_f": ("Александровна", "Сергеевна", "Дмитриевна", "Андреевна", "Ивановна", "Николаевна"),
    "last_m": ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"),
    "last_f": ("Иванова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Петрова", "Соколова", "Михайлова"),
}


# --- the company plan (one array per attribute, all companies at once) ----------------------


@dataclass
class _Plan:
    """Company-level arrays. Index i is company i (its id is base_id + i)."""

    n: int
    as_of: dt.date
    month_starts: np.ndarray  # datetime64[D], HISTORY_MONTHS first days
    month_days: np.ndarray  # days available in each month (the last one ends at as_of)
    base_id: int
    industry: np.ndarray
    region: np.ndarray
    employees: np.ndarray
    is_ip: np.ndarray
    legal: list[str]
    names: list[str]
    inns: list[str]
    kpps: list[str]
    domains: list[str]
    persons: list[str]  # a sole trader's full name ("" for organisations)
    phones: list[str]
    websites: list[str]
    source: np.ndarray
    owner: np.ndarray  # index into the owners list
    buyer: np.ndarray
    potential: np.ndarray  # annual purchases of a look-alike at a normal wallet share, RUB
    level: np.ndarray  # this company's annual purchase level, RUB
    trajectory: np.ndarray
    start: np.ndarray  # first month of buying
    end: np.ndarray  # last month of buying (HISTORY_MONTHS - 1 unless lost)
    growth: np.ndarray  # log growth per year
    fall: np.ndarray  # multiplier of the last months for FALLING clients
    margin_rate: np.ndarray  # NaN: no margin recorded
    size_rank: np.ndarray  # 0 = smallest purchase level … 1 = largest
    lines: np.ndarray  # sale lines of this company
    invoices: np.ndarray
    invoice_offset: np.ndarray  # running invoice number before this company
    status: list[str]
    liquidated_on: list[dt.date | None]
    relationship: list[int | None]
    created_at: list[dt.datetime]
    hide_industry: np.ndarray
    hide_employees: np.ndarray
    vendor: str = "sqlite"  # the database the rows are shaped for (timestamps differ)


def _month_starts(as_of: dt.date) -> np.ndarray:
    first = np.datetime64(as_of.replace(day=1), "M")
    months = first - np.arange(HISTORY_MONTHS - 1, -1, -1)
    return months.astype("datetime64[D]")


def _weights(values: Sequence[float]) -> np.ndarray:
    w = np.asarray(values, dtype=float)
    return w / w.sum()


def _unique_serials(rng: np.random.Generator, prefix: np.ndarray, high: int) -> np.ndarray:
    """A random serial in [0, high) per row such that (prefix, serial) pairs are distinct
    (the few collisions are redrawn)."""
    serial = rng.integers(0, high, prefix.size)
    while True:
        _, first = np.unique(prefix.astype(np.int64) * high + serial, return_index=True)
        dup = np.ones(prefix.size, dtype=bool)
        dup[first] = False
        if not dup.any():
            return serial
        serial[dup] = rng.integers(0, high, int(dup.sum()))


def _plan(spec: DemoSpec, base_id: int, n_owners: int, *, vendor: str = "sqlite") -> _Plan:
    rng = np.random.default_rng([spec.seed, 0])
    n = spec.companies
    M = HISTORY_MONTHS
    names_src = _person_names()

    industry = rng.choice(len(INDUSTRIES), n, p=_weights([i.weight for i in INDUSTRIES]))
    region = rng.choice(len(REGIONS), n, p=_weights([r.weight for r in REGIONS]))
    is_ip = rng.random(n) < 0.22
    # Headcount: log-normal, heavy-tailed (median 30 for organisations, 4 for sole traders).
    emp_org = np.exp(rng.normal(np.log(30), 1.55, n))
    emp_ip = np.exp(rng.normal(np.log(4), 0.8, n))
    employees = np.clip(np.rint(np.where(is_ip, np.minimum(emp_ip, 80), emp_org)), 1, 60_000).astype(np.int64)
    u = rng.random(n)
    legal = np.where(
        is_ip,
        "ИП",
        np.where(
            (employees > 1000) & (u < 0.3),
            "ПАО",
            np.where(((employees > 100) & (u < 0.3)) | (u < 0.04), "АО", "ООО"),
        ),
    )

    # Potential: look-alikes (same industry, region, size) have similar potential.
    spend = np.array([i.spend for i in INDUSTRIES])[industry]
    price = np.array([r.price for r in REGIONS])[region]
    potential = 40_000.0 * spend * price * employees**0.95 * np.exp(rng.normal(0, 0.45, n))
    share = rng.beta(2.2, 1.5, n)
    underserved = ((employees > 250) & (rng.random(n) < 0.2)) | (rng.random(n) < 0.03)
    share = np.where(underserved, rng.uniform(0.02, 0.12, n), share)
    level = potential * share

    buy_rate = np.array([i.buy_rate for i in INDUSTRIES])[industry]
    buyer = rng.random(n) < buy_rate

    trajectory = rng.choice(5, n, p=TRAJECTORY_WEIGHTS)
    start = np.where(rng.random(n) < 0.55, 0, rng.integers(1, M - 6, n))
    end = np.full(n, M - 1)
    lost_end = rng.integers(M - 1 - 18, M - 1 - 6 + 1, n)  # last purchase 6–18 months ago
    end = np.where(trajectory == LOST, lost_end, end)
    start = np.where(trajectory == LOST, np.minimum(start, np.maximum(lost_end - 4, 0)), start)
    growth = rng.normal(0.0, 0.08, n)
    growth = np.where(trajectory == GROWING, rng.uniform(0.25, 0.7, n), growth)
    growth = np.where(trajectory == DECLINING, -rng.uniform(0.2, 0.6, n), growth)
    growth = np.where(trajectory == LOST, rng.normal(-0.15, 0.1, n), growth)
    fall = np.where(trajectory == FALLING, rng.uniform(0.25, 0.6, n), 1.0)
    margin_base = np.array([i.margin for i in INDUSTRIES])[industry]
    margin_rate = np.clip(margin_base + rng.normal(0, 0.05, n), 0.05, 0.55)
    # ~10 % of clients have no margin recorded (mostly small ones, imported without cost).
    margin_rate = np.where(rng.random(n) < np.where(employees > 100, 0.04, 0.12), np.nan, margin_rate)

    # Lines: shared among buyers ∝ level^0.45 × active months; exactly spec.lines in all.
    active = (end - start + 1).astype(float)
    weight = np.where(buyer, level**0.45 * active, 0.0)
    lines = _apportion(spec.lines, weight, minimum=1)
    buyer = lines > 0
    size_rank = np.argsort(np.argsort(level)) / max(n - 1, 1)
    per_invoice = 1.5 + 2.5 * size_rank  # bigger clients put more lines on an invoice
    invoices = np.where(buyer, np.clip(np.rint(lines / per_invoice), 1, None), 0).astype(np.int64)
    invoices = np.minimum(invoices, lines)
    invoice_offset = np.concatenate([[0], np.cumsum(invoices)[:-1]])

    # Identity: ИНН (valid checksum, region prefix), КПП, names, phones, sites.
    region_codes = [r.code for r in REGIONS]
    office = rng.integers(1, 52, n)
    tax_office = np.array([int(c) for c in region_codes])[region] * 100 + office  # the first 4 digits
    org_serial = _unique_serials(rng, tax_office, 100_000)
    ip_serial = _unique_serials(rng, tax_office, 1_000_000)
    pick = rng.integers(0, 1 << 30, (n, 6))
    inns: list[str] = []
    kpps: list[str] = []
    names: list[str] = []
    domains: list[str] = []
    persons: list[str] = []
    phones: list[str] = []
    websites: list[str] = []
    for i in range(n):
        code = region_codes[region[i]] + f"{office[i]:02d}"
        p = pick[i]
        if is_ip[i]:
            inn = complete_inn(code + f"{ip_serial[i]:06d}")
            kpp = ""
            female = p[0] % 3 == 0
            last = _pick(names_src["last_f" if female else "last_m"], p[1])
            first = _pick(names_src["first_f" if female else "first_m"], p[2])
            middle = _pick(names_src["middle_f" if female else "middle_m"], p[3])
            name = f"ИП {last} {first[0]}. {middle[0]}."
            person = f"{last} {first} {middle}"
            domain = ""
        else:
            inn = complete_inn(code + f"{org_serial[i]:05d}")
            kpp = inn[:4] + "01001"
            base = _company_base_name(INDUSTRIES[industry[i]], p)
            name = f"{legal[i]} «{base}»"
            domain = _translit(base) + (".ru" if p[4] % 5 else ".com")
            person = ""
        inns.append(inn)
        kpps.append(kpp)
        names.append(name)
        domains.append(domain)
        persons.append(person)
        city = REGIONS[region[i]].phone
        phones.append(f"+7 ({city}) {p[5] % 900 + 100:03d}-{p[4] % 90 + 10:02d}-{p[3] % 90 + 10:02d}")
        websites.append(f"www.{domain}" if domain and p[5] % 10 < 6 else "")

    source = rng.choice(len(SOURCES), n, p=_weights([w for _s, w in SOURCES]))
    # Owners: three sellers share the portfolio; the manager keeps a few (big ones, mostly).
    p_manager = np.where(employees > 1000, 0.15, 0.04)
    seller = rng.choice(np.arange(1, n_owners), n, p=_weights([0.36, 0.34, 0.30][: n_owners - 1]))
    owner = np.where(rng.random(n) < p_manager, 0, seller)

    status, liquidated_on, relationship, created_at = _lifecycle(
        rng, spec.as_of, n, buyer, trajectory, start, end, share
    )
    return _Plan(
        n=n,
        as_of=spec.as_of,
        month_starts=_month_starts(spec.as_of),
        month_days=_month_days(spec.as_of),
        base_id=base_id,
        industry=industry,
        region=region,
        employees=employees,
        is_ip=is_ip,
        legal=list(legal),
        names=names,
        inns=inns,
        kpps=kpps,
        domains=domains,
        persons=persons,
        phones=phones,
        websites=websites,
        source=source,
        owner=owner,
        buyer=buyer,
        potential=potential,
        level=level,
        trajectory=trajectory,
        start=start,
        end=end,
        growth=growth,
        fall=fall,
        margin_rate=margin_rate,
        size_rank=size_rank,
        lines=lines,
        invoices=invoices,
        invoice_offset=invoice_offset,
        status=status,
        liquidated_on=liquidated_on,
        relationship=relationship,
        created_at=created_at,
        hide_industry=rng.random(n) < 0.02,
        hide_employees=rng.random(n) < 0.04,
        vendor=vendor,
    )


def _pick(options: Sequence[str], r: int) -> str:
    return options[int(r) % len(options)]


def _company_base_name(industry: Industry, p: np.ndarray) -> str:
    prefix = _pick(NAME_PREFIXES, p[1])
    root = _pick(industry.roots, p[2])
    form = p[3] % 6
    if form == 0 and " " not in root:
        return f"{prefix}{root}"
    if form == 1:
        return f"{prefix}-{root}"
    if form == 2:
        return f"{prefix} {_pick(NAME_SUFFIXES, p[4])}"
    if form == 3:
        return f"{root} {prefix}" if " " in root else f"{root}{prefix}"
    if form == 4:
        return f"ТД {prefix}" if industry.name.endswith("торговля") else f"{prefix}{root}".replace(" ", "")
    return f"{prefix}-{_pick(NAME_SUFFIXES, p[5])}"


def _lower_first(text: str) -> str:
    """«Спецодежда и СИЗ» -> «спецодежда и СИЗ» (abbreviations keep their capitals)."""
    return text[:1].lower() + text[1:]


def _month_days(as_of: dt.date) -> np.ndarray:
    starts = _month_starts(as_of)
    days = np.array([calendar.monthrange(int(str(d)[:4]), int(str(d)[5:7]))[1] for d in starts])
    days[-1] = as_of.day
    return days


def _apportion(total: int, weight: np.ndarray, *, minimum: int) -> np.ndarray:
    """Integers ∝ weight summing exactly to total (largest remainders), each positive weight
    getting at least `minimum` — the heaviest first when the total is too small for all."""
    out = np.zeros(weight.shape[0], dtype=np.int64)
    idx = np.flatnonzero(weight > 0)
    if total <= 0 or idx.size == 0:
        return out
    if total < idx.size * minimum:
        keep = idx[np.argsort(-weight[idx], kind="stable")[: total // minimum]]
        out[keep] = minimum
        return out
    spare = total - idx.size * minimum
    share = weight[idx] / weight[idx].sum() * spare
    base = np.floor(share).astype(np.int64)
    rest = spare - int(base.sum())
    order = np.argsort(-(share - base), kind="stable")[:rest]
    base[order] += 1
    out[idx] = base + minimum
    return out


def _lifecycle(
    rng: np.random.Generator,
    as_of: dt.date,
    n: int,
    buyer: np.ndarray,
    trajectory: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    share: np.ndarray,
) -> tuple[list[str], list[dt.date | None], list[int | None], list[dt.datetime]]:
    months = _month_starts(as_of)
    u = rng.random((n, 6))
    status: list[str] = []
    liquidated_on: list[dt.date | None] = []
    relationship: list[int | None] = []
    created_at: list[dt.datetime] = []
    noise = rng.normal(0, 0.8, n)
    for i in range(n):
        if buyer[i]:
            traj = trajectory[i]
            loyal = start[i] <= 6 and traj in (STABLE, GROWING) and share[i] > 0.3 and u[i, 0] < 0.7
            status.append(Status.LOYAL if loyal else Status.CLIENT)
            liquidated = traj == LOST and u[i, 1] < 0.33
            if liquidated:
                after = months[min(end[i] + 2, HISTORY_MONTHS - 1)].astype(dt.date)
                span = max((as_of - after).days, 1)
                liquidated_on.append(after + dt.timedelta(days=int(u[i, 2] * span)))
            else:
                liquidated_on.append(None)
            warmth = {STABLE: 1.0, GROWING: 1.1, DECLINING: 0.4, FALLING: 0.6, LOST: -0.3}[int(traj)]
            tenure = (HISTORY_MONTHS - start[i]) / HISTORY_MONTHS
            rating = 1.6 + 1.6 * warmth + 1.0 * tenure + noise[i]
            relationship.append(int(np.clip(round(rating), 1, 5)) if u[i, 3] < 0.88 else None)
            first_seen = months[start[i]].astype(dt.date) - dt.timedelta(days=int(u[i, 4] * 200))
        else:
            status.append(Status.PROSPECT if u[i, 0] < 0.4 else Status.SUSPECT)
            liquidated_on.append(
                as_of - dt.timedelta(days=int(30 + u[i, 2] * 700)) if u[i, 1] < 0.015 else None
            )
            prospect = status[-1] == Status.PROSPECT
            relationship.append(int(1 + u[i, 3] * 3) if prospect and u[i, 5] < 0.3 else None)
            first_seen = as_of - dt.timedelta(days=int(10 + u[i, 4] * 900))
        created_at.append(
            dt.datetime.combine(first_seen, dt.time(6 + int(u[i, 5] * 10), int(u[i, 2] * 59)), tzinfo=dt.UTC)
        )
    return status, liquidated_on, relationship, created_at


# --- one chunk of sale lines (vectorised) ---------------------------------------------------


def _month_profile(plan: _Plan, idx: np.ndarray) -> np.ndarray:
    """Expected revenue per month (K × HISTORY_MONTHS, RUB) of companies `idx`."""
    M = HISTORY_MONTHS
    m = np.arange(M)
    moy = plan.month_starts.astype("datetime64[M]").astype(np.int64) % 12  # 0 = January
    season = np.array([SEASONS[i.season] for i in INDUSTRIES])[plan.industry[idx]][:, moy]
    years_from_now = (m - (M - 1))[None, :] / 12.0
    trend = np.exp(plan.growth[idx][:, None] * years_from_now)
    falling = (plan.trajectory[idx] == FALLING)[:, None] & (m[None, :] >= M - 4)
    trend = np.where(falling, trend * plan.fall[idx][:, None], trend)
    start, end = plan.start[idx][:, None], plan.end[idx][:, None]
    active = (m[None, :] >= start) & (m[None, :] <= end)
    ramp = np.where(m[None, :] - start < 3, 0.6, 1.0)  # a new client starts small
    partial = plan.month_days / np.array(
        [calendar.monthrange(int(str(d)[:4]), int(str(d)[5:7]))[1] for d in plan.month_starts]
    )
    return plan.level[idx][:, None] / 12.0 * season * trend * np.where(active, ramp, 0.0) * partial[None, :]


def _chunk_sales(plan: _Plan, lo: int, hi: int, seed: int, chunk: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sale lines and their exact monthly rollup for companies lo…hi−1 (sorted by company, date)."""
    rng = np.random.default_rng([seed, 1, chunk])
    idx = np.arange(lo, hi)[plan.lines[lo:hi] > 0]
    if idx.size == 0:
        return _empty_lines(), _empty_rollup()
    M = HISTORY_MONTHS
    K = idx.size
    expected = _month_profile(plan, idx)  # K × M
    freq = expected**0.6
    freq_p = freq / freq.sum(axis=1, keepdims=True)
    cum = np.cumsum(freq_p, axis=1)
    cum = cum / cum[:, -1:]  # the last active month (and any after it) is exactly 1.0

    n_inv = plan.invoices[idx]
    inv_company = np.repeat(np.arange(K), n_inv)
    n_total = inv_company.size
    # B2B clients reorder regularly: the company's invoices sit at evenly spaced points of its
    # cumulative month profile (one random phase per company, a little jitter per invoice), not
    # at independent draws — otherwise Poisson noise alone would make a third of the stable
    # clients look "falling" quarter against quarter.
    nth = np.arange(n_total) - np.repeat(np.concatenate([[0], np.cumsum(n_inv)[:-1]]), n_inv)
    phase = rng.random(K)[inv_company]
    jitter = rng.uniform(-0.25, 0.25, n_total)
    point = np.clip((nth + phase + jitter) / n_inv[inv_company], 0.0, 1.0 - 1e-9)
    # The month is the first whose cumulative share exceeds the point (zero-share months,
    # before the start or after a loss, are never picked).
    month = (cum[inv_company] <= point[:, None]).sum(axis=1)
    month = np.minimum(month, M - 1)
    date = _working_days(rng, plan.month_starts[month].astype(np.int64), plan.month_days[month])

    # Ticket size: the month's expected revenue over its expected number of invoices.
    size = expected[inv_company, month] / (n_inv[inv_company] * freq_p[inv_company, month])
    # Ticket noise: small clients order erratically, big ones on contract (σ 0.45 … 0.2).
    sigma = (0.45 - 0.25 * plan.size_rank[idx])[inv_company]
    amount = size * np.exp(rng.normal(0.0, 1.0, n_total) * sigma - 0.5 * sigma**2)

    order = np.lexsort((date, inv_company))
    inv_company, month, date, amount = inv_company[order], month[order], date[order], amount[order]
    first_of_company = np.r_[True, inv_company[1:] != inv_company[:-1]]
    is_return = (rng.random(n_total) < 0.015) & ~first_of_company
    amount = np.where(is_return, -0.3 * amount, amount)

    # Lines per invoice: one each, the company's other lines spread over its invoices.
    n_lines = plan.lines[idx]
    extra_company = np.repeat(np.arange(K), n_lines - n_inv)
    inv_start = np.concatenate([[0], np.cumsum(n_inv)[:-1]])
    extra_inv = inv_start[extra_company] + np.floor(
        rng.random(extra_company.size) * n_inv[extra_company]
    ).astype(np.int64)
    per_inv = 1 + np.bincount(extra_inv, minlength=n_total)
    line_inv = np.repeat(np.arange(n_total), per_inv)
    line_start = np.concatenate([[0], np.cumsum(per_inv)[:-1]])
    line_no = np.arange(line_inv.size) - line_start[line_inv] + 1
    w = np.exp(rng.normal(0, 0.8, line_inv.size))
    w_sum = np.add.reduceat(w, line_start)
    amount_minor = np.rint(amount[line_inv] * w / w_sum[line_inv] * 100).astype(np.int64)
    amount_minor = np.where(amount_minor == 0, np.where(is_return[line_inv], -100, 100), amount_minor)

    line_company = inv_company[line_inv]
    rate = plan.margin_rate[idx][line_company]
    line_rate = np.clip(rate + rng.normal(0, 0.04, line_inv.size), -0.05, 0.7)
    margin_minor = np.rint(amount_minor * np.nan_to_num(line_rate)).astype(np.int64)
    has_margin = ~np.isnan(plan.margin_rate[idx])  # per company: recorded or not at all

    # Product group: each industry buys its own mix.
    product_w = np.ones((len(INDUSTRIES), len(PRODUCT_GROUPS)))
    for k, ind in enumerate(INDUSTRIES):
        for name, wt in ind.products.items():
            product_w[k, _PG[name]] = wt
    pcum = np.cumsum(product_w / product_w.sum(axis=1, keepdims=True), axis=1)
    pcum = pcum / pcum[:, -1:]
    line_ind = plan.industry[idx][line_company]
    product = (pcum[line_ind] <= rng.random(line_inv.size)[:, None]).sum(axis=1)

    # Invoice numbers: one running counter (company by company, then by date), so the unique
    # key index is appended in order; returns are their own documents ("ВЗ").
    inv_number = plan.invoice_offset[idx][inv_company] + (np.arange(n_total) - inv_start[inv_company]) + 1
    company_id = plan.base_id + idx
    lines = (
        pl.DataFrame(
            {
                "company_id": company_id[line_company],
                "date": date[line_inv].astype(np.int32),
                "_ret": is_return[line_inv],
                "_num": inv_number[line_inv],
                "line_no": line_no.astype(np.int64),
                "amount_minor": amount_minor,
                "margin_minor": margin_minor,
                "_has_margin": has_margin[line_company],
                "_pg": product.astype(np.uint32),
            }
        )
        .select(
            "company_id",
            pl.col("date").cast(pl.Date).cast(pl.Utf8).alias("date"),
            pl.when(pl.col("_ret"))
            .then(pl.lit("ВЗ-"))
            .otherwise(pl.lit("УТ-"))
            .add(pl.col("_num").cast(pl.Utf8).str.zfill(9))
            .alias("invoice"),
            "line_no",
            "amount_minor",
            pl.when(pl.col("_has_margin")).then(pl.col("margin_minor")).otherwise(None).alias("margin_minor"),
            _PRODUCT_ENUM.gather(pl.col("_pg")).alias("product_group"),
        )
        .with_columns((pl.col("invoice") + "#" + pl.col("line_no").cast(pl.Utf8)).alias("key"))
    )

    # The rollup of exactly these lines (the rules of sales.services.rollup_from_lines): cells
    # (company, month) are in order already; a purchase is an invoice with a positive net amount
    # (every invoice here has one date, and a return document is negative), first_day/last_day
    # are the days of the month's first and last purchase; margin is all or nothing per company.
    line_cell = line_company * M + month[line_inv]
    starts = np.flatnonzero(np.r_[True, line_cell[1:] != line_cell[:-1]])
    cell = line_cell[starts]
    inv_cell = inv_company * M + month
    inv_starts = np.flatnonzero(np.r_[True, inv_cell[1:] != inv_cell[:-1]])
    purchase = ~is_return
    purchases = np.add.reduceat(purchase.astype(np.int64), inv_starts)
    first_day = np.minimum.reduceat(np.where(purchase, date, np.iinfo(np.int64).max), inv_starts)
    last_day = np.maximum.reduceat(np.where(purchase, date, np.iinfo(np.int64).min), inv_starts)
    rollup = pl.DataFrame(
        {
            "company_id": company_id[cell // M],
            "month": plan.month_starts[cell % M].astype(np.int64).astype(np.int32),
            "revenue_minor": np.add.reduceat(amount_minor, starts),
            "margin_minor": np.add.reduceat(margin_minor, starts),
            "_has_margin": has_margin[cell // M],
            "invoices": purchases,
            "lines": np.diff(np.r_[starts, line_cell.size]).astype(np.int64),
            "_bought": purchases > 0,
            "first_day": np.where(purchases > 0, first_day, 0).astype(np.int32),
            "last_day": np.where(purchases > 0, last_day, 0).astype(np.int32),
        }
    ).select(
        "company_id",
        pl.col("month").cast(pl.Date).cast(pl.Utf8).alias("month"),
        "revenue_minor",
        pl.when(pl.col("_has_margin")).then(pl.col("margin_minor")).otherwise(None).alias("margin_minor"),
        "invoices",
        "lines",
        *(
            pl.when(pl.col("_bought")).then(pl.col(c).cast(pl.Date).cast(pl.Utf8)).otherwise(None).alias(c)
            for c in ("first_day", "last_day")
        ),
    )
    return lines, rollup


def _working_days(rng: np.random.Generator, month_start: np.ndarray, month_days: np.ndarray) -> np.ndarray:
    """A random working day (days since 1970-01-01) in each given month: weekend draws are
    drawn again, and the rare weekend left after three tries moves to the nearest weekday of
    the same month."""
    date = month_start + np.floor(rng.random(month_start.size) * month_days).astype(np.int64)
    for _ in range(3):
        weekend = (date + 3) % 7 >= 5  # 1970-01-01 was a Thursday; 0 = Monday
        if not weekend.any():
            break
        redraw = np.floor(rng.random(int(weekend.sum())) * month_days[weekend]).astype(np.int64)
        date[weekend] = month_start[weekend] + redraw
    wd = (date + 3) % 7
    moved = date - np.where(wd == 5, 1, np.where(wd == 6, 2, 0))  # to Friday …
    moved = np.where(moved < month_start, date + np.where(wd == 5, 2, np.where(wd == 6, 1, 0)), moved)
    return np.where(moved >= month_start + month_days, date, moved)  # … or Monday, if in the month


def _empty_lines() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "company_id": pl.Int64,
            "date": pl.Utf8,
            "invoice": pl.Utf8,
            "line_no": pl.Int64,
            "amount_minor": pl.Int64,
            "margin_minor": pl.Int64,
            "product_group": pl.Enum(PRODUCT_GROUPS),
            "key": pl.Utf8,
        }
    )


def _empty_rollup() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "company_id": pl.Int64,
            "month": pl.Utf8,
            "revenue_minor": pl.Int64,
            "margin_minor": pl.Int64,
            "invoices": pl.Int64,
            "lines": pl.Int64,
            "first_day": pl.Utf8,
            "last_day": pl.Utf8,
        }
    )


# --- companies, contacts, activities, deals of one chunk ------------------------------------


def _stamp(value: dt.datetime, vendor: str) -> str:
    """A timestamp as each engine stores it (Django keeps UTC; SQLite without the offset)."""
    if vendor == "postgresql":
        return value.isoformat(sep=" ")
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


def _chunk_companies(plan: _Plan, lo: int, hi: int, owner_ids: Sequence[int]) -> pl.DataFrame:
    rows: dict[str, list[Any]] = {
        c: []
        for c in (
            "id",
            "name",
            "inn",
            "kpp",
            "industry",
            "region",
            "employees",
            "size_band",
            "source",
            "status",
            "liquidated",
            "liquidated_on",
            "owner_id",
            "relationship",
            "phone",
            "website",
            "search_text",
            "created_at",
            "updated_at",
        )
    }
    updated = _stamp(dt.datetime.combine(plan.as_of, dt.time(6, 0), tzinfo=dt.UTC), plan.vendor)
    for i in range(lo, hi):
        employees = None if plan.hide_employees[i] else int(plan.employees[i])
        rows["id"].append(plan.base_id + i)
        rows["name"].append(plan.names[i])
        rows["inn"].append(plan.inns[i])
        rows["kpp"].append(plan.kpps[i])
        rows["industry"].append("" if plan.hide_industry[i] else INDUSTRIES[plan.industry[i]].name)
        rows["region"].append(REGIONS[plan.region[i]].name)
        rows["employees"].append(employees)
        rows["size_band"].append(str(size_band_for(employees)))
        rows["source"].append(SOURCES[plan.source[i]][0])
        rows["status"].append(str(plan.status[i]))
        rows["liquidated"].append(plan.liquidated_on[i] is not None)
        lq = plan.liquidated_on[i]
        rows["liquidated_on"].append(lq.isoformat() if lq else None)
        rows["owner_id"].append(owner_ids[plan.owner[i]])
        rows["relationship"].append(plan.relationship[i])
        rows["phone"].append(plan.phones[i])
        rows["website"].append(plan.websites[i])
        rows["search_text"].append(company_search_text(plan.names[i], plan.inns[i]))
        rows["created_at"].append(_stamp(plan.created_at[i], plan.vendor))
        rows["updated_at"].append(updated)
    return pl.DataFrame(
        rows, schema_overrides={"employees": pl.Int64, "relationship": pl.Int64, "liquidated_on": pl.Utf8}
    )


def _chunk_people(
    plan: _Plan, lo: int, hi: int, seed: int, chunk: int, contact_base: int, owner_ids: Sequence[int]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Contacts, activities and deals of companies lo…hi−1."""
    rng = np.random.default_rng([seed, 2, chunk])
    names = _person_names()
    as_of = plan.as_of
    idx = np.arange(lo, hi)
    k = idx.size
    big = np.clip(np.log10(plan.employees[idx].astype(float)) / 3.5, 0, 1)  # 0 tiny … 1 huge
    buyer = plan.buyer[idx]
    lost = plan.trajectory[idx] == LOST
    liquidated = np.array([plan.liquidated_on[i] is not None for i in idx])

    # Contacts: the buying centre grows with the company; a sole trader is their own contact.
    n_contacts = np.where(plan.is_ip[idx], 1, 1 + rng.poisson(0.6 + 3.5 * big))
    n_contacts = np.where(~buyer & (rng.random(k) < 0.35), 0, np.minimum(n_contacts, 8))
    n_contacts = np.where(plan.is_ip[idx], 1, n_contacts)
    c_company = np.repeat(np.arange(k), n_contacts)
    c_pos = np.arange(c_company.size) - np.repeat(
        np.concatenate([[0], np.cumsum(n_contacts)[:-1]]), n_contacts
    )
    r = rng.integers(0, 1 << 30, (c_company.size, 8))
    contacts: dict[str, list[Any]] = {
        c: []
        for c in (
            "id",
            "company_id",
            "full_name",
            "position",
            "role",
            "phone",
            "email",
            "preferred_channel",
            "is_active",
            "notes",
        )
    }
    channels = [Channel.PHONE, Channel.EMAIL, Channel.MESSENGER, Channel.MEETING, ""]
    for j in range(c_company.size):
        ci = idx[c_company[j]]
        rr = r[j]
        if plan.is_ip[ci]:
            # A sole trader is their own contact: «ИП Фамилия И. О.» in full.
            full = plan.persons[ci]
            last = full.split()[0]
            role, position = BuyingRole.FINANCIAL, "Индивидуальный предприниматель"
            email = f"{_translit(last)}{rr[4] % 90 + 10}@" + _pick(
                ("mail.ru", "yandex.ru", "gmail.com"), rr[5]
            )
        else:
            female = rr[0] % 2 == 0
            last = _pick(names["last_f" if female else "last_m"], rr[1])
            first = _pick(names["first_f" if female else "first_m"], rr[2])
            middle = _pick(names["middle_f" if female else "middle_m"], rr[3])
            full = f"{last} {first} {middle}"
            role = CONTACT_ROLE_ORDER[c_pos[j] % len(CONTACT_ROLE_ORDER)]
            position = _pick(POSITIONS[role], rr[4])
            email = f"{_translit(first)[0]}.{_translit(last)}@{plan.domains[ci]}" if rr[5] % 10 < 8 else ""
        contacts["id"].append(contact_base + j)
        contacts["company_id"].append(plan.base_id + int(ci))
        contacts["full_name"].append(full)
        contacts["position"].append(position)
        contacts["role"].append(str(role))
        contacts["phone"].append(
            f"+7 ({_pick(MOBILE_CODES, rr[6])}) {rr[7] % 900 + 100:03d}-"
            f"{rr[6] % 90 + 10:02d}-{rr[5] % 90 + 10:02d}"
        )
        contacts["email"].append(email)
        contacts["preferred_channel"].append(str(_pick(channels, rr[7] // 7)))
        contacts["is_active"].append(bool(rr[0] % 20 != 0))  # about one in twenty has left the company
        contacts["notes"].append("")
    contact_df = pl.DataFrame(contacts)
    first_contact = np.concatenate([[0], np.cumsum(n_contacts)[:-1]]) + contact_base

    # Activities: done touches over the last year, planned ones around as_of (some overdue).
    n_done = np.where(buyer & ~lost, rng.poisson(2 + 14 * big), np.where(lost, rng.poisson(2), 0))
    n_done = np.where(
        ~buyer,
        np.where(np.array(plan.status)[idx] == Status.PROSPECT, 1 + rng.poisson(2), rng.poisson(0.4)),
        n_done,
    )
    n_planned = np.where(
        liquidated,
        0,
        np.where(buyer & ~lost, 1 + rng.poisson(0.8 + big), (rng.random(k) < 0.45).astype(np.int64)),
    )
    a_company = np.concatenate([np.repeat(np.arange(k), n_done), np.repeat(np.arange(k), n_planned)])
    done = np.r_[np.ones(int(n_done.sum()), dtype=bool), np.zeros(int(n_planned.sum()), dtype=bool)]
    n_act = a_company.size
    days_back = np.where(lost[a_company], 180 + rng.integers(0, 360, n_act), 1 + rng.integers(0, 365, n_act))
    planned_offset = rng.integers(-25, 61, n_act)  # planned before today and still open = overdue
    a_date = [
        as_of - dt.timedelta(days=int(b)) if d else as_of + dt.timedelta(days=int(p))
        for d, b, p in zip(done, days_back, planned_offset, strict=True)
    ]
    kinds = [Kind.CALL, Kind.EMAIL, Kind.VISIT, Kind.MEETING]
    kind_p = np.stack([0.5 - 0.2 * big, 0.25 - 0.05 * big, 0.13 + 0.15 * big, 0.12 + 0.1 * big], axis=1)[
        a_company
    ]
    kind = (rng.random(n_act)[:, None] > np.cumsum(kind_p, axis=1)[:, :-1]).sum(axis=1)
    cancelled = done & (rng.random(n_act) < 0.04)
    has_contact = n_contacts[a_company] > 0
    a_contact = first_contact[a_company] + np.floor(rng.random(n_act) * np.maximum(n_contacts[a_company], 1))
    ar = rng.integers(0, 1 << 30, (n_act, 2))
    created = _stamp(dt.datetime.combine(as_of, dt.time(6, 0), tzinfo=dt.UTC), plan.vendor)
    activity_df = (
        pl.DataFrame(
            {
                "company_id": (plan.base_id + idx[a_company]).astype(np.int64),
                "contact_id": pl.Series(np.where(has_contact, a_contact, 0).astype(np.int64)),
                "_has_contact": has_contact,
                "seller_id": np.asarray(owner_ids, dtype=np.int64)[plan.owner[idx][a_company]],
                "kind": [str(kinds[x]) for x in kind],
                "state": [
                    str(State.CANCELLED if c else State.DONE if d else State.PLANNED)
                    for d, c in zip(done, cancelled, strict=True)
                ],
                "date": [d.isoformat() for d in a_date],
                "subject": [
                    _pick(ACTIVITY_SUBJECTS[kinds[x]], r0) for x, r0 in zip(kind, ar[:, 0], strict=True)
                ],
                "outcome": [
                    _pick(ACTIVITY_OUTCOMES, r1) if d and not c else ""
                    for d, c, r1 in zip(done, cancelled, ar[:, 1], strict=True)
                ],
                "created_at": [created] * n_act,
            }
        )
        .with_columns(
            pl.when(pl.col("_has_contact")).then(pl.col("contact_id")).otherwise(None).alias("contact_id")
        )
        .drop("_has_contact")
    )

    # Deals: every stage of seed 003; amounts from the company's level (prospects: potential).
    prospect = np.array(plan.status)[idx] == Status.PROSPECT
    n_deals = np.where(buyer & ~lost & ~liquidated, rng.poisson(0.35 + 1.2 * big), 0)
    n_deals = np.where(prospect & ~liquidated, (rng.random(k) < 0.6).astype(np.int64), n_deals)
    d_company = np.repeat(np.arange(k), n_deals)
    nd = d_company.size
    stage = rng.choice(len(DEAL_STAGES), nd, p=DEAL_STAGE_WEIGHTS)
    # Prospects' deals sit early in the funnel or were lost (a won deal makes a client).
    early = rng.choice(4, nd)
    stage = np.where(prospect[d_company] & (stage == 6), 7, stage)
    stage = np.where(prospect[d_company] & (stage >= 4) & (stage <= 5), early, stage)
    basis = np.where(buyer[d_company], plan.level[idx][d_company], plan.potential[idx][d_company] * 0.3)
    amount = np.rint(basis * rng.uniform(0.05, 0.4, nd) / 1000) * 1000 * 100  # round thousands of roubles
    need = rng.choice(len(NEED_TYPES), nd, p=NEED_WEIGHTS)
    dr = rng.integers(0, 1 << 30, (nd, 5))
    closed = stage >= 6
    created_back = np.where(closed, 60 + rng.integers(0, 400, nd), 5 + rng.integers(0, 180, nd))
    close_after = 10 + rng.integers(0, 120, nd)
    deals: dict[str, list[Any]] = {
        c: []
        for c in (
            "company_id",
            "owner_id",
            "title",
            "stage",
            "amount_minor",
            "need_type",
            "expected_close",
            "next_step",
            "client_gain",
            "our_gain",
            "client_wins",
            "we_win",
            "created_on",
            "closed_on",
        )
    }
    for j in range(nd):
        ci = idx[d_company[j]]
        created_on = as_of - dt.timedelta(days=int(created_back[j]))
        if closed[j]:
            closed_on: dt.date | None = min(created_on + dt.timedelta(days=int(close_after[j])), as_of)
            expected = closed_on
        else:
            closed_on = None
            expected = as_of + dt.timedelta(days=int(dr[j, 0] % 140) - 20)  # some already late
        deals["company_id"].append(plan.base_id + int(ci))
        deals["owner_id"].append(owner_ids[plan.owner[ci]])
        deals["title"].append(
            _pick(DEAL_TEMPLATES, dr[j, 1]).format(pg=_lower_first(_pick(PRODUCT_GROUPS, dr[j, 2])))
        )
        deals["stage"].append(str(DEAL_STAGES[stage[j]]))
        deals["amount_minor"].append(int(amount[j]))
        deals["need_type"].append(str(NEED_TYPES[need[j]]))
        deals["expected_close"].append(expected.isoformat() if expected else None)
        deals["next_step"].append("" if closed[j] else _pick(NEXT_STEPS, dr[j, 3]))
        # About one deal in six has no clear gain for us: the win-win check flags it (seed 000).
        client_gain = _pick(CLIENT_GAINS, dr[j, 4]) if dr[j, 4] % 12 else ""
        our_gain = _pick(OUR_GAINS, dr[j, 3]) if dr[j, 2] % 6 else ""
        deals["client_gain"].append(client_gain)
        deals["our_gain"].append(our_gain)
        # The check itself: judged once past prospecting; a side with no stated gain loses
        # (→ "consider declining"), or is left unjudged in one case of three.
        judged = stage[j] > 0 or dr[j, 0] % 3 == 0
        deals["client_wins"].append(
            None if not judged else bool(client_gain) or (None if dr[j, 1] % 3 == 0 else False)
        )
        deals["we_win"].append(
            None if not judged else bool(our_gain) or (None if dr[j, 4] % 3 == 0 else False)
        )
        deals["created_on"].append(created_on.isoformat())
        deals["closed_on"].append(closed_on.isoformat() if closed_on else None)
    deal_df = pl.DataFrame(
        deals,
        schema_overrides={
            "expected_close": pl.Utf8,
            "closed_on": pl.Utf8,
            "owner_id": pl.Int64,
            "company_id": pl.Int64,
            "amount_minor": pl.Int64,
            "client_wins": pl.Boolean,
            "we_win": pl.Boolean,
        },
    )
    return contact_df, activity_df, deal_df


# --- writing --------------------------------------------------------------------------------


def _write(model: type[models.Model], frame: pl.DataFrame) -> None:
    """Insert a frame's rows into a model's table: COPY on PostgreSQL, executemany on SQLite.

    Columns the table does not have (a field whose migration has not run yet) are left out, so
    the demo keeps working while the schema grows.
    """
    if frame.height == 0:
        return
    table = model._meta.db_table
    with connection.cursor() as cur:
        known = {c.name for c in connection.introspection.get_table_description(cur, table)}
    bulk_insert_frame(table, [c for c in frame.columns if c in known], frame)


def _ensure_users() -> list[User]:
    """The demo cast: a manager with three sellers in one team, and an admin (argon2 passwords).
    Users that exist already (by username) are kept as they are."""
    team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
    users: dict[str, User] = {}
    for username, role, full_name in DEMO_USERS:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            users[username] = existing
            continue
        *first, last = full_name.split()
        users[username] = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            team=team if role != Role.ADMIN else None,
            first_name=" ".join(first),
            last_name=last,
            email=f"{username}@clientfocus.example",
        )
    # Owners: index 0 is the manager, then the sellers.
    return [users[u] for u, role, _n in DEMO_USERS if role in (Role.MANAGER, Role.SELLER)]


@contextmanager
def _progress(enabled: bool, spec: DemoSpec) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ) as bar:
        yield bar


def _chunk_size(spec: DemoSpec) -> int:
    """Companies per chunk: about 200,000 sale lines (bounded memory, one commit each)."""
    per_company = max(spec.lines / max(spec.companies, 1), 1.0)
    return int(min(max(200_000 / per_company, 100), 20_000))


def _next_id(model: type[models.Model]) -> int:
    top = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return int(top or 0) + 1


def demo_load(spec: DemoSpec, *, progress: bool) -> DemoResult:
    """Generate and write the demo portfolio; the database must have no companies yet."""
    started = time.perf_counter()
    if Company.objects.exists():
        raise DemoError(DEMO_NOT_EMPTY)
    owners = _ensure_users()
    owner_ids = [u.pk for u in owners]
    plan = _plan(spec, _next_id(Company), len(owner_ids), vendor=connection.vendor)
    contact_next = _next_id(Contact)
    # Bulk rows are acyclic: the cyclic garbage collector would only rescan them, chunk after chunk.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        counts = _load_chunks(spec, plan, owner_ids, contact_next, progress)
    finally:
        if gc_was_enabled:
            gc.enable()
    _reset_sequences()
    _vacuum_analyse()
    audit_record(
        actor=None,
        action="demo_load",
        object_type="portfolio.demo",
        details={
            "companies": spec.companies,
            "lines": counts["lines"],
            "seed": spec.seed,
            "as_of": spec.as_of.isoformat(),
        },
    )
    return DemoResult(
        companies=spec.companies,
        lines=counts["lines"],
        contacts=counts["contacts"],
        activities=counts["activities"],
        deals=counts["deals"],
        seconds=time.perf_counter() - started,
    )


# A fresh load of this many lines or more suspends SQLite's secondary sale indexes (measured
# here at 1M lines: 8.4 s with them kept in step, 5.9 s dropped and recreated).
LARGE_LOAD_LINES = 500_000


@dataclass(frozen=True)
class _Chunk:
    companies_done: int
    companies: pl.DataFrame
    contacts: pl.DataFrame
    lines: pl.DataFrame
    rollup: pl.DataFrame
    activities: pl.DataFrame
    deals: pl.DataFrame


def _chunks(spec: DemoSpec, plan: _Plan, owner_ids: list[int], contact_next: int) -> Iterator[_Chunk]:
    """Every table's rows, chunk by chunk (pure generation: no database access)."""
    step = _chunk_size(spec)
    for chunk, lo in enumerate(range(0, spec.companies, step)):
        hi = min(lo + step, spec.companies)
        companies = _chunk_companies(plan, lo, hi, owner_ids)
        contacts, activities, deals = _chunk_people(plan, lo, hi, spec.seed, chunk, contact_next, owner_ids)
        lines, rollup = _chunk_sales(plan, lo, hi, spec.seed, chunk)
        contact_next += contacts.height
        yield _Chunk(hi - lo, companies, contacts, lines, rollup, activities, deals)


def _load_chunks(
    spec: DemoSpec, plan: _Plan, owner_ids: list[int], contact_next: int, progress: bool
) -> dict[str, int]:
    counts = {"lines": 0, "contacts": 0, "activities": 0, "deals": 0}
    large = spec.lines >= LARGE_LOAD_LINES
    with _progress(progress, spec) as bar, sales_services.sales_fresh_load_session(large=large):
        t_companies = bar.add_task("companies", total=spec.companies) if bar else None
        t_lines = bar.add_task("sale lines", total=int(plan.lines.sum())) if bar else None
        for chunk in prefetched(_chunks(spec, plan, owner_ids, contact_next), name="demo-generator"):
            # One transaction per chunk: its companies, people, lines and their rollup.
            with transaction.atomic():
                _write(Company, chunk.companies)
                _write(Contact, chunk.contacts)
                sales_services.sales_fresh_load(lines=chunk.lines, rollup=chunk.rollup)
                _write(Activity, chunk.activities)
                _write(Deal, chunk.deals)
            counts["lines"] += chunk.lines.height
            counts["contacts"] += chunk.contacts.height
            counts["activities"] += chunk.activities.height
            counts["deals"] += chunk.deals.height
            if bar:
                bar.update(t_companies, advance=chunk.companies_done)
                bar.update(t_lines, advance=chunk.lines.height)
        if bar and large and connection.vendor == "sqlite":
            bar.console.print("Recreating the sale indexes…")
    return counts


def _vacuum_analyse() -> None:
    """PostgreSQL, after a bulk load: the planner's statistics, and the visibility map that lets
    the analysis read the daily rollup's covering index without visiting the rows (autovacuum
    would get there, minutes later). Not inside a transaction (VACUUM refuses one)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    models_ = (Company, Contact, Activity, Deal, Sale, MonthlySales, DailySales)
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def _reset_sequences() -> None:
    """Explicit ids were written for companies and contacts: move PostgreSQL's sequences past
    them (SQLite's AUTOINCREMENT follows the largest rowid by itself)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Company, Contact]):
            cur.execute(sql)
