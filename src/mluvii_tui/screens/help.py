"""The ``?`` help: every command of the keymap, grouped by area, with its keys (as remapped) and
its ``:`` names. Closes with ?, F1, esc or q."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from mluvii_tui.keymap.commands import bindings, effective_keys, key_text
from mluvii_tui.keymap.table import COMMANDS

GROUP_ORDER = (
    "General",
    "Sessions",
    "Filters",
    "Table",
    "Columns",
    "Detail",
    "Transcript",
    "Info",
    "Parameters",
    "Notes",
    "Routing",
    "Recordings",
    "Admin",
)


def help_table(keymap: dict[str, str]) -> Table:
    """One two-column table per group: keys (and : names), what it does."""
    groups: dict[str, list[Any]] = {}
    for command in COMMANDS:
        groups.setdefault(command.group, []).append(command)
    order = [g for g in GROUP_ORDER if g in groups] + [g for g in groups if g not in GROUP_ORDER]
    table = Table.grid(padding=(0, 2))
    table.add_column(min_width=14, no_wrap=True)
    table.add_column()
    for group in order:
        table.add_row(Text(group, style="bold underline"), "")
        for command in groups[group]:
            keys = key_text(effective_keys(command, keymap))
            names = " ".join(f":{a}" for a in command.aliases)
            what = Text(command.title)
            if names:
                what.append(f"  {names}", style="dim")
            table.add_row(Text(keys or "—", style="bold"), what)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    KEYMAP_SCOPE = "help"
    BINDINGS: ClassVar[list[BindingType]] = bindings("help")

    def compose(self) -> ComposeResult:
        self.table = help_table(dict(self.app._keymap))
        with Vertical(id="help-dialog"):
            yield Static(
                Text.assemble(
                    ("Keys", "bold"),
                    ("   ctrl+p finds any command by name · : runs one by alias · ", "dim"),
                    ("? esc q close", "dim"),
                ),
                id="help-title",
            )
            with VerticalScroll(id="help-body"):
                yield Static(self.table, id="help-table")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
