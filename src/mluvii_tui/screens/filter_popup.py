"""The per-column filter popup: the column's editor, an inline error line, apply / remove / cancel.

The popup dismisses with a ``PopupResult`` (``filter=None`` means "remove the filter on this
column") or with ``None`` when cancelled. A bad value never closes it: the message shows inline
and the caller's current filter stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from mluvii_tui.query.filterdesc import validate_filter
from mluvii_tui.query.filters import filters_sql
from mluvii_tui.query.types import Filter
from mluvii_tui.text import one_line

from .filter_editors import FilterEditor, editor_for


@dataclass(frozen=True)
class PopupResult:
    column: str
    filter: Filter | None  # None: remove the filter on this column


def check_filter(flt: Filter, column: Any) -> str | None:
    """None when the filter is usable, else a one-line message (never raises)."""
    try:
        message = validate_filter(flt, column)
        if message:
            return message
        from mluvii_tui.query.columns import column_by_id

        filters_sql([flt], lambda cid: column_by_id(cid))  # builds parameterised SQL only
    except Exception as exc:  # any surprise is shown inline, never as a traceback
        return one_line(str(exc) or type(exc).__name__, 200)
    return None


class FilterPopup(ModalScreen[PopupResult | None]):
    """Filter editor for one column."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter_popup.cancel"),
        Binding("enter", "apply", "Apply", priority=True, id="filter_popup.apply"),
        Binding("ctrl+r", "remove", "Remove filter", id="filter_popup.remove"),
    ]

    def __init__(
        self, column: Any, current: Filter | None, *, now: datetime, store: Any = None
    ) -> None:
        super().__init__()
        self.column = column
        self.current = current
        self.now = now
        self.store = store

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-popup"):
            title = Text("Filter: ", style="bold")
            title.append(one_line(self.column.header, 40), style="bold")
            yield Label(title, id="filter-popup-title")
            yield editor_for(self.column, self.current, now=self.now, store=self.store)
            yield Label("", id="filter-popup-error", classes="error")
            with Horizontal(id="filter-popup-buttons"):
                yield Button("Apply", id="filter-apply", variant="primary", compact=True)
                yield Button("Remove", id="filter-remove", compact=True)
                yield Button("Cancel", id="filter-cancel", compact=True)
            yield Label(
                "enter apply · ctrl+r remove · esc cancel · tab next field",
                id="filter-popup-help",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#filter-popup-error", Label).display = False
        self.editor.focus_first()

    @property
    def editor(self) -> FilterEditor:
        return self.query_one(FilterEditor)

    def show_error(self, message: str) -> None:
        label = self.query_one("#filter-popup-error", Label)
        label.update(Text("⚠ " + one_line(message, 300)))
        label.display = True

    @property
    def error_text(self) -> str:
        label = self.query_one("#filter-popup-error", Label)
        return str(label.render()) if label.display else ""

    def action_apply(self) -> None:
        focused = self.focused
        if isinstance(focused, Button) and focused.id != "filter-apply":
            focused.press()
            return
        try:
            flt = self.editor.build()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        message = check_filter(flt, self.column)
        if message:
            self.show_error(message)
            return
        self.dismiss(PopupResult(self.column.id, flt))

    def action_remove(self) -> None:
        self.dismiss(PopupResult(self.column.id, None))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "filter-apply":
            self.action_apply()
        elif event.button.id == "filter-remove":
            self.action_remove()
        else:
            self.action_cancel()
