"""Transcript tab: every activity in time order, one widget per item, a cursor to copy/download."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from mluvii_tui.domain.transcript import (
    CHATBOT,
    FILE,
    FORM,
    GUEST,
    OPERATOR,
    SYSTEM,
    FileInfo,
    TranscriptItem,
    file_line,
)
from mluvii_tui.domain.transcript_text import transcript_text, with_days
from mluvii_tui.keymap.commands import bindings

from .common import fmt_clock

#: A single message shows at most this many characters; the rest is copied with `c`.
DISPLAY_CAP = 5000
SENDER_STYLE = {
    GUEST: "bold #5fafff",
    OPERATOR: "bold #87d787",
    CHATBOT: "bold #d7af5f",
}
HIT_STYLE = "black on #ffd75f"

Spans = Callable[[str], Sequence[tuple[int, int]]]


def render_item(item: TranscriptItem, spans: Spans | None = None) -> Text:
    """One transcript item as Text (plain data; the sender's colour on the header)."""
    out = Text(no_wrap=False, overflow="fold")
    out.append(fmt_clock(item.time), style="dim")
    out.append("  ")
    if item.kind == SYSTEM:
        out.append("• ", style="dim")
        out.append_text(_body(item.text, spans, style="italic"))
        return out
    out.append(item.sender_name or "System", style=SENDER_STYLE.get(item.sender, "bold"))
    if item.delivery:
        out.append(f"  ✓ {item.delivery}", style="dim")
    if item.kind == FORM:
        out.append("\n")
        out.append(item.title, style="bold underline")
        for f in item.fields:
            out.append("\n  ")
            out.append(f"{f.label}: ", style="bold")
            out.append_text(_body(f.value, spans))
        if item.text and item.text != item.title:
            out.append("\n")
            out.append_text(_body(item.text, spans))
        return out
    if item.kind == FILE and item.file is not None:
        out.append("\nFile: ", style="bold")
        out.append(file_line(item.file), style="underline")
        if item.file.url and not item.file.deleted:
            out.append("   d download", style="dim")
        elif not item.file.url:
            out.append("   (no download link)", style="dim")
        if item.text:
            out.append("\n")
            out.append_text(_body(item.text, spans))
        return out
    out.append("\n")
    out.append_text(_body(item.text, spans))
    return out


def _body(text: str, spans: Spans | None, style: str = "") -> Text:
    shown = text[:DISPLAY_CAP]
    body = Text(shown, style=style)
    if spans is not None:
        for start, end in spans(text):
            if start < len(shown):
                body.stylize(HIT_STYLE, max(0, start), min(end, len(shown)))
    if len(text) > DISPLAY_CAP:
        body.append(f"… ({len(text) - DISPLAY_CAP:,} more characters, c to copy all)", "dim")
    return body


class TranscriptEntry(Static):
    """One item of the transcript."""

    def __init__(self, item: TranscriptItem, index: int) -> None:
        super().__init__(
            render_item(item), markup=False, classes=f"entry -{item.sender} -{item.kind}"
        )
        self.item = item
        self.index = index
        self.hits = 0

    def highlight(self, spans: Spans | None) -> int:
        """Re-render with search hits marked; returns the number of hits."""
        hits = 0
        if spans is not None:
            texts = [self.item.text, *(f.value for f in self.item.fields)]
            hits = sum(len(spans(t)) for t in texts if t)
        self.hits = hits
        self.update(render_item(self.item, spans if hits else None))
        return hits


class TranscriptView(VerticalScroll, can_focus=True):
    """The transcript with a cursor on one item."""

    KEYMAP_SCOPE = "transcript"
    BINDINGS = bindings("transcript")

    class DownloadRequested(Message):
        def __init__(self, file: FileInfo) -> None:
            super().__init__()
            self.file = file

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.items: list[TranscriptItem] = []
        self.entries: list[TranscriptEntry] = []
        self.cursor = 0
        self._spans: Spans | None = None

    async def set_items(self, items: list[TranscriptItem]) -> None:
        self.items = items
        self.entries = []
        widgets: list[Static] = []
        for entry in with_days(items):
            if isinstance(entry, date):
                label = f"── {entry.strftime('%A %d %B %Y')} ──"
                widgets.append(Static(Text(label, style="bold"), classes="day", markup=False))
            else:
                widget = TranscriptEntry(entry, len(self.entries))
                self.entries.append(widget)
                widgets.append(widget)
        if not widgets:
            widgets.append(Static(Text("No activities.", style="dim"), classes="empty"))
        async with self.batch():
            await self.remove_children()
            await self.mount_all(widgets)
        self.cursor = 0
        # Open at the first item, as a transcript is read (G / end jump to the newest);
        # anchor() would push a short transcript to the bottom of the pane. With a search
        # in content active, open at its first hit instead.
        first_hit = None
        if self._spans is not None and self.highlight(self._spans):
            first_hit = next((e.index for e in self.entries if e.hits), None)
        if first_hit:
            self.cursor = first_hit
            self._mark(scroll=False)
            self.call_after_refresh(self._mark)
        else:
            self._mark(scroll=False)
            self.scroll_home(animate=False, immediate=True)

    def _mark(self, scroll: bool = True) -> None:
        for entry in self.entries:
            entry.set_class(entry.index == self.cursor, "-cursor")
        if scroll and self.entries:
            self.scroll_to_widget(self.entries[self.cursor], animate=False, immediate=True)

    @property
    def current(self) -> TranscriptItem | None:
        return self.entries[self.cursor].item if self.entries else None

    def action_move(self, delta: int) -> None:
        if self.entries:
            self.cursor = max(0, min(len(self.entries) - 1, self.cursor + delta))
            self._mark()

    def action_jump(self, where: int) -> None:
        if self.entries:
            self.cursor = where % len(self.entries)
            self._mark()

    def action_copy_one(self) -> None:
        item = self.current
        if item is not None and self.app.copy_to_clipboard(item.plain) is not False:
            self.notify(f"Copied the message ({len(item.plain):,} characters)", timeout=2)

    def action_copy_all(self) -> None:
        if self.items:
            text = transcript_text(self.items)
            if self.app.copy_to_clipboard(text) is not False:  # False: the app said why
                self.notify(f"Copied the transcript ({len(self.items)} items)", timeout=2)

    def action_download(self) -> None:
        item = self.current
        if item is None or item.kind != FILE or item.file is None:
            self.notify("The selected item is not a file", severity="warning", timeout=2)
            return
        self.post_message(self.DownloadRequested(item.file))

    # -- search hits ---------------------------------------------------------------------------

    def highlight(self, spans_fn: Spans | None) -> int:
        """Mark search hits (``spans_fn(text) -> [(start, end)]``); returns the hit count."""
        self._spans = spans_fn
        return sum(entry.highlight(spans_fn) for entry in self.entries)

    def action_hit(self, step: int) -> None:
        if step > 0:
            self.next_hit()
        else:
            self.prev_hit()

    def next_hit(self) -> bool:
        return self._go_hit(1)

    def prev_hit(self) -> bool:
        return self._go_hit(-1)

    def _go_hit(self, step: int) -> bool:
        n = len(self.entries)
        for k in range(1, n + 1):
            i = (self.cursor + step * k) % n
            if self.entries[i].hits:
                self.cursor = i
                self._mark()
                return True
        return False
