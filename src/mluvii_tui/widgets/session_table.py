"""The sessions table: a Line-API widget that renders only the visible rows.

Rows come from the store in blocks, so a million sessions cost what a screenful costs. Line 0 of
the widget is the column header; line ``y >= 1`` shows row ``scroll_y + y - 1``.

A new query (filter, sort, quick filter, search, a reload after a sync) runs in a thread worker
(``store.reader.TableReader``); the table keeps showing the last good result, marked as
updating, until the new one lands; a newer query stops the older one; quick-filter keystrokes
are debounced. A query that scans and matches many rows shows its first rows with a lower bound
of its count ("≥ N") and finishes counting (and finding the cursor's session) in the background.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mluvii_tui.query.types import SessionQuery, SortKey
from mluvii_tui.store.reader import Cancelled, Loaded, TableReader

from .table_model import BLOCK, GAP, ColumnLike, RowBlocks, header_line, row_line

if TYPE_CHECKING:
    from mluvii_tui.store.store import SessionStore

#: Quick-filter keystrokes closer together than this start one query (seconds).
QUICK_DEBOUNCE = 0.08


class SessionTable(ScrollView, can_focus=True):
    """Virtualised sessions table with a row cursor and a column cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "session-table--header",
        "session-table--header-focused",
        "session-table--cursor",
        "session-table--cursor-cell",
        "session-table--odd",
        "session-table--empty",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("left,h", "column_left", "Column left", show=False, id="table.column_left"),
        Binding("right,l", "column_right", "Column right", show=False, id="table.column_right"),
        Binding("o", "sort_column", "Sort", id="table.sort"),
        Binding("O", "sort_reverse", "Reverse sort", show=False, id="table.sort_reverse"),
        Binding("enter", "open", "Open", show=False, id="table.open"),
    ]

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
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
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
        self._moved = False  # the user moved the cursor since the last result
        self._offsets: list[int] = []
        self._widths: list[int] = []
        self._styles: dict[str, Style] | None = None
        self._total_width = 0
        self._last_id: int | None = None
        self.empty_message = "No sessions match."
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

    def set_query(self, query: SessionQuery, *, keep: int | None = None) -> None:
        """Show another query; the cursor stays on session ``keep`` (default: the current one).
        Returns at once: the rows land from a worker (the old ones stay until then)."""
        keep_id = self.current_session_id if keep is None else keep
        typing = query != self.query and query == replace(self.query, quick=query.quick)
        self.query = query
        self._request(keep_id, QUICK_DEBOUNCE if typing else 0.0)

    def reload(self, *, keep: int | None = None) -> None:
        """Re-read count and rows (after a sync or a live update), keeping the cursor's session.

        A cursor resting on the first row stays on the first row (it follows the newest session),
        as in k9s; anywhere else it stays on its session."""
        if keep is None and self.cursor_row == 0 and int(self.scroll_y) == 0:
            keep_id = None
        else:
            keep_id = self.current_session_id if keep is None else keep
        self._request(keep_id, 0.0)

    @property
    def count_text(self) -> str:
        """The shown count: "1,234", or "≥ 20,001" while a scan is still counting."""
        return f"{self.count:,}" if self.count_exact else f"≥ {self.count:,}"

    def _request(self, keep_id: int | None, delay: float) -> None:
        if self._reader is None:
            self._reader = TableReader(self.source)
        ticket = self._reader.newer()  # stops the running query, if any
        self.updating = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = self.query
        if delay > 0:
            self._timer = self.set_timer(delay, lambda: self._start(ticket, query, keep_id))
        else:
            self._start(ticket, query, keep_id)

    def _start(self, ticket: int, query: SessionQuery, keep_id: int | None) -> None:
        self._timer = None
        self.run_worker(
            lambda: self._work(ticket, query, keep_id),
            thread=True,
            group="session-table",
            exit_on_error=False,
        )

    def _work(self, ticket: int, query: SessionQuery, keep_id: int | None) -> None:
        """Worker thread: the query's first rows, then (when only bounded) its exact count."""
        reader = self._reader
        assert reader is not None
        try:
            loaded = reader.load(ticket, query, keep_id, BLOCK)
            self.app.call_from_thread(self._show, loaded, keep_id)
            if not loaded.done:
                final = reader.finish(ticket, loaded, keep_id, BLOCK)
                self.app.call_from_thread(self._show, final, keep_id)
        except Cancelled:
            return
        except Exception as exc:  # a bad filter, a damaged store: one line, the old rows stay
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            try:
                self.app.call_from_thread(self._failed, ticket, query, message)
            except RuntimeError:  # the app is closing
                return

    def _current(self, ticket: int) -> bool:
        return self._reader is not None and ticket == self._reader._wanted

    def _show(self, loaded: Loaded, keep_id: int | None) -> None:
        if not self._current(loaded.ticket):
            return
        first = self._loaded is None or self._loaded.ticket != loaded.ticket
        reader = self._reader
        assert reader is not None
        self._loaded = loaded
        self._rows.reset(lambda offset, limit: reader.window(loaded, offset, limit), loaded.rows)
        self.count, self.count_exact, self.total = loaded.count, loaded.exact, loaded.total
        self.row_count = loaded.count if loaded.exact else loaded.shown
        self.updating = False
        self._update_virtual_size()
        if first:
            self._moved = False
            if loaded.cursor is not None:
                self._move_cursor(loaded.cursor, center=True)
            elif keep_id is not None and loaded.exact:
                self._move_cursor(min(self.cursor_row, max(self.row_count - 1, 0)))
            else:
                self._move_cursor(0)
        elif loaded.cursor is not None and not self._moved:
            self._move_cursor(loaded.cursor, center=True)
        self._moved = False if first else self._moved
        self.refresh()
        self.post_message(self.Loaded())

    def _failed(self, ticket: int, query: SessionQuery, message: str) -> None:
        if not self._current(ticket):
            return
        self.updating = False
        if self._loaded is not None:
            self.query = self._loaded.query
        self.refresh()
        self.post_message(self.QueryFailed(query, message))

    def row_at(self, index: int) -> Any | None:
        if index < 0 or index >= self.row_count:
            return None
        return self._rows.row(index)

    # -------------------------------------------------------------- layout

    def _layout_columns(self) -> None:

        self._offsets = []
        # A column is at least as wide as its header plus a sort mark: headers stay readable.
        self._widths = [max(c.width, min(cell_len(c.header), 24) + 2) for c in self._columns]
        x = 0
        for width in self._widths:
            self._offsets.append(x)
            x += width + GAP
        self._total_width = max(x - GAP, 0)
        self._update_virtual_size()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self._total_width, self.row_count + 1)

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
                    return Strip([Segment(" " + self.empty_message, style)]).crop_extend(
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
            style = self._style("session-table--odd") if index % 2 else _PLAIN
            cell_style, focus_col = style, -1
        return row_line(
            self._columns,
            self._widths,
            row,
            style,
            cell_style,
            focus_col,
            self._total_width,
            self.scrollable_content_region.width,
        )

    # --------------------------------------------------------------- cursor

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        session_id = self.current_session_id
        if session_id != self._last_id:
            self._last_id = session_id
            self.post_message(self.Highlighted(session_id))

    def watch_cursor_col(self, old: int, new: int) -> None:
        self.refresh()
        if not self._columns:
            return
        x = self._offsets[new]
        w = self._widths[new]
        view = self.scrollable_content_region.width
        if x < self.scroll_x:
            self.scroll_to(x=x, animate=False)
        elif x + w > self.scroll_x + view:
            self.scroll_to(x=x + w - view, animate=False)

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))
        self.refresh(Region(0, 0, self.size.width, 1))

    def _move_cursor(self, index: int, *, center: bool = False) -> None:
        if self.row_count == 0:
            index = 0
        else:
            index = max(0, min(index, self.row_count - 1))
        body = self._body_height
        top = int(self.scroll_y)
        if center and not (top <= index < top + body):
            self.scroll_to(y=max(index - body // 2, 0), animate=False)
        elif index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + body:
            self.scroll_to(y=index - body + 1, animate=False)
        self.cursor_row = index

    def action_cursor_up(self) -> None:
        self._moved = True
        self._move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._moved = True
        self._move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._moved = True
        body = self._body_height
        self.scroll_to(y=max(self.scroll_y - body, 0), animate=False)
        self._move_cursor(self.cursor_row - body)

    def action_page_down(self) -> None:
        self._moved = True
        body = self._body_height
        self.scroll_to(y=self.scroll_y + body, animate=False)
        self._move_cursor(self.cursor_row + body)

    def action_first(self) -> None:
        self._moved = True
        self._move_cursor(0)

    def action_last(self) -> None:
        self._moved = True
        self._move_cursor(self.row_count - 1)

    def action_column_left(self) -> None:
        if self.cursor_col > 0:
            self.cursor_col -= 1

    def action_column_right(self) -> None:
        if self.cursor_col < len(self._columns) - 1:
            self.cursor_col += 1

    def action_open(self) -> None:
        session_id = self.current_session_id
        if session_id is not None:
            self.post_message(self.Opened(session_id))

    def sort_by(self, column_id: str, descending: bool | None = None) -> None:
        current = self.query.sort
        if descending is None:
            descending = not current.descending if current.column == column_id else False
        sort = SortKey(column_id, descending)
        self.set_query(_replace_sort(self.query, sort))
        self.post_message(self.SortChanged(sort))

    def action_sort_column(self) -> None:
        if self.focused_column_id:
            self.sort_by(self.focused_column_id)

    def action_sort_reverse(self) -> None:
        self.sort_by(self.query.sort.column, not self.query.sort.descending)

    # ---------------------------------------------------------------- mouse

    def _column_at(self, x: int) -> int | None:
        x += int(self.scroll_x)
        for i, offset in enumerate(self._offsets):
            if offset <= x < offset + self._widths[i] + GAP:
                return i
        return None

    def on_click(self, event: events.Click) -> None:
        col = self._column_at(event.x)
        if event.y == 0:
            if col is not None:
                self.cursor_col = col
                self.sort_by(self._columns[col].id)
            return
        if col is not None:
            self.cursor_col = col
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self.row_count:
            self._move_cursor(index)
            if event.chain >= 2:
                self.action_open()

    def on_focus(self) -> None:
        self.refresh(Region(0, 0, self.size.width, 1))

    def on_blur(self) -> None:
        self.refresh(Region(0, 0, self.size.width, 1))

    def on_resize(self) -> None:
        self._move_cursor(self.cursor_row)


_PLAIN = Style()


def _replace_sort(query: SessionQuery, sort: SortKey) -> SessionQuery:
    return replace(query, sort=sort)
