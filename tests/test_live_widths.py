"""Live updates never make the table jump: reading the same query again (a pushed change) only
grows column widths, and only the lines whose rows changed are painted again. The real app
(Pilot) on a real SQLite store; no relay needed (the change is written as a live batch would)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from live_support import until
from mluvii_tui.api.models import parse_session
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _with_operator(data: dict[str, Any], first: str, last: str) -> Any:
    changed = copy.deepcopy(data)
    changed["operators"][0]["firstName"], changed["operators"][0]["lastName"] = first, last
    return parse_session(changed)


async def test_a_live_reload_only_grows_widths_and_marks_the_changed_cell(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "store.sqlite")
    data = generate_sessions(300, seed=5, now=NOW)
    store.upsert_sessions([parse_session(d) for d in data])
    live = next(d for d in data if d.get("ended") is None and d.get("operators"))
    app = MluviiApp(store, None, profile="live-widths", now=lambda: NOW)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await until(pilot, lambda: bool(app.screen.query(SessionTable)))
            table = app.screen.query_one(SessionTable)
            table.live_marks = app.live.marks
            await pilot.press("v")
            await until(pilot, lambda: table.query.view == "live" and not table.updating)
            col = [c.id for c in table.columns].index("operators")
            width = table._widths[col]
            long_name = ("Maximiliána", "Procházková-Dvořáková")
            store.upsert_sessions([_with_operator(live, *long_name)])
            table.reload()
            await until(pilot, lambda: not table.updating)
            grown = table._widths[col]
            assert grown > width  # the longer name fits
            assert "operators" in app.live.marks.changed.get(live["id"], {})  # marked
            store.upsert_sessions([_with_operator(live, "Jo", "Li")])
            table.reload()
            await until(pilot, lambda: not table.updating)
            assert table._widths[col] == grown  # a shorter one does not shrink the column
            await pilot.press("v")  # another view and back: widths fit again
            await until(pilot, lambda: table.query.view == "history" and not table.updating)
            await pilot.press("v")
            await until(pilot, lambda: table.query.view == "live" and not table.updating)
            assert table._widths[col] < grown
    finally:
        store.close()
