"""A query's windows in sort order: the ids of rows ``offset .. offset+limit``, walking one sort
segment at a time from the nearest remembered row (keyset anchors), through the sort column's
index when the matches are a broad share (``FORCE_SORT_SHARE``) and probing the search index row by
row near the ends of a broad search (``FTS_PROBE_SHARE``). Counting lives in runner.py, whose
``QueryRunner`` this is a part of.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from mluvii_tui.query.listing import _LISTED, correlated
from mluvii_tui.query.search import SEARCH_HEAD, SEARCH_LISTED, SEARCH_PROBED
from mluvii_tui.query.sortplan import Segment, SortPlan, _segment_sql, sort_plan
from mluvii_tui.query.types import SessionQuery

#: A window walks the sort index (instead of the filter's) when at least this share of the
#: store matches: at 1/400 a block of 128 rows reads ~51,000 index entries (~10 ms), while
#: sorting the matches reads each one's table row (4,000 random rows at 1M: ~20 ms; 17,000
#: listed matches of a "contains": 130-300 ms).
FORCE_SORT_SHARE = 1 / 400
#: A window near either end of a search matching at least this share walks the sort index and
#: probes the search index row by row (a first page: ~100/share probes of ~0.3 ms at 1M) instead
#: of listing all matches first (a word in 80% of 1M sessions: ~0.4 s per window). Deep windows
#: (more than ``FTS_PROBE_ROWS`` rows from where the walk starts) still list.
FTS_PROBE_SHARE = 1 / 4
FTS_PROBE_ROWS = 1000


class WindowReads:
    """The window half of ``QueryRunner`` (runner.py), which provides what is declared here."""

    if TYPE_CHECKING:
        conn: sqlite3.Connection
        cache: dict[Any, Any]
        probe: bool

        def where(self, query: SessionQuery) -> tuple[str, list[Any]]: ...
        def _key(self, query: SessionQuery, *extra: Any) -> tuple[Any, ...]: ...
        def count(self, query: SessionQuery, *, listing: bool = True) -> int: ...
        def total(self) -> int: ...
        def cached_count(self, query: SessionQuery) -> int | None: ...
        def seg_count(self, query: SessionQuery, plan: SortPlan, seg: Segment) -> int: ...
        def _seg_count_known(self, query: SessionQuery, plan: SortPlan, seg: Segment) -> bool: ...

    def window_where(self, query: SessionQuery, force: bool) -> tuple[str, list[Any]]:
        """The WHERE a window runs: listed matches when remembered, correlated member
        subqueries when walking the sort index, else the plain one."""
        listed: tuple[str, list[Any]] | None = self.cache.get(self._key(query, "listed"))
        if listed is not None:
            return listed
        where, args = self.where(query)
        return (correlated(where) if force else where), args

    def force_sort_index(self, query: SessionQuery) -> bool:
        """Walk the sort index rather than the filter's: the matches are a broad share."""
        return self.count(query) >= self.total() * FORCE_SORT_SHARE

    def first_ids(self, query: SessionQuery, limit: int) -> list[int]:
        """The first ``limit`` ids in sort order without counting the matches (walking the
        sort index: the caller uses this for queries that match many rows)."""
        plan = sort_plan(query.sort)
        ids: list[int] = []
        for seg in plan.forward:
            ids.extend(self._segment_ids(query, plan, seg, 0, limit - len(ids), True))
            if len(ids) >= limit:
                break
        return ids

    def window_ids(
        self,
        query: SessionQuery,
        offset: int,
        limit: int,
        *,
        total: int | None = None,
        force: bool | None = None,
    ) -> list[int]:
        """Ids of rows ``offset .. offset+limit``; ``total``/``force``: the count and the index
        choice when the caller knows them already (the table's UI thread never counts)."""
        offset = max(0, int(offset))
        limit = max(0, int(limit))
        if total is None:
            total = self.count(query)
        if limit == 0 or offset >= total:
            return []
        limit = min(limit, total - offset)
        plan = sort_plan(query.sort)
        reverse = offset + limit / 2 > total / 2
        if reverse:
            segments = plan.backward
            start = total - offset - limit
        else:
            segments = plan.forward
            start = offset
        if force is None:
            force = self.force_sort_index(query)
        ids: list[int] = []
        for seg in segments:
            take = limit - len(ids)
            got = self._segment_ids(query, plan, seg, start, take, force)
            if not got and start > 0:  # the window starts past this segment
                start = max(0, start - self.seg_count(query, plan, seg))
                continue
            ids.extend(got)
            start = 0
            if len(ids) >= limit:
                break
        if reverse:
            ids.reverse()
        return ids

    def _segment_ids(
        self,
        query: SessionQuery,
        plan: SortPlan,
        seg: Segment,
        start: int,
        take: int,
        force: bool = False,
    ) -> list[int]:
        """``take`` ids of one segment from ``start``; resumes from the nearest remembered row
        before ``start`` (keyset) so that paging deep into a big list stays cheap."""
        where, args = self.window_where(query, force)
        # Anchors: (position in plan-forward order, key, id), shared by both directions.
        akey = self._key(query, "anchors", plan.column.id, plan.descending, seg.part)
        anchors: list[tuple[int, Any, int]] = self.cache.setdefault(akey, [])
        forward = seg.descending == plan.descending
        # Anchor positions: >= 0 in plan-forward numbering; < 0 encodes ``-1 - position`` in the
        # backward numbering (taken before the segment's count was known).
        n = -1
        if self._seg_count_known(query, plan, seg):
            n = self.seg_count(query, plan, seg)
        elif start > 2000 and any((a[0] < 0) == forward for a in anchors):
            n = self.seg_count(query, plan, seg)  # worth a count: the scan would cost more
        best: tuple[int, Any, int] | None = None
        for pos_f, key, sid in anchors:
            if pos_f >= 0:
                pos = pos_f if forward else (n - 1 - pos_f if n >= 0 else -1)
            else:
                pos = -1 - pos_f if not forward else (n + pos_f if n >= 0 else -1)
            if 0 <= pos <= start and (best is None or pos > best[0]):
                best = (pos, key, sid)
        cmp = "<" if seg.descending else ">"
        key_expr = seg.key_expr
        select = seg.id_expr if key_expr is None else f"{seg.id_expr}, {key_expr}"
        tail = ""
        extra: list[Any] = []
        skip = start
        if best is not None:
            pos, key, sid = best
            if pos == start:  # the remembered row is the first one asked for
                cmp += "="
                pos -= 1
            if key_expr is None:
                tail = f" AND {seg.id_expr} {cmp} ?"
                extra = [sid]
            else:
                tail = f" AND ({key_expr}, {seg.id_expr}) {cmp} (?, ?)"
                extra = [key, sid]
            skip = start - pos - 1
        tail += f" ORDER BY {seg.order} LIMIT ? OFFSET ?"
        if force and skip + take <= FTS_PROBE_ROWS and self._broad_search(query):
            where, args = self._probed(query, where, args)
        values = [*args, *seg.cond_args, *extra, take, skip]
        try:
            sql = _segment_sql(seg, where, select, force)
            rows = self.conn.execute(sql + tail, values).fetchall()
        except sqlite3.OperationalError:
            if not force:
                raise
            where, args = self.where(query)
            values = [*args, *seg.cond_args, *extra, take, skip]
            rows = self.conn.execute(_segment_sql(seg, where, select) + tail, values).fetchall()
        if rows:
            for pos, row in ((start, rows[0]), (start + len(rows) - 1, rows[-1])):
                if forward:
                    pos_f = pos
                else:
                    pos_f = n - 1 - pos if n >= 0 else -1 - pos
                anchors.append((pos_f, row[1] if key_expr is not None else None, row[0]))
            del anchors[:-64]
        return [r[0] for r in rows]

    def head_first(self, query: SessionQuery, limit: int) -> list[int] | None:
        """The first ``limit`` ids of a newest-first search from its head alone (``search_head``:
        every match from some id up): the head's sessions that meet the other conditions, in
        sort order, when they are ``limit`` at least and no session below the head sorts before
        the last of them (its key is newer; ids grow with time, so this is a short index range).
        None: the head does not settle them (the caller walks the sort index and probes)."""
        head = self.cache.get(self._key(query, "head"))
        where, args = self.where(query)
        at = where.rfind(SEARCH_LISTED)
        if head is None or at < 0:
            return None
        lowest, matches = head
        listed = where[:at] + _LISTED + where[at + len(SEARCH_LISTED) :]
        seg = sort_plan(query.sort).forward[0]
        select = seg.id_expr if seg.key_expr is None else f"{seg.id_expr}, {seg.key_expr}"
        sql = _segment_sql(seg, listed, select) + f" ORDER BY {seg.order} LIMIT ?"
        rows = self.conn.execute(sql, [*args[:-1], matches, *seg.cond_args, limit]).fetchall()
        if len(rows) < limit:
            return None
        if seg.key_expr is not None:
            cmp = ">" if seg.descending else "<"
            # the sort index's range beyond the last row (not the ids below the head: most)
            source = "sessions s" if seg.index is None else f"sessions s INDEXED BY {seg.index}"
            before = f"SELECT 1 FROM {source} WHERE {seg.key_expr} {cmp} ? AND s.id < ? LIMIT 1"
            if self.conn.execute(before, [rows[-1][1], lowest]).fetchone() is not None:
                return None
        return [r[0] for r in rows]

    def _probed(self, query: SessionQuery, where: str, args: list[Any]) -> tuple[str, list[Any]]:
        """The WHERE probing the search index row by row, looking the ids of the listed head
        (``search_listed``) up in its list. The search is the last condition of the WHERE, its
        MATCH the last argument (``plan_where``)."""
        if SEARCH_LISTED not in where:
            return where, args
        head = self.cache.get(self._key(query, "head"))
        if head is None:
            return where.replace(SEARCH_LISTED, SEARCH_PROBED), args
        lowest, ids = head
        return where.replace(SEARCH_LISTED, SEARCH_HEAD), [*args[:-1], lowest, ids, args[-1]]

    def _broad_search(self, query: SessionQuery) -> bool:
        """A search matching a broad share (an unlisted one matches many: see
        ``search_listed``), whose first windows probe the index row by row."""
        if not (self.probe and query.search.strip()):
            return False
        known = self.cached_count(query)
        if known is None:
            return self._key(query, "listed") not in self.cache
        return known >= self.total() * FTS_PROBE_SHARE
