"""Searches in the sessions table's worker (issue 14): a search with few matches is listed from
its index once and counted exactly; one with many shows its first rows with "≥ N" and the exact
count (and the cursor's session) follow; a replaced search never leaves the table blank or
wrong; closing the store stops a running query (real app, real store file, real threads)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.query import runner as runner_mod
from mluvii_tui.query import searchreads as searchreads_mod
from mluvii_tui.query.types import SessionQuery, SortKey
from mluvii_tui.store import reader as reader_mod
from mluvii_tui.store.reader import Cancelled, TableReader
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable
from reader_support import start_slow_load

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
COMMON = "den"  # in ~56% of the generated sessions
RARE = "faktura"  # in ~12%


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / "s.sqlite3"
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(3000, seed=5, now=NOW))
    store.close()
    return path


@pytest.fixture
def few_listed(monkeypatch: pytest.MonkeyPatch) -> int:
    """A list limit below the common word's matches (as 20,000 is below them at 1M)."""
    for module in (runner_mod, searchreads_mod, reader_mod):
        monkeypatch.setattr(module, "MEMBER_LIST_MAX", 500)
    return 500


def _ids(rows: list) -> list[int]:  # type: ignore[type-arg]
    return [r.id for r in rows]


def test_a_search_with_few_matches_is_listed_and_exact(store_path: Path, few_listed: int) -> None:
    store = SessionStore(store_path)
    reader = TableReader(store)
    query = SessionQuery(search=RARE, sort=SortKey("waited", True))
    truth = store.window(query, 0, 5000)
    assert 0 < len(truth) <= few_listed
    keep = truth[7].id
    loaded = reader.load(reader.newer(), query, keep, 128)
    assert loaded.exact and loaded.done and loaded.count == len(truth)
    assert loaded.cursor == 7
    assert _ids(loaded.rows[0]) == _ids(truth[:128])
    # every window after it reads the listed matches
    assert _ids(reader.window(loaded, 128, 64)) == _ids(truth[128:192])
    store.close()


def test_a_broad_search_shows_a_lower_bound_then_the_exact_count(
    store_path: Path, few_listed: int
) -> None:
    store = SessionStore(store_path)
    reader = TableReader(store)
    query = SessionQuery(search=COMMON)
    truth = store.window(query, 0, 5000)
    assert len(truth) > few_listed
    keep = truth[3].id
    ticket = reader.newer()
    first = reader.load(ticket, query, keep, 128)
    assert not first.exact and not first.done
    assert first.count == few_listed + 1  # shown as "≥ 501"
    assert _ids(first.rows[0]) == _ids(truth[: first.shown])
    final = reader.finish(ticket, first, keep, 128)
    assert final.exact and final.count == len(truth)
    assert final.cursor == 3
    assert _ids(reader.window(final, len(truth) - 40, 40)) == _ids(truth[-40:])
    store.close()


@pytest.mark.parametrize(
    "sort",
    [SortKey("created", True), SortKey("created"), SortKey("client_name"), SortKey("waited", True)],
)
def test_a_broad_search_probes_through_its_listed_head(
    store_path: Path, few_listed: int, sort: SortKey
) -> None:
    """Learning that a search is broad lists its matches from the highest id down; the first
    rows look those ids up in the list and probe the index for lower ones: the same rows as
    the plain search in every order (newest first: all from the list), and the windows the
    table then reads near the top too."""
    store = SessionStore(store_path)
    reader = TableReader(store)
    for view in ("history", "all"):
        query = SessionQuery(view=view, search=COMMON, sort=sort)
        truth = store.window(query, 0, 5000)
        ticket = reader.newer()
        first = reader.load(ticket, query, None, 128)
        assert not first.exact and any(k[0] == "head" for k in reader._cache if type(k) is tuple)
        assert _ids(first.rows[0]) == _ids(truth[:128])
        final = reader.finish(ticket, first, None, 128)
        for offset in (0, 128, 700, len(truth) - 128):
            assert _ids(reader.window(final, offset, 128)) == _ids(truth[offset : offset + 128])
    store.close()


