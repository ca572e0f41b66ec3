"""EXPLAIN QUERY PLAN of the statements the store really runs for the indexed sorts: every
window is an index walk (no full table scan, no temporary B-tree for ORDER BY), with and without
ANALYZE."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from mluvii_tui.query.columns import COLUMNS
from mluvii_tui.query.layout import INDEXED_FIELDS
from mluvii_tui.query.runner import plan_where
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.store.store import SessionStore
from store_samples import sample_models

INDEXED_COLUMNS = [c.id for c in COLUMNS.values() if c.field in INDEXED_FIELDS] + ["id"]


def test_every_indexed_field_is_a_column() -> None:
    assert len(INDEXED_COLUMNS) == len(INDEXED_FIELDS) + 1


def _plans(store: SessionStore, query: SessionQuery) -> list[tuple[str, str]]:
    conn = store._conn()
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        n = store.count(query)
        store.window(query, 0, 40)
        store.window(query, max(0, n - 40), 40)  # the reverse path
    finally:
        conn.set_trace_callback(None)
    out = []
    for sql in seen:
        if "ORDER BY" not in sql:
            continue
        plan = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        out.append((sql, " | ".join(row[-1] for row in plan)))
    return out


@pytest.mark.parametrize("analyze", [False, True])
def test_indexed_sorts_walk_an_index(tmp_path: Any, analyze: bool) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(sample_models(200))
    if analyze:
        store._conn().execute("ANALYZE")
    for column in INDEXED_COLUMNS:
        for view in ("history", "all"):
            for desc in (True, False):
                q = SessionQuery(view=view, sort=SortKey(column, desc))
                plans = _plans(store, q)
                assert plans, column
                for sql, plan in plans:
                    assert "TEMP B-TREE" not in plan, (sql, plan)
                    assert "SCAN s" not in plan.replace("SCAN s USING", ""), (sql, plan)
                    assert "USING" in plan, (sql, plan)
    store.close()


@pytest.mark.parametrize("list_max", [20_000, 0])
def test_broad_filter_windows_walk_the_sort_index(
    tmp_path: Any, list_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter matching a broad share of the store: the window walks the sort column's index
    (no temporary B-tree sorting every match) and returns what the planner's plan returns;
    with matches listed by id (few) or with the conditions themselves (many)."""
    from mluvii_tui.query import runner as query

    monkeypatch.setattr(query, "MEMBER_LIST_MAX", list_max)
    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(sample_models(200))
    store._conn().execute("ANALYZE")
    broad = [
        Filter("channel", "in", ("Phone", "AV")),
        Filter("param:name", "not_empty"),  # correlated EXISTS while walking the sort index
        Filter("param:name", "empty"),
        Filter("operators", "in", ("11", "Petr Svoboda")),
    ]
    cases = [(f, c, d) for f in broad for c, d in (("created", True), ("waited", False))]
    for flt, column, desc in [*cases, (broad[0], "id", True)]:
        q = SessionQuery(filters=(flt,), sort=SortKey(column, desc))
        n = store.count(q)
        assert n > 0
        for sql, plan in _plans(store, q):
            assert "INDEXED BY" in sql and "TEMP B-TREE" not in plan, (sql, plan)
        forced = [r.id for r in store.window(q, 0, n)]
        store._counts.clear()
        with monkeypatch_share(1.0):  # nothing is broad: the planner's own choice
            assert [r.id for r in store.window(q, 0, n)] == forced
    store.close()


@contextlib.contextmanager
def monkeypatch_share(share: float) -> Iterator[None]:
    from mluvii_tui.query import windows

    old = windows.FORCE_SORT_SHARE
    windows.FORCE_SORT_SHARE = share + 1
    try:
        yield
    finally:
        windows.FORCE_SORT_SHARE = old


