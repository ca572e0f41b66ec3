"""The sessions screen's detail pane: opening and closing it (enter, the toggle and maximise
keys, esc back to the table), picking a tab by number from the table, following the table's
cursor, and the layout (beside the table; the whole screen when maximised or narrower than
``NARROW`` columns). Base of ``SessionsScreen``, like ``SessionFiltersMixin``.

The pane (and its module, with the API models) is built the first time it is opened: the first
frame shows only the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Horizontal
from textual.screen import Screen

from ..widgets.session_table import SessionTable

NARROW = 120  # below this width the detail pane takes the whole screen


class DetailPaneMixin(Screen[None]):
    """Base of SessionsScreen: the detail pane's keys, handlers and layout."""

    _detail_open: bool = False
    _detail_max: bool = False

    if TYPE_CHECKING:

        def _update_status(self) -> None: ...
        def _update_highlighter(self) -> None: ...

    def on_session_table_highlighted(self, event: SessionTable.Highlighted) -> None:
        self._update_status()
        detail = self._detail()
        if detail is not None and self._detail_open:
            detail.show(event.session_id, settle=True)  # a held key: where the cursor rests

    async def on_session_table_opened(self, event: SessionTable.Opened) -> None:
        detail = await self._built_detail()
        self._detail_open = True
        self._apply_detail_layout()
        detail.show(event.session_id)

    async def action_toggle_detail(self) -> None:
        detail = await self._built_detail()
        self._detail_open = not self._detail_open
        self._detail_max = False
        self._apply_detail_layout()
        if self._detail_open:
            detail.show(self.query_one(SessionTable).current_session_id)

    async def action_maximize_detail(self) -> None:
        detail = await self._built_detail()
        self._detail_open = True
        self._detail_max = not self._detail_max
        self._apply_detail_layout()
        detail.show(self.query_one(SessionTable).current_session_id)

    async def action_detail_tab(self, number: int) -> None:
        """Number keys pick a detail tab from the table too (opening the pane if needed)."""
        from ..widgets.detail.pane import TABS

        if not 1 <= number <= len(TABS):
            return
        detail = await self._built_detail()
        if not self._detail_open:
            self._detail_open = True
            self._apply_detail_layout()
            detail.show(self.query_one(SessionTable).current_session_id)
        detail.action_tab(TABS[number - 1])  # focus moves into the tab: its keys work at once

    def action_back(self) -> None:
        """esc: from inside the pane back to the table; from the table, close the pane."""
        detail = self._detail()
        table = self.query_one(SessionTable)
        focused = self.focused
        in_detail = detail is not None and focused is not None and detail in focused.ancestors
        if self._detail_open and in_detail and table.display:
            table.focus()
            return
        if self._detail_open:
            self._detail_open = False
            self._detail_max = False
            self._apply_detail_layout()

    def on_resize(self) -> None:
        self._apply_detail_layout()

    def _apply_detail_layout(self) -> None:
        detail = self._detail()
        table = self.query_one(SessionTable)
        if detail is None:
            return
        full = self._detail_open and (self._detail_max or self.size.width < NARROW)
        detail.display = self._detail_open
        table.display = not full
        detail.set_class(full, "-full")
        if self._detail_open and full:
            detail.focus()
        elif not self._detail_open:
            table.focus()

    def _detail(self) -> Any | None:
        """The pane once built (None before it was first opened)."""
        found = self.query("#detail")
        return found.first() if found else None

    async def _built_detail(self) -> Any:
        """The pane, built beside the table the first time it is needed (hidden until the
        layout shows it), told the search's words to mark."""
        detail = self._detail()
        if detail is None:
            from ..widgets.detail.pane import SessionDetail

            detail = SessionDetail(id="detail")
            detail.display = False
            await self.query_one("#sessions-body", Horizontal).mount(detail)
            self._update_highlighter()
        return detail
