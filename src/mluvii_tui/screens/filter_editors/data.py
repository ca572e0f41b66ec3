"""Where the filter editors get their choices: enum values, users and groups, store values.

Only column expressions from the column registry (``Column.sql``) are ever written into SQL text;
user input never is.
"""

from __future__ import annotations

import contextlib
from typing import Any

from mluvii_tui.text import one_line

#: Columns whose editor is a type-ahead pick list, and where the choices come from.
PICK_COLUMNS = {"operators": "users", "groups": "groups", "chatbot": "chatbots"}
MAX_CHOICES = 500


def _connection(store: Any) -> Any | None:
    for name in ("conn", "_conn", "db", "_db", "connection", "_connection"):
        conn = getattr(store, name, None)
        if callable(conn) and not hasattr(conn, "execute"):  # SessionStore._conn() per thread
            try:
                conn = conn()
            except Exception:
                continue
        if conn is not None and hasattr(conn, "execute"):
            return conn
    return None


def distinct_values(store: Any, column: Any, limit: int = MAX_CHOICES) -> list[str]:
    """Distinct non-empty values of a registry column in the store (", "-lists split), sorted.

    Never raises: a store without a usable connection or a failing query gives ``[]``.
    """
    method = getattr(store, "distinct_values", None)
    rows: list[Any] = []
    if callable(method):
        with contextlib.suppress(Exception):
            rows = list(method(column.id, limit))
    if not rows:
        conn = _connection(store)
        if conn is None or not getattr(column, "sql", ""):
            return []
        sql = (
            f"SELECT DISTINCT {column.sql} FROM sessions s "  # registry expression, not user text
            f"WHERE {column.sql} IS NOT NULL AND {column.sql} <> '' LIMIT ?"
        )
        try:
            rows = [r[0] for r in conn.execute(sql, (limit,)).fetchall()]
        except Exception:
            return []
    values: set[str] = set()
    split = column.kind in ("person", "ids") or column.id in PICK_COLUMNS
    for raw in rows:
        if raw is None:
            continue
        text = str(raw)
        parts = text.split(", ") if split else [text]
        for part in parts:
            part = one_line(part, 200)
            if part:
                values.add(part)
    return sorted(values, key=str.casefold)


async def load_people(app: Any, column: Any) -> tuple[list[str], str | None]:
    """Names for an operator / group / chatbot pick list and a note on where they came from.

    Users and groups come from the tenant (``app.client``); when there is no client or the call
    fails, the distinct values in the store are offered instead.
    """
    source = PICK_COLUMNS.get(column.id)
    client = getattr(app, "client", None)
    note: str | None = None
    names: list[str] = []
    if client is not None and source in ("users", "groups"):
        try:
            if source == "users":
                items = await client.get_users()
                names = [_user_name(u) for u in items]
            else:
                items = await client.get_groups()
                names = [one_line(getattr(g, "name", "") or "", 200) for g in items]
        except Exception as exc:  # fall back to what the store knows
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            note = f"could not load {source} from the server ({one_line(message, 80)}); "
            note += "showing names found in the synced sessions"
    names = [n for n in names if n]
    local = distinct_values(getattr(app, "store", None), column)
    merged = sorted(set(names) | set(local), key=str.casefold)
    return merged, note


def _user_name(user: Any) -> str:
    for attr in ("full_name", "display_name", "name"):
        value = getattr(user, attr, None)
        if value:
            return one_line(value, 200)
    first = getattr(user, "first_name", "") or ""
    last = getattr(user, "last_name", "") or ""
    name = f"{first} {last}".strip()
    if name:
        return one_line(name, 200)
    return one_line(getattr(user, "email", "") or getattr(user, "username", "") or "", 200)
