"""The sessions table queries in a worker: the last good rows stay until the newer query lands,
a replaced query never shows, a failing one leaves the previous rows (real app, real store file)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.store.reader import TableReader
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable
from reader_support import start_slow_load

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("async") / "s.sqlite3"
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(3000, seed=5, now=NOW))
    store.close()
    return path


async def _settle(pilot, app: MluviiApp) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)


def _ids(table: SessionTable) -> list[int]:
    return [table.row_at(i).id for i in range(table.row_count)]


async def test_typed_quick_filter_shows_the_last_query_only(store_path: Path) -> None:
    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="t-async", now=lambda: NOW)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(pilot, app)
        table = app.screen.query_one(SessionTable)
        before = table.row_count
        assert before == store.count(SessionQuery(view="history")) > 0
        for key in ("slash", *"nova"):
            await pilot.press(key)
            # whatever has landed by now (old or newer rows), the table is never blank
            assert table.row_count > 0 and table.row_at(0) is not None
        await _settle(pilot, app)
        want = replace(table.query, quick="nova")
        assert table.query == want and not table.updating
        assert table.row_count == store.count(want) > 0
        assert _ids(table) == [r.id for r in store.window(want, 0, table.row_count)]
        assert "updating" not in str(app.screen.query_one("#status-line").render())
        await pilot.press("escape")
        await _settle(pilot, app)
        assert table.row_count == before
    store.close()


async def test_replaced_query_never_lands_and_bad_one_keeps_rows(store_path: Path) -> None:
    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="t-async2", now=lambda: NOW)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(pilot, app)
        table = app.screen.query_one(SessionTable)
        first = replace(table.query, quick="a")  # a short word: a scan
        final = replace(table.query, filters=(Filter("channel", "in", ("Phone",)),))
        table.set_query(first)
        table.set_query(final)
        await _settle(pilot, app)
        assert table.query == final
        assert table.row_count == store.count(final) > 0
        assert _ids(table)[:50] == [r.id for r in store.window(final, 0, 50)]
        shown = _ids(table)
        bad = replace(final, filters=(Filter("no_such_column", "in", ("x",)),))
        table.set_query(bad)
        await _settle(pilot, app)
        assert table.query == final  # back to the last good query, rows unchanged
        assert _ids(table) == shown
    store.close()


def test_a_newer_ticket_cancels_a_running_job(store_path: Path) -> None:
    store = SessionStore(store_path)
    reader = TableReader(store)
    ticket, worker, outcome = start_slow_load(reader)
    newer = reader.newer()
    worker.join()
    assert outcome in (["cancelled"], []) or getattr(outcome[0], "ticket", None) == ticket
    loaded = reader.load(newer, SessionQuery(view="all"), None, 128)
    assert loaded.exact and loaded.count == store.count(SessionQuery(view="all"))
    assert [r.id for r in loaded.rows[0]] == [
        r.id for r in store.window(SessionQuery(view="all"), 0, 128)
    ]
    store.close()


def test_a_broad_contains_filter_shows_a_lower_bound_then_the_exact_count(
    store_path: Path,
) -> None:
    """A "contains" filter on a common word shows its first rows from a walk of the sort
    index (the count a lower bound), then the exact count; both agree with the store."""
    store = SessionStore(store_path)
    reader = TableReader(store)
    query = SessionQuery(view="history", filters=(Filter("client_name", "contains", ("a",)),))
    exact = store.count(query)
    assert exact > 300
    ticket = reader.newer()
    loaded = reader.load(ticket, query, None, 100)
    assert not loaded.exact and not loaded.done and loaded.scan
    assert loaded.count == loaded.shown == 200 <= exact
    assert [r.id for r in loaded.rows[0]] == [r.id for r in store.window(query, 0, 200)]
    final = reader.finish(ticket, loaded, None, 100)
    assert final.exact and final.count == exact
    assert [r.id for r in reader.window(final, 250, 50)] == [
        r.id for r in store.window(query, 250, 50)
    ]
    store.close()


async def test_a_key_pressed_while_a_reload_runs_is_kept(store_path: Path) -> None:
    """A sync reloads the same query: a cursor key pressed before its result lands stays (it
    used to be undone, the cursor put back on the session it was on when the reload began)."""
    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="t-async-moved", now=lambda: NOW)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(pilot, app)
        table = app.screen.query_one(SessionTable)
        await pilot.press("down", "down", "down")
        await _settle(pilot, app)
        assert table.cursor_row == 3
        table.reload()  # its result lands from a worker, after this key
        table.action_cursor_down()
        await _settle(pilot, app)
        assert not table.updating
        assert table.cursor_row == 4
        table.reload()  # nothing pressed meanwhile: the cursor stays on its session
        await _settle(pilot, app)
        assert table.cursor_row == 4
    store.close()


async def test_sync_pages_reload_the_table_at_most_every_two_seconds(store_path: Path) -> None:
    """Each committed page of a sync says so (SyncStateChanged): the first reloads the table at
    once, the rest within SYNC_RELOAD_EVERY_S at most once, and the sync's end at once."""
    from mluvii_tui.screens import sessions_sync as sessions
    from mluvii_tui.screens.sessions_sync import SyncStateChanged

    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="t-async-sync", now=lambda: NOW)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(pilot, app)
        table = app.screen.query_one(SessionTable)
        reloads: list[float] = []
        reload = table.reload

        def counted(*args: object, **kwargs: object) -> None:
            reloads.append(asyncio.get_running_loop().time())
            reload(*args, **kwargs)  # type: ignore[arg-type]

        table.reload = counted  # type: ignore[method-assign]
        for page in range(1, 11):
            app.screen.post_message(SyncStateChanged(running=True, sessions=page * 500, pages=page))
            await pilot.pause(0.05)
        assert len(reloads) == 1  # the first page at once; one more is due
        assert "syncing… 5,000 sessions" in str(app.screen.query_one("#status-line").render())
        await pilot.pause(sessions.SYNC_RELOAD_EVERY_S + 0.3)
        assert len(reloads) == 2
        assert reloads[1] - reloads[0] >= sessions.SYNC_RELOAD_EVERY_S - 0.01
        app.screen.post_message(SyncStateChanged(running=False, sessions=5000, done=True))
        await pilot.pause(0.1)
        assert len(reloads) == 3  # the end shows at once
        await _settle(pilot, app)
        assert not table.updating and table.row_count > 0
    store.close()
