"""Store records straight from the API's JSON (orjson dicts), without pydantic: the sync's hot path.

``fast_record(data, raw)`` gives the same ``SessionRecord`` as ``build_record(parse_session(data))``
for sessions in the shapes the API sends: every value read is None or exactly the type pydantic
would produce without coercion, times are ISO 8601 with seconds, durations ``PnDTnHnMnS``, enums
are strings (known ones canonicalised case-insensitively, as ``Tolerant`` does). Anything else
raises ``Unsupported`` (the transcript decoder uses the same time rule, ``API_TIME``) and the
caller takes the exact path. Activities are not stored apart (the kept JSON holds them): only
their count, message texts, forwarding groups and end reason are read. The tests compare both
paths on the simulator's sessions, hostile ones included.
"""

from __future__ import annotations

import operator
import re
from datetime import datetime
from typing import Any

from mluvii_tui.domain.transcript_decode import API_TIME
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
from .schema import SESSION_FIELDS

__all__ = ["Unsupported", "fast_record"]


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
#: The values of a record's columns in the table's order.
_IN_ORDER = operator.itemgetter(*SESSION_FIELDS)
#: An activity's type as sent in its canonical spelling (nearly all of them): one lookup.
_KIND = {v: v for v in _TYPE.values()}


def _enum(table: dict[str, str], value: Any) -> str | None:
    """``_text(Tolerant value)`` of rows.py: the canonical spelling, the raw string, or None."""
    if value is None:
        return None
    if value.__class__ is not str:
        raise Unsupported
    return table.get(value.lower(), value) or None


def _typed(value: Any, kind: type) -> Any:
    if value is None or value.__class__ is kind:
        return value
    raise Unsupported


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if value.__class__ is not str or API_TIME(value) is None:
        raise Unsupported
    try:
        return datetime.fromisoformat(value).timestamp()
    except (ValueError, OverflowError, OSError):
        raise Unsupported from None


def _valid_time(value: Any) -> None:
    """A time the record does not use but pydantic would read: the format and a real date."""
    if value is None:
        return
    if value.__class__ is not str or API_TIME(value) is None:
        raise Unsupported
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise Unsupported from None


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    m = _DURATION(value) if value.__class__ is str and value != "P" else None
    if m is None or value.endswith("T"):
        raise Unsupported
    d, h, mi, s = m.groups()
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


def _dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if value.__class__ is not dict or "_" in "".join(value):
        raise Unsupported  # another type, or snake_case keys pydantic would also read
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if value.__class__ is not list:
        raise Unsupported
    return value


