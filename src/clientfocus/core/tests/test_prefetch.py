"""core/prefetch.py: items in order, the producer's error raised after the items before it,
and an early exit stops the producer before the generator returns."""

from __future__ import annotations

import threading

import pytest

from clientfocus.core.prefetch import prefetched


def test_items_come_in_order_from_another_thread():
    seen: list[str] = []

    def items():
        for i in range(5):
            seen.append(threading.current_thread().name)
            yield i

    assert list(prefetched(items(), name="cf-test")) == [0, 1, 2, 3, 4]
    assert set(seen) == {"cf-test"}


def test_an_error_comes_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("bad block")

    got = []
    with pytest.raises(ValueError, match="bad block"):
        for item in prefetched(items()):
            got.append(item)
    assert got == [1, 2]


def test_leaving_early_stops_the_producer():
    taken: list[int] = []

    def items():
        for i in range(1000):
            taken.append(i)
            yield i

    for item in prefetched(items()):
        if item == 2:
            break
    done = len(taken)
    assert done <= 5  # the one handled, one waiting, one being made
    assert not [t for t in threading.enumerate() if t.name == "cf-prefetch"]
    assert len(taken) == done
