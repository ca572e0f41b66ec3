"""Where a session stands in a sorted, filtered list: the table keeps its cursor on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

from mluvii_tui.query.search import SEARCH_LISTED, SEARCH_PROBED
from mluvii_tui.query.sortplan import Segment, SortPlan, _segment_sql, sort_plan
from mluvii_tui.query.types import SessionQuery

#: A session with fewer sessions than this before (or after) it in the sort order is placed by
#: probing the search index for each of them (~0.3 ms a probe) rather than listing every match
#: of a common word (~1 s at 1M); after it: the count less those after it.
PROBED = 500


class QueryRunner(Protocol):
    """What counting a position needs of ``runner.QueryRunner`` (kept here so that the two
    modules do not import each other)."""

    conn: sqlite3.Connection

    def window_where(self, query: SessionQuery, force: bool) -> tuple[str, list[Any]]: ...

    def segment_counts(self, query: SessionQuery, plan: SortPlan) -> dict[Segment, int]: ...


def side_count(
    runner: QueryRunner,
    seg: Segment,
    where: str,
    head: Sequence[Any],
    key: Any,
    session_id: int,
    cmp: str,
    cap: int | None,
) -> int:
    """Rows of ``seg`` on one side of (key, id): keys beyond ``key`` plus ties beyond the
    id, each a plain index range (counting stops at ``cap`` when one is given)."""
    base = _segment_sql(seg, where, "1")
    parts = (
        (f"{base} AND {seg.key_expr} {cmp} ?", [*head, key]),
        (f"{base} AND {seg.key_expr} = ? AND {seg.id_expr} {cmp} ?", [*head, key, session_id]),
    )
    total = 0
    for sql, values in parts:
        if cap is None:
            sql = f"SELECT count(*) FROM ({sql})"
        else:
            sql = f"SELECT count(*) FROM ({sql} LIMIT ?)"
            values = [*values, cap - total]
        total += int(runner.conn.execute(sql, values).fetchone()[0])
        if cap is not None and total >= cap:
            return total
    return total


def position_of(runner: QueryRunner, query: SessionQuery, session_id: int) -> int | None:
    """Rows before ``session_id`` in the query's sort order: counted as index ranges, never by
    walking the list (None when the session does not match the query)."""
    plan = sort_plan(query.sort)
    where, args = runner.window_where(query, False)
    # Is the session a match: a search probes its index for that one row (listing every
    # match first costs ~0.5 s for a word in 80% of 1M sessions).
    one = where.replace(SEARCH_LISTED, SEARCH_PROBED)
    valued = plan.forward[0]
    if valued.key_expr is None or len(plan.forward) == 1:
        found = runner.conn.execute(
            f"SELECT 1 FROM sessions s WHERE ({one}) AND s.id = ?", [*args, session_id]
        ).fetchone()
        if found is None:
            return None
        cmp = ">" if plan.descending else "<"
        sql = f"SELECT count(*) FROM sessions s WHERE ({where}) AND s.id {cmp} ?"
        return int(runner.conn.execute(sql, [*args, session_id]).fetchone()[0])
    if plan.column.param is not None:
        row = runner.conn.execute(
            f"SELECT 1, (SELECT p.value FROM params p WHERE p.session_id = s.id"
            f" AND p.name = ?) FROM sessions s WHERE ({one}) AND s.id = ?",
            [plan.column.param, *args, session_id],
        ).fetchone()
    else:
        row = runner.conn.execute(
            f"SELECT 1, {valued.key_expr} FROM sessions s WHERE ({one}) AND s.id = ?",
            [*args, session_id],
        ).fetchone()
    if row is None:
        return None
    key = row[1]
    cmp = ">" if plan.descending else "<"
    if key is not None:
        # Two range counts, not one row-value comparison: SQLite 3.40 seeks a row value
        # only on its first column and then walks every row with an equal key (a re-sort by
        # status at 1M counted ~1M index entries: 175 ms; the split form: 0.2 ms).
        # Count the side before the session up to half the segment; past that, count the
        # side after it instead (so a session near the end costs what one near the top does).
        head = [*args, *valued.cond_args]
        after_cmp = "<" if cmp == ">" else ">"
        if one != where:  # a search with many matches (not listed): probe near either end
            near = side_count(runner, valued, "1", valued.cond_args, key, session_id, cmp, PROBED)
            if near < PROBED:
                return side_count(runner, valued, one, head, key, session_id, cmp, None)
            args_far = (valued, "1", valued.cond_args, key, session_id, after_cmp, PROBED)
            if side_count(runner, *args_far) < PROBED:  # near the end (the count is known)
                seg_total = runner.segment_counts(query, plan)[valued]
                after = side_count(runner, valued, one, head, key, session_id, after_cmp, None)
                return seg_total - 1 - after
        seg_total = runner.segment_counts(query, plan)[valued]
        half = seg_total // 2 + 1
        before = side_count(runner, valued, where, head, key, session_id, cmp, half)
        if before < half:
            return before
        after = side_count(runner, valued, where, head, key, session_id, after_cmp, None)
        return seg_total - 1 - after
    counts = runner.segment_counts(query, plan)
    empty = plan.forward[1]
    sql = _segment_sql(empty, where, "count(*)") + f" AND s.id {cmp} ?"
    before = int(runner.conn.execute(sql, [*args, *empty.cond_args, session_id]).fetchone()[0])
    return counts[valued] + before
