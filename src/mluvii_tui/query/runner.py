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
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mluvii_tui.query.filters import filters_sql as _filters_sql
from mluvii_tui.query.listing import _CORRELATE, _LISTED, MEMBER_LIST_MAX, correlated, costly
from mluvii_tui.query.position import position_of
from mluvii_tui.query.quickindex import follows
from mluvii_tui.query.search import FTS_TABLE, SEARCH_LISTED, SEARCH_PROBED, compile_search
from mluvii_tui.query.search import count_matches as _count_matches
from mluvii_tui.query.sortplan import Segment, SortPlan, _segment_sql, sort_plan
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.query.where import QueryError, plan_where, resolve_column
from mluvii_tui.query.windows import FTS_PROBE_ROWS, WindowReads

#: The WHERE of the history view without any condition (``where.plan_where``).
HISTORY_ALL = "+s.is_live = 0"
#: ``search_head`` reads the search index in id ranges, the first 1/HEAD_SPANS of the ids (at
#: least HEAD_SPAN_MIN ids), each next one twice as wide.
HEAD_SPANS = 64
HEAD_SPAN_MIN = 1024
_NO_ID_ABOVE = 1 << 62

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


class QueryRunner(WindowReads):
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
                hit = self._listed_count(query)
            if hit is None and where == HISTORY_ALL:
                # every session less the live ones (the live index): 1M rows counted by
                # the smallest index cost ~70 ms, this ~10 ms
                live = self.conn.execute("SELECT count(*) FROM sessions WHERE is_live = 1")
                hit = self.total() - int(live.fetchone()[0])
            if hit is None:
                sql = f"SELECT count(*) FROM sessions s WHERE {where}"
                hit = int(self.conn.execute(sql, args).fetchone()[0])
            self.cache[key] = hit
        return hit

    def search_listed(self, query: SessionQuery) -> int | None:
        """A search with few matches (``MEMBER_LIST_MAX``): its index rows listed once, the other
        conditions applied to that list, and the result remembered as the query's matches (its
        count is their number). The index streams rowids, so learning that a word is common
        costs reading ``MEMBER_LIST_MAX + 1`` of them (~10 ms at 1M) rather than the whole
        doclist, and a rare phrase walks the index once instead of once per count, window and
        position. None: no search, or many matches. The index is read from the highest id
        down; the ids read are remembered as the search's *head* (all its matches from the
        lowest of them up) when they are many or the reading was stopped (``windows._probed``
        looks them up instead of probing)."""
        if not query.search.strip():
            return None
        known = self.cached_count(query)
        if known is not None and self._key(query, "listed") in self.cache:
            return int(known)
        where, args = self.where(query)
        at = where.rfind(SEARCH_LISTED)
        if at < 0:
            return None
        head = self._head(query)
        if head is not None and len(head[1]) > MEMBER_LIST_MAX:
            return None  # known to be many (its head was read while learning it)
        match = args[-1]  # plan_where puts the search last, text and parameter
        # a head read before (``search_head``) holds every match from its lowest id up
        rows: list[int] = [] if head is None else list(head[1])
        below = "" if head is None else f" AND rowid < {int(head[0])}"
        cursor = self.conn.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?{below}"
            " ORDER BY rowid DESC LIMIT ?",
            [match, MEMBER_LIST_MAX + 1 - len(rows)],
        )
        try:
            rows.extend(r[0] for r in cursor)  # a stop keeps every id read before it
        except sqlite3.OperationalError:  # stopped (a deadline): what was read is a head
            if rows:
                self.cache[self._key(query, "head")] = (rows[-1], json.dumps(rows))
            raise
        if len(rows) > MEMBER_LIST_MAX:  # many: the highest ids' matches serve the probes
            self.cache[self._key(query, "head")] = (rows[-1], json.dumps(rows))
            return None
        return self._listed_search(query, rows)

    def _listed_search(self, query: SessionQuery, matches: list[int]) -> int:
        """Remember a search's matches in the index (all of them) as the query's listed
        matches (the other conditions applied to them); returns their number."""
        where, args = self.where(query)
        at = where.rfind(SEARCH_LISTED)
        rest = where[:at] + _LISTED + where[at + len(SEARCH_LISTED) :]
        rest_args = [*args[:-1], json.dumps(matches)]
        sql = f"SELECT s.id FROM sessions s WHERE {rest}"
        ids = [r[0] for r in self.conn.execute(sql, rest_args).fetchall()]
        self.cache[self._key(query, "listed")] = (_LISTED, [json.dumps(ids)])
        self.cache[self._key(query, "count")] = len(ids)
        return len(ids)

    def _head(self, query: SessionQuery) -> tuple[int, list[int]] | None:
        """The search's head: ``(lowest id, its matches from that id up)``, when read."""
        head = self.cache.get(self._key(query, "head"))
        if head is None:
            return None
        return int(head[0]), json.loads(head[1])

    def search_head(self, query: SessionQuery, need: int, budget: float) -> bool:
        """Reads a search's matches from the highest id down in id ranges (each range one
        statement answering one row: FTS5 seeks inside its doclists to a rowid bound, so a
        phrase of common words costs the ranges read, not the words' whole doclists). The
        ranges double until the matches are all read (then they are the query's listed
        matches, as ``search_listed`` leaves them), or more than ``MEMBER_LIST_MAX`` (a broad
        search: its head serves the probes), or at least ``need`` are read, as many over all
        the ids would be few, and the next range would take the reading past ``budget``
        seconds of this thread's CPU: then they are
        remembered as the search's head (every match from the lowest id of the ranges read
        up) and True is returned: the first rows come from the head, the count later. False:
        no search, or the count is known or known to be many."""
        if not query.search.strip() or self.cached_count(query) is not None:
            return False
        where, args = self.where(query)
        if SEARCH_LISTED not in where:
            return False
        lowest, highest = self._id_range()
        span = max(HEAD_SPAN_MIN, (highest - lowest + 1) // HEAD_SPANS)
        # the first range has no upper bound and the last no lower one: ids remembered before
        # a write by another process (a sync) cost ranges, never matches
        top, low = _NO_ID_ABOVE, highest + 1
        rows: list[int] = []
        sql = (
            f"SELECT json_group_array(rowid) FROM (SELECT rowid FROM {FTS_TABLE}"
            f" WHERE {FTS_TABLE} MATCH ? AND rowid >= ? AND rowid < ?"
            " ORDER BY rowid DESC LIMIT ?)"
        )
        start = last = time.thread_time()
        while True:
            low = low - span if low - span > lowest else -_NO_ID_ABOVE
            left = MEMBER_LIST_MAX + 1 - len(rows)
            found = self.conn.execute(sql, [args[-1], low, top, left]).fetchone()[0]
            rows.extend(sorted(json.loads(found), reverse=True))
            now = time.thread_time()
            if len(rows) > MEMBER_LIST_MAX:  # many: the head serves the probes
                self.cache[self._key(query, "head")] = (rows[-1], json.dumps(rows))
                return False
            if low < lowest:  # all read
                self._listed_search(query, rows)
                return False
            top = low
            # as many again in the rest of the ids: a broad search, read on to learn it
            few = len(rows) * (highest - lowest + 1) <= MEMBER_LIST_MAX * (highest + 1 - low)
            if few and len(rows) >= need and now - start + 2 * (now - last) > budget:
                self.cache[self._key(query, "head")] = (low, json.dumps(rows))
                return True
            span, last = span * 2, now

    def _id_range(self) -> tuple[int, int]:
        """The lowest and the highest session id (remembered until the next write)."""
        hit = self.cache.get("id range")
        if hit is None:
            # two subqueries: each is one index seek (one query with both scans the table)
            row = self.conn.execute(
                "SELECT (SELECT min(id) FROM sessions), (SELECT max(id) FROM sessions)"
            ).fetchone()
            hit = self.cache["id range"] = (int(row[0] or 0), int(row[1] or 0))
        return hit

    def _search_count(self, query: SessionQuery) -> int | None:
        """A search alone (no filters, no quick filter) is counted in the search index."""
        if not query.search.strip() or query.filters or query.quick.strip():
            return None
        return _count_matches(self.conn, compile_search(query.search), query.view)

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
