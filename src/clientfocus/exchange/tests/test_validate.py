from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientfocus.exchange import (
    ColumnMapping,
    FieldType,
    Kind,
    RecordValidator,
    ValidatedChunk,
    auto_map,
    open_table,
    parse_column,
    parse_date,
    parse_money,
    record_schema,
)
from clientfocus.exchange import validate as validate_module
from clientfocus.exchange.tests.makers import MESSY_TODAY, messy_sales_csv

EXPECTED_ERRORS = [
    'строка 10, колонка ИНН: не сходится контрольное число, получено "7707083894"',
    'строка 11, колонка Дата: такой даты нет в календаре, получено "32.01.2025"',
    'строка 12, колонка Дата: не дата, получено "вчера"',
    'строка 13, колонка Дата: дата в будущем, получено "01.01.2030"',
    'строка 14, колонка Сумма: не число, получено "сто"',
    "строка 15, колонка Контрагент: обязательное поле не заполнено",
    "строка 16, колонка Дата: обязательное поле не заполнено",
    'строка 17, колонка ИНН: нужно 10 или 12 цифр, получено "77-01"',
    "строка 20, колонка Сумма: обязательное поле не заполнено",
    'строка 21, колонка Количество: не число, получено "abc"',
]
EXPECTED_RECORDS = [
    # row, company, inn, date, document, product, quantity, price, amount, manager
    (5, 'ООО "Ромашка"', "7707083893", date(2024, 12, 31), "СЧ-1", "Бумага",
     Decimal("2.000"), 150000, 300000, "Иванова"),
    (6, 'ООО "Лютик"\r\nфилиал', "500100732259", date(2025, 1, 15), "СЧ-2", "Картон",
     Decimal("1.500"), 3, 5, "Петров"),  # 1,5 × 0,03 ₽ = 0,045 ₽ -> 5 kopecks
    (8, "ИП Сидоров", "7707083893", date(2025, 1, 20), "СЧ-3", "Бумага", None, None,
     -123456, "Иванова"),
    (9, "ООО Ромашка", "7707083893", date(2025, 1, 20), "СЧ-4", None, None, None,
     -100050, None),
    (19, "ООО Ромашка", "7707083893", date(2025, 1, 1), "СЧ-13", "Бумага", None, None,
     1234567890, "Иванова"),
]  # fmt: skip
COLUMNS = ["row", "company", "inn", "date", "document", "product", "quantity", "price",
           "amount", "manager"]  # fmt: skip


def validate_messy() -> list[ValidatedChunk]:
    with open_table(io.BytesIO(messy_sales_csv())) as table:
        mapping = auto_map(table.headers, Kind.SALES)
        validator = RecordValidator(mapping, headers=table.headers, today=MESSY_TODAY)
        return [validator.validate(chunk) for chunk in table.chunks(4)]


def test_messy_sales_file_gives_exact_records_and_errors() -> None:
    checked = validate_messy()
    records = pl.concat([c.records for c in checked])
    assert records.schema == pl.Schema(record_schema(Kind.SALES))
    assert records.select(COLUMNS).rows() == EXPECTED_RECORDS
    assert records.get_column("amount_net").null_count() == 5
    errors = [e for c in checked for e in c.errors]
    assert [e.text() for e in errors] == EXPECTED_ERRORS
    assert sum(c.rows_read for c in checked) == 15
    assert sum(c.bad_rows for c in checked) == 10
    assert errors[7].code == "inn_wrong_length"
    assert errors[7].text("en") == 'line 17, column ИНН: 10 or 12 digits are needed, got "77-01"'


def test_vectorised_path_gives_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = validate_messy()
    monkeypatch.setattr(validate_module, "FEW_DISTINCT", 0)
    monkeypatch.setattr(validate_module, "DISTINCT_SHARE", 0.0)
    again = validate_messy()
    assert [c.records.rows() for c in again] == [c.records.rows() for c in expected]
    assert [c.errors for c in again] == [c.errors for c in expected]


