"""How a search's matches are read from its index, the search half of ``QueryRunner``
(runner.py): a search with few matches listed once (``search_listed``), the matches of the
highest ids read in growing id ranges while the first rows are wanted (its *head*,
``search_head``), and a search alone counted in the index (``search.count_matches``). The
conditions besides the search are applied to the listed ids in SQL (``listing._LISTED``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from mluvii_tui.query.listing import _LISTED, MEMBER_LIST_MAX
from mluvii_tui.query.search import FTS_TABLE, SEARCH_LISTED, compile_search, in_schema
from mluvii_tui.query.search import count_matches as _count_matches
from mluvii_tui.query.types import SessionQuery

#: ``search_head`` reads the search index in id ranges, the first 1/HEAD_SPANS of the ids (at
#: least HEAD_SPAN_MIN ids), each next one twice as wide.
HEAD_SPANS = 64
HEAD_SPAN_MIN = 1024
_NO_ID_ABOVE = 1 << 62
#: What a count of a broad search narrowed by a creation range costs, in microseconds a row
#: (measured at 1M, a store a sync wrote): led by the search, a table row read per match; led
#: by the range's index, a step per session in the range, the search's matches listed once for
#: the look-ups, and a table row read per session in both when other conditions need one.
_ROW_READ_US = 1.4
_CREATED_INDEX = "ix_sessions_created"
_RANGE_STEP_US = 0.3
_LIST_MATCH_US = 0.2


class SearchReads:
    """The search half of ``QueryRunner`` (runner.py), which provides what is declared here."""

    if TYPE_CHECKING:
        conn: sqlite3.Connection
        cache: dict[Any, Any]

        def where(self, query: SessionQuery) -> tuple[str, list[Any]]: ...
        def _key(self, query: SessionQuery, *extra: Any) -> tuple[Any, ...]: ...
        def cached_count(self, query: SessionQuery) -> int | None: ...
        def total(self) -> int: ...

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

    def counting_sql(self, query: SessionQuery, what: str) -> tuple[str, list[Any]]:
        """``SELECT what`` over the query's matches, as a count runs it. SQLite leads a search
        narrowed by filters with the search: a table row read per match (a word in 12% of 1M
        sessions: ~170 ms, whatever the filters). When a creation range of the filters holds
        fewer sessions than that costs, the range's index leads (``INDEXED BY``: SQLite would
        pick a channel's) and the search's matches are looked up in their list (``+s.id``):
        a word and a week of Chat 168 -> 119 ms, a word and a day 165 -> 31 ms at 1M. The
        same rows either way."""
        where, args = self.where(query)
        source = "sessions s"
        if SEARCH_LISTED in where and self._range_leads(query):
            where = where.replace(SEARCH_LISTED, "+" + SEARCH_LISTED)
            source = f"sessions s INDEXED BY {_CREATED_INDEX}"
        return f"SELECT {what} FROM {source} WHERE {where}", args

    def _range_leads(self, query: SessionQuery) -> bool:
        """Walking the creation range costs less than reading the search's matches. Both are
        estimated from ids, which grow with the time a session was created: the matches from
        the search's head (those of the highest ids, read when the search was found broad;
        none: its few matches were listed, or it was not read), the range's sessions from the
        ids at its two ends (two index seeks)."""
        ranges = tuple(f for f in query.filters if f.op == "range" and f.column == "created")
        head = self._head(query)
        if len(ranges) != 1 or head is None or not self._has_index(_CREATED_INDEX):
            return False
        lowest, highest = self._id_range()
        span = highest - lowest + 1
        matches = len(head[1]) * span / max(1, highest - head[0] + 1)
        sessions = self.total()
        where, args = self.where(SessionQuery(view="all", filters=ranges))
        ends = self.conn.execute(
            f"SELECT (SELECT s.id FROM sessions s WHERE {where} ORDER BY s.created, s.id LIMIT 1),"
            f" (SELECT s.id FROM sessions s WHERE {where} ORDER BY s.created DESC, s.id DESC"
            " LIMIT 1)",
            [*args, *args],
        ).fetchone()
        if ends[0] is None or ends[1] is None:
            return True  # nothing in the range: the range's index answers at once
        in_range = (abs(int(ends[1]) - int(ends[0])) + 1) * sessions / max(1, span)
        step = _RANGE_STEP_US
        if len(ranges) < len(query.filters) or query.quick.strip():
            step += matches / max(1, sessions) * _ROW_READ_US  # others read the rows in both
        led_by_range = matches * _LIST_MATCH_US + in_range * step
        return led_by_range < matches * _ROW_READ_US

    def _has_index(self, name: str) -> bool:
        """The index exists (a first sync builds the sort indexes at its end; remembered until
        the next write)."""
        key = ("index", name)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = in_schema(self.conn, name)
        return bool(hit)
