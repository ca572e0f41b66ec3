"""Seeded SessionModel samples for the store tests (varied, with gaps, odd values and NULLs)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from mluvii_tui.api.models import SessionModel

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
OPERATORS = [
    (11, "Jana", "Nováková"),
    (12, "Petr", "Svoboda"),
    (13, "alice", "Smith"),
    (14, "Bob", None),
    (15, "Žofie", "Černá"),
]
CHANNELS = ["Chat", "AV", "Phone", "Email-ish"]  # last one: a value the enum does not know
SOURCES = ["Default", "WhatsApp", "Facebook", "Campaign", None]
REASONS = ["GuestLeft", "OperatorLeft", "GuestAbandoned", "FailedRouting", None]
WORDS = ["objednávka", "faktura", "dobrý den", "order", "refund", "děkuji", "help"]


def session_dict(i: int, rng: random.Random) -> dict[str, Any]:
    sid = 1000 + i
    tz = timezone(timedelta(hours=rng.choice([0, 1, 2, -5])))
    created = (NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 20))).astimezone(tz)
    live = rng.random() < 0.1
    waited = rng.choice([None, rng.randint(0, 900), rng.randint(0, 20)])
    started = created + timedelta(seconds=waited) if waited is not None else None
    length = rng.randint(5, 5000) if started and not live else None
    ended = (started + timedelta(seconds=length)) if length else None
    if not live and ended is None and rng.random() < 0.5:
        ended = created + timedelta(seconds=rng.randint(1, 100))
    ops = rng.sample(OPERATORS, rng.choice([0, 1, 1, 1, 2])) if started else []
    params: dict[str, Any] = {}
    if rng.random() < 0.7:
        params["name"] = rng.choice(["Karel Dvořák", "anna", "Zed", "émile", "Bára"])
    if rng.random() < 0.5:
        params["oo1_guest_email"] = f"c{i}@example.com"
    if rng.random() < 0.4:
        params["oo1_guest_phone"] = f"+420 777 {i:06d}"
    if rng.random() < 0.3:
        params["order"] = str(rng.randint(1, 50))
    activities: list[dict[str, Any]] = []
    t = created
    for a in range(rng.randint(0, 8)):
        t += timedelta(seconds=rng.randint(1, 60))
        who = rng.choice(["Guest", "User"])
        activities.append(
            {
                "activityId": sid * 100 + a,
                "time": t.isoformat(),
                "type": "ChatMessage",
                "client": who,
                "userId": ops[0][0] if ops and who == "User" else None,
                "text": f"{rng.choice(WORDS)} {rng.choice(WORDS)} #{a}",
            }
        )
    if rng.random() < 0.2:
        activities.append(
            {"activityId": sid * 100 + 50, "type": "SessionForwarded", "toGroupName": "Support"}
        )
    status = rng.choice(["ACTIVE", "IN_QUEUE", "ACW"]) if live else "CLOSED"
    reason = rng.choice(REASONS) if ended else None
    if reason:
        activities.append(
            {
                "activityId": sid * 100 + 99,
                "time": ended.isoformat(),
                "type": "SessionEnded",
                "terminationReason": reason,
            }
        )
    data: dict[str, Any] = {
        "id": sid,
        "companyId": 1,
        "departmentId": 2,
        "guest": {
            "ipAddress": f"10.0.{i % 7}.{i % 250}",
            "browser": rng.choice(["CHROME", "FF", "SAFARI", None]),
            "os": rng.choice(["WINDOWS", "ANDROID", None]),
            "language": rng.choice(["cs", "en", None]),
            "identity": rng.choice([None, f"ident-{i}"]),
            "callParams": params,
        },
        "channel": rng.choice(CHANNELS),
        "source": rng.choice(SOURCES),
        "status": status,
        "url": rng.choice([None, "https://shop.example.com/cart", "https://example.com/"]),
        "widget": rng.choice([None, "main", "support"]),
        "operators": [
            {
                "userId": uid,
                "userName": f"u{uid}",
                "firstName": first,
                "lastName": last,
                "joined": started.isoformat() if started else None,
            }
            for uid, first, last in ops
        ],
        "created": created.isoformat(),
        "guestJoined": created.isoformat() if rng.random() < 0.8 else None,
        "started": started.isoformat() if started else None,
        "ended": ended.isoformat() if ended else None,
        "waited": f"PT{waited}S" if waited is not None else None,
        "length": f"PT{length}S" if length else None,
        "activities": activities,
        "tags": [{"name": n} for n in rng.sample(["vip", "complaint", "sales"], rng.randint(0, 2))],
        "guestFeedbackStars": rng.choice([None, 1, 3, 5]),
        "guestFeedbackText": rng.choice([None, "great", "slow\nreply"]),
        "autoAccepted": rng.choice([None, True, False]),
        "blacklisted": rng.random() < 0.05,
        "recordings": rng.choice([None, [], [{"id": 1, "name": "r.mp4"}]]),
        "guestLeftSession": rng.choice([None, "LeftSession", "LeftQueue"]),
        "campaignId": rng.choice([None, 7, 8]),
    }
    if rng.random() < 0.05:
        data["created"] = None
    return {k: v for k, v in data.items() if v is not None}


def sample_dicts(n: int = 300, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [session_dict(i, rng) for i in range(n)]


def sample_models(n: int = 300, seed: int = 3) -> list[SessionModel]:
    return [SessionModel.model_validate(d) for d in sample_dicts(n, seed)]
