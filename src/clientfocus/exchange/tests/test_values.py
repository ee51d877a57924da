from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from clientfocus.exchange import (
    MESSAGES,
    Position,
    RowError,
    ValueProblem,
    message,
    parse_activity_kind,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_email,
    parse_inn,
    parse_int,
    parse_kpp,
    parse_money,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", Decimal("1234")),
        ("1 234,56", Decimal("1234.56")),
        ("1\u00a0234,56", Decimal("1234.56")),
        ("1\u202f234\u2009567,5", Decimal("1234567.5")),
        ("1,234", Decimal("1.234")),  # one comma is a decimal comma (Russian files first)
        ("1,234,567", Decimal("1234567")),
        ("1.234.567", Decimal("1234567")),
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        (",5", Decimal("0.5")),
        ("1 234,56 ₽", Decimal("1234.56")),
        ("1 234,56 руб.", Decimal("1234.56")),
        ("1 234,56 р.", Decimal("1234.56")),
        ("RUB 10", Decimal("10")),
        ("$1,234.56", Decimal("1234.56")),
        ("12 €", Decimal("12")),
        ("(1 234,56)", Decimal("-1234.56")),
        ("(5) руб.", Decimal("-5")),
        ("1 000,50-", Decimal("-1000.50")),
        ("-10 руб.", Decimal("-10")),
        ("−3,5", Decimal("-3.5")),
        ("+7", Decimal("7")),
        ("1e+20", Decimal("1E+20")),
    ],
)
def test_numbers(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("сто", "number_invalid"),
        ("1р2", "number_invalid"),
        ("(-5)", "number_invalid"),
        ("-5-", "number_invalid"),
        ("1,2,3.4,5", "number_invalid"),
        ("-", "number_invalid"),
        ("1" * 41, "number_too_large"),
    ],
)
def test_bad_numbers(text: str, code: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_decimal(text)
    assert caught.value.code == code


def test_money_is_exact_kopecks_rounded_half_away_from_zero() -> None:
    assert parse_money("1 234,565") == 123457
    assert parse_money("-1 234,565") == -123457
    assert parse_money("0,004") == 0
    assert parse_money("(0,005)") == -1
    assert parse_money("12 345 678,9 руб.") == 1234567890
    with pytest.raises(ValueProblem) as caught:
        parse_money("10 000 000 000 000")
    assert caught.value.code == "number_too_large"
    assert parse_quantity("1,2345") == Decimal("1.235")
    assert parse_int("1 200") == 1200
    assert parse_int("12.0") == 12
    for text, code in [("12,5", "integer_invalid"), ("-3", "negative")]:
        with pytest.raises(ValueProblem) as caught:
            parse_int(text)
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.12.2025", date(2025, 12, 31)),
        ("31.12.25", date(2025, 12, 31)),
        ("01.01.68", date(2068, 1, 1)),
        ("01.01.69", date(1969, 1, 1)),
        ("2025-12-31", date(2025, 12, 31)),
        ("31/12/2025", date(2025, 12, 31)),
        ("1.2.2025", date(2025, 2, 1)),
        ("20251231", date(2025, 12, 31)),
        ("45657", date(2024, 12, 31)),
        ("45657.75", date(2024, 12, 31)),
        ("61", date(1900, 3, 1)),
        ("59", date(1900, 2, 28)),
        ("12.2025", date(2025, 12, 1)),
        ("Декабрь 2025", date(2025, 12, 1)),
        ("март 2024 г.", date(2024, 3, 1)),
        ("5 мая 2025", date(2025, 5, 5)),
        ("Dec 2025", date(2025, 12, 1)),
        ("31.12.2025 0:00:00", date(2025, 12, 31)),
        ("31.12.2025 г.", date(2025, 12, 31)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_datetimes_keep_their_time() -> None:
    assert parse_datetime("2025-12-31T14:30") == datetime(2025, 12, 31, 14, 30)
    assert parse_datetime("31.12.2025 14:30:15,5") == datetime(2025, 12, 31, 14, 30, 15, 500000)
    assert parse_datetime("45657.75") == datetime(2024, 12, 31, 18, 0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31.02.2025", "date_nonexistent"),
        ("32.01.2025", "date_nonexistent"),
        ("60", "date_nonexistent"),  # Excel's 29.02.1900
        ("вчера", "date_invalid"),
        ("31.12.2025 25:00", "date_invalid"),
        ("Мартобря 2025", "date_invalid"),
        ("01.01.1899", "date_out_of_range"),
        ("0", "date_out_of_range"),
        ("2958465", "date_out_of_range"),
    ],
)
def test_bad_dates(text: str, code: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date(text)
    assert caught.value.code == code


def test_identifiers() -> None:
    assert parse_inn(" 7707-083-893 ") == "7707083893"
    assert parse_inn("500100732259") == "500100732259"
    for text, code in [
        ("7707083894", "inn_bad_checksum"),
        ("77-01", "inn_wrong_length"),
        ("77070838AB", "inn_not_digits"),
    ]:
        with pytest.raises(ValueProblem) as caught:
            parse_inn(text)
        assert caught.value.code == code
    assert parse_kpp("773601001") == "773601001"
    assert parse_kpp("7736ab001") == "7736AB001"
    with pytest.raises(ValueProblem) as caught:
        parse_kpp("77360100")
    assert caught.value.code == "kpp_invalid"
    assert parse_email(" ivanova@romashka.ru ") == "ivanova@romashka.ru"
    with pytest.raises(ValueProblem):
        parse_email("ivanova@romashka")
    assert parse_activity_kind("Звонок") == "call"
    assert parse_activity_kind("e-mail") == "email"
    with pytest.raises(ValueProblem) as caught:
        parse_activity_kind("телепатия")
    assert caught.value.code == "activity_kind_unknown"


def test_messages_are_constant_bilingual_and_inn_texts_come_from_inn_py() -> None:
    assert all(ru and en for ru, en in MESSAGES.values())
    assert message("inn_wrong_length") == "нужно 10 или 12 цифр"
    assert message("inn_wrong_length", "en") == "10 or 12 digits are needed"
    assert message("inn_bad_checksum") == "не сходится контрольное число"
    assert message("date_in_future") == "дата в будущем"
    assert message("number_invalid", "en") == "not a number"
    error = RowError(Position(17), "ИНН", "77-01", "inn_wrong_length")
    assert error.message == "нужно 10 или 12 цифр"
    assert error.text() == 'строка 17, колонка ИНН: нужно 10 или 12 цифр, получено "77-01"'
    assert error.text("en") == 'line 17, column ИНН: 10 or 12 digits are needed, got "77-01"'
    missing = RowError(Position(7, "Продажи"), "Дата", "", "required")
    assert missing.text() == "лист «Продажи», строка 7, колонка Дата: обязательное поле не заполнено"
