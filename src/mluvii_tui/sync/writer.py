"""The sync's writing process: parsing and writing on both cores.

The sync process (sync/child.py) fetches and parses the pages and builds each session's record
and content hash (the writing process is the busier of the two); ``ProcessWriter`` sends the
records as plain tuples (marshal: ~half of pickle's CPU on either side for these tuples of str,
int, float, bytes and None) to ``python -m mluvii_tui.sync.writer FD``, which writes them with a
store of its own (content hashes compared, search index, compression, one transaction per page)
while the next page is parsed. Answers come back in order: the page's ``UpsertResult`` as a
tuple, or ``("failed", kind, line)`` (then the writer stops). The store's path, page cache size
and search languages are the first message; ``("ready",)`` says the store is open.
"""

from __future__ import annotations

import asyncio
import contextlib
import marshal
import signal
import socket
import sqlite3
import subprocess
import sys
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from mluvii_tui.heap import bound_heap, reuse_large_blocks
from mluvii_tui.store.ingest import Kept, PreparedBatch, record_from_tuple, record_tuple
from mluvii_tui.store.upsert import UpsertResult
from mluvii_tui.sync import quiet_gc
from mluvii_tui.sync.pages import ParsedPage
from mluvii_tui.sync.process import SyncFailed


class ProcessWriter:
    """``sync/pages.Writer`` over a process of its own; ``start()`` before the first page."""

    builds = True  # records are built on this side (the writer only writes)

    def __init__(self, store_path: str, cache_kib: int | None, languages: tuple[str, ...]) -> None:
        self.store_path = store_path
        self.cache_kib = cache_kib
        self.languages = languages  # the search analysis's (before the store opens there)
        self._waiting: deque[asyncio.Future[UpsertResult]] = deque()
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mluvii-send")
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._ready: asyncio.Future[None] | None = None

    async def start(self) -> None:
        ours, theirs = socket.socketpair()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "mluvii_tui.sync.writer", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        theirs.close()
        self._conn = Connection(ours.detach())
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        self._conn.send_bytes(marshal.dumps((self.store_path, self.cache_kib, self.languages)))
        loop.add_reader(self._conn.fileno(), self._readable)
        await self._ready

    def _readable(self) -> None:
        assert self._conn is not None and self._ready is not None
        try:
            while self._conn.poll():
                self._answer(self._conn.recv())
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self._conn.fileno())
            code = None if self._proc is None else self._proc.poll()
            self._answer(("failed", "crash", f"the writing process stopped (exit {code})"))

    def _answer(self, message: tuple[Any, ...]) -> None:
        assert self._ready is not None
        if message[0] == "ready":
            self._ready.set_result(None)
            return
        failed = None
        if message[0] == "failed":
            failed = SyncFailed(message[1], message[2])
            if not self._ready.done():
                self._ready.set_exception(failed)
        while self._waiting:
            waiting = self._waiting.popleft()
            if waiting.done():
                continue
            if failed is None:
                waiting.set_result(UpsertResult(*message[1:]))
                return
            waiting.set_exception(failed)

    def submit(self, parsed: ParsedPage) -> asyncio.Future[UpsertResult]:
        assert self._conn is not None
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[UpsertResult] = loop.create_future()
        self._waiting.append(answer)
        records = [record_tuple(k.item) for k in parsed.batch.kept]  # type: ignore[arg-type]
        message = marshal.dumps(("write", parsed.page, parsed.batch.problems, records))
        sent = loop.run_in_executor(self._sender, self._conn.send_bytes, message)
        sent.add_done_callback(_retrieved)  # a failed send: the writer has gone (EOF says so)
        return answer

    async def close(self) -> None:
        """Let the writer finish what it was sent and stop; reap it."""
        if self._conn is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self._conn.fileno())
            with contextlib.suppress(OSError):
                await asyncio.get_running_loop().run_in_executor(
                    self._sender, self._conn.send_bytes, marshal.dumps(("stop",))
                )
            self._conn.close()
        self._sender.shutdown(wait=False)
        if self._proc is not None:
            proc = self._proc
            try:
                await asyncio.to_thread(proc.wait, 30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _retrieved(done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()


def _write(store: Any, message: tuple[Any, ...]) -> tuple[Any, ...]:
    _, page, problems, records = message
    kept = [Kept(r[0], r[2], r[3], record_from_tuple(r)) for r in records]
    res = store.write_batch(PreparedBatch(kept, problems), page)
    return ("ok", res.inserted, res.updated, res.unchanged, res.skipped, res.problems)


def _failure(exc: BaseException) -> tuple[str, str, str]:
    from mluvii_tui.store.schema import StoreVersionError
    from mluvii_tui.store.store import StoreBusy, StoreDamaged, StoreFullError

    if isinstance(exc, StoreFullError | StoreVersionError | StoreDamaged | StoreBusy):
        return ("failed", "store", str(exc))
    if isinstance(exc, OSError | sqlite3.Error):
        return ("failed", "store", f"the local store: {exc}")
    return ("failed", "crash", f"{type(exc).__name__}: {exc}")


def main(argv: list[str]) -> int:
    from mluvii_tui.query.analysis import configure_languages
    from mluvii_tui.store.store import SessionStore

    bound_heap()  # one arena (heap.py)
    reuse_large_blocks()  # only a headless sync has a writing process: its pages are big
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
    conn = Connection(int(argv[1]))
    try:
        path, cache_kib, languages = marshal.loads(conn.recv_bytes())
        configure_languages(languages)  # first: the store re-indexes in any others
        store = SessionStore(path, cache_kib=cache_kib)
    except EOFError:
        return 1
    except Exception as exc:
        conn.send(_failure(exc))
        return 1
    quiet_gc()
    with store, contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.send(("ready",))
        while True:
            try:
                message = marshal.loads(conn.recv_bytes())
            except EOFError:  # the sync process has gone: what is committed stays
                break
            if message[0] == "stop":
                break
            try:
                conn.send(_write(store, message))
            except Exception as exc:
                conn.send(_failure(exc))
                break
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
