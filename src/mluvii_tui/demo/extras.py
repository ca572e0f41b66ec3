"""Per-session data the list does not carry, produced deterministically from the session itself:
routing timeline (RoutingTimeLine JSON), notes (SessionNote JSON), call parameters
(CallParamsModel items) and download bytes. Works for generated and recorded sessions alike.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from typing import Any

from .roster import GROUP_NAME, OPERATOR_BY_ID, OPERATORS
from .texts import FILE_NAMES, SESSION_NOTES
from .timefmt import iso, parse_epoch, prague_tz

# callParam name -> (source, readOnly)
PARAM_SOURCES: dict[str, tuple[str, bool]] = {
    "name": ("ENTRY_FORM", False),
    "email": ("ENTRY_FORM", False),
    "phone": ("ENTRY_FORM", False),
    "order_number": ("HERO_CARD", False),
    "customer_tier": ("WIDGET_API", True),
    "utm_source": ("WIDGET_API", True),
    "oo1_guest_phone": ("PHONE", True),
    "oo1_guest_email": ("EXTERNAL_MESSAGING", True),
    "oo1_guest_ident": ("API", True),
}


def _fmt_for(session: dict) -> Any:
    created = parse_epoch(session.get("created")) or 0.0
    tz = prague_tz(created)
    return lambda ts: iso(ts, tz)


def _person(user_id: int | None) -> dict | None:
    op = OPERATOR_BY_ID.get(user_id or -1)
    if op is None:
        return {"userId": user_id, "firstName": None, "lastName": None} if user_id else None
    return {"userId": op.user_id, "firstName": op.first, "lastName": op.last}


def _group_of(user_id: int | None, rng: random.Random) -> int:
    op = OPERATOR_BY_ID.get(user_id or -1)
    return op.group_id if op else 11 + rng.randrange(5)


def routing_for(session: dict) -> list[dict]:
    """RoutingTimeLine[] consistent with the session's times, operators and forwards."""
    sid = int(session.get("id") or 0)
    rng = random.Random(sid * 31 + 5)
    fmt = _fmt_for(session)
    created = parse_epoch(session.get("created"))
    if created is None:
        return []
    operators = [o for o in session.get("operators") or [] if isinstance(o, dict)]
    first_user = operators[0].get("userId") if operators else None
    request = sid * 10 + 1
    out: list[dict] = []

    def add(ts: float, kind: str, **fields: Any) -> None:
        item = {"routingRequestId": request, "timestamp": fmt(ts), "activityType": kind}
        item.update({"group": None, "phoneNumber": None, "operator": None})
        item.update({"forwardedByOperator": None, "invitedByOperator": None})
        item.update(fields)
        out.append(item)

    group_id = _group_of(first_user, rng)
    group = {"id": group_id, "name": GROUP_NAME.get(group_id)}
    add(created, "RoutingRequestCreated")
    add(created + 0.2, "EnteredGroupQueue", group=group)
    started = parse_epoch(session.get("started"))
    ended = parse_epoch(session.get("ended"))
    if started is not None and first_user is not None:
        if rng.random() < 0.15:
            other = OPERATORS[rng.randrange(len(OPERATORS))]
            t_offer = created + (started - created) * 0.4
            add(t_offer, "AssignedToOperator", group=group, operator=_person(other.user_id))
            add(t_offer + 0.1, "OperatorTimeoutExpired", operator=_person(other.user_id))
        add(
            max(created + 0.3, started - 1.5),
            "AssignedToOperator",
            group=group,
            operator=_person(first_user),
        )
        add(started, "AcceptedByOperator", operator=_person(first_user))
        add(started + 0.01, "LeftGroupQueue", group=group)
    elif ended is not None:
        add(ended, "LeftGroupQueue", group=group)
    for act in session.get("activities") or []:
        if not isinstance(act, dict):
            continue
        kind = act.get("type")
        ts = parse_epoch(act.get("time"))
        if ts is None or kind not in ("SessionForwarded", "OperatorInvited"):
            continue
        by = _person(act.get("userId"))
        if kind == "SessionForwarded":
            if act.get("toGroupId"):
                g = {"id": act["toGroupId"], "name": act.get("toGroupName")}
                add(ts, "ForwardedToGroup", group=g, forwardedByOperator=by)
                add(ts + 0.2, "EnteredGroupQueue", group=g)
            elif act.get("toPhoneNumber"):
                add(
                    ts, "ForwardedToPhone", phoneNumber=act["toPhoneNumber"], forwardedByOperator=by
                )
            else:
                target = _person(act.get("toOperatorUserId"))
                add(ts, "ForwardedToUser", operator=target, forwardedByOperator=by)
        else:
            add(
                ts,
                "InvitedUser",
                operator=_person(act.get("toOperatorUserId")),
                invitedByOperator=by,
            )
    for op in operators[1:]:
        joined = parse_epoch(op.get("joined"))
        if joined is not None:
            add(joined, "AcceptedByOperator", operator=_person(op.get("userId")))
    if ended is not None:
        add(ended, "RoutingEnded")
    out.sort(key=lambda item: parse_epoch(item["timestamp"]) or 0.0)
    return out


