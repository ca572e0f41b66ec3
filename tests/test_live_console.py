"""The console following the relay: the real app (Pilot), the embedded simulator posting webhooks
to a real relay on loopback, a real SQLite store. Sessions appear, messages stream into the open
transcript, an ended session stays under the cursor marked "ended" and is in History; pause;
the relay going down; a bad token. Every step waits for the state it needs (a condition with a
generous deadline), never for a fixed time: the box may be loaded."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Static

from live_support import settled, until
from mluvii_tui.api.client import MluviiClient
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.screens.live import LiveOptions
from mluvii_tui.store import schema
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.detail.transcript import TranscriptView
from mluvii_tui.widgets.live_marks import ENDED_TEXT
from mluvii_tui.widgets.session_table import SessionTable
from relay_support import TOKEN, free_port, start_relay

SIZE = (140, 40)


@pytest.fixture(scope="module")
def sim():
    with Simulator(sessions=40, seed=11) as simulator:
        yield simulator


@pytest.fixture
def relay(sim: Simulator, tmp_path: Path):
    port = free_port()
    thread = start_relay(
        f"sqlite:{tmp_path / 'events.db'}", sim.base_url, port=port,
        public_url=f"http://127.0.0.1:{port}", register=True,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while httpx.get(thread.base_url + "/health").json()["webhook"]["state"] != "registered":
        assert time.monotonic() < deadline, "the relay never registered its webhook"
        time.sleep(0.05)
    yield thread
    thread.stop()


@pytest.fixture
def store(tmp_path: Path):
    s = SessionStore(tmp_path / "store.sqlite")
    yield s
    s.close()


def _app(store: SessionStore, sim: Simulator, url: str, token: str = TOKEN) -> MluviiApp:
    client = MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret", max_retries=1)
    return MluviiApp(store, client, profile="live-test", live=LiveOptions(url=url, token=token))


def header(app: MluviiApp) -> str:
    return str(app.screen.query_one("#status-line", Static).render())


async def _ready(pilot: Any) -> SessionTable:
    app = pilot.app
    await until(pilot, lambda: "live (relay" in header(app))
    await until(pilot, lambda: app.store.total() > 0 and settled(app))  # the first sync is in
    await pilot.press("v")
    table = app.screen.query_one(SessionTable)
    await until(pilot, lambda: table.query.view == "live" and settled(app))
    return table


async def test_new_session_message_and_end_under_the_cursor(sim, relay, store) -> None:
    app = _app(store, sim, relay.base_url)
    async with app.run_test(size=SIZE) as pilot, httpx.AsyncClient(base_url=sim.base_url) as http:
        table = await _ready(pilot)
        assert table.query.view == "live"
        sid = (await http.post("/_sim/sessions", json={"text": "Dobrý den?"})).json()["id"]
        await until(pilot, lambda: store.position_of(table.query, sid) is not None)
        await until(pilot, lambda: settled(app))
        # put the cursor on the new session and open its transcript
        table.set_query(table.query, keep=sid)
        await until(pilot, lambda: settled(app) and table.current_session_id == sid)
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.screen.query(TranscriptView)))
        transcript = app.screen.query_one(TranscriptView)
        await until(pilot, lambda: "Dobrý den?" in _text(transcript))
        await http.post(f"/_sim/sessions/{sid}/message", json={"text": "Streamed!", "from": "User"})
        await until(pilot, lambda: "Streamed!" in _text(transcript))
        await pilot.press("escape")  # back to the table; the cursor stays on the session
        await http.post(f"/_sim/sessions/{sid}/end", json={"by": "Guest"})
        await until(pilot, lambda: sid in app.live.marks.ended and settled(app))
        assert table.current_session_id == sid  # not swapped for another session
        assert table.row_at(table.cursor_row) is not None
        row = app.live.marks.row(table.row_at(table.cursor_row), True)
        assert row["status"] == ENDED_TEXT
        assert store.position_of(SessionQuery(view="history"), sid) is not None  # in History
        await pilot.press("v")  # History takes it too
        await until(pilot, lambda: table.query.view == "history" and settled(app))
        assert table.current_session_id == sid


async def test_pause_holds_updates_and_counts_them(sim, relay, store) -> None:
    app = _app(store, sim, relay.base_url)
    async with app.run_test(size=SIZE) as pilot, httpx.AsyncClient(base_url=sim.base_url) as http:
        table = await _ready(pilot)
        await pilot.press("p")
        await until(pilot, lambda: "PAUSED" in header(app))
        sid = (await http.post("/_sim/sessions", json={"text": "paused?"})).json()["id"]
        await until(pilot, lambda: len(app.live.pending) >= 2)  # created + started, at least
        assert f"{len(app.live.pending)} updates waiting" in header(app)
        assert store.get_session(sid) is None  # nothing applied while paused
        await pilot.press("p")
        await until(pilot, lambda: store.position_of(table.query, sid) is not None)
        await until(pilot, lambda: "PAUSED" not in header(app))


async def test_updates_wait_while_another_process_holds_the_store(
    sim, relay, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync building its indexes holds the store past the busy timeout (at 1M ~1 s an index):
    the live updates wait, counted in the header, and are applied once it lets go; nothing is
    lost and the cache is not reported as failed."""
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 200)  # the app's worker connections
    app = _app(store, sim, relay.base_url)
    async with app.run_test(size=SIZE) as pilot, httpx.AsyncClient(base_url=sim.base_url) as http:
        table = await _ready(pilot)
        other = sqlite3.connect(store.path, isolation_level=None, timeout=30)
        other.execute("BEGIN IMMEDIATE")  # as the other process's transaction does
        try:
            sid = (await http.post("/_sim/sessions", json={"text": "busy?"})).json()["id"]
            await until(pilot, lambda: "store busy (sync)" in header(app))
            assert "updates waiting" in header(app) or "update waiting" in header(app)
            assert store.get_session(sid) is None
        finally:
            other.execute("COMMIT")
            other.close()
        await until(pilot, lambda: store.position_of(table.query, sid) is not None)
        await until(pilot, lambda: "busy" not in header(app) and settled(app))
        assert store.damage is None


async def test_relay_down_header_says_reconnecting_and_keys_work(sim, relay, store) -> None:
    app = _app(store, sim, relay.base_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await _ready(pilot)
        await asyncio.to_thread(relay.stop)
        await until(pilot, lambda: "reconnecting (attempt" in header(app))
        before = table.cursor_row
        await pilot.press("j")
        await until(pilot, lambda: table.cursor_row == min(before + 1, max(table.row_count - 1, 0)))
        await pilot.press("v")
        await until(pilot, lambda: table.query.view == "history" and settled(app))
        assert "reconnecting (attempt" in header(app) or "offline since" in header(app)


async def test_bad_token_is_refused_in_the_header(sim, relay, store) -> None:
    app = _app(store, sim, relay.base_url, token="not-the-token")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "refused: bad relay token" in header(app))


async def test_without_a_relay_the_header_says_polling(sim, store) -> None:
    app = _app(store, sim, "", token="")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "polling every 10 s (no relay)" in header(app))


def _text(view: TranscriptView) -> str:
    return "\n".join(item.text for item in view.items)
