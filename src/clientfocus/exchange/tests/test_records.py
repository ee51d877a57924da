from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import polars as pl

from clientfocus.exchange import (
    Kind,
    company_name_key,
    open_table,
    read_records,
    record_schema,
)
from clientfocus.exchange.tests.makers import MESSY_TODAY, messy_sales_csv


def test_read_records_in_one_call() -> None:
    result = read_records(io.BytesIO(messy_sales_csv()), Kind.SALES, today=MESSY_TODAY)
    assert result.records.get_column("row").to_list() == [5, 6, 8, 9, 19]
    assert len(result.errors) == 10
    assert result.rows_read == 15
    assert result.mapping.columns["amount"] == "Сумма"
    assert result.headers[0] == "Контрагент"


def test_total_lines_spaces_only_rows_and_cr_line_ends_are_not_records() -> None:
    data = "Клиент;Дата;Сумма\rА;01.02.2025;1\r  ;  ; \rИтого;;1\rВсего:;;1\r".encode()
    result = read_records(io.BytesIO(data), Kind.SALES, today=MESSY_TODAY)
    assert result.records.select("row", "company", "date", "amount").rows() == [
        (2, "А", date(2025, 2, 1), 100)
    ]
    assert result.errors == []
    assert result.rows_read == 1


def test_an_empty_table_gives_an_empty_typed_frame() -> None:
    result = read_records(io.BytesIO("Клиент;Дата;Сумма\n".encode()), Kind.SALES, today=MESSY_TODAY)
    assert result.records.schema == pl.Schema(record_schema(Kind.SALES))
    assert result.records.height == 0
    with open_table(io.BytesIO("Клиент;Дата;Сумма\n".encode())) as table:
        assert list(table.chunks()) == []


def test_quantity_is_exact() -> None:
    data = "Клиент;Дата;Количество;Цена\nА;01.02.2025;0,001;1 000 000,00\n".encode()
    result = read_records(io.BytesIO(data), Kind.SALES, today=MESSY_TODAY)
    assert result.records.select("quantity", "amount").rows() == [(Decimal("0.001"), 100000)]


def test_company_name_keys() -> None:
    same = ['ООО "Ромашка"', "ООО «Ромашка»", "Ромашка, ООО", "  ооо   РОМАШКА ",
            'Общество с ограниченной ответственностью "Ромашка"']  # fmt: skip
    assert {company_name_key(n) for n in same} == {"ооо ромашка"}
    assert company_name_key("ИП Ромашка") == "ип ромашка"
    assert company_name_key("Ёлка") == "елка"
