"""The import pipeline through its services: messy files, all-or-nothing, skipping bad rows,
idempotency, the rollup and the analysis, resuming after a crash, and who may import what."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from clientfocus.activities.models import Activity
from clientfocus.companies.models import Company, Contact
from clientfocus.imports import services
from clientfocus.imports.models import ImportJob
from clientfocus.imports.pipeline import ImportRun, rejects_path, report_path
from clientfocus.imports.problems import problem_text
from clientfocus.imports.tests import makers as M
from clientfocus.portfolio.selectors import snapshot_current, snapshot_is_stale
from clientfocus.portfolio.staleness import data_version
from clientfocus.sales.models import MonthlySales, Sale
from clientfocus.sales.services import rollup_from_lines

pytestmark = pytest.mark.django_db


def _file(tmp_path, data: bytes, name: str = "file.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _import(actor, path, kind="sales", **options):
    recompute = options.pop("recompute", False)
    job = services.job_create_path(
        actor=actor, path=path, kind=kind, as_of=options.pop("as_of", M.TODAY), **options
    )
    return services.job_run(actor=actor, job=job, recompute=recompute)


def _tables():
    """Everything an import may write, for "nothing changed" checks."""
    return (
        sorted(Sale.objects.values_list("key", "company_id", "date", "amount_minor", "margin_minor")),
        sorted(
            MonthlySales.objects.values_list(
                "company_id",
                "month",
                "revenue_minor",
                "margin_minor",
                "invoices",
                "lines",
                "first_day",
                "last_day",
            )
        ),
        sorted(
            Company.objects.values_list("pk", "name", "inn", "owner_id", "industry", "region", "employees")
        ),
        sorted(Contact.objects.values_list("pk", "company_id", "full_name", "position", "phone", "email")),
        Activity.objects.count(),
    )


def _rollup_is_rebuilt():
    stored = sorted(
        MonthlySales.objects.values_list(
            "company_id",
            "month",
            "revenue_minor",
            "margin_minor",
            "invoices",
            "lines",
            "first_day",
            "last_day",
        )
    )
    assert stored == sorted(rollup_from_lines(company_ids=None, start=None, end=None))


def test_a_1c_export_with_bad_rows_is_refused_and_nothing_is_written(cast, tmp_path):
    dana = cast["users"]["dana"]
    before, version = _tables(), data_version()
    job = _import(dana, _file(tmp_path, M.sales_csv(M.GOOD_SALES + M.BAD_SALES)), create_companies=False)
    assert job.state == ImportJob.State.REFUSED
    assert _tables() == before and data_version() == version
    # Title rows: the header is on line 3, so the bad rows are on lines 8–12.
    assert [problem_text(p, "ru") for p in job.problems] == [
        "строка 4, колонка ИНН: клиент не найден: нет доступной вам компании с таким ИНН или названием, "
        'получено "7707083893"',
        "строка 5, колонка ИНН: клиент не найден: нет доступной вам компании с таким ИНН или названием, "
        'получено "7707083893"',
        "строка 6, колонка ИНН: клиент не найден: нет доступной вам компании с таким ИНН или названием, "
        'получено "7707083893"',
        "строка 7, колонка ИНН: клиент не найден: нет доступной вам компании с таким ИНН или названием, "
        'получено "500100732259"',
        'строка 8, колонка ИНН: не сходится контрольное число, получено "7707083894"',
        'строка 9, колонка Дата: такой даты нет в календаре, получено "32.01.2025"',
        'строка 10, колонка Дата: дата в будущем, получено "01.01.2030"',
        'строка 11, колонка Сумма: не число, получено "сто"',
        "строка 12, колонка ИНН: клиент не найден: нет доступной вам компании с таким ИНН или названием, "
        'получено "7736207543"',
    ]
    assert job.rows_bad == 9 and job.error_count == 9
    assert (
        problem_text(job.problems[4], "en")
        == 'line 8, column ИНН: the check digit does not match, got "7707083894"'
    )
    report = report_path(job).read_bytes().decode("utf-8-sig").splitlines()
    assert report[0] == "Строка;Лист;Колонка;Значение;Причина" and len(report) == 10


def test_skip_bad_rows_writes_the_good_ones_and_saves_the_rejects(cast, tmp_path):
    dana = cast["users"]["dana"]
    job = _import(
        dana,
        _file(tmp_path, M.sales_csv(M.GOOD_SALES + M.BAD_SALES)),
        skip_bad_rows=True,
        create_companies=True,
    )
    assert job.state == ImportJob.State.DONE
    assert (job.rows_added, job.rows_bad, job.companies_created) == (5, 4, 3)
    romashka = Company.objects.get(inn=M.INN_ROMASHKA)
    assert romashka.name == 'ООО "Ромашка"' and romashka.owner == dana
    assert sorted(
        Sale.objects.filter(company=romashka).values_list("key", "amount_minor", "margin_minor")
    ) == [
        ("СЧ-1#1", 300000, 60000),
        ("СЧ-1#2", 50000, 10000),
        ("СЧ-2#1", 100000, None),
    ]
    # Returns stay returns.
    assert Sale.objects.get(key="СЧ-3#1").amount_minor == -25000
    _rollup_is_rebuilt()
    rows = list(csv.reader(io.StringIO(rejects_path(job).read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [*M.HEADER_1C.split(";"), "Причина"]
    assert [r[2] for r in rows[1:]] == ["21.01.2025", "32.01.2025", "01.01.2030", "22.01.2025"]
    assert rows[1][-1] == "ИНН: не сходится контрольное число"
    assert rows[4][-1] == "Сумма: не число"
    assert len(rows) == 5  # the unknown client of line 12 was created (create_companies)


def test_reimport_changes_nothing_and_a_newer_export_adds_only_new_lines(cast, tmp_path):
    dana = cast["users"]["dana"]
    path = _file(tmp_path, M.sales_csv(M.GOOD_SALES))
    first = _import(dana, path, create_companies=True)
    assert first.rows_added == 4
    state = _tables()
    again = _import(dana, path, create_companies=True)
    assert (again.state, again.rows_added, again.rows_unchanged, again.companies_created) == ("done", 0, 4, 0)
    assert _tables() == state
    newer = [*M.GOOD_SALES[2:], f"ООО Ромашка;{M.INN_ROMASHKA};03.03.2025;СЧ-4;1;Бумага;1;700;700,00;70;"]
    job = _import(dana, _file(tmp_path, M.sales_csv(newer), "newer.csv"), create_companies=True)
    assert (job.rows_added, job.rows_unchanged) == (1, 2)
    assert Sale.objects.filter(company__inn=M.INN_ROMASHKA).count() == 4
    _rollup_is_rebuilt()


def test_the_import_keeps_the_rollup_and_recomputes_the_analysis(cast, tmp_path):
    dana = cast["users"]["dana"]
    assert not snapshot_is_stale(snapshot_current())
    job = _import(
        dana,
        _file(tmp_path, M.sales_csv(M.GOOD_SALES)),
        create_companies=True,
        recompute=True,
        as_of=dt.date(2025, 6, 30),
    )
    assert job.state == "done"
    snapshot = snapshot_current()
    assert not snapshot_is_stale(snapshot) and snapshot.as_of == dt.date(2025, 6, 30)
    _rollup_is_rebuilt()
    cell = MonthlySales.objects.get(company__inn=M.INN_ROMASHKA, month=dt.date(2025, 1, 1))
    # One invoice (СЧ-1) of two lines on 15.01.2025: 3 000 + 500 roubles, margin 600 + 100.
    assert (cell.revenue_minor, cell.margin_minor, cell.invoices, cell.lines) == (350000, 70000, 1, 2)


def test_lines_without_numbers_are_numbered_within_their_document(cast, tmp_path):
    dana = cast["users"]["dana"]
    company = cast["portfolios"]["alice"].company
    text = "Клиент;ИНН;Дата;Документ;Сумма\r\n" + "\r\n".join(
        [
            f"X;{company.inn};10.02.2025;Р-1;100",
            f"X;{company.inn};10.02.2025;Р-1;100",
            f"X;{company.inn};11.02.2025;;5",
        ]
    )
    path = _file(tmp_path, text.encode("utf-8"))
    job = _import(dana, path)
    assert job.rows_added == 3
    keys = sorted(Sale.objects.filter(company=company, date__year=2025).values_list("key", flat=True))
    assert keys[1:] == ["Р-1#1", "Р-1#2"] and keys[0].startswith("h:")
    assert _import(dana, path).rows_added == 0


def test_the_same_document_line_twice_is_an_error(cast, tmp_path):
    dana = cast["users"]["dana"]
    lines = [M.GOOD_SALES[0], M.GOOD_SALES[0].replace("15.01.2025", "16.01.2025")]
    job = _import(dana, _file(tmp_path, M.sales_csv(lines)), create_companies=True)
    assert job.state == "refused"
    assert [problem_text(p, "ru") for p in job.problems] == [
        'строка 5, колонка Номер: этот документ и номер строки уже встречались выше в файле, получено "СЧ-1"'
    ]


def test_companies_from_an_xlsx_with_a_title_row(cast, tmp_path):
    bob, erin = cast["users"]["bob"], cast["users"]["erin"]
    data = M.companies_xlsx(
        [
            ['ООО "Ромашка"', M.INN_ROMASHKA, "Строительство", "Москва", 120, "Егорова Ирина"],
            ["ООО Ромашка", "7707 083 893", None, "Тверь", None, None],  # the same ИНН written differently
            ["ООО Ромашка", M.INN_LUTIK, "Торговля", None, 15, None],  # the same name, another ИНН
            ["ИП Без ИНН", None, "Услуги", "Казань", 3, "bob"],
        ]
    )
    job = _import(bob, _file(tmp_path, data, "clients.xlsx"), kind="companies")
    assert job.state == "done", job.problems
    assert job.rows_added == 3
    romashka = Company.objects.get(inn=M.INN_ROMASHKA)
    assert (romashka.owner, romashka.industry, romashka.region, romashka.employees) == (
        erin,
        "Строительство",
        "Тверь",
        120,
    )
    assert Company.objects.get(inn=M.INN_LUTIK).owner == bob
    assert Company.objects.get(name="ИП Без ИНН", inn="").owner == bob
    state = _tables()
    again = _import(bob, _file(tmp_path, data, "clients.xlsx"), kind="companies")
    assert (again.rows_added, again.rows_updated) == (0, 0) and _tables() == state


def test_an_unknown_manager_is_a_row_error_and_positions_name_the_sheet(cast, tmp_path):
    bob = cast["users"]["bob"]
    data = M.companies_xlsx(
        [["ООО Новая", M.INN_LUTIK, None, None, None, "Чернов Кирилл"]]
    )  # charlie: not bob's
    before = _tables()
    job = _import(bob, _file(tmp_path, data, "clients.xlsx"), kind="companies")
    assert job.state == "refused" and _tables() == before
    assert [problem_text(p, "ru") for p in job.problems] == [
        "лист «Клиенты», строка 4, колонка Менеджер: нет такого менеджера среди пользователей, "
        "которых вы можете "
        'назначить, получено "Чернов Кирилл"'
    ]


def test_a_seller_imports_only_into_her_own_companies(cast, tmp_path):
    alice = cast["users"]["alice"]
    mine, theirs = cast["portfolios"]["alice"].company, cast["portfolios"]["charlie"].company
    text = "Клиент;ИНН;Дата;Номер;Сумма\r\n" + "\r\n".join(
        [f"{mine.name};{mine.inn};10.02.2025;A-1;100", f"{theirs.name};{theirs.inn};10.02.2025;A-2;100"]
    )
    before = _tables()
    job = _import(alice, _file(tmp_path, text.encode("cp1251")))
    assert job.state == "refused" and _tables() == before
    assert [p["code"] for p in job.problems] == ["company_not_yours"]
    job = _import(alice, _file(tmp_path, text.encode("cp1251")), skip_bad_rows=True)
    assert job.rows_added == 1
    assert not Sale.objects.filter(company=theirs, key="A-2#1").exists()
    # A company she creates is hers; she may not name another owner.
    data = M.companies_xlsx(
        [
            ["ООО Своя", M.INN_VECTOR, None, None, None, None],
            ["ООО Чужая", M.INN_LUTIK, None, None, None, "bob"],
        ]
    )
    job = _import(alice, _file(tmp_path, data, "c.xlsx"), kind="companies", skip_bad_rows=True)
    assert Company.objects.get(inn=M.INN_VECTOR).owner == alice
    assert not Company.objects.filter(inn=M.INN_LUTIK).exists()


def test_contacts_and_activities(cast, tmp_path):
    bob = cast["users"]["bob"]
    company = cast["portfolios"]["erin"].company
    contacts = (
        "ФИО;ИНН;Должность;Телефон;E-mail\r\n"
        f"Иванов Пётр;{company.inn};Главный инженер;+7 900 000-00-00;ivanov@example.ru\r\n"
    ).encode("cp1251")
    job = _import(bob, _file(tmp_path, contacts, "contacts.csv"), kind="contacts")
    assert (job.state, job.rows_added) == ("done", 1), job.problems
    assert Contact.objects.get(company=company, full_name="Иванов Пётр").position == "Главный инженер"
    assert _import(bob, _file(tmp_path, contacts, "contacts.csv"), kind="contacts").rows_added == 0
    touches = (
        "Клиент;ИНН;Дата;Вид;Контактное лицо;Комментарий\r\n"
        f"{company.name};{company.inn};20.05.2025;звонок;Иванов Пётр;Обсудили отгрузку\r\n"
    ).encode("cp1251")
    job = _import(bob, _file(tmp_path, touches, "touches.csv"), kind="activities")
    assert (job.state, job.rows_added) == ("done", 1), job.problems
    touch = Activity.objects.get(company=company, subject="Обсудили отгрузку")
    assert (touch.kind, touch.state, touch.contact.full_name, touch.seller) == (
        "call",
        "done",
        "Иванов Пётр",
        bob,
    )
    assert _import(bob, _file(tmp_path, touches, "touches.csv"), kind="activities").rows_added == 0


def test_a_crash_mid_import_leaves_whole_chunks_and_resume_reaches_the_same_end(cast, tmp_path, monkeypatch):
    dana = cast["users"]["dana"]
    monkeypatch.setattr(
        "clientfocus.imports.pipeline.BYTES_PER_CHUNK", 200
    )  # several chunks for a small file
    lines = [f"Клиент {i};;{1 + i % 28:02d}.03.2025;Д-{i};1;Товар;1;10;{100 + i};;" for i in range(60)]
    path = _file(tmp_path, M.sales_csv(lines))
    real, calls = ImportRun._write_chunk, []

    def crashing(self, frame):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        return real(self, frame)

    monkeypatch.setattr(ImportRun, "_write_chunk", crashing)
    job = services.job_create_path(actor=dana, path=path, kind="sales", create_companies=True, as_of=M.TODAY)
    with pytest.raises(RuntimeError):
        services.job_run(actor=dana, job=job, recompute=False)
    job.refresh_from_db()
    assert (job.state, job.phase) == ("failed", "write")
    assert 1 < job.chunks_done < job.chunks_total
    partial = Sale.objects.filter(invoice__startswith="Д-").count()
    assert 0 < partial < 60
    _rollup_is_rebuilt()  # no half-written chunk: the lines and their rollup went together
    monkeypatch.setattr(ImportRun, "_write_chunk", real)
    job = services.job_run(actor=dana, job=job, recompute=False, resume=True)
    assert job.state == "done"
    assert Sale.objects.filter(invoice__startswith="Д-").count() == 60
    assert Company.objects.filter(name__startswith="Клиент ").count() == 60
    _rollup_is_rebuilt()
    state = _tables()
    # A re-run from scratch reaches the same end state.
    assert _import(dana, path, create_companies=True).rows_added == 0 and _tables() == state


def test_an_unreadable_file_fails_with_a_clear_message(cast, tmp_path):
    dana = cast["users"]["dana"]
    from clientfocus.exchange import ExchangeError

    with pytest.raises(ExchangeError) as err:
        services.job_create_path(actor=dana, path=_file(tmp_path, b"\x00\x01\x02binary"), kind="sales")
    assert err.value.code == "file_not_table"
