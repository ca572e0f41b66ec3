"""Schema v5, the narrow store: a v4 store is moved over once with progress (child tables with
names as small ints, whole-second times), the views answer as the old tables did, and the
write path fills the narrow tables the same way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mluvii_tui.query.filters import register_functions
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.store import compact
from mluvii_tui.store.schema import SCHEMA_VERSION, migrate
from mluvii_tui.store.store import SessionStore
from mluvii_tui.text import fold_value
from store_samples import sample_dicts

PARAMS = [
    (1, "Jméno", "Žofie Černá"),
    (1, "email", "z@example.cz"),
    (2, "Jméno", "Petr Malý"),
    (3, "email", None),
]
OPERATORS = [(1, 0, 105, "Jana Nová", 10.5, 20.25, 30.0), (2, 0, 106, None, None, None, None)]


def _v4_store(path: Path) -> None:
    """A store as version 4 wrote it, with three sessions, their params and operators."""
    conn = sqlite3.connect(path, isolation_level=None)
    register_functions(conn)
    migrate(conn, upto=4)
    for sid in (1, 2, 3):
        conn.execute(
            "INSERT INTO sessions (id, created, started, ended, waited_s, length_s, operators,"
            " is_live) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            (sid, 1_700_000_000.75 + sid, 1_700_000_010.5, None, 9.75, 0.5, "Jana Nová"),
        )
    conn.executemany(
        "INSERT INTO params VALUES (?, ?, ?, ?)", [(*p, fold_value(p[2])) for p in PARAMS]
    )
    conn.executemany("INSERT INTO param_names VALUES (?)", [("Jméno",), ("email",)])
    conn.executemany("INSERT INTO operators VALUES (?, ?, ?, ?, ?, ?, ?)", OPERATORS)
    conn.close()


def _ids(store: SessionStore, *filters: Filter, sort: SortKey | None = None) -> list[int]:
    q = SessionQuery(view="all", filters=filters, sort=sort or SortKey("id", False))
    return [row.id for row in store.window(q, 0, 100)]


def test_a_v4_store_is_compacted_once_with_progress(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "v4.sqlite3"
    _v4_store(path)
    monkeypatch.setattr(compact, "REPORT_FROM", 1)
    monkeypatch.setattr(compact, "STEP", 2)
    store = SessionStore(path)
    err = capsys.readouterr().err
    assert "compacting 2 of 3 sessions" in err and "compacting 3 of 3 sessions" in err
    conn = store._conn()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows = conn.execute("SELECT session_id, name, value FROM params ORDER BY 1, 2").fetchall()
    assert rows == sorted(PARAMS, key=lambda p: (p[0], p[1]))
    assert conn.execute("SELECT count(*) FROM param_values").fetchone()[0] == len(PARAMS)
    ops = conn.execute("SELECT * FROM operators ORDER BY session_id").fetchall()
    assert ops == [(1, 0, 105, "Jana Nová"), (2, 0, 106, None)]
    gone = "SELECT name FROM sqlite_master WHERE name LIKE '%_v4' OR name LIKE '%tags%'"
    assert conn.execute(gone).fetchall() == []  # moved tables, and tags (no query read it)
    live = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_sessions_live'")
    assert live.fetchone()[0].endswith("WHERE is_live = 1")
    times = conn.execute("SELECT created, waited_s, length_s, ended FROM sessions WHERE id = 1")
    assert times.fetchone() == (1_700_000_001, 9, 0, None)  # whole seconds (floor)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert store.param_names() == ["Jméno", "email"]
    assert _ids(store, Filter("param:Jméno", "equals", ("ZOFIE CERNA",))) == [1]
    assert _ids(store, Filter("param:Jméno", "contains", ("mal",))) == [2]
    assert _ids(store, Filter("param:email", "empty")) == [2, 3]
    assert _ids(store, Filter("operators", "in", ("Jana Nová",))) == [1]
    assert _ids(store, Filter("operators", "in", ("106",))) == [2]
    assert _ids(store, sort=SortKey("param:Jméno", False)) == [2, 1, 3]
    assert store.distinct_values("operators") == ["Jana Nová"]
    store.close()
    store = SessionStore(path)  # opened again: nothing to move, nothing said
    assert capsys.readouterr().err == ""
    assert _ids(store, Filter("param:Jméno", "in", ("petr malý",))) == [2]
    store.close()


def test_written_sessions_fill_the_narrow_tables(tmp_path: Path) -> None:
    sessions = sample_dicts(40)
    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(sessions)
    conn = store._conn()
    want = {
        (s["id"], k, v)
        for s in sessions
        for k, v in ((s.get("guest") or {}).get("callParams") or {}).items()
    }
    got = set(conn.execute("SELECT session_id, name, value FROM params").fetchall())
    assert got == want and want
    folded = conn.execute("SELECT value, value_folded FROM params WHERE value IS NOT NULL")
    assert all(f == fold_value(v) for v, f in folded)
    ops = {(s["id"], o.get("userId")) for s in sessions for o in s.get("operators") or []}
    assert set(conn.execute("SELECT session_id, user_id FROM operators").fetchall()) == ops
    created = conn.execute("SELECT created FROM sessions").fetchall()
    assert all(c == int(c) for (c,) in created if c is not None)
    # a changed session's child rows are replaced, not added to
    first = sessions[0]
    changed = {**first, "guest": {**first["guest"], "callParams": {"nové": "Ano"}}}
    assert store.upsert_sessions([changed]).updated == 1
    rows = conn.execute("SELECT name, value FROM params WHERE session_id = ?", (first["id"],))
    assert rows.fetchall() == [("nové", "Ano")]
    store.close()


def test_writers_may_insert_into_the_views(tmp_path: Path) -> None:
    """Benchmarks and tests write the old shape; the views' triggers map the names."""
    store = SessionStore(tmp_path / "s.sqlite3")
    conn = store._conn()
    conn.execute("INSERT INTO sessions (id, is_live) VALUES (7, 0)")
    conn.execute("INSERT INTO params VALUES (7, 'město', 'Plzeň', 'plzen')")
    conn.execute("INSERT INTO operators (session_id, seq, user_id, name) VALUES (7, 0, 5, 'Eva')")
    assert _ids(store, Filter("param:město", "equals", ("PLZEN",))) == [7]
    assert _ids(store, Filter("operators", "in", ("Eva",))) == [7]
    conn.execute("DELETE FROM params WHERE session_id = 7")
    assert conn.execute("SELECT count(*) FROM param_values").fetchone()[0] == 0
    store.close()


def test_child_lookups_stay_covering(tmp_path: Path) -> None:
    """The views' joins do not cost a table read per match (EXPLAIN QUERY PLAN)."""
    store = SessionStore(tmp_path / "s.sqlite3")
    conn = store._conn()

    def plan(sql: str) -> str:
        return " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))

    by_user = plan("SELECT o.session_id FROM operators o WHERE o.user_id IN (105)")
    assert "COVERING INDEX ix_operator_rows_user" in by_user
    by_name = plan("SELECT o.session_id FROM operators o WHERE o.name IN ('Eva')")
    assert "COVERING INDEX ix_operator_rows_name" in by_name
    folded = plan("SELECT p.session_id FROM params p WHERE p.name = 'x' AND p.value_folded = 'a'")
    assert "COVERING INDEX ix_param_values_folded" in folded
    contains = plan(
        "SELECT p.session_id FROM params p WHERE p.name = 'x' AND instr(p.value_folded, 'a') > 0"
    )
    assert "COVERING INDEX ix_param_values_folded" in contains
    valued = plan("SELECT p.session_id FROM params p WHERE p.name = 'x' AND p.value IN ('a')")
    assert "COVERING INDEX ix_param_values_value" in valued
    store.close()
