"""The one confirmation step of every mutating admin action.

It says exactly what will happen and sends on enter. The request id is made when the dialog
opens, so pressing confirm twice (or again after a lost answer) sends one request: the second
press is ignored while the first is in flight, and the runner answers a known request id with
its first outcome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..actions.runner import Outcome, new_request_id


class ConfirmAction(ModalScreen[Outcome | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("enter", "confirm", "Confirm", priority=True, id="confirm.ok"),
    ]

    def __init__(
        self,
        title: str,
        lines: Sequence[Text | str],
        run: Callable[[str], Awaitable[Outcome]],
        *,
        verb: str = "confirm",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)
        self.run = run
        self.verb = verb
        self.request_id = new_request_id()
        self.sending = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog", id="confirm-action"):
            yield Static(Text(self.title_text, style="bold"), classes="admin-title")
            body = Text()
            for n, line in enumerate(self.lines):
                body.append_text(line if isinstance(line, Text) else Text(line))
                if n < len(self.lines) - 1:
                    body.append("\n")
            yield Static(body, id="confirm-body")
            yield Static(
                Text(f"enter {self.verb} · esc cancel", style="dim"),
                classes="admin-hint",
                id="confirm-hint",
            )

    def action_cancel(self) -> None:
        if not self.sending:
            self.dismiss(None)

    def action_confirm(self) -> None:
        if self.sending:
            return  # one request per confirmation, however often enter is pressed
        self.sending = True
        self.query_one("#confirm-hint", Static).update(Text("sending…", style="italic"))
        self._send()

    @work(exclusive=True, group="confirm", exit_on_error=False)
    async def _send(self) -> None:
        outcome = await self.run(self.request_id)
        self.dismiss(outcome)
