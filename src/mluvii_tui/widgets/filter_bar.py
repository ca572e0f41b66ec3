"""The filter bar above the sessions table: active filters as readable chips.

Focused (``F`` on the sessions screen): left/right select a chip, delete/backspace removes it,
``x`` clears all, enter edits the selected filter, escape goes back to the table. Chip text is
built from ``rich.text.Text`` pieces, never markup, so values like ``[/b]`` show as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from mluvii_tui.text import cut, one_line


@dataclass(frozen=True)
class Chip:
    key: str  # "filter:<column id>" | "quick" | "search"
    text: str  # already readable, one line


class FilterBar(Widget, can_focus=True):
    """One line of chips; empty state shows the keys that add filters."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "select(-1)", "Previous", show=False, id="filter_bar.left"),
        Binding("right,l", "select(1)", "Next", show=False, id="filter_bar.right"),
        Binding("delete,backspace", "remove", "Remove", id="filter_bar.remove"),
        Binding("x", "clear", "Clear all", id="filter_bar.clear"),
        Binding("enter", "edit", "Edit", id="filter_bar.edit"),
        Binding("escape", "leave", "Back to table", show=False, id="filter_bar.leave"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "filter-bar--chip",
        "filter-bar--selected",
        "filter-bar--label",
        "filter-bar--hint",
    }

    selected: reactive[int] = reactive(0)

    class Remove(Message):
        """Remove one chip (its key)."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class ClearAll(Message):
        """Remove every filter, the quick filter and the search."""

    class Edit(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class Leave(Message):
        """Escape: the screen moves focus back to the table."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.chips: list[Chip] = []

    def set_chips(self, chips: list[Chip]) -> None:
        self.chips = list(chips)
        if self.selected >= len(self.chips):
            self.selected = max(len(self.chips) - 1, 0)
        self.refresh()

    @property
    def selected_key(self) -> str | None:
        if not self.chips:
            return None
        return self.chips[min(self.selected, len(self.chips) - 1)].key

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        label_style = self.get_component_rich_style("filter-bar--label")
        if not self.chips:
            hint = self.get_component_rich_style("filter-bar--hint")
            line.append(" No filters ", style=label_style)
            line.append(" f filter column · / quick filter · s search in content · w views", hint)
            return line
        chip_style = self.get_component_rich_style("filter-bar--chip")
        selected_style = self.get_component_rich_style("filter-bar--selected")
        hint = self.get_component_rich_style("filter-bar--hint")
        line.append(" Filters ", style=label_style)
        texts = [f" {cut(one_line(chip.text, 80), 60)} ✕ " for chip in self.chips]
        first = self._first_visible(texts)
        if first:
            line.append(f" ‹{first}", style=hint)
        for i, text in enumerate(texts[first:], start=first):
            style = selected_style if (self.has_focus and i == self.selected) else chip_style
            line.append(" ")
            line.append(text, style=style)
        if self.has_focus:
            line.append("  ←/→ select · del remove · x clear all · enter edit", style=hint)
        else:
            line.append("  F manage filters", style=hint)
        return line

    def _first_visible(self, texts: list[str]) -> int:
        """The first chip to draw so that the selected one fits on the line."""
        if not self.has_focus:
            return 0
        from rich.cells import cell_len

        room = max(self.size.width - 14, 10)
        first = 0
        selected = min(self.selected, len(texts) - 1)
        while first < selected and sum(cell_len(t) + 1 for t in texts[first : selected + 1]) > room:
            first += 1
        return first

    def watch_selected(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_select(self, delta: int) -> None:
        if self.chips:
            self.selected = max(0, min(self.selected + delta, len(self.chips) - 1))

    def action_remove(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.Remove(key))

    def action_clear(self) -> None:
        if self.chips:
            self.post_message(self.ClearAll())

    def action_edit(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.Edit(key))

    def action_leave(self) -> None:
        self.post_message(self.Leave())
