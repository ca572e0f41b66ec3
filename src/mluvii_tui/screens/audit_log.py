"""The audit log of this profile: every admin action (time, user, action, target, request id,
result with the reason), newest first. Opened from the command palette."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ..actions.audit import AuditLog
from ..text import one_line

STYLES = {"done": "green", "refused": "red", "unknown": "yellow"}


class AuditLogScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="audit.back"),
    ]

    def __init__(self, log: AuditLog) -> None:
        super().__init__()
        self.audit = log

    def compose(self) -> ComposeResult:
        yield Static(id="audit-title")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        try:
            entries = self.audit.entries()
        except OSError as exc:
            entries = []
            self.notify(Content(f"cannot read the audit log: {exc}"), severity="error")
        title = Text(" Audit log ", style="bold reverse")
        title.append(f"  {len(entries)} entries · {one_line(str(self.audit.path), 120)}")
        self.query_one("#audit-title", Static).update(title)
        table = self.query_one(DataTable)
        table.add_columns("Time", "User", "Action", "Target", "Result", "Reason", "Request id")
        for e in entries:
            table.add_row(
                Text(one_line(e.time, 30)),
                Text(one_line(e.user, 40)),
                Text(one_line(e.action, 12)),
                Text(one_line(e.target, 60)),
                Text(one_line(e.result, 10), style=STYLES.get(e.result, "")),
                Text(one_line(e.reason, 80)),
                Text(one_line(e.request_id, 40), style="dim"),
            )
        table.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
