"""Store <-> filter backend: operator ids, list columns, the injectable clock, distinct values,
folded parameter values and the v1 -> v2 migration (real SQLite files)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mluvii_tui.query import runner as query_mod
from mluvii_tui.query.filterdesc import to_session_filter
from mluvii_tui.query.runner import plan_where
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.store.schema import _V1, SCHEMA_VERSION
from mluvii_tui.store.store import SessionStore
from store_samples import sample_models

CLOCK = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)  # far from the real clock on purpose


def _session(sid: int, created: datetime, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": sid,
        "channel": "Chat",
        "status": "CLOSED",
        "created": created.isoformat(),
        "ended": (created + timedelta(minutes=5)).isoformat(),
        "guest": {"callParams": {}},
    }
    data.update(extra)
    return data


def _forward(sid: int, n: int, group: str) -> dict[str, Any]:
    return {"activityId": sid * 100 + n, "type": "SessionForwarded", "toGroupName": group}


@pytest.fixture()
def store(tmp_path: Any) -> SessionStore:
    s = SessionStore(tmp_path / "s.sqlite3", now=lambda: CLOCK)
    two_ops = [
        {"userId": 117, "firstName": "Jana", "lastName": "Nová"},
        {"userId": 118, "firstName": "Petr", "lastName": "Malý"},
    ]
    s.upsert_sessions(
        [
            _session(
                1,
                CLOCK - timedelta(minutes=30),
                operators=two_ops,
                activities=[_forward(1, 1, "Podpora"), _forward(1, 2, "VIP")],
                guest={"callParams": {"Jméno": "Žofie Černá", "email": "Z@Example.cz"}},
            ),
            _session(
                2,
                CLOCK - timedelta(days=3),
                channel="Phone",
                operators=two_ops[1:],
                activities=[_forward(2, 1, "VIP klienti")],
                guest={"callParams": {"Jméno": "zofie cerna"}},
            ),
            _session(3, CLOCK - timedelta(days=40), channel="Phone"),
        ]
    )
    yield s
    s.close()


def _ids(store: SessionStore, *filters: Filter) -> list[int]:
    q = SessionQuery(view="all", filters=filters, sort=SortKey("id", False))
    return [r.id for r in store.window(q, 0, 100)]


def test_operator_in_by_id_matches_a_session_with_two_operators(store: SessionStore) -> None:
    row = store.rows([1])[0]
    assert row.operator_ids == "117,118"  # the documented format (schema.py): "," no space
    assert row.operators == "Jana Nová, Petr Malý"
    assert _ids(store, Filter("operators", "in", ("117",))) == [1]
    assert _ids(store, Filter("operators", "in", ("118",))) == [1, 2]
    assert _ids(store, Filter("operators", "in", ("Petr Malý",))) == [1, 2]
    assert _ids(store, Filter("operators", "in", ("11",))) == []  # not a prefix match
    assert _ids(store, Filter("operators", "in", ("Jana Nová", "999"))) == [1]
    model = store.get_session(1)
    assert model is not None and [o.user_id for o in model.operators] == [117, 118]


def test_groups_are_a_list_column(store: SessionStore) -> None:
    assert store.rows([1])[0].groups == "Podpora, VIP"
    assert _ids(store, Filter("groups", "in", ("VIP",))) == [1]
    assert _ids(store, Filter("groups", "in", ("VIP klienti", "Podpora"))) == [1, 2]
    assert _ids(store, Filter("groups", "in", ("Podp",))) == []


def test_time_presets_use_the_injected_clock(store: SessionStore) -> None:
    hour = Filter("created", "range", label="last hour")
    week = Filter("created", "range", label="last 7 days")
    assert _ids(store, hour) == [1]
    assert _ids(store, week) == [1, 2]
    assert store.count(SessionQuery(view="all", filters=(week,))) == 2
    store.now = CLOCK + timedelta(days=30)  # the clock moves: the cached count is not reused
    assert store.count(SessionQuery(view="all", filters=(week,))) == 0
    store.now = CLOCK  # a fixed datetime works too
    assert store.count(SessionQuery(view="all", filters=(hour,))) == 1
    sf = to_session_filter([week], now=lambda: CLOCK)
    assert sf.created is not None and sf.created.max == CLOCK
    assert to_session_filter([week], now=CLOCK).created.min.date() == datetime(2031, 3, 4).date()


def test_param_text_filters_compare_folded_values(store: SessionStore) -> None:
    assert _ids(store, Filter("param:Jméno", "equals", ("ZOFIE CERNA",))) == [1, 2]
    assert _ids(store, Filter("param:Jméno", "contains", ("černá",))) == [1, 2]
    assert _ids(store, Filter("param:email", "equals", ("z@example.CZ",))) == [1]
    assert _ids(store, Filter("param:email", "contains", ("%",))) == []
    conn = store._conn()
    assert conn.execute(
        "SELECT value_folded FROM params WHERE session_id = 1 AND name = 'Jméno'"
    ).fetchone() == ("zofie cerna",)
    q = SessionQuery(view="all", quick="CERNA", quick_columns=("param:Jméno",))
    assert store.count(q) == 2


def test_distinct_values(store: SessionStore) -> None:
    assert store.distinct_values("channel") == ["Phone", "Chat"]  # most frequent first
    assert store.distinct_values("operators") == ["Petr Malý", "Jana Nová"]
    assert store.distinct_values("groups") == ["Podpora", "VIP", "VIP klienti"]
    assert sorted(store.distinct_values("param:Jméno")) == ["zofie cerna", "Žofie Černá"]
    assert store.distinct_values("channel", limit=1) == ["Phone"]
    assert store.distinct_values("url") == []
    assert store.distinct_values("no such column") == []
    assert store.distinct_values("channel) FROM sessions; DROP TABLE sessions; --") == []
    assert store.distinct_values("param:x'); DROP TABLE sessions; --") == []
    assert store.total() == 3


def test_migration_from_v1_fills_folded_values(tmp_path: Any) -> None:
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for ddl in _V1:
        conn.execute(ddl)
    conn.execute("INSERT INTO sessions (id, created, is_live) VALUES (5, 1, 0)")
    conn.execute("INSERT INTO params VALUES (5, 'city', 'Plzeň')")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with SessionStore(path) as s:
        assert _ids(s, Filter("param:city", "equals", ("PLZEN",))) == [5]
        version = s._conn().execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION


@pytest.mark.parametrize("list_max", [20_000, 0])
@pytest.mark.parametrize("view", ["history", "all", "live"])
def test_lone_param_filter_counts_agree_with_the_plain_count(
    tmp_path: Any, view: str, list_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed matches (few) and index counts (many) give the plain query's rows."""
    monkeypatch.setattr(query_mod, "MEMBER_LIST_MAX", list_max)
    with SessionStore(tmp_path / "p.sqlite3") as s:
        s.upsert_sessions(sample_models(300))
        conn = s._conn()
        for flt in (
            Filter("param:name", "not_empty"),
            Filter("param:name", "empty"),
            Filter("param:name", "in", ("anna", "Zed")),
            Filter("param:name", "equals", ("EMILE",)),
            Filter("param:order", "contains", ("1",)),
            Filter("param:nothing", "not_empty"),
        ):
            q = SessionQuery(view=view, filters=(flt,))
            where, args = plan_where(q)
            plain = conn.execute(f"SELECT count(*) FROM sessions s WHERE {where}", args)
            assert s.count(q) == plain.fetchone()[0], flt
            rows = s.window(replace(q, sort=SortKey("waited", False)), 0, 1000)
            assert len(rows) == s.count(q)
            if rows:
                mid = rows[len(rows) // 2].id
                sq = replace(q, sort=SortKey("waited", False))
                assert s.position_of(sq, mid) == len(rows) // 2
