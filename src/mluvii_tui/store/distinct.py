"""Distinct values of a column for the filter pickers (most frequent first), read-only SQL."""

from __future__ import annotations

import sqlite3
from typing import Any

from mluvii_tui.query.columns import column_by_id
from mluvii_tui.query.layout import INDEXED_FIELDS, LIST_SEP

#: distinct_values of a column without an index looks at the newest this many sessions only.
_DISTINCT_SAMPLE = 200_000


def _distinct_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def distinct_values(conn: sqlite3.Connection, column_id: str, limit: int = 200) -> list[str]:
    """Distinct non-empty values of a registry column (``param:<name>`` too), most frequent
    first; list columns (operators, groups, chatbots, tags) give their individual names.

    Only registry column expressions are written into SQL; the parameter name and the
    limit are bound. Columns without an index are sampled from the newest
    ``_DISTINCT_SAMPLE`` sessions (the frequencies of a recent window). Unknown column: [].
    """
    col = column_by_id(column_id)
    limit = max(0, int(limit))
    if col is None or limit == 0:
        return []
    if col.param is not None:
        sql = (
            "SELECT value, count(*) AS n FROM params WHERE name = ? AND value IS NOT NULL"
            " AND value <> '' GROUP BY value ORDER BY n DESC, value LIMIT ?"
        )
        return [str(v) for v, _ in conn.execute(sql, (col.param, limit))]
    if col.field == "operators":  # the child table holds one row per member, indexed
        sql = (
            "SELECT name, count(DISTINCT session_id) AS n FROM operators"
            " WHERE name IS NOT NULL AND name <> '' GROUP BY name ORDER BY n DESC, name"
            " LIMIT ?"
        )
        return [str(v) for v, _ in conn.execute(sql, (limit,))]
    field = col.field
    source = "sessions"
    if field not in INDEXED_FIELDS:
        source = f"(SELECT {field} FROM sessions ORDER BY id DESC LIMIT {_DISTINCT_SAMPLE})"
    is_list = col.kind in ("person", "ids") or field == "tags"
    sql = (
        f"SELECT {field}, count(*) AS n FROM {source}"  # registry field name, not user text
        f" WHERE {field} IS NOT NULL AND {field} <> '' GROUP BY {field} ORDER BY n DESC"
    )
    if not is_list:
        sql += " LIMIT ?"
    rows = conn.execute(sql, (limit,) if not is_list else ()).fetchall()
    if not is_list:
        return [_distinct_text(v) for v, _ in rows]
    counts: dict[str, int] = {}
    for value, n in rows:
        for member in str(value).split(LIST_SEP):
            member = member.strip()
            if member:
                counts[member] = counts.get(member, 0) + n
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return [m for m, _ in ordered[:limit]]
