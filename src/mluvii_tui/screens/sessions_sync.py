"""The sessions screen's side of a history sync: its progress and outcome in the status line
(``SyncStateChanged``, posted by the app's sync worker, screens/online.py) and the table read
again as pages are committed, at most every ``SYNC_RELOAD_EVERY_S``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from ..widgets.session_table import SessionTable

if TYPE_CHECKING:
    from ..app import MluviiApp

#: Seconds between two reloads of the table while a sync commits pages (its first page and its
#: end show at once).
SYNC_RELOAD_EVERY_S = 2.0


class SyncStateChanged(Message):
    """Sync progress or outcome, for the status line."""

    def __init__(
        self,
        *,
        running: bool,
        sessions: int = 0,
        pages: int = 0,
        error: str | None = None,
        done: bool = False,
        phase: str = "",
        note: str = "",
    ) -> None:
        super().__init__()
        self.phase = phase
        self.note = note  # e.g. "1 session skipped: <why>": shown with the outcome
        self.running = running
        self.sessions = sessions
        self.pages = pages
        self.error = error
        self.done = done


class SyncStatusMixin(Screen[None]):
    """Base of SessionsScreen: what a sync shows (``_sync_text``, read by its status line)."""

    _sync_text: str = ""
    _sync_timer: Timer | None = None
    _sync_reloaded = 0.0  # time.monotonic() of the last reload for a sync

    if TYPE_CHECKING:

        @property
        def mluvii(self) -> MluviiApp: ...
        def _update_status(self) -> None: ...

    def on_sync_state_changed(self, event: SyncStateChanged) -> None:
        if event.error:
            self._sync_text = f"⚠ {event.error}"
            self.notify(event.error, title="Sync failed", severity="error", timeout=10)
        elif event.phase:
            self._sync_text = event.phase
        elif event.running:
            self._sync_text = f"syncing… {event.sessions:,} sessions"
        else:
            self._sync_text = f"synced {self.mluvii.now():%H:%M}"
        if event.note and not event.error:
            self._sync_text += f" · {event.note}"
            if event.done:
                self.notify(event.note, title="Sync", severity="warning", markup=False)
        if event.done:
            self._sync_reload()
        elif event.pages:
            self._sync_reload_soon()
        self._update_status()

    def _sync_reload_soon(self) -> None:
        """A page was committed: the table reads the store again, at most every
        ``SYNC_RELOAD_EVERY_S`` (each reload counts and finds the cursor's session again: per
        page, at 1M, those took the core the user's keys need)."""
        if self._sync_timer is not None:
            return  # one is due
        wait = self._sync_reloaded + SYNC_RELOAD_EVERY_S - time.monotonic()
        if wait <= 0:  # (a timer of 0 s divides by zero in Textual)
            self._sync_reload()
        else:
            self._sync_timer = self.set_timer(wait, self._sync_reload)

    def _sync_reload(self) -> None:
        if self._sync_timer is not None:
            self._sync_timer.stop()
            self._sync_timer = None
        self._sync_reloaded = time.monotonic()
        self.query_one(SessionTable).reload()
