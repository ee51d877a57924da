"""Cell parsers: the one authority on what a number, a date, an ИНН or a КПП looks like.

Each parser takes the text of one non-empty cell and returns a typed value or raises
`ValueProblem(code)`, where `code` keys a constant message in `messages.py`. The bulk
validator (`validate.py`) parses the common shapes with vectorised polars expressions and
sends every other cell here, so the rules below are the rules of the importer.

Rules chosen where files are ambiguous (documented for users in the import guide):

* Numbers. Spaces of any kind (incl. non-breaking U+00A0, narrow U+202F, thin U+2009) are
  thousands separators and are dropped. One comma *or* one dot is the decimal separator, so
  "1,234" is 1.234 (Russian files first). Several commas ("1,234,567") or several dots
  ("1.234.567") are thousands separators; with both, the last one is the decimal separator
  ("1.234,56", "1,234.56"). A currency sign or word (₽ руб. р. RUB RUR $ € EUR USD) may stand
  before or after. Negatives: "-5", "−5", "5-" (1C), "(5)" (accounting).
* Money is exact: Decimal rounded to kopecks half away from zero (ROUND_HALF_UP), returned
  as integer kopecks. Quantities keep 3 decimals (1C's precision), same rounding.
* Dates: 31.12.2025, 31.12.25, 31/12/2025, 2025-12-31, 1.2.2025, 20251231, Excel serial
  numbers (1900 date system: 45657 is 2024-12-31), month periods (12.2025, «Декабрь 2025»,
  "Dec 2025") as the first day of the month, and any of these followed by a time
  ("31.12.2025 0:00:00", "2025-12-31T14:30"). Two-digit years follow POSIX: 00–68 are
  2000–2068, 69–99 are 1969–1999. Day comes before month; there is no American order.
  Years outside 1900–2100 are refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from clientfocus.exchange.inn import inn_problem, normalize_inn
from clientfocus.exchange.messages import INN_CODES


class ValueProblem(ValueError):
    """A cell that cannot be read; `code` keys the constant message."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


# --- numbers -------------------------------------------------------------------------------

MAX_KOPECKS: Final = 10**15  # 10 trillion roubles: beyond it a cell is a typo, not a sale
MAX_QUANTITY: Final = Decimal(10**12)
SPACES_RE: Final = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
CURRENCY: Final = r"(?:₽|руб\.?|р\.?|rub\.?|rur\.?|\$|€|eur|usd)"
_CUR_EDGES = re.compile(rf"^{CURRENCY}+|{CURRENCY}+$", re.IGNORECASE)
_MINUSES = "-−–"  # hyphen-minus, U+2212 minus, en dash (Word and Excel autocorrect)
_PLAIN = re.compile(r"\d+(?:[.,]\d+)?|[.,]\d+")
_EN_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_EU_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_EXPONENT = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d{1,3}")


def _strip_currency(s: str) -> str:
    return _CUR_EDGES.sub("", s)


def parse_decimal(text: str) -> Decimal:
    """'1 234,56 ₽' -> Decimal('1234.56'); '(5)' and '5-' -> Decimal('-5')."""
    s = _strip_currency(SPACES_RE.sub("", text))
    signs = 0  # "(-5)" or "-5-" are refused: one negative marker at most
    if len(s) >= 2 and s[0] == "(" and s[-1] == ")":
        signs, s = 1, _strip_currency(s[1:-1])
    if s[-1:] and s[-1] in _MINUSES:
        signs, s = signs + 1, s[:-1]
    if s[:1] and s[0] in _MINUSES:
        signs, s = signs + 1, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    s = _strip_currency(s)
    if signs > 1:
        raise ValueProblem("number_invalid")
    negative = signs == 1
    if len(s) > 40:
        raise ValueProblem("number_too_large")
    if _PLAIN.fullmatch(s):
        s = s.replace(",", ".")
    elif _EN_THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    elif _EU_THOUSANDS.fullmatch(s):
        s = s.replace(".", "").replace(",", ".")
    elif not _EXPONENT.fullmatch(s):
        raise ValueProblem("number_invalid")
    try:
        value = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above admit only numbers
        raise ValueProblem("number_invalid") from exc
    return -value if negative else value


def parse_money(text: str) -> int:
    """Integer kopecks, rounded half away from zero: '1 234,565' -> 123457."""
    value = parse_decimal(text)
    if abs(value) >= MAX_KOPECKS / 100:
        raise ValueProblem("number_too_large")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_quantity(text: str) -> Decimal:
    """A quantity with at most 3 decimals (1C's precision): '1,2345' -> Decimal('1.235')."""
    value = parse_decimal(text)
    if abs(value) >= MAX_QUANTITY:
        raise ValueProblem("number_too_large")
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def parse_int(text: str, *, allow_negative: bool = False) -> int:
    """A whole number ('1 200' -> 1200; '12.0' from Excel -> 12; '12.5' is refused)."""
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueProblem("integer_invalid")
    if abs(value) >= 10**15:
        raise ValueProblem("number_too_large")
    if value < 0 and not allow_negative:
        raise ValueProblem("negative")
    return int(value)


# --- dates ---------------------------------------------------------------------------------

