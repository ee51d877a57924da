"""Translation catalogues: compile (.po -> .mo, no system gettext needed) and check.

    python scripts/i18n.py compile   # run by `make run` and `make test`
    python scripts/i18n.py check     # fails on any untranslated or fuzzy entry, in ru or en

Update the catalogues after changing strings (needs GNU gettext's xgettext):
    cd src/clientfocus && django-admin makemessages -l ru -l en --no-obsolete \
        --ignore='*/tests/*' --ignore='core/testing/*'
then translate the new entries in both django.po files (ru: the msgid itself, and its three
plural forms; en: the English text).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "clientfocus" / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def problems(path: Path) -> list[str]:
    po = polib.pofile(str(path))
    out = []
    if po.metadata_is_fuzzy:
        out.append(f"{path}: the header is marked fuzzy (its Plural-Forms would be ignored)")
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            out.append(f"{path}:{entry.linenum}: fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                out.append(f"{path}:{entry.linenum}: untranslated plural: {entry.msgid!r}")
        elif not entry.msgstr:
            out.append(f"{path}:{entry.linenum}: untranslated: {entry.msgid!r}")
    return out


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "check":
        found = [p for path in catalogues() for p in problems(path)]
        print("\n".join(found) if found else f"{len(catalogues())} catalogues, every entry translated")
        return 1 if found else 0
    if command == "compile":
        for path in catalogues():
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
