"""One item ahead in a second thread: the generator of the next item (generating a demo chunk,
reading and validating an import block) runs while the caller handles the current one. numpy,
polars and the database drivers release the GIL, so the two overlap on the machine's cores."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

_T = TypeVar("_T")
_DONE = object()


def prefetched(items: Iterable[_T], *, name: str = "cf-prefetch") -> Iterator[_T]:
    """The items of `items`, in order, each taken from the iterable in a second thread while
    the caller handles the one before (at most one waiting: memory stays at about two items).
    An exception in that thread is raised here, in order. Leaving the loop early stops the
    thread before this generator returns, so the items' source can be closed after it."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ahead.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(_DONE)
        except BaseException as exc:  # handed over to the consumer, raised there
            ahead.put(exc)

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        worker.join()
