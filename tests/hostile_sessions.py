"""The hostile corpus (tests/data/hostile.json) as sessions: one session per case, the case's text
in every field a customer or operator can fill (messages, names, parameters, URLs, file names,
operator notes, tags, feedback), shaped as SessionModel JSON like the simulator serves it."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from functools import cache
from pathlib import Path

from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore

CORPUS_PATH = Path(__file__).parent / "data" / "hostile.json"
FIRST_ID = 3_900_000
BASE = "http://127.0.0.1:9"

#: What must never reach the terminal or the clipboard raw: ESC, C1 controls, NUL and the other
#: C0 controls except newline and tab, bidi embeddings/overrides/isolates, lone surrogates.
FORBIDDEN = frozenset(
    [chr(c) for c in range(0x00, 0x20) if c not in (0x09, 0x0A)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def forbidden_in(text: str) -> list[str]:
    """The forbidden characters in ``text`` (surrogates included), for a readable failure."""
    found = {c for c in text if c in FORBIDDEN or 0xD800 <= ord(c) <= 0xDFFF}
    return sorted(f"U+{ord(c):04X}" for c in found)


@cache
def corpus() -> tuple[tuple[str, str], ...]:
    """(name, text) of every case; 'repeat' cases are expanded."""
    data = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
    cases = []
    for case in data["cases"]:
        text = case["text"] if "text" in case else case["repeat"] * case["times"]
        cases.append((case["name"], text))
    return tuple(cases)


def _short(text: str, limit: int = 2000) -> str:
    return text[:limit]


def hostile_session(template: dict, sid: int, text: str) -> dict:
    """``template`` (a generated ended chat) with ``text`` in every field a person can fill."""
    s = copy.deepcopy(template)
    s["id"] = sid
    acts = s["activities"]
    end = next(i for i, a in enumerate(acts) if a["type"] == "SessionEnded")
    at = acts[end - 1]["time"]
    first_op = s["operators"][0]["userId"] if s["operators"] else None
    next_id = sid * 1000 + 900
    extra = [
        {"activityId": next_id, "time": at, "type": "ChatMessage", "client": "Guest", "text": text},
        {
            "activityId": next_id + 1,
            "time": at,
            "type": "ChatMessage",
            "client": "User",
            "userId": first_op,
            "text": text,
        },
        {
            "activityId": next_id + 2,
            "time": at,
            "type": "SharedFile",
            "client": "Guest",
            "file": {
                "id": next_id + 2,
                "operatorOwner": None,
                "departmentOwner": None,
                "name": _short(text, 300),
                "downloadUrl": f"{BASE}/api/v1/Sessions/{sid}/files/{next_id + 2}",
                "isUploading": False,
                "isDeleted": False,
            },
        },
    ]
    for a in acts:
        a["activityId"] = sid * 1000 + (a["activityId"] % 1000)
    acts[end:end] = extra
    params = s["guest"]["callParams"] = dict(s["guest"]["callParams"] or {})
    params["name"] = text
    params["hostile"] = text
    params["email"] = _short(text, 200)
    params[_short(text, 60) or "empty-key"] = "value of a hostile parameter name"
    s["url"] = "https://www.example-shop.cz/?q=" + text
    s["widget"] = _short(text, 200)
    s["tags"] = [{"userId": first_op, "name": _short(text, 200)}]
    s["guestFeedbackText"] = text
    if s["operators"]:
        s["operators"][0]["note"] = text
        s["operators"][0]["firstName"] = _short(text, 100)
    return s


def hostile_sessions(now: datetime) -> list[dict]:
    """One session per corpus case, built on generated ended chats (newest first in time)."""
    chats = [
        s
        for s in generate_sessions(120, seed=11, now=now)
        if s["channel"] == "Chat"
        and s.get("ended")
        and any(a["type"] == "SessionEnded" for a in s["activities"])
    ]
    return [
        hostile_session(chats[i % len(chats)], FIRST_ID + i, text)
        for i, (_, text) in enumerate(corpus())
    ]


def hostile_ids() -> list[int]:
    return [FIRST_ID + i for i in range(len(corpus()))]


def store_hostile(store: SessionStore, now: datetime) -> list[str]:
    """Write every hostile session into ``store`` with a pending note holding its text; returns
    the names of the cases the store refused (lone surrogates: SQLite and UTF-8 cannot hold
    them, so such a session is the sync's to skip and count, see docs/security.md)."""
    refused = []
    for (name, text), session in zip(corpus(), hostile_sessions(now), strict=True):
        if store.upsert_sessions([session]).skipped:  # skipped and counted, never raised
            refused.append(name)
            continue
        store.add_pending_note(session["id"], text[:5000] or "-", author="Hostile", now=now)
    return refused
