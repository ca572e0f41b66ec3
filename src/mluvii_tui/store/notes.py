"""Notes of sessions in the store: the server's notes, cached like everything else here.

Notes the user typed and the server has not accepted yet do NOT live here (the store is a
disposable cache): they wait in the outbox file (``outbox_store.PendingNotes``, state dir).
Older versions kept them here as ``state = 'pending'`` rows; ``pending_notes`` and
``forget_pending_notes`` let the outbox adopt those once. Mixed into ``SessionStore``."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain.outbox_store import PENDING_COLUMNS, from_epoch, pending_row

if TYPE_CHECKING:
    from ..api.models import SessionNote


@dataclass(frozen=True)
class StoredNote:
    session_id: int
    note: str
    state: str  # "sent" | "pending"
    idempotency_key: str | None = None
    id: str | None = None  # the server's note id once sent
    author: str | None = None
    user_id: int | None = None
    created: datetime | None = None


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


class NotesMixin:
    """Needs ``_lock``, ``_conn()``, ``reading()`` and ``_writing()`` of SessionStore."""

    _lock: threading.RLock
    _conn: Callable[[], sqlite3.Connection]
    reading: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]
    _writing: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]

    # -- notes ---------------------------------------------------------------------------

    def add_pending_note(
        self,
        session_id: int,
        text: str,
        *,
        author: str | None = None,
        user_id: int | None = None,
        now: datetime | None = None,
    ) -> str:
        """A pending note as versions before the outbox file kept it (in the cache). Only for
        building such an old cache: new notes go to ``PendingNotes``. Returns its key."""
        row = pending_row(session_id, text, author, user_id, now)
        with self._lock:
            self._conn().execute(
                f"INSERT INTO notes ({PENDING_COLUMNS}, state)"
                " VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                row,
            )
        return row[-1]

    def pending_notes(self, session_id: int | None = None) -> list[StoredNote]:
        """Pending notes an older version left in this cache (the outbox adopts them)."""
        sql = "SELECT * FROM notes WHERE state = 'pending'"
        args: tuple[Any, ...] = ()
        if session_id is not None:
            sql += " AND session_id = ?"
            args = (session_id,)
        with self.reading() as conn:
            return [self._note(r) for r in conn.execute(sql + " ORDER BY local_id", args)]

    def forget_pending_notes(self, keys: Iterable[str | None]) -> None:
        """Drop old pending rows once the outbox file holds them."""
        with self._writing() as conn:
            conn.executemany(
                "DELETE FROM notes WHERE state = 'pending' AND idempotency_key = ?",
                [(k,) for k in keys if k],
            )

    def cache_sent_note(self, session_id: int, key: str, note: SessionNote) -> None:
        """The server accepted a note from the outbox: cache its answer like the other notes."""
        with self._writing() as conn:
            conn.execute(
                "DELETE FROM notes WHERE idempotency_key = ? OR (session_id = ? AND id = ?)",
                (key, session_id, None if note.id is None else str(note.id)),
            )
            conn.execute(
                "INSERT INTO notes (id, session_id, note, author, user_id, created, state,"
                " idempotency_key) VALUES (?, ?, ?, ?, ?, ?, 'sent', ?)",
                (
                    None if note.id is None else str(note.id),
                    session_id,
                    note.note,
                    note.author,
                    note.user_id,
                    _ts(note.created),
                    key,
                ),
            )

    def cache_notes(self, session_id: int, notes: Iterable[SessionNote]) -> None:
        """Replace the session's sent notes with the server's list (pending ones stay)."""
        notes = list(notes)
        with self._writing() as conn:
            sent_ids = {None if n.id is None else str(n.id) for n in notes}
            conn.execute("DELETE FROM notes WHERE session_id = ? AND state = 'sent'", (session_id,))
            # A pending note the server already has (same id) is sent.
            conn.executemany(
                "DELETE FROM notes WHERE session_id = ? AND state = 'pending' AND id = ?",
                [(session_id, i) for i in sent_ids if i is not None],
            )
            conn.executemany(
                "INSERT INTO notes (id, session_id, note, author, user_id, created, state)"
                " VALUES (?, ?, ?, ?, ?, ?, 'sent')",
                [
                    (
                        None if n.id is None else str(n.id),
                        session_id,
                        n.note,
                        n.author,
                        n.user_id,
                        _ts(n.created),
                    )
                    for n in notes
                ],
            )

    def notes_for(self, session_id: int) -> list[StoredNote]:
        """Sent and pending notes of a session, oldest first."""
        with self.reading() as conn:
            cur = conn.execute(
                "SELECT * FROM notes WHERE session_id = ? ORDER BY created IS NULL, created,"
                " local_id",
                (session_id,),
            )
            return [self._note(r) for r in cur]

    @staticmethod
    def _note(r: tuple[Any, ...]) -> StoredNote:
        _local, nid, sid, note, author, user_id, created, state, key = r
        return StoredNote(sid, note, state, key, nid, author, user_id, from_epoch(created))
