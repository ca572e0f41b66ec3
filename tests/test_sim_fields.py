"""Defect 11 (issue 10): the simulator speaks exactly mluvii's public SessionModel (reference §3).

Every key of every generated session (history, live, hostile, and sessions the live tenant
creates) must be a field the reference lists; free-form maps (callParams, submissionParams,
chatbotMessageContent) are values, not fields.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mluvii_tui.demo.generator import generate_sessions

NOW = datetime(2025, 3, 20, 14, 0, tzinfo=UTC)

# Reference §3.2 SessionModel (incl. the obsolete names it lists), §3.3 Activity, §3.4 Recording.
SESSION = {
    "id", "companyId", "departmentId", "guest", "channel", "source", "status", "avSupport",
    "directCallNumber", "phoneCallbackNumber", "isDirectChat", "url", "widget", "operators",
    "reviewers", "created", "enteredQueue", "guestJoined", "started", "ended", "waited", "length",
    "blacklisted", "phoneCallbackDialed", "activities", "tags", "chatbots", "guestFeedbackStars",
    "guestFeedbackScale", "guestFeedbackText", "guestFeedbackCustomFields", "autoAccepted",
    "recordings", "recordingsState", "guestLeftSession", "outboundDialResult", "campaignId",
}  # fmt: skip
GUEST = {
    "tempId", "ipAddress", "trackedId", "identity", "channelIdentity", "os", "browser",
    "language", "callParams", "gdprVersion",
}  # fmt: skip
OPERATOR = {
    "userId", "userName", "firstName", "lastName", "joined", "left", "concluded", "note",
    "feedbackResult", "feedbackText",
}  # fmt: skip
REVIEWER = {"userId", "userName", "firstName", "lastName", "note"}
TAG = {"userId", "name"}
CHATBOT = {"chatbotId", "name", "joined", "left"}
ACTIVITY = {
    "activityId", "time", "type", "client", "userId", "chatbotId", "file", "text",
    "chatbotMessageContent", "response", "result", "streamAvailable", "toOperatorUserId",
    "toOperatorFullName", "toGroupId", "toGroupName", "toPhoneNumber", "note", "originalFormId",
    "heroCard", "callScript", "replyToActivityId", "submissionOfActivityId",
    "submissionByOperatorId", "submissionResult", "submissionParams", "submissionIdentification",
    "terminationReason", "chatbotHeroCardSubmissionKey", "chatbotHeroCardSubmissionValue",
    "status",
}  # fmt: skip
FILE = {"id", "operatorOwner", "departmentOwner", "name", "downloadUrl", "isUploading", "isDeleted"}
FORM_FIELD = {"key", "label", "required", "inputType", "choiceOptions"}
CHOICE = {"value", "label"}
RECORDING = {
    "id", "name", "started", "duration", "type", "userId", "serviceId", "downloadUrl",
    "isUploading", "isDeleted",
}  # fmt: skip


def unknown_keys(s: dict) -> list[str]:
    """``path.key`` of every key of ``s`` that the reference's SessionModel does not have."""
    bad: list[str] = []

    def check(where: str, obj: object, allowed: set[str]) -> None:
        if not isinstance(obj, dict):
            return
        bad.extend(f"{where}.{k}" for k in obj if k not in allowed)

    check("session", s, SESSION)
    check("guest", s.get("guest"), GUEST)
    for name, allowed in (
        ("operators", OPERATOR),
        ("reviewers", REVIEWER),
        ("tags", TAG),
        ("chatbots", CHATBOT),
        ("recordings", RECORDING),
    ):
        for item in s.get(name) or []:
            check(name, item, allowed)
    for a in s.get("activities") or []:
        check("activities", a, ACTIVITY)
        check("activities.file", a.get("file"), FILE)
        for form in ("heroCard", "callScript"):
            for field in a.get(form) or []:
                check(f"activities.{form}", field, FORM_FIELD)
                for option in field.get("choiceOptions") or []:
                    check(f"activities.{form}.choiceOptions", option, CHOICE)
    return bad


def test_every_generated_session_has_only_reference_fields():
    data = generate_sessions(3000, seed=7, now=NOW)
    statuses = {s["status"] for s in data}
    assert {"IN_QUEUE", "ACTIVE", "ACW", "CLOSED"} <= statuses  # live and history both walked
    assert any(a.get("file") for s in data for a in s["activities"])
    assert any(s.get("recordings") for s in data)
    problems = sorted({k for s in data for k in unknown_keys(s)})
    assert problems == []


def test_the_walker_catches_an_extra_field():
    s = generate_sessions(50, seed=3, now=NOW)[-1]
    s["activities"].append({"activityId": 1, "file": {"id": 1, "size": 3}})
    s["recordings"] = [{"id": 1, "size": 9}]
    assert unknown_keys(s) == ["recordings.size", "activities.file.size"]
