"""A modal that asks for a folder, downloads one file with a progress bar, and can open it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from mluvii_tui.domain.downloads import DownloadError, open_file, opener, safe_filename, target_path
from mluvii_tui.text import one_line

from ..api.errors import MluviiError

_last_folder: str | None = None


def default_folder() -> str:
    if _last_folder:
        return _last_folder
    downloads = Path.home() / "Downloads"
    return str(downloads if downloads.is_dir() else Path.cwd())


class DownloadDialog(ModalScreen["Path | None"]):
    """Download ``url`` (saved as a safe version of ``name``) into a folder the user picks.

    Dismisses with the saved path, or None when cancelled or failed.
    """

    BINDINGS = [Binding("escape", "close", "Close", id="download.close")]

    def __init__(
        self, url: str, name: str, *, folder: str | None = None, offer_open: bool = False
    ) -> None:
        super().__init__(classes="detail-modal")
        self.url = url
        self.file_name = name
        self.folder = folder or default_folder()
        self.offer_open = offer_open
        self.saved: Path | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="detail-dialog", id="download-dialog"):
            title = Text("Download ")
            title.append(one_line(safe_filename(self.file_name), 120), style="bold")
            yield Label(title)
            yield Label("Folder:")
            yield Input(value=self.folder, id="download-folder")
            yield ProgressBar(total=100, show_eta=False, id="download-progress")
            yield Static(Text("enter starts, esc closes", style="dim"), id="download-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Download", id="download-start", variant="primary")
                yield Button("Open", id="download-open", disabled=True)
                yield Button("Close", id="download-close")

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#download-status", Static).update(Text(one_line(text, 400), style=style))

    @on(Input.Submitted, "#download-folder")
    @on(Button.Pressed, "#download-start")
    def start(self) -> None:
        if self.busy or self.saved is not None:
            return
        client = getattr(self.app, "client", None)
        if client is None:
            self._status("Offline: downloads need a connection to the server.", "bold red")
            return
        folder = self.query_one("#download-folder", Input).value.strip()
        try:
            dest = target_path(folder, self.file_name)
        except DownloadError as exc:
            self._status(str(exc), "bold red")
            return
        global _last_folder
        _last_folder = folder
        self.busy = True
        self.query_one("#download-start", Button).disabled = True
        self._status(f"Downloading to {dest} …")
        self._download(client, dest)

    def _progress(self, done: int, total: int | None) -> None:
        bar = self.query_one("#download-progress", ProgressBar)
        if total:
            bar.update(total=total, progress=done)
        else:
            bar.update(total=None)

    @work(exclusive=True, group="download", exit_on_error=False)
    async def _download(self, client: Any, dest: Path) -> None:
        try:
            saved = await client.download(self.url, dest, self._progress)
        except MluviiError as exc:
            self.busy = False
            self.query_one("#download-start", Button).disabled = False
            self._status(f"Download failed: {exc.message}", "bold red")
            return
        except OSError as exc:
            self.busy = False
            self._status(f"Download failed: {exc.strerror or exc}", "bold red")
            return
        self.busy = False
        self.saved = Path(saved)
        bar = self.query_one("#download-progress", ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self._status(f"Saved to {self.saved}", "bold green")
        can_open = self.offer_open and opener(self.saved) is not None
        self.query_one("#download-open", Button).disabled = not can_open
        if self.offer_open and not can_open:
            self._status(f"Saved to {self.saved} (no player found to open it)", "bold green")

    @on(Button.Pressed, "#download-open")
    def open_saved(self) -> None:
        if self.saved is not None:
            self.notify(open_file(self.saved), timeout=4)
            self.dismiss(self.saved)

    @on(Button.Pressed, "#download-close")
    def action_close(self) -> None:
        if self.busy:
            self.workers.cancel_group(self, "download")
        self.dismiss(self.saved)
