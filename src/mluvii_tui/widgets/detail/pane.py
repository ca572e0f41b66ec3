"""SessionDetail: the pane beside the sessions table, six tabs (ARCHITECTURE.md UI contracts).

It reads the session from ``app.store`` in a thread worker and fetches notes, routing and
parameters through ``app.client`` when there is one. Failures are shown inline, never raised.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from mluvii_tui.domain.detail_read import DetailRead, read_detail
from mluvii_tui.domain.notes_outbox import NoteOutbox
from mluvii_tui.keymap.table import TAB_IDS, TAB_TITLES
from mluvii_tui.store.store import SessionStore
from mluvii_tui.text import one_line

from ...api.enums import LIVE_STATUSES, enum_text
from ...api.errors import MluviiError
from ...api.models import CallParam, SessionModel
from .host import host
from .info import InfoView
from .notes import NotesView, session_notes
from .params import ParamsView
from .recordings import RecordingsView, has_recordings_tab
from .routing import RoutingView
from .transcript import Spans, TranscriptView

if TYPE_CHECKING:  # the client (httpx, its transport) is the app's: offline, never imported
    from ...api.client import MluviiClient

TABS, TITLES = TAB_IDS, TAB_TITLES  # the keymap's tab commands name the same tabs
#: How often pending notes are retried while the pane exists (seconds).
FLUSH_EVERY = 30.0
#: A session shown within this many seconds of the one before (a held or repeated cursor key)
#: loads once the keys pause for as long: the cursor moves at once, the pane follows the session
#: it stops on. A single key loads at once. (At 1M during a sync, loading and drawing every
#: session passed put cursor keys at p95 418 ms; 0.1 s: 90 ms, since a slow key let a load in
#: and the load slowed the next keys; 0.25 s: 22.5 ms.)
SETTLE_S = 0.25


class SessionDetail(Widget):
    """Detail of one session; ``show(session_id)`` loads it (None clears the pane)."""

    # keys 1-6 are the screen's (keymap "sessions.tabN"), so they work from the table too

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("id", "session-detail")
        super().__init__(**kwargs)
        self.session_id: int | None = None
        self.session: SessionModel | None = None
        self._outbox: NoteOutbox | None = None
        self._shown_at = 0.0  # time.monotonic() of the last show()
        self._settle: Timer | None = None  # a deferred load (keys coming fast)

    def compose(self) -> ComposeResult:
        yield Static(Text("No session selected", style="dim"), id="detail-title", markup=False)
        views = (TranscriptView, InfoView, ParamsView, NotesView, RoutingView, RecordingsView)
        with TabbedContent(initial="transcript", id="detail-tabs"):
            for number, (tab, title, view) in enumerate(zip(TABS, TITLES, views, strict=True), 1):
                with TabPane(f"{number} {title}", id=tab):
                    yield view(id=f"{tab}-view")

    def on_mount(self) -> None:
        self.set_interval(FLUSH_EVERY, self._flush_notes, name="notes-flush")

    # -- the app's services --------------------------------------------------------------------

    @property
    def store(self) -> SessionStore:
        return host(self.app).store

    @property
    def client(self) -> MluviiClient | None:
        return host(self.app).client

    def now(self) -> datetime:
        return host(self.app).now()

    @property
    def outbox(self) -> NoteOutbox:
        if self._outbox is None or self._outbox.client is not self.client:
            pending = host(self.app).pending_notes or (  # the outbox file
                self._outbox.outbox if self._outbox is not None else None
            )
            self._outbox = NoteOutbox(self.store, self.client, pending=pending, now=self.now)
        return self._outbox

    # -- public API ----------------------------------------------------------------------------

    def show(self, session_id: int | None, *, settle: bool = False) -> None:
        """Load and show ``session_id`` (None: empty pane). ``settle`` (the table's cursor
        moved): within ``SETTLE_S`` of the last such show, load once the cursor rests."""
        if session_id == self.session_id and self.session is not None:
            return
        self.session_id = session_id
        if session_id is None:
            self.session = None
            self._title(Text("No session selected", style="dim"))
            self._tabs_shown(False)  # not the last session's tabs under that title
            return
        self._title(Text(f"Session {session_id} — loading…", style="dim"))
        now = time.monotonic()
        repeated, self._shown_at = settle and now - self._shown_at < SETTLE_S, now
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        if repeated:
            self._settle = self.set_timer(SETTLE_S, self._settled)
        else:
            self._load(session_id)

    def _settled(self) -> None:
        self._settle = None
        if self.session_id is not None:
            self._load(self.session_id)

    def reload(self) -> None:
        """Load the current session again (after a live update)."""
        if self.session_id is not None:
            self.session = None
            self._load(self.session_id)

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        session = self.session
        if tab == "recordings" and session is not None and not has_recordings_tab(session):
            self.notify("This session has no recordings", timeout=2)
            return
        tabs.active = tab
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        target = {
            "transcript": "#transcript-view",
            "info": "#info-view",
            "params": "#params-table",
            "notes": "#notes-list",
            "routing": "#routing-view",
            "recordings": "#recordings-table",
        }[tab]
        self.query_one(target).focus()

    def focus(self, scroll_visible: bool = True) -> SessionDetail:
        """Focus the active tab's content (the pane itself takes no focus)."""
        with contextlib.suppress(Exception):  # not composed yet
            self._focus_tab(self.query_one(TabbedContent).active or "transcript")
        return self

    def highlight(self, spans_fn: Spans | None) -> int:
        """Mark search hits in the transcript; returns the number of hits."""
        return self.query_one(TranscriptView).highlight(spans_fn)

    def next_hit(self) -> bool:
        return self.query_one(TranscriptView).next_hit()

    def prev_hit(self) -> bool:
        return self.query_one(TranscriptView).prev_hit()

    # -- loading -------------------------------------------------------------------------------

    def _title(self, text: Text) -> None:
        # height 1 (styles.tcss): no layout of the screen for it (one per cursor key otherwise)
        self.query_one("#detail-title", Static).update(text, layout=False)

    def _tabs_shown(self, shown: bool) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.display != shown:
            tabs.display = shown

    @work(thread=True, exclusive=True, group="detail-load", exit_on_error=False)
    def _load(self, session_id: int) -> None:
        try:
            loaded = self._read(session_id)
        except sqlite3.ProgrammingError:  # a store bound to the app's thread
            self.app.call_from_thread(self._load_here, session_id)
            return
        except Exception as exc:
            self.app.call_from_thread(self._failed, session_id, str(exc))
            return
        self.app.call_from_thread(self._apply, session_id, loaded)

    async def _load_here(self, session_id: int) -> None:
        try:
            loaded = self._read(session_id)
        except Exception as exc:
            self._failed(session_id, str(exc))
            return
        await self._apply(session_id, loaded)

    def _read(self, session_id: int) -> DetailRead | None:
        """The session for the tabs and its transcript items, from the kept JSON."""
        data = self.store.session_json(session_id)
        return None if data is None else read_detail(data)

    def _failed(self, session_id: int, message: str) -> None:
        if session_id == self.session_id:
            self._title(Text(f"Session {session_id}: {one_line(message, 200)}", style="bold red"))

    async def _apply(self, session_id: int, loaded: DetailRead | None) -> None:
        if session_id != self.session_id:
            return
        if loaded is None:
            self._title(Text(f"Session {session_id} is not in the local store", style="bold red"))
            self._tabs_shown(False)
            return
        self._tabs_shown(True)
        session = self.session = loaded.session
        live = enum_text(session.status) in LIVE_STATUSES
        title = Text(f"Session {session.id}", style="bold")
        for part in (session.channel, session.source, session.status):
            if part:
                title.append(f"  {one_line(enum_text(part), 30)}")
        if live:
            title.append("  ● live", style="bold #87d787")
        if session.blacklisted:
            title.append("  ⛔ client banned", style="bold red")
        self._title(title)
        tabs = self.query_one(TabbedContent)
        if has_recordings_tab(session):
            tabs.show_tab("recordings")
        else:
            if tabs.active == "recordings":
                tabs.active = "transcript"
            tabs.hide_tab("recordings")
        await self.query_one(TranscriptView).set_items(loaded.items)
        domain = host(self.app).web_app_domain
        self.query_one(InfoView).set_session(session, self.now, domain)
        self.query_one(RecordingsView).set_session(session)
        fallback = [CallParam(name=k, value=v) for k, v in session.guest.call_params.items()]
        status = "" if self.client else "offline: parameters as stored with the session"
        self.query_one(ParamsView).set_params(session.id, fallback, live=live, status=status)
        self.query_one(RoutingView).set_events(
            session, None, self.now(), live=live, note="" if self.client else "offline"
        )
        await self._show_notes(session_id, "loading…" if self.client else "offline")
        if self.client is not None:
            self._fetch(session_id)

    async def _show_notes(self, session_id: int, status: str = "") -> None:
        if session_id != self.session_id or self.session is None:
            return
        try:
            entries = self.outbox.notes(session_id) if self.store is not None else []
        except Exception as exc:
            entries, status = [], f"notes unavailable: {exc}"
        entries += session_notes(self.session)
        await self.query_one(NotesView).set_notes(entries, status)

    @work(exclusive=True, group="detail-fetch", exit_on_error=False)
    async def _fetch(self, session_id: int) -> None:
        client = self.client
        session = self.session
        if client is None or session is None:
            return
        live = enum_text(session.status) in LIVE_STATUSES
        try:
            params = await client.get_call_params(session_id)
        except MluviiError as exc:
            self.query_one(ParamsView).set_status(f"From the stored session ({exc.message})")
        else:
            if session_id == self.session_id:
                self.query_one(ParamsView).set_params(session_id, params, live=live)
        try:
            events = await client.get_routing(session_id)
            note = ""
        except MluviiError as exc:
            events, note = None, exc.message
        if session_id == self.session_id:
            view = self.query_one(RoutingView)
            view.set_events(session, events, self.now(), live=live, note=note)
        error = await self.outbox.refresh(session_id)
        await self._show_notes(session_id, error or "")

    # -- notes ---------------------------------------------------------------------------------

    @on(NotesView.Save)
    async def _save_note(self, event: NotesView.Save) -> None:
        event.stop()
        session_id = self.session_id
        if session_id is None or self.store is None:
            return
        from ...actions.permissions import refusal

        why = refusal(self.app, "note")
        if why is not None:
            self.notify(Content(why), severity="warning")
            return
        key = self.outbox.queue(session_id, event.text)
        await self._show_notes(session_id, "sending…")
        self._send_note(session_id, event.text, key)

    @work(group="notes-send", exit_on_error=False)
    async def _send_note(self, session_id: int, text: str, key: str) -> None:
        error = await self.outbox.send(session_id, text, key)
        await self._show_notes(session_id, error or "Note saved.")

    async def _flush_notes(self) -> None:
        if self.client is None or self.store is None:
            return
        try:
            result = await self.outbox.flush()
        except Exception:
            return
        if result.sent and self.session_id is not None:
            await self._show_notes(self.session_id, f"{result.sent} pending note(s) delivered.")

    def flush_notes(self) -> None:
        """Retry pending notes now (e.g. after the connection came back)."""
        self.run_worker(self._flush_notes(), group="notes-send", exit_on_error=False)

    # -- downloads -----------------------------------------------------------------------------

    @on(TranscriptView.DownloadRequested)
    def _download_file(self, event: TranscriptView.DownloadRequested) -> None:
        """A file that cannot be downloaded stops here with a word; the rest bubbles up to the
        screen, which opens the download dialog (widgets never push screens)."""
        if not event.file.url:
            event.stop()
            self.notify("This file has no download link", severity="warning")
        elif event.file.deleted:
            event.stop()
            self.notify("This file was deleted from the server", severity="warning")
