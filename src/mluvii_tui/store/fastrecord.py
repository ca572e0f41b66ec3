"""Store records straight from the API's JSON, without pydantic: the sync's hot path.

``struct_record(session, raw, hash)`` (a ``wire.Session``, decoded by msgspec) and
``fast_record(data, raw, hash)`` (a dict of JSON values) give the same ``SessionRecord`` as
``build_record(parse_session(data))`` for sessions in the shapes the API sends: every value read
is None or exactly the type pydantic would produce without coercion (wire.py's types), times are
RFC 3339 with seconds (msgspec reads them in C: every spelling it takes, pydantic reads as the
same time, tests/test_fastrecord.py), durations ``PnDTnHnMnS``, enums are strings (known ones
canonicalised case-insensitively, as ``Tolerant`` does). Anything else raises ``Unsupported``
and the caller takes the exact path. Activities are not stored apart (the kept JSON holds
them): only their count, message texts, forwarding groups and end reason are read. The tests
compare the paths on the simulator's sessions, hostile ones included.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from mluvii_tui.query.layout import ID_SEP, LIST_SEP
from mluvii_tui.text import fold_value

from ..api import enums as E
from .rows import (
    EMAIL_KEYS,
    FIRST_NAME_KEYS,
    LAST_NAME_KEYS,
    NAME_KEYS,
    PHONE_KEYS,
    SessionRecord,
    whole,
)
from .wire import Guest, Operator, Session, WireError, from_dict

__all__ = ["Unsupported", "fast_record", "struct_record"]


class Unsupported(Exception):
    """The session is outside the fast path; use the exact one."""


_MESSAGES = E.MESSAGE_ACTIVITY_TYPES
_DURATION = re.compile(
    r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?"
).fullmatch


def _table(enum_cls: Any) -> dict[str, str]:
    return {m.value.lower(): m.value for m in enum_cls}


_CHANNEL = _table(E.SessionChannel)
_SOURCE = _table(E.SessionSource)
_STATUS = _table(E.SessionStatus)
_BROWSER = _table(E.GuestBrowserType)
_OS = _table(E.GuestOSType)
_SCALE = _table(E.FeedbackScale)
_LEFT = _table(E.GuestLeftSessionInState)
_TYPE = _table(E.SessionActivityType)
_CLIENT = _table(E.ClientType)
_REASON = _table(E.SessionTerminationReason)
_LIVE = E.LIVE_STATUSES
#: An activity's type as sent in its canonical spelling (nearly all of them): one lookup.
_KIND = {v: v for v in _TYPE.values()}


def _enum(table: dict[str, str], value: str | None) -> str | None:
    """``_text(Tolerant value)`` of rows.py: the canonical spelling, the raw string, or None."""
    if value is None:
        return None
    return table.get(value.lower(), value) or None


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    try:
        return value.timestamp()
    except (ValueError, OverflowError, OSError):  # a naive time out of the local clock's range
        raise Unsupported from None


#: A time with more than six digits of fraction (.NET writes seven): msgspec rounds it to the
#: microsecond, pydantic truncates; they differ in the whole second only when the rounding
#: carries into it (the time read has no microseconds then).
_LONG_FRACTION = re.compile(rb":[0-9]{2}\.[0-9]{7}").search
_COLUMN_TIMES = ("created", "guestJoined", "started", "ended")


def _carried(s: Session, raw: bytes) -> bool:
    """Whether a column's time may have been rounded up into its next second."""
    for t in (s.created, s.guest_joined, s.started, s.ended):
        if t is not None and not t.microsecond:
            return _LONG_FRACTION(raw) is not None
    return False


def _seconds(value: str) -> float:
    m = _DURATION(value) if value != "P" else None
    if m is None or value.endswith("T"):
        raise Unsupported
    d, h, mi, s = m.groups()
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


#: Durations read already ("PT20S" -> 20): a few thousand spellings recur. Emptied when full.
_WHOLE_SECONDS: dict[str, int] = {}


def _whole_seconds(value: str | None) -> int | None:
    """``whole(_seconds(value))``, remembered."""
    if value is None:
        return None
    got = _WHOLE_SECONDS.get(value)
    if got is None:
        got = math.floor(_seconds(value))
        if len(_WHOLE_SECONDS) >= 4096:
            _WHOLE_SECONDS.clear()
        _WHOLE_SECONDS[value] = got
    return got