@pytest.mark.parametrize("list_max", [20_000, 3])
def test_a_costly_count_evaluates_its_conditions_once(
    tmp_path: Any, list_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search narrowed by a filter, or a text match, is counted in one pass over the
    sessions whether its matches are few (listed by that pass: windows read them by id) or
    many (the count alone), not listed up to MEMBER_LIST_MAX + 1 and then counted again."""
    from mluvii_tui.query import runner, searchreads

    for module in (runner, searchreads):
        monkeypatch.setattr(module, "MEMBER_LIST_MAX", list_max)
    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(sample_models(200))
    conn = store._conn()
    for q in (
        SessionQuery(filters=(Filter("client_name", "contains", ("a",)),)),
        SessionQuery(search="faktura", filters=(Filter("channel", "in", ("Chat", "AV")),)),
    ):
        where, args = plan_where(q)
        plain = conn.execute(f"SELECT count(*) FROM sessions s WHERE {where}", args).fetchone()[0]
        assert plain > 3, q
        store._counts.clear()
        asked: list[str] = []
        conn.set_trace_callback(asked.append)
        try:
            assert store.count(q) == plain
        finally:
            conn.set_trace_callback(None)
        passes = [sql for sql in asked if "FROM sessions s WHERE" in sql]
        assert len(passes) == 1, passes
        listed = store.runner(conn)._key(q, "listed") in store._counts
        assert listed == (plain <= list_max)
        assert len(store.window(q, 0, 1000)) == plain
    store.close()


def test_a_narrow_creation_range_leads_a_broad_search_count(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broad search narrowed by a creation range holding few sessions is counted by walking
    the range's index (the search marked ``+s.id``: its matches looked up in their list); a
    range holding most sessions leaves the search leading. The count is the plain one."""
    from datetime import UTC, datetime, timedelta

    from mluvii_tui.api.models import SessionModel
    from mluvii_tui.query import runner, searchreads
    from store_samples import sample_dicts

    for module in (runner, searchreads):
        monkeypatch.setattr(module, "MEMBER_LIST_MAX", 10)  # the search is broad
    start = datetime(2026, 11, 1, tzinfo=UTC)
    dicts = sample_dicts(300)
    for i, data in enumerate(dicts):  # ids grow with the creation time, as mluvii's do
        data["created"] = (start + timedelta(hours=i)).isoformat()
    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions([SessionModel.model_validate(d) for d in dicts])
    conn = store._conn()
    day = 86400
    narrow = Filter("created", "range", low=str(start.timestamp() + 280 * 3600), high="")
    broad = Filter("created", "range", low=str(start.timestamp() - day), high="")
    empty = Filter("created", "range", low=str(start.timestamp() + 400 * 3600), high="")
    chat = Filter("channel", "in", ("Chat", "AV"))
    cases = [(narrow, (), True), (narrow, (chat,), True), (empty, (chat,), True)]
    cases += [(broad, (chat,), False), (broad, (), None)]  # None: either, by the matches' share
    for flt, others, leads in cases:
        q = SessionQuery(search="faktura", filters=(flt, *others))
        where, args = plan_where(q)
        plain = conn.execute(f"SELECT count(*) FROM sessions s WHERE {where}", args)
        expected = plain.fetchone()[0]
        store._counts.clear()
        assert store.count(q) == expected, (flt, others)
        led, _ = store.runner(conn).counting_sql(q, "count(*)")
        if leads is not None:
            assert ("INDEXED BY ix_sessions_created" in led) == leads, (flt, others)
            assert ("+s.id IN" in led) == leads, (flt, others)
            plan = " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {led}", args))
            assert ("ix_sessions_created" in plan) == leads, plan
    # a first sync's store has no sort indexes until its end: the search leads
    conn.execute("DROP INDEX ix_sessions_created")
    store._counts.clear()
    q = SessionQuery(search="faktura", filters=(narrow,))
    where, args = plan_where(q)
    expected = conn.execute(f"SELECT count(*) FROM sessions s WHERE {where}", args).fetchone()[0]
    assert store.count(q) == expected
    store.close()
