"""The two kinds of trouble a file can bring: a whole-file problem and a bad cell."""

from __future__ import annotations

from dataclasses import dataclass

from clientfocus.exchange.messages import Lang, message


class ExchangeError(Exception):
    """The file as a whole cannot be read (too large, not a table, no header, bad mapping).

    `code` is stable (tests, API); `params` fill the text; `text(lang)` is what people read.
    """

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(message(code, "ru", **params))

    def text(self, lang: Lang = "ru") -> str:
        return message(self.code, lang, **self.params)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a record starts: the physical file line (CSV) or sheet name + row number (XLSX).

    Both are 1-based, as a person sees them in a text editor or in Excel.
    """

    row: int
    sheet: str | None = None

    def text(self, lang: Lang = "ru") -> str:
        if self.sheet is None:
            return message("label_line", lang, row=self.row)
        return message("label_sheet_row", lang, sheet=self.sheet, row=self.row)

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad cell (or a missing one): where, which column, what was there, and why."""

    position: Position
    column: str
    value: str
    code: str

    @property
    def message(self) -> str:
        return message(self.code, "ru")

    def text(self, lang: Lang = "ru") -> str:
        """«строка 17, колонка ИНН: нужно 10 или 12 цифр, получено "77-01"»."""
        head = f"{self.position.text(lang)}, {message('label_column', lang, column=self.column)}"
        body = message(self.code, lang)
        if self.value == "":
            return f"{head}: {body}"
        return f'{head}: {body}, {message("label_got", lang)} "{self.value}"'
