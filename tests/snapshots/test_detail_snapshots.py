"""One SVG snapshot per detail tab at 140x40: fixed clock, seed, theme and time zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from mluvii_tui.api.models import SessionNote, parse_session
from mluvii_tui.domain.outbox_store import PendingNotes
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.detail import SessionDetail
from test_detail_support import NOW, DetailApp, rich_session

SIZE = (140, 40)
SESSION = 424242
LIVE = 7


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("detail-snap") / "store.sqlite"
    s = SessionStore(path)
    s.upsert_sessions(
        [parse_session(rich_session(SESSION)), parse_session(rich_session(LIVE, live=True))]
    )
    s.cache_notes(
        SESSION,
        [
            SessionNote(
                id=1, note="Called twice.\nWants a refund.", author="Petr Novák", created=NOW
            )
        ],
    )
    yield s
    s.close()


@pytest.fixture(scope="module")
def pending(tmp_path_factory: pytest.TempPathFactory):
    p = PendingNotes(tmp_path_factory.mktemp("detail-snap-state") / "outbox.sqlite3")
    p.add(SESSION, "Call back tomorrow [b]9:00[/b]", author="You", now=NOW)
    yield p
    p.close()


def _before(session_id: int, key: str):
    async def run_before(pilot) -> None:
        detail = pilot.app.query_one(SessionDetail)
        detail.show(session_id)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        detail.focus()
        await pilot.press(key)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("key", "session_id"),
    [
        ("1", SESSION),
        ("2", SESSION),
        ("3", SESSION),
        ("4", SESSION),
        ("5", LIVE),
        ("6", SESSION),
    ],
    ids=["transcript", "info", "params", "notes", "routing", "recordings"],
)
def test_detail_tab(
    snap_compare, store: SessionStore, pending: PendingNotes, key: str, session_id: int
) -> None:
    app = DetailApp(store, pending_notes=pending)
    assert snap_compare(app, terminal_size=SIZE, run_before=_before(session_id, key))
