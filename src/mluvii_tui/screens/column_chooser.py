"""Column chooser: show/hide with space, reorder with shift+up/down (or K/J), reset to basic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList
from textual.widgets.selection_list import Selection

from mluvii_tui.query.columns import BASIC_COLUMNS, COLUMNS, column_by_id


class ColumnChooser(ModalScreen[list[str] | None]):
    """Returns the ordered list of visible column ids, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
        Binding("enter", "apply", "Apply", priority=True, id="columns.apply"),
        Binding("shift+up,K", "move(-1)", "Move up", id="columns.move_up"),
        Binding("shift+down,J", "move(1)", "Move down", id="columns.move_down"),
        Binding("r", "reset", "Reset to basic", id="columns.reset"),
    ]

    def __init__(self, visible: list[str], param_names: Iterable[str] = ()) -> None:
        super().__init__()
        self._param_names = list(param_names)
        all_ids = list(COLUMNS) + [f"param:{n}" for n in self._param_names]
        self._order: list[str] = list(visible) + [i for i in all_ids if i not in visible]
        self._checked: set[str] = set(visible)

    def compose(self) -> ComposeResult:
        with Vertical(id="column-chooser"):
            yield Label("Columns", id="column-chooser-title")
            yield Label(
                "space show/hide · K/J or shift+↑↓ move · r basic columns\n"
                "enter apply · esc cancel",
                id="column-chooser-help",
            )
            yield SelectionList[str](id="column-list")

    def on_mount(self) -> None:
        self._rebuild(0)
        self.query_one(SelectionList).focus()

    def _label(self, column_id: str) -> Text:
        """The column as the table labels it; a call parameter says that it is one (ids are
        for config files, not for people)."""
        column = column_by_id(column_id, self._param_names)
        if column is None:
            return Text(column_id)
        label = Text(column.header)
        if column.param is not None:
            label.append("  call parameter", style="dim")
        return label

    def _rebuild(self, highlight: int) -> None:
        selection_list = self.query_one(SelectionList)
        selection_list.clear_options()
        selection_list.add_options(
            [Selection(self._label(i), i, i in self._checked) for i in self._order]
        )
        if self._order:
            selection_list.highlighted = max(0, min(highlight, len(self._order) - 1))

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        self._checked = set(self.query_one(SelectionList).selected)

    def action_move(self, delta: int) -> None:
        selection_list = self.query_one(SelectionList)
        index = selection_list.highlighted
        if index is None:
            return
        target = index + delta
        if not 0 <= target < len(self._order):
            return
        self._checked = set(selection_list.selected)
        self._order[index], self._order[target] = self._order[target], self._order[index]
        self._rebuild(target)

    def action_reset(self) -> None:
        all_ids = list(COLUMNS) + [f"param:{n}" for n in self._param_names]
        self._order = list(BASIC_COLUMNS) + [i for i in all_ids if i not in BASIC_COLUMNS]
        self._checked = set(BASIC_COLUMNS)
        self._rebuild(0)

    def action_apply(self) -> None:
        checked = set(self.query_one(SelectionList).selected)
        self.dismiss([i for i in self._order if i in checked])

    def action_cancel(self) -> None:
        self.dismiss(None)
