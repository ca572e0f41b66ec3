"""Webhook payloads (reference §4.4): the ``data`` of each event type, built from a session dict.

Payloads are thin, mostly ids; the relay fetches the session for the rest. The activity types
that have a ``SessionActivity<Type>`` event are listed in ``ACTIVITY_EVENTS`` (reference §4.3).
"""

from __future__ import annotations

from typing import Any

from mluvii_tui.api.webhooks import EVENT_TYPES

ACTIVITY_EVENTS: frozenset[str] = frozenset(
    e.removeprefix("SessionActivity") for e in EVENT_TYPES if e.startswith("SessionActivity")
)
#: Fields of the generic SessionActivity* payload taken from the activity as they are.
_ACTIVITY_FIELDS = (
    "activityId", "time", "type", "client", "text", "file", "toOperatorUserId",
    "toOperatorFullName", "toGroupId", "toGroupName", "toPhoneNumber", "note",
    "chatbotMessageContent", "submissionIdentification", "userId", "chatbotId",
    "chatbotHeroCardSubmissionKey", "chatbotHeroCardSubmissionValue", "terminationReason",
)  # fmt: skip

Event = tuple[str, dict[str, Any]]


def _head(s: dict) -> dict[str, Any]:
    return {
        "id": s["id"],
        "tenantId": s.get("departmentId"),
        "channel": s.get("channel"),
        "source": s.get("source"),
    }


def created(s: dict) -> Event:
    return "SessionCreated", _head(s)


def started(s: dict, time: str) -> Event:
    """SessionStarted: the client entered the queue (D-wh), not SessionModel.started."""
    return "SessionStarted", {**_head(s), "started": time}


def ended(s: dict) -> Event:
    return "SessionEnded", {**_head(s), "started": s.get("started"), "ended": s.get("ended")}


def forwarded(s: dict, time: str, user_id: int | None, group_id: int | None) -> Event:
    data = {**_head(s), "time": time}
    if user_id is not None:
        data["userId"] = user_id
    if group_id is not None:
        data["operatorGroupId"] = group_id
    return "SessionForwarded", data


def operator(kind: str, s: dict, user_id: int, time: str) -> Event:
    """SessionOperatorJoined / SessionOperatorLeft / SessionOperatorConcluded."""
    return f"SessionOperator{kind}", {
        "id": s["id"],
        "tenantId": s.get("departmentId"),
        "userId": user_id,
        "channel": s.get("channel"),
        "source": s.get("source"),
        "time": time,
    }


def refetch(kind: str, s: dict) -> Event:
    """SessionCallParamsUpdated, GuestIdentityUpdated, ...: ids only."""
    return kind, {"id": s["id"], "tenantId": s.get("departmentId")}


def activity(session_id: int, act: dict) -> Event | None:
    """The SessionActivity<Type> event of an activity, None for types without one."""
    kind = act.get("type")
    if kind not in ACTIVITY_EVENTS:
        return None
    data: dict[str, Any] = {"sessionId": session_id}
    data.update({k: act.get(k) for k in _ACTIVITY_FIELDS})
    return f"SessionActivity{kind}", data


def user_status(user_id: int, status: str, availability: str, reason: str | None) -> Event:
    return "UserStatusChanged", {
        "userId": user_id,
        "status": status,
        "availabilityStatus": availability,
        "availabilityStatusReason": reason,
    }
