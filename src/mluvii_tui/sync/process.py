"""The history sync in a process of its own, for the console and ``mluvii-tui sync``.

The parent starts ``python -m mluvii_tui.sync.child`` (a fresh interpreter: nothing of the
console's memory) with one end of a socket pair, sends it the ``SyncJob`` (server, client id,
store path, window) and then the client secret (never argv, a file or a log). The child
opens the store and runs ``sync_history`` (pages fetched ahead, parsed, and written by a
writing process of its own, sync/writer.py, or, for the console's sync, by its own worker
thread: one process less while the user works); the parent
only reads the store (WAL) and gets small messages back: ``("progress", fields)`` after each
page, then ``("done", fields)`` or ``("failed", kind, line)``. Sending ``("stop",)`` (or the
parent going away: the pipe closes) cancels the child's sync: what was committed stays and the
next sync resumes from there. A child that dies without a word gives one line (``SyncFailed``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from mluvii_tui.api.filters import SessionFilter
from mluvii_tui.sync import SYNC_PAGE_SIZE
from mluvii_tui.sync.history import SyncProgress, SyncResult

#: SQLite page cache of the sync child's store connections: writes append, reads are few.
SYNC_CACHE_KIB = 8 * 1024
#: The same for the console's sync (one process, no writing process): it costs no CPU at 100k
#: and keeps the console and its sync under 150 MB PSS (bench/console.py's sync step).
CONSOLE_SYNC_CACHE_KIB = 2 * 1024
#: Sessions per page of the console's sync: its process peaked at 63 MB PSS with pages of 500,
#: 56 with 250 (a 100k sync into a 1M store); the console's sync is not the one to hurry.
CONSOLE_SYNC_PAGE_SIZE = 250
#: Seconds a stopped child gets to finish its transaction before it is terminated.
STOP_WAIT_S = 3.0


@dataclass(frozen=True)
class SyncJob:
    """What a sync child does (everything but the secret, which goes over the pipe)."""

    base_url: str
    client_id: str
    store_path: str
    days: int = 7
    filters: SessionFilter | None = None
    now: datetime | None = None
    page_size: int = SYNC_PAGE_SIZE
    full: bool | None = None
    cache_kib: int | None = SYNC_CACHE_KIB  # SQLite page cache of the child's connections
    #: the pages written by a process of their own (both cores); False: by the sync process's
    #: worker thread (one process less: the console's sync, whose user has the other core)
    writing_process: bool = True
    #: the search languages the store's index is analysed in (``sync_in_child`` fills in the
    #: parent's): the sync's processes analyse in them too, and open the store with them
    languages: tuple[str, ...] = ()


class SyncFailed(Exception):
    """The child's sync failed: ``kind`` is "api" (the server or the connection), "store" (the
    local store: full disk, damage, newer schema) or "crash"; ``line`` is one line for the user."""

    def __init__(self, kind: str, line: str) -> None:
        super().__init__(line)
        self.kind = kind
        self.line = line


def fields(p: SyncProgress, kind: type[SyncProgress] = SyncProgress) -> tuple[Any, ...]:
    """``p`` as the tuple of ``kind``'s fields (what crosses the pipe; ``kind(*it)`` again)."""
    return tuple(getattr(p, f.name) for f in dataclasses.fields(kind))


async def sync_in_child(
    job: SyncJob, secret: str, progress: Callable[[SyncProgress], None] | None = None
) -> SyncResult:
    """Run ``job`` in a child process; ``progress`` hears each page as ``sync_history`` would
    say it. Cancelling this coroutine stops the child (committed pages stay). SyncFailed: the
    child's one line."""
    if not job.languages:
        from mluvii_tui.query.analysis import configured_languages

        job = dataclasses.replace(job, languages=configured_languages())
    ours, theirs = socket.socketpair()
    child = subprocess.Popen(
        [sys.executable, "-m", "mluvii_tui.sync.child", str(theirs.fileno())],
        pass_fds=(theirs.fileno(),),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # the console owns the terminal: the child speaks by messages
    )
    theirs.close()
    conn = Connection(ours.detach())
    inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def readable() -> None:
        try:
            while conn.poll():
                inbox.put_nowait(conn.recv())
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            inbox.put_nowait(("gone",))

    try:
        conn.send(job)
        conn.send(secret)
        loop.add_reader(conn.fileno(), readable)
        while True:
            message = await inbox.get()
            if message[0] == "progress":
                if progress is not None:
                    progress(SyncProgress(*message[1]))
            elif message[0] == "done":  # the child is on its way out: reap it (its CPU counts)
                await asyncio.to_thread(_wait, child, STOP_WAIT_S)
                return SyncResult(*message[1])
            elif message[0] == "failed":
                raise SyncFailed(message[1], message[2])
            else:
                code = await asyncio.to_thread(_wait, child, STOP_WAIT_S)
                raise SyncFailed("crash", f"the sync process stopped unexpectedly (exit {code})")
    except (BrokenPipeError, ConnectionResetError):
        code = await asyncio.to_thread(_wait, child, STOP_WAIT_S)
        raise SyncFailed("crash", f"the sync process could not start (exit {code})") from None
    finally:
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(conn.fileno())
        _stop(child, conn)


def _wait(child: subprocess.Popen[bytes], timeout: float) -> int | None:
    try:
        return child.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def _stop(child: subprocess.Popen[bytes], conn: Connection) -> None:
    """Tell the child to stop (closing the pipe says it too) without waiting here: a thread
    gives it STOP_WAIT_S to finish its transaction, then terminates it, and reaps it."""
    if child.poll() is None:
        with contextlib.suppress(OSError):
            conn.send(("stop",))
    conn.close()
    threading.Thread(target=_reap, args=(child,), name="mluvii-sync-reap", daemon=True).start()


def _reap(child: subprocess.Popen[bytes]) -> None:
    if _wait(child, STOP_WAIT_S) is None:
        child.terminate()
        if _wait(child, 1.0) is None:
            child.kill()
            child.wait()
