from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clientfocus.core.testing.factories import CompanyFactory
from clientfocus.sales.services import sale_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_portfolio(seller_alice):
    big = CompanyFactory(name="АО «Большой завод»", owner=seller_alice)
    small = CompanyFactory(name="ООО «Малая лавка»", owner=seller_alice)
    none = CompanyFactory(name="ИП Ручкин Олег Петрович", owner=seller_alice, inn="")
    today = dt.date.today()
    sale_create(
        actor=None,
        company=big,
        date=today - dt.timedelta(days=20),
        invoice="Б-1",
        line_no=1,
        amount_minor=900_000_00,
    )
    sale_create(
        actor=None,
        company=small,
        date=today - dt.timedelta(days=40),
        invoice="М-1",
        line_no=1,
        amount_minor=12_000_00,
    )
    return big, small, none


def test_it_hides_other_sellers_companies(client, cast):
    client.force_login(cast["users"]["alice"])
    html = client.get(reverse("companies:list")).content.decode()
    assert "ООО «Ромашка»" in html
    assert "ООО «Южный ветер»" not in html and "АО «Северный кабель»" not in html


def test_list_is_sorted_by_revenue_of_the_last_12_months(client, seller_alice, alice_portfolio):
    client.force_login(seller_alice)
    page = client.get(reverse("companies:list")).context["page"]
    assert [c.name for c in page] == ["АО «Большой завод»", "ООО «Малая лавка»", "ИП Ручкин Олег Петрович"]
    assert [c.revenue_12m for c in page] == [900_000_00, 12_000_00, 0]
    page = client.get(reverse("companies:list"), {"sort": "-revenue"}).context["page"]
    assert page[0].name == "ИП Ручкин Олег Петрович"
    # An unknown sort key falls back to the default instead of reaching the ORM.
    page = client.get(reverse("companies:list"), {"sort": "owner__password"}).context["page"]
    assert page[0].name == "АО «Большой завод»"


def test_search_is_case_insensitive_in_cyrillic(client, seller_alice, alice_portfolio):
    client.force_login(seller_alice)
    page = client.get(reverse("companies:list"), {"q": "большой"}).context["page"]
    assert [c.name for c in page] == ["АО «Большой завод»"]
    big = alice_portfolio[0]
    page = client.get(reverse("companies:list"), {"q": big.inn[:6]}).context["page"]
    assert big in list(page)


def test_htmx_request_gets_only_the_results_partial(client, seller_alice, alice_portfolio):
    client.force_login(seller_alice)
    html = client.get(
        reverse("companies:list"), {"q": "лавка"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "ООО «Малая лавка»" in html and "<nav" not in html and "<html" not in html


def test_list_pagination_and_query_budget(client, seller_alice, django_assert_max_num_queries):
    for i in range(60):
        CompanyFactory(name=f"ООО «Компания {i:02d}»", owner=seller_alice)
    client.force_login(seller_alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("companies:list"), {"sort": "name"})
    page = response.context["page"]
    assert page.paginator.count == 60 and len(page.object_list) == 50
    page2 = client.get(reverse("companies:list"), {"sort": "name", "page": 2}).context["page"]
    assert page2[0].name == "ООО «Компания 50»"


def test_company_page_shows_its_figures(client, seller_alice, alice_portfolio, django_assert_max_num_queries):
    big = alice_portfolio[0]
    client.force_login(seller_alice)
    # 12, +2 for the ideal-profile fit panel and the dossiers' completeness.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("companies:detail", args=[big.pk]))
    assert response.context["figures"]["revenue_12m"] == 900_000_00
    html = response.content.decode()
    assert "900\xa0000\xa0₽" in html  # Russian grouping with non-breaking spaces
    assert 'id="sales-chart"' in html


def test_pages_speak_russian_by_default_and_english_on_request(client, seller_alice, alice_portfolio):
    client.force_login(seller_alice)
    assert "Выручка 12 мес." in client.get(reverse("companies:list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("companies:list")).content.decode()
    assert "Revenue, 12 mo." in html
    assert "900,000\xa0₽" in html


def test_the_admin_cannot_move_the_funnel_backwards(client, seller_alice):
    """Status and liquidation change only through companies/services.py (forward only)."""
    company = CompanyFactory(name="ООО «Воронка»", owner=seller_alice, status="CLIENT")
    client.force_login(seller_alice)
    url = reverse("admin:companies_company_change", args=[company.pk])
    data = {
        "name": "ООО «Воронка»",
        "inn": company.inn,
        "kpp": company.kpp,
        "status": "SUSPECT",
        "liquidated": "on",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    client.post(url, data)
    company.refresh_from_db()
    assert (company.status, company.liquidated) == ("CLIENT", False)


def test_list_reads_revenue_from_the_analysis_snapshot(
    client, seller_alice, alice_portfolio, django_assert_max_num_queries
):
    """With a snapshot, the list sorts and shows its revenue_12m (a join, not two correlated
    window subqueries per row) and dates the figures by the snapshot."""
    from clientfocus.portfolio.services import analysis_recompute

    as_of = dt.date.today() - dt.timedelta(days=30)  # big's sale (20 days ago) is after it
    analysis_recompute(actor=None, as_of=as_of)
    late = CompanyFactory(name="ООО «После расчёта»", owner=seller_alice)  # not in the snapshot
    client.force_login(seller_alice)
    # Session, user, snapshot, staleness, the count, the page: whatever the number of companies.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("companies:list"))
    page = response.context["page"]
    # Big's sale came after the snapshot's date: 0 there; ties by name.
    assert [(c.name, c.revenue_12m) for c in page] == [
        ("ООО «Малая лавка»", 12_000_00),
        ("АО «Большой завод»", 0),
        ("ИП Ручкин Олег Петрович", 0),
        ("ООО «После расчёта»", 0),
    ]
    assert response.context["as_of"] == as_of
    assert late in list(page)
