"""Applying the relay's live events to the store (headless; the UI batches and calls it).

Each event the relay enriched carries the fresh session (``LiveEvent.session``): it is upserted,
so the Live and History views read it as they read a synced session. Events are applied at most
once: the last applied sequence number (and the relay's log id) is kept in the store's meta
table, and an event at or below it is skipped, so a console that restarts resumes where it was.
Activity events (chat messages, ...) carry no session: they are reported by session id, so the
UI can refresh an open transcript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mluvii_tui.api.enums import LIVE_STATUSES, enum_text
from mluvii_tui.api.models import SessionModel, parse_session

if TYPE_CHECKING:
    from mluvii_tui.live.feed import LiveEvent
    from mluvii_tui.store.store import SessionStore

META_LAST_SEQ = "live.last_seq"
META_LOG_ID = "live.log_id"


@dataclass
class Applied:
    """What one batch changed."""

    events: int = 0  # applied (new) events
    skipped: int = 0  # at or below the last applied seq (duplicates, replays)
    sessions: set[int] = field(default_factory=set)  # sessions upserted
    ended: set[int] = field(default_factory=set)  # of those, the ones no longer live
    activity: set[int] = field(default_factory=set)  # sessions with new activity (no session)
    bad: int = 0  # sessions in events that are not sessions
    last_seq: int | None = None


def resume_point(store: SessionStore) -> tuple[int | None, str | None]:
    """(last applied seq, relay log id) from an earlier run, or (None, None)."""
    seq = store.get_meta(META_LAST_SEQ)
    log_id = store.get_meta(META_LOG_ID)
    try:
        return (int(seq) if seq is not None else None), log_id
    except ValueError:
        return None, None


def forget_resume_point(store: SessionStore) -> None:
    store.set_meta(META_LAST_SEQ, None)
    store.set_meta(META_LOG_ID, None)


def apply_events(
    store: SessionStore, events: Iterable[LiveEvent], *, log_id: str | None = None
) -> Applied:
    """Upsert the sessions of ``events`` (last state per session wins) in one transaction and
    record the last seq; events already applied are skipped."""
    done = Applied()
    last, _ = resume_point(store)
    fresh: dict[int, SessionModel] = {}
    for event in events:
        if last is not None and event.seq <= last:
            done.skipped += 1
            continue
        last = event.seq
        done.events += 1
        if event.session is not None:
            model = parse_session(event.session)
            if model is None:
                done.bad += 1
                continue
            fresh.pop(model.id, None)  # keep arrival order: the newest state last
            fresh[model.id] = model
        elif event.event_type.startswith("SessionActivity"):
            session_id = _session_id(event.data)
            if session_id is not None:
                done.activity.add(session_id)
    if fresh:
        store.upsert_sessions(list(fresh.values()))
        done.sessions = set(fresh)
        done.ended = {sid for sid, model in fresh.items() if not is_live(model)}
    if done.events:
        store.set_meta(META_LAST_SEQ, str(last))
        if log_id is not None:
            store.set_meta(META_LOG_ID, log_id)
    done.last_seq = last
    return done


def is_live(model: SessionModel) -> bool:
    return enum_text(model.status) in LIVE_STATUSES and model.ended is None


def _session_id(data: object) -> int | None:
    if not isinstance(data, dict):
        return None
    value = data.get("sessionId", data.get("id"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None
