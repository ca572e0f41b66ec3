"""The WHERE condition of a SessionQuery over ``sessions s``: view + per-column filters + quick
filter + full-text search, parameterised only (user values are ``?`` parameters)."""

from __future__ import annotations

from typing import Any

from mluvii_tui.query.columns import Column, column_by_id
from mluvii_tui.query.filters import filters_sql as _filters_sql
from mluvii_tui.query.quicksql import quick_sql as _quick_sql
from mluvii_tui.query.search import compile_search as _compile_search
from mluvii_tui.query.search import sampled
from mluvii_tui.query.search import search_sql as _search_sql
from mluvii_tui.query.types import SessionQuery


class QueryError(ValueError):
    """A query that cannot run (unknown column, bad filter value): one line for the UI."""


def resolve_column(column_id: str) -> Column | None:
    return column_by_id(column_id)


def plan_where(
    query: SessionQuery,
    now: Any = None,
    *,
    quick_scan: bool = False,
    sample: int = 1,
    quick_index: bool = True,
) -> tuple[str, list[Any]]:
    """The WHERE condition (over ``sessions s``) of view + filters + quick filter + search.
    ``now``: the clock for time presets (a datetime, a callable returning one, or None).
    ``quick_scan``: the quick filter and "contains" filters test each row's values (GLOB)
    instead of asking the trigram index (cheaper for the first rows of a broad match, see
    store/reader.py). ``quick_index`` False: the quick index lags behind the sessions (a first
    sync is loading them): those filters fold the session columns instead.
    ``sample`` k > 1: about one session in k (``search.sampled``), tested first (and inside the
    search's index walk) so that the other conditions run on those alone (query/stats.py)."""
    parts: list[str] = [sampled("s.id", sample)] if sample > 1 else []
    args: list[Any] = []
    if query.view == "history":
        parts.append("+s.is_live = 0")  # '+': never pick the is_live index for the big view
    elif query.view == "live" and query.also:
        parts.append(f"(s.is_live = 1 OR s.id IN ({', '.join('?' * len(query.also))}))")
        args.extend(query.also)
    elif query.view == "live":
        parts.append("s.is_live = 1")
    if query.filters:
        try:
            sql, values = _filters_sql(
                query.filters, resolve_column, now=now, scan=quick_scan, indexed=quick_index
            )
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        if sql != "1":
            parts.append(f"({sql})")
            args.extend(values)
    if query.quick.strip():
        cols = [c for c in (resolve_column(i) for i in query.quick_columns) if c is not None]
        if not cols:
            cols = [c for c in (resolve_column(i) for i in _QUICK_DEFAULT) if c is not None]
        sql, values = _quick_sql(query.quick, cols, scan=quick_scan, indexed=quick_index)
        if sql != "1":
            parts.append(f"({sql})")
            args.extend(values)
    if query.search.strip():
        try:
            compiled = _compile_search(query.search)
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        if compiled is not None and compiled.match:
            sql, values = _search_sql(compiled, sample)
            parts.append(f"({sql})")
            args.extend(values)
    return (" AND ".join(parts) or "1"), args


_QUICK_DEFAULT = ("operators", "client_name", "client_email", "client_phone", "url", "id")
