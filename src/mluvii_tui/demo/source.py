"""The simulator's data: sessions (as API dicts) with precomputed lookup fields for fast filtering,
plus notes, call-parameter updates, users, groups and operator states. The lookup fields and the
filter predicates live in ``matching``.
"""

from __future__ import annotations

import json
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from ..api.filters import SessionFilter
from .extras import (
    PARAM_SOURCES,
    call_params_for,
    file_size,
    notes_for,
    recording_size,
    routing_for,
)
from .matching import SessionRecord, compile_filter
from .roster import OPERATOR_BY_ID, groups_json, operator_states_json, users_json
from .timefmt import iso, parse_seconds, prague_tz, to_epoch

__all__ = ["SessionRecord", "SessionSource", "compile_filter"]

_LIVE = frozenset({"IN_QUEUE", "WAITING", "ACTIVE", "ACW"})


class SessionSource:
    """Sessions in stable order (created ascending, then id) with lookup records and state."""

    def __init__(self, sessions: Iterable[dict], *, seed: int = 7, now: Any = None) -> None:
        recs = [
            SessionRecord(s) for s in sessions if isinstance(s, dict) and s.get("id") is not None
        ]
        recs.sort(key=lambda r: (r.created or 0.0, r.id))
        self._recs = recs
        self._created = [r.created or 0.0 for r in recs]
        self._by_id = {r.id: r for r in recs}
        self._json: dict[int, str] = {}
        self._notes: dict[int, list[dict]] = {}
        self._note_keys: dict[tuple[int, str], dict] = {}
        self._param_updates: dict[int, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._next_note = 9_000_000_000
        self.seed = seed
        #: Sessions kept in memory: the generated ones plus room for a long-running demo.
        self.max_sessions = len(recs) + 20_000
        self._next_id = 0
        self.now_ts = to_epoch(now) if now is not None else None

    def __len__(self) -> int:
        return len(self._recs)

    def warm(self) -> None:
        """Compute every lookup record now (the runner calls this in a background thread)."""
        for rec in list(self._recs):
            rec.texts()

    # -- reading ----------------------------------------------------------------------------

    def get(self, session_id: int) -> dict | None:
        rec = self._by_id.get(session_id)
        return rec.session if rec else None

    def query(self, f: SessionFilter, offset: int = 0, limit: int = 100) -> list[dict]:
        preds = compile_filter(f)
        lo, hi = 0, len(self._recs)
        if f.created.min is not None:
            lo = bisect_left(self._created, f.created.min.timestamp())
        if f.created.max is not None:
            hi = bisect_right(self._created, f.created.max.timestamp())
        out: list[dict] = []
        skip = offset
        recs = self._recs
        for i in range(lo, hi):
            r = recs[i]
            if all(p(r) for p in preds):
                if skip:
                    skip -= 1
                    continue
                out.append(r.session)
                if len(out) >= limit:
                    break
        return out

    # -- changes (the live tenant) ------------------------------------------------------------

    def live_sessions(self) -> list[dict]:
        return [r.session for r in self._recs if r.session.get("status") in _LIVE]

    def all_sessions(self) -> list[dict]:
        return [r.session for r in self._recs]

    def next_id(self, rng: Any) -> int:
        """An id above every session's, with the generator's small random gaps."""
        top = max(self._next_id, max((r.id for r in self._recs[-50:]), default=3_000_000))
        self._next_id = top + 1 + int(rng.random() * 4)
        return self._next_id

    def add(self, session: dict) -> None:
        """Append a new (newest) session; the oldest ended ones go when over ``max_sessions``."""
        rec = SessionRecord(session)
        with self._lock:
            self._recs.append(rec)
            self._created.append(rec.created or 0.0)
            self._by_id[rec.id] = rec
            while len(self._recs) > self.max_sessions:
                old = self._recs[0]
                if old.session.get("status") in _LIVE:
                    break
                del self._recs[0], self._created[0]
                self._by_id.pop(old.id, None)
                self._json.pop(old.id, None)
                self._notes.pop(old.id, None)

    def changed(self, session: dict) -> None:
        """The session dict was changed in place: renew its lookup fields and JSON."""
        sid = int(session["id"])
        rec = SessionRecord(session)
        with self._lock:
            i = bisect_left(self._created, rec.created or 0.0)
            while i < len(self._recs) and self._recs[i].id != sid:
                i += 1
            if i < len(self._recs):
                self._recs[i] = rec
            self._by_id[sid] = rec
            self._json.pop(sid, None)

    def json_of(self, session: dict) -> str:
        sid = int(session["id"])
        text = self._json.get(sid)
        if text is None:
            text = json.dumps(session, ensure_ascii=False, separators=(",", ":"))
            self._json[sid] = text
        return text

    def json_list(self, sessions: list[dict]) -> str:
        return "[" + ",".join(self.json_of(s) for s in sessions) + "]"

    # -- call params --------------------------------------------------------------------------

    def call_params(self, session_id: int) -> list[dict] | None:
        s = self.get(session_id)
        if s is None:
            return None
        return call_params_for(s, self._param_updates.get(session_id))

    def update_call_params(self, session_id: int, values: dict[str, str | None]) -> str | None:
        """Apply a PUT; returns an error message (read-only parameter) or None."""
        s = self.get(session_id)
        if s is None:
            return "Session ID not found."
        for name in values:
            if PARAM_SOURCES.get(name, ("", False))[1]:
                return f"Parameter {name!r} is read-only."
        with self._lock:
            guest = s.setdefault("guest", {})
            params = guest.setdefault("callParams", {})
            params.update(values)
            stamp = self._stamp()
            self._param_updates.setdefault(session_id, {}).update(dict.fromkeys(values, stamp))
            self._json.pop(session_id, None)
        return None

    # -- notes -------------------------------------------------------------------------------

    def notes(self, session_id: int) -> list[dict] | None:
        s = self.get(session_id)
        if s is None:
            return None
        with self._lock:
            if session_id not in self._notes:
                self._notes[session_id] = notes_for(s)
            return list(self._notes[session_id])

    def add_note(self, session_id: int, text: str, key: str | None, user_id: int) -> dict | None:
        if self.notes(session_id) is None:
            return None
        with self._lock:
            if key and (session_id, key) in self._note_keys:
                return self._note_keys[(session_id, key)]
            self._next_note += 1
            op = OPERATOR_BY_ID.get(user_id)
            author = op.full_name if op else ("Demo Admin" if user_id == 100 else f"#{user_id}")
            note = {
                "id": self._next_note,
                "note": text,
                "userId": user_id,
                "author": author,
                "created": self._stamp(),
            }
            self._notes[session_id].append(note)
            if key:
                self._note_keys[(session_id, key)] = note
            return note

    def routing(self, session_id: int) -> list[dict] | None:
        s = self.get(session_id)
        return None if s is None else routing_for(s)

    # -- downloads ---------------------------------------------------------------------------

    def file_info(self, session_id: int, file_id: str) -> tuple[str, int, bool] | None:
        """(name, byte size, deleted) of a shared file; the size exists only in the download
        (its Content-Length): SessionModel's file has no size field."""
        s = self.get(session_id)
        for act in (s or {}).get("activities") or []:
            f = act.get("file") if isinstance(act, dict) else None
            if isinstance(f, dict) and str(f.get("id")) == file_id:
                name = str(f.get("name") or "file")
                size = file_size(f"file/{session_id}/{file_id}", name)
                return name, size, bool(f.get("isDeleted"))
        return None

    def recording_info(self, session_id: int, rec_id: str) -> tuple[str, int, bool] | None:
        s = self.get(session_id)
        for rec in (s or {}).get("recordings") or []:
            if isinstance(rec, dict) and str(rec.get("id")) == rec_id:
                name = str(rec.get("name") or "recording")
                size = recording_size(name, parse_seconds(rec.get("duration")))
                return name, size, bool(rec.get("isDeleted"))
        return None

    # -- tenant ------------------------------------------------------------------------------

    def users(self) -> list[dict]:
        return users_json()

    def groups(self) -> list[dict]:
        return groups_json(self._now())

    def operator_states(self) -> list[dict]:
        return operator_states_json(self.seed, self._now())

    def _now(self) -> float:
        return self.now_ts if self.now_ts is not None else to_epoch(None)

    def _stamp(self) -> str:
        ts = to_epoch(None)
        return iso(ts, prague_tz(ts))
