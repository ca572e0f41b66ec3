"""First run: no profile and no base URL. A small form (base URL, client id, hidden secret) with a
"Test connection" button; "Connect" saves the profile (config.toml) and the secret (keyring, when
there is one) and opens the console on it. Escape leaves without connecting."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from ..api.client import MluviiClient
from ..config import paths
from ..config.logs import register_secret
from ..config.profiles import ConfigError, Profile, check_base_url, profile_from_url, save_profile
from ..config.secrets import (
    CLIENT_SECRET,
    SecretsError,
    keyring_available,
    no_keyring_advice,
    set_secret,
)
from ..connect.verify import ProbeError, check_credentials, probe

Chosen = tuple[Profile, MluviiClient]


class ConnectScreen(Screen[Chosen | None]):
    """Base URL, client id and secret; test; connect."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave", id="connect.leave"),
    ]
    DEFAULT_CSS = """
    ConnectScreen { align: center middle; }
    #connect-form { width: 72; height: auto; border: round $primary; padding: 1 2; }
    #connect-title { text-style: bold; }
    #connect-hint { color: $text-muted; margin-bottom: 1; }
    #connect-buttons { height: auto; margin-top: 1; }
    #connect-buttons Button { margin-right: 2; }
    #connect-status { margin-top: 1; }
    #connect-status.-error { color: $error; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._warned = False

    def compose(self) -> ComposeResult:
        with Vertical(id="connect-form"):
            yield Static(Content("Connect to mluvii"), id="connect-title")
            yield Static(
                Content("No profile yet. Or quit (Esc) and try `mluvii-tui demo`."),
                id="connect-hint",
            )
            yield Label("Base URL")
            yield Input(placeholder="https://app.mluvii.com", id="connect-url")
            yield Label("API client id")
            yield Input(id="connect-id")
            yield Label("API client secret")
            yield Input(password=True, id="connect-secret")
            with Horizontal(id="connect-buttons"):
                yield Button("Test connection", id="connect-test")
                yield Button("Connect", variant="primary", id="connect-go")
            yield Static(id="connect-status")

    def on_mount(self) -> None:
        self.query_one("#connect-url", Input).focus()

    def _values(self) -> tuple[str, str, str] | None:
        url = self.query_one("#connect-url", Input).value
        client_id = self.query_one("#connect-id", Input).value.strip()
        secret = self.query_one("#connect-secret", Input).value
        try:
            url = check_base_url(url or "https://app.mluvii.com")
        except ConfigError as exc:
            self._status(str(exc), error=True)
            return None
        if not client_id or not secret:
            self._status("enter the API client id and its secret", error=True)
            return None
        return url, client_id, secret

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#connect-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        values = self._values()
        if values is None:
            return
        self._status("trying the server…")
        self._try(*values, keep=event.button.id == "connect-go")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#connect-go", Button).press()

    @work(thread=True, exclusive=True, group="connect-test", exit_on_error=False)
    def _try(self, url: str, client_id: str, secret: str, *, keep: bool) -> None:
        try:
            probe(url)
        except ProbeError as exc:
            self.app.call_from_thread(self._status, str(exc), error=True)
            return
        checked = check_credentials(url, client_id, secret)
        if not checked.ok:
            self.app.call_from_thread(self._status, checked.line, error=True)
            return
        if not keep:
            self.app.call_from_thread(self._status, f"{checked.line}: press Connect")
            return
        note = self._save(url, client_id, secret)
        # A message, not call_from_thread: the worker ends before the screen closes the app.
        self.post_message(self.Tried(url, client_id, secret, note))

    class Tried(Message):
        """The server accepted the credentials; ``note`` is a problem saving them, or ""."""

        def __init__(self, url: str, client_id: str, secret: str, note: str) -> None:
            super().__init__()
            self.url, self.client_id, self.secret, self.note = url, client_id, secret, note

        def __repr__(self) -> str:  # never show the secret
            return f"Tried({self.url!r}, {self.client_id!r})"

    def on_connect_screen_tried(self, message: Tried) -> None:
        self._finish(message.url, message.client_id, message.secret, message.note)

    def _save(self, url: str, client_id: str, secret: str) -> str:
        """Save the profile, and the secret where it is safe; a problem to show, or ""."""
        name = profile_from_url(url)
        try:
            save_profile(
                paths.config_file(),
                name,
                {"base_url": url, "client_id": client_id},
                make_default=True,
            )
            if keyring_available():
                set_secret(name, CLIENT_SECRET, secret)
        except (OSError, SecretsError) as exc:
            return f"could not save the profile: {exc}"
        if not keyring_available():
            return f"the secret is kept for this run only; {no_keyring_advice()}"
        return ""

    def _finish(self, url: str, client_id: str, secret: str, note: str) -> None:
        if note and not self._warned:  # say it once, on screen, before the console opens
            self._warned = True
            self._status(f"{note}. Press Connect again to go on.", error=True)
            return
        register_secret(secret)
        profile = Profile(name=profile_from_url(url), base_url=url, client_id=client_id)
        self.dismiss((profile, MluviiClient(url, client_id, secret)))

    def action_leave(self) -> None:
        self.dismiss(None)


class ConnectApp(App[Chosen | None]):
    """The connect screen alone, before the console opens."""

    TITLE = "mluvii-tui"

    def on_mount(self) -> None:
        self.push_screen(ConnectScreen(), self.exit)


def run_connect() -> Chosen | None:
    """Ask for a server and credentials; the chosen profile and a client, or None."""
    return ConnectApp().run()
