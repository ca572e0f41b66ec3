"""A search whose listing is slow (a phrase of common words at 1M) shows its first rows from its
head: the matches of the highest ids, read from the search index in id ranges. The rows are the
plain search's rows in every view, with filters, and when a session below the head is the newest
one; the exact count follows and lists only below the head (real store file, real threads)."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from mluvii_tui.query import runner as runner_mod
from mluvii_tui.query import searchreads as searchreads_mod
from mluvii_tui.query import windows as windows_mod
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.store import reader as reader_mod
from mluvii_tui.store.reader import TableReader
from mluvii_tui.store.store import SessionStore
from reader_support import NOW, generated_store

PHRASE = '"dobrý den"'


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_store(tmp_path_factory, "head", 3000)


@pytest.fixture
def slow_listing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every listing is "slow" (no time for more than the first range that gives enough
    rows), the ranges are small (the store has 3,000 ids), and the ways to the first rows are
    recorded: "head" (from the head alone) or "walk" (probing along the sort index)."""
    monkeypatch.setattr(reader_mod, "LIST_SECONDS", 0.0)
    monkeypatch.setattr(searchreads_mod, "HEAD_SPAN_MIN", 64)
    ways: list[str] = []
    head_first = windows_mod.WindowReads.head_first
    first_ids = windows_mod.WindowReads.first_ids

    def _head(self, query, limit):  # type: ignore[no-untyped-def]
        ids = head_first(self, query, limit)
        ways.append("head" if ids is not None else "no head")
        return ids

    def _walk(self, query, limit):  # type: ignore[no-untyped-def]
        ways.append("walk")
        return first_ids(self, query, limit)

    monkeypatch.setattr(windows_mod.WindowReads, "head_first", _head)
    monkeypatch.setattr(windows_mod.WindowReads, "first_ids", _walk)
    return ways


def _ids(rows: list) -> list[int]:  # type: ignore[type-arg]
    return [r.id for r in rows]


@pytest.mark.parametrize(
    "query",
    [
        SessionQuery(search=PHRASE),
        SessionQuery(view="all", search=PHRASE),
        SessionQuery(search=PHRASE, sort=SortKey("id", True)),
        SessionQuery(search="dobrý den"),  # an AND of two common words
        SessionQuery(search=PHRASE, filters=(Filter("channel", "in", ("Chat",)),)),
    ],
    ids=["history", "all", "id-desc", "and", "filtered"],
)
def test_first_rows_come_from_the_head_then_the_exact_count(
    store_path: Path, slow_listing: list[str], query: SessionQuery
) -> None:
    store = SessionStore(store_path)
    reader = TableReader(store)
    truth = store.window(query, 0, 5000)
    assert len(truth) > 64
    ticket = reader.newer()
    first = reader.load(ticket, query, truth[100].id, 32)
    assert slow_listing == ["head"]
    assert not first.exact and not first.done and first.count == first.shown == 32
    assert _ids(first.rows[0]) == _ids(truth[:32])
    # the head covers the highest ids only: the listing was not read to the end
    ((lowest, _matches),) = [v for k, v in reader._cache.items() if k[0] == "head"]
    assert lowest > truth[-1].id
    final = reader.finish(ticket, first, truth[100].id, 32)
    assert final.exact and final.count == len(truth) and final.cursor == 100
    assert _ids(reader.window(final, 32, 64)) == _ids(truth[32:96])
    store.close()


def test_a_session_below_the_head_that_is_newer_is_not_missed(
    store_path: Path, slow_listing: list[str], tmp_path: Path
) -> None:
    """Session ids mostly grow with time, not always: the oldest match made the newest
    session. The head does not settle the first rows then; probing along the sort does."""
    path = tmp_path / "s.sqlite3"
    shutil.copy(store_path, path)
    query = SessionQuery(view="all", search=PHRASE)
    store = SessionStore(path)
    oldest = store.window(query, 0, 5000)[-1].id
    store.close()
    with sqlite3.connect(path) as conn:
        newest = conn.execute("SELECT max(created) FROM sessions").fetchone()[0]
        conn.execute("UPDATE sessions SET created = ? WHERE id = ?", (newest + 60, oldest))
    store = SessionStore(path)
    reader = TableReader(store)
    truth = store.window(query, 0, 5000)
    assert truth[0].id == oldest
    first = reader.load(reader.newer(), query, None, 32)
    assert slow_listing == ["no head", "walk"]
    assert _ids(first.rows[0]) == _ids(truth[:32])
    store.close()


def test_a_listing_with_time_left_is_read_whole_and_exact(store_path: Path) -> None:
    """Without the time limit biting, a rare phrase is listed whole at once: exact count."""
    store = SessionStore(store_path)
    reader = TableReader(store)
    query = SessionQuery(search=PHRASE)
    truth = store.window(query, 0, 5000)
    loaded = reader.load(reader.newer(), query, None, 32)
    assert loaded.exact and loaded.count == len(truth)
    assert _ids(loaded.rows[0]) == _ids(truth[:32])
    other = replace(query, search='"dobrý den" NOT faktura')
    loaded = reader.load(reader.newer(), other, None, 32)
    assert loaded.exact and loaded.count == len(store.window(other, 0, 5000))
    store.close()


@pytest.mark.parametrize("budget", [0.0, 10.0])
def test_ids_remembered_before_a_write_elsewhere_lose_no_match(
    store_path: Path, budget: float
) -> None:
    """The id range is remembered until the next write, and a sync writes from another
    process: sessions above or below the remembered range are still read (the first range has
    no upper bound, the last no lower one)."""
    store = SessionStore(store_path)
    query = SessionQuery(view="all", search=PHRASE)
    truth = store.window(query, 0, 5000)
    conn = sqlite3.connect(store_path)
    cache: dict = {"id range": (truth[-1].id + 50, truth[0].id - 50)}  # type: ignore[type-arg]
    runner = runner_mod.QueryRunner(conn, cache, NOW)
    partial = runner.search_head(query, 32, budget)
    if partial:
        assert runner.head_first(query, 32) == _ids(truth[:32])
        assert runner.count(query) == len(truth)
    else:
        assert runner.cached_count(query) == len(truth)
    assert runner.window_ids(query, 0, 5000) == _ids(truth)
    conn.close()
    store.close()
