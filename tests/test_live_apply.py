"""sync/live.py: pushed events into a real SQLite store, at most once, resumable."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.live.feed import LiveEvent
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.store import SessionStore
from mluvii_tui.sync.live import apply_events, forget_resume_point, resume_point

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _event(seq: int, kind: str, session: dict | None, data: dict | None = None) -> LiveEvent:
    data = data if data is not None else {"id": session["id"] if session else 0}
    frame = {"type": "event", "seq": seq, "eventType": kind, "data": data}
    return LiveEvent(seq, kind, data, "2026-11-30T12:00:00Z", session, None, frame)


def _live_session() -> dict:
    for data in generate_sessions(200, seed=3, now=NOW):
        if data["status"] == "ACTIVE" and data.get("ended") is None:
            return data
    raise AssertionError("no live session generated")


def test_events_apply_once_in_order_and_resume(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    live = _live_session()
    ended = copy.deepcopy(live)
    ended["status"] = "CLOSED"
    ended["ended"] = "2026-11-30T12:05:00Z"
    events = [
        _event(1, "SessionStarted", live),
        _event(2, "SessionActivityChatMessage", None, {"sessionId": live["id"], "id": 9}),
        _event(3, "SessionEnded", ended),
    ]
    done = apply_events(store, events[:2], log_id="log-a")
    assert done.events == 2 and done.sessions == {live["id"]} and done.activity == {live["id"]}
    assert store.position_of(SessionQuery(view="live"), live["id"]) is not None
    assert resume_point(store) == (2, "log-a")
    again = apply_events(store, events, log_id="log-a")  # a replay after a reconnect
    assert again.skipped == 2 and again.events == 1
    assert again.ended == {live["id"]}
    assert store.position_of(SessionQuery(view="live"), live["id"]) is None
    assert store.position_of(SessionQuery(view="history"), live["id"]) is not None
    assert apply_events(store, events).events == 0  # nothing applied twice
    store.close()
    reopened = SessionStore(tmp_path / "s.sqlite")  # a console restart resumes after seq 3
    assert resume_point(reopened) == (3, "log-a")
    forget_resume_point(reopened)
    assert resume_point(reopened) == (None, None)
    reopened.close()


def test_a_broken_session_is_counted_not_fatal(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    done = apply_events(store, [_event(1, "SessionCreated", {"no": "id"}, {"id": 5})])
    assert done.bad == 1 and done.events == 1 and not done.sessions
    assert resume_point(store)[0] == 1
    store.close()
