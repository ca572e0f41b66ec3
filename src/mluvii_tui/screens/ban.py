"""Ban dialog: the client's identity as the session's channel knows it (IP and cookie for web
chat, phone number for phone and WhatsApp, the channel's user id for Messenger, Apple, VK), a
mandatory reason and an optional expiry. Returns a ``BanRequest`` for the confirmation step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..actions.targets import CHANNEL_NAMES, ban_channel, ban_identity, identity_text, parse_expiry
from ..api.models import SessionModel
from ..text import one_line


@dataclass
class BanRequest:
    reason: str
    expires: datetime | None
    target: str
    summary: list[Text | str] = field(default_factory=list)


class BanDialog(ModalScreen[BanRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="ban.cancel"),
    ]

    def __init__(self, session: SessionModel, *, now: datetime) -> None:
        super().__init__()
        self.session = session
        self.now = now
        self.channel = ban_channel(session) or "?"
        self.identity = ban_identity(session)

    @property
    def who(self) -> str:
        name = CHANNEL_NAMES.get(self.channel, self.channel)
        known = identity_text(self.identity) if self.identity else "identity taken by the server"
        return f"{name} client: {known}"

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog", id="ban"):
            yield Static(
                Text(f"Ban the client of session {self.session.id}", style="bold"),
                classes="admin-title",
            )
            yield Static(Text(one_line(self.who, 200)), id="ban-who")
            yield Input(placeholder="reason (required)", id="ban-reason")
            yield Input(placeholder="expires: 7d, 12h, 2w or a date (empty: never)", id="ban-exp")
            yield Static(
                Text("enter continue · tab next field · esc cancel", style="dim"),
                classes="admin-hint",
            )
            yield Static("", id="ban-message")

    def on_mount(self) -> None:
        self.query_one("#ban-reason", Input).focus()

    def _say(self, message: str) -> None:
        self.query_one("#ban-message", Static).update(Text(one_line(message, 200), "bold red"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = self.query_one("#ban-reason", Input).value.strip()
        if not reason:
            self._say("A ban needs a reason.")
            self.query_one("#ban-reason", Input).focus()
            return
        try:
            expires = parse_expiry(self.query_one("#ban-exp", Input).value, self.now)
        except ValueError as exc:
            self._say(str(exc))
            self.query_one("#ban-exp", Input).focus()
            return
        until = f"until {expires:%Y-%m-%d %H:%M}" if expires else "with no expiry"
        summary: list[Text | str] = [
            Text(f"Ban the {one_line(self.who, 200)}", style="bold"),
            f"Reason: {one_line(reason, 200)}",
            f"The ban holds {until}; their new sessions are refused and their sessions marked.",
        ]
        target = f"{self.channel} {identity_text(self.identity)} (session {self.session.id})"
        self.dismiss(BanRequest(reason, expires, target, summary))

    def action_cancel(self) -> None:
        self.dismiss(None)
