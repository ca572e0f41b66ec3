"""What the sessions table reads and how it draws a line: row source, block cache, cells.

Kept apart from the widget so the widget holds only layout, rendering and keys.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from mluvii_tui.query.types import SortKey
from mluvii_tui.text import cut

BLOCK = 128  # rows fetched from the store at a time
MAX_BLOCKS = 48  # blocks kept in memory (about 6,000 rows)
GAP = 1  # cells between columns


class ColumnLike(Protocol):
    id: str
    header: str
    width: int
    align: str

    def text(self, row: Any) -> str: ...


class RowBlocks:
    """Rows of the shown query in blocks of ``BLOCK``, kept in a small LRU; ``fetch(offset,
    limit)`` reads a missing block (an index range: the counts are known already)."""

    def __init__(self, fetch: Callable[[int, int], Sequence[Any]] | None = None) -> None:
        self.fetch = fetch
        self._blocks: OrderedDict[int, Sequence[Any]] = OrderedDict()

    def clear(self) -> None:
        self._blocks.clear()

    def reset(self, fetch: Callable[[int, int], Sequence[Any]], seed: dict[int, Any]) -> None:
        """Another result: its fetch function and the rows its job read already (by first
        row index, a multiple of ``BLOCK``)."""
        self.fetch = fetch
        self._blocks.clear()
        for start, rows in seed.items():
            for i in range(0, len(rows), BLOCK):
                self._blocks[(start + i) // BLOCK] = rows[i : i + BLOCK]

    def row(self, index: int) -> Any | None:
        block_no, within = divmod(index, BLOCK)
        block = self._blocks.get(block_no)
        if block is None:
            if self.fetch is None:
                return None
            block = self.fetch(block_no * BLOCK, BLOCK)
            self._blocks[block_no] = block
            if len(self._blocks) > MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block[within] if within < len(block) else None


def fit(text: str, width: int, align: str) -> str:
    """Cut (with an ellipsis) or pad one-line text to exactly ``width`` cells."""
    if text.isascii():
        size = len(text)
        if size > width:
            return text[: width - 1] + "…"
    else:
        size = cell_len(text)
        if size > width:
            text = cut(text, width)
            size = cell_len(text)
    gap = width - size
    if gap <= 0:
        return text
    return " " * gap + text if align == "right" else text + " " * gap


def header_line(
    columns: Sequence[ColumnLike],
    widths: Sequence[int],
    sort: SortKey,
    focus_col: int,
    normal: Style,
    focused: Style,
    total_width: int,
    view_width: int,
) -> Strip:
    """The header: each column's title, the sort mark on the sorted one, the focused one lit."""
    segments: list[Segment] = []
    for i, column in enumerate(columns):
        width = widths[i]
        if column.id == sort.column:
            mark = "▼" if sort.descending else "▲"
            label = cut(column.header, max(width - 2, 1)) + " " + mark
        else:
            label = cut(column.header, width)
        segments.append(
            Segment(fit(label, width, column.align), focused if i == focus_col else normal)
        )
        segments.append(Segment(" " * GAP, normal))
    segments.append(Segment(" " * max(view_width - total_width, 0), normal))
    return Strip(segments)


def row_line(
    columns: Sequence[ColumnLike],
    widths: Sequence[int],
    row: Any,
    style: Style,
    cell_style: Style,
    focus_col: int,
    total_width: int,
    view_width: int,
    marks: Sequence[Style | None] | None = None,
) -> Strip:
    """One session's line: one text run for every stretch in the same style (few segments).
    ``marks``: per column, a style added to that cell (live changes), or None."""
    texts: list[str] = []
    segments: list[Segment] = []
    gap = " " * GAP
    for i, column in enumerate(columns):
        try:
            value = column.text(row)
        except Exception:  # a broken value must not take the screen down
            value = "?"
        text = fit(value, widths[i], column.align)
        mark = marks[i] if marks is not None else None
        if i == focus_col or mark is not None:
            if texts:
                segments.append(Segment("".join(texts), style))
                texts = []
            own = cell_style if i == focus_col else style
            segments.append(Segment(text, own + mark if mark is not None else own))
            texts.append(gap)
        else:
            texts.append(text)
            texts.append(gap)
    pad = max(view_width - total_width, 0)
    texts.append(" " * (pad - GAP) if pad >= GAP else "")
    if pad < GAP:
        texts[-2] = ""  # no gap after the last column when the row fills the view
    segments.append(Segment("".join(texts), style))
    return Strip(segments, max(total_width, view_width))
