"""Every text the exchange package shows to a person, keyed by a stable code.

Russian is the default language (the product's users are Russian-speaking); English is the
second. Texts are constants so that tests, the import report and the web wizard all show and
assert the same words. A few file-level texts take named parameters (`{limit}`, `{sheet}`);
row-level texts never do: the row, column and value travel beside the text in `RowError`.
"""

from __future__ import annotations

from typing import Final, Literal

from clientfocus.exchange import inn as _inn

Lang = Literal["ru", "en"]

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # --- file level -------------------------------------------------------------------------
    "file_too_large": (
        "файл больше допустимых {limit} байт",
        "the file is larger than the allowed {limit} bytes",
    ),
    "file_empty": ("файл пуст", "the file is empty"),
    "file_unreadable": ("не удалось открыть файл", "cannot open the file"),
    "file_not_table": (
        "файл не похож на таблицу CSV или XLSX",
        "the file does not look like a CSV or XLSX table",
    ),
    "file_xls_old": (
        "старый формат Excel (.xls) не поддерживается: сохраните файл как .xlsx",
        "the old Excel format (.xls) is not supported: save the file as .xlsx",
    ),
    "encoding_unknown": (
        "не удалось определить кодировку: сохраните файл в UTF-8 или Windows-1251",
        "cannot tell the text encoding: save the file as UTF-8 or Windows-1251",
    ),
    "encoding_broken": (
        "строка {line}: текст не в кодировке {encoding}",
        "line {line}: the text is not in the {encoding} encoding",
    ),
    "csv_broken": (
        "строка {line}: не удалось разобрать CSV (незакрытая кавычка?)",
        "line {line}: cannot parse the CSV (an unclosed quote?)",
    ),
    "xlsx_broken": (
        "файл XLSX повреждён или не является книгой Excel",
        "the XLSX file is damaged or is not an Excel workbook",
    ),
    "xlsx_too_large_unpacked": (
        "распакованный файл XLSX больше допустимых {limit} байт",
        "the unpacked XLSX file is larger than the allowed {limit} bytes",
    ),
    "xlsx_compression_ratio": (
        "файл XLSX сжат подозрительно сильно (возможна «zip-бомба»)",
        "the XLSX file is compressed suspiciously well (a possible zip bomb)",
    ),
    "sheet_not_found": ("в книге нет листа «{sheet}»", "the workbook has no sheet “{sheet}”"),
    "header_not_found": (
        "не найдена строка заголовков таблицы",
        "cannot find the table's header row",
    ),
    "too_many_columns": (
        "в таблице больше {limit} колонок",
        "the table has more than {limit} columns",
    ),
    "mapping_missing": (
        "не сопоставлены обязательные поля: {fields}",
        "required fields are not mapped: {fields}",
    ),
    "mapping_invalid": (
        "сопоставление колонок записано неверно",
        "the column mapping is malformed",
    ),
    "mapping_unknown_header": (
        "в файле нет колонки «{header}»",
        "the file has no column “{header}”",
    ),
    # --- cell level -------------------------------------------------------------------------
    "required": ("обязательное поле не заполнено", "a required value is missing"),
    "number_invalid": ("не число", "not a number"),
    "number_too_large": ("слишком большое число", "the number is too large"),
    "integer_invalid": ("нужно целое число", "a whole number is needed"),
    "negative": ("число не может быть отрицательным", "the number cannot be negative"),
    "date_invalid": ("не дата", "not a date"),
    "date_nonexistent": ("такой даты нет в календаре", "no such date in the calendar"),
    "date_out_of_range": ("дата вне 1900–2100 годов", "the date is outside 1900–2100"),
    "date_in_future": ("дата в будущем", "the date is in the future"),
    "inn_wrong_length": (_inn.INN_WRONG_LENGTH, "10 or 12 digits are needed"),
    "inn_not_digits": (_inn.INN_NOT_DIGITS, "an INN has digits only"),
    "inn_bad_checksum": (_inn.INN_BAD_CHECKSUM, "the check digit does not match"),
    "kpp_invalid": (
        "КПП: нужно 9 символов (цифры, в 5–6-й позициях допустимы латинские буквы)",
        "KPP: 9 characters are needed (digits; Latin letters allowed in positions 5–6)",
    ),
    "email_invalid": ("не адрес электронной почты", "not an e-mail address"),
    "activity_kind_unknown": (
        "неизвестный вид касания (звонок, визит, письмо, встреча)",
        "unknown activity kind (call, visit, e-mail, meeting)",
    ),
    "text_too_long": ("слишком длинный текст", "the text is too long"),
    # --- labels used to compose a row error's full text --------------------------------------
    "label_line": ("строка {row}", "line {row}"),
    "label_sheet_row": ("лист «{sheet}», строка {row}", "sheet “{sheet}”, row {row}"),
    "label_column": ("колонка {column}", "column {column}"),
    "label_got": ("получено", "got"),
}

INN_CODES: Final[dict[str, str]] = {
    _inn.INN_WRONG_LENGTH: "inn_wrong_length",
    _inn.INN_NOT_DIGITS: "inn_not_digits",
    _inn.INN_BAD_CHECKSUM: "inn_bad_checksum",
}


def message(code: str, lang: Lang = "ru", **params: object) -> str:
    """The text for `code` in `lang`; unknown codes are a programming error (KeyError)."""
    ru, en = MESSAGES[code]
    text = en if lang == "en" else ru
    return text.format(**params) if params else text
