"""Recordings tab: type, start, duration, state; download with progress, open in a player."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from mluvii_tui.keymap.commands import bindings
from mluvii_tui.text import one_line

from ...api.enums import enum_text
from ...api.models import Recording, SessionModel
from .common import fmt_duration, fmt_time

TYPE_TEXT = {
    "Operator": "operator",
    "Guest": "client",
    "AllParticipants": "all participants",
    "ScreenSharing": "screen sharing",
    "Other": "other",
}
STATE_TEXT = {"Processed": "processed", "FailedToProcess": "failed", "Processing": "processing"}


def has_recordings_tab(session: SessionModel) -> bool:
    """The tab shows when the session has recordings or the tenant records (recordings not null)."""
    return session.recordings is not None or session.recordings_state is not None


def recording_state(rec: Recording, session: SessionModel) -> str:
    if rec.is_deleted:
        return "deleted"
    if rec.is_uploading:
        return "processing"
    state = enum_text(session.recordings_state)
    return STATE_TEXT.get(state, state.lower() or "processed")


def recording_name(rec: Recording) -> str:
    kind = TYPE_TEXT.get(enum_text(rec.type), "recording").replace(" ", "-")
    return rec.name or f"recording-{rec.id or 'x'}-{kind}.webm"


class RecordingsView(Vertical):
    KEYMAP_SCOPE = "recordings"
    BINDINGS = bindings("recordings")

    class DownloadRequested(Message):
        def __init__(self, url: str, name: str) -> None:
            super().__init__()
            self.url = url
            self.name = name

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.recordings: list[Recording] = []
        self.session: SessionModel | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("", style="dim"), id="recordings-status", markup=False)
        table: DataTable[Any] = DataTable(id="recordings-table", cursor_type="row")
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (
            ("Type", 16),
            ("Started", 19),
            ("Duration", 8),
            ("State", 10),
            ("Name", 30),
        ):
            table.add_column(label, width=width)

    def set_session(self, session: SessionModel) -> None:
        self.session = session
        self.recordings = list(session.recordings or [])
        table = self.query_one(DataTable)
        table.clear()
        for rec in self.recordings:
            state = recording_state(rec, session)
            table.add_row(
                Text(TYPE_TEXT.get(enum_text(rec.type), one_line(enum_text(rec.type), 30))),
                Text(fmt_time(rec.started)),
                Text(fmt_duration(rec.duration)),
                Text(state, style="bold red" if state == "failed" else ""),
                Text(one_line(rec.name or "", 200)),
            )
        status = self.query_one("#recordings-status", Static)
        if self.recordings:
            status.update(Text("enter or D downloads the selected recording", style="dim"))
        else:
            status.update(Text("This session has no recordings.", style="dim"))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # enter on a recording downloads it (the table's own enter binding)
        self.action_download()

    def action_download(self) -> None:
        table = self.query_one(DataTable)
        if not self.recordings or not 0 <= table.cursor_row < len(self.recordings):
            return
        rec = self.recordings[table.cursor_row]
        if self.session is not None and recording_state(rec, self.session) != "processed":
            self.notify("This recording is not ready for download", severity="warning")
            return
        if not rec.download_url:
            self.notify("This recording has no download link", severity="warning")
            return
        self.post_message(self.DownloadRequested(rec.download_url, recording_name(rec)))
