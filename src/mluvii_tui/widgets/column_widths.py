"""Column widths that fit: from the text on screen and the terminal's width.

A column is as wide as its widest visible value (and its header with the sort mark), so a name is
never cut while there is room. Only when the columns together are wider than the view do the ones
wider than their default shrink towards it, widest first, and the table scrolls sideways from
there. A width the user set with ``<``/``>`` is kept as set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rich.cells import cell_len

from .table_model import GAP, ColumnLike

MIN_WIDTH = 3
#: No column grows past this from its content alone (a 100,000-character message stays a cell).
MAX_FIT = 60


def natural_widths(columns: Sequence[ColumnLike], rows: Iterable[object]) -> list[int]:
    """Each column's widest header or visible value, in cells (capped at ``MAX_FIT``)."""
    widths = [min(cell_len(c.header), 24) + 2 for c in columns]
    for row in rows:
        for i, column in enumerate(columns):
            try:
                text = column.text(row)
            except Exception:  # a broken value is drawn as "?" (table_model.row_line)
                continue
            size = len(text) if text.isascii() else cell_len(text)
            if size > widths[i]:
                widths[i] = min(size, MAX_FIT)
    return widths


def fit_widths(
    columns: Sequence[ColumnLike],
    natural: Sequence[int],
    view_width: int,
    overrides: Mapping[str, int] | None = None,
) -> list[int]:
    """The widths to draw: natural ones when they fit in ``view_width``, else the widest
    columns shrunk towards their default width until they fit (or all are at the default)."""
    overrides = overrides or {}
    widths = [
        max(overrides[c.id], MIN_WIDTH) if c.id in overrides else max(n, MIN_WIDTH)
        for c, n in zip(columns, natural, strict=True)
    ]
    room = view_width - GAP * max(len(columns) - 1, 0)
    excess = sum(widths) - room
    while excess > 0:
        # the widest column still above its floor gives one cell at a time (ties: the rightmost)
        candidates = [
            i
            for i, c in enumerate(columns)
            if c.id not in overrides and widths[i] > max(c.width, min(cell_len(c.header), 24) + 2)
        ]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: (widths[i], i))
        second = max((widths[i] for i in candidates if i != widest), default=0)
        floor = max(columns[widest].width, min(cell_len(columns[widest].header), 24) + 2)
        step = min(excess, max(widths[widest] - max(second, floor), 1))
        widths[widest] -= step
        excess -= step
    return widths
