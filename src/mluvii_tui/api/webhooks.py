"""The webhook wire contract (reference §4): event type names and the ids their payloads carry.

mluvii posts one ``{"eventType": ..., "data": {...}}`` per HTTP request. Names are kept as plain
strings: event types grow without notice, and an unknown one is still forwarded raw.
"""

from __future__ import annotations

from typing import Any

#: Every event type of reference §4.3 (AM ``Webhooks/WebhookEventType.cs``).
EVENT_TYPES: tuple[str, ...] = (
    "UserStatusChanged", "SessionCreated", "SessionStarted", "SessionEnded", "SessionForwarded",
    "SessionOperatorJoined", "SessionOperatorLeft", "SessionOperatorConcluded",
    "SessionCallParamsUpdated", "SessionRecordingPostProcessingCompleted", "EmailThreadCreated",
    "EmailThreadOperatorJoined", "EmailThreadOperatorLeft", "EmailThreadForwarded",
    "GuestIdentityUpdated", "SessionActivityChatMessage", "SessionActivitySharedFile",
    "SessionActivitySharedScreen", "SessionActivityCobrowsingStarted",
    "SessionActivityCobrowsingStoppedByGuest", "SessionActivityScreenSharingFailedByGuest",
    "SessionActivityFileUploadFailed", "SessionActivityHeroCard",
    "SessionActivityHeroCardSubmission", "SessionActivityChatbotMessage",
    "SessionActivityCallScript", "SessionActivityCallScriptSubmission",
    "SessionActivityWelcomeMessage", "SessionActivityLastFarewellMessage",
    "SessionActivityPreviewUrl", "SessionActivityExternalMessage", "SessionActivityOnHold",
    "SessionActivityResumeGuest", "SessionActivityChatToMail", "SessionActivityAutoActivity",
    "SessionActivityAutoActivityAsOperator", "SessionActivityChatbotHeroCardSubmission",
    "SessionActivitySessionEnded", "SessionActivitySessionForwarded",
    "SessionActivityOperatorInvited", "SessionActivityOperatorInviteCanceled",
    "SessionActivityOperatorInviteRejected", "SessionActivityOperatorKicked",
    "SessionActivityAvRequest", "SessionActivityAvResponse", "SessionActivityAvMediaResult",
    "SessionActivityAvTerminated", "EmailThreadParamsUpdated", "ApplicationSettingChanged",
)  # fmt: skip
KNOWN_EVENT_TYPES = frozenset(EVENT_TYPES)

#: Session events whose ``data.id`` is the session id (reference §4.4); activities use
#: ``data.sessionId``. GuestIdentityUpdated carries the session's id (**inference**: it is
#: raised from a session; the payload holds ``id, tenantId`` like SessionCallParamsUpdated).
_SESSION_ID_IN_ID = frozenset(
    {
        "SessionCreated", "SessionStarted", "SessionEnded", "SessionForwarded",
        "SessionOperatorJoined", "SessionOperatorLeft", "SessionOperatorConcluded",
        "SessionCallParamsUpdated", "SessionRecordingPostProcessingCompleted",
        "GuestIdentityUpdated",
    }
)  # fmt: skip


def session_id_of(event_type: str, data: Any) -> int | None:
    """The session an event is about, or None (user, e-mail, settings and unknown events)."""
    if not isinstance(data, dict):
        return None
    if event_type.startswith("SessionActivity"):
        value = data.get("sessionId")
    elif event_type in _SESSION_ID_IN_ID:
        value = data.get("id")
    else:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
