"""Export of the portfolio, and export -> import returning the same values."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from clientfocus.companies.models import Company
from clientfocus.exchange import Kind, read_records
from clientfocus.imports import services
from clientfocus.imports.exports import portfolio_export
from clientfocus.portfolio.selectors import PortfolioFilters

pytestmark = pytest.mark.django_db

DANGEROUS = '=HYPERLINK("http://evil.example","x")'


def _export(user, fmt, **filters):
    buffer = io.BytesIO()
    portfolio_export(user=user, filters=PortfolioFilters(**filters), fmt=fmt, target=buffer)
    return buffer.getvalue()


@pytest.fixture
def risky(cast):
    company = cast["portfolios"]["alice"].company
    Company.objects.filter(pk=company.pk).update(name=DANGEROUS, industry="-Опт", region="@Москва")
    return cast


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "csv-ru"])
def test_export_then_import_returns_the_same_values(risky, tmp_path, fmt):
    dana = risky["users"]["dana"]
    data = _export(dana, fmt)
    path = tmp_path / f"portfolio.{fmt}"
    path.write_bytes(data)
    records = read_records(str(path), Kind.COMPANIES, today=dt.date(2026, 11, 25)).records
    got = sorted(records.select("name", "inn", "kpp", "industry", "region", "employees").rows())
    want = sorted(Company.objects.values_list("name", "inn", "kpp", "industry", "region", "employees"))
    assert got == want
    assert DANGEROUS in [r[0] for r in got]
    job = services.job_create_path(actor=dana, path=str(path), kind="companies")
    before = sorted(Company.objects.values_list())
    job = services.job_run(actor=dana, job=job, recompute=False)
    assert (job.state, job.rows_added, job.rows_updated, job.rows_unchanged) == ("done", 0, 0, 3), (
        job.problems
    )
    assert sorted(Company.objects.values_list()) == before


def test_formulas_are_neutralised_and_numbers_stay_numbers(risky):
    dana = risky["users"]["dana"]
    text = _export(dana, "csv-ru").decode("utf-8-sig")
    assert text.startswith("Наименование;ИНН;КПП;Отрасль;Регион;Сотрудников;Статус;Менеджер;Категория;")
    assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in text and ";'-Опт;'@Москва;" in text
    assert ";1250000,00;" in text  # revenue in roubles, decimal comma
    sheet = load_workbook(io.BytesIO(_export(dana, "xlsx")), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    by_name = {r[0]: r for r in rows[1:]}
    romashka = by_name["ООО «Южный ветер»"]
    assert romashka[header.index("Выручка 12 мес., руб.")] == 1_250_000
    assert romashka[header.index("Сотрудников")] == 120
    assert isinstance(romashka[header.index("Последняя покупка")], dt.datetime)
    assert by_name["'" + DANGEROUS][header.index("Отрасль")] == "'-Опт"


def test_export_is_scoped_and_filtered(risky):
    text = _export(risky["users"]["bob"], "csv").decode("utf-8-sig")
    assert "Северный кабель" in text and "Южный ветер" not in text
    text = _export(risky["users"]["dana"], "csv", query="южный").decode("utf-8-sig")
    assert text.count("\r\n") == 2 and "Южный ветер" in text


def test_the_export_command(risky, tmp_path):
    from clientfocus.cli.main import cli

    out = tmp_path / "p.xlsx"
    result = CliRunner().invoke(cli, ["export", "--format", "xlsx", "--out", str(out), "--user", "erin"])
    assert result.exit_code == 0, result.output
    names = [r[0] for r in load_workbook(out, read_only=True).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["АО «Северный кабель»"]


def test_the_export_carries_each_companys_category_reason(risky):
    """The snapshot keeps figures, not sentences: the export renders the reason per row, in the
    reader's language."""
    from django.utils import translation

    from clientfocus.portfolio.models import CompanyAnalysis

    dana = risky["users"]["dana"]
    for language, word in (("ru", "потенциал"), ("en", "potential")):
        with translation.override(language):
            sheet = load_workbook(io.BytesIO(_export(dana, "xlsx")), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        reason = rows[0].index("Причина категории")
        category = rows[0].index("Категория")
        assert len(rows) - 1 == CompanyAnalysis.objects.count()
        for row in rows[1:]:
            assert row[category] in "ABCD"
            assert (row[reason] or "").startswith(f"{row[category]}: {word} "), (language, row[reason])
