"""Messy files made by the tests themselves (no binary fixtures in the repository)."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook

NBSP = "\u00a0"

# A 1C-style sales report: two title rows and a blank one above the header, `;` between
# fields, Windows-1251, CRLF, a quoted name with a line break, every kind of bad row.
# Physical line numbers are in the comments: the errors must name exactly these lines.
MESSY_SALES_LINES = [
    "Отчёт о продажах за 2025 год;;;;;;;;",  # 1
    'Организация: ООО "Вектор";;;;;;;;',  # 2
    ";;;;;;;;",  # 3
    "Контрагент;ИНН;Дата;Номер документа;Номенклатура;Количество;Цена;Сумма;Менеджер",  # 4
    f'"ООО ""Ромашка""";7707083893;31.12.2024;СЧ-1;Бумага;2;1{NBSP}500,00;3 000,00;Иванова',
    '"ООО ""Лютик""\r\nфилиал";500100732259;15.01.25;СЧ-2;Картон;1,5;0,03;;Петров',  # 6-7
    f'ИП Сидоров;7707083893;2025-01-20;СЧ-3;Бумага;;;"(1{NBSP}234,56)";Иванова',  # 8
    "ООО Ромашка;7707 083 893;20/01/2025;СЧ-4;;;;1 000,50-;",  # 9
    "ООО Ромашка;7707083894;21.01.2025;СЧ-5;Бумага;1;100;100;",  # 10 bad checksum
    "ООО Ромашка;7707083893;32.01.2025;СЧ-6;Бумага;1;100;100;",  # 11 no such date
    "ООО Ромашка;7707083893;вчера;СЧ-7;Бумага;1;100;100;",  # 12 not a date
    "ООО Ромашка;7707083893;01.01.2030;СЧ-8;Бумага;1;100;100;",  # 13 future
    "ООО Ромашка;7707083893;22.01.2025;СЧ-9;Бумага;1;100;сто;",  # 14 not a number
    ";;22.01.2025;СЧ-10;Бумага;1;100;100;",  # 15 no client at all
    "ООО Ромашка;7707083893;;СЧ-11;Бумага;1;100;100;",  # 16 no date
    "ООО Ромашка;77-01;23.01.2025;СЧ-12;Бумага;1;100;100;",  # 17 short ИНН
    "",  # 18 blank
    'ООО Ромашка;7707083893;45658;СЧ-13;Бумага;;;"12 345 678,9 руб.";Иванова',  # 19
    "ООО Ромашка;7707083893;24.01.2025 14:30:00;СЧ-14;Бумага;3;;;",  # 20 no amount
    "ООО Ромашка;7707083893;25.01.2025;СЧ-15;Бумага;abc;100;;",  # 21 bad quantity
]
MESSY_TODAY = date(2025, 6, 30)


def messy_sales_csv() -> bytes:
    return ("\r\n".join(MESSY_SALES_LINES) + "\r\n").encode("cp1251")


def xlsx_two_sheets() -> bytes:
    """Sheet 1 "Сводка" (a small summary); sheet 2 "Продажи": merged title rows above the
    header in row 4, typed numbers and dates, one bad amount and one neutralised formula."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Сводка"
    summary.append(["Менеджер", "Сумма"])
    summary.append(["Иванова", 100])
    sales = workbook.create_sheet("Продажи")
    sales.append(["Продажи за январь 2025"])
    sales.merge_cells("A1:F1")
    sales.append(["Выгружено из 1С", None, None, "Филиал: Москва"])
    sales.merge_cells("A2:C2")
    sales.append([])
    sales.append(["Покупатель", "ИНН", "Дата документа", "Кол-во", "Цена", "Сумма, руб."])
    sales.append(['ООО "Ромашка"', 7707083893, date(2025, 1, 10), 2, 1500.5, None])  # 5
    sales.append(['\'=HYPERLINK("x")', "500100732259", datetime(2025, 1, 11, 9, 30), 1, 10, 10])
    sales.append(["ИП Сидоров", "7707083893", 45667, None, None, "сто"])  # 7
    sales.append([None, None, None, None, None, None])  # 8 empty
    sales.append(["ООО Лютик", None, "12.01.2025", None, None, -250.25])  # 9
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
