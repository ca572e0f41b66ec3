"""Session notes that survive a lost connection and a deleted cache (headless).

A new note is first written to the outbox file (``outbox_store.PendingNotes``, in the state
directory, not the disposable cache) with a fresh uuid idempotency key, then sent. If the server
cannot be reached it stays pending and ``flush()`` sends it later. The server stores a note once
per key, and the outbox never has two sends of one key in flight, so each note arrives exactly
once however often sending is retried. Accepted notes leave the outbox and are cached in the
store with the server's other notes.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mluvii_tui.api.errors import MluviiError
from mluvii_tui.api.models import SessionNote
from mluvii_tui.domain.outbox_store import PendingNotes
from mluvii_tui.text import clean


@dataclass(frozen=True)
class NoteEntry:
    """A note as the UI shows it."""

    text: str
    author: str
    created: datetime | None
    pending: bool = False
    key: str | None = None
    id: str | None = None


@dataclass
class FlushResult:
    sent: int = 0
    pending: int = 0
    error: str | None = None


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    try:
        return obj[name]
    except (KeyError, IndexError, TypeError):
        return getattr(obj, name, default)


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        return datetime.fromisoformat(str(value))
    except (ValueError, OverflowError, OSError):
        return None


def entry_from(row: Any) -> NoteEntry:
    """A NoteEntry from a store row (mapping, sqlite3.Row or object) or a SessionNote."""
    if isinstance(row, SessionNote):
        return NoteEntry(
            text=clean(row.note),
            author=clean(row.author, keep_newlines=False) or "",
            created=row.created,
            id=None if row.id is None else str(row.id),
        )
    state = _get(row, "state", "sent")
    pending = _get(row, "pending", None)
    nid = _get(row, "id")
    return NoteEntry(
        text=clean(_get(row, "note", "") or ""),
        author=clean(_get(row, "author", "") or "", keep_newlines=False),
        created=_as_datetime(_get(row, "created")),
        pending=bool(pending) if pending is not None else state == "pending",
        key=_get(row, "idempotency_key"),
        id=None if nid is None else str(nid),
    )


class NoteOutbox:
    """Queue, send and retry session notes: pending ones in ``pending`` (the outbox file; an
    in-memory one when None), the server's ones cached in ``store``."""

    def __init__(
        self,
        store: Any,
        client: Any | None,
        *,
        pending: PendingNotes | None = None,
        author: str = "You",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.outbox = pending if pending is not None else PendingNotes(":memory:")
        self.author = author
        self.now = now or (lambda: datetime.now(UTC))
        self._in_flight: set[str] = set()
        self._lock = asyncio.Lock()
        if store is not None:  # notes an older version kept in the cache move here, once
            with contextlib.suppress(sqlite3.Error):  # an unreadable cache: nothing to move
                self.outbox.adopt(store)

    # -- local ---------------------------------------------------------------------------------

    def queue(self, session_id: int, text: str) -> str:
        """Keep ``text`` as a pending note of ``session_id``; returns its idempotency key."""
        return self.outbox.add(session_id, text, author=self.author, now=self.now())

    def notes(self, session_id: int) -> list[NoteEntry]:
        """Every known note of a session (sent and pending), newest first."""
        sent = self.store.notes_for(session_id)
        keys = {n.idempotency_key for n in sent if n.idempotency_key}
        waiting = [n for n in self.outbox.notes(session_id) if n.idempotency_key not in keys]
        entries = [entry_from(r) for r in [*sent, *waiting]]
        floor = datetime.min.replace(tzinfo=UTC)
        entries.sort(key=lambda e: _aware(e.created) or floor, reverse=True)
        return entries

    def pending(self) -> list[Any]:
        return list(self.outbox.notes())

    # -- network -------------------------------------------------------------------------------

    async def add(self, session_id: int, text: str) -> tuple[str, str | None]:
        """Queue and try to send one note. Returns (key, error message or None)."""
        key = self.queue(session_id, text)
        error = await self.send(session_id, text, key)
        return key, error

    async def flush(self) -> FlushResult:
        """Send every pending note once more. Stops at the first connection problem."""
        result = FlushResult()
        async with self._lock:
            for row in self.pending():
                key = _get(row, "idempotency_key")
                if not key:
                    continue
                error = await self.send(_get(row, "session_id"), _get(row, "note") or "", key)
                if error is None:
                    result.sent += 1
                else:
                    result.error = error
                    break
        result.pending = len(self.pending())
        return result

    async def refresh(self, session_id: int) -> str | None:
        """Fetch the server's notes into the store. Returns an error message or None."""
        if self.client is None:
            return "offline: showing notes kept locally"
        try:
            notes = await self.client.get_notes(session_id)
        except MluviiError as exc:
            return exc.message
        self.store.cache_notes(session_id, notes)
        return None

    async def send(self, session_id: int, text: str, key: str) -> str | None:
        if self.client is None:
            return "offline: the note is kept and will be sent later"
        if key in self._in_flight:
            return None
        self._in_flight.add(key)
        try:
            note = await self.client.add_note(session_id, text, key)
        except MluviiError as exc:
            return f"{exc.message} — the note is kept and will be sent later"
        finally:
            self._in_flight.discard(key)
        self.outbox.remove(key)
        with contextlib.suppress(sqlite3.Error):  # the cache is only a copy of the server's
            self.store.cache_sent_note(session_id, key, note)
        return None


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
