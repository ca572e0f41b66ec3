"""Shared data for the detail-pane tests: one rich, hostile session (camelCase JSON, as the API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

import mluvii_tui
from mluvii_tui.screens.opens_downloads import OpensDownloads
from mluvii_tui.widgets.detail import SessionDetail

NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC)
HOSTILE = (
    "[bold]boom[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://x\x07link\x1b]8;;\x07"
    " \u202egnp.exe\x00 zero\u200bwidth"
)
LONG = "x" * 100_000


def _t(minutes: float) -> str:
    return (NOW - timedelta(days=1) + timedelta(minutes=minutes)).isoformat()


def rich_session(
    session_id: int = 424242, *, live: bool = False, base_url: str = ""
) -> dict[str, Any]:
    """Every activity kind, two days, two operators, a chatbot, files, forms, hostile text."""
    acts: list[dict[str, Any]] = []

    def add(minutes: float, type_: str, **kw: Any) -> None:
        acts.append({"activityId": 1000 + len(acts), "time": _t(minutes), "type": type_, **kw})

    add(-60 * 13, "WelcomeMessage", client="Chatbot", chatbotId=5, text="Hello, how can I help?")
    add(-60 * 13 + 1, "ChatMessage", client="Guest", text="My order [ORDER-7] did not arrive")
    add(
        -60 * 13 + 2,
        "ChatbotMessage",
        client="Chatbot",
        chatbotId=5,
        text="Let me find an operator.",
    )
    add(-60 * 13 + 3, "Handoff", client="Chatbot", chatbotId=5)
    add(0, "Joined", client="User", userId=11)
    add(
        0.5,
        "ChatMessage",
        client="User",
        userId=11,
        text="Hi, I am Jana. Let me check.",
        status="Read",
    )
    add(1, "ChatMessage", client="Guest", text=HOSTILE)
    add(
        2,
        "SharedFile",
        client="Guest",
        file={
            "id": 77,
            "name": "../../etc/passwd",
            "downloadUrl": f"{base_url}/api/v1/Sessions/{session_id}/files/77",
        },
    )
    add(
        3,
        "HeroCard",
        client="User",
        userId=11,
        text="Delivery address",
        heroCard=[
            {"key": "street", "label": "Street", "required": True, "inputType": "Text"},
            {
                "key": "when",
                "label": "When",
                "inputType": "Select",
                "choiceOptions": [
                    {"value": "am", "label": "Morning"},
                    {"value": "pm", "label": "Afternoon"},
                ],
            },
        ],
    )
    add(
        4,
        "HeroCardSubmission",
        client="Guest",
        submissionOfActivityId=1008,
        submissionResult="Submitted",
        submissionParams={"street": "Dlouhá 5, Praha", "when": "pm"},
    )
    add(5, "OnHold", client="User", userId=11)
    add(6, "ResumeGuest", client="User", userId=11)
    add(7, "AvRequest", client="User", userId=11)
    add(7.5, "AvResponse", client="Guest", response="Accepted")
    add(8, "AvTerminated", client="User", userId=11)
    add(9, "CobrowsingStarted", client="User", userId=11)
    add(
        10,
        "OperatorInvited",
        client="User",
        userId=11,
        toOperatorUserId=12,
        toOperatorFullName="Petr Novák",
    )
    add(11, "Joined", client="User", userId=12)
    add(12, "ChatMessage", client="User", userId=12, text=LONG)
    add(
        13,
        "SessionForwarded",
        client="User",
        userId=11,
        toGroupId=3,
        toGroupName="Billing",
        note="VIP, be nice",
    )
    add(
        14,
        "OperatorKicked",
        client="User",
        userId=11,
        toOperatorUserId=12,
        toOperatorFullName="Petr Novák",
    )
    add(
        15,
        "CallScript",
        client="User",
        userId=11,
        text="Closing script",
        callScript=[{"key": "solved", "label": "Solved?", "inputType": "Radio"}],
    )
    add(
        16,
        "CallScriptSubmission",
        client="User",
        userId=11,
        submissionOfActivityId=1021,
        submissionByOperatorId=11,
        submissionParams={"solved": "yes"},
    )
    add(
        17,
        "ChatMessage",
        client="User",
        userId=11,
        text="Bye!\nHave a nice day.",
        status="Delivered",
    )
    if not live:
        add(18, "SessionEnded", client="Guest", terminationReason="GuestLeft")
    created = _t(-60 * 13 - 1)
    data: dict[str, Any] = {
        "id": session_id,
        "companyId": 1,
        "departmentId": 2,
        "guest": {
            "tempId": 9,
            "ipAddress": "198.51.100.7",
            "os": "ANDROID",
            "browser": "CHROME",
            "language": "cs",
            "callParams": {
                "email": "jan@example.com",
                "phone": "+420 777 123 456",
                "name": "Jan [b]Dvořák[/b]",
            },
        },
        "channel": "AV",
        "source": "WhatsApp",
        "status": "ACTIVE" if live else "CLOSED",
        "url": "https://shop.example.com/orders?id=7",
        "widget": "Main widget",
        "operators": [
            {
                "userId": 11,
                "firstName": "Jana",
                "lastName": "Veselá",
                "joined": _t(0),
                "left": None if live else _t(18),
                "concluded": None if live else _t(20),
            },
            {
                "userId": 12,
                "firstName": "Petr",
                "lastName": "Novák",
                "joined": _t(11),
                "left": _t(14),
            },
        ],
        "created": created,
        "guestJoined": created,
        "started": _t(0),
        "ended": None if live else _t(18),
        "waited": "PT13H1M",
        "length": None if live else "PT18M",
        "blacklisted": False,
        "activities": acts,
        "tags": [{"name": "complaint"}, {"name": "vip"}],
        "chatbots": [
            {
                "chatbotId": 5,
                "name": "Bob the bot",
                "joined": _t(-60 * 13),
                "left": _t(-60 * 13 + 3),
            }
        ],
        "guestFeedbackStars": 4,
        "guestFeedbackScale": "Likert",
        "guestFeedbackText": "Quick help \x1b[31mred\x1b[0m",
        "recordings": [
            {
                "id": 501,
                "name": "operator.webm",
                "started": _t(7),
                "duration": "PT1M",
                "type": "Operator",
                "userId": 11,
                "downloadUrl": f"{base_url}/api/v1/Sessions/{session_id}/recordings/501",
                "size": 4096,
            },
            {
                "id": 502,
                "name": "../guest.webm",
                "started": _t(7),
                "duration": "PT59S",
                "type": "Guest",
                "downloadUrl": f"{base_url}/api/v1/Sessions/{session_id}/recordings/502",
            },
        ],
        "recordingsState": "Processed",
        "guestLeftSession": None if live else "LeftSession",
    }
    return data


CSS = Path(mluvii_tui.__file__).with_name("styles.tcss")


class DetailApp(OpensDownloads, App[None]):
    """A small app with the services the pane expects: store, client, now(), web_app_domain."""

    CSS_PATH = str(CSS)

    def __init__(
        self,
        store: Any,
        client: Any = None,
        session_id: int | None = None,
        pending_notes: Any = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.pending_notes = pending_notes  # the notes outbox (None: one in memory)
        self.client = client
        self.web_app_domain = "https://app.mluvii.com"
        self.theme = "textual-dark"
        self.initial = session_id

    def now(self) -> datetime:
        return NOW

    def compose(self) -> ComposeResult:
        yield SessionDetail(classes="-full")
