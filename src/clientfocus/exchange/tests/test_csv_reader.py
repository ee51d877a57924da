from __future__ import annotations

import codecs
import io
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientfocus.exchange import (
    ExchangeError,
    Limits,
    Position,
    csv_reader,
    list_sheets,
    open_table,
    write_csv,
)
from clientfocus.exchange.tests.makers import NBSP, messy_sales_csv


def read_all(data: bytes, **kwargs: object) -> tuple[tuple[str, ...], list[int], list[tuple]]:
    with open_table(io.BytesIO(data), **kwargs) as table:  # type: ignore[arg-type]
        rows: list[int] = []
        values: list[tuple] = []
        for chunk in table.chunks(3):
            rows += chunk.rows.to_list()
            values += chunk.frame.rows()
        return table.headers, rows, values


def test_messy_cp1251_file_is_detected_and_records_start_on_their_physical_lines() -> None:
    with open_table(io.BytesIO(messy_sales_csv())) as table:
        assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1251", ";")
        assert table.header_position == Position(4)
        assert table.headers == (
            "Контрагент", "ИНН", "Дата", "Номер документа", "Номенклатура", "Количество",
            "Цена", "Сумма", "Менеджер",
        )  # fmt: skip
        chunks = list(table.chunks(5))
    rows = [r for c in chunks for r in c.rows.to_list()]
    assert rows == [5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21]
    first = chunks[0].frame.rows()
    assert first[0] == (
        'ООО "Ромашка"', "7707083893", "31.12.2024", "СЧ-1", "Бумага", "2",
        f"1{NBSP}500,00", "3 000,00", "Иванова",
    )  # fmt: skip
    assert first[1][0] == 'ООО "Лютик"\r\nфилиал'
    assert first[1][7] is None  # empty cell


@pytest.mark.parametrize(("parse_block", "read_block"), [(40, 7), (100, 33), (1000, 1000)])
def test_block_boundaries_never_change_records_or_lines(
    monkeypatch: pytest.MonkeyPatch, parse_block: int, read_block: int
) -> None:
    expected = read_all(messy_sales_csv())
    monkeypatch.setattr(csv_reader, "PARSE_BLOCK", parse_block)
    monkeypatch.setattr(csv_reader, "READ_BLOCK", read_block)
    assert read_all(messy_sales_csv()) == expected


@pytest.mark.parametrize(
    ("text", "encoding", "bom"),
    [
        ("Клиент;Сумма\r\nООО Ёлка;1\r\n", "utf-8", b""),
        ("Клиент;Сумма\r\nООО Ёлка;1\r\n", "utf-8", codecs.BOM_UTF8),
        ("Клиент;Сумма\r\nООО Ёлка;1\r\n", "cp1251", b""),
        ("Клиент;Сумма\r\nООО Ёлка;1\r\n", "utf-16", b""),
        ("client;amount\nACME;1\n", "ascii", b""),
    ],
)
def test_encodings(text: str, encoding: str, bom: bytes) -> None:
    headers, rows, values = read_all(bom + text.encode(encoding))
    assert headers == tuple(text.split("\n")[0].strip().split(";"))
    assert rows == [2]
    assert values[0][0] in ("ООО Ёлка", "ACME")


def test_cp1251_decided_by_late_non_ascii_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader, "READ_BLOCK", 64)
    data = ("name;amount\n" + "ACME;1\n" * 50 + "Ёлка;2\n").encode("cp1251")
    with open_table(io.BytesIO(data)) as table:
        assert table.encoding == "cp1251"
        values = [v for c in table.chunks() for v in c.frame.rows()]
    assert values[-1] == ("Ёлка", "2")


def test_a_byte_that_breaks_utf8_later_names_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader, "READ_BLOCK", 64)
    data = "Клиент;Сумма\n".encode() + b"ACME;1\n" * 30 + "Ёлка;2\n".encode("cp1251")
    with pytest.raises(ExchangeError) as caught, open_table(io.BytesIO(data)) as table:
        list(table.chunks())
    assert str(caught.value) == "строка 32: текст не в кодировке UTF-8"
    assert caught.value.text("en") == "line 32: the text is not in the UTF-8 encoding"


@pytest.mark.parametrize(
    ("delimiter", "line"),
    [
        (";", 'Клиент;Сумма;Дата\n"ООО ""А, Б""";1,5;01.02.2025\n'),
        (",", 'Клиент,Сумма,Дата\n"ООО ""А; Б""","1,5",01.02.2025\n'),
        ("\t", "Клиент\tСумма\tДата\nООО А, Б\t1,5\t01.02.2025\n"),
        ("|", "Клиент|Сумма|Дата\nООО А; Б|1,5|01.02.2025\n"),
    ],
)
def test_delimiters_are_sniffed(delimiter: str, line: str) -> None:
    with open_table(io.BytesIO(line.encode())) as table:
        assert table.delimiter == delimiter
        assert table.headers == ("Клиент", "Сумма", "Дата")
        (chunk,) = table.chunks()
    assert chunk.frame.rows()[0][1:] == ("1,5", "01.02.2025")


