"""Waiting on conditions in Pilot tests of the live console (never on a fixed sleep): the box
may be loaded, so a step waits for the state it needs, with a generous deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mluvii_tui.widgets.session_table import SessionTable

#: Worker groups whose work changes the store or the table.
BUSY = frozenset({"sync", "live", "live-apply", "live-session", "session-table"})


async def until(pilot: Any, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run until ``predicate()`` holds, then let the screen render what it saw."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)
    await pilot.pause()


def settled(app: Any) -> bool:
    """Nothing on its way: no sync, no live batch waiting or applying, the table's query in."""
    if any(w.group in BUSY and w.is_running for w in app.workers):
        return False
    live, tables = app.live, app.screen.query(SessionTable)
    return not live.pending and not live._applying and not any(t.updating for t in tables)
