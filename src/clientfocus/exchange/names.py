"""The natural key of a company without an ИНН: its name, normalised.

'ООО "Ромашка"', 'ООО «Ромашка»', 'Ромашка, ООО' and 'Общество с ограниченной
ответственностью "Ромашка"' are one company: `company_name_key` gives all of them
'ооо ромашка'. The legal form is kept (canonical abbreviation first), so "ИП Ромашка" and
"ООО Ромашка" stay two companies; case, ё/е, quotes, punctuation and spacing do not count.
"""

from __future__ import annotations

import re
from typing import Final

_FORMS: Final = (
    ("общество с ограниченной ответственностью", "ооо"),
    ("закрытое акционерное общество", "зао"),
    ("открытое акционерное общество", "оао"),
    ("публичное акционерное общество", "пао"),
    ("непубличное акционерное общество", "ао"),
    ("акционерное общество", "ао"),
    ("индивидуальный предприниматель", "ип"),
    ("limited liability company", "llc"),
)
_SHORT: Final = frozenset({"ооо", "зао", "оао", "пао", "ао", "ип", "нко", "ано", "гуп", "муп",
                           "фгуп", "llc", "ltd", "inc", "gmbh"})  # fmt: skip
_WORDS: Final = re.compile(r"[^\W_]+")


def company_name_key(name: str) -> str:
    """A comparison key for a company name (never shown to people)."""
    text = name.lower().replace("ё", "е")
    for long, short in _FORMS:
        text = text.replace(long, f" {short} ")
    words = _WORDS.findall(text)
    forms = [w for w in words if w in _SHORT]
    rest = [w for w in words if w not in _SHORT]
    return " ".join(forms[:1] + rest) if rest else " ".join(words)
