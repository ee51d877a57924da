"""Random bytes never crash a reader: they read as a table or raise a clear ExchangeError."""

from __future__ import annotations

import io
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientfocus.exchange import ExchangeError, Kind, RecordValidator, auto_map, open_table
from clientfocus.exchange.messages import MESSAGES
from clientfocus.exchange.tests.makers import messy_sales_csv


def read_everything(data: bytes) -> None:
    try:
        with open_table(io.BytesIO(data)) as table:
            mapping = auto_map(table.headers, Kind.SALES)
            validator = None
            if not mapping.missing_required():
                validator = RecordValidator(mapping, headers=table.headers, today=date(2025, 1, 1))
            for chunk in table.chunks(7):
                if validator is not None:
                    validator.validate(chunk)
    except ExchangeError as error:
        assert error.code in MESSAGES
        assert error.text("en")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    read_everything(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_that_look_like_a_zip(data: bytes) -> None:
    read_everything(b"PK\x03\x04" + data)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 900), st.binary(min_size=1, max_size=8))
def test_a_damaged_messy_file(position: int, garbage: bytes) -> None:
    original = messy_sales_csv()
    cut = position % len(original)
    read_everything(original[:cut] + garbage + original[cut:])


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=';,|\t"\r\n аб1,.-()₽', max_size=200))
def test_random_delimited_text(text: str) -> None:
    read_everything(("Клиент;Дата;Сумма\n" + text).encode("cp1251", "replace"))
