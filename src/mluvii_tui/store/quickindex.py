"""DDL, triggers and the one-time build of the quick-filter index (see query/quickindex.py).

The triggers call the SQL function ``fold`` (``query.filters.register_functions``), which every
connection that writes sessions registers; the store, the benchmarks' generators and the tests
write through them, so the index can never lag behind the sessions it describes.
"""

from __future__ import annotations

import json
import sqlite3

from mluvii_tui.query.foldglob import irregular_glob
from mluvii_tui.query.quickindex import (
    BY_VALUE,
    QUICK_FIELDS,
    QUICK_TABLES,
    RARE_FIELDS,
    RARE_TABLE,
    TRIGGER_NAMES,
    follows,
)
from mluvii_tui.text import fold_value

from .progress import Progress, stderr_progress


def _folded(field: str, prefix: str) -> str:
    column = f"CAST({prefix}.id AS TEXT)" if field == "id" else f"{prefix}.{field}"
    return f"fold({column})"


#: The quick fields indexed per session (rowid = session id); the others are by value.
_PER_SESSION = {f: t for f, t in QUICK_TABLES.items() if f not in BY_VALUE}


def _forget(prefix: str) -> str:
    """Statements forgetting the index entries of the row ``prefix`` (``old``), after it
    changed or went: its value of a by-value field goes when no other session has it."""
    return " ".join(
        [
            *(
                f"INSERT INTO {t}({t}, rowid, t)"
                f" VALUES ('delete', {prefix}.id, {_folded(f, prefix)});"
                for f, t in _PER_SESSION.items()
            ),
            *(
                _unused(f, values, f"{prefix}.{f}", f"{prefix}.id")
                for f, values in BY_VALUE.items()
            ),
        ]
    )


def _unused(field: str, values: str, value: str, sid: str) -> str:
    """Delete ``value`` from ``values`` unless a session other than ``sid`` has it (the
    session index over ``field`` answers)."""
    return (
        f"DELETE FROM {values} WHERE v = {value} AND NOT EXISTS"
        f" (SELECT 1 FROM sessions WHERE {field} = {value} AND id <> {sid});"
    )


def _add(prefix: str) -> str:
    return " ".join(
        [
            *(
                f"INSERT INTO {t}(rowid, t) VALUES ({prefix}.id, {_folded(f, prefix)});"
                for f, t in _PER_SESSION.items()
            ),
            *(
                f"INSERT OR IGNORE INTO {values}(v) SELECT {prefix}.{f}"
                f" WHERE {prefix}.{f} IS NOT NULL;"
                for f, values in BY_VALUE.items()
            ),
        ]
    )


def _sql_text(text: str) -> str:
    """A SQL expression for ``text`` (quotes doubled, control characters as ``char(n)``)."""
    parts: list[str] = []
    run = ""
    for char in text:
        if char.isprintable():
            run += char
            continue
        if run:
            parts.append("'" + run.replace("'", "''") + "'")
            run = ""
        parts.append(f"char({ord(char)})")
    if run:
        parts.append("'" + run.replace("'", "''") + "'")
    return " || ".join(parts)


def _rare_select(prefix: str, where: str = "") -> str:
    """INSERT into ``quick_rare`` of the row ``prefix`` (``new``, or ``sessions`` rows
    matching ``where``) when one of its quick values has a character the GLOB classes do not
    decide (query/foldglob.py)."""
    irregular = _sql_text(irregular_glob())
    folded = ", ".join(_folded(f, prefix) for f in RARE_FIELDS)
    tests = " OR ".join(
        f"(length(CAST({prefix}.{f} AS BLOB)) <> length({prefix}.{f})"
        f" AND {prefix}.{f} GLOB {irregular})"
        for f in RARE_FIELDS
    )
    columns = ", ".join(QUICK_FIELDS[f] for f in RARE_FIELDS)
    source = f" FROM sessions WHERE {where} AND" if where else " WHERE"
    return (
        f"INSERT INTO {RARE_TABLE}(session_id, {columns})"
        f" SELECT {prefix}.id, {folded}{source} ({tests})"
    )


def _rare_add(prefix: str) -> str:
    return f"DELETE FROM {RARE_TABLE} WHERE session_id = {prefix}.id; {_rare_select(prefix)};"


