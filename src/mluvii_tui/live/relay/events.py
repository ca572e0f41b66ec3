"""One incoming webhook: envelope checks and the deduplication key.

mluvii may deliver an event twice and sends no event id (reference §4.2), so the key is built from
the payload: event type + entity id + the event's time stamp (or activity id):

- ``SessionActivity*``: ``type:sessionId:activityId`` (``time`` when there is no activityId)
- other events with an ``id`` (Session*, EmailThread*, GuestIdentityUpdated):
  ``type:id:time|started|ended|created`` plus the target userId/operatorGroupId/chatbotId
- ``UserStatusChanged``: ``type:userId:status:availabilityStatus:availabilityStatusReason``
- anything else (unknown types too): a hash of the canonical JSON of the whole envelope.

Events without a time stamp (``SessionCallParamsUpdated``, ``GuestIdentityUpdated``, ...) keep
their key only ``SHORT_DEDUP_SECONDS``: a re-delivery comes within seconds, a genuinely new update
minutes later must not be swallowed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from mluvii_tui.api.webhooks import KNOWN_EVENT_TYPES, session_id_of

SHORT_DEDUP_SECONDS = 30
_TIME_FIELDS = ("time", "started", "ended", "created")
_TARGET_FIELDS = ("userId", "operatorGroupId", "chatbotId")


class BadEnvelope(ValueError):
    """The body is not ``{"eventType": str, "data": ...}``; ``str(exc)`` is one line."""


@dataclass(frozen=True, slots=True)
class Incoming:
    event_type: str
    data: Any
    known: bool
    session_id: int | None
    dedup_key: str
    timed: bool  # the key holds a time stamp or activity id: keep it the whole dedup window


def parse_webhook(body: bytes) -> Incoming:
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadEnvelope("body is not valid JSON") from None
    if not isinstance(envelope, dict):
        raise BadEnvelope("body is not a JSON object")
    event_type = envelope.get("eventType")
    if not isinstance(event_type, str) or not event_type.strip() or len(event_type) > 200:
        raise BadEnvelope("missing or invalid eventType")
    data = envelope.get("data")
    known = event_type in KNOWN_EVENT_TYPES
    if known and not isinstance(data, dict):
        raise BadEnvelope(f"{event_type}: data is not an object")
    key, timed = dedup_key(event_type, data)
    digest = hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()
    return Incoming(event_type, data, known, session_id_of(event_type, data), digest, timed)


def dedup_key(event_type: str, data: Any) -> tuple[str, bool]:
    """``(key, timed)`` as the module docstring explains."""
    if isinstance(data, dict):
        if event_type.startswith("SessionActivity") and "sessionId" in data:
            stamp = data.get("activityId") or data.get("time")
            return _join(event_type, data.get("sessionId"), stamp), stamp is not None
        if event_type == "UserStatusChanged" and "userId" in data:
            fields = ("userId", "status", "availabilityStatus", "availabilityStatusReason")
            return _join(event_type, *(data.get(f) for f in fields)), True
        if "id" in data:
            stamp = next((data[f] for f in _TIME_FIELDS if data.get(f) is not None), None)
            targets = (data.get(f) for f in _TARGET_FIELDS)
            return _join(event_type, data.get("id"), stamp, *targets), stamp is not None
    canonical = orjson.dumps({"eventType": event_type, "data": data}, option=orjson.OPT_SORT_KEYS)
    return "raw:" + hashlib.sha256(canonical).hexdigest(), True


def _join(*parts: object) -> str:
    return ":".join("" if p is None else str(p) for p in parts)
