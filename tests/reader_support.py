"""A slow query started on a table reader in a thread of its own, for the cancellation tests."""

from __future__ import annotations

import threading

from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.reader import Cancelled, TableReader

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