@pytest.mark.parametrize("text", [RARE, '"dobrý den"', COMMON])
def test_a_slow_listing_gives_first_rows_from_its_head(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """Newest first, a search whose listing runs out of time (a phrase of common words at 1M;
    here every listing) shows the first rows found from the ids it read and by probing below
    them, says "at least" that many, and ``finish`` counts exactly and finds the cursor; the
    listing's time is not spent again on other orders."""
    monkeypatch.setattr(reader_mod, "LIST_SECONDS", 0.0)
    store = SessionStore(store_path)
    reader = TableReader(store)
    query = SessionQuery(search=text)
    truth = store.window(query, 0, 5000)
    assert len(truth) > 128
    ticket = reader.newer()
    first = reader.load(ticket, query, truth[200].id, 128)
    assert not first.exact and not first.done and first.count == first.shown == 128
    assert _ids(first.rows[0]) == _ids(truth[:128])
    final = reader.finish(ticket, first, truth[200].id, 128)
    assert final.exact and final.count == len(truth) and final.cursor == 200
    assert _ids(reader.window(final, 128, 128)) == _ids(truth[128:256])
    other = replace(query, sort=SortKey("waited", True))
    loaded = reader.load(reader.newer(), other, None, 128)
    assert _ids(loaded.rows[0]) == _ids(store.window(other, 0, 128))
    store.close()


def test_a_broad_search_in_another_order_finds_the_cursor(
    store_path: Path, few_listed: int
) -> None:
    """Near the top, in the middle and near the end (placed by probing the few sessions after
    it, the count less those), in a sort with empty values and in the default one."""
    store = SessionStore(store_path)
    reader = TableReader(store)
    for sort in (SortKey("client_name"), SortKey("created", True)):
        query = SessionQuery(search=COMMON, sort=sort)
        truth = store.window(query, 0, 5000)
        for index in (2, len(truth) // 2, len(truth) - 3, len(truth) - 1):
            ticket = reader.newer()
            first = reader.load(ticket, query, truth[index].id, 128)
            final = first if first.done else reader.finish(ticket, first, truth[index].id, 128)
            assert final.cursor == index
    store.close()


async def test_the_table_says_at_least_then_exact_and_a_replaced_search_never_shows(
    store_path: Path, few_listed: int
) -> None:
    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="t-search", now=lambda: NOW)
    async with app.run_test(size=(140, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        broad = replace(table.query, search=COMMON)
        seen: list[str] = []
        show = table._show

        def _show(loaded, keep):  # type: ignore[no-untyped-def]
            show(loaded, keep)
            seen.append(table.count_text)

        table._show = _show  # type: ignore[method-assign]
        table.set_query(broad)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
        want = store.count(broad)
        assert seen[0] == f"≥ {few_listed + 1:,}" and seen[-1] == f"{want:,}"
        assert table.row_count == want and not table.updating
        assert [table.row_at(i).id for i in range(40)] == _ids(store.window(broad, 0, 40))
        # a broad search replaced at once by a rare one: only the rare one's rows land
        rare = replace(table.query, search=RARE)
        table.set_query(broad)
        table.set_query(rare)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
        assert table.query == rare and table.row_count == store.count(rare) > 0
        assert [table.row_at(i).id for i in range(40)] == _ids(store.window(rare, 0, 40))
        assert "updating" not in str(app.screen.query_one("#status-line").render())
    store.close()


def test_closing_the_store_stops_a_running_query(store_path: Path) -> None:
    store = SessionStore(store_path)
    reader = TableReader(store)
    _ticket, worker, outcome = start_slow_load(reader, finish=True)
    store.close()  # waits for the job (which stops) before closing its connection
    worker.join()
    assert len(outcome) == 1
    with pytest.raises(Cancelled):
        reader.load(reader.newer(), SessionQuery(), None, 128)


def test_the_rows_where_the_cursor_stays_are_read_by_the_job(store_path: Path) -> None:
    """A kept session the new query does not hold leaves the cursor on its row: the job reads
    that row's block (and the block the centred screen reaches into), and the exact result of
    ``finish`` keeps the rows ``load`` read, so the table never reads them on the UI thread."""
    store = SessionStore(store_path)
    reader = TableReader(store)
    query = SessionQuery(view="all", sort=SortKey("created", True))
    truth = store.window(query, 0, 5000)
    gone = max(r.id for r in truth) + 1_000  # a session no query here holds
    loaded = reader.load(reader.newer(), query, gone, 128, keep_row=300)
    assert loaded.exact and loaded.cursor is None
    assert sorted(loaded.rows) == [128]  # row 300 is low in block 256: rows 128..383
    assert _ids(loaded.rows[128]) == _ids(truth[128:384])
    final = reader.finish(loaded.ticket, loaded, gone, 128, keep_row=300)
    assert _ids(final.rows[128]) == _ids(truth[128:384])
    high = reader.load(reader.newer(), query, gone, 128, keep_row=200)
    assert sorted(high.rows) == [128]  # row 200 is high in block 128: rows 128..383
    near_top = reader.load(reader.newer(), query, gone, 128, keep_row=130)
    assert sorted(near_top.rows) == [0]  # row 130 is low in block 128: rows 0..255
    assert _ids(near_top.rows[0]) == _ids(truth[:256])
    store.close()
