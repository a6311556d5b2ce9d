"""Read ahead: files are read (in the reader process) while the embedder works on the ones before."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def prefetch(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Yield what `items` yields, produced in a thread up to `depth` items ahead of the consumer.

    An error in the producer is raised in the consumer; a consumer that stops early (an error,
    Ctrl-C, a break) stops the producer and closes `items`, so a reader process is ended too.
    list(prefetch(iter([1, 2, 3]))) -> [1, 2, 3]
    """
    ahead: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    break
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, raised there
            put((_END, e))
            return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        put((_END, None))

    worker = threading.Thread(target=produce, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = ahead.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        worker.join(timeout=2)  # a file being read finishes in the background; its process then ends
