"""What the simulator answers about a session besides the session itself: its call parameters
(read-only ones refused), notes (an idempotency key adds a note once), routing, the sizes of its
files and recordings, and the tenant's users, groups and operator states. Mixed into
``SessionSource`` (its ``get``, lock and clock)."""

from __future__ import annotations

import threading

from .extras import (
    PARAM_SOURCES,
    call_params_for,
    file_size,
    notes_for,
    recording_size,
    routing_for,
)
from .roster import OPERATOR_BY_ID, groups_json, operator_states_json, users_json
from .timefmt import iso, parse_seconds, prague_tz, to_epoch


class SessionExtras:
    """State is set up by ``SessionSource.__init__``."""

    seed: int
    now_ts: float | None
    _lock: threading.Lock
    _json: dict[int, bytes]
    _notes: dict[int, list[dict]]
    _note_keys: dict[tuple[int, str], dict]
    _param_updates: dict[int, dict[str, str]]
    _next_note: int

    def get(self, session_id: int) -> dict | None:
        raise NotImplementedError

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
