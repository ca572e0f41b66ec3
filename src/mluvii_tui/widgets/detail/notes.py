"""Notes tab: all notes newest first; a multi-line editor to add one (kept when offline)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static, TextArea

from mluvii_tui.domain.notes_outbox import NoteEntry
from mluvii_tui.keymap.commands import bindings
from mluvii_tui.text import clean, one_line

from ...api.models import SessionModel
from .common import fmt_time

NOTE_MAX_CHARS = 10_000


def render_note(entry: NoteEntry) -> Text:
    out = Text()
    out.append(one_line(entry.author or "Unknown", 80), style="bold")
    out.append(f"  {fmt_time(entry.created)}", style="dim")
    if entry.pending:
        out.append("  ● pending — not yet on the server", style="bold #ffaf00")
    out.append("\n")
    out.append(clean(entry.text)[:NOTE_MAX_CHARS])
    return out


def session_notes(session: SessionModel) -> list[NoteEntry]:
    """Notes that travel inside the session model (operators' and reviewers' notes)."""
    out = []
    for op in session.operators:
        if op.note:
            label = f"{op.full_name} (operator note)"
            out.append(NoteEntry(clean(op.note), one_line(label, 80), op.concluded or op.left))
    for rev in session.reviewers:
        if rev.note:
            name = " ".join(p for p in (rev.first_name, rev.last_name) if p) or rev.user_name
            out.append(NoteEntry(clean(rev.note), f"{one_line(name or '?', 60)} (reviewer)", None))
    return out


class NotesView(Vertical):
    KEYMAP_SCOPE = "notes"
    BINDINGS = bindings("notes")

    class Save(Message):
        """The user asks to add a note (handled by the pane)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[NoteEntry] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("", style="dim"), id="notes-status", markup=False)
        yield VerticalScroll(id="notes-list", can_focus=True)
        yield TextArea(id="notes-editor", soft_wrap=True, show_line_numbers=False)
        with Horizontal(id="notes-actions"):
            yield Button("Save note (ctrl+s)", id="notes-save", variant="primary")
            yield Static(Text("Notes are kept locally until the server has them.", style="dim"))

    async def set_notes(self, entries: list[NoteEntry], status: str = "") -> None:
        self.entries = entries
        box = self.query_one("#notes-list", VerticalScroll)
        widgets = [
            Static(render_note(e), markup=False, classes="note -pending" if e.pending else "note")
            for e in entries
        ] or [Static(Text("No notes yet.", style="dim"), classes="empty")]
        async with self.batch():
            await box.remove_children()
            await box.mount_all(widgets)
        self.set_status(status)

    def set_status(self, status: str) -> None:
        self.query_one("#notes-status", Static).update(Text(one_line(status, 300), style="dim"))

    def action_save(self) -> None:
        editor = self.query_one("#notes-editor", TextArea)
        text = editor.text.strip()
        if not text:
            self.notify("The note is empty", severity="warning", timeout=2)
            return
        if len(text) > NOTE_MAX_CHARS:
            self.notify(f"A note has at most {NOTE_MAX_CHARS:,} characters", severity="warning")
            return
        editor.clear()
        self.post_message(self.Save(text))

    @on(Button.Pressed, "#notes-save")
    def _pressed(self) -> None:
        self.action_save()
