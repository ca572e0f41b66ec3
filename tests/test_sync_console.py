"""The console during a history sync: the sync runs in a process of its own (sync/process.py),
so keys answer while it runs, its committed pages show, and leaving the console stops it."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import httpx

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.screens.column_chooser import ColumnChooser
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _children(pid: int, module: bytes) -> list[int]:
    """Running children of ``pid`` that run ``python -m <module>``."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            if module in Path(f"/proc/{kid}/cmdline").read_bytes() and _running(int(kid)):
                found.append(int(kid))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _sync_children() -> list[int]:
    """Processes this one started that run the sync (python -m mluvii_tui.sync.child)."""
    return _children(os.getpid(), b"mluvii_tui.sync.child")


def _status(app: MluviiApp) -> str:
    return str(app.screen.query_one("#status-line").render())


async def test_keys_answer_while_the_sync_process_runs_and_quitting_stops_it(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    with Simulator(sessions=3000, seed=5, now=NOW) as sim:
        # every page of the session list comes late: the sync is still running when keys come
        slow = {"path": "/api/v1/Sessions", "method": "GET", "status": 200, "delay": 0.25}
        httpx.post(sim.base_url + "/_sim/faults", json={**slow, "times": 1000}).raise_for_status()
        client = MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret")
        app = MluviiApp(store, client, profile="t-sync-keys", now=lambda: NOW, sync_days=30)
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one(SessionTable)
            for _ in range(2000):  # until committed pages show (bounded turns, no timing)
                await pilot.pause(0.02)
                if table.row_count >= 3 and "syncing… " in _status(app):
                    break
            assert table.row_count >= 3, _status(app)
            children = _sync_children()
            assert len(children) == 1  # the sync is its own process, and it is running
            # which writes itself: the console's sync is one process (`mluvii-tui sync` has
            # a writing process too), so the console and its sync stay small
            assert _children(children[0], b"mluvii_tui.sync.writer") == []
            await pilot.press("c")  # the column chooser opens during the sync
            await pilot.pause()
            assert isinstance(app.screen, ColumnChooser)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen.query_one(SessionTable) is table
            await pilot.press("l")  # and the column cursor moves
            await pilot.pause()
            assert table.focused_column_id == [c.id for c in table.columns][1]
            assert "syncing… " in _status(app)
            assert store.total() < 3000  # still syncing: not everything is there yet
            await app.action_quit()
        for _ in range(500):  # the child stops by itself when told (or when the pipe closes)
            if not _sync_children():
                break
            await asyncio.sleep(0.02)
        assert not _sync_children()
    store.close()


async def test_the_detail_pane_reads_what_the_sync_process_wrote(tmp_path: Path) -> None:
    """The sync's writing process trains the kept JSON's dictionary after the console opened
    the store; the detail pane still reads the synced sessions (it said "not in the local
    store" for every one of them)."""
    store = SessionStore(tmp_path / "s.sqlite3")
    with Simulator(sessions=1500, seed=5, now=NOW) as sim:
        client = MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret")
        app = MluviiApp(store, client, profile="t-sync-detail", now=lambda: NOW, sync_days=30)
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one(SessionTable)
            for _ in range(3000):  # until the sync has ended (bounded turns, no timing)
                await pilot.pause(0.02)
                if table.row_count > 600 and "syncing" not in _status(app):
                    break
            assert table.row_count > 600, _status(app)
            await pilot.press("enter")
            title = ""
            for _ in range(500):  # the pane reads the session in a worker
                await pilot.pause(0.02)
                title = str(app.screen.query_one("#detail-title").render())
                if title.startswith("Session ") and "selected" not in title:
                    break
            assert title.startswith(f"Session {table.current_session_id}"), title
            assert "not in the local store" not in title
    store.close()