def test_cells_parsed_in_an_earlier_chunk_give_the_same_values_and_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A validator remembers the cells it parsed one by one (ИНН, dates, prices recur all
    through a file): a bad ИНН is reported in every chunk it appears in, and the records are
    the same with the memory cleared at every cell."""
    rows = "".join(
        f"ООО Ромашка;{inn};{day:02d}.01.2025;СЧ-{i};100\n"
        for i, (inn, day) in enumerate([("7707083893", 5), ("7707083894", 6)] * 6)
    )
    data = ("Клиент;ИНН;Дата;Документ;Сумма\n" + rows).encode()

    def run() -> list[ValidatedChunk]:
        with open_table(io.BytesIO(data)) as table:
            validator = RecordValidator(
                auto_map(table.headers, Kind.SALES), headers=table.headers, today=MESSY_TODAY
            )
            return [validator.validate(c) for c in table.chunks(2)]

    remembered = run()
    assert [len(c.errors) for c in remembered] == [1] * 6
    assert {e.code for c in remembered for e in c.errors} == {"inn_bad_checksum"}
    good = [r for c in remembered for r in c.records.select("inn", "date").rows()]
    assert good == [("7707083893", date(2025, 1, 5))] * 6
    monkeypatch.setattr(validate_module, "MEMO_LIMIT", 1)
    forgotten = run()
    assert [c.records.rows() for c in forgotten] == [c.records.rows() for c in remembered]
    assert [c.errors for c in forgotten] == [c.errors for c in remembered]


def test_amount_from_quantity_and_price_when_the_file_has_no_amount() -> None:
    data = "Клиент;Дата;Количество;Цена\nА;01.02.2025;3;10,01\nБ;01.02.2025;;5\n".encode()
    with open_table(io.BytesIO(data)) as table:
        validator = RecordValidator(
            auto_map(table.headers, Kind.SALES), headers=table.headers, today=MESSY_TODAY
        )
        (chunk,) = [validator.validate(c) for c in table.chunks()]
    assert chunk.records.select("company", "quantity", "price", "amount").rows() == [
        ("А", Decimal("3.000"), 1001, 3003)
    ]
    assert [e.text() for e in chunk.errors] == [
        "строка 3, колонка Количество: обязательное поле не заполнено"
    ]


def test_companies_contacts_and_activities() -> None:
    companies = (
        "Наименование;ИНН;КПП;Численность;E-mail;Регион\n"
        "ООО Ромашка;7707083893;773601001;1 200;info@romashka.ru;Москва\n"
        "ООО Лютик;;77360100;двести;lutik@;\n"
        ";500100732259;;;;\n"
    ).encode()
    with open_table(io.BytesIO(companies)) as table:
        mapping = auto_map(table.headers, Kind.COMPANIES)
        validator = RecordValidator(mapping, headers=table.headers, today=MESSY_TODAY)
        (result,) = [validator.validate(c) for c in table.chunks()]
    assert result.records.rows(named=True) == [ {"row": 2, "name": "ООО Ромашка", "inn": "7707083893",
                          "kpp": "773601001", "industry": None, "region": "Москва",
                          "city": None, "employees": 1200, "manager": None, "phone": None,
                          "email": "info@romashka.ru", "contact": None, "position": None}]  # fmt: skip
    assert [e.text() for e in result.errors] == [
        "строка 3, колонка КПП: КПП: нужно 9 символов (цифры, в 5–6-й позициях допустимы "
        'латинские буквы), получено "77360100"',
        'строка 3, колонка Численность: не число, получено "двести"',
        'строка 3, колонка E-mail: не адрес электронной почты, получено "lutik@"',
        "строка 4, колонка Наименование: обязательное поле не заполнено",
    ]
    activities = "Дата;Тип;ИНН;Комментарий\n10.01.2025 15:00;Звонок;7707083893;ок\n" \
                 "11.01.2025;Телепатия;7707083893;\n".encode()  # fmt: skip
    with open_table(io.BytesIO(activities)) as table:
        validator = RecordValidator(
            auto_map(table.headers, Kind.ACTIVITIES), headers=table.headers, today=MESSY_TODAY
        )
        (result,) = [validator.validate(c) for c in table.chunks()]
    assert result.records.select("row", "date", "kind", "inn", "note").rows() == [
        (2, date(2025, 1, 10), "call", "7707083893", "ок")
    ]
    assert [e.text("en") for e in result.errors] == [
        'line 3, column Тип: unknown activity kind (call, visit, e-mail, meeting), got "Телепатия"'
    ]
    contacts = ColumnMapping(Kind.CONTACTS, {"name": "ФИО", "company": "Компания"})
    with open_table(io.BytesIO("ФИО;Компания\nИванова Анна;ООО Ромашка\n".encode())) as table:
        validator = RecordValidator(contacts, headers=table.headers, today=MESSY_TODAY)
        (result,) = [validator.validate(c) for c in table.chunks()]
    assert result.records.select("name", "company").rows() == [("Иванова Анна", "ООО Ромашка")]


plain_amounts = st.builds(
    lambda units, cents, sep, space, minus: (
        ("-" if minus else "")
        + f"{units:,}".replace(",", space)
        + (f"{sep}{cents}" if cents is not None else "")
    ),
    st.integers(0, 10**13 - 1),
    st.one_of(st.none(), st.integers(0, 99).map(str), st.integers(0, 9).map(str)),
    st.sampled_from([",", "."]),
    st.sampled_from(["", " ", "\u00a0", "\u202f"]),
    st.booleans(),
)


dressed_amounts = st.builds(
    lambda amount, form, currency: form.format(amount.lstrip("-"), currency),
    plain_amounts,
    st.sampled_from(["{0}", "({0})", "{0}-", "−{0}", "-{0}{1}", "({0}){1}", "{1}{0}", "{0}{1}"]),
    st.sampled_from([" руб.", "₽", " р.", " RUB", "$", " €", "РУБ", " rur"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(plain_amounts, dressed_amounts), min_size=1, max_size=20))
def test_fast_money_path_agrees_with_the_scalar_parser(texts: list[str]) -> None:
    s = pl.Series(texts, dtype=pl.String)
    fast = validate_module._fast_money(s).to_list()
    for text, value in zip(texts, fast, strict=True):
        assert value == parse_money(text)  # the fast path reads every one of these shapes


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.dates(date(1890, 1, 1), date(2110, 12, 31)).map(lambda d: d.strftime("%d.%m.%Y")),
            st.dates(date(1890, 1, 1), date(2110, 12, 31)).map(lambda d: d.isoformat()),
            st.text("0123456789.-: T", max_size=19),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_fast_date_path_agrees_with_the_scalar_parser(texts: list[str]) -> None:
    s = pl.Series(texts, dtype=pl.String)
    fast = validate_module._fast_date(s).to_list()
    for text, value in zip(texts, fast, strict=True):
        if value is not None:
            assert value == parse_date(text)


def test_parse_column_reports_codes_per_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module, "FEW_DISTINCT", 0)
    monkeypatch.setattr(validate_module, "DISTINCT_SHARE", 0.0)
    s = pl.Series(["1 234,5", "(7)", None, "сто", "1,2345"], dtype=pl.String)
    values, codes = parse_column(s, FieldType.MONEY)
    assert values.to_list() == [123450, -700, None, None, 123]
    assert codes.to_list() == [None, None, None, "number_invalid", None]
