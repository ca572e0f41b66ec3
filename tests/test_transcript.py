"""Activities -> display items (headless)."""

from __future__ import annotations

from datetime import UTC, date

from mluvii_tui.api.models import parse_session
from mluvii_tui.domain.transcript import (
    CHATBOT,
    FILE,
    FORM,
    GUEST,
    MESSAGE,
    OPERATOR,
    SYSTEM,
    build_transcript,
)
from mluvii_tui.domain.transcript_text import transcript_text, with_days
from test_detail_support import LONG, rich_session


def _items():
    session = parse_session(rich_session())
    assert session is not None
    return build_transcript(session)


def test_every_activity_becomes_an_item_in_time_order() -> None:
    items = _items()
    assert len(items) == len(rich_session()["activities"])
    times = [i.time for i in items]
    assert times == sorted(times)


def test_senders_and_names() -> None:
    items = _items()
    first = items[0]
    assert (first.kind, first.sender, first.sender_name) == (MESSAGE, CHATBOT, "Bob the bot")
    guest = items[1]
    assert (guest.sender, guest.sender_name) == (GUEST, "Client")
    assert guest.text == "My order [ORDER-7] did not arrive"
    jana = next(i for i in items if i.text.startswith("Hi, I am Jana"))
    assert (jana.sender, jana.sender_name, jana.delivery) == (OPERATOR, "Jana Veselá", "Read")


def test_hostile_text_is_cleaned_but_kept_as_text() -> None:
    hostile = _items()[6]
    assert "\x1b" not in hostile.text and "\x00" not in hostile.text
    assert "\u202e" not in hostile.text and "\u200b" not in hostile.text
    assert hostile.text.startswith("[bold]boom[/]")  # markup stays literal text


def test_system_messages() -> None:
    texts = [i.text for i in _items() if i.kind == SYSTEM]
    assert "Jana Veselá joined" in texts
    assert "Client put on hold" in texts
    assert "Audio/video request: Accepted" in texts
    assert "Invited Petr Novák by Jana Veselá" in texts
    assert "Forwarded to group Billing by Jana Veselá — note: VIP, be nice" in texts
    assert "Petr Novák was removed from the session" in texts
    assert texts[-1] == "Session ended — GuestLeft"


def test_files_and_forms() -> None:
    items = _items()
    f = next(i for i in items if i.kind == FILE)
    assert f.file is not None and f.file.name == "../../etc/passwd"
    forms = [i for i in items if i.kind == FORM]
    card, submitted, script, script_done = forms
    assert card.title == "Form: Delivery address"
    assert [(x.label, x.value) for x in card.fields] == [
        ("Street", "Text (required)"),
        ("When", "Select: Morning / Afternoon"),
    ]
    assert submitted.title == "Form submitted: Delivery address"
    assert [(x.label, x.value) for x in submitted.fields] == [
        ("Street", "Dlouhá 5, Praha"),
        ("When", "Afternoon"),
    ]
    assert submitted.sender == GUEST
    assert script.title == "Call script: Closing script"
    assert script_done.sender_name == "Jana Veselá"
    assert [(x.label, x.value) for x in script_done.fields] == [("Solved?", "yes")]


def test_long_message_is_whole_in_the_item() -> None:
    assert any(i.text == LONG for i in _items())


def test_days_and_plain_text() -> None:
    items = _items()
    days = [e for e in with_days(items, UTC) if isinstance(e, date)]
    assert len(days) == 2
    text = transcript_text(items, UTC)
    assert text.count("— 2025-03-1") == 2
    assert "Client: My order [ORDER-7] did not arrive" in text
    assert "\x1b" not in text


def test_broken_activities_do_not_break() -> None:
    data = rich_session()
    data["activities"].append({"activityId": 1, "type": "SomethingNew", "text": "?"})
    data["activities"].append({"type": "HeroCardSubmission", "submissionParams": {"a": [1, 2]}})
    data["activities"].append({"type": "ChatbotMessage", "chatbotMessageContent": {"x": 1}})
    session = parse_session(data)
    items = build_transcript(session)
    assert items[-3].text == "SomethingNew: ?" or any(i.text == "SomethingNew: ?" for i in items)
    assert len(items) == len(data["activities"])
