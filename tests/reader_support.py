"""A slow query started on a table reader in a thread of its own, for the cancellation tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.reader import Cancelled, TableReader
from mluvii_tui.store.store import SessionStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

#: A quick filter on "e" over two columns: long enough at the test sizes to be caught running.
SLOW = SessionQuery(view="all", quick="e", quick_columns=("client_name", "url"))


def start_slow_load(
    reader: TableReader, *, finish: bool = False
) -> tuple[int, threading.Thread, list[object]]:
    """Starts loading ``SLOW`` (and its count with ``finish``) in a thread, returns once the
    thread runs: its ticket, the thread, and what it got (the result or "cancelled")."""
    ticket = reader.newer()
    outcome: list[object] = []
    started = threading.Event()

    def run() -> None:
        started.set()
        try:
            loaded = reader.load(ticket, SLOW, None, 128)
            outcome.append(reader.finish(ticket, loaded, None, 128) if finish else loaded)
        except Cancelled:
            outcome.append("cancelled")

    worker = threading.Thread(target=run)
    worker.start()
    started.wait()
    return ticket, worker, outcome


def generated_store(factory: Any, name: str, sessions: int = 3000) -> Path:
    """A store file of ``sessions`` generated sessions (seed 5, at ``NOW``) in a temporary
    directory of ``factory`` (pytest's ``tmp_path_factory``)."""
    path = factory.mktemp(name) / "s.sqlite3"
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(sessions, seed=5, now=NOW))
    store.close()
    return path


async def settle(app: Any, pilot: Any) -> None:
    """Lets the app's workers finish and the screen render what they found."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
