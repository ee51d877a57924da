"""Russian taxpayer numbers (ИНН) and the checksum that tells a real one from a typo.

Framework-free: the importer, the domain models and the demo generator all use it.
The weights are the Federal Tax Service's (order of the Ministry of Taxes No. БГ-3-12/178):
10 digits for an organisation, 12 digits for a person or sole trader.
"""

from __future__ import annotations

import re

_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_W11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.]+")

INN_WRONG_LENGTH = "нужно 10 или 12 цифр"
INN_NOT_DIGITS = "ИНН состоит только из цифр"
INN_BAD_CHECKSUM = "не сходится контрольное число"


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_problem(value: str) -> str | None:
    """Why `value` (already normalised) is not a valid ИНН, or None when it is."""
    if not value.isdigit():
        return INN_NOT_DIGITS
    if len(value) == 10:
        return None if _check_digit(value, _W10) == int(value[9]) else INN_BAD_CHECKSUM
    if len(value) == 12:
        ok = _check_digit(value, _W11) == int(value[10]) and _check_digit(value, _W12) == int(value[11])
        return None if ok else INN_BAD_CHECKSUM
    return INN_WRONG_LENGTH


def normalize_inn(raw: str) -> str:
    """The same ИНН written differently is one ИНН: drop spaces, dashes and dots."""
    return _SEPARATORS.sub("", raw.strip())


def is_valid_inn(value: str) -> bool:
    return inn_problem(normalize_inn(value)) is None


def complete_inn(prefix: str) -> str:
    """Append the check digit(s) to a 9- or 10-digit prefix (used by the demo generator)."""
    if len(prefix) == 9 and prefix.isdigit():
        return prefix + str(_check_digit(prefix, _W10))
    if len(prefix) == 10 and prefix.isdigit():
        with11 = prefix + str(_check_digit(prefix, _W11))
        return with11 + str(_check_digit(with11, _W12))
    raise ValueError("prefix must have 9 (organisation) or 10 (person) digits")