def test_ragged_rows_trailing_delimiter_and_duplicate_headers() -> None:
    data = "Клиент;Сумма;Сумма;;\nА;1\nБ;2;3;4;5;6\n".encode()
    headers, rows, values = read_all(data)
    assert headers == ("Клиент", "Сумма", "Сумма (2)")
    assert values == [("А", "1", None), ("Б", "2", "3")]
    assert rows == [2, 3]


def test_a_stray_quote_is_read_literally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader, "PARSE_BLOCK", 16)
    monkeypatch.setattr(csv_reader, "MAX_PENDING", 32)
    data = 'Клиент;Сумма\nООО "Ромашка;1\nБ;2\nВ;3\nГ;4\nД;5\n'.encode()
    _headers, rows, values = read_all(data)
    assert values == [('ООО "Ромашка', "1"), ("Б", "2"), ("В", "3"), ("Г", "4"), ("Д", "5")]
    assert rows == [2, 3, 4, 5, 6]


def test_explicit_header_row_delimiter_and_encoding() -> None:
    data = "Итоги\nКлиент,Сумма\nА,1\n".encode("cp1251")
    with open_table(io.BytesIO(data), header_row=2, delimiter=",", encoding="cp1251") as table:
        assert table.headers == ("Клиент", "Сумма")
        assert [c.frame.rows() for c in table.chunks()] == [[("А", "1")]]


def test_file_limits_and_non_tables(tmp_path: object) -> None:
    with (
        pytest.raises(ExchangeError) as caught,
        open_table(io.BytesIO(b"a;b\n1;2\n"), limits=Limits(max_bytes=4)),
    ):
        pass
    assert str(caught.value) == "файл больше допустимых 4 байт"
    for data, text in [
        (b"", "файл пуст"),
        (b"\x00\x01\x02binary", "файл не похож на таблицу CSV или XLSX"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "старый формат Excel (.xls) не поддерживается: сохраните файл как .xlsx",
        ),
        (b"PK\x03\x04garbage", "файл XLSX повреждён или не является книгой Excel"),
        (b"\n\n;;\n", "не найдена строка заголовков таблицы"),
    ]:
        with pytest.raises(ExchangeError) as caught, open_table(io.BytesIO(data)):
            pass
        assert str(caught.value) == text


def test_paths_and_non_seekable_streams(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "upload.csv"
    path.write_bytes("Клиент;Сумма\nА;1\n".encode())
    assert read_all_path(path) == [("А", "1")]

    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    assert read_all(Pipe("Клиент;Сумма\nА;1\n".encode()).read())[2] == [("А", "1")]
    with open_table(Pipe("Клиент;Сумма\nБ;2\n".encode())) as table:  # type: ignore[arg-type]
        assert [c.frame.rows() for c in table.chunks()] == [[("Б", "2")]]
    with (
        pytest.raises(ExchangeError),
        open_table(
            Pipe(b"a;b\n1;2\n"),
            limits=Limits(max_bytes=3),  # type: ignore[arg-type]
        ),
    ):
        pass
    assert list_sheets(path) == []
    with pytest.raises(ExchangeError) as caught, open_table(path.parent / "missing.csv"):
        pass
    assert str(caught.value) == "не удалось открыть файл"
    stream = io.BytesIO("Клиент;Сумма\nА;1\n".encode())
    stream.seek(5)  # a stream is read from its start
    with open_table(stream) as table:
        assert table.headers == ("Клиент", "Сумма")


def read_all_path(path: object) -> list[tuple]:
    with open_table(path) as table:  # type: ignore[arg-type]
        return [v for c in table.chunks() for v in c.frame.rows()]


def test_excel_sep_line_is_not_the_header() -> None:
    headers, rows, values = read_all('sep=,\nКлиент,Сумма\nА,"1,5"\n'.encode())
    assert (headers, rows, values) == (("Клиент", "Сумма"), [3], [("А", "1,5")])


cells = st.text(alphabet="аб;,\"\r\n x='", max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=12), st.integers(8, 64))
def test_any_block_size_reads_the_same_records_from_the_same_lines(
    records: list[tuple[str, str, str]], block: int
) -> None:
    buffer = io.BytesIO()
    write_csv(buffer, ["Клиент", "Дата", "Сумма"], records)
    data = buffer.getvalue()
    expected = read_all(data, header_row=1, delimiter=";")
    with (
        mock.patch.object(csv_reader, "PARSE_BLOCK", block),
        mock.patch.object(csv_reader, "READ_BLOCK", block // 2 + 1),
        mock.patch.object(csv_reader, "MAX_PENDING", block * 4),
    ):
        assert read_all(data, header_row=1, delimiter=";") == expected
    # each record starts on the line after the previous record's last line
    text = data.decode("utf-8-sig")
    starts = [1]
    for record in [("Клиент", "Дата", "Сумма"), *records]:
        starts.append(starts[-1] + sum(c.count("\n") for c in record) + 1)
    kept = [i for i, r in enumerate(records) if any(r)]
    assert expected[1] == [starts[i + 1] for i in kept]
    assert text.count("\n") == starts[-1] - 1
