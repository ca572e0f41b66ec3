"""Snapshots of the Live view at 120x40 with a fixed clock: following the relay (with a session
that just ended kept and marked), paused with updates waiting, and reconnecting. Nothing measured
is in the picture: the connection state is the feed's ConnectionState as the test sets it (no
relay runs here), the header's countdown reads a fixed clock, and each picture is taken once the
table's query has landed (a condition, not a sleep)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from live_support import until
from mluvii_tui.api.models import parse_session
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.live.feed import ConnectionState, LiveEvent
from mluvii_tui.screens.live import LiveOptions
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (120, 40)
ENDED: list[int] = []  # the session that has just ended (set by the store fixture)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("live-snap") / "store.sqlite"
    s = SessionStore(path)
    data = generate_sessions(300, seed=5, now=NOW)
    live = [d for d in data if d.get("ended") is None]
    assert len(live) >= 2, "the generator made too few live sessions for the snapshot"
    ended = copy.deepcopy(live[1])
    ended["status"], ended["ended"] = "CLOSED", "2026-11-30T11:59:30Z"
    s.upsert_sessions([parse_session(d) for d in [*data, ended]])
    ENDED.append(ended["id"])
    yield s
    s.close()


CLOCK = 1000.0  # the monotonic clock the header's countdown reads


def _app(store: SessionStore, profile: str) -> MluviiApp:
    options = LiveOptions(url="http://127.0.0.1:9", token="snapshot")
    app = MluviiApp(store, None, profile=profile, now=lambda: NOW, live=options)
    app.live.clock = lambda: CLOCK
    return app


async def _live_view(pilot: Any, *keys: str) -> None:
    """Press ``keys`` (``v`` first) and wait until the Live rows are on the table."""
    app = pilot.app
    await until(pilot, lambda: bool(app.screen.query(SessionTable)))
    table = app.screen.query_one(SessionTable)
    await until(pilot, lambda: not table.updating and table.row_count > 0)
    await pilot.press(*keys)
    await until(pilot, lambda: table.query.view == "live" and not table.updating)


def test_live_following_the_relay(snap_compare, store: SessionStore) -> None:
    app = _app(store, "snap-live")

    async def before(pilot: Any) -> None:
        app.live.state = ConnectionState("live", latency_ms=12)
        app.live.marks.end(set(ENDED))
        await _live_view(pilot, "v")

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_live_paused(snap_compare, store: SessionStore) -> None:
    app = _app(store, "snap-live-paused")

    async def before(pilot: Any) -> None:
        app.live.state = ConnectionState("live", latency_ms=12)
        await _live_view(pilot, "v", "p")
        for seq in (1, 2, 3):
            data = {"sessionId": 1, "id": seq}
            frame = {"seq": seq, "eventType": "SessionActivityChatMessage", "data": data}
            app.live._on_event(LiveEvent(seq, frame["eventType"], data, "", None, None, frame))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_live_reconnecting(snap_compare, store: SessionStore) -> None:
    app = _app(store, "snap-live-reconnecting")

    async def before(pilot: Any) -> None:
        app.live.state = ConnectionState(
            "reconnecting", attempt=2, next_at=CLOCK + 3.4, reason="refused"
        )
        await _live_view(pilot, "v")

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_live_narrow_keeps_the_connection_state(snap_compare, store: SessionStore) -> None:
    """At 80x24 a long header is compact (no user, short words) and still ends with the state."""
    app = _app(store, "snap-live-narrow")

    async def before(pilot: Any) -> None:
        app.live.state = ConnectionState("reconnecting", attempt=2, next_at=CLOCK + 3.4)
        await _live_view(pilot, "v")
        assert str(app.screen.query_one("#status-line").render()).endswith("reconnecting 2")

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
