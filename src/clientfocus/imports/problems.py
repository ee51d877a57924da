"""The texts of the problems an import reports: the exchange's cell problems (ru/en constants in
`clientfocus.exchange.messages`) and the ones only the database can find (an unknown client, a
manager who is not a user), which are translated by Django."""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clientfocus.exchange import MESSAGES, Position, message

# Problems found against the database (codes stable for tests and the report file).
DB_MESSAGES: Final[dict[str, Any]] = {
    "client_unknown": _("клиент не найден: нет доступной вам компании с таким ИНН или названием"),
    "client_ambiguous": _("несколько компаний с таким названием: укажите ИНН"),
    "company_not_yours": _("компания с этим ИНН уже есть, но вам недоступна"),
    "manager_unknown": _("нет такого менеджера среди пользователей, которых вы можете назначить"),
    "duplicate_line": _("этот документ и номер строки уже встречались выше в файле"),
}


def lang() -> str:
    return "en" if (get_language() or "ru").startswith("en") else "ru"


def problem_reason(code: str, language: str | None = None) -> str:
    language = language or lang()
    if code in MESSAGES:
        return message(code, "en" if language == "en" else "ru")
    return str(DB_MESSAGES.get(code, code))


def problem_where(row: int, sheet: str | None, language: str | None = None) -> str:
    return Position(row, sheet or None).text("en" if (language or lang()) == "en" else "ru")


def problem_text(p: dict[str, Any], language: str | None = None) -> str:
    """«строка 17, колонка ИНН: нужно 10 или 12 цифр, получено "77-01"» for a stored problem."""
    language = language or lang()
    head = problem_where(p["row"], p.get("sheet"), language)
    head += ", " + message("label_column", "en" if language == "en" else "ru", column=p["column"])
    body = problem_reason(p["code"], language)
    if not p.get("value"):
        return f"{head}: {body}"
    return f'{head}: {body}, {message("label_got", "en" if language == "en" else "ru")} "{p["value"]}"'
