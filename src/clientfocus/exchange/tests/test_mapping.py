from __future__ import annotations

import pytest

from clientfocus.exchange import ColumnMapping, ExchangeError, Kind, auto_map, header_key


def test_header_keys_ignore_case_spaces_punctuation_units_and_brackets() -> None:
    assert header_key("  СУММА, руб. ") == "сумма"
    assert header_key("Сумма (с НДС)") == "сумма"
    assert header_key("Сумма без НДС") == "суммабезндс"
    assert header_key("E-mail") == "email"
    assert header_key("Кол-во, шт.") == "колво"
    assert header_key("Ёлка") == "елка"


def test_russian_1c_sales_headers() -> None:
    headers = ["Покупатель", "ИНН покупателя", "КПП", "Дата документа", "Номер", "№ строки",
               "Номенклатурная группа", "Кол-во", "Цена", "Сумма с НДС", "Сумма без НДС",
               "Валовая прибыль", "Ответственный", "Комментарий"]  # fmt: skip
    mapping = auto_map(headers, Kind.SALES)
    assert dict(mapping.columns) == {
        "company": "Покупатель", "inn": "ИНН покупателя", "kpp": "КПП",
        "date": "Дата документа", "document": "Номер", "line": "№ строки",
        "product": "Номенклатурная группа", "quantity": "Кол-во", "price": "Цена",
        "amount": "Сумма с НДС", "amount_net": "Сумма без НДС", "margin": "Валовая прибыль",
        "manager": "Ответственный",
    }  # fmt: skip
    assert mapping.missing_required() == []


def test_english_headers_and_contested_names() -> None:
    mapping = auto_map(["Customer", "Tax ID", "Invoice date", "Invoice", "Product", "Qty",
                        "Unit price", "Margin", "Sales rep"], Kind.SALES)  # fmt: skip
    assert dict(mapping.columns) == {
        "company": "Customer", "inn": "Tax ID", "date": "Invoice date", "document": "Invoice",
        "product": "Product", "quantity": "Qty", "price": "Unit price", "margin": "Margin",
        "manager": "Sales rep",
    }  # fmt: skip
    assert mapping.missing_required() == []  # amount = quantity × price
    both = auto_map(["Контрагент", "Наименование", "Сумма", "Период"], Kind.SALES)
    assert dict(both.columns) == {
        "company": "Контрагент",
        "date": "Период",
        "product": "Наименование",
        "amount": "Сумма",
    }
    alone = auto_map(["Наименование", "Номенклатура", "Дата", "Сумма"], Kind.SALES)
    assert alone.columns["company"] == "Наименование"


def test_companies_contacts_activities() -> None:
    companies = auto_map(["Наименование", "ИНН", "КПП", "Отрасль", "Регион", "Город",
                          "Численность", "Телефон", "E-mail", "Контактное лицо", "Должность",
                          "Менеджер"], Kind.COMPANIES)  # fmt: skip
    assert list(companies.columns) == ["name", "inn", "kpp", "industry", "region", "city",
                                       "employees", "manager", "phone", "email", "contact",
                                       "position"]  # fmt: skip
    contacts = auto_map(["ФИО", "Должность", "Компания", "Email"], Kind.CONTACTS)
    assert dict(contacts.columns) == {"name": "ФИО", "company": "Компания",
                                      "position": "Должность", "email": "Email"}  # fmt: skip
    activities = auto_map(["Дата", "Тип", "Клиент", "Результат"], Kind.ACTIVITIES)
    assert dict(activities.columns) == {"company": "Клиент", "date": "Дата", "kind": "Тип",
                                        "note": "Результат"}  # fmt: skip


def test_overrides_serialisation_and_checks() -> None:
    mapping = auto_map(["Клиент", "Дата", "Итог", "Сумма"], Kind.SALES)
    changed = mapping.with_column("amount", "Итог")
    assert changed.columns["amount"] == "Итог"
    assert "Сумма" not in changed.columns.values()
    data = changed.to_dict()
    assert data == {"version": 1, "kind": "sales",
                    "columns": {"company": "Клиент", "date": "Дата", "amount": "Итог"}}  # fmt: skip
    assert ColumnMapping.from_dict(data) == changed
    unmapped = changed.with_column("amount", None).with_column("company", None)
    assert unmapped.missing_required() == ["amount", "company"]
    with pytest.raises(ExchangeError) as caught:
        unmapped.check(["Клиент", "Дата", "Итог"])
    assert str(caught.value) == "не сопоставлены обязательные поля: Сумма, Клиент"
    with pytest.raises(ExchangeError) as caught:
        changed.check(["Клиент", "Дата"])
    assert str(caught.value) == "в файле нет колонки «Итог»"
    for bad in [{"version": 2}, {"version": 1, "kind": "x", "columns": {}},
                {"version": 1, "kind": "sales", "columns": {"nope": "A"}},
                {"version": 1, "kind": "sales", "columns": {"amount": 5}}]:  # fmt: skip
        with pytest.raises(ExchangeError) as caught:
            ColumnMapping.from_dict(bad)
        assert caught.value.code == "mapping_invalid"
