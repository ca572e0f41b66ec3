"""DDL, triggers and the one-time build of the quick-filter index (see query/quickindex.py).

The triggers call the SQL function ``fold`` (``query.filters.register_functions``), which every
connection that writes sessions registers; the store, the benchmarks' generators and the tests
write through them, so the index can never lag behind the sessions it describes.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable

from mluvii_tui.query.quickindex import QUICK_FIELDS, TRIGGER_NAMES, follows
from mluvii_tui.text import fold_value

_COLS = list(QUICK_FIELDS.values())
_COL_LIST = ", ".join(_COLS)
_FIELD_EXPRS = [("CAST({p}.id AS TEXT)" if f == "id" else f"{{p}}.{f}") for f in QUICK_FIELDS]


def _folded(prefix: str) -> str:
    return ", ".join(f"fold({e.format(p=prefix)})" for e in _FIELD_EXPRS)


# A contentless index forgets a row only by the exact terms it was given: the old terms are
# folded again from the session row they came from (``fold`` is deterministic).
_FORGET_OLD = (
    f"INSERT INTO quick_fts(quick_fts, rowid, {_COL_LIST})"
    f" VALUES ('delete', old.id, {_folded('old')});"
)
_ADD_NEW = f"INSERT INTO quick_fts(rowid, {_COL_LIST}) VALUES (new.id, {_folded('new')});"

TABLES: list[str] = [
    f"CREATE VIRTUAL TABLE quick_fts USING fts5({_COL_LIST}, content='', columnsize=0,"
    " detail=column, tokenize='trigram case_sensitive 1')",
]

#: INSERT OR REPLACE deletes the old row without firing DELETE triggers (recursive_triggers is
#: off): a BEFORE INSERT trigger forgets the entry of the row about to be replaced, read while
#: it is still there. Updates of other columns (is_live, ...) fire nothing.
TRIGGERS: list[str] = [
    f"CREATE TRIGGER quick_bi BEFORE INSERT ON sessions BEGIN"
    f" INSERT INTO quick_fts(quick_fts, rowid, {_COL_LIST})"
    f" SELECT 'delete', s.id, {_folded('s')} FROM sessions s WHERE s.id = new.id; END",
    f"CREATE TRIGGER quick_ai AFTER INSERT ON sessions BEGIN {_ADD_NEW} END",
    f"CREATE TRIGGER quick_au AFTER UPDATE OF {', '.join(QUICK_FIELDS)} ON sessions"
    f" BEGIN {_FORGET_OLD} {_ADD_NEW} END",
    f"CREATE TRIGGER quick_ad AFTER DELETE ON sessions BEGIN {_FORGET_OLD} END",
]

#: Sessions indexed per step of a build (one progress report each).
BUILD_STEP = 50_000
#: Builds of at least this many sessions report their progress on stderr.
REPORT_FROM = 50_000

Progress = Callable[[int, int], None]


def stderr_progress(done: int, total: int) -> None:
    """One self-overwriting line on stderr (the console has not taken the terminal yet)."""
    end = "\n" if done >= total else ""
    print(
        f"\rupgrading the session cache: quick-filter index {done:,} of {total:,} sessions",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def drop(conn: sqlite3.Connection) -> None:
    """Remove triggers and tables (a bulk loader rebuilds them afterwards with ``build``)."""
    drop_triggers(conn)
    conn.execute("DROP TABLE IF EXISTS quick_fts")
    conn.execute("DROP TABLE IF EXISTS quick_text")  # its content table before schema v6


def build(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    """Create the index over the sessions already stored (in the caller's transaction), then
    the triggers that keep it current. ``progress(done, total)`` after every step; by default
    stderr reports builds of ``REPORT_FROM`` sessions or more."""
    conn.create_function("fold", 1, fold_value, deterministic=True)
    for ddl in TABLES:
        conn.execute(ddl)
    total = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
    if progress is None and total >= REPORT_FROM:
        progress = stderr_progress
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
        cur = conn.execute(
            f"INSERT INTO quick_fts(rowid, {_COL_LIST})"
            f" SELECT id, {_folded('sessions')} FROM sessions WHERE {bounds}",
            args,
        )
        done += cur.rowcount
        if progress is not None:
            progress(min(done, total), total)
        if high is None:
            break
        last = high
    for ddl in TRIGGERS:
        conn.execute(ddl)


def drop_triggers(conn: sqlite3.Connection) -> None:
    """Before a bulk load into an empty store (the first sync): the index stays, empty, and
    stops following the sessions; ``ensure`` builds it in one pass afterwards (a per-row
    trigger costs ~50 µs a session, the pass ~10)."""
    for name in TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def has_content_table(conn: sqlite3.Connection) -> bool:
    """The index of a store before schema v6 (an external-content table beside it)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'quick_text'").fetchone()
    return found is not None


def is_current(conn: sqlite3.Connection) -> bool:
    """False after ``drop_triggers`` (a bulk load that ran, or was killed, since)."""
    return follows(conn)


def ensure(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    """Rebuild the index over the stored sessions when it is not current (in the caller's
    transaction)."""
    if not is_current(conn):
        drop(conn)
        build(conn, progress)
