"""What a table job found (``Loaded``: count, rows by their first row index, where the cursor
goes) and which rows a job reads for the cursor, so that the table never reads them itself on
the UI thread (store/reader.py runs the jobs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mluvii_tui.query.types import SessionQuery

__all__ = ["Loaded", "around", "stays"]


@dataclass
class Loaded:
    """What a job found: count (exact or a lower bound), rows, where the cursor goes."""

    ticket: int
    query: SessionQuery
    count: int
    exact: bool
    total: int
    force: bool
    rows: dict[int, list[Any]] = field(default_factory=dict)  # first row index -> rows
    cursor: int | None = None  # row of the kept session (None: not found / not asked)
    shown: int = -1  # rows the table may show (a bounded count: the rows fetched so far)
    scan: bool = False  # a broad quick filter: windows test the stored folded text
    done: bool = True  # False: ``finish`` still has to count exactly or find the cursor
    cache: dict[Any, Any] = field(default_factory=dict)


def around(cursor: int | None, block: int) -> tuple[int, int]:
    """``(first row, rows)`` a job reads for a cursor shown centred on ``cursor``: its block and
    the neighbouring block on the side the screen reaches into (the table reads a missing
    block on the UI thread, and far down a broad search one window costs ~0.4 s at 1M)."""
    if cursor is None:
        return 0, block
    start = (cursor // block) * block
    if cursor - start < block // 2:
        return max(0, start - block), (2 * block if start else block)
    return start, 2 * block


def stays(cursor: int | None, keep: int | None, keep_row: int | None, count: int) -> int | None:
    """The row the table's cursor is on after a result with an exact ``count``: the kept
    session's row, else (a session was kept but not found) its old row, within the count."""
    if cursor is not None:
        return cursor
    if keep is None or keep_row is None:
        return None
    return min(keep_row, max(count - 1, 0))