# One contentless trigram table per column: the text is a fold of the session's own columns
# (not kept twice), and a single column keeps its positions (phrase queries: exact matches)
# without the 2-byte column marker a multi-column table writes per term (schema v6: 273 ->
# ~190 B per session).
TABLES: list[str] = [
    f"CREATE VIRTUAL TABLE {t} USING fts5(t, content='', columnsize=0,"
    " tokenize='trigram case_sensitive 1')"
    for t in QUICK_TABLES.values()
]
# The folded quick values of the few sessions that the GLOB classes cannot decide (a value
# with a character outside U+0001..U+024F or one folding to two, such as "ß"): short needles
# test the rest in SQLite's C code (query/foldglob.py), these by their fold. Usually empty.
TABLES.append(
    f"CREATE TABLE {RARE_TABLE} (session_id INTEGER PRIMARY KEY, "
    + ", ".join(f"{QUICK_FIELDS[f]} TEXT" for f in RARE_FIELDS)
    + ")"
)
# Each distinct value of a by-value field once (query/quickindex.py, ``BY_VALUE``): its FTS5
# table indexes the fold of ``v`` under the value's id.
TABLES += [
    f"CREATE TABLE {values} (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)"
    for values in BY_VALUE.values()
]

#: A contentless index forgets a row only by the exact terms it was given: the old terms are
#: folded again from the old row (``fold`` is deterministic). INSERT OR REPLACE deletes the old
#: row without firing DELETE triggers (recursive_triggers is off): a BEFORE INSERT trigger
#: forgets the row about to be replaced while it is still there. Updates of other columns
#: (is_live, ...) fire nothing.
TRIGGERS: list[str] = [
    "CREATE TRIGGER quick_bi BEFORE INSERT ON sessions"
    " WHEN EXISTS (SELECT 1 FROM sessions WHERE id = new.id) BEGIN "
    + " ".join(
        f"INSERT INTO {t}({t}, rowid, t) SELECT 'delete', s.id, {_folded(f, 's')}"
        " FROM sessions s WHERE s.id = new.id;"
        for f, t in _PER_SESSION.items()
    )
    + " "
    + " ".join(
        _unused(f, values, f"(SELECT {f} FROM sessions WHERE id = new.id)", "new.id")
        for f, values in BY_VALUE.items()
    )
    + " END",
    f"CREATE TRIGGER quick_ai AFTER INSERT ON sessions BEGIN {_add('new')} {_rare_add('new')} END",
    f"CREATE TRIGGER quick_au AFTER UPDATE OF {', '.join(QUICK_FIELDS)} ON sessions"
    f" BEGIN {_forget('old')} {_add('new')} {_rare_add('new')} END",
    f"CREATE TRIGGER quick_ad AFTER DELETE ON sessions BEGIN {_forget('old')}"
    f" DELETE FROM {RARE_TABLE} WHERE session_id = old.id; END",
]
for _field, _values in BY_VALUE.items():
    _fts = QUICK_TABLES[_field]
    TRIGGERS += [
        f"CREATE TRIGGER {_values}_ai AFTER INSERT ON {_values}"
        f" BEGIN INSERT INTO {_fts}(rowid, t) VALUES (new.id, fold(new.v)); END",
        f"CREATE TRIGGER {_values}_ad AFTER DELETE ON {_values} BEGIN"
        f" INSERT INTO {_fts}({_fts}, rowid, t) VALUES ('delete', old.id, fold(old.v)); END",
    ]

#: Sessions indexed per step of a build (one progress report each).
BUILD_STEP = 50_000
#: Builds of at least this many sessions report their progress on stderr.
REPORT_FROM = 50_000


def drop(conn: sqlite3.Connection) -> None:
    """Remove triggers and tables (a bulk loader rebuilds them afterwards with ``build``)."""
    drop_triggers(conn)
    for table in [*QUICK_TABLES.values(), RARE_TABLE, *BY_VALUE.values()]:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute("DROP TABLE IF EXISTS quick_fts")  # one table for all columns before v6
    conn.execute("DROP TABLE IF EXISTS quick_text")  # and its content table


