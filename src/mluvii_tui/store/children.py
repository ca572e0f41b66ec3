"""The child tables of ``sessions`` in their narrow shape (schema v5), and how rows get there.

``params`` and ``operators`` are views with the columns every query has always read
(``params``: session_id, name, value, value_folded; ``operators``: session_id, seq, user_id,
name) over narrow tables:

* ``param_values`` (session_id, name_id, value, folded): the name as a small int of
  ``param_names`` (id, name). (``folded`` stays even where it equals ``value``: an expression
  index over ``coalesce(folded, value)`` would save ~30 B/session but SQLite 3.40 cannot scan
  it as a covering index, and a "contains" would read the table row of every value);
* ``operator_rows`` (session_id, seq, user_id, name_id): the name as a small int of
  ``operator_names``; the operators' times live only in the kept JSON (nothing queried them).

(v4's ``tags`` table is gone: no query read it; tag filters use ``sessions.tags``.)

SQLite flattens the views, so ``p.name = ?`` is one lookup in ``param_names`` followed by the
(name_id, ...) indexes. INSTEAD OF triggers let any writer (benchmarks, tests) insert into
the views; the store's own write path (``write_children``) maps names itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

#: Indexes of the child tables (name -> target), dropped and built once by a first sync like
#: the sessions indexes (schema.SESSION_INDEXES includes them).
CHILD_INDEXES: dict[str, str] = {
    "ix_param_values_value": "param_values(name_id, value, session_id)",
    "ix_param_values_folded": "param_values(name_id, folded, session_id)",
    # name_id too: the view's join reads it, so without it a lookup by user id reads the table
    "ix_operator_rows_user": "operator_rows(user_id, session_id, name_id)",
    "ix_operator_rows_name": "operator_rows(name_id, session_id)",
}

TABLES: list[str] = [
    "CREATE TABLE param_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE param_values (session_id INTEGER NOT NULL, name_id INTEGER NOT NULL,"
    " value TEXT COLLATE NOCASE, folded TEXT, PRIMARY KEY (session_id, name_id)) WITHOUT ROWID",
    "CREATE TABLE operator_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE operator_rows (session_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " user_id INTEGER, name_id INTEGER, PRIMARY KEY (session_id, seq)) WITHOUT ROWID",
    "CREATE VIEW params (session_id, name, value, value_folded) AS"
    " SELECT v.session_id, n.name, v.value, v.folded"
    " FROM param_values v JOIN param_names n ON n.id = v.name_id",
    "CREATE VIEW operators (session_id, seq, user_id, name) AS"
    " SELECT o.session_id, o.seq, o.user_id, n.name"
    " FROM operator_rows o LEFT JOIN operator_names n ON n.id = o.name_id",
    "CREATE TRIGGER params_insert INSTEAD OF INSERT ON params BEGIN"
    " INSERT OR IGNORE INTO param_names (name) VALUES (new.name);"
    " INSERT OR REPLACE INTO param_values VALUES (new.session_id,"
    " (SELECT id FROM param_names WHERE name = new.name), new.value, new.value_folded); END",
    "CREATE TRIGGER params_delete INSTEAD OF DELETE ON params BEGIN"
    " DELETE FROM param_values WHERE session_id = old.session_id"
    " AND name_id = (SELECT id FROM param_names WHERE name = old.name); END",
    "CREATE TRIGGER operators_insert INSTEAD OF INSERT ON operators BEGIN"
    " INSERT OR IGNORE INTO operator_names (name) SELECT new.name WHERE new.name IS NOT NULL;"
    " INSERT OR REPLACE INTO operator_rows VALUES (new.session_id, new.seq, new.user_id,"
    " (SELECT id FROM operator_names WHERE name = new.name)); END",
    "CREATE TRIGGER operators_delete INSTEAD OF DELETE ON operators BEGIN"
    " DELETE FROM operator_rows WHERE session_id = old.session_id AND seq = old.seq; END",
]


def _name_ids(conn: sqlite3.Connection, table: str, names: set[str]) -> dict[str, int]:
    """Ids of ``names`` in a names table, adding the new ones (in the caller's transaction)."""
    if not names:
        return {}
    listed = sorted(names)
    conn.executemany(f"INSERT OR IGNORE INTO {table} (name) VALUES (?)", [(n,) for n in listed])
    ids: dict[str, int] = {}
    for start in range(0, len(listed), 500):
        part = listed[start : start + 500]
        marks = ", ".join("?" for _ in part)
        found = conn.execute(f"SELECT id, name FROM {table} WHERE name IN ({marks})", part)
        ids.update((n, i) for i, n in found)
    return ids


def write_children(
    conn: sqlite3.Connection,
    params: Sequence[tuple[int, str, str | None, str | None]],
    operators: Iterable[tuple[int, int, int | None, str | None]],
) -> None:
    """Insert parameter rows (session_id, name, value, folded value) and operator rows
    (session_id, seq, user_id, name) of sessions whose old rows are gone."""
    names = _name_ids(conn, "param_names", {p[1] for p in params})
    conn.executemany(
        "INSERT OR REPLACE INTO param_values VALUES (?, ?, ?, ?)",
        [(s, names[n], v, f) for s, n, v, f in params],
    )
    ops = list(operators)
    who = _name_ids(conn, "operator_names", {o[3] for o in ops if o[3] is not None})
    conn.executemany(
        "INSERT OR REPLACE INTO operator_rows VALUES (?, ?, ?, ?)",
        [(s, q, u, None if n is None else who[n]) for s, q, u, n in ops],
    )


def delete_children(conn: sqlite3.Connection, session_ids: Sequence[tuple[int]]) -> None:
    """Take the child rows of sessions out (before they are written again)."""
    for table in ("param_values", "operator_rows"):
        conn.executemany(f"DELETE FROM {table} WHERE session_id = ?", session_ids)
