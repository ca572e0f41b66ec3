"""Notes the user typed that the server has not confirmed yet, kept outside the cache.

One small SQLite file per profile in the user *state* directory (``config.outbox_path``;
directory 0700, file 0600), never in the disposable session cache: deleting or rebuilding the
cache loses nothing typed. Each note keeps its idempotency key until the server accepts it,
then it is removed here (the server's copy is cached with the other notes in the store).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    local_id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    note TEXT NOT NULL,
    author TEXT,
    user_id INTEGER,
    created REAL,
    idempotency_key TEXT NOT NULL UNIQUE
)
"""

#: The columns a pending note is written with: the outbox's table and the notes table of the
#: caches older versions kept them in (store/notes.py).
PENDING_COLUMNS = "session_id, note, author, user_id, created, idempotency_key"


def pending_row(
    session_id: int,
    text: str,
    author: str | None,
    user_id: int | None,
    now: datetime | None,
    key: str | None = None,
) -> tuple[int, str, str | None, int | None, float, str]:
    """A pending note's values in ``PENDING_COLUMNS`` order; a fresh idempotency key unless
    ``key`` is given."""
    created = (now or datetime.now(UTC)).timestamp()
    return (session_id, text, author, user_id, created, key or str(uuid.uuid4()))


def from_epoch(value: float | None) -> datetime | None:
    """A stored epoch (seconds) as an aware UTC datetime."""
    return datetime.fromtimestamp(value, tz=UTC) if value is not None else None


@dataclass(frozen=True)
class PendingNote:
    """A note waiting for the server (the fields of the store's notes, state "pending")."""

    session_id: int
    note: str
    idempotency_key: str
    author: str | None = None
    user_id: int | None = None
    created: datetime | None = None
    state: str = "pending"
    id: str | None = None


class PendingNotes:
    """The outbox file. ``":memory:"`` keeps notes for this process only (tests, or a state
    directory that cannot be written: the app then says so)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 10000")
        self._conn.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def add(
        self,
        session_id: int,
        text: str,
        *,
        author: str | None = None,
        user_id: int | None = None,
        now: datetime | None = None,
        key: str | None = None,
    ) -> str:
        """Keep a note to send; returns its idempotency key (sent as Idempotency-Key)."""
        row = pending_row(session_id, text, author, user_id, now, key)
        with self._lock:
            self._conn.execute(
                f"INSERT OR IGNORE INTO pending ({PENDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", row
            )
        return str(row[-1])

    def notes(self, session_id: int | None = None) -> list[PendingNote]:
        """Pending notes (of one session, or all), oldest first."""
        sql = "SELECT session_id, note, idempotency_key, author, user_id, created FROM pending"
        args: tuple[Any, ...] = ()
        if session_id is not None:
            sql += " WHERE session_id = ?"
            args = (session_id,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY local_id", args).fetchall()
        return [
            PendingNote(sid, note, key, author, user_id, from_epoch(created))
            for sid, note, key, author, user_id, created in rows
        ]

    def remove(self, key: str) -> None:
        """The server accepted the note: it no longer waits here."""
        with self._lock:
            self._conn.execute("DELETE FROM pending WHERE idempotency_key = ?", (key,))

    def adopt(self, store: Any) -> int:  # a SessionStore (the store layer sits above this one)
        """Move pending notes an older version kept in the session cache into this file (once:
        they are removed from the cache after). Returns how many were moved."""
        legacy = store.pending_notes()
        for n in legacy:
            self.add(
                n.session_id,
                n.note,
                author=n.author,
                user_id=n.user_id,
                now=n.created,
                key=n.idempotency_key or None,
            )
        if legacy:
            store.forget_pending_notes([n.idempotency_key for n in legacy])
        return len(legacy)
