"""The relay's event log: one interface, two backends (SQLite here, Redis Streams in
``redis_log``). The log numbers events (``seq``, strictly increasing, never reused), drops
duplicates atomically with the append, and keeps a window of the newest ``window`` events.

An entry's ``body`` is the JSON object a console receives, minus ``type`` and ``seq``; it is
encoded once when the event arrives and sent as is to every console (``LogEntry.frame``).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class StoreError(Exception):
    """The event log cannot be opened or used; ``str(exc)`` is one line."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    seq: int
    event_type: str
    body: str  # a JSON object: {"eventType": ..., "data": ..., "received": ..., ...}

    def frame(self) -> str:
        """The websocket frame: the body with ``type`` and ``seq`` in front, no re-encoding."""
        rest = self.body[1:]
        return f'{{"type":"event","seq":{self.seq}{"," if rest != "}" else ""}{rest}'


class EventLog(Protocol):
    kind: str  # "sqlite" | "redis"
    where: str  # the file or the redis URL without credentials
    log_id: str  # identifies this log: a console holding another log's seq must resync

    async def seen(self, dedup_key: str) -> bool:
        """True if ``dedup_key`` was appended within its dedup window (a fast pre-check)."""
        ...

    async def append(self, event_type: str, body: str, dedup_key: str, ttl: float) -> int | None:
        """Append unless ``dedup_key`` is still known; the new seq, or None for a duplicate."""
        ...

    async def read_after(self, seq: int, limit: int) -> list[LogEntry]: ...

    async def read_type_after(self, event_type: str, seq: int, limit: int) -> list[LogEntry]:
        """Kept entries of one event type after ``seq`` (at start-up: the operator table)."""
        ...

    async def wait_after(self, seq: int, timeout: float, limit: int) -> list[LogEntry]:
        """Entries after ``seq``, waiting up to ``timeout`` s for the first one to arrive."""
        ...

    async def bounds(self) -> tuple[int, int]:
        """``(first, last)`` seq kept; ``(0, last)`` when empty (``last`` = 0 if never used)."""
        ...

    async def check(self) -> str:
        """ "ok" or a one-line problem (for /health)."""
        ...

    async def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, seq);
CREATE TABLE IF NOT EXISTS dedup (key TEXT PRIMARY KEY, expires REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


class SqliteLog:
    """The embedded default: one SQLite file in WAL mode, used from the relay's event loop
    (each statement takes microseconds; ``synchronous=NORMAL`` never fsyncs per event)."""

    kind = "sqlite"

    def __init__(self, path: Path, *, window: int = 50_000) -> None:
        self.where = str(path)
        self.window = window
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('log_id', ?)", (uuid.uuid4().hex,))
            row = self._db.execute("SELECT v FROM meta WHERE k = 'log_id'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the event log {path}: {exc}") from None
        self.log_id: str = row[0]
        self._changed = asyncio.Event()
        self._appends = 0
        self._trim_every = max(1, min(1000, window // 10))

    async def seen(self, dedup_key: str) -> bool:
        row = self._db.execute("SELECT expires FROM dedup WHERE key = ?", (dedup_key,)).fetchone()
        return row is not None and row[0] > time.time()

    async def append(self, event_type: str, body: str, dedup_key: str, ttl: float) -> int | None:
        now = time.time()
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT expires FROM dedup WHERE key = ?", (dedup_key,)).fetchone()
                if row is not None and row[0] > now:
                    db.execute("ROLLBACK")
                    return None
                db.execute("INSERT OR REPLACE INTO dedup VALUES (?, ?)", (dedup_key, now + ttl))
                seq = db.execute(
                    "INSERT INTO events (type, body) VALUES (?, ?)", (event_type, body)
                ).lastrowid
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"event log {self.where}: {exc}") from None
        self._appends += 1
        if self._appends % self._trim_every == 0:
            self._trim(now)
        self._changed.set()
        assert seq is not None
        return seq

    def _trim(self, now: float) -> None:
        db = self._db
        db.execute(
            "DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?", (self.window,)
        )
        db.execute("DELETE FROM dedup WHERE expires < ?", (now,))

    async def read_after(self, seq: int, limit: int) -> list[LogEntry]:
        try:
            rows = self._db.execute(
                "SELECT seq, type, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                (seq, limit),
            ).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"event log {self.where}: {exc}") from None
        return [LogEntry(*row) for row in rows]

    async def read_type_after(self, event_type: str, seq: int, limit: int) -> list[LogEntry]:
        rows = self._db.execute(
            "SELECT seq, type, body FROM events WHERE type = ? AND seq > ? ORDER BY seq LIMIT ?",
            (event_type, seq, limit),
        ).fetchall()
        return [LogEntry(*row) for row in rows]

    async def wait_after(self, seq: int, timeout: float, limit: int) -> list[LogEntry]:
        self._changed.clear()
        entries = await self.read_after(seq, limit)
        if entries:
            return entries
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return []
        return await self.read_after(seq, limit)

    async def bounds(self) -> tuple[int, int]:
        first, last = self._db.execute("SELECT MIN(seq), MAX(seq) FROM events").fetchone()
        if first is None:
            row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name='events'").fetchone()
            return 0, row[0] if row else 0
        return first, last

    async def check(self) -> str:
        try:
            self._db.execute("SELECT 1 FROM events LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            return f"error: {exc}"
        return "ok"

    async def close(self) -> None:
        self._db.close()


async def open_log(spec: str, *, window: int = 50_000) -> EventLog:
    """``sqlite:PATH`` (or a bare path) or ``redis://HOST:PORT/DB``; ``StoreError`` if unusable."""
    if spec.startswith(("redis://", "rediss://", "unix://")):
        from .redis_log import RedisLog

        return await RedisLog.open(spec, window=window)
    path = spec.removeprefix("sqlite:")
    if not path:
        raise StoreError("--store sqlite: needs a file path, e.g. sqlite:relay.db")
    return SqliteLog(Path(path).expanduser(), window=window)
