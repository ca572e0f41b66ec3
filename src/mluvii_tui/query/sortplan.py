"""Sort order of a SessionQuery as index-ordered *segments* (rows with a value, then rows without
one), each with the index that serves it; see ``query`` for how windows walk them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mluvii_tui.query.columns import Column, column_by_id
from mluvii_tui.query.layout import INDEXED_FIELDS
from mluvii_tui.query.types import SortKey

_INDEXED = frozenset(INDEXED_FIELDS)


# -- sort segments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One index-ordered part of the sort order: rows matching ``cond`` ordered by ``order``."""

    source: str  # FROM clause
    cond: str  # extra condition (besides the query's WHERE)
    cond_args: tuple[Any, ...]
    order: str  # ORDER BY clause
    id_expr: str
    key_expr: str | None  # None: the segment holds the NULL keys (ordered by id only)
    descending: bool = False
    part: str = "valued"  # "valued" | "empty": which rows (same in both directions)
    index: str | None = None  # the index that serves this order (forced for broad filters)


@dataclass(frozen=True)
class SortPlan:
    column: Column
    descending: bool
    forward: tuple[Segment, ...]  # in display order
    backward: tuple[Segment, ...]  # the exact reverse order


def sort_plan(sort: SortKey) -> SortPlan:
    col = column_by_id(sort.column)
    if col is None:
        from mluvii_tui.query.where import QueryError

        raise QueryError(f"cannot sort by unknown column {sort.column!r}")

    def segs(desc: bool) -> list[Segment]:
        d = "DESC" if desc else "ASC"
        if col.id == "id":
            return [
                Segment(
                    "sessions s", "1", (), f"s.id {d}", "s.id", None, desc, index="ix_sessions_id"
                )
            ]
        if col.param is not None:
            name = col.param
            valued = Segment(
                "params p JOIN sessions s ON s.id = p.session_id",
                "p.name = ? AND p.value IS NOT NULL",
                (name,),
                f"p.value {d}, p.session_id {d}",
                "p.session_id",
                "p.value",
                desc,
            )
            empty = Segment(
                "sessions s",
                "NOT EXISTS (SELECT 1 FROM params p WHERE p.session_id = s.id AND p.name = ?"
                " AND p.value IS NOT NULL)",
                (name,),
                f"s.id {d}",
                "s.id",
                None,
                desc,
                "empty",
            )
        else:
            key = col.sql
            index = f"ix_sessions_{col.field}" if col.field in _INDEXED else None
            valued = Segment(
                "sessions s",
                f"{key} IS NOT NULL",
                (),
                f"{key} {d}, s.id {d}",
                "s.id",
                key,
                desc,
                index=index,
            )
            empty = Segment(
                "sessions s",
                f"{key} IS NULL",
                (),
                f"s.id {d}",
                "s.id",
                None,
                desc,
                "empty",
                index,  # (key, id, ...) with key IS NULL is in id order
            )
        return [valued, empty]

    forward = segs(sort.descending)
    backward = list(reversed(segs(not sort.descending)))
    return SortPlan(col, sort.descending, tuple(forward), tuple(backward))


def _segment_sql(seg: Segment, where: str, select: str, force: bool = False) -> str:
    source = seg.source
    if force and seg.index is not None and source == "sessions s":
        source = f"sessions s INDEXED BY {seg.index}"
    return f"SELECT {select} FROM {source} WHERE ({where}) AND {seg.cond}"
