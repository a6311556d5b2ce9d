"""Files read in a worker process with a time and a memory limit, so a hostile file costs one skip, not the run.

A PDF bomb, a 2,000-page scan or a decoder that loops is ended when its time is up or its memory runs out;
the worker is then started again for the next file. The worker is spawned (not forked): it imports only the
readers, never the embedder or the chat model of the process that asked.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from collections.abc import Callable, Iterator

from assistant.core.records import Document
from assistant.ingest.skips import Skip, Skipped, UnreadableFile


def _serve(conn, memory_mb: int) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from assistant.ingest.formats import on_page
    from assistant.ingest.readers import read_document

    on_page(lambda page, pages: conn.send(("page", page, pages)))
    conn.send("ready")  # the imports are done: a file's time starts after this
    while True:
        try:
            source = conn.recv()
        except EOFError:
            return
        try:
            out: Document | Skipped = read_document(source)
        except UnreadableFile as e:
            out = Skipped(source, str(e), e.code)
        except MemoryError:
            out = Skipped(source, f"needs more than {memory_mb} MB of memory to read", Skip.TOO_LARGE)
        except Exception as e:  # noqa: BLE001 - any reader failure is this file's, not the run's
            out = Skipped(source, f"could not be read ({type(e).__name__})", Skip.DAMAGED)
        try:
            conn.send(out)
        except MemoryError:
            conn.send(Skipped(source, f"needs more than {memory_mb} MB of memory to read", Skip.TOO_LARGE))


class IsolatedReader:
    """Reads one file at a time in a worker process; `read_all` has the shape of readers.read_all."""

    def __init__(self, time_limit: float = 1200.0, memory_mb: int = 4096,
                 on_page: Callable[[str, int, int], None] | None = None):
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.on_page = on_page  # told (source, page, pages) as a scan's pages are read
        self._proc = None
        self._conn = None

    def _start(self) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self.memory_mb), daemon=True, name="assistant-reader")
        self._proc.start()
        child.close()
        if not self._conn.poll(120) or self._conn.recv() != "ready":
            self._stop()
            raise RuntimeError("the reader process did not start")

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def read(self, source: str) -> Document | Skipped:
        if self._proc is None or not self._proc.is_alive():
            self._start()
        self._conn.send(source)
        deadline = time.monotonic() + self.time_limit
        while True:
            if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                self._stop()
                return Skipped(source, f"reading took longer than {self.time_limit:.0f} s (a huge scan or a broken "
                                       "file): split it, or raise file_time_limit", Skip.TIMEOUT)
            try:
                out = self._conn.recv()
            except (EOFError, OSError):  # the worker died: out of memory in a native decoder, or a crash
                self._stop()
                return Skipped(source, f"the reader crashed or ran out of its {self.memory_mb} MB", Skip.CRASHED)
            if isinstance(out, tuple) and out[:1] == ("page",):
                if self.on_page is not None:
                    self.on_page(source, out[1], out[2])
                continue
            return out

    def read_all(self, sources: list[str]) -> Iterator[Document | Skipped]:
        try:
            for source in sources:
                yield self.read(source)
        finally:
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        if self._proc is not None:
            self._proc.join(2)
            if self._proc.is_alive():
                self._proc.kill()
        self._proc = self._conn = None


def read_here(sources: list[str], on_page: Callable[[str, int, int], None] | None = None
              ) -> Iterator[Document | Skipped]:
    """readers.read_all in this process (no limits: file_time_limit = 0), telling `on_page` of each scanned page."""
    from assistant.ingest.formats import on_page as hook
    from assistant.ingest.readers import read_all

    try:
        for source in sources:
            hook(None if on_page is None else lambda page, pages, source=source: on_page(source, page, pages))
            yield from read_all([source])
    finally:
        hook(None)
