"""Bulk, read-only reading of export windows: only the columns an export needs, as plain tuples.

``SessionStore.window`` builds a ``SessionRow`` of every sessions column (plus all params) for each
row; an export needs a handful of columns and, for transcripts, the compressed ``raw`` JSON. Each
window here is: the ids of the query's window (the store's own QueryRunner, so filters, search
and sort mean exactly what they mean in the table), then ONE ``SELECT`` of the needed columns for
those ids, and one of the needed params.

Row layout: ``(id, *fields, params, source)`` where ``params`` is a dict (param columns only) and
``source`` is the kept JSON (bytes), the store's ``get_session`` reading when that is missing
or damaged, or None. The reads run on this thread's connection of the store: ``run_export``
gives its thread one of its own with a small page cache (``EXPORT_CACHE_KIB``), closed when the
export ends (the store's usual connections keep a 16 MiB cache each, which an export walking
every row would fill and keep). The store is seen through ``store.protocols.ExportStore``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from mluvii_tui.api.models import SessionModel
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.protocols import ExportStore

#: Page cache of the export's own connection (KiB): the window's index pages and the rows it
#: reads once (the OS caches the file; a bigger cache did not make the export faster).
EXPORT_CACHE_KIB = 4096


class SessionReader:
    """Windows of ``query`` as tuples ``(id, *fields, params, source)``; see the module doc."""

    def __init__(
        self,
        store: ExportStore,
        query: SessionQuery,
        fields: Sequence[str],
        params: Sequence[str] = (),
        *,
        sources: bool = False,
    ) -> None:
        self.store = store
        self.query = query
        self.fields = list(fields)
        self.params = list(dict.fromkeys(params))
        self.sources = sources
        cols = ", ".join(["s.id", *(f"s.{f}" for f in self.fields)])
        if sources:
            cols += ", s.raw"
        # The window's ids in, its rows out: json_each is the outer loop, so they come in the
        # array's order (checked in _fetch; an ORDER BY would cost a temporary B-tree).
        self._select = f"SELECT {cols} FROM json_each(?) j CROSS JOIN sessions s ON s.id = j.value"
        marks = ", ".join("?" for _ in self.params)
        # CROSS JOIN: the window's ids drive, each is one primary-key lookup per name. With a
        # plain JOIN SQLite may walk the name index and scan the JSON array for every row
        # (a 24k-session export with 9 parameter columns took 114 s that way).
        self._params_sql = (
            "SELECT p.session_id, p.name, p.value FROM json_each(?) j"
            f" CROSS JOIN params p ON p.session_id = j.value AND p.name IN ({marks})"
        )

    def window(self, offset: int, limit: int) -> list[tuple[Any, ...]]:
        with self.store.reading() as conn:
            ids = self.store.runner(conn).window_ids(self.query, offset, limit)
            if not ids:
                return []
            return self._fetch(conn, ids)

    def _fetch(self, conn: sqlite3.Connection, ids: list[int]) -> list[tuple[Any, ...]]:
        key = json.dumps(ids)
        rows = conn.execute(self._select, (key,)).fetchall()
        if [r[0] for r in rows] != ids:  # never seen; the window's order is the contract
            at = {sid: i for i, sid in enumerate(ids)}
            rows.sort(key=lambda r: at[r[0]])
        by_param: dict[int, dict[str, str]] = {}
        if self.params:
            for sid, name, value in conn.execute(self._params_sql, (key, *self.params)):
                if value is not None:
                    by_param.setdefault(sid, {})[name] = value
        empty: dict[str, str] = {}
        if self.sources:  # the kept JSON as plain bytes (store/packing.py decompresses it)
            load, unpack = self.session, self.store.unpack
            out = []
            for r in rows:
                raw = unpack(r[-1]) if r[-1] is not None else None
                out.append((*r[:-1], by_param.get(r[0], empty), raw or load(r[0])))
            return out
        if not by_param:
            tail = (empty, None)
            return [r + tail for r in rows]
        return [(*r, by_param.get(r[0], empty), None) for r in rows]

    def session(self, session_id: int) -> SessionModel | None:
        """The store's own reading of one session (None: its kept JSON is missing or damaged)."""
        return self.store.get_session(session_id)
