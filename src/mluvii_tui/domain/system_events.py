"""The wording of a session's system events in a transcript ("Forwarded to group Sales by
Jana — note: …", "Client put on hold"): one line each, cleaned, never markup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mluvii_tui.api.enums import enum_text
from mluvii_tui.text import clean, one_line

if TYPE_CHECKING:
    from .transcript import NameLookup

_SIMPLE_SYSTEM = {
    "OnHold": "Client put on hold",
    "ResumeGuest": "Client resumed from hold",
    "AvRequest": "Audio/video requested",
    "AvTerminated": "Audio/video call ended",
    "CobrowsingStarted": "Co-browsing started",
    "CobrowsingStoppedByGuest": "Co-browsing stopped by the client",
    "SharedScreen": "Screen sharing started",
    "ScreenSharingFailedByGuest": "Screen sharing failed on the client's side",
    "FileUploadFailed": "File upload failed",
    "PhotoRequest": "Photo requested",
    "LocationRequest": "Location requested",
    "ChatToMail": "Transcript sent by e-mail",
    "NotifyOperator": "Operator notified",
    "UpgradeToFull": "Upgraded to a full session",
    "Handoff": "Handed back to routing",
}


def system_text(a: Any, kind: str, names: NameLookup) -> str:
    who = names.who(a)
    extra = clean(a.text, keep_newlines=False)
    if kind == "Joined":
        return f"{who} joined"
    if kind == "Left":
        return f"{who} left"
    if kind == "SessionEnded":
        reason = enum_text(a.termination_reason)
        return f"Session ended — {reason}" if reason else "Session ended"
    if kind == "SessionForwarded":
        return _forward_text(a, names, "Forwarded")
    if kind == "OperatorInvited":
        return _forward_text(a, names, "Invited")
    if kind == "OperatorInviteCanceled":
        return _forward_text(a, names, "Invitation cancelled for")
    if kind == "OperatorInviteRejected":
        return f"{_target(a, names) or who} rejected the invitation"
    if kind == "OperatorKicked":
        return f"{_target(a, names) or who} was removed from the session"
    if kind == "AvResponse":
        return f"Audio/video request: {enum_text(a.response) or 'answered'}"
    if kind == "AvGetMediaResult":
        result = enum_text(a.result) or "unknown"
        return f"Audio/video media: {result}"
    if kind == "Location":
        return f"Location shared{': ' + extra if extra else ''}"
    if kind == "PreviewUrl":
        return f"Link preview{': ' + extra if extra else ''}"
    text = _SIMPLE_SYSTEM.get(kind) or (one_line(kind, 80) if kind else "Activity")
    if extra and kind not in _SIMPLE_SYSTEM:
        text += f": {extra}"
    return text


def _target(a: Any, names: NameLookup) -> str:
    if a.to_operator_full_name:
        return one_line(a.to_operator_full_name, 120)
    if a.to_operator_user_id is not None:
        return names.user(a.to_operator_user_id)
    if a.to_group_name:
        return f"group {one_line(a.to_group_name, 120)}"
    if a.to_group_id is not None:
        return f"group #{a.to_group_id}"
    if a.to_phone_number:
        return f"phone {one_line(a.to_phone_number, 40)}"
    return ""


def _forward_text(a: Any, names: NameLookup, verb: str) -> str:
    target = _target(a, names) or "?"
    by = f" by {names.user(a.user_id)}" if a.user_id is not None else ""
    note = clean(a.note, keep_newlines=False)
    joiner = " to " if verb == "Forwarded" else " "
    return f"{verb}{joiner}{target}{by}" + (f" — note: {note}" if note else "")