EXCEL_EPOCH: Final = date(1899, 12, 30)  # 1900 date system, after Lotus's phantom 29.02.1900
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100
_TIME = r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,6}))?)?)?"
_DMY = re.compile(r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2})" + _TIME)
_YMD = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})")
_SERIAL = re.compile(r"(?P<n>\d{1,7})(?:[.,](?P<f>\d+))?")
_MONTH_NUM = re.compile(r"(?P<m>\d{1,2})[./](?P<y>\d{4})")
_MONTH_WORD = re.compile(r"(?:(?P<d>\d{1,2})\s+)?(?P<w>[^\W\d_]+)\.?,?\s+(?P<y>\d{4})")
_YEAR_SUFFIX = re.compile(r"\s*(?:г\.?|года?)$", re.IGNORECASE)
_MONTH_FORMS: Final = (
    ("январь января янв january jan", 1), ("февраль февраля фев февр february feb", 2),
    ("март марта мар march mar", 3), ("апрель апреля апр april apr", 4),
    ("май мая may", 5), ("июнь июня июн june jun", 6), ("июль июля июл july jul", 7),
    ("август августа авг august aug", 8),
    ("сентябрь сентября сен сент september sep sept", 9),
    ("октябрь октября окт october oct", 10), ("ноябрь ноября ноя нояб november nov", 11),
    ("декабрь декабря дек december dec", 12),
)  # fmt: skip
_MONTHS: Final = {word: number for words, number in _MONTH_FORMS for word in words.split()}


def _year(y: str) -> int:
    if len(y) == 2:
        yy = int(y)
        return 2000 + yy if yy <= 68 else 1900 + yy  # POSIX %y, as polars/chrono do
    return int(y)


def _make_date(y: int, m: int, d: int) -> date:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValueProblem("date_out_of_range")
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise ValueProblem("date_nonexistent") from exc


def _make_time(match: re.Match[str]) -> time:
    if match["H"] is None:
        return time(0, 0)
    h, mi, s = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    if h > 23 or mi > 59 or s > 59:
        raise ValueProblem("date_invalid")
    micro = int((match["F"] or "0").ljust(6, "0"))
    return time(h, mi, s, micro)


def _month_of(word: str) -> int | None:
    return _MONTHS.get(word.lower().replace("ё", "е"))


def parse_datetime(text: str) -> datetime:
    """Any accepted date shape, with its time when it has one (midnight otherwise)."""
    s = _YEAR_SUFFIX.sub("", text.strip())
    for pattern in (_DMY, _YMD):
        match = pattern.fullmatch(s)
        if match:
            day = _make_date(_year(match["y"]), int(match["m"]), int(match["d"]))
            return datetime.combine(day, _make_time(match))
    match = _COMPACT.fullmatch(s)
    if match:
        return datetime.combine(_make_date(int(match["y"]), int(match["m"]), int(match["d"])), time(0, 0))
    match = _MONTH_NUM.fullmatch(s)
    if match:
        return datetime.combine(_make_date(int(match["y"]), int(match["m"]), 1), time(0, 0))
    match = _SERIAL.fullmatch(s)
    if match:
        return _from_serial(int(match["n"]), match["f"])
    match = _MONTH_WORD.fullmatch(s)
    if match:
        month = _month_of(match["w"])
        if month is not None:
            day = _make_date(int(match["y"]), month, int(match["d"] or 1))
            return datetime.combine(day, time(0, 0))
    raise ValueProblem("date_invalid")


def _from_serial(days: int, fraction: str | None) -> datetime:
    # Excel shows serial 60 as 29.02.1900, a day that never was; 1..59 sit one day later.
    if days == 60:
        raise ValueProblem("date_nonexistent")
    if days < 1 or days > (date(MAX_YEAR, 12, 31) - EXCEL_EPOCH).days:
        raise ValueProblem("date_out_of_range")
    day = EXCEL_EPOCH + timedelta(days=days if days > 60 else days + 1)
    seconds = round(float("0." + fraction) * 86400) if fraction else 0
    return datetime.combine(day, time(0, 0)) + timedelta(seconds=min(seconds, 86399))


def parse_date(text: str) -> date:
    """The date part of any accepted shape: '31.12.2025 14:30' -> date(2025, 12, 31)."""
    return parse_datetime(text).date()


# --- identifiers ---------------------------------------------------------------------------

_KPP = re.compile(r"\d{4}[\dA-Z]{2}\d{3}")
_EMAIL = re.compile(r"[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]{2,}")


def parse_inn(text: str) -> str:
    """A checked ИНН, normalised by `inn.normalize_inn` ('7707 083 893' -> '7707083893')."""
    value = normalize_inn(text)
    problem = inn_problem(value)
    if problem is not None:
        raise ValueProblem(INN_CODES[problem])
    return value


def parse_kpp(text: str) -> str:
    """A КПП: 9 characters, digits with Latin capitals allowed in positions 5-6 (since 2013)."""
    value = normalize_inn(text).upper()
    if not _KPP.fullmatch(value):
        raise ValueProblem("kpp_invalid")
    return value


def parse_email(text: str) -> str:
    value = text.strip()
    if not _EMAIL.fullmatch(value):
        raise ValueProblem("email_invalid")
    return value


ACTIVITY_KINDS: Final = {
    "звонок": "call", "call": "call", "телефон": "call", "phone": "call",
    "визит": "visit", "visit": "visit", "выезд": "visit",
    "встреча": "meeting", "meeting": "meeting",
    "письмо": "email", "email": "email", "e-mail": "email", "почта": "email", "mail": "email",
}  # fmt: skip


def parse_activity_kind(text: str) -> str:
    """'Звонок' -> 'call'; the codes are call, visit, meeting, email."""
    kind = ACTIVITY_KINDS.get(text.strip().lower().rstrip("."))
    if kind is None:
        raise ValueProblem("activity_kind_unknown")
    return kind
