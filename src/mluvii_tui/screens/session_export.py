"""Export the session in the detail pane as one HTML or JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet

from ..api.models import SessionModel


class SessionExportDialog(ModalScreen[Path | None]):
    """Format (HTML / JSON) and a target path; returns the written path or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="session_export.cancel"),
        Binding("ctrl+s", "save", "Export", priority=True, id="session_export.save"),
    ]

    def __init__(self, session: SessionModel, directory: Path | None = None) -> None:
        super().__init__()
        self.session = session
        self.directory = directory or Path.cwd()
        self._confirm: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="session-export"):
            yield Label(f"Export session {self.session.id}", id="session-export-title")
            with RadioSet(id="session-export-format"):
                yield RadioButton("HTML (self-contained, searchable)", value=True, id="fmt-html")
                yield RadioButton("JSON (as the API returns it)", id="fmt-json")
            yield Label("File")
            yield Input(str(self._default("html")), id="session-export-path")
            yield Label("enter or ctrl+s export · esc cancel", classes="hint")
            yield Label("", id="session-export-message")

    def _default(self, fmt: str) -> Path:
        return self.directory / f"session-{self.session.id}.{fmt}"

    def _format(self) -> str:
        return "json" if self.query_one("#fmt-json", RadioButton).value else "html"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        path_input = self.query_one("#session-export-path", Input)
        current = Path(path_input.value)
        fmt = self._format()
        if current.suffix.lower() in (".html", ".json"):
            path_input.value = str(current.with_suffix(f".{fmt}"))
        self._confirm = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._confirm = None

    def _say(self, message: str, error: bool = False) -> None:
        label = self.query_one("#session-export-message", Label)
        label.update(Text(message, style="bold red" if error else ""))

    def action_save(self) -> None:
        from ..export.html_export import export_session_html, export_session_json

        raw = self.query_one("#session-export-path", Input).value.strip()
        if not raw:
            self._say("Give a file name.", error=True)
            return
        path = Path(raw).expanduser()
        overwrite = self._confirm == path
        if path.exists() and not overwrite:
            self._confirm = path
            self._say(f"{path.name} exists: press enter again to overwrite it.", error=True)
            return
        writer = export_session_json if self._format() == "json" else export_session_html
        try:
            written = writer(self.session, path, overwrite=overwrite)
        except Exception as exc:  # ExportError and OS errors: one line, nothing partial
            self._say(str(getattr(exc, "message", exc)), error=True)
            return
        self.dismiss(Path(written))

    def action_cancel(self) -> None:
        self.dismiss(None)
