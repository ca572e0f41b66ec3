"""Reading sessions from the store: a session as the API sent it, query windows, counts,
positions, stats and distinct values (the planning is query/'s ``QueryRunner`` on a connection
given here), and the meta table. Every read survives a damaged cache (``recover.survives``).
Mixed into ``SessionStore``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mluvii_tui.query.runner import QueryRunner
from mluvii_tui.query.types import SessionQuery

from .distinct import distinct_values
from .packing import Packer, UnknownDictionary
from .recover import survives
from .rows import ROW_INDEX, SessionRow
from .schema import SESSION_FIELDS

if TYPE_CHECKING:
    from ..api.models import SessionModel

FIELDS_SQL = ", ".join(SESSION_FIELDS)
_CHUNK = 900  # ids per IN (...) list


def chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class ReadingMixin:
    """Needs the connections, the packer and the count cache of SessionStore."""

    now: Callable[[], datetime] | datetime | None
    _lock: threading.RLock
    _packer: Packer
    _counts: dict[Any, int]
    _stats_index: bool
    _conn: Callable[[], sqlite3.Connection]
    reading: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]
    _writing: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]

    def unpack(self, blob: bytes) -> bytes | None:
        """The kept JSON bytes of a ``raw`` blob; None when it is damaged. A dictionary trained
        by another process since this store was opened (the sync's writer) is read once."""
        try:
            return self._packer.unpack(blob)
        except UnknownDictionary:
            pass
        except Exception:
            return None
        try:
            with self.reading() as conn:
                self._packer.load(conn)
            return self._packer.unpack(blob)
        except Exception:
            return None

    @survives(lambda s, a, k: None)
    def session_json(self, session_id: int) -> dict[str, Any] | None:
        """The session as the API sent it: its kept JSON, unknown fields kept (the detail pane
        decodes its transcript from this). None when unknown or its kept copy is damaged."""
        with self.reading() as conn:
            row = conn.execute("SELECT raw FROM sessions WHERE id = ?", (session_id,)).fetchone()
        kept = None if row is None or row[0] is None else self.unpack(row[0])
        from ..domain.transcript_decode import loads_raw  # the decoder: with the first session

        data = None if kept is None else loads_raw(kept)
        return data if isinstance(data, dict) else None

    @survives(lambda s, a, k: None)
    def get_session(self, session_id: int) -> SessionModel | None:
        """The session as the API sent it (its kept JSON, validated); None when unknown or
        its kept copy is damaged."""
        data = self.session_json(session_id)
        from ..api.models import parse_session  # the models load when a session is asked for

        return None if data is None else parse_session(data)

    def runner(self, conn: sqlite3.Connection) -> QueryRunner:
        """query/'s plans on ``conn`` (from ``reading()``), with this store's count cache."""
        return QueryRunner(conn, self._counts, self.now)

    @survives(lambda s, a, k: 0)
    def count(self, query: SessionQuery) -> int:
        with self.reading() as conn:
            return self.runner(conn).count(query)

    @survives(lambda s, a, k: [])
    def window(self, query: SessionQuery, offset: int, limit: int) -> list[SessionRow]:
        """Rows ``offset .. offset+limit`` of the query in its sort order (with their params)."""
        with self.reading() as conn:
            ids = self.runner(conn).window_ids(query, offset, limit)
            return self._rows(conn, ids)

    @survives(lambda s, a, k: [])
    def rows(self, session_ids: list[int]) -> list[SessionRow]:
        """SessionRows of the given ids, in the given order (unknown ids left out)."""
        with self.reading() as conn:
            return self._rows(conn, list(session_ids))

    def _rows(self, conn: sqlite3.Connection, ids: list[int]) -> list[SessionRow]:
        if not ids:
            return []
        by_id: dict[int, tuple[Any, ...]] = {}
        params: dict[int, dict[str, str]] = {}
        for part in chunks(ids):
            marks = ", ".join("?" for _ in part)
            for values in conn.execute(
                f"SELECT {FIELDS_SQL} FROM sessions WHERE id IN ({marks})", part
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
        with self.reading() as conn:
            return self.runner(conn).position_of(query, session_id)

    @survives(lambda s, a, k: [])
    def param_names(self) -> list[str]:
        with self.reading() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM param_names ORDER BY name")]

    def stats(self, query: SessionQuery, offset_s: int, total: int | None = None) -> Any:
        """``query.stats.Stats`` of what ``query`` selects (times at UTC offset ``offset_s``;
        ``total``: its exact count when the caller knows it)."""
        from mluvii_tui.query.stats import STATS_INDEX, is_overview, session_stats

        if is_overview(query) and not self._stats_index:
            with self._writing() as conn:  # once per store file: seconds at 1M, then kept
                conn.execute(STATS_INDEX)
            self._stats_index = True
        with self.reading() as conn:
            return session_stats(conn, query, self.now, offset_s, total)

    @survives(lambda s, a, k: 0)
    def live_queues(self) -> dict[str, tuple[int, int]]:
        """Per group: (queued, waiting) live clients now (query/stats.py ``live_queues``)."""
        from mluvii_tui.query.stats import live_queues

        with self.reading() as conn:
            return live_queues(conn)

    def total(self) -> int:
        with self.reading() as conn:
            return self.runner(conn).total()

    @survives(lambda s, a, k: [])
    def distinct_values(self, column_id: str, limit: int = 200) -> list[str]:
        """Distinct non-empty values of a registry column, most frequent first (distinct.py)."""
        with self.reading() as conn:
            return distinct_values(conn, column_id, limit)

    # -- meta ----------------------------------------------------------------------------

    @survives(lambda s, a, k: k.get("default", a[1] if len(a) > 1 else None))
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row is not None else default

    @survives(lambda s, a, k: None)
    def set_meta(self, key: str, value: str | None) -> None:
        with self._lock:
            self._conn().execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
