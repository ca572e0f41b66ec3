"""SessionStore: the local SQLite cache of sessions (upsert, get, query windows, notes, meta).

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
from typing import Any

from mluvii_tui.query import search as _search
from mluvii_tui.query.filters import register_functions as _register_functions
from mluvii_tui.query.runner import QueryRunner
from mluvii_tui.query.types import SessionQuery

from ..api.models import SessionModel, parse_session
from .distinct import distinct_values
from .notes import NotesMixin, StoredNote, _dt, _ts
from .recover import HealthMixin, is_damage, survives
from .rows import (
    ROW_INDEX,
    SessionRecord,
    SessionRow,
    compress,
    decompress,
    model_from_row,
)
from .schema import SESSION_FIELDS, configure, migrate
from .upsert import BIND_ERRORS, UpsertResult, make_record, short_id, why_not_stored

_FIELDS_SQL = ", ".join(SESSION_FIELDS)
_INSERT_SESSION = (
    f"INSERT OR REPLACE INTO sessions ({_FIELDS_SQL}, raw, hash) "
    f"VALUES ({', '.join('?' for _ in SESSION_FIELDS)}, ?, ?)"
)
__all__ = ["SessionStore", "StoredNote", "UpsertResult", "_dt", "_ts"]

_CHUNK = 500  # ids per IN (...) list


class StoreDamaged(RuntimeError):
    """A write to a damaged cache (one-line message; the next start rebuilds the cache)."""


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SessionStore(HealthMixin, NotesMixin):
    """``now``: the clock that time presets in filters ("last 7 days") resolve against when a
    query runs: a callable returning an aware datetime (e.g. ``MluviiApp.now``), a fixed
    datetime, or None for the real clock. It may also be set later (``store.now = ...``).
    ``index_progress(done, total)``: told how a one-time rebuild of the search index goes."""

    def __init__(
        self,
        path: str | Path,
        now: Callable[[], datetime] | datetime | None = None,
        index_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.path = str(path)
        self.now = now
        self._memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        if not self._memory:
            parent = Path(self.path).parent
            if not parent.exists():
                parent.mkdir(parents=True, mode=0o700)
        self._local = threading.local()
        self._lock = threading.RLock()  # serialises writers (and every use of a :memory: store)
        self._conns: list[sqlite3.Connection] = []
        self._shared: sqlite3.Connection | None = None
        self._counts: dict[Any, int] = {}
        self._closed = False
        #: The first database error met while running (one line), and who to tell about it.
        self.damage: str | None = None
        self.on_damage: Callable[[str], None] | None = None
        try:
            conn = self._conn()
            migrate(conn, self.path)
            # Once after an upgrade (or a change of search languages): re-index, with progress.
            _search.ensure_index(conn, index_progress)
        except BaseException:
            self.close()
            raise

    # -- connections ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        configure(conn)
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
            conn = self._local.conn = self._open()
        return conn

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
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
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self._counts = {}

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            for conn in self._conns:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA optimize")
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._conns.clear()
            self._closed = True

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing sessions ----------------------------------------------------------------

    def upsert_sessions(
        self, sessions: Iterable[SessionModel | dict[str, Any]], *, batch_size: int = 500
    ) -> UpsertResult:
        """Insert or update sessions (models or API JSON dicts); unchanged content is skipped.

        A record that cannot be stored is skipped and counted (``skipped``, ``problems``), never
        the batch; a damaged cache raises ``StoreDamaged`` with one line."""
        try:
            return self._upsert(sessions, batch_size)
        except sqlite3.DatabaseError as exc:
            raise StoreDamaged(self.report_damage(exc)) from None

    def _upsert(
        self, sessions: Iterable[SessionModel | dict[str, Any]], batch_size: int
    ) -> UpsertResult:
        result = UpsertResult()
        batch: dict[int, SessionRecord] = {}
        for item in sessions:
            model = item if isinstance(item, SessionModel) else parse_session(item)
            if model is None:
                result.skip("not a session (no usable id)")
                continue
            record, why = make_record(model)
            if record is None:
                result.skip(f"session {short_id(model.id)}: {why}")
                continue
            batch[model.id] = record
            if len(batch) >= batch_size:
                result += self._write_batch(list(batch.values()))
                batch = {}
        if batch:
            result += self._write_batch(list(batch.values()))
        return result

    def _write_batch(self, records: list[SessionRecord]) -> UpsertResult:
        """One transaction for the batch; when a record cannot be bound (a number SQLite cannot
        hold, a lone surrogate...), the batch is rolled back and written one record at a time,
        skipping only the records that fail."""
        try:
            return self._write(records)
        except BIND_ERRORS as exc:
            if is_damage(exc):
                raise
        result = UpsertResult()
        for record in records:
            try:
                result += self._write([record])
            except BIND_ERRORS as exc:
                if is_damage(exc):
                    raise
                result.skip(f"session {short_id(record.id)}: {why_not_stored(exc)}")
        return result

    def _write(self, records: list[SessionRecord]) -> UpsertResult:
        result = UpsertResult()
        with self._writing() as conn:
            existing: dict[int, int] = {}
            for part in _chunks([r.id for r in records]):
                marks = ", ".join("?" for _ in part)
                existing.update(
                    conn.execute(f"SELECT id, hash FROM sessions WHERE id IN ({marks})", part)
                )
            todo = []
            for rec in records:
                if rec.id not in existing:
                    result.inserted += 1
                elif existing[rec.id] != rec.hash:
                    result.updated += 1
                else:
                    result.unchanged += 1
                    continue
                todo.append(rec)
            if not todo:
                return result
            changed = [(r.id,) for r in todo if r.id in existing]
            if changed:
                for table in ("activities", "params", "operators", "tags"):
                    conn.executemany(f"DELETE FROM {table} WHERE session_id = ?", changed)
            conn.executemany(_INSERT_SESSION, [(*r.values, compress(r.raw), r.hash) for r in todo])
            next_rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM activities").fetchone()[
                0
            ]
            acts: list[tuple[Any, ...]] = []
            texts: list[tuple[int, int, str | None, str]] = []
            for r in todo:
                base = next_rowid + 1
                next_rowid += len(r.activities)
                acts.extend((base + a[1], *a) for a in r.activities)
                texts.extend((r.id, base + seq, r.language, text) for seq, text in r.texts)
            conn.executemany(
                "INSERT INTO activities (rowid, session_id, seq, activity_id, time, type, client,"
                " user_id, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                acts,
            )
            params = [p for r in todo for p in r.params]
            conn.executemany(
                "INSERT OR REPLACE INTO params (session_id, name, value, value_folded)"
                " VALUES (?, ?, ?, ?)",
                params,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO param_names VALUES (?)",
                [(n,) for n in {p[1] for p in params}],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO operators VALUES (?, ?, ?, ?, ?, ?, ?)",
                [o for r in todo for o in r.operators],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO tags VALUES (?, ?)", [t for r in todo for t in r.tags]
            )
            if changed:
                _search.delete_session_texts(conn, [c[0] for c in changed])
            _search.index_texts(conn, texts)
        return result

    # -- reading sessions ----------------------------------------------------------------

    @survives(lambda s, a, k: None)
    def get_session(self, session_id: int) -> SessionModel | None:
        """The session as the API sent it (from ``raw``); None when unknown."""
        with self._reading() as conn:
            row = conn.execute("SELECT raw FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                return None
            if row[0] is not None:
                try:
                    return parse_session(decompress(row[0]))
                except Exception:  # a damaged cache entry: fall back to the columns
                    pass
            rows = self._rows(conn, [session_id])
        return model_from_row(rows[0]) if rows else None

    def _runner(self, conn: sqlite3.Connection) -> QueryRunner:
        return QueryRunner(conn, self._counts, self.now)

    @survives(lambda s, a, k: 0)
    def count(self, query: SessionQuery) -> int:
        with self._reading() as conn:
            return self._runner(conn).count(query)

    @survives(lambda s, a, k: [])
    def window(self, query: SessionQuery, offset: int, limit: int) -> list[SessionRow]:
        """Rows ``offset .. offset+limit`` of the query in its sort order (with their params)."""
        with self._reading() as conn:
            ids = self._runner(conn).window_ids(query, offset, limit)
            return self._rows(conn, ids)

    @survives(lambda s, a, k: [])
    def rows(self, session_ids: list[int]) -> list[SessionRow]:
        """SessionRows of the given ids, in the given order (unknown ids left out)."""
        with self._reading() as conn:
            return self._rows(conn, list(session_ids))

    def _rows(self, conn: sqlite3.Connection, ids: list[int]) -> list[SessionRow]:
        if not ids:
            return []
        by_id: dict[int, tuple[Any, ...]] = {}
        params: dict[int, dict[str, str]] = {}
        for part in _chunks(ids):
            marks = ", ".join("?" for _ in part)
            for values in conn.execute(
                f"SELECT {_FIELDS_SQL} FROM sessions WHERE id IN ({marks})", part
            ):
                by_id[values[0]] = values
            for sid, name, value in conn.execute(
                f"SELECT session_id, name, value FROM params WHERE session_id IN ({marks})", part
            ):
                if value is not None:
                    params.setdefault(sid, {})[name] = value
        return [SessionRow(by_id[i], ROW_INDEX, params.get(i, {})) for i in ids if i in by_id]

    @survives(lambda s, a, k: None)
    def position_of(self, query: SessionQuery, session_id: int) -> int | None:
        with self._reading() as conn:
            return self._runner(conn).position_of(query, session_id)

    @survives(lambda s, a, k: [])
    def param_names(self) -> list[str]:
        with self._reading() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM param_names ORDER BY name")]

    def stats(self, query: SessionQuery, offset_s: int) -> Any:
        """``query.stats.Stats`` of what ``query`` selects (times at UTC offset ``offset_s``)."""
        from mluvii_tui.query.stats import session_stats

        with self._reading() as conn:
            return session_stats(conn, query, self.now, offset_s)

    @survives(lambda s, a, k: 0)
    def total(self) -> int:
        with self._reading() as conn:
            return self._runner(conn).total()

    @survives(lambda s, a, k: [])
    def distinct_values(self, column_id: str, limit: int = 200) -> list[str]:
        """Distinct non-empty values of a registry column, most frequent first (distinct.py)."""
        with self._reading() as conn:
            return distinct_values(conn, column_id, limit)

    # -- meta ----------------------------------------------------------------------------

    @survives(lambda s, a, k: k.get("default", a[1] if len(a) > 1 else None))
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self._reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row is not None else default

    @survives(lambda s, a, k: None)
    def set_meta(self, key: str, value: str | None) -> None:
        with self._lock:
            self._conn().execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
