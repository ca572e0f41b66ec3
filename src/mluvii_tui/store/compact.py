"""Schema v4 -> v5, once, with progress: the store in its narrow shape.

* ``params`` / ``operators`` move into the narrow child tables of children.py (names as small
  ints, operators without their times);
* times and durations of ``sessions`` become whole seconds (4-byte integers instead of 8-byte
  floats; the kept JSON has the exact values);
* the is_live index keeps the live sessions only; ``tags`` (a copy of ``sessions.tags`` no query
  read) goes.

The work goes by session id ranges of ``STEP`` sessions, ``progress(done, total)`` after each;
the indexes over the rewritten columns are dropped first and built once at the end.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .children import CHILD_INDEXES, TABLES
from .progress import Progress, stderr_progress

#: Sessions moved per step (one progress report each).
STEP = 50_000
#: Migrations of at least this many sessions report their progress on stderr.
REPORT_FROM = 50_000
#: The columns that become whole seconds, and the sort indexes over them.
WHOLE_SECONDS = ("created", "guest_joined", "started", "ended", "waited_s", "length_s")


def _floor(col: str) -> str:
    return f"{col} = CAST({col} AS INTEGER) - ({col} < CAST({col} AS INTEGER))"


def migrate(conn: sqlite3.Connection, indexes: dict[str, str], progress: Progress | None) -> None:
    """v4 -> v5 in the caller's transaction; ``indexes``: every secondary index (name ->
    target) the store should have afterwards."""
    conn.execute("ALTER TABLE params RENAME TO params_v4")
    conn.execute("ALTER TABLE operators RENAME TO operators_v4")
    conn.execute("DROP TABLE param_names")
    conn.execute("DROP TABLE tags")  # never read: tag filters use sessions.tags
    retimed = [n for n, t in indexes.items() if any(f"({c}," in t for c in WHOLE_SECONDS)]
    for name in [*retimed, *CHILD_INDEXES, "ix_sessions_live"]:  # that one becomes partial
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    for ddl in TABLES:
        conn.execute(ddl)
    conn.execute("INSERT INTO param_names (name) SELECT DISTINCT name FROM params_v4 ORDER BY name")
    conn.execute(
        "INSERT INTO operator_names (name) SELECT DISTINCT name FROM operators_v4"
        " WHERE name IS NOT NULL ORDER BY name"
    )
    total = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
    if progress is None and total >= REPORT_FROM:
        progress = stderr_progress("compacting")
    done, last = 0, -(2**63)
    while True:
        row = conn.execute(
            "SELECT id FROM sessions WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?", (last, STEP - 1)
        ).fetchone()
        high = None if row is None else row[0]
        where = "session_id > ?" + ("" if high is None else " AND session_id <= ?")
        args: tuple[Any, ...] = (last,) if high is None else (last, high)
        conn.execute(
            "INSERT INTO param_values SELECT p.session_id, n.id, p.value, p.value_folded"
            f" FROM params_v4 p JOIN param_names n ON n.name = p.name WHERE p.{where}",
            args,
        )
        conn.execute(
            "INSERT INTO operator_rows SELECT o.session_id, o.seq, o.user_id, n.id"
            " FROM operators_v4 o LEFT JOIN operator_names n ON n.name = o.name"
            f" WHERE o.{where}",
            args,
        )
        conn.execute(
            f"UPDATE sessions SET {', '.join(_floor(c) for c in WHOLE_SECONDS)}"
            f" WHERE {where.replace('session_id', 'id')}",
            args,
        )
        if progress is not None and (high is not None or done < total):
            progress(total if high is None else min(done + STEP, total), total)
        if high is None:
            break
        done, last = done + STEP, high
    conn.execute("DROP TABLE params_v4")
    conn.execute("DROP TABLE operators_v4")
    for name, target in indexes.items():
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
