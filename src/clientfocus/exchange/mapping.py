"""Which file column feeds which field: target fields per entity kind, ru/en header synonyms,
automatic mapping, and a mapping object the Django side saves by name (`to_dict`/`from_dict`).

Headers are compared after `header_key`: lower case, ё→е, text in brackets dropped, unit words
(руб, шт, ₽ …) dropped, then every non-letter/non-digit removed; so "Сумма, руб." and
"СУММА (с НДС)" both reach the synonyms of their field, while "Сумма без НДС" stays distinct.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from clientfocus.exchange.errors import ExchangeError


class Kind(StrEnum):
    """What a file holds; each kind has its own target fields."""

    COMPANIES = "companies"
    CONTACTS = "contacts"
    SALES = "sales"
    ACTIVITIES = "activities"


class FieldType(StrEnum):
    TEXT = "text"
    INN = "inn"
    KPP = "kpp"
    DATE = "date"
    MONEY = "money"  # integer kopecks (Int64)
    QUANTITY = "quantity"  # Decimal with 3 places
    INT = "int"  # non-negative whole number
    EMAIL = "email"
    ACTIVITY_KIND = "activity_kind"  # call / visit / meeting / email


@dataclass(frozen=True, slots=True)
class TargetField:
    name: str
    type: FieldType
    label_ru: str
    label_en: str
    synonyms: tuple[str, ...]  # best first; earlier synonyms win a contested header
    required: bool = False


def _f(name: str, type_: FieldType, ru: str, en: str, syn: str, *, required: bool = False) -> TargetField:
    return TargetField(name, type_, ru, en, tuple(s.strip() for s in syn.split("|")), required)


T = FieldType
_COMPANY_NAME_SYN = (
    "Контрагент|Клиент|Покупатель|Заказчик|Наименование контрагента|Наименование клиента|"
    "Наименование покупателя|Организация|Компания|Название компании|Название организации|"
    "client|customer|company|buyer|account|client name|customer name|company name|"
    "counterparty|Наименование|Название|name"
)
_INN_SYN = "ИНН|ИНН контрагента|ИНН клиента|ИНН покупателя|ИНН организации|inn|tax id|taxid|tin"
_COMMON = {
    "kpp": _f("kpp", T.KPP, "КПП", "KPP", "КПП|КПП контрагента|КПП клиента|kpp"),
    "manager": _f(
        "manager", T.TEXT, "Менеджер", "Manager",
        "Менеджер|Ответственный|Ответственный менеджер|Менеджер по продажам|Продавец|"
        "Торговый агент|Торговый представитель|manager|account manager|sales manager|"
        "sales rep|salesperson|seller|owner|responsible",
    ),
    "phone": _f("phone", T.TEXT, "Телефон", "Phone",
                "Телефон|Тел|Телефоны|Мобильный|Мобильный телефон|phone|telephone|tel|mobile"),
    "email": _f("email", T.EMAIL, "E-mail", "E-mail",
                "E-mail|Email|Эл почта|Электронная почта|Адрес электронной почты|Почта|"
                "e-mail address|email address|mail"),
}  # fmt: skip

FIELDS: Final[dict[Kind, tuple[TargetField, ...]]] = {
    Kind.COMPANIES: (
        _f("name", T.TEXT, "Наименование", "Name",
           "Наименование|Название|Полное наименование|Краткое наименование|" + _COMPANY_NAME_SYN,
           required=True),
        _f("inn", T.INN, "ИНН", "INN", _INN_SYN),
        _COMMON["kpp"],
        _f("industry", T.TEXT, "Отрасль", "Industry",
           "Отрасль|Сфера деятельности|Вид деятельности|Сфера|industry|sector|business"),
        _f("region", T.TEXT, "Регион", "Region", "Регион|Область|Субъект РФ|region|state"),
        _f("city", T.TEXT, "Город", "City", "Город|Населенный пункт|city|town"),
        _f("employees", T.INT, "Сотрудников", "Employees",
           "Сотрудников|Численность|Численность сотрудников|Количество сотрудников|"
           "Число сотрудников|Штат|Персонал|employees|headcount|staff|number of employees"),
        _COMMON["manager"], _COMMON["phone"], _COMMON["email"],
        _f("contact", T.TEXT, "Контактное лицо", "Contact person",
           "Контактное лицо|Контакт|Представитель|contact|contact person|contact name"),
        _f("position", T.TEXT, "Должность", "Position",
           "Должность|Должность контакта|position|job title|title"),
    ),
    Kind.CONTACTS: (
        _f("name", T.TEXT, "ФИО", "Full name",
           "Контактное лицо|ФИО|Имя|Представитель|Контакт|Сотрудник|contact|contact name|"
           "contact person|full name|person|name", required=True),
        _f("company", T.TEXT, "Компания", "Company", _COMPANY_NAME_SYN),
        _f("inn", T.INN, "ИНН", "INN", _INN_SYN),
        _f("position", T.TEXT, "Должность", "Position",
           "Должность|position|job title|title|role"),
        _COMMON["phone"], _COMMON["email"], _COMMON["manager"],
    ),
    Kind.SALES: (
        _f("company", T.TEXT, "Клиент", "Client", _COMPANY_NAME_SYN),
        _f("inn", T.INN, "ИНН", "INN", _INN_SYN),
        _COMMON["kpp"],
        _f("date", T.DATE, "Дата", "Date",
           "Дата|Дата документа|Дата продажи|Дата отгрузки|Дата реализации|Дата счета|Период|"
           "date|document date|invoice date|sale date|order date|period", required=True),
        _f("document", T.TEXT, "Документ", "Document",
           "Номер документа|Документ|Номер|Номер счета|Счет|Счет-фактура|Накладная|Реализация|"
           "invoice|invoice number|invoice no|document|document number|doc|number|order"),
        _f("line", T.INT, "Номер строки", "Line",
           "Номер строки|№ строки|N строки|Строка|Номер позиции|line|line number|line no|item no"),
        _f("product", T.TEXT, "Номенклатура", "Product",
           "Номенклатура|Номенклатурная группа|Товар|Товарная группа|Группа товаров|Продукт|"
           "Продукция|Услуга|product|product group|item|sku|goods|Наименование|name"),
        _f("quantity", T.QUANTITY, "Количество", "Quantity",
           "Количество|Кол-во|Кол|quantity|qty|units"),
        _f("price", T.MONEY, "Цена", "Price", "Цена|Цена за единицу|price|unit price"),
        _f("amount", T.MONEY, "Сумма", "Amount",
           "Сумма|Сумма с НДС|Сумма продажи|Стоимость|Выручка|Итого|Всего|amount|total|sum|"
           "revenue|sales|gross amount|amount incl vat", required=True),
        _f("amount_net", T.MONEY, "Сумма без НДС", "Amount excl. VAT",
           "Сумма без НДС|Выручка без НДС|net amount|amount excl vat|amount without vat"),
        _f("margin", T.MONEY, "Маржа", "Margin",
           "Маржа|Валовая прибыль|Прибыль|Маржинальный доход|Валовый доход|margin|gross profit|"
           "profit|gross margin"),
        _COMMON["manager"],
    ),
    Kind.ACTIVITIES: (
        _f("company", T.TEXT, "Клиент", "Client", _COMPANY_NAME_SYN),
        _f("inn", T.INN, "ИНН", "INN", _INN_SYN),
        _f("date", T.DATE, "Дата", "Date",
           "Дата|Дата касания|Дата контакта|Дата события|date|activity date", required=True),
        _f("kind", T.ACTIVITY_KIND, "Вид", "Kind",
           "Вид|Тип|Вид касания|Тип касания|Вид контакта|Канал|Тип события|kind|type|"
           "activity type|channel", required=True),
        _f("contact", T.TEXT, "Контактное лицо", "Contact",
           "Контактное лицо|Контакт|Представитель|contact|contact person"),
        _COMMON["manager"],
        _f("note", T.TEXT, "Комментарий", "Note",
           "Комментарий|Примечание|Результат|Описание|Содержание|Тема|note|comment|result|"
           "description|subject|notes"),
    ),
}  # fmt: skip

# A record must name its company one way or the other (INN preferred, else the name).
ONE_OF: Final[dict[Kind, tuple[tuple[str, ...], ...]]] = {
    Kind.COMPANIES: (),
    Kind.CONTACTS: (("company", "inn"),),
    Kind.SALES: (("company", "inn"),),
    Kind.ACTIVITIES: (("company", "inn"),),
}

_BRACKETS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_WORDS = re.compile(r"[^\W_]+")
_UNITS: Final = frozenset({"руб", "рублей", "rub", "rur", "р", "шт", "ед", "usd", "eur", "в"})


def header_key(header: str) -> str:
    """'Сумма, руб.' -> 'сумма'; 'E-mail' -> 'email'; 'Кол-во' -> 'колво'."""
    text = _BRACKETS.sub(" ", header.lower().replace("ё", "е"))
    words = _WORDS.findall(text)
    kept = [w for w in words if w not in _UNITS] or words
    return "".join(kept)


_SYNONYM_INDEX: dict[Kind, dict[str, list[tuple[int, str]]]] = {}
for _kind, _fields in FIELDS.items():
    _index: dict[str, list[tuple[int, str]]] = {}
    for _field in _fields:
        for _rank, _syn in enumerate(_field.synonyms):
            _index.setdefault(header_key(_syn), []).append((_rank, _field.name))
    _SYNONYM_INDEX[_kind] = _index
ALL_SYNONYM_KEYS: Final = frozenset(k for index in _SYNONYM_INDEX.values() for k in index)


def fields_of(kind: Kind) -> dict[str, TargetField]:
    return {f.name: f for f in FIELDS[kind]}


@dataclass(frozen=True)
class ColumnMapping:
    """field name -> file header. Frozen; `with_column` returns a changed copy.

    Serialised as {"version": 1, "kind": "sales", "columns": {"amount": "Сумма", ...}}.
    """

    kind: Kind
    columns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = fields_of(self.kind)
        for name in self.columns:
            if name not in known:
                raise ExchangeError("mapping_invalid")

    def with_column(self, field_name: str, header: str | None) -> ColumnMapping:
        """Map `field_name` to `header` (or unmap it with None); a header feeds one field."""
        columns = {f: h for f, h in self.columns.items() if f != field_name and h != header}
        if header is not None:
            columns[field_name] = header
        return ColumnMapping(self.kind, columns)

    def missing_required(self) -> list[str]:
        """Required fields with no column, in field order. Sales amount may be derived from
        quantity × price; a company reference may be its name or its ИНН."""
        missing = []
        for f in FIELDS[self.kind]:
            if not f.required or f.name in self.columns:
                continue
            if f.name == "amount" and {"quantity", "price"} <= self.columns.keys():
                continue
            missing.append(f.name)
        for group in ONE_OF[self.kind]:
            if not any(name in self.columns for name in group):
                missing.append(group[0])
        return missing

    def check(self, headers: Iterable[str]) -> None:
        """Raise ExchangeError when a mapped header is absent or a required field unmapped."""
        present = set(headers)
        for header in self.columns.values():
            if header not in present:
                raise ExchangeError("mapping_unknown_header", header=header)
        missing = self.missing_required()
        if missing:
            labels = fields_of(self.kind)
            raise ExchangeError("mapping_missing", fields=", ".join(labels[m].label_ru for m in missing))

    def to_dict(self) -> dict[str, object]:
        return {"version": 1, "kind": self.kind.value, "columns": dict(self.columns)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ColumnMapping:
        kind, columns = data.get("kind"), data.get("columns")
        if data.get("version") != 1 or not isinstance(columns, dict) or kind not in set(Kind):
            raise ExchangeError("mapping_invalid")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
            raise ExchangeError("mapping_invalid")
        return cls(Kind(str(kind)), dict(columns))


def auto_map(headers: Iterable[str], kind: Kind) -> ColumnMapping:
    """Match headers to fields by synonym. Contests go to the better synonym, then to the
    leftmost column: with "Контрагент" and "Наименование" in a sales file the first is the
    client and the second the product; with only "Наименование" it is the client."""
    index = _SYNONYM_INDEX[kind]
    candidates: list[tuple[int, int, str, str]] = []
    for position, header in enumerate(headers):
        key = header_key(header)
        for rank, name in index.get(key, ()) if key else ():
            candidates.append((rank, position, name, header))
    candidates.sort()
    columns: dict[str, str] = {}
    used: set[str] = set()
    for _rank, _pos, name, header in candidates:
        if name in columns or header in used:
            continue
        columns[name] = header
        used.add(header)
    order = {f.name: i for i, f in enumerate(FIELDS[kind])}
    return ColumnMapping(kind, dict(sorted(columns.items(), key=lambda kv: order[kv[0]])))


def header_score(cells: Iterable[str | None]) -> int:
    """How many cells look like a known column header (any kind): finds the header row."""
    return sum(1 for c in cells if c and header_key(c) in ALL_SYNONYM_KEYS)
