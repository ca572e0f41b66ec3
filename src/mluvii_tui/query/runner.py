"""SessionQuery -> SQL (parameterised only): count, window and position in sort order.

Sort order is ``<col> <dir> NULLS LAST, id <dir>``, served from the ``(col, id, is_live)`` indexes.
The order is split into *segments* (rows with a value, then rows without one) so that every part
is an index range scan in both directions; a window past the middle is fetched in the reverse
order with the mirrored offset, so the end of the list is as fast as its top.

Filtered windows: SQLite's planner likes to walk the *filter's* index (e.g. ``channel``) and then
sort every match in a temporary B-tree (350 ms for 220k Phone sessions at 1M). When the matches
are a sizeable share of the store (``FORCE_SORT_SHARE``), the window walks the sort column's
index instead (``INDEXED BY``): the first page then costs ~1/share rows. Rare matches keep the
planner's choice (a few thousand rows sort in a few ms).

Counts and keyset anchors are cached by the resolved WHERE text and arguments (a time preset
resolved against a later clock is another key), until the next write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mluvii_tui.query.filters import filters_sql as _filters_sql
from mluvii_tui.query.listing import _CORRELATE, _LISTED, MEMBER_LIST_MAX, correlated, costly
from mluvii_tui.query.position import position_of
from mluvii_tui.query.quickindex import follows
from mluvii_tui.query.search import SEARCH_LISTED, SEARCH_PROBED
from mluvii_tui.query.searchreads import SearchReads
from mluvii_tui.query.sortplan import Segment, SortPlan, _segment_sql, sort_plan
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.query.where import QueryError, plan_where, resolve_column
from mluvii_tui.query.windows import FTS_PROBE_ROWS, WindowReads

#: The WHERE of the history view without any condition (``where.plan_where``).
HISTORY_ALL = "+s.is_live = 0"

__all__ = [
    "Filter",
    "QueryError",
    "Segment",
    "SessionQuery",
    "SortKey",
    "SortPlan",
    "plan_where",
    "resolve_column",
    "sort_plan",
]


# -- execution -------------------------------------------------------------------------------


class QueryRunner(SearchReads, WindowReads):
    """count / window ids / position for one connection; counts cached by the caller's cache.

    ``now``: the clock time presets resolve against (a datetime, a callable or None)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        cache: dict[Any, Any],
        now: Any = None,
        *,
        quick_scan: bool = False,
    ) -> None:
        self.conn = conn
        self.cache = cache
        self.now = now
        self.quick_scan = quick_scan
        self.probe = True  # a window of a broad search may probe the index row by row
        self._wheres: dict[SessionQuery, tuple[str, list[Any]]] = {}
        self._quick_index: bool | None = None  # quickindex.follows, asked once per runner

    def where(self, query: SessionQuery) -> tuple[str, list[Any]]:
        """``plan_where`` of the query, resolved once per runner (one clock reading)."""
        plain = replace(query, sort=SortKey())
        hit = self._wheres.get(plain)
        if hit is None:
            if self._quick_index is None:
                self._quick_index = follows(self.conn)
            hit = self._wheres[plain] = plan_where(
                plain, self.now, quick_scan=self.quick_scan, quick_index=self._quick_index
            )
        return hit

    def _key(self, query: SessionQuery, *extra: Any) -> tuple[Any, ...]:
        where, args = self.where(query)
        return (*extra[:1], where, tuple(args), *extra[1:])

    def _count(self, key: Any, sql: str, args: list[Any]) -> int:
        hit = self.cache.get(key)
        if hit is not None:
            return int(hit)
        n = int(self.conn.execute(sql, args).fetchone()[0])
        self.cache[key] = n
        return n

    def total(self) -> int:
        """Sessions in the store (all views, no filters)."""
        return self._count("total", "SELECT count(*) FROM sessions", [])

    def cached_count(self, query: SessionQuery) -> int | None:
        return self.cache.get(self._key(query, "count"))

    def listed_count(self, query: SessionQuery) -> int | None:
        """The count of a query with few matches, listed (and both remembered); None: many."""
        n = self._listed_count(query)
        if n is not None:
            self.cache[self._key(query, "count")] = n
        return n

    def count(self, query: SessionQuery, *, listing: bool = True) -> int:
        """Matches of the query (remembered). ``listing=False``: the caller knows the matches
        are too many to list."""
        where, args = self.where(query)
        key = self._key(query, "count")
        hit = self.cache.get(key)
        if hit is None:
            hit = self.search_listed(query)
            if hit is None:
                hit = self._member_count(query)
            if hit is None:
                hit = self._search_count(query)
            if hit is None and listing:
                hit = self._count_in_one_pass(query)
            if hit is None and where == HISTORY_ALL:
                # every session less the live ones (the live index): 1M rows counted by
                # the smallest index cost ~70 ms, this ~10 ms
                live = self.conn.execute("SELECT count(*) FROM sessions WHERE is_live = 1")
                hit = self.total() - int(live.fetchone()[0])
            if hit is None:
                sql, args = self.counting_sql(query, "count(*)")
                hit = int(self.conn.execute(sql, args).fetchone()[0])
            self.cache[key] = hit
        return hit

    def _listed_count(self, query: SessionQuery) -> int | None:
        """A filtered query with few matches (``MEMBER_LIST_MAX``): list them once (the count is
        their number) so windows, NULL counts and positions read them by id instead of
        evaluating the conditions (a search, a text scan) again. None: many matches."""
        if not costly(query):
            return None
        where, args = self.where(query)
        sql = f"SELECT s.id FROM sessions s WHERE {where} LIMIT {MEMBER_LIST_MAX + 1}"
        ids = [r[0] for r in self.conn.execute(sql, args).fetchall()]
        if len(ids) > MEMBER_LIST_MAX:
            return None
        self.cache[self._key(query, "listed")] = (_LISTED, [json.dumps(ids)])
        return len(ids)

    def _count_in_one_pass(self, query: SessionQuery) -> int | None:
        """A costly query counted in one pass that also lists its matches when they are few
        (``_listed_count``'s list). Listing up to ``MEMBER_LIST_MAX + 1`` first and counting
        again when they were more evaluated the conditions twice over the first ones (a word
        and a week of one channel at 1M: 138 + 171 ms, now 172); the id list the pass builds
        costs ~8 bytes a match until it is dropped. None: not a costly query."""
        if not costly(query):
            return None
        sql, args = self.counting_sql(query, "count(*), json_group_array(s.id)")
        n, ids = self.conn.execute(sql, args).fetchone()
        if n <= MEMBER_LIST_MAX:
            self.cache[self._key(query, "listed")] = (_LISTED, [ids])
        return int(n)

    def _lone_member_filter(self, query: SessionQuery) -> tuple[str, list[Any]] | None:
        """``(sql, args)`` of the query's only condition when it is one parameter filter
        (``s.id IN (SELECT p.session_id FROM params p ...)``) without quick filter or search."""
        if len(query.filters) != 1 or query.quick.strip() or query.search.strip():
            return None
        if query.view not in ("history", "all"):
            return None
        sql, args = _filters_sql(query.filters, resolve_column, now=self.now)
        if not (sql.startswith(_CORRELATE[0][0]) and sql.endswith(")")):
            return None
        return sql, args

    def _member_count(self, query: SessionQuery) -> int | None:
        """A lone parameter filter: its matches come from the params index alone. Few matches
        (``MEMBER_LIST_MAX``) are listed once and remembered, so the window reads them by id
        instead of scanning the index again (a "contains" scans every value of the name);
        many are counted in the index, less the live sessions among them for the history view
        (a few hundred probes) instead of probing the session of each match. None when not
        applicable."""
        lone = self._lone_member_filter(query)
        if lone is None:
            return None
        sql, args = lone
        inner = sql[len("s.id IN (") : -1]
        ids = [
            r[0] for r in self.conn.execute(f"{inner} LIMIT {MEMBER_LIST_MAX + 1}", args).fetchall()
        ]
        if len(ids) <= MEMBER_LIST_MAX:
            where, wargs = self._listed_where(query, sql, ids)
            n = int(
                self.conn.execute(
                    f"SELECT count(*) FROM sessions s WHERE {where}", wargs
                ).fetchone()[0]
            )
            return n
        n = int(self.conn.execute(f"SELECT count(*) FROM ({inner})", args).fetchone()[0])
        if query.view == "history":
            live_where, live_args = self.where(replace(query, view="live"))
            n -= int(
                self.conn.execute(
                    f"SELECT count(*) FROM sessions s WHERE {correlated(live_where)}", live_args
                ).fetchone()[0]
            )
        return n

    def _listed_where(self, query: SessionQuery, sql: str, ids: list[int]) -> tuple[str, list[Any]]:
        """The WHERE with the lone filter replaced by its listed matches (remembered)."""
        where, _args = self.where(query)
        listed = (where.replace(sql, _LISTED), [json.dumps(ids)])
        self.cache[self._key(query, "listed")] = listed
        return listed

    def _nulls_key(self, query: SessionQuery, plan: SortPlan) -> tuple[Any, ...]:
        return self._key(query, "nulls", plan.column.id)

    def segment_counts(self, query: SessionQuery, plan: SortPlan) -> dict[Segment, int]:
        """Row count of each segment (forward and backward segments share counts)."""
        total = self.count(query)
        if len(plan.forward) == 1:
            return {plan.forward[0]: total, plan.backward[0]: total}
        where, args = self.window_where(query, False)
        empty_fwd = plan.forward[1]
        # Listed matches: walk the sort index's NULL range and probe the list, rather than
        # reading the table row of every listed match.
        listed = self._key(query, "listed") in self.cache
        if not listed and SEARCH_LISTED in where and self._short_nulls(empty_fwd):
            # a search with many matches: probe its index for the few rows without a value
            where, listed = where.replace(SEARCH_LISTED, SEARCH_PROBED), True
        nulls = self._count(
            self._nulls_key(query, plan),
            _segment_sql(empty_fwd, where, "count(*)", listed),
            [*args, *empty_fwd.cond_args],
        )
        valued = total - nulls
        f_valued, f_empty = plan.forward
        b_empty, b_valued = plan.backward
        return {f_valued: valued, f_empty: nulls, b_valued: valued, b_empty: nulls}

    def _short_nulls(self, seg: Segment) -> bool:
        """The sort index holds fewer than ``FTS_PROBE_ROWS`` rows without a value (any view)."""
        sql = _segment_sql(seg, "1", "1", True)
        capped = f"SELECT count(*) FROM ({sql} LIMIT {FTS_PROBE_ROWS})"
        return int(self.conn.execute(capped, seg.cond_args).fetchone()[0]) < FTS_PROBE_ROWS

    def seg_count(self, query: SessionQuery, plan: SortPlan, seg: Segment) -> int:
        """Rows of one segment; only the NULL part is counted (valued = total - NULLs)."""
        if len(plan.forward) == 1:
            return self.count(query)
        nulls = self.segment_counts(query, plan)[plan.forward[1]]
        return nulls if seg.part == "empty" else self.count(query) - nulls

    def _seg_count_known(self, query: SessionQuery, plan: SortPlan, seg: Segment) -> bool:
        if len(plan.forward) == 1:
            return self._key(query, "count") in self.cache
        return self._nulls_key(query, plan) in self.cache

    def position_of(self, query: SessionQuery, session_id: int) -> int | None:
        """Index of ``session_id`` in the query's order (None when it does not match)."""
        return position_of(self, query, session_id)


CountCache = dict
RunnerFactory = Callable[[], QueryRunner]
