"""The real app on the simulator (loopback) and a real SQLite store: rows, keys, sort, columns."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import load_state, update_state
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.query.columns import BASIC_COLUMNS
from mluvii_tui.query.types import SessionQuery, SortKey
from mluvii_tui.screens.column_chooser import ColumnChooser
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (120, 40)


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    sim = Simulator(sessions=600, seed=11, now=NOW)
    base_url = sim.start()
    yield base_url
    sim.stop()


def _app(store: SessionStore, base_url: str | None, profile: str) -> MluviiApp:
    client = MluviiClient(base_url, "demo-admin", "demo-admin-secret") if base_url else None
    return MluviiApp(store, client, profile=profile, now=lambda: NOW, sync_days=30)


async def _wait_synced(pilot, app: MluviiApp) -> None:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()


def _table_text(table: SessionTable) -> str:
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


def _status(app: MluviiApp) -> str:
    return str(app.screen.query_one("#status-line").render())


async def test_opens_on_simulator_and_shows_rows(simulator: str, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    app = _app(store, simulator, "t-open")
    async with app.run_test(size=SIZE) as pilot:
        await _wait_synced(pilot, app)
        table = app.screen.query_one(SessionTable)
        history = store.count(SessionQuery(view="history"))
        assert history > 400
        assert table.row_count == history
        assert f"{history:,} of {store.total():,} sessions" in _status(app)
        # the top row is the newest ended session, shown with the basic columns
        first = table.row_at(0)
        newest = store.window(SessionQuery(view="history"), 0, 1)[0]
        assert first.id == newest.id
        assert [c.id for c in table.columns] == list(BASIC_COLUMNS)
        text = _table_text(table)
        assert "Created ▼" in text and "End reason" in text
    store.close()


async def test_bad_credentials_give_one_clear_line(simulator: str, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    client = MluviiClient(simulator, "demo-admin", "wrong-secret")
    app = MluviiApp(store, client, profile="t-bad", now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_synced(pilot, app)
        status = _status(app)
        assert "⚠" in status and "demo-admin" in status
        assert "wrong-secret" not in status
        assert "Traceback" not in app.export_screenshot()
    store.close()


async def test_refused_connection_is_reported(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    client = MluviiClient("http://127.0.0.1:9", "demo-admin", "x", max_retries=0)
    app = MluviiApp(store, client, profile="t-refused", now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_synced(pilot, app)
        assert "cannot reach" in _status(app)
    store.close()


@pytest.fixture()
def filled_store(simulator: str, tmp_path: Path) -> Iterator[SessionStore]:
    import asyncio

    from mluvii_tui.sync.history import sync_history

    store = SessionStore(tmp_path / "s.sqlite")

    async def fill() -> None:
        async with MluviiClient(simulator, "demo-admin", "demo-admin-secret") as client:
            await sync_history(client, store, days=30, now=NOW)

    asyncio.run(fill())
    yield store
    store.close()


async def test_keyboard_moves_and_sort_keeps_the_session(filled_store: SessionStore) -> None:
    app = _app(filled_store, None, "t-keys")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        body = table.scrollable_content_region.height - 1
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("pagedown")
        assert table.cursor_row == 2 + body
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        last_id = table.current_session_id
        # sort by wait time (column cursor to "waited", then o): the cursor stays on the session
        waited_index = [c.id for c in table.columns].index("waited")
        for _ in range(waited_index):
            await pilot.press("l")
        assert table.focused_column_id == "waited"
        await pilot.press("o")
        assert table.query.sort == SortKey("waited", False)
        assert table.current_session_id == last_id
        assert "Waited ▲" in _table_text(table)
        await pilot.press("o")
        assert table.query.sort == SortKey("waited", True)
        assert table.current_session_id == last_id
        # the sort is saved for the profile
        state, _ = load_state("t-keys")
        assert state["sort"] == {"column": "waited", "descending": True}


async def test_enter_opens_detail_and_escape_returns(filled_store: SessionStore) -> None:
    app = _app(filled_store, None, "t-enter")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        assert not app.screen.query("#detail")  # built when first opened
        await pilot.press("j", "enter")
        await pilot.pause()
        detail = app.screen.query_one("#detail")
        assert detail.display
        await pilot.press("escape")
        await pilot.pause()
        assert not detail.display
        assert table.has_focus


async def test_header_click_sorts(filled_store: SessionStore) -> None:
    app = _app(filled_store, None, "t-click")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        x = sum(w + 1 for w in table._widths[:2]) + 1  # inside the third header
        await pilot.click(SessionTable, offset=(x, 0))
        assert table.query.sort.column == table.columns[2].id


async def test_column_chooser_hides_moves_and_saves(filled_store: SessionStore) -> None:
    app = _app(filled_store, None, "t-cols")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ColumnChooser)
        await pilot.press("space")  # hide "created"
        await pilot.press("down", "shift+up")  # move "channel" above "created"
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        ids = [c.id for c in table.columns]
        assert ids[0] == "channel" and "created" not in ids
        state, _ = load_state("t-cols")
        assert state["columns"] == ids
        # reset to basic
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("r", "enter")
        await pilot.pause()
        assert [c.id for c in table.columns] == list(BASIC_COLUMNS)


async def test_saved_layout_with_unknown_columns_is_kept_minus_those(
    filled_store: SessionStore,
) -> None:
    update_state("t-unknown", columns=["created", "no_such_column", "param:customer_tier", "url"])
    app = MluviiApp(filled_store, None, profile="t-unknown", now=lambda: NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        assert [c.id for c in table.columns] == ["created", "param:customer_tier", "url"]
        assert any("no_such_column" in str(n.message) for n in app._notifications)


async def test_long_and_multiline_values_stay_on_one_line(filled_store: SessionStore) -> None:
    update_state("t-long", columns=["id", "url", "client_name", "created"])
    app = MluviiApp(filled_store, None, profile="t-long", now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        # sort by URL length is not a column; find the hostile session (10,000-char URL) by id
        longest = max(
            (r for r in filled_store.window(SessionQuery(view="all"), 0, 10_000)),
            key=lambda r: len(r["url"] or ""),
        )
        assert len(longest["url"]) >= 10_000
        table.set_query(SessionQuery(view="all"), keep=longest.id)
        await pilot.pause()
        y = table.cursor_row - int(table.scroll_y) + 1
        line = table.render_line(y)
        assert line.cell_length == table.scrollable_content_region.width
        assert "…" in line.text
        assert "\n" not in line.text


async def test_export_keys_open_the_dialog_and_write_one_session(
    filled_store: SessionStore, tmp_path: Path
) -> None:
    from mluvii_tui.screens.export_dialog import ExportDialog
    from mluvii_tui.screens.session_export import SessionExportDialog

    app = _app(filled_store, None, "t-export")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.columns == list(BASIC_COLUMNS)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("j", "E")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SessionExportDialog)
        target = tmp_path / "one.html"
        dialog.query_one("#session-export-path").value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert target.exists() and f"{dialog.session.id}" in target.read_text(encoding="utf-8")
        # again: the file exists, so the first press only asks
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#session-export-path").value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SessionExportDialog)
        assert "exists" in str(app.screen.query_one("#session-export-message").render())


async def test_live_view_polls_the_server(simulator: str, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    app = _app(store, simulator, "t-live")
    async with app.run_test(size=SIZE) as pilot:
        await _wait_synced(pilot, app)
        await pilot.press("v")
        await _wait_synced(pilot, app)
        table = app.screen.query_one(SessionTable)
        live = store.count(SessionQuery(view="live"))
        assert live > 0
        assert table.row_count == live
        assert "Live" in _status(app) and "polling" in _status(app)
        await pilot.press("v")
        assert table.query.view == "history"
    store.close()


async def test_number_keys_pick_detail_tabs_from_the_table(filled_store: SessionStore) -> None:
    app = _app(filled_store, None, "t-tabs")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        detail = app.screen.query_one("#detail")
        assert detail.display and detail.active_tab == "info"
        # focus moves into the tab, so its keys work at once and the footer shows them
        assert app.screen.query_one("#info-view").has_focus
        assert "Copy\xa0link" in html.unescape(app.export_screenshot())
        await pilot.press("escape")  # esc goes back to the table, the pane stays
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        assert table.has_focus and detail.display
        await pilot.press("j", "5")
        await pilot.pause()
        assert detail.active_tab == "routing"
        assert detail.session_id == table.current_session_id
        assert app.screen.query_one("#routing-view").has_focus


async def test_search_opens_the_transcript_at_its_first_hit(filled_store: SessionStore) -> None:
    app = _app(filled_store, None, "t-hit")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s", *"objednavka", "enter")
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        assert 0 < table.row_count < filled_store.count(SessionQuery(view="history"))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one("#transcript-view")
        assert view.entries and view.entries[view.cursor].hits > 0
