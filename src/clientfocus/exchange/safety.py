"""Limits checked before a byte is parsed, and the one way a caller's file becomes a stream.

A source is a filesystem path chosen by the caller (never derived from an uploaded file
name) or an open binary stream (an upload). The size limit is checked before parsing; an
XLSX archive's declared unpacked size and compression ratio are checked before it is opened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

from clientfocus.exchange.errors import ExchangeError

Source = str | os.PathLike[str] | BinaryIO

MiB: Final = 2**20


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds for one file; the web wizard passes smaller ones than the CLI."""

    max_bytes: int = 512 * MiB
    max_unpacked_bytes: int = 2048 * MiB
    max_compression_ratio: float = 100.0
    max_columns: int = 500


DEFAULT_LIMITS: Final = Limits()
_RATIO_FLOOR: Final = MiB  # tiny members compress absurdly well and are harmless


@contextlib.contextmanager
def open_source(source: Source, limits: Limits) -> Iterator[BinaryIO]:
    """A seekable binary stream at offset 0 whose size is within `limits.max_bytes`.

    Paths are opened here and closed on exit; a caller's stream is left open. A stream that
    cannot seek (a pipe) is spooled to a temporary file, reading at most max_bytes + 1 bytes.
    """
    if isinstance(source, (str, os.PathLike)):
        try:
            handle = open(source, "rb")  # noqa: SIM115 - closed below, after the checks
        except OSError as exc:
            raise ExchangeError("file_unreadable") from exc
        with handle:
            _check_size(os.fstat(handle.fileno()).st_size, limits)
            yield handle
        return
    if source.seekable():  # a stream is read from its start, whatever its position
        size = source.seek(0, os.SEEK_END)
        source.seek(0)
        _check_size(size, limits)
        yield source
        return
    with tempfile.SpooledTemporaryFile(max_size=16 * MiB) as spool:
        shutil.copyfileobj(_Capped(source, limits.max_bytes + 1), spool)
        _check_size(spool.tell(), limits)
        spool.seek(0)
        yield spool  # type: ignore[misc]


class _Capped:
    """Reads at most `cap` bytes from a stream (so a never-ending upload cannot fill a disk)."""

    def __init__(self, stream: BinaryIO, cap: int) -> None:
        self._stream, self._left = stream, cap

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(n)
        self._left -= len(data)
        return data


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise ExchangeError("file_too_large", limit=limits.max_bytes)
    if size == 0:
        raise ExchangeError("file_empty")


def check_xlsx_archive(stream: BinaryIO, limits: Limits) -> None:
    """Refuse a zip bomb before any XML is inflated: declared sizes and ratios only."""
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExchangeError("xlsx_broken") from exc
    finally:
        stream.seek(start)
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        raise ExchangeError("xlsx_too_large_unpacked", limit=limits.max_unpacked_bytes)
    packed = sum(m.compress_size for m in members)
    for member in members:
        if member.file_size > _RATIO_FLOOR and (
            member.file_size > limits.max_compression_ratio * max(member.compress_size, 1)
        ):
            raise ExchangeError("xlsx_compression_ratio")
    if total > _RATIO_FLOOR and total > limits.max_compression_ratio * max(packed, 1):
        raise ExchangeError("xlsx_compression_ratio")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise ExchangeError("xlsx_broken")
