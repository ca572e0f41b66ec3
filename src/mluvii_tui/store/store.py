"""SessionStore: the local SQLite cache of sessions: opening it, connections, writing sessions
(reading them: reading.py; notes: notes.py; damage: recover.py).

One connection per thread (the UI reads from a worker thread while sync writes); writes are
serialised by a lock and each batch is one transaction. Counts are cached per query until the
next write.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mluvii_tui.query import search as _search
from mluvii_tui.query.filters import register_functions as _register_functions

from . import quickindex
from .bulk import BulkLoadMixin
from .children import delete_children, write_children
from .connections import ConnectionsMixin
from .ingest import Kept, PreparedBatch, build, message_texts, prepare_batch
from .notes import NotesMixin, StoredNote
from .packing import TRAIN_MAX, TRAIN_MIN, ZSTD_MAGIC, Packer, train
from .reading import FIELDS_SQL, ReadingMixin, chunks
from .recover import HealthMixin, is_busy
from .rows import SessionRecord
from .schema import SESSION_FIELDS, configure, migrate
from .upsert import BIND_ERRORS, UpsertResult, of_one_record, short_id, why_not_stored

if TYPE_CHECKING:
    from ..api.models import SessionModel

_INSERT_SESSION = (
    f"INSERT OR REPLACE INTO sessions ({FIELDS_SQL}, raw, hash) "
    f"VALUES ({', '.join('?' for _ in SESSION_FIELDS)}, ?, ?)"
)
__all__ = ["SessionStore", "StoreFullError", "StoredNote", "UpsertResult"]


class StoreFullError(RuntimeError):
    """The disk (or the file size limit) is full; ``str(exc)`` is one line for the user."""


def _is_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) and "database or disk is full" in str(exc)


class StoreDamaged(RuntimeError):
    """A write to a damaged cache (one-line message; the next start rebuilds the cache)."""


class StoreBusy(RuntimeError):
    """Another process held the store past the busy timeout (one-line message): nothing is
    damaged, the write was rolled back and can be made again."""


class SessionStore(ConnectionsMixin, ReadingMixin, HealthMixin, NotesMixin, BulkLoadMixin):
    """``now``: the clock that time presets in filters ("last 7 days") resolve against when a
    query runs: a callable returning an aware datetime (e.g. ``MluviiApp.now``), a fixed
    datetime, or None for the real clock. It may also be set later (``store.now = ...``).
    ``index_progress(done, total)``: told how a one-time rebuild of the search index goes.
    ``cache_kib``: SQLite's page cache per connection (the headless sync keeps it small)."""

    def __init__(
        self,
        path: str | Path,
        now: Callable[[], datetime] | datetime | None = None,
        index_progress: Callable[[int, int], None] | None = None,
        cache_kib: int | None = None,
    ) -> None:
        self.path = str(path)
        self._cache_kib = cache_kib  # page cache per connection (None: schema.configure's)
        self._packer = Packer()
        self.now = now
        self._stats_index = False  # ix_stats_channel_created made (query/stats.py)
        self._memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        if not self._memory:
            parent = Path(self.path).parent
            if not parent.exists():
                parent.mkdir(parents=True, mode=0o700)
        self._local = threading.local()
        self._lock = threading.RLock()  # serialises writers (and every use of a :memory: store)
        self._conns: list[sqlite3.Connection] = []
        #: The thread each per-thread connection belongs to: a finished thread's is closed.
        self._owners: dict[sqlite3.Connection, threading.Thread] = {}
        self._shared: sqlite3.Connection | None = None
        self._counts: dict[Any, int] = {}
        #: Called by ``close`` before the connections close (a thread may still be reading:
        #: closing a connection under a running statement crashes SQLite).
        self._before_close: list[Callable[[], None]] = []
        self._closed = False
        #: The first database error met while running (one line), and who to tell about it.
        self.damage: str | None = None
        self.on_damage: Callable[[str], None] | None = None
        try:
            conn = self._conn()
            migrate(conn, self.path)
            self.finish_bulk_load(conn)  # a first sync that was killed left them undone
            self._packer.load(conn)
            # Once after an upgrade (or a change of search languages): re-index, with progress.
            _search.ensure_index(conn, index_progress, lambda: self._message_texts(conn))
        except BaseException:
            self.close()
            raise

    # -- connections ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        configure(conn)
        if self._cache_kib is not None:
            conn.execute(f"PRAGMA cache_size = -{int(self._cache_kib)}")
        _register_functions(conn)
        with self._lock:
            self._conns.append(conn)
        return conn

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("the session store is closed")
        if self._memory:
            if self._shared is None:
                self._shared = self._open()
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self._close_orphans()
            conn = self._local.conn = self._open()
            with self._lock:
                self._owners[conn] = threading.current_thread()
        return conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for reads (an in-memory store's one, under the lock)."""
        if self._memory:
            with self._lock:
                yield self._conn()
        else:
            yield self._conn()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                if _is_full(exc):
                    raise StoreFullError(
                        f"the disk holding {self.path} is full: sync stopped; what was stored"
                        " before is kept (free some space and sync again to continue)"
                    ) from None
                raise
            self._counts = {}

    def written_elsewhere(self) -> None:
        """Another process (the sync's) committed: counts cached here are stale."""
        self._counts = {}

    def close(self) -> None:
        for stop in self._before_close:  # readers stop their running queries first
            stop()
        with self._lock:
            if self._closed:
                return
            for conn in self._conns:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA optimize")
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._conns.clear()
            self._owners.clear()
            self._closed = True

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing sessions ----------------------------------------------------------------

    def upsert_sessions(
        self, sessions: Iterable[SessionModel | dict[str, Any]], *, batch_size: int = 5000
    ) -> UpsertResult:
        """Insert or update sessions (models or API JSON dicts); unchanged content is skipped.

        Dicts take the fast path (``ingest``: kept JSON and hash first, fields read without
        pydantic unless a session has shapes the fast reader does not know). A record that
        cannot be stored is skipped and counted (``skipped``, ``problems``), never the batch; a
        damaged cache raises ``StoreDamaged``, a full disk ``StoreFullError`` (one line each)."""
        result = UpsertResult()
        batch: list[Any] = []
        for item in sessions:
            batch.append(item)
            if len(batch) >= batch_size:
                result += self.write_batch(prepare_batch(batch))
                batch = []
        if batch:
            result += self.write_batch(prepare_batch(batch))
        return result

    def write_batch(
        self, batch: PreparedBatch, page: tuple[str, int, int, float | None] | None = None
    ) -> UpsertResult:
        """Write prepared sessions in one transaction: new and changed ones, by content hash.
        ``page``: (key, fingerprint, sessions, reached) of the sync page they came in, recorded
        in the same transaction (``page_fingerprint``)."""
        try:
            return self._write_batch(batch, page)
        except StoreFullError:
            raise
        except sqlite3.DatabaseError as exc:
            line = self.report_damage(exc)  # (busy: its own line, nothing told)
            raise (StoreBusy if is_busy(exc) else StoreDamaged)(line) from None

    def _write_batch(
        self, batch: PreparedBatch, page: tuple[str, int, int, float | None] | None
    ) -> UpsertResult:
        """When a record cannot be bound (a number SQLite cannot hold, a lone surrogate...),
        the batch is rolled back and written one record at a time, skipping only those."""
        result = UpsertResult()
        for why in batch.problems:
            result.skip(why)
        try:
            return result + self._write(batch.kept, page)
        except BIND_ERRORS as exc:
            if not of_one_record(exc):
                raise
        for kept in batch.kept:
            try:
                result += self._write([kept], None)
            except BIND_ERRORS as exc:
                if not of_one_record(exc):
                    raise
                result.skip(f"session {short_id(kept.id)}: {why_not_stored(exc)}")
        if page is not None:
            with self._writing() as conn:
                conn.execute("INSERT OR REPLACE INTO sync_pages VALUES (?, ?, ?, ?)", page)
        return result

    def _write(
        self, batch: list[Kept], page: tuple[str, int, int, float | None] | None
    ) -> UpsertResult:
        result = UpsertResult()
        with self._writing() as conn:
            if page is not None:
                conn.execute("INSERT OR REPLACE INTO sync_pages VALUES (?, ?, ?, ?)", page)
            existing: dict[int, int] = {}
            for part in chunks([k.id for k in batch]):
                marks = ", ".join("?" for _ in part)
                existing.update(
                    conn.execute(f"SELECT id, hash FROM sessions WHERE id IN ({marks})", part)
                )
            records: list[SessionRecord] = []
            for kept in batch:
                old = existing.get(kept.id)
                if old is not None and old == kept.hash:
                    result.unchanged += 1
                    continue
                try:
                    rec = build(kept)
                except Exception as exc:  # an odd value the extraction did not foresee
                    result.skip(f"session {short_id(kept.id)}: {why_not_stored(exc)}")
                    continue
                if old is None:
                    result.inserted += 1
                else:
                    result.updated += 1
                records.append(rec)
            if records:
                trained = self._train(conn, records)
                try:
                    self._insert(conn, records, existing)
                except BaseException:
                    if trained is not None:
                        self._packer.forget(trained)
                    raise
        return result

    def _train(self, conn: sqlite3.Connection, records: list[SessionRecord]) -> int | None:
        """Train the compression dictionary (once per store) as soon as the sessions stored so
        far and this batch make TRAIN_MIN: small day pages add up. The few sessions stored
        before it (plain zstd) are packed again with it, in the same transaction."""
        if self._packer.has_dict:
            return None
        stored: list[tuple[int, bytes]] = []
        if len(records) < TRAIN_MAX:
            rows = conn.execute(
                "SELECT id, raw FROM sessions WHERE raw IS NOT NULL LIMIT ?",
                (TRAIN_MAX - len(records),),
            ).fetchall()
            for sid, blob in rows:
                raw = self.unpack(blob) if blob[:4] == ZSTD_MAGIC else None
                if raw is not None:
                    stored.append((sid, raw))
        if len(records) + len(stored) < TRAIN_MIN:
            return None
        data = train([r.raw for r in records] + [raw for _, raw in stored])
        conn.execute("INSERT INTO zstd_dicts (data) VALUES (?)", (data,))
        dict_id = self._packer.add(data)
        conn.executemany(
            "UPDATE sessions SET raw = ? WHERE id = ?",
            [(self._packer.pack(raw), sid) for sid, raw in stored],
        )
        return dict_id

    def _insert(
        self, conn: sqlite3.Connection, records: list[SessionRecord], existing: dict[int, int]
    ) -> None:
        changed = [(r.id,) for r in records if r.id in existing]
        quick = quickindex.by_writer(conn)  # a first sync: no triggers, this writer indexes
        if quick and changed:
            quickindex.forget_sessions(conn, [c[0] for c in changed])
        indexed: dict[int, list[str]] = {}  # the texts the changed sessions were indexed with
        if changed:
            for part in chunks([c[0] for c in changed]):
                marks = ", ".join("?" for _ in part)
                for sid, blob in conn.execute(
                    f"SELECT id, raw FROM sessions WHERE id IN ({marks})", part
                ):
                    indexed[sid] = message_texts(None if blob is None else self.unpack(blob))
            delete_children(conn, changed)
        conn.executemany(
            _INSERT_SESSION, [(*r.values, self._packer.pack(r.raw), r.hash) for r in records]
        )
        write_children(
            conn, [p for r in records for p in r.params], [o for r in records for o in r.operators]
        )
        if quick:
            quickindex.add_sessions(conn, [r.id for r in records])
        if indexed:
            _search.delete_session_texts(conn, indexed)
        _search.index_sessions(
            conn, [(r.id, [t for _, t in r.texts if t], r.terms) for r in records]
        )

    def _message_texts(self, conn: sqlite3.Connection) -> Iterator[tuple[int, list[str]]]:
        """Each session's message texts, read from its kept JSON (to rebuild the index)."""
        rows = conn.execute("SELECT id, raw FROM sessions WHERE raw IS NOT NULL")
        while batch := rows.fetchmany(1000):
            for sid, blob in batch:
                found = message_texts(self.unpack(blob))
                if found:
                    yield sid, found

    def page_fingerprint(self, key: str) -> tuple[int, int, float | None] | None:
        """(fingerprint, sessions, reached) of the sync page ``key`` as last stored."""
        with self.reading() as conn:
            row = conn.execute(
                "SELECT hash, sessions, reached FROM sync_pages WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2])
