"""Messy files made by the tests (no binary fixtures in the repository)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

# ИНН with valid check digits (the cast's companies have factory ИНН; these are new ones).
INN_ROMASHKA = "7707083893"
INN_VECTOR = "500100732259"
INN_LUTIK = "7736207543"

HEADER_1C = "Контрагент;ИНН;Дата;Номер;Строка;Номенклатура;Количество;Цена;Сумма;Маржа;Менеджер"


def sales_csv(lines: list[str], *, title: bool = True) -> bytes:
    """A 1C-style cp1251 `;` report with Russian headers under a title row."""
    head = ["Отчёт о продажах за 2025 год;;;;;;;;;;", ";;;;;;;;;;"] if title else []
    return ("\r\n".join([*head, HEADER_1C, *lines]) + "\r\n").encode("cp1251")


GOOD_SALES = [
    f'"ООО ""Ромашка""";{INN_ROMASHKA};15.01.2025;СЧ-1;1;Бумага;2;1 500,00;3 000,00;600,00;',
    f'"ООО ""Ромашка""";{INN_ROMASHKA};15.01.2025;СЧ-1;2;Картон;1;500;500,00;100;',
    "ООО Ромашка;7707 083 893;20.02.2025;СЧ-2;1;Бумага;1;1000;1 000,00;;",
    f"ИП Вектор;{INN_VECTOR};21.02.2025;СЧ-3;1;Бумага;;;(250,00);-50;",  # a return
]
# Physical lines: 2 title rows, header on line 3, data from line 4.
BAD_SALES = [
    "ООО Ромашка;7707083894;21.01.2025;СЧ-5;1;Бумага;1;100;100;;",  # bad checksum
    f"ООО Ромашка;{INN_ROMASHKA};32.01.2025;СЧ-6;1;Бумага;1;100;100;;",  # no such date
    f"ООО Ромашка;{INN_ROMASHKA};01.01.2030;СЧ-8;1;Бумага;1;100;100;;",  # future
    f"ООО Ромашка;{INN_ROMASHKA};22.01.2025;СЧ-9;1;Бумага;1;100;сто;;",  # not a number
    f"ООО Неизвестная;{INN_LUTIK};22.01.2025;СЧ-10;1;Бумага;1;100;100;;",  # unknown client
]


def companies_xlsx(rows: list[list[object]]) -> bytes:
    """An XLSX with a merged title row above the header."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Клиенты"
    sheet.append(["Список клиентов на 01.01.2025"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["Наименование", "ИНН", "Отрасль", "Регион", "Сотрудников", "Менеджер"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TODAY = date(2025, 6, 30)
