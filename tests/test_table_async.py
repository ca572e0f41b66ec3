"""The sessions table queries in a worker: the last good rows stay until the newer query lands,
a replaced query never shows, a failing one leaves the previous rows (real app, real store file)."""

from __future__ import annotations

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
