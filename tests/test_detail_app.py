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


async def test_enter_opens_the_detail_in_the_app(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "store.sqlite")
    store.upsert_sessions(parse_session(d) for d in generate_sessions(40, 7, NOW))
    app = MluviiApp(store, None, now=lambda: NOW)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            detail = app.screen.query_one(SessionDetail)
            assert detail.display
            assert detail.session is not None
            assert detail.session.id == detail.session_id
            assert detail.query_one(TranscriptView).entries
            detail.focus()
            await pilot.press("2")
            assert detail.query_one(TabbedContent).active == "info"
    finally:
        store.close()