def _pick(params: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = params.get(key)
        if value and value.strip():
            return value.strip()
    return None


def _full_name(o: Operator) -> str:
    name = " ".join(p for p in (o.first_name, o.last_name) if p)
    uid = o.user_id
    return name or o.user_name or (f"#{uid}" if uid else "")


_NO_GUEST = Guest()


def fast_record(d: Any, raw: bytes, content_hash: int) -> SessionRecord:
    """The record of one session dict (``raw``: its JSON as kept); raises Unsupported."""
    if d.__class__ is not dict:
        raise Unsupported
    try:
        s = from_dict(d)
    except WireError:
        raise Unsupported from None
    times = [t for k in _COLUMN_TIMES if (t := d.get(k)).__class__ is str]
    if _carried(s, "\n".join(times).encode()):
        raise Unsupported
    return struct_record(s, raw, content_hash)


def struct_record(s: Session, raw: bytes, content_hash: int) -> SessionRecord:
    """The record of one decoded session (``wire.Session``) and its JSON; raises Unsupported."""
    if _carried(s, raw):
        raise Unsupported
    sid = s.id
    g = s.guest or _NO_GUEST
    params = g.call_params or {}
    language = g.language
    ops = s.operators or ()
    rec = SessionRecord(id=sid, values=(), raw=raw, hash=content_hash, language=language)
    groups: list[str] = []
    messages = 0
    end_reason = None
    for seq, a in enumerate(s.activities or ()):
        kind = a.type
        if kind not in _KIND:
            kind = _enum(_TYPE, kind)
        if kind in _MESSAGES:
            messages += 1
            if a.text:
                rec.texts.append((seq, a.text))
        elif kind == "SessionForwarded":
            group = a.to_group_name
            if group and group not in groups:
                groups.append(group)
        elif kind == "SessionEnded":
            reason = _enum(_REASON, a.termination_reason)
            if reason:
                end_reason = reason
    names = []
    ids = []
    for seq, o in enumerate(ops):
        full = _full_name(o)
        if full:
            names.append(full)
        uid = o.user_id
        if uid is not None:
            ids.append(str(uid))
        rec.operators.append((sid, seq, uid, full or None))
    lowered: dict[str, str] = {}
    for key, value in params.items():
        rec.params.append((sid, key, value, fold_value(value)))
        if value is not None:
            lowered[key.lower()] = value
    name = _pick(lowered, NAME_KEYS)
    if name is None:
        parts = [p for p in (_pick(lowered, FIRST_NAME_KEYS), _pick(lowered, LAST_NAME_KEYS)) if p]
        name = " ".join(parts) or None
    callback = s.phone_callback_number
    tags = s.tags  # (most sessions have no tags, no chatbot: no generator made for them)
    tag_names = [n for t in tags if (n := t.name)] if tags else []
    if tag_names:
        rec.tags = [(sid, n) for n in dict.fromkeys(tag_names)]
    bots = s.chatbots
    bot_names = [n for c in bots if (n := c.name)] if bots else []
    recordings = s.recordings
    kept = None
    if recordings is not None:
        kept = sum(1 for r in recordings if not r.is_deleted)
    identity = g.identity
    channel_identity = g.channel_identity
    status = _enum(_STATUS, s.status)
    ended = _epoch(s.ended)
    auto, black = s.auto_accepted, s.blacklisted
    rec.values = (  # the table's columns in order (SESSION_FIELDS; the tests compare)
        sid,
        whole(_epoch(s.created)),
        whole(_epoch(s.guest_joined)),
        whole(_epoch(s.started)),
        whole(ended),
        _whole_seconds(s.waited),  # waited_s
        _whole_seconds(s.length),  # length_s
        _enum(_CHANNEL, s.channel),
        _enum(_SOURCE, s.source),
        status,
        LIST_SEP.join(names) or None,  # operators
        ID_SEP.join(ids) or None,  # operator_ids
        LIST_SEP.join(groups) or None,
        LIST_SEP.join(bot_names) or None,  # chatbot
        name,  # client_name
        _pick(lowered, EMAIL_KEYS),  # client_email
        _pick(lowered, PHONE_KEYS) or (callback or None),  # client_phone
        identity or (str(channel_identity) if channel_identity is not None else None),  # client_id
        g.ip_address or None,  # ip
        _enum(_BROWSER, g.browser),
        _enum(_OS, g.os),
        language or None,
        s.url or None,
        s.widget or None,
        LIST_SEP.join(tag_names) or None,  # tags
        s.guest_feedback_stars,  # rating
        s.guest_feedback_text or None,
        _enum(_SCALE, s.guest_feedback_scale),
        end_reason,
        _enum(_LEFT, s.guest_left_session),  # guest_left
        None if auto is None else int(auto),
        None if black is None else int(black),
        kept,  # recordings_count
        messages,  # messages_count
        s.campaign_id,
        int(status in _LIVE and ended is None),  # is_live
    )
    return rec
