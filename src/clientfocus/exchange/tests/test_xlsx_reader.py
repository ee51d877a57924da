from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from clientfocus.exchange import (
    ExchangeError,
    Kind,
    Limits,
    Position,
    RecordValidator,
    auto_map,
    list_sheets,
    open_table,
)
from clientfocus.exchange.tests.makers import MESSY_TODAY, xlsx_two_sheets


def test_sheets_are_listed_and_chosen_by_name_or_index() -> None:
    data = xlsx_two_sheets()
    assert list_sheets(io.BytesIO(data)) == ["Сводка", "Продажи"]
    with open_table(io.BytesIO(data)) as table:
        assert table.headers == ("Менеджер", "Сумма")  # the first sheet by default
        assert [c.frame.rows() for c in table.chunks()] == [[("Иванова", "100")]]
    for choice in ("Продажи", 1):
        with open_table(io.BytesIO(data), sheet=choice) as table:
            assert table.header_position == Position(4, "Продажи")
    for choice, text in [("Итоги", "в книге нет листа «Итоги»"), (5, "в книге нет листа «6»")]:
        with pytest.raises(ExchangeError) as caught, open_table(io.BytesIO(data), sheet=choice):
            pass
        assert str(caught.value) == text


def test_header_below_merged_title_rows_typed_cells_and_positions() -> None:
    with open_table(io.BytesIO(xlsx_two_sheets()), sheet="Продажи") as table:
        assert table.format == "xlsx"
        assert table.headers == ("Покупатель", "ИНН", "Дата документа", "Кол-во", "Цена",
                                 "Сумма, руб.")  # fmt: skip
        chunks = list(table.chunks(2))
    assert [c.rows.to_list() for c in chunks] == [[5, 6], [7], [9]]  # row 8 is empty
    assert chunks[0].frame.rows() == [
        ('ООО "Ромашка"', "7707083893", "2025-01-10", "2", "1500.5", None),
        ('=HYPERLINK("x")', "500100732259", "2025-01-11 09:30:00", "1", "10", "10"),
    ]
    assert chunks[0].position(1) == Position(6, "Продажи")


def test_xlsx_records_and_errors() -> None:
    with open_table(io.BytesIO(xlsx_two_sheets()), sheet=1) as table:
        validator = RecordValidator(
            auto_map(table.headers, Kind.SALES), headers=table.headers, today=MESSY_TODAY
        )
        checked = [validator.validate(c) for c in table.chunks()]
    (result,) = checked
    assert result.records.select("row", "company", "inn", "date", "quantity", "amount").rows() == [
        (5, 'ООО "Ромашка"', "7707083893", date(2025, 1, 10), Decimal("2.000"), 300100),
        (6, '=HYPERLINK("x")', "500100732259", date(2025, 1, 11), Decimal("1.000"), 1000),
        (9, "ООО Лютик", None, date(2025, 1, 12), None, -25025),
    ]
    assert [e.text() for e in result.errors] == [
        'лист «Продажи», строка 7, колонка Сумма, руб.: не число, получено "сто"'
    ]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bombs_and_broken_archives_are_refused_before_opening() -> None:
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": bytes(4 << 20)})
    with pytest.raises(ExchangeError) as caught, open_table(io.BytesIO(bomb)):
        pass
    assert str(caught.value) == "файл XLSX сжат подозрительно сильно (возможна «zip-бомба»)"
    with (
        pytest.raises(ExchangeError) as caught,
        open_table(io.BytesIO(xlsx_two_sheets()), limits=Limits(max_unpacked_bytes=1000)),
    ):
        pass
    assert str(caught.value) == "распакованный файл XLSX больше допустимых 1000 байт"
    for data in (_zip({"hello.txt": b"hi"}), _zip({"xl/workbook.xml": b"not xml <"})):
        with pytest.raises(ExchangeError) as caught, open_table(io.BytesIO(data)):
            pass
        assert caught.value.code == "xlsx_broken"
