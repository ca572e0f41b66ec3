"""The sessions table: a Line-API widget that renders only the visible rows.

Rows come from the store in blocks, so a million sessions cost what a screenful costs. Line 0 of
the widget is the column header; line ``y >= 1`` shows row ``scroll_y + y - 1``. Queries run in a
worker (``table_loading.QueryLoading``); the cursor, keys and mouse: ``table_cursor.TableCursor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from mluvii_tui.keymap.commands import bindings
from mluvii_tui.query.types import SessionQuery, SortKey
from mluvii_tui.store.reader import Loaded, TableReader

from .column_widths import MIN_WIDTH, fit_widths, natural_widths
from .live_marks import LiveMarks
from .table_cursor import TableCursor
from .table_loading import QueryLoading
from .table_model import GAP, ColumnLike, RowBlocks, header_line, row_line

if TYPE_CHECKING:
    from mluvii_tui.store.store import SessionStore

#: Cells one ``<``/``>`` press takes or gives.
WIDTH_STEP = 2
#: The screen's actions that open the bottom input (quick filter, search): the table runs them
#: on their key itself, so that the keys typed behind go to the input (``on_key``).
OPENS_INPUT = frozenset({"quick_filter", "search_content"})


class SessionTable(QueryLoading, TableCursor, ScrollView, can_focus=True):
    """Virtualised sessions table with a row cursor and a column cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "session-table--header",
        "session-table--header-focused",
        "session-table--cursor",
        "session-table--cursor-cell",
        "session-table--odd",
        "session-table--empty",
        "session-table--marked",
        "session-table--banned",
    }
    KEYMAP_SCOPE = "table"
    BINDINGS: ClassVar[list[BindingType]] = bindings("table")

    class Highlighted(Message):
        """The cursor moved to another session (or to none)."""

        def __init__(self, session_id: int | None) -> None:
            super().__init__()
            self.session_id = session_id

    class Opened(Message):
        """Enter on a session."""

        def __init__(self, session_id: int) -> None:
            super().__init__()
            self.session_id = session_id

    class Loaded(Message):
        """A query's rows (or its exact count) landed: the status line may change."""

    class QueryFailed(Message):
        """A query could not run; the table went back to the last good one."""

        def __init__(self, query: SessionQuery, message: str) -> None:
            super().__init__()
            self.query = query
            self.message = message

    class WidthsChanged(Message):
        """The user resized a column (``<``/``>``) or reset the widths (``=``)."""

        def __init__(self, widths: dict[str, int]) -> None:
            super().__init__()
            self.widths = widths

    class SortChanged(Message):
        def __init__(self, sort: SortKey) -> None:
            super().__init__()
            self.sort = sort

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)
    cursor_col: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        source: SessionStore,
        columns: Sequence[ColumnLike],
        query: SessionQuery | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        widths: dict[str, int] | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._width_overrides: dict[str, int] = dict(widths or {})
        self._natural: list[int] = []
        self.source = source
        self._columns: list[ColumnLike] = list(columns)
        self.query: SessionQuery = query or SessionQuery()
        self.row_count = 0
        self.count = 0  # matches of the shown query (a lower bound unless count_exact)
        self.count_exact = True
        self.total = 0  # sessions in the store
        self.updating = False  # a newer query is on its way
        self._reader: TableReader | None = None
        self._loaded: Loaded | None = None
        self._rows = RowBlocks()
        self._timer: Any = None
        self._typed_at = 0.0  # monotonic time of the last quick-filter keystroke
        self._moved = False  # the user moved the cursor since the last result
        self._offsets: list[int] = []
        self._widths: list[int] = []
        self._styles: dict[str, Style] | None = None
        self._total_width = 0
        self._last_id: int | None = None
        self.empty_message = "No sessions match."
        self.marked: set[int] = set()  # ids marked for a bulk action (space)
        #: Live overlay (counting durations, ended and changed marks); set by the live wiring.
        self.live_marks: LiveMarks | None = None
        self._layout_columns()

    # ---------------------------------------------------------------- data

    @property
    def columns(self) -> list[ColumnLike]:
        return list(self._columns)

    @property
    def focused_column_id(self) -> str | None:
        if not self._columns:
            return None
        return self._columns[min(self.cursor_col, len(self._columns) - 1)].id

    @property
    def current_session_id(self) -> int | None:
        row = self.row_at(self.cursor_row)
        return None if row is None else int(row.id)

    def set_columns(self, columns: Sequence[ColumnLike]) -> None:
        focused = self.focused_column_id
        self._columns = list(columns)
        ids = [c.id for c in self._columns]
        self.cursor_col = ids.index(focused) if focused in ids else 0
        self._layout_columns()
        self._rows.clear()
        self.refresh()

    def row_at(self, index: int) -> Any | None:
        if index < 0 or index >= self.row_count:
            return None
        return self._rows.row(index)

    # -------------------------------------------------------------- layout

    def _layout_columns(self) -> None:
        """Widths from the visible rows and the view's width (column_widths.py)."""
        self._natural = natural_widths(self._columns, self._visible_rows())
        self._apply_widths()

    def _visible_rows(self) -> list[Any]:
        if not self.is_mounted or self.row_count == 0:
            return []
        top = int(self.scroll_y)
        rows = (self.row_at(i) for i in range(top, min(top + self._body_height, self.row_count)))
        return [r for r in rows if r is not None]

    def _grow_to_screen(self) -> None:
        """After a scroll: widen columns whose newly visible values would be cut."""
        natural = natural_widths(self._columns, self._visible_rows())
        grown = [max(a, b) for a, b in zip(self._natural, natural, strict=False)]
        if grown != self._natural and len(grown) == len(self._columns):
            self._natural = grown
            self._apply_widths()
            self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if int(old) != int(new):
            self.call_later(self._grow_to_screen)

    def _apply_widths(self) -> None:
        view = self.scrollable_content_region.width if self.is_mounted else 0
        if len(self._natural) != len(self._columns):
            self._natural = natural_widths(self._columns, ())
        self._widths = fit_widths(
            self._columns, self._natural, view or 10_000, self._width_overrides
        )
        self._offsets = []
        x = 0
        for width in self._widths:
            self._offsets.append(x)
            x += width + GAP
        self._total_width = max(x - GAP, 0)
        self._update_virtual_size()

    def _update_virtual_size(self) -> None:
        size, old = Size(self._total_width, self.row_count + 1), self.virtual_size
        if size == old:
            return
        rows = sorted((size.height, old.height))
        bar_stays = rows[0] > self.size.height or rows[1] < self.size.height - 2
        if self.is_mounted and size.width == old.width and bar_stays:
            # only the row count changed (a live update): no layout pass, no repaint of the
            # whole table (the lines that changed are painted), the scrollbar follows
            self.set_reactive(SessionTable.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size

    @property
    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    # --------------------------------------------------------------- render

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        """Component styles, looked up once per style change (a lookup costs ~0.2 ms)."""
        if self._styles is None:
            self._styles = {c: self.get_component_rich_style(c) for c in self.COMPONENT_CLASSES}
            self._styles["base"] = self.rich_style
        return self._styles[name]

    def _empty_text(self) -> str:
        """What an empty table says: a filter that matches nothing, or nothing there yet."""
        query = self.query
        if query.filters or query.quick or query.search:
            return self.empty_message
        if query.view == "live":
            return "No ongoing sessions."
        return "No sessions in the local store yet (r syncs now)."

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._style("base")
        if y == 0:
            strip = self._header_strip()
        else:
            index = scroll_y + y - 1
            row = self.row_at(index)
            if row is None:
                if index == 0 and self.row_count == 0:
                    style = self._style("session-table--empty")
                    return Strip([Segment(" " + self._empty_text(), style)]).crop_extend(
                        0, width, base
                    )
                return Strip.blank(width, base)
            strip = self._row_strip(row, index)
        if scroll_x == 0 and strip.cell_length == width:
            return strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_strip(self) -> Strip:
        focus_col = self.cursor_col if self.has_focus else -1
        return header_line(
            self._columns,
            self._widths,
            self.query.sort,
            focus_col,
            self._style("session-table--header"),
            self._style("session-table--header-focused"),
            self._total_width,
            self.scrollable_content_region.width,
        )

    def _row_strip(self, row: Any, index: int) -> Strip:
        if index == self.cursor_row:
            style = self._style("session-table--cursor")
            cell_style = self._style("session-table--cursor-cell")
            focus_col = self.cursor_col
        else:
            # even rows in the widget's own colours (a bare Style() is the terminal's: black
            # rows on a light theme)
            style = self._style("session-table--odd") if index % 2 else self._style("base")
            cell_style, focus_col = style, -1
        if int(row.id) in self.marked:
            style = style + self._style("session-table--marked")
            cell_style = cell_style + self._style("session-table--marked")
        elif row["blacklisted"]:
            style = style + self._style("session-table--banned")
        marks = None
        if self.live_marks is not None:
            live_view = self.query.view == "live"
            extra = self.live_marks.row_style(int(row.id), live_view)
            if extra is not None:
                style, cell_style = style + extra, cell_style + extra
            marks = self.live_marks.cell_marks(int(row.id), self._columns)
            row = self.live_marks.row(row, live_view)
        return row_line(
            self._columns,
            self._widths,
            row,
            style,
            cell_style,
            focus_col,
            self._total_width,
            self.scrollable_content_region.width,
            marks,
        )

    def _repaint_changed(self, before: list[Any], top: int) -> None:
        """After the same query was read again: the cells a change altered are marked (live),
        widths only grow (nothing jumps under the user's eyes), and only the lines whose row
        changed are painted again."""
        after = self._visible_rows()
        lines = range(max(len(before), len(after)))
        changed = [y for y in lines if y >= len(before) or y >= len(after) or before[y] != after[y]]
        if not changed and int(self.scroll_y) == top:
            return
        marks, columns = self.live_marks, self._columns
        if marks is not None:
            old = {int(r.id): r for r in before}
            pairs = [(old[int(r.id)], r) for r in after if old.get(int(r.id), r) != r]
            if pairs:
                was, now = zip(*pairs, strict=True)
                marks.mark_changes(marks.texts(was, columns), now, columns)
        natural = natural_widths(columns, [after[y] for y in changed if y < len(after)])
        grown = [max(a, b) for a, b in zip(self._natural, natural, strict=False)]
        if int(self.scroll_y) != top or len(grown) != len(columns) or grown != self._natural:
            self._natural = natural_widths(columns, after) if len(grown) != len(columns) else grown
            self._apply_widths()
            self.refresh()
            return
        width = self.size.width
        for y in changed:
            self.refresh(Region(0, y + 1, width, 1))

    def on_resize(self) -> None:
        self._move_cursor(self.cursor_row)
        self._layout_columns()

    def on_key(self, event: events.Key) -> None:
        """ "/nov" typed fast or pasted (over SSH the keys often come as one burst) reaches this
        table whole, before the screen's "/" binding runs: "o" then sorted and "v" switched the
        view. So a key bound to an action that opens the bottom input runs it here, at once
        (the input takes the focus), and the keys queued behind it become the input's text."""
        focused = self.screen.focused
        if focused is not self and isinstance(focused, Input):
            if event.is_printable:
                event.stop()
                event.prevent_default()
                assert event.character is not None
                focused.insert_text_at_cursor(event.character)
            return
        active = self.screen.active_bindings.get(event.key)
        if active is None or not active.enabled or active.binding.action not in OPENS_INPUT:
            return
        event.stop()
        event.prevent_default()
        getattr(active.node, f"action_{active.binding.action}")()

    # -------------------------------------------------------------- widths

    @property
    def column_widths(self) -> list[int]:
        return list(self._widths)

    def _resize_focused(self, delta: int) -> None:
        column_id = self.focused_column_id
        if column_id is None:
            return
        width = self._widths[min(self.cursor_col, len(self._widths) - 1)]
        self._width_overrides[column_id] = max(width + delta, MIN_WIDTH)
        self._apply_widths()
        self.watch_cursor_col(self.cursor_col, self.cursor_col)
        self.post_message(self.WidthsChanged(dict(self._width_overrides)))

    def action_narrower(self) -> None:
        self._resize_focused(-WIDTH_STEP)

    def action_wider(self) -> None:
        self._resize_focused(WIDTH_STEP)

    def action_fit_columns(self) -> None:
        self._width_overrides.clear()
        self._layout_columns()
        self.refresh()
        self.post_message(self.WidthsChanged({}))