def build(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    """Create the index over the sessions already stored (in the caller's transaction), then
    the triggers that keep it current. ``progress(done, total)`` after every step; by default
    stderr reports builds of ``REPORT_FROM`` sessions or more."""
    conn.create_function("fold", 1, fold_value, deterministic=True)
    for ddl in TABLES:
        conn.execute(ddl)
    total = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
    if progress is None and total >= REPORT_FROM:
        progress = stderr_progress("quick-filter index")
    done = 0
    last = -1
    while True:
        ids = conn.execute(
            "SELECT id FROM sessions WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?",
            (last, BUILD_STEP - 1),
        ).fetchone()
        high = ids[0] if ids else None
        bounds = "id > ?" + ("" if high is None else " AND id <= ?")
        args = (last,) if high is None else (last, high)
        for field, table in _PER_SESSION.items():
            cur = conn.execute(
                f"INSERT INTO {table}(rowid, t)"
                f" SELECT id, {_folded(field, 'sessions')} FROM sessions WHERE {bounds}",
                args,
            )
            step = cur.rowcount
        conn.execute(_rare_select("sessions", bounds), args)
        done += step
        if progress is not None:
            progress(min(done, total), total)
        if high is None:
            break
        last = high
    _values_and_triggers(conn)


def _values_and_triggers(conn: sqlite3.Connection) -> None:
    """The by-value fields' values in one pass over the sessions (their tables empty), their
    index, then the triggers: from here on the index follows every writer."""
    for field, values in BY_VALUE.items():
        conn.execute(
            f"INSERT OR IGNORE INTO {values}(v) SELECT {field} FROM sessions"
            f" WHERE {field} IS NOT NULL"
        )
        table = QUICK_TABLES[field]
        conn.execute(f"INSERT INTO {table}(rowid, t) SELECT id, fold(v) FROM {values}")
    for ddl in TRIGGERS:
        conn.execute(ddl)
    conn.execute("DELETE FROM meta WHERE key = ?", (BY_WRITER_KEY,))


def _finish(conn: sqlite3.Connection) -> None:
    """The end of a first sync whose writer indexed its sessions (``add_sessions``): the
    values of the by-value fields in one pass, then the triggers."""
    for field, values in BY_VALUE.items():
        for table in (QUICK_TABLES[field], values):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    for ddl in TABLES:
        conn.execute(ddl.replace(" TABLE ", " TABLE IF NOT EXISTS ", 1))
    _values_and_triggers(conn)


def drop_triggers(conn: sqlite3.Connection) -> None:
    """Before a bulk load into an empty store (the first sync): the index stays, empty, and
    stops following the sessions (a per-row trigger cost ~50 µs a session); the store's writer
    indexes each page itself (``index_by_writer``), or ``ensure`` builds it in one pass."""
    for name in TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


#: ``meta`` key: set while a first sync loads an empty store without the triggers and the
#: store's writer indexes each page's sessions itself (``add_sessions``, in the page's
#: transaction): the sync's writing process does that while the other core parses the next
#: page, and ``ensure`` is left with the values of the by-value fields and the triggers
#: instead of a pass over every session on one core (~13 s at 1M sessions). Cleared with the
#: triggers; a store without it is built in one pass (``build``).
BY_WRITER_KEY = "quick_index_by_writer"
_IDS = "SELECT value FROM json_each(?)"


def index_by_writer(conn: sqlite3.Connection) -> None:
    """After ``drop_triggers`` on an empty store: its writer indexes what it writes."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (BY_WRITER_KEY,))


def by_writer(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM meta WHERE key = ?", (BY_WRITER_KEY,)).fetchone()
    return found is not None


def forget_sessions(conn: sqlite3.Connection, ids: list[int]) -> None:
    """Before stored sessions are replaced (``by_writer``): their entries, by their old values."""
    args = (json.dumps(ids),)
    for field, table in _PER_SESSION.items():
        conn.execute(
            f"INSERT INTO {table}({table}, rowid, t)"
            f" SELECT 'delete', id, {_folded(field, 'sessions')} FROM sessions"
            f" WHERE id IN ({_IDS})",
            args,
        )
    conn.execute(f"DELETE FROM {RARE_TABLE} WHERE session_id IN ({_IDS})", args)


def add_sessions(conn: sqlite3.Connection, ids: list[int]) -> None:
    """After sessions were written (``by_writer``): their entries (by-value fields: at the
    end, ``ensure``)."""
    args = (json.dumps(ids),)
    for field, table in _PER_SESSION.items():
        conn.execute(
            f"INSERT INTO {table}(rowid, t)"
            f" SELECT id, {_folded(field, 'sessions')} FROM sessions WHERE id IN ({_IDS})",
            args,
        )
    conn.execute(_rare_select("sessions", f"id IN ({_IDS})"), args)


def has_old_layout(conn: sqlite3.Connection) -> bool:
    """The index of a store before schema v6 (one table over a content table beside it)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'quick_fts'").fetchone()
    return found is not None


def lacks_value_tables(conn: sqlite3.Connection) -> bool:
    """The index of a store before schema v7 (every field indexed per session)."""
    names = ", ".join("?" for _ in BY_VALUE)
    found = conn.execute(
        f"SELECT count(*) FROM sqlite_master WHERE name IN ({names})", tuple(BY_VALUE.values())
    ).fetchone()
    return bool(found[0] < len(BY_VALUE))


def is_current(conn: sqlite3.Connection) -> bool:
    """False after ``drop_triggers`` (a bulk load that ran, or was killed, since)."""
    return follows(conn)


def ensure(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    """Rebuild the index over the stored sessions when it is not current (in the caller's
    transaction)."""
    if is_current(conn):
        return
    if by_writer(conn):
        _finish(conn)
    else:
        drop(conn)
        build(conn, progress)
