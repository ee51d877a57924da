from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from clientfocus.exchange import (
    Column,
    escape_text,
    open_table,
    parse_date,
    parse_decimal,
    parse_money,
    unescape_text,
    write_csv,
    write_xlsx,
)

TRICKY = [
    "=1+2", "+7 900 000-00-00", "-5", "@SUM(A1)", "\tTab", "\rCR", "  =cmd|' /C calc'!A0",
    "'abc", "''x", "'=x", "'", "a'b", "ООО «Ромашка»", " пробел", "=", "строка\nперенос",
    "a\r\nb", "x_x0041_y", "_x000D_", "ctl\x01\x1f",
]  # fmt: skip
COLUMNS = [Column("Текст"), Column("Число", "number"), Column("Сумма", "money"),
           Column("Дата", "date")]  # fmt: skip


def rows() -> list[list[object]]:
    return [[t, 1234.5 if i % 2 else -7, 123456 - i, date(2025, 1, 31)]
            for i, t in enumerate(TRICKY)]  # fmt: skip


def test_escape_scheme() -> None:
    assert escape_text("=1+2") == "'=1+2"
    assert escape_text("  @x") == "'  @x"
    assert escape_text("'abc") == "''abc"
    assert escape_text("abc") == "abc"
    assert escape_text("a=b") == "a=b"
    assert unescape_text("'=1+2") == "=1+2"
    assert unescape_text("''abc") == "'abc"
    assert unescape_text("'Ромашка'") == "'Ромашка'"  # someone else's apostrophe stays


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_unescape_inverts_escape(text: str) -> None:
    assert unescape_text(escape_text(text)) == text
    escaped = escape_text(text)
    assert escaped.lstrip(" ")[:1] not in ("=", "+", "-", "@", "\t", "\r") or escaped[0] == "'"


@pytest.mark.parametrize("variant", ["excel-ru", "utf8"])
def test_csv_round_trip(variant: str) -> None:
    buffer = io.BytesIO()
    write_csv(buffer, COLUMNS, rows(), variant=variant)  # type: ignore[arg-type]
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    buffer.seek(0)
    with open_table(buffer) as table:
        assert table.delimiter == (";" if variant == "excel-ru" else ",")
        assert table.headers == ("Текст", "Число", "Сумма", "Дата")
        got = [r for c in table.chunks() for r in c.frame.rows()]
    assert [r[0] for r in got] == TRICKY
    assert [parse_decimal(r[1]) for r in got[:2]] == [Decimal("-7"), Decimal("1234.5")]
    assert [parse_money(r[2]) for r in got] == [123456 - i for i in range(len(TRICKY))]
    assert {parse_date(r[3]) for r in got} == {date(2025, 1, 31)}


def test_csv_excel_ru_bytes() -> None:
    buffer = io.BytesIO()
    write_csv(buffer, COLUMNS, [["=1+2", Decimal("1234.50"), 123456, date(2025, 1, 31)],
                                ["a;b", None, -5, datetime(2025, 1, 31, 9, 5)]])  # fmt: skip
    assert buffer.getvalue().decode("utf-8-sig") == (
        'Текст;Число;Сумма;Дата\r\n\'=1+2;1234,50;1234,56;31.01.2025\r\n"a;b";;-0,05;31.01.2025 09:05:00\r\n'
    )


def test_xlsx_round_trip_keeps_types_and_texts() -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, COLUMNS, rows(), sheet_title="Клиенты")
    buffer.seek(0)
    sheet = load_workbook(buffer)["Клиенты"]
    assert sheet["A2"].value == "'=1+2"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -7 and sheet["B3"].value == 1234.5
    assert sheet["C2"].value == Decimal("1234.56") or sheet["C2"].value == 1234.56
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet["D2"].is_date and sheet["D2"].number_format == "DD.MM.YYYY"
    buffer.seek(0)
    with open_table(buffer) as table:
        got = [r for c in table.chunks() for r in c.frame.rows()]
    assert [r[0] for r in got] == TRICKY
    assert [parse_money(r[2]) for r in got] == [123456 - i for i in range(len(TRICKY))]
    assert {r[3] for r in got} == {"2025-01-31"}


texts = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=["Cs", "Co", "Cn"],
        exclude_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f\ufeff",
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=6), st.sampled_from(["excel-ru", "utf8"]))
def test_any_text_survives_a_csv_round_trip(values: list[tuple[str, str]], variant: str) -> None:
    buffer = io.BytesIO()
    write_csv(buffer, ["Клиент", "Комментарий"], values, variant=variant)  # type: ignore[arg-type]
    buffer.seek(0)
    with open_table(buffer, header_row=1) as table:
        got = [r for c in table.chunks() for r in c.frame.rows()]
    assert got == values


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=6))
def test_any_text_survives_an_xlsx_round_trip(values: list[tuple[str, str]]) -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, ["Клиент", "Комментарий"], values)
    buffer.seek(0)
    with open_table(buffer, header_row=1) as table:
        got = [r for c in table.chunks() for r in c.frame.rows()]
    assert got == values
