"""The simulator's data: sessions (as API dicts) with precomputed lookup fields for fast filtering,
plus notes, call-parameter updates, users, groups and operator states. The lookup fields and the
filter predicates live in ``matching``; a session's call parameters, notes, routing and
downloads in ``extras_source``.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise
from typing import Any

import orjson

from ..api.filters import DateTimeFilter, SessionFilter
from .extras_source import SessionExtras
from .matching import SessionRecord, compile_filter, quick_fields, quick_pred
from .spill import Columns, SpillCache, read_stored, stored_json
from .timefmt import to_epoch

__all__ = ["SessionRecord", "SessionSource", "compile_filter"]

log = logging.getLogger(__name__)


_NAN = float("nan")
Row = tuple[float, int, int, int, float, str | None]  # created, id, offset, length, ended, status


_LIVE = frozenset({"IN_QUEUE", "WAITING", "ACTIVE", "ACW"})


class SessionSource(SessionExtras):
    """Sessions in stable order (created ascending, then id), kept compactly.

    Each session's JSON goes once into a spill file; memory holds only its sort key and where its
    bytes are (~50 bytes a session), so a million generated sessions fit. Sessions that are live,
    read one by one (``get``), added or changed are "pinned": kept as dicts the living tenant may
    change in place. A page (``query_json``) is the received bytes joined, and a cursor per
    (filter, offset) makes paging through everything cost the same at any offset.

    ``background=True`` fills from ``sessions`` in a thread: the source answers at once, and a
    page (or a session) past what is made so far waits for it; ``done`` tells when all are made
    and ``when_done`` runs a callback then (the living tenant starts only then: ``add`` and
    ``next_id`` wait for it). ``cache`` keeps the data set on disk: a finished one is loaded
    instead of generated (``sessions`` is then not read).
    """

    def __init__(
        self,
        sessions: Iterable[dict],
        *,
        seed: int = 7,
        now: Any = None,
        background: bool = False,
        cache: SpillCache | None = None,
    ) -> None:
        self._cols = Columns()
        self._pinned: dict[int, SessionRecord] = {}
        self._json: dict[int, bytes] = {}
        self._cursors: dict[tuple[Any, int], int] = {}
        self._notes: dict[int, list[dict]] = {}
        self._note_keys: dict[tuple[int, str], dict] = {}
        self._param_updates: dict[int, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._made = threading.Condition(self._lock)
        self._when_done: list[Callable[[], None]] = []
        self._by_pos: dict[int, int] | None = None
        self._next_note = 9_000_000_000
        self.seed = seed
        self.done = False
        #: Sessions kept: the generated ones plus room for a long-running demo (set when done).
        self.max_sessions = 20_000
        self._next_id = 0
        self.now_ts = to_epoch(now) if now is not None else None
        loaded = cache.load() if cache is not None else None
        if loaded is not None:
            self._spill, self._cols = loaded
            self._fd = self._spill.fileno()
            self._pin_live()
            self._finish(None)
            return
        if cache is not None:
            self._spill = cache.create()
        else:
            self._spill = tempfile.TemporaryFile(prefix="mluvii-sim-")  # noqa: SIM115
        self._fd = self._spill.fileno()
        if background:
            args = (sessions, cache)
            threading.Thread(target=self._fill, args=args, name="sim-fill", daemon=True).start()
        else:
            self._fill(sessions, cache)

    def _fill(self, sessions: Iterable[dict], cache: SpillCache | None) -> None:
        rows: list[Row] = []
        pins: list[SessionRecord] = []
        ordered = True
        last = (float("-inf"), -1)
        pos = 0
        try:
            for s in sessions:
                if not isinstance(s, dict) or s.get("id") is None:
                    continue
                rec = SessionRecord(s)
                key = (rec.created or 0.0, rec.id)
                ordered = ordered and key > last
                last = max(last, key)
                if s.get("status") in _LIVE:
                    pins.append(rec)
                data = stored_json(s)
                rows.append((*key, pos, len(data), *quick_fields(s)))
                self._spill.write(data)
                pos += len(data)
                if len(rows) >= 2048 and ordered:
                    self._spill.flush()  # (pages read the file by its descriptor)
                    self._append(rows, pins)
                    rows, pins = [], []
            self._spill.flush()
            if not ordered:  # (a recorded data set in another order: it fits in memory anyway)
                rows += zip(*self._cols.all(), strict=True)
                rows.sort(key=lambda r: (r[0], r[1]))
                self._cols = Columns()
            self._append(rows, pins)
        except Exception:  # the sessions made so far are served; the rest are missing
            log.exception("the simulator could not make all sessions")
            cache = None
        finally:
            self._finish(cache)

    def _append(self, rows: list[Row], pins: list[SessionRecord]) -> None:
        with self._lock:
            cols = self._cols
            for created, sid, off, size, ended, status in rows:
                cols.created.append(created)
                if not -(2**63) <= sid < 2**63 and isinstance(cols.ids, array):
                    cols.ids = list(cols.ids)  # (a recorded data set with odd ids)
                cols.ids.append(sid)
                cols.off.append(off)
                cols.len.append(size)
                cols.ended.append(ended)
                cols.status.append(status)
            for rec in pins:
                self._pinned[rec.id] = rec
            self._made.notify_all()

    def _pin_live(self) -> None:
        for i, status in enumerate(self._cols.status):
            if status is not None and status.upper() in _LIVE:
                rec = self._record_at(i)
                self._pinned[rec.id] = rec

    def _finish(self, cache: SpillCache | None) -> None:
        with self._lock:
            ids = self._cols.ids
            if any(b <= a for a, b in pairwise(ids)):
                self._by_pos = {sid: i for i, sid in enumerate(ids)}
            if cache is not None:
                cache.finish(self._cols)
            self.max_sessions = len(ids) + 20_000
            self.done = True
            self._made.notify_all()
            callbacks, self._when_done = self._when_done, []
        for callback in callbacks:
            callback()

    def when_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once every session is made (now, when they are; else in the
        filling thread)."""
        with self._lock:
            if not self.done:
                self._when_done.append(callback)
                return
        callback()

    def wait_done(self, timeout: float | None = None) -> bool:
        with self._lock:
            return self._made.wait_for(lambda: self.done, timeout)

    def _upto(self, i: int) -> bool:
        """Whether position ``i`` exists, waiting while it may still be made (lock held)."""
        while i >= len(self._cols.ids) and not self.done:
            self._made.wait()
        return i < len(self._cols.ids)

    def _until(self, made: Callable[[], bool]) -> None:
        """Wait (lock held) until ``made()`` or every session is made."""
        while not self.done and not made():
            self._made.wait()

    def __len__(self) -> int:
        """Sessions made so far (all of them once ``done``)."""
        return len(self._cols.ids)

    def warm(self) -> None:
        """Nothing to prepare: lookup fields are computed per page."""

    # -- reading ----------------------------------------------------------------------------

    def _pos(self, session_id: int) -> int | None:
        if self._by_pos is not None:
            return self._by_pos.get(session_id)
        ids = self._cols.ids
        self._until(lambda: len(ids) > 0 and ids[-1] >= session_id)  # ids grow in order
        i = bisect_left(ids, session_id)
        return i if i < len(ids) and ids[i] == session_id else None

    def _stored(self, positions: list[int]) -> list[bytes | memoryview]:
        """The stored JSON of each position, as it is now (lock held)."""
        cols, pinned = self._cols, self._pinned

        def now(i: int) -> bytes | None:
            sid = cols.ids[i]
            return self._json_pinned(sid) if sid in pinned or cols.off[i] < 0 else None

        return read_stored(self._fd, cols, positions, now)

    def _record_at(self, i: int) -> SessionRecord:
        rec = self._pinned.get(self._cols.ids[i])
        if rec is not None:
            return rec
        return SessionRecord(orjson.loads(self._stored([i])[0]))

    def get(self, session_id: int) -> dict | None:
        """The session (pinned from now on: callers may change it and call ``changed``)."""
        with self._lock:
            rec = self._pinned.get(session_id)
            if rec is None:
                i = self._pos(session_id)
                if i is None:
                    return None
                rec = self._pinned[session_id] = self._record_at(i)
            return rec.session

    def _scan(self, f: SessionFilter, offset: int, limit: int) -> list[int]:
        """Positions of the page ``offset .. offset+limit`` of the filter's matches (lock held;
        waits for sessions not made yet)."""
        cols = self._cols
        created = cols.created
        lo = 0
        if f.created.min is not None:
            low = f.created.min.timestamp()
            self._until(lambda: len(created) > 0 and created[-1] >= low)
            lo = bisect_left(created, low)
        high = f.created.max.timestamp() if f.created.max is not None else None
        rest = f if f.created.null is not None else dataclasses.replace(f, created=DateTimeFilter())
        preds = compile_filter(rest)
        if not preds:
            start = lo + offset
            self._upto(start + limit - 1)
            hi = len(created) if high is None else bisect_right(created, high)
            return list(range(start, min(hi, start + limit)))
        # Ended and Status of stored sessions are in arrays; the rest needs the session.
        quick = quick_pred(rest.ended, rest.status)
        others = compile_filter(dataclasses.replace(rest, ended=DateTimeFilter(), status=()))
        key = tuple(f.to_params())
        start, skip = lo, offset
        cursor = self._cursors.get((key, offset))
        if cursor is not None:
            start, skip = cursor, 0
        out: list[int] = []
        i = start
        ids, pinned, ended, status = cols.ids, self._pinned, cols.ended, cols.status
        while len(out) < limit and self._upto(i):
            if high is not None and created[i] > high:
                break
            if ids[i] in pinned:
                r = pinned[ids[i]]
                ok = all(p(r) for p in preds)
            else:
                ok = quick(ended[i], status[i])
                if ok and others:
                    r = self._record_at(i)
                    ok = all(p(r) for p in others)
            if ok:
                if skip:
                    skip -= 1
                else:
                    out.append(i)
            i += 1
        if len(self._cursors) > 256:
            self._cursors.clear()
        self._cursors[(key, offset + len(out))] = i
        return out

    def query(self, f: SessionFilter, offset: int = 0, limit: int = 100) -> list[dict]:
        with self._lock:
            return [self._record_at(i).session for i in self._scan(f, offset, limit)]

    def query_json(self, f: SessionFilter, offset: int = 0, limit: int = 100) -> bytes:
        """The page as a JSON array (stored bytes as they are)."""
        with self._lock:
            parts = self._stored(self._scan(f, offset, limit))
        if not parts:
            return b"[]"
        # One copy of the page (~1.7 MB for 500 sessions), not three: the brackets go on the
        # first and last session, then one join.
        parts[0] = b"[" + parts[0]
        parts[-1] = bytes(parts[-1]) + b"]"
        return b",".join(parts)

    # -- changes (the live tenant) ------------------------------------------------------------

    def live_sessions(self) -> list[dict]:
        return [r.session for r in self._pinned.values() if r.session.get("status") in _LIVE]

    def all_sessions(self) -> Iterator[dict]:
        """Every session, oldest first (not pinned: changes must go through ``changed``)."""
        i = 0
        while True:
            with self._lock:
                if not self._upto(i):
                    return
                session = self._record_at(i).session
            yield session
            i += 1

    def next_id(self, rng: Any) -> int:
        """An id above every session's, with the generator's small random gaps."""
        with self._lock:
            self._until(lambda: False)
            top = max(self._next_id, max(self._cols.ids[-50:], default=3_000_000))
            self._next_id = top + 1 + int(rng.random() * 4)
            return self._next_id

    def add(self, session: dict) -> None:
        """Append a new (newest) session; the oldest ended ones go when over ``max_sessions``."""
        rec = SessionRecord(session)
        with self._lock:
            self._until(lambda: False)
            cols = self._cols
            if cols.ids and rec.id <= cols.ids[-1] and self._by_pos is None:
                self._by_pos = {sid: i for i, sid in enumerate(cols.ids)}
            self._pinned[rec.id] = rec
            cols.created.append(rec.created or 0.0)
            cols.ids.append(rec.id)
            cols.off.append(-1)
            cols.len.append(0)
            cols.ended.append(_NAN)
            cols.status.append(None)
            if self._by_pos is not None:
                self._by_pos[rec.id] = len(cols.ids) - 1
            self._cursors.clear()
            while len(cols.ids) > self.max_sessions:
                old = cols.ids[0]
                pinned = self._pinned.get(old)
                if pinned is not None and pinned.session.get("status") in _LIVE:
                    break
                for arr in cols.all():
                    del arr[0]
                if self._by_pos is not None:
                    self._by_pos = {sid: i for i, sid in enumerate(cols.ids)}
                for table in (self._pinned, self._json, self._notes):
                    table.pop(old, None)

    def changed(self, session: dict) -> None:
        """The session dict was changed in place: renew its lookup fields and JSON."""
        sid = int(session["id"])
        with self._lock:
            if self._pos(sid) is None:
                return
            self._pinned[sid] = SessionRecord(session)
            self._json.pop(sid, None)
            self._cursors.clear()

    def _json_pinned(self, sid: int) -> bytes:
        data = self._json.get(sid)
        if data is None:
            data = self._json[sid] = stored_json(self._pinned[sid].session)
        return data

    def json_of(self, session: dict) -> bytes:
        sid = int(session["id"])
        with self._lock:
            if sid in self._pinned and self._pinned[sid].session is session:
                return self._json_pinned(sid)
        return stored_json(session)