def notes_for(session: dict) -> list[dict]:
    """SessionNote[] (``{id, note, userId, author, created}``); one session in six has some."""
    sid = int(session.get("id") or 0)
    rng = random.Random(sid * 17 + 3)
    if rng.random() > 0.16:
        return []
    start = parse_epoch(session.get("ended")) or parse_epoch(session.get("created"))
    if start is None:
        return []
    fmt = _fmt_for(session)
    authors = [o.get("userId") for o in session.get("operators") or [] if isinstance(o, dict)]
    authors = [a for a in authors if a] or [OPERATORS[rng.randrange(len(OPERATORS))].user_id]
    notes = []
    t = start
    for k in range(1 + int(rng.random() * 3)):
        user_id = authors[k % len(authors)] if k < 2 else OPERATORS[rng.randrange(25)].user_id
        t += 60 + rng.random() * 7200
        op = OPERATOR_BY_ID.get(user_id)
        notes.append(
            {
                "id": sid * 100 + k + 1,
                "note": SESSION_NOTES[rng.randrange(len(SESSION_NOTES))],
                "userId": user_id,
                "author": op.full_name if op else f"#{user_id}",
                "created": fmt(t),
            }
        )
    return notes


def call_params_for(session: dict, updated: dict[str, str] | None = None) -> list[dict]:
    """CallParamsModel.callParams for the session's ``guest.callParams``.

    ``updated`` maps names changed through PUT to their ISO update time.
    """
    guest = session.get("guest") if isinstance(session.get("guest"), dict) else {}
    params = guest.get("callParams") if isinstance(guest.get("callParams"), dict) else {}
    when = session.get("guestJoined") or session.get("created")
    out = []
    for name, value in params.items():
        source, read_only = PARAM_SOURCES.get(name, ("USER", False))
        out.append(
            {
                "name": name,
                "value": value,
                "readOnly": read_only,
                "source": "API" if updated and name in updated else source,
                "updatedDate": (updated or {}).get(name, when),
            }
        )
    return out


_FILE_BYTES = dict(FILE_NAMES)


def file_size(key: str, name: str) -> int:
    """Byte size of a shared file's download: typical for its name, varied by ``key``."""
    jitter = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") % 2000 - 1000
    return max(1, _FILE_BYTES.get(name, 20_000) + jitter)


def recording_size(name: str, seconds: float | None) -> int:
    """Byte size of a recording's download: 4 kB/s for phone audio (mp3), 12 kB/s for video."""
    rate = 4000 if name.endswith(".mp3") else 12000
    return int(max(1.0, seconds or 1.0) * rate)


#: The first bytes of a shared file by its name's ending, so that a download looks like its type
#: (an image is an image; an SVG or HTML file carries a script, as a hostile upload would).
FILE_HEADS = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff\xe0",
    ".svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">',
    ".html": b"<script>alert(1)</script>",
}


def file_head(name: str) -> bytes:
    return next((h for end, h in FILE_HEADS.items() if name.lower().endswith(end)), b"")


def download_chunks(key: str, size: int, chunk: int = 65536, head: bytes = b"") -> Iterator[bytes]:
    """``size`` deterministic bytes for a file or recording, in chunks, starting with ``head``."""
    seed = hashlib.sha256(key.encode()).digest()
    block = (seed * (chunk // len(seed) + 1))[:chunk]
    left = max(0, size)
    first = True
    while left > 0:
        n = min(left, chunk)
        part = (head + block[len(head) :])[:n] if first else block[:n]
        first = False
        yield part
        left -= n
