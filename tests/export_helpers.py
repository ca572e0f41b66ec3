"""Sessions for the export tests and the export benchmark (SessionModel JSON dicts)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mluvii_tui.api.models import SessionModel, parse_session

BASE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
_WORDS_TEXT = (
    "dobrý den objednávka faktura reklamace zásilka platba kartou děkuji prosím číslo hello "
    "order invoice refund delivery account password thanks please number"
)
WORDS = tuple(_WORDS_TEXT.split(" "))


def session_dict(
    sid: int,
    *,
    messages: list[tuple[str, str]] | None = None,
    params: dict[str, str] | None = None,
    channel: str = "Chat",
    rng: random.Random | None = None,
    n_messages: int = 6,
) -> dict[str, Any]:
    """One ended session; ``messages`` are (client, text) with client Guest/User/Chatbot."""
    rng = rng or random.Random(sid)
    created = BASE + timedelta(minutes=sid)
    started = created + timedelta(seconds=20 + sid % 40)
    if messages is None:
        messages = [
            ("Guest" if k % 2 == 0 else "User", " ".join(rng.choices(WORDS, k=8)))
            for k in range(n_messages)
        ]
    acts: list[dict[str, Any]] = [
        {
            "activityId": sid * 100,
            "time": started.isoformat(),
            "type": "Joined",
            "client": "User",
            "userId": 7,
        }
    ]
    t = started
    for k, (client, text) in enumerate(messages, start=1):
        t = t + timedelta(seconds=15)
        act: dict[str, Any] = {
            "activityId": sid * 100 + k,
            "time": t.isoformat(),
            "type": "ChatMessage",
            "client": client,
            "text": text,
        }
        if client == "User":
            act["userId"] = 7
        acts.append(act)
    acts.append(
        {
            "activityId": sid * 100 + 99,
            "time": (t + timedelta(seconds=5)).isoformat(),
            "type": "SharedFile",
            "client": "Guest",
            "file": {
                "id": sid,
                "name": f"faktura-{sid}.pdf",
                "downloadUrl": f"https://files.example.test/{sid}.pdf",
            },
        }
    )
    ended = t + timedelta(seconds=30)
    acts.append(
        {
            "activityId": sid * 100 + 98,
            "time": ended.isoformat(),
            "type": "SessionEnded",
            "terminationReason": "OperatorEnded",
        }
    )
    return {
        "id": sid,
        "channel": channel,
        "source": "Web",
        "status": "CLOSED",
        "created": created.isoformat(),
        "guestJoined": created.isoformat(),
        "started": started.isoformat(),
        "ended": ended.isoformat(),
        "waited": f"PT{20 + sid % 40}S",
        "length": f"PT{int((ended - started).total_seconds())}S",
        "operators": [
            {
                "userId": 7,
                "firstName": "Jana",
                "lastName": "Nováková",
                "joined": started.isoformat(),
            }
        ],
        "guest": {
            "callParams": params
            if params is not None
            else {"name": f"Zákazník {sid}", "email": f"c{sid}@example.test"}
        },
        "activities": acts,
    }


def session_model(sid: int, **kw: Any) -> SessionModel:
    model = parse_session(session_dict(sid, **kw))
    assert model is not None
    return model
