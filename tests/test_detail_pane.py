"""SessionDetail on a rich hostile session (Pilot), store only (no client)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from mluvii_tui.api.models import parse_session
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.detail import SessionDetail
from mluvii_tui.widgets.detail.transcript import DISPLAY_CAP, TranscriptView
from test_detail_support import LONG, DetailApp, rich_session


@pytest.fixture
def store(tmp_path: Path):
    s = SessionStore(tmp_path / "store.sqlite")
    sessions = [parse_session(rich_session()), parse_session(rich_session(7, live=True))]
    bare = rich_session(8)
    bare["recordings"] = None
    bare["recordingsState"] = None
    sessions.append(parse_session(bare))
    s.upsert_sessions(sessions)
    yield s
    s.close()


async def _open(pilot, session_id: int) -> SessionDetail:
    detail = pilot.app.query_one(SessionDetail)
    detail.show(session_id)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return detail


async def test_transcript_tab(store: SessionStore) -> None:
    app = DetailApp(store)
    async with app.run_test(size=(140, 40)) as pilot:
        detail = await _open(pilot, 424242)
        view = detail.query_one(TranscriptView)
        assert len(view.entries) == len(rich_session()["activities"])
        # hostile text rendered as plain text
        hostile = view.entries[6]
        rendered = str(hostile.render())
        assert "[bold]boom[/]" in rendered and "\x1b" not in rendered
        # the 100,000-char message is capped on screen, whole when copied
        long_entry = next(e for e in view.entries if e.item.text == LONG)
        assert len(str(long_entry.render())) < DISPLAY_CAP + 200
        view.focus()
        view.cursor = long_entry.index
        await pilot.press("y")
        assert LONG in app.clipboard
        await pilot.press("Y")
        assert app.clipboard.count("— 2025-03-1") == 2
        assert "Session ended — GuestLeft" in app.clipboard


async def test_tab_switch_moves_focus_into_the_tab(store: SessionStore) -> None:
    """The number keys are the Sessions screen's (keymap sessions.tabN, tested in test_app);
    the pane's part: the tab is shown and its content has the focus, so its keys work at once."""
    app = DetailApp(store)
    async with app.run_test(size=(140, 40)) as pilot:
        detail = await _open(pilot, 424242)
        tabs = detail.query_one(TabbedContent)
        names = ("info", "params", "notes", "routing", "recordings", "transcript")
        focus = (
            "#info-view",
            "#params-table",
            "#notes-list",
            "#routing-view",
            "#recordings-table",
            "#transcript-view",
        )
        for tab, target in zip(names, focus, strict=True):
            detail.action_tab(tab)
            await pilot.pause()
            assert tabs.active == tab
            assert detail.query_one(target).has_focus


async def test_search_hits(store: SessionStore) -> None:
    app = DetailApp(store)
    async with app.run_test(size=(140, 40)) as pilot:
        detail = await _open(pilot, 424242)

        def spans(text: str):
            out, i = [], text.lower().find("order")
            while i >= 0:
                out.append((i, i + 5))
                i = text.lower().find("order", i + 1)
            return out

        assert detail.highlight(spans) >= 1
        assert detail.next_hit()
        view = detail.query_one(TranscriptView)
        assert "order" in view.current.text.lower()


async def test_recordings_tab_hidden_without_feature(store: SessionStore) -> None:
    app = DetailApp(store)
    async with app.run_test(size=(140, 40)) as pilot:
        detail = await _open(pilot, 8)
        tabs = detail.query_one(TabbedContent)
        detail.action_tab("recordings")
        assert tabs.active == "transcript"
        detail.show(424242)
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail.action_tab("recordings")
        assert tabs.active == "recordings"