def _pick(params: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = params.get(key)
        if value and value.strip():
            return value.strip()
    return None


def _full_name(o: dict[str, Any]) -> str:
    first, last = _typed(o.get("firstName"), str), _typed(o.get("lastName"), str)
    name = " ".join(p for p in (first, last) if p)
    uid = o.get("userId")
    return name or _typed(o.get("userName"), str) or (f"#{uid}" if uid else "")


def fast_record(d: Any, raw: bytes, content_hash: int) -> SessionRecord:
    """The record of one session dict (``raw``: its JSON as kept); raises Unsupported."""
    s = _dict(d)
    sid = s.get("id")
    if sid.__class__ is not int:
        raise Unsupported
    g = _dict(s.get("guest"))
    params = g.get("callParams") or {}
    if params.__class__ is not dict:
        raise Unsupported
    language = _typed(g.get("language"), str)
    ops = [_dict(o) for o in _list(s.get("operators"))]
    rec = SessionRecord(id=sid, values=(), raw=raw, hash=content_hash, language=language)
    groups: list[str] = []
    messages = 0
    end_reason = None
    for seq, a in enumerate(_list(s.get("activities"))):
        # (snake_case spellings pydantic would also read for the activity fields used here)
        if a.__class__ is not dict or "to_group_name" in a or "termination_reason" in a:
            raise Unsupported
        kind = a.get("type")
        if kind.__class__ is not str or kind not in _KIND:
            kind = _enum(_TYPE, kind)
        if kind in _MESSAGES:
            messages += 1
            text = a.get("text")
            if text:
                if text.__class__ is not str:
                    raise Unsupported
                rec.texts.append((seq, text))
        elif kind == "SessionForwarded":
            group = _typed(a.get("toGroupName"), str)
            if group and group not in groups:
                groups.append(group)
        elif kind == "SessionEnded":
            reason = _enum(_REASON, a.get("terminationReason"))
            if reason:
                end_reason = reason
    names = []
    for seq, o in enumerate(ops):
        uid = _typed(o.get("userId"), int)
        full = _full_name(o)
        if full:
            names.append(full)
        for key in ("joined", "left", "concluded"):  # kept in the JSON only, but valid
            _valid_time(o.get(key))
        rec.operators.append((sid, seq, uid, full or None))
    lowered: dict[str, str] = {}
    for key, value in params.items():
        if value is not None and value.__class__ is not str:
            raise Unsupported
        rec.params.append((sid, key, value, fold_value(value)))
        if value is not None:
            lowered[key.lower()] = value
    name = _pick(lowered, NAME_KEYS)
    if name is None:
        parts = [p for p in (_pick(lowered, FIRST_NAME_KEYS), _pick(lowered, LAST_NAME_KEYS)) if p]
        name = " ".join(parts) or None
    callback = _typed(s.get("phoneCallbackNumber"), str)
    tag_names = [_typed(_dict(t).get("name"), str) for t in _list(s.get("tags"))]
    rec.tags = [(sid, n) for n in dict.fromkeys(n for n in tag_names if n)]
    bots = [_typed(_dict(c).get("name"), str) for c in _list(s.get("chatbots"))]
    recordings = s.get("recordings")
    kept = None
    if recordings is not None:
        kept = sum(1 for r in _list(recordings) if not _typed(_dict(r).get("isDeleted"), bool))
    identity = _typed(g.get("identity"), str)
    channel_identity = _typed(g.get("channelIdentity"), int)
    status = _enum(_STATUS, s.get("status"))
    ended = _epoch(s.get("ended"))
    auto, black = _typed(s.get("autoAccepted"), bool), _typed(s.get("blacklisted"), bool)
    values = {
        "id": sid,
        "created": whole(_epoch(s.get("created"))),
        "guest_joined": whole(_epoch(s.get("guestJoined"))),
        "started": whole(_epoch(s.get("started"))),
        "ended": whole(ended),
        "waited_s": whole(_seconds(s.get("waited"))),
        "length_s": whole(_seconds(s.get("length"))),
        "channel": _enum(_CHANNEL, s.get("channel")),
        "source": _enum(_SOURCE, s.get("source")),
        "status": status,
        "operators": LIST_SEP.join(names) or None,
        "operator_ids": ID_SEP.join(str(o[2]) for o in rec.operators if o[2] is not None) or None,
        "groups": LIST_SEP.join(groups) or None,
        "chatbot": LIST_SEP.join(b for b in bots if b) or None,
        "client_name": name,
        "client_email": _pick(lowered, EMAIL_KEYS),
        "client_phone": _pick(lowered, PHONE_KEYS) or (callback or None),
        "client_id": identity or (str(channel_identity) if channel_identity is not None else None),
        "ip": _typed(g.get("ipAddress"), str) or None,
        "browser": _enum(_BROWSER, g.get("browser")),
        "os": _enum(_OS, g.get("os")),
        "language": language or None,
        "url": _typed(s.get("url"), str) or None,
        "widget": _typed(s.get("widget"), str) or None,
        "tags": LIST_SEP.join(n for n in tag_names if n) or None,
        "rating": _typed(s.get("guestFeedbackStars"), int),
        "feedback_text": _typed(s.get("guestFeedbackText"), str) or None,
        "feedback_scale": _enum(_SCALE, s.get("guestFeedbackScale")),
        "end_reason": end_reason,
        "guest_left": _enum(_LEFT, s.get("guestLeftSession")),
        "auto_accepted": None if auto is None else int(auto),
        "blacklisted": None if black is None else int(black),
        "recordings_count": kept,
        "messages_count": messages,
        "campaign_id": _typed(s.get("campaignId"), int),
        "is_live": int(status in _LIVE and ended is None),
    }
    rec.values = _IN_ORDER(values)
    return rec
