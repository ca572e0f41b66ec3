"""The quick-filter index (FTS5 trigram over folded quick columns): same answers as folding every
value in Python, kept current by every write, built once when an older store is opened."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mluvii_tui.query.columns import column_by_id
from mluvii_tui.query.filters import filters_sql, register_functions
from mluvii_tui.query.quickindex import BY_VALUE, QUICK_TABLES, RARE_TABLE
from mluvii_tui.query.quicksql import quick_sql
from mluvii_tui.query.types import Filter
from mluvii_tui.store import quickindex
from mluvii_tui.store.schema import SCHEMA_VERSION, migrate
from mluvii_tui.store.store import SessionStore
from mluvii_tui.text import fold_value
from store_samples import sample_dicts

# Czech letters (decided by GLOB classes) and a few the classes cannot decide (listed in
# quick_rare): "ß" folds to two letters, Cyrillic, a combining accent, a ligature, an emoji.
LETTERS = (
    "aáäbcčdďeéěfghiíjklľmnňoóôpqrřsštťuúůvwxyýzžAÁBČDĎEÉĚNŇOÓRŘSŠTŤUÚŮYÝZŽ .@-ßЖж\u0301ﬁ½😀[]^*?"
)
VALUE = st.one_of(st.none(), st.text(LETTERS, max_size=14))
ROW = st.fixed_dictionaries(
    {"client_name": VALUE, "client_email": VALUE, "operators": VALUE, "url": VALUE}
)
WORDS = st.lists(st.text(LETTERS.replace(" ", ""), min_size=1, max_size=5), min_size=1, max_size=3)
FIELDS = ("client_name", "client_email", "operators", "url")


def _db(rows: list[dict]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    register_functions(conn)
    migrate(conn)
    for i, row in enumerate(rows, 1):
        conn.execute(
            "INSERT INTO sessions (id, client_name, client_email, operators, url, channel)"
            " VALUES (?, ?, ?, ?, ?, 'Chat')",
            (i, *(row[f] for f in FIELDS)),
        )
    return conn


def _ids(conn: sqlite3.Connection, sql: str, params: list) -> list[int]:
    return [
        r[0] for r in conn.execute(f"SELECT s.id FROM sessions s WHERE {sql} ORDER BY 1", params)
    ]


def _index_terms(conn: sqlite3.Connection) -> list[tuple]:
    """Every (table, term, session, offset) the contentless index holds; for a field indexed
    by value, (table, term, value, offset) and (values table, value)."""
    terms = []
    for field, table in QUICK_TABLES.items():
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_{table}"
            f" USING fts5vocab(main, {table}, instance)"
        )
        if field in BY_VALUE:
            rows = conn.execute(
                f"SELECT term, v.v, offset FROM temp.v_{table} JOIN {BY_VALUE[field]} v"
                " ON v.id = doc"
            )
            values = conn.execute(f"SELECT v FROM {BY_VALUE[field]}")
            terms += [(BY_VALUE[field], *row) for row in values]  # as a fresh build: no others
        else:
            rows = conn.execute(f"SELECT term, doc, offset FROM temp.v_{table}")
        terms += [(table, *row) for row in rows]
    rare = conn.execute(f"SELECT * FROM {RARE_TABLE}")
    terms += [(RARE_TABLE, *(str(v) for v in row)) for row in rare]
    return sorted(terms)


def _rebuilt_terms(conn: sqlite3.Connection) -> list[tuple]:
    """What a fresh build over the sessions as they are now would hold (then rolled back)."""
    conn.execute("SAVEPOINT fresh")
    quickindex.drop(conn)
    quickindex.build(conn)
    terms = _index_terms(conn)
    conn.execute("ROLLBACK TO fresh")
    conn.execute("RELEASE fresh")
    return terms


def _python(rows: list[dict], words: list[str], fields: tuple[str, ...]) -> list[int]:
    """The old semantics: every folded word is inside one folded value."""
    folded = [fold_value(w) for w in words]
    return [
        i
        for i, row in enumerate(rows, 1)
        if all(any(w in (fold_value(row[f]) or "") for f in fields) for w in folded if w)
    ]


@settings(max_examples=80, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=10), WORDS)
def test_quick_filter_equals_python_fold(rows: list[dict], words: list[str]) -> None:
    conn = _db(rows)
    cols = [column_by_id(f) for f in FIELDS]
    for scan in (False, True):  # the trigram index, or each row tested (GLOB, quick_rare)
        sql, params = quick_sql(" ".join(words), cols, scan=scan)
        assert "fold(" not in sql  # no Python function per row
        assert _ids(conn, sql, params) == _python(rows, words, FIELDS)


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=10), st.text(LETTERS, min_size=1, max_size=6))
def test_contains_filter_equals_python_fold(rows: list[dict], needle: str) -> None:
    conn = _db(rows)
    want = [
        i
        for i, row in enumerate(rows, 1)
        if (fold_value(needle) or "") in (fold_value(row["client_name"]) or "")
    ]
    for scan in (False, True):  # the trigram index, or each row's stored folded text
        flt = Filter("client_name", "contains", (needle,))
        sql, params = filters_sql([flt], column_by_id, scan=scan)
        assert ("quick_client_name" in sql) == (not scan and len(fold_value(needle) or "") >= 3)
        assert _ids(conn, sql, params) == want


def test_replaced_and_deleted_sessions_leave_the_index() -> None:
    conn = _db(
        [{"client_name": "Jana Nováková", "client_email": None, "operators": None, "url": None}]
    )
    cols = [column_by_id("client_name")]
    assert _ids(conn, *quick_sql("novak", cols)) == [1]
    conn.execute("INSERT OR REPLACE INTO sessions (id, client_name) VALUES (1, 'Petr Dvořák')")
    assert _ids(conn, *quick_sql("novak", cols)) == []
    assert _ids(conn, *quick_sql("dvorak", cols)) == [1]
    conn.execute("UPDATE sessions SET client_name = 'Eva Malá' WHERE id = 1")
    assert _ids(conn, *quick_sql("dvorak", cols)) == []
    assert _ids(conn, *quick_sql("mala", cols)) == [1]
    assert _index_terms(conn) == _rebuilt_terms(conn)
    conn.execute("DELETE FROM sessions WHERE id = 1")
    assert _ids(conn, *quick_sql("mala", cols)) == []
    assert _index_terms(conn) == []  # contentless: forgotten by its exact old terms


OP = st.tuples(st.sampled_from(["replace", "update", "delete"]), st.integers(1, 4), ROW)


@settings(max_examples=40, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=4), st.lists(OP, max_size=8))
def test_every_write_leaves_the_index_as_a_fresh_build(rows: list[dict], ops: list) -> None:
    """The index keeps no copy of the text: every replace, update and delete must forget the
    old terms exactly (re-folded from the old row), or it would answer for text long gone."""
    conn = _db(rows)
    for op, sid, row in ops:
        values = [row[f] for f in FIELDS]
        if op == "replace":
            conn.execute(
                "INSERT OR REPLACE INTO sessions (id, client_name, client_email, operators, url,"
                " channel) VALUES (?, ?, ?, ?, ?, 'Chat')",
                (sid, *values),
            )
        elif op == "update":
            conn.execute(
                "UPDATE sessions SET client_name = ?, client_email = ?, operators = ?, url = ?"
                " WHERE id = ?",
                (*values, sid),
            )
        else:
            conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))
    assert _index_terms(conn) == _rebuilt_terms(conn)


def _v2_store(path: Path, names: list[str]) -> None:
    """A store as version 2 wrote it (no quick index), with a few sessions."""
    conn = sqlite3.connect(path, isolation_level=None)
    register_functions(conn)
    migrate(conn, upto=2)  # the real steps, up to version 2
    for i, name in enumerate(names, 1):
        conn.execute("INSERT INTO sessions (id, client_name) VALUES (?, ?)", (i, name))
    conn.close()


def test_old_store_is_migrated_once_with_progress(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "old.sqlite3"
    _v2_store(path, ["Jana Nováková", "Petr Dvořák", "Eva Nováčková"])
    monkeypatch.setattr(quickindex, "REPORT_FROM", 1)
    store = SessionStore(path)
    assert "quick-filter index 3 of 3 sessions" in capsys.readouterr().err
    cols = [column_by_id("client_name")]
    with store.reading() as conn:
        assert _ids(conn, *quick_sql("novak", cols)) == [1]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()
    store = SessionStore(path)  # opened again: nothing to build, nothing said
    assert capsys.readouterr().err == ""
    with store.reading() as conn:
        assert _ids(conn, *quick_sql("novac", cols)) == [3]
    store.close()


def test_v5_store_drops_the_content_table_once_with_progress(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """A v5 store kept the folded text twice (``quick_text`` + an external-content index): the
    v6 step rebuilds the index contentless over the stored sessions, once, with progress."""
    path = tmp_path / "v5.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    register_functions(conn)
    migrate(conn, upto=5)
    quickindex.drop(conn)
    cols = ", ".join(quickindex.QUICK_FIELDS.values())
    conn.execute(  # v5's layout, as its DDL was
        f"CREATE TABLE quick_text (session_id INTEGER PRIMARY KEY, {cols})"
    )
    conn.execute(
        f"CREATE VIRTUAL TABLE quick_fts USING fts5({cols}, content='quick_text',"
        " content_rowid='session_id', tokenize='trigram case_sensitive 1')"
    )
    for i, name in enumerate(["Jana Nováková", "Petr Dvořák", "Иван Жуков"], 1):
        conn.execute("INSERT INTO sessions (id, client_name) VALUES (?, ?)", (i, name))
        conn.execute(
            "INSERT INTO quick_text (session_id, client_name) VALUES (?, fold(?))", (i, name)
        )
    conn.execute("INSERT INTO quick_fts(quick_fts) VALUES ('rebuild')")
    for name in ("quick_ai", "quick_au", "quick_ad"):  # v5's triggers (bodies do not matter)
        conn.execute(f"CREATE TRIGGER {name} AFTER DELETE ON sessions BEGIN SELECT 1; END")
    conn.close()
    monkeypatch.setattr(quickindex, "REPORT_FROM", 1)
    store = SessionStore(path)
    assert "quick-filter index 3 of 3 sessions" in capsys.readouterr().err
    with store.reading() as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert not {"quick_text", "quick_fts"} & names and "quick_bi" in names
        client = [column_by_id("client_name")]
        assert _ids(conn, *quick_sql("dvorak", client)) == [2]
        assert _ids(conn, *quick_sql("ř", client)) == [2]  # a GLOB of "rRŕŔřŘ…"
        # Cyrillic is not decided by the GLOB: the session is listed with its fold
        assert conn.execute("SELECT session_id, client_name FROM quick_rare").fetchall() == [
            (3, "иван жуков")
        ]
        assert _ids(conn, *quick_sql("жу", client)) == [3]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()
    store = SessionStore(path)  # opened again: nothing to build, nothing said
    assert capsys.readouterr().err == ""
    store.close()


def test_queries_fold_the_sessions_while_a_first_sync_loads_without_the_index() -> None:
    """A first sync drops the index's triggers and builds it at the end; meanwhile the quick
    filter and "contains" filters fold the session columns themselves (rows are found)."""
    from mluvii_tui.query.runner import QueryRunner
    from mluvii_tui.query.types import SessionQuery

    conn = _db([])
    quickindex.drop_triggers(conn)
    conn.execute(
        "INSERT INTO sessions (id, client_name, operators, channel, is_live)"
        " VALUES (7, 'Jana Nováková', 'Petr Dvořák', 'Chat', 0)"
    )
    assert _index_terms(conn) == []
    queries = [
        SessionQuery(view="all", quick="novak"),
        SessionQuery(view="all", quick="no"),
        SessionQuery(view="all", quick="dvor"),
        SessionQuery(view="all", quick="7"),
        SessionQuery(view="all", filters=(Filter("client_name", "contains", ("NOVÁK",)),)),
    ]
    for query in queries:
        runner = QueryRunner(conn, {})
        assert "quick_" not in runner.where(query)[0]
        assert runner.count(query) == 1, query
    quickindex.ensure(conn)  # the end of the first sync: one pass, then the index answers
    runner = QueryRunner(conn, {})
    assert "quick_client_name" in runner.where(queries[0])[0]
    assert runner.count(queries[0]) == 1


def test_operators_are_indexed_once_per_value_and_go_with_their_last_session() -> None:
    """Operators repeat from session to session: the index holds each list once (schema v7),
    finds every session with a matching one, and forgets a list with its last session."""
    row = {"client_name": None, "client_email": None, "url": None}
    conn = _db(
        [
            {**row, "operators": "Petr Dvořák"},
            {**row, "operators": "Petr Dvořák"},
            {**row, "operators": "Jana Malá, Petr Dvořák"},
        ]
    )
    cols = [column_by_id("operators")]
    values = "SELECT v FROM quick_operators_values ORDER BY v"
    assert conn.execute(values).fetchall() == [("Jana Malá, Petr Dvořák",), ("Petr Dvořák",)]
    sql, params = quick_sql("dvorak", cols)
    assert "quick_operators" in sql
    assert _ids(conn, sql, params) == [1, 2, 3]
    conn.execute("DELETE FROM sessions WHERE id = 1")
    assert _ids(conn, *quick_sql("dvorak", cols)) == [2, 3]
    conn.execute("UPDATE sessions SET operators = 'Eva Nová' WHERE id = 2")
    assert conn.execute(values).fetchall() == [("Eva Nová",), ("Jana Malá, Petr Dvořák",)]
    assert _ids(conn, *quick_sql("dvorak", cols)) == [3]
    assert _ids(conn, *quick_sql("nova", cols)) == [2]
    conn.execute("INSERT OR REPLACE INTO sessions (id, operators) VALUES (3, 'Eva Nová')")
    assert conn.execute(values).fetchall() == [("Eva Nová",)]
    assert _ids(conn, *quick_sql("nova", cols)) == [2, 3]
    assert _index_terms(conn) == _rebuilt_terms(conn)


def _first_sync_store(path: Path) -> tuple[SessionStore, list[dict]]:
    """A first sync's store, half loaded: indexes dropped, the writer indexing its pages, one
    page written again with changed sessions (what paging by offset delivers twice)."""
    sessions = sample_dicts(60, seed=5)
    for n, session in enumerate(sessions):
        session["guest"]["callParams"] = {"name": f"Žofie Nová {n}", "email": f"z{n}@ex.cz"}
        session["url"] = f"https://shop.example.com/{n % 3}"
        session["operators"][:] = session["operators"][:1]
    store = SessionStore(path)
    assert store.drop_indexes_if_empty()
    store.upsert_sessions(sessions[:40], batch_size=20)
    changed = copy.deepcopy(sessions[10:30])
    for session in changed:
        session["guest"]["callParams"]["name"] = "Petr Dvořák"
        session["url"] = "https://other.example.org/ß"  # a value quick_rare lists
        session["operators"] = [{"userId": 9, "firstName": "Eva", "lastName": "Malá"}]
    result = store.upsert_sessions(changed + sessions[40:], batch_size=20)
    assert (result.updated, result.inserted) == (20, 20)
    return store, sessions


def test_a_first_sync_writes_the_quick_index_page_by_page(tmp_path: Path) -> None:
    """The writer of a first sync indexes each page in its transaction (no triggers): at the
    end only the by-value fields and the triggers are left, and the index is a fresh build's."""
    store, _ = _first_sync_store(tmp_path / "s.sqlite3")
    merging = "SELECT k, v FROM {}_config WHERE k IN ('automerge', 'crisismerge') ORDER BY k"
    with store.reading() as conn:
        assert quickindex.by_writer(conn) and not quickindex.is_current(conn)
        for table in ("fts", "quick_client_name", "quick_url"):  # (schema.BULK_MERGE)
            assert conn.execute(merging.format(table)).fetchall() == [
                ("automerge", 32),
                ("crisismerge", 64),
            ]
    store.ensure_indexes()
    with store.reading() as conn:
        assert quickindex.is_current(conn) and not quickindex.by_writer(conn)
        for table in ("fts", "quick_client_name", "quick_url"):  # SQLite's defaults again
            assert conn.execute(merging.format(table)).fetchall() == [
                ("automerge", 4),
                ("crisismerge", 16),
            ]
        names = [column_by_id("client_name")]
        dvorak = [
            r[0]
            for r in conn.execute("SELECT id FROM sessions WHERE client_name = ?", ("Petr Dvořák",))
        ]
        assert len(dvorak) == 20
        assert _ids(conn, *quick_sql("dvorak", names)) == sorted(dvorak)
        assert _ids(conn, *quick_sql("mala", [column_by_id("operators")])) == sorted(dvorak)
        assert len(_ids(conn, *quick_sql("nova", names))) == 40
        conn.execute("BEGIN")
        try:
            assert _index_terms(conn) == _rebuilt_terms(conn)
        finally:
            conn.execute("ROLLBACK")
    store.close()


def test_a_first_sync_killed_midway_finishes_its_quick_index_on_open(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store, _ = _first_sync_store(path)
    store.close()  # killed before ensure_indexes: the next open finishes the index
    with SessionStore(path) as store, store.reading() as conn:
        assert quickindex.is_current(conn) and not quickindex.by_writer(conn)
        conn.execute("BEGIN")
        try:
            assert _index_terms(conn) == _rebuilt_terms(conn)
        finally:
            conn.execute("ROLLBACK")
