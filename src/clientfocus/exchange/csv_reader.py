"""CSV/TSV reader: encoding and delimiter detection, header search, streamed polars chunks.

Encoding: a BOM decides (UTF-8, UTF-16); otherwise the first non-ASCII bytes are tried as
strict UTF-8, then as Windows-1251 (the 1C default); an all-ASCII file is UTF-8. A byte
that later breaks the chosen encoding stops the import with the line number.

Speed and memory: the file is transcoded to UTF-8 in blocks of a few MiB; each block is cut
at a line end outside quotes (an even number of `"` before it) and parsed by polars as
strings. When polars' record count equals the block's physical line count, record i starts
on line first + i; otherwise (a quoted field with line breaks, a stray quote) the block is
parsed again by Python's csv module, which is the authority on odd files and reports each
record's first physical line. Memory is bounded by the block size, not the file size.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from typing import BinaryIO, Final

import polars as pl

from clientfocus.exchange.errors import ExchangeError, Position
from clientfocus.exchange.safety import Limits
from clientfocus.exchange.table import (
    Chunk,
    blank_mask,
    find_header_row,
    tidy_frame,
    unique_headers,
)

READ_BLOCK: Final = 4 * 2**20  # raw bytes per read
PARSE_BLOCK: Final = 8 * 2**20  # UTF-8 bytes handed to polars at once
MAX_PENDING: Final = 64 * 2**20  # a block with no safe cut this long goes to the csv module
SAMPLE_BYTES: Final = 256 * 2**10
SAMPLE_RECORDS: Final = 60
DELIMITERS: Final = (";", "\t", ",", "|")  # preference order when the evidence ties
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_LABELS: Final = {"utf-8": "UTF-8", "cp1251": "Windows-1251", "utf-16": "UTF-16"}


def detect_encoding(stream: BinaryIO) -> tuple[str, int]:
    """(codec, bytes to skip): BOM → UTF-8 strict → Windows-1251; binary data is refused."""
    stream.seek(0)
    head = stream.read(READ_BLOCK)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    if _CONTROL.search(head[:SAMPLE_BYTES]):
        raise ExchangeError("file_not_table")
    block = head
    while block:
        found = _NON_ASCII.search(block)
        if found:
            window = block[found.start() : found.start() + SAMPLE_BYTES]
            try:
                codecs.getincrementaldecoder("utf-8")().decode(window, final=False)
            except UnicodeDecodeError:
                pass
            else:
                return "utf-8", 0
            try:
                window.decode("cp1251")
            except UnicodeDecodeError as exc:
                raise ExchangeError("encoding_unknown") from exc
            return "cp1251", 0
        block = stream.read(READ_BLOCK)
    return "utf-8", 0


def _lines(text: str) -> Iterator[str]:
    """Lines ended by LF only: a CR inside a quoted field is data, and line numbers count LFs
    exactly as the polars path does (io.StringIO would also split at a bare CR)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _records(text: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """(physical line where the record starts, fields) by the csv module."""
    reader = csv.reader(_lines(text), delimiter=delimiter, quotechar='"')
    consumed = 0
    try:
        for fields in reader:
            yield first_line + consumed, fields
            consumed = reader.line_num
    except csv.Error as exc:
        raise ExchangeError("csv_broken", line=first_line + consumed) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most sample records into the same number (≥ 2) of fields;
    ties go to more fields, then to the order ; tab , |. A one-column file gets ';'."""
    best: tuple[int, int, int] = (0, 0, 0)
    choice = ";"
    for rank, delimiter in enumerate(DELIMITERS):
        counts: dict[int, int] = {}
        try:
            for _line, fields in _records(text, delimiter, 1):
                if len(fields) > 1:
                    counts[len(fields)] = counts.get(len(fields), 0) + 1
        except ExchangeError:
            continue
        if not counts:
            continue
        width, freq = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = (freq, width, -rank)
        if score > best:
            best, choice = score, delimiter
    return choice


class CsvReader:
    """A delimited text table. Open it with `open_table`; iterate `chunks()`."""

    format = "csv"

    def __init__(
        self,
        stream: BinaryIO,
        limits: Limits,
        *,
        header_row: int | None = None,
        delimiter: str | None = None,
        encoding: str | None = None,
    ) -> None:
        self._stream = stream
        if encoding is None:
            self.encoding, self._skip = detect_encoding(stream)
        else:
            self.encoding = codecs.lookup(encoding).name
            self._skip = 3 if self.encoding == "utf-8" and _has_utf8_bom(stream) else 0
        sample, complete = self._sample()
        # Classic Mac OS line ends (CR only): read every CR as a line end.
        self._cr_lines = "\r" in sample and "\n" not in sample
        if self._cr_lines:
            sample = sample.replace("\r", "\n")
        self.delimiter = delimiter or sniff_delimiter(sample)
        records = list(_records(sample, self.delimiter, 1))
        if not complete and records:
            records.pop()  # the sample may end inside the last record
        records = records[: max(SAMPLE_RECORDS, (header_row or 0) + 1)]
        if header_row is None:
            index = find_header_row([fields for _line, fields in records])
        else:
            starts = [line for line, _fields in records]
            if header_row not in starts:
                raise ExchangeError("header_not_found")
            index = starts.index(header_row)
        cells = list(records[index][1])
        while cells and not cells[-1].strip():
            cells.pop()  # a trailing delimiter is not a column
        if not cells:
            raise ExchangeError("header_not_found")
        if len(cells) > limits.max_columns:
            raise ExchangeError("too_many_columns", limit=limits.max_columns)
        from clientfocus.exchange.writers import unescape_text

        self.headers = tuple(unique_headers([unescape_text(c) for c in cells]))
        self.header_position = Position(records[index][0])
        if index + 1 < len(records):
            self._data_line = records[index + 1][0]
        else:  # nothing after the header in the sample: count the header's own line breaks
            self._data_line = records[index][0] + 1 + sum(f.count("\n") for f in cells)

    def _decoded(self) -> Iterator[bytes]:
        """The file after its BOM as UTF-8 blocks; strict: a bad byte stops the import."""
        self._stream.seek(self._skip)
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        carry = b""  # UTF-8 bytes of a character split between two reads
        lines = 1
        while True:
            raw = self._stream.read(READ_BLOCK)
            try:
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                line = lines + raw[: max(exc.start, 0)].count(b"\n")
                label = _LABELS.get(self.encoding, self.encoding)
                raise ExchangeError("encoding_broken", line=line, encoding=label) from exc
            lines += raw.count(b"\n")
            if self.encoding == "utf-8":
                data = carry + raw
                held = len(decoder.getstate()[0])
                carry = data[len(data) - held :] if held else b""
                out = data[: len(data) - held]
            else:
                out = text.encode("utf-8")
            if self._cr_lines:
                out = out.replace(b"\r", b"\n")
            if out:
                yield out
            if not raw:
                return

    def _sample(self) -> tuple[str, bool]:
        self._stream.seek(self._skip)
        raw = self._stream.read(SAMPLE_BYTES)
        complete = len(raw) < SAMPLE_BYTES
        try:
            text = codecs.getincrementaldecoder(self.encoding)().decode(raw, final=complete)
        except UnicodeDecodeError as exc:
            label = _LABELS.get(self.encoding, self.encoding)
            line = raw[: max(exc.start, 0)].count(b"\n") + 1
            raise ExchangeError("encoding_broken", line=line, encoding=label) from exc
        if "\x00" in text:
            raise ExchangeError("file_not_table")
        return text, complete

    def chunks(self, chunk_rows: int = 50_000) -> Iterator[Chunk]:
        """Records after the header, `chunk_rows` at most per chunk, blank records skipped."""
        for frame, rows in self._blocks():
            frame = tidy_frame(frame)
            keep = ~blank_mask(frame)
            if not keep.all():
                frame, rows = frame.filter(keep), rows.filter(keep)
            for start in range(0, frame.height, chunk_rows):
                yield Chunk(frame.slice(start, chunk_rows), rows.slice(start, chunk_rows))

    def _data(self) -> Iterator[bytes]:
        """UTF-8 blocks from the first line after the header."""
        skip = self._data_line - 1
        for piece in self._decoded():
            if skip:
                cut = _nth_newline_end(piece, skip)
                if cut is None:
                    skip -= piece.count(b"\n")
                    continue
                piece, skip = piece[cut:], 0
            if piece:
                yield piece

    def _blocks(self) -> Iterator[tuple[pl.DataFrame, pl.Series]]:
        pending = bytearray()
        line = self._data_line
        source = self._data()
        eof = False
        while True:
            while not eof and len(pending) < PARSE_BLOCK:
                piece = next(source, None)
                if piece is None:
                    eof = True
                else:
                    pending += piece
            if not pending:
                return
            cut = len(pending) if eof else _safe_cut(pending)
            if cut == 0 and len(pending) >= MAX_PENDING:
                # No line end after an even number of quotes in 64 MiB: a stray quote inside
                # an unquoted field upsets the count. The csv module, which reads such a
                # quote literally, finds the record ends instead.
                cut = self._csv_cut(pending)
            if cut == 0:
                piece = next(source, None)
                if piece is None:
                    eof = True
                else:
                    pending += piece
                continue
            block = bytes(pending[:cut])
            del pending[:cut]
            yield self._parse(block, line)
            line += block.count(b"\n")

    def _csv_cut(self, pending: bytearray) -> int:
        """The end of the last record that surely ends inside `pending` (by the csv module),
        or 0 when the buffer holds less than two records."""
        ends: list[int] = []  # lines consumed after each record
        reader = csv.reader(_lines(pending.decode("utf-8")), delimiter=self.delimiter)
        try:
            for _fields in reader:
                ends.append(reader.line_num)
        except csv.Error:
            pass
        if len(ends) < 2:  # the last record may go on past the buffer
            return 0
        return _nth_newline_end(bytes(pending), ends[-2]) or 0

    def _parse(self, block: bytes, line: int) -> tuple[pl.DataFrame, pl.Series]:
        schema = dict.fromkeys(self.headers, pl.String)
        physical = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        try:
            frame = pl.read_csv(
                block,
                separator=self.delimiter,
                has_header=False,
                schema=schema,
                quote_char='"',
                truncate_ragged_lines=True,
                raise_if_empty=False,
            )
        except pl.exceptions.PolarsError:
            frame = None
        if frame is not None and frame.height == physical:
            return frame, pl.int_range(line, line + physical, eager=True, dtype=pl.Int64)
        return self._parse_slowly(block, line)

    def _parse_slowly(self, block: bytes, line: int) -> tuple[pl.DataFrame, pl.Series]:
        width = len(self.headers)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        starts: list[int] = []
        for start, fields in _records(block.decode("utf-8"), self.delimiter, line):
            starts.append(start)
            fields = fields[:width] + [""] * (width - len(fields))
            for column, value in zip(columns, fields, strict=True):
                column.append(value)
        frame = pl.DataFrame(
            {h: pl.Series(h, c, dtype=pl.String) for h, c in zip(self.headers, columns, strict=True)}
        )
        return frame, pl.Series(starts, dtype=pl.Int64)

    def close(self) -> None:
        """Nothing to release: the stream belongs to whoever opened it."""


def _has_utf8_bom(stream: BinaryIO) -> bool:
    stream.seek(0)
    return stream.read(3) == codecs.BOM_UTF8


def _nth_newline_end(data: bytes, n: int) -> int | None:
    pos = -1
    for _ in range(n):
        pos = data.find(b"\n", pos + 1)
        if pos < 0:
            return None
    return pos + 1


def _safe_cut(data: bytearray) -> int:
    """The end of the last line in `data` that is outside quotes, or 0 when there is none."""
    cut = data.rfind(b"\n") + 1
    quotes = data.count(b'"', 0, cut)
    while cut > 0 and quotes % 2:
        previous = data.rfind(b"\n", 0, cut - 1) + 1
        quotes -= data.count(b'"', previous, cut)
        cut = previous
    return cut
