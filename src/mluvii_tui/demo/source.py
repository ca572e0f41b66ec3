"""The simulator's data: sessions (as API dicts) with precomputed lookup fields for fast filtering,
plus notes, call-parameter updates, users, groups and operator states. The lookup fields and the
filter predicates live in ``matching``; a session's call parameters, notes, routing and
downloads in ``extras_source``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from ..api.filters import DateTimeFilter, SessionFilter
from .extras_source import SessionExtras
from .matching import SessionRecord, compile_filter
from .timefmt import parse_epoch, to_epoch

__all__ = ["SessionRecord", "SessionSource", "compile_filter"]


_NAN = float("nan")
_STATUS_TEXT: dict[str, str] = {}


def _quick(s: dict) -> tuple[float, str | None]:
    """(ended epoch or NaN, status in lower case) of a stored session."""
    ended = parse_epoch(s.get("ended"))
    status = s.get("status")
    if isinstance(status, str):
        status = _STATUS_TEXT.setdefault(status.lower(), status.lower())
    else:
        status = None if status is None else str(status)  # as matching._low
    return (_NAN if ended is None else ended), status


def _quick_pred(ended: DateTimeFilter, statuses: tuple[str, ...]) -> Any:
    """A test of (ended, status) as ``matching.compile_filter`` would decide them."""
    lo = ended.min.timestamp() if ended.min else None
    hi = ended.max.timestamp() if ended.max else None
    null = ended.null
    wanted = {str(v).lower() for v in statuses}

    def pred(end: float, status: str | None) -> bool:
        if wanted and status not in wanted:
            return False
        missing = end != end  # NaN
        if null is not None and null != missing:
            return False
        if lo is not None and (missing or end < lo):
            return False
        return not (hi is not None and (missing or end > hi))

    return pred


def _dumps(session: dict) -> bytes:
    try:
        return orjson.dumps(session)
    except TypeError:  # text orjson refuses (a lone surrogate): the standard escapes
        return json.dumps(session, separators=(",", ":")).encode()


_LIVE = frozenset({"IN_QUEUE", "WAITING", "ACTIVE", "ACW"})


class SessionSource(SessionExtras):
    """Sessions in stable order (created ascending, then id), kept compactly.

    Each session's JSON goes once into an unlinked spill file; memory holds only its sort key
    and where its bytes are (~30 bytes a session), so a million generated sessions fit. Sessions
    that are live, read one by one (``get``), added or changed are "pinned": kept as dicts the
    living tenant may change in place. A page (``query_json``) is the received bytes joined, and
    a cursor per (filter, offset) makes paging through everything cost the same at any offset.
    """

    def __init__(self, sessions: Iterable[dict], *, seed: int = 7, now: Any = None) -> None:
        self._spill = tempfile.TemporaryFile(prefix="mluvii-sim-")  # noqa: SIM115 (lives as long)
        self._fd = self._spill.fileno()
        self._created = array("d")  # sort order: created, then id
        self._ids: array[int] | list[int] = array("q")
        self._off = array("q")  # spill offset of each session in sort order (-1: pinned only)
        self._len = array("l")
        self._ended = array("d")  # epoch, NaN for none: Ended filters without decoding
        self._status: list[str | None] = []  # lower case, interned: Status filters likewise
        self._pinned: dict[int, SessionRecord] = {}
        self._json: dict[int, bytes] = {}
        self._cursors: dict[tuple[Any, int], int] = {}
        self._notes: dict[int, list[dict]] = {}
        self._note_keys: dict[tuple[int, str], dict] = {}
        self._param_updates: dict[int, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._next_note = 9_000_000_000
        self._fill(sessions)
        self.seed = seed
        #: Sessions kept: the generated ones plus room for a long-running demo.
        self.max_sessions = len(self._ids) + 20_000
        self._next_id = 0
        self.now_ts = to_epoch(now) if now is not None else None

    def _fill(self, sessions: Iterable[dict]) -> None:
        rows: list[tuple[float, int, int, int, float, str | None]] = []
        ordered = True
        last = (float("-inf"), -1)
        pos = 0
        chunk: list[bytes] = []
        for s in sessions:
            if not isinstance(s, dict) or s.get("id") is None:
                continue
            rec = SessionRecord(s)
            key = (rec.created or 0.0, rec.id)
            ordered = ordered and key > last
            last = max(last, key)
            quick = _quick(s)
            if s.get("status") in _LIVE:
                self._pinned[rec.id] = rec
                rows.append((*key, -1, 0, *quick))
                continue
            data = _dumps(s)
            chunk.append(data)
            rows.append((*key, pos, len(data), *quick))
            pos += len(data)
            if len(chunk) >= 1024:
                self._spill.write(b"".join(chunk))
                chunk = []
            if len(rows) >= 65536 and ordered:
                self._append(rows)
                rows = []
        self._spill.write(b"".join(chunk))
        self._spill.flush()
        if not ordered:  # (a recorded data set in another order: it fits in memory anyway)
            rows += zip(*self._columns(), strict=True)
            rows.sort(key=lambda r: (r[0], r[1]))
            for arr in self._columns():
                del arr[:]
        self._append(rows)
        self._by_pos: dict[int, int] | None = None
        if any(b <= a for a, b in zip(self._ids, self._ids[1:], strict=False)):
            self._by_pos = {sid: i for i, sid in enumerate(self._ids)}

    def _columns(self) -> tuple[Any, ...]:
        return (self._created, self._ids, self._off, self._len, self._ended, self._status)

    def _append(self, rows: list[tuple[float, int, int, int, float, str | None]]) -> None:
        for created, sid, off, size, ended, status in rows:
            self._created.append(created)
            if not -(2**63) <= sid < 2**63 and isinstance(self._ids, array):
                self._ids = list(self._ids)  # (a recorded data set with odd ids)
            self._ids.append(sid)
            self._off.append(off)
            self._len.append(size)
            self._ended.append(ended)
            self._status.append(status)

    def __len__(self) -> int:
        return len(self._ids)

    def warm(self) -> None:
        """Nothing to prepare: lookup fields are computed per page."""

    # -- reading ----------------------------------------------------------------------------

    def _pos(self, session_id: int) -> int | None:
        if self._by_pos is not None:
            return self._by_pos.get(session_id)
        i = bisect_left(self._ids, session_id)
        return i if i < len(self._ids) and self._ids[i] == session_id else None

    def _bytes_at(self, i: int) -> bytes | None:
        """The stored JSON of position ``i`` (None when pinned)."""
        sid = self._ids[i]
        if sid in self._pinned or self._off[i] < 0:
            return None
        return os.pread(self._fd, self._len[i], self._off[i])

    def _record_at(self, i: int) -> SessionRecord:
        rec = self._pinned.get(self._ids[i])
        if rec is not None:
            return rec
        return SessionRecord(orjson.loads(self._bytes_at(i) or b"{}"))

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
        """Positions of the page ``offset .. offset+limit`` of the filter's matches."""
        lo, hi = 0, len(self._created)
        if f.created.min is not None:
            lo = bisect_left(self._created, f.created.min.timestamp())
        if f.created.max is not None:
            hi = bisect_right(self._created, f.created.max.timestamp())
        rest = f if f.created.null is not None else dataclasses.replace(f, created=DateTimeFilter())
        preds = compile_filter(rest)
        if not preds:
            start = lo + offset
            return list(range(start, min(hi, start + limit)))
        # Ended and Status of stored sessions are in arrays; the rest needs the session.
        quick = _quick_pred(rest.ended, rest.status)
        others = compile_filter(dataclasses.replace(rest, ended=DateTimeFilter(), status=()))
        key = (tuple(f.to_params()), len(self._ids))
        start, skip = lo, offset
        cursor = self._cursors.get((key, offset))
        if cursor is not None:
            start, skip = cursor, 0
        out: list[int] = []
        i = start
        ids, pinned, ended, status = self._ids, self._pinned, self._ended, self._status
        while i < hi and len(out) < limit:
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
            parts = []
            for i in self._scan(f, offset, limit):
                data = self._bytes_at(i)
                parts.append(data if data is not None else self._json_pinned(self._ids[i]))
        return b"[" + b",".join(parts) + b"]"

    # -- changes (the live tenant) ------------------------------------------------------------

    def live_sessions(self) -> list[dict]:
        return [r.session for r in self._pinned.values() if r.session.get("status") in _LIVE]

    def all_sessions(self) -> Iterator[dict]:
        """Every session, oldest first (not pinned: changes must go through ``changed``)."""
        for i in range(len(self._ids)):
            yield self._record_at(i).session

    def next_id(self, rng: Any) -> int:
        """An id above every session's, with the generator's small random gaps."""
        top = max(self._next_id, max(self._ids[-50:], default=3_000_000))
        self._next_id = top + 1 + int(rng.random() * 4)
        return self._next_id

    def add(self, session: dict) -> None:
        """Append a new (newest) session; the oldest ended ones go when over ``max_sessions``."""
        rec = SessionRecord(session)
        with self._lock:
            if self._ids and rec.id <= self._ids[-1] and self._by_pos is None:
                self._by_pos = {sid: i for i, sid in enumerate(self._ids)}
            self._pinned[rec.id] = rec
            self._created.append(rec.created or 0.0)
            self._ids.append(rec.id)
            self._off.append(-1)
            self._len.append(0)
            self._ended.append(_NAN)
            self._status.append(None)
            if self._by_pos is not None:
                self._by_pos[rec.id] = len(self._ids) - 1
            self._cursors.clear()
            while len(self._ids) > self.max_sessions:
                old = self._ids[0]
                pinned = self._pinned.get(old)
                if pinned is not None and pinned.session.get("status") in _LIVE:
                    break
                for arr in self._columns():
                    del arr[0]
                if self._by_pos is not None:
                    self._by_pos = {sid: i for i, sid in enumerate(self._ids)}
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
            data = self._json[sid] = _dumps(self._pinned[sid].session)
        return data

    def json_of(self, session: dict) -> bytes:
        sid = int(session["id"])
        with self._lock:
            if sid in self._pinned and self._pinned[sid].session is session:
                return self._json_pinned(sid)
        return _dumps(session)
