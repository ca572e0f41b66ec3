"""What a SessionStore does with its connections beyond opening them: a connection of its own
for one long job, the connections of ended threads closed, memory given back after a big job.

Worker threads come from pools (Textual's thread workers run in the event loop's executor) or come
and go (a sync's own executor); each opens a connection on its first read, with a 16 MiB page
cache. Mixed into ``SessionStore`` (store.py), which opens them (``_open``, ``_conn``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

from mluvii_tui.heap import trim_heap


class ConnectionsMixin:
    """Needs ``_lock``, ``_conns``, ``_owners``, ``_local``, ``_memory`` and ``_open()`` of
    SessionStore."""

    _lock: threading.RLock
    _conns: list[sqlite3.Connection]
    _owners: dict[sqlite3.Connection, threading.Thread]
    _local: Any
    _memory: bool
    _open: Callable[[], sqlite3.Connection]

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (each worker thread that read
        opened one; its page cache would stay allocated for the life of the store)."""
        with self._lock:
            ended = [c for c, t in self._owners.items() if not t.is_alive()]
            for conn in ended:
                del self._owners[conn]
                self._drop(conn)

    def _drop(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    def release_memory(self) -> None:
        """After a big job (an export, a sync), from its thread: the connections of ended
        threads closed, this thread's page cache emptied, and the freed heap given back to the
        OS (``heap.trim_heap``): the console does not keep the job's peak."""
        self._close_orphans()
        conn = None if self._memory else getattr(self._local, "conn", None)
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA shrink_memory")
        trim_heap()

    @contextlib.contextmanager
    def job_connection(self, cache_kib: int) -> Iterator[None]:
        """For one long job on this thread (an export): its reads go to a connection of their
        own with a page cache of ``cache_kib`` KiB, closed at the end, so that its cache (and
        this thread's usual one) is not kept allocated after the job."""
        if self._memory:
            yield
            return
        saved = getattr(self._local, "conn", None)
        conn = self._open()
        conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        self._local.conn = conn
        try:
            yield
        finally:
            self._local.conn = saved
            self._drop(conn)
