"""The detail pane inside the real MluviiApp (offline: store only)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import TabbedContent

from mluvii_tui.api.models import parse_session
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.detail import SessionDetail
from mluvii_tui.widgets.detail.transcript import TranscriptView

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def _store(tmp_path: Path) -> SessionStore:
    store = SessionStore(tmp_path / "store.sqlite")
    store.upsert_sessions(parse_session(d) for d in generate_sessions(40, 7, NOW))
    return store


async def _opened(pilot, app: MluviiApp) -> SessionDetail:  # type: ignore[no-untyped-def]
    """Enter on the first row: the detail pane, loaded."""
    await pilot.pause()
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(SessionDetail)


async def test_enter_opens_the_detail_in_the_app(tmp_path: Path) -> None:
    store = _store(tmp_path)
    app = MluviiApp(store, None, now=lambda: NOW)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            detail = await _opened(pilot, app)
            assert detail.display
            assert detail.session is not None
            assert detail.session.id == detail.session_id
            assert detail.query_one(TranscriptView).entries
            detail.focus()
            await pilot.press("2")
            assert detail.query_one(TabbedContent).active == "info"
    finally:
        store.close()


async def test_a_held_cursor_key_moves_the_cursor_and_the_pane_loads_where_it_stops(
    tmp_path: Path,
) -> None:
    """Keys in quick succession with the pane open: the pane loads the session the cursor
    stops on once the keys pause (SETTLE_S), not every session passed."""
    from mluvii_tui.widgets.detail import pane
    from mluvii_tui.widgets.session_table import SessionTable

    store = _store(tmp_path)
    app = MluviiApp(store, None, now=lambda: NOW)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            detail = await _opened(pilot, app)
            table = app.screen.query_one(SessionTable)
            table.focus()
            loads: list[int] = []
            load = detail._load
            detail._load = lambda sid: (loads.append(sid), load(sid))  # type: ignore[method-assign]
            for _ in range(8):  # as a held key: faster than the pane loads
                table.action_cursor_down()
            await pilot.pause()
            assert table.cursor_row == 8
            await pilot.pause(pane.SETTLE_S * 3)
            await app.workers.wait_for_complete()
            await pilot.pause()
            last = table.current_session_id
            assert detail.session is not None and detail.session.id == last
            assert loads[-1] == last and len(loads) < 8  # not one load per key
            await pilot.press("down")  # a single key after a pause loads at once
            assert loads[-1] == table.current_session_id
    finally:
        store.close()


async def test_no_session_hides_the_last_sessions_tabs(tmp_path: Path) -> None:
    """A filter that leaves no rows: "No session selected", and not the last session's tabs
    under it; a session again brings them back."""
    store = _store(tmp_path)
    app = MluviiApp(store, None, now=lambda: NOW)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            detail = await _opened(pilot, app)
            tabs = detail.query_one(TabbedContent)
            shown = detail.session_id
            assert tabs.display
            await pilot.press("slash", *"zzzqqq")
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            assert detail.session_id is None and not tabs.display
            assert "No session selected" in str(detail.query_one("#detail-title").render())
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert detail.session_id == shown and tabs.display
    finally:
        store.close()
