"""Activity trails (transcripts) for generated sessions, built from phrase templates."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from . import texts as T
from .roster import CHATBOT_ID, Operator

HERO_FIELDS = [
    {
        "key": "email",
        "label": "E-mail",
        "required": True,
        "inputType": "Email",
        "choiceOptions": [],
    },
    {
        "key": "order_number",
        "label": "Číslo objednávky",
        "required": False,
        "inputType": "Text",
        "choiceOptions": [],
    },
    {
        "key": "reason",
        "label": "Důvod kontaktu",
        "required": True,
        "inputType": "Select",
        "choiceOptions": [
            {"value": "order", "label": "Objednávka"},
            {"value": "invoice", "label": "Faktura"},
            {"value": "complaint", "label": "Reklamace"},
        ],
    },
]
CALL_SCRIPT_FIELDS = [
    {
        "key": "call_reason",
        "label": "Důvod hovoru",
        "required": True,
        "inputType": "Radio",
        "choiceOptions": [
            {"value": "info", "label": "Informace"},
            {"value": "order", "label": "Objednávka"},
            {"value": "complaint", "label": "Reklamace"},
        ],
    },
    {
        "key": "callback",
        "label": "Volat zpět",
        "required": False,
        "inputType": "Confirmation",
        "choiceOptions": [],
    },
    {
        "key": "summary",
        "label": "Shrnutí",
        "required": False,
        "inputType": "TextArea",
        "choiceOptions": [],
    },
]
DELIVERY = ("Read", "Read", "Read", "Delivered", "Delivered", "Sent", "DeliveryFailed")


class Trail:
    """Appends activities with increasing ids and times; ``fmt`` turns epoch seconds to ISO."""

    def __init__(self, sid: int, fmt: Callable[[float], str], rng: random.Random) -> None:
        self.items: list[dict[str, Any]] = []
        self.next_id = sid * 1000
        self.fmt = fmt
        self.rng = rng

    def add(self, t: float, type_: str, client: str, **fields: Any) -> dict[str, Any]:
        self.next_id += 1
        item: dict[str, Any] = {
            "activityId": self.next_id,
            "time": self.fmt(t),
            "type": type_,
            "client": client,
        }
        item.update(fields)
        self.items.append(item)
        return item


class Phrases:
    """Fills templates for one session (language, order number, e-mail, ...)."""

    def __init__(self, rng: random.Random, lang: str, values: dict[str, str]) -> None:
        self.rng = rng
        self.en = lang == "en"
        self.values = values
        topics = T.TOPICS_EN if self.en else T.TOPICS_CS
        self.topic_key = rng.choice(tuple(topics))
        self.topic = topics[self.topic_key]
        self.tag = self.topic[0]

    def fill(self, template: str) -> str:
        if "{" not in template:
            return template
        return template.format_map(self.values)

    def pick(self, options: tuple[str, ...]) -> str:
        return self.fill(options[int(self.rng.random() * len(options))])

    def opener(self) -> str:
        return self.pick(self.topic[1])

    def answer(self) -> str:
        if self.rng.random() < 0.7:
            return self.pick(self.topic[2])
        return self.pick(T.GENERIC_OP_EN if self.en else T.GENERIC_OP_CS)

    def follow_up(self) -> str:
        if self.rng.random() < 0.6:
            return self.pick(self.topic[3])
        return self.pick(T.GENERIC_GUEST_EN if self.en else T.GENERIC_GUEST_CS)

    def greet(self, op: Operator) -> str:
        options = T.GREET_OP_EN if self.en else T.GREET_OP_CS
        return options[int(self.rng.random() * len(options))].replace("{op}", op.first)

    def close_guest(self) -> str:
        return self.pick(T.CLOSE_GUEST_EN if self.en else T.CLOSE_GUEST_CS)

    def close_op(self) -> str:
        return self.pick(T.CLOSE_OP_EN if self.en else T.CLOSE_OP_CS)


def gap(rng: random.Random, scale: float = 40.0) -> float:
    """Seconds between two messages: mostly short, sometimes long."""
    return 4.0 + min(rng.expovariate(1.0 / scale), scale * 10)


def bot_phase(trail: Trail, ph: Phrases, t: float, resolves: bool) -> float:
    """Chatbot greets, asks, then hands off (or resolves). Returns the time it left."""
    rng = trail.rng
    bot = T.BOT_EN if ph.en else T.BOT_CS
    trail.add(t, "ChatbotMessage", "Chatbot", chatbotId=CHATBOT_ID, text=bot[0])
    t += gap(rng, 15)
    trail.add(t, "ChatMessage", "Guest", text=ph.opener())
    t += gap(rng, 5)
    ask = trail.add(t, "ChatbotMessage", "Chatbot", chatbotId=CHATBOT_ID, text=bot[1])
    if rng.random() < 0.5:
        ask["chatbotMessageContent"] = {
            "type": "HeroCardQuickReply",
            "buttons": [
                {"title": "Nevím", "value": "unknown"},
                {"title": "Zadat", "value": "fill"},
            ],
        }
        t += gap(rng, 10)
        trail.add(
            t,
            "ChatbotHeroCardSubmission",
            "Guest",
            chatbotId=CHATBOT_ID,
            chatbotHeroCardSubmissionKey="order_known",
            chatbotHeroCardSubmissionValue=rng.choice(("unknown", "fill")),
        )
    t += gap(rng, 15)
    trail.add(t, "ChatMessage", "Guest", text=ph.fill("{order}"))
    t += gap(rng, 5)
    if resolves:
        done = T.BOT_DONE_EN if ph.en else T.BOT_DONE_CS
        trail.add(t, "ChatbotMessage", "Chatbot", chatbotId=CHATBOT_ID, text=done)
    else:
        trail.add(t, "ChatbotMessage", "Chatbot", chatbotId=CHATBOT_ID, text=bot[2])
        t += 1.0
        trail.add(t, "Handoff", "Chatbot", chatbotId=CHATBOT_ID)
    return t


def conversation(
    trail: Trail,
    ph: Phrases,
    t: float,
    op: Operator,
    *,
    rounds: int,
    opened: bool,
    whatsapp: bool,
    stop_at: float,
    gap_scale: float = 40.0,
) -> float:
    """Guest/operator exchange; stops before ``stop_at``. Returns the time of the last message."""
    rng = trail.rng
    last = t

    def say(client: str, text: str) -> bool:
        nonlocal t, last
        t += gap(rng, gap_scale)
        if t >= stop_at:
            return False
        if client == "User":
            item = trail.add(t, "ChatMessage", "User", userId=op.user_id, text=text)
            if whatsapp:
                item["status"] = DELIVERY[int(rng.random() * len(DELIVERY))]
        else:
            trail.add(t, "ChatMessage", "Guest", text=text)
        last = t
        return True

    if not say("User", ph.greet(op)):
        return last
    if not opened and not say("Guest", ph.opener()):
        return last
    for _ in range(rounds):
        if not say("User", ph.answer()) or not say("Guest", ph.follow_up()):
            return last
    if say("Guest", ph.close_guest()):
        say("User", ph.close_op())
    return last
