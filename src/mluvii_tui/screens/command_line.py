"""The k9s-style ``:`` line: type an alias (``:live``, ``:export``, ``:views``, ``:theme nord``),
enter runs it; tab completes; a wrong name gets one line and keeps what was typed."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from mluvii_tui.keymap.commands import alias_table, bindings, resolve_alias
from mluvii_tui.keymap.table import Command


class CommandLine(ModalScreen[tuple[Command, str] | None]):
    KEYMAP_SCOPE = "command_line"
    BINDINGS: ClassVar[list[BindingType]] = bindings("command_line")

    def compose(self) -> ComposeResult:
        names = sorted(alias_table())
        with Vertical(id="command-line"):
            error = Static("", id="command-line-error", markup=False)
            error.display = False
            yield error
            yield Input(
                placeholder="command, e.g. live, history, export, views, stats, theme nord",
                suggester=SuggestFromList(names, case_sensitive=False),
                id="command-line-input",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _run(self, event: Input.Submitted) -> None:
        command, rest = resolve_alias(event.value)
        if command is None:
            error = self.query_one("#command-line-error", Static)
            error.update(Text(rest or "type a command name (esc leaves)", style="bold"))
            error.display = True
            return
        self.dismiss((command, rest))

    def action_complete(self) -> None:
        """tab: take the suggested name (the rest of the line stays as typed)."""
        field = self.query_one(Input)
        word, space, rest = field.value.partition(" ")
        names = sorted(n for n in alias_table() if n.startswith(word.lower().lstrip(":")))
        if word and names:
            field.value = names[0] + (space + rest if space else " ")
            field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
