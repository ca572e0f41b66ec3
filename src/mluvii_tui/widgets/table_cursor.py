"""Moving through the sessions table: the row cursor and the column cursor (keys and mouse),
paging, opening a session, sorting by the focused or clicked column. Moving the row cursor
posts ``Highlighted`` when the session under it changes. Mixed into ``SessionTable``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import events
from textual.geometry import Region

from mluvii_tui.query.types import SessionQuery, SortKey

from .table_model import GAP, ColumnLike

if TYPE_CHECKING:
    from textual.geometry import Size


class TableCursor:
    """The cursor side of ``SessionTable`` (state is set up by the table's ``__init__``)."""

    query: SessionQuery
    row_count: int
    cursor_row: int
    cursor_col: int
    scroll_x: Any
    scroll_y: Any
    has_focus: bool
    size: Size
    scrollable_content_region: Any
    _columns: list[ColumnLike]
    _offsets: list[int]
    _widths: list[int]
    _moved: bool
    _last_id: int | None

    if TYPE_CHECKING:

        @property
        def current_session_id(self) -> int | None: ...
        @property
        def focused_column_id(self) -> str | None: ...
        @property
        def _body_height(self) -> int: ...
        def refresh(self, *args: Any, **kwargs: Any) -> Any: ...
        def scroll_to(self, *args: Any, **kwargs: Any) -> Any: ...
        def post_message(self, message: Any) -> bool: ...
        def set_query(self, query: SessionQuery, *, keep: int | None = None) -> None: ...

        Highlighted: Any
        Opened: Any
        SortChanged: Any

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


def _replace_sort(query: SessionQuery, sort: SortKey) -> SessionQuery:
    return replace(query, sort=sort)
