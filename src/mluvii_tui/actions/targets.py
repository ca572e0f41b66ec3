"""Names and descriptions for admin actions: groups and operators by name or id (with close
matches for a typo), operator states in words, and the identity a ban would use."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from mluvii_tui.api.admin_models import Availability, GroupAvailability, OperatorAvailability
from mluvii_tui.api.enums import enum_text
from mluvii_tui.api.models import SessionModel
from mluvii_tui.text import one_line

from .runner import ForwardTarget


class UnknownName(ValueError):
    """An unknown group or operator; the message lists the close matches."""


@dataclass(frozen=True)
class Named:
    id: int
    name: str


def groups_of(availability: Availability) -> list[Named]:
    return [Named(g.id, g.name or f"#{g.id}") for g in availability.groups]


def operators_of(availability: Availability) -> list[Named]:
    return [Named(o.user_id, o.full_name or f"#{o.user_id}") for o in availability.operators]


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Nováková' and 'novakova' are the same name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def resolve(text: str, known: list[Named], kind: str) -> Named:
    """``text`` as an id or a (case-insensitive) name; UnknownName lists close matches."""
    text = text.strip()
    if text.lstrip("#").isdigit():
        wanted = int(text.lstrip("#"))
        found = next((k for k in known if k.id == wanted), None)
        if found is not None:
            return found
        raise UnknownName(f"no {kind} with id {wanted}")
    by_name = {fold(k.name): k for k in known}
    if fold(text) in by_name:
        return by_name[fold(text)]
    starts = [k for k in known if fold(k.name).startswith(fold(text))] if text else []
    if len(starts) == 1:
        return starts[0]
    close = difflib.get_close_matches(fold(text), list(by_name), n=3, cutoff=0.5)
    names = [by_name[c].name for c in close] or [k.name for k in starts[:3]]
    hint = f"; did you mean {', '.join(repr(n) for n in names)}?" if names else ""
    raise UnknownName(f"unknown {kind} {text!r}{hint}")


def group_target(g: Named) -> ForwardTarget:
    return ForwardTarget(group_id=g.id, name=g.name)


def operator_target(o: Named) -> ForwardTarget:
    return ForwardTarget(user_id=o.id, name=o.name)


def group_line(g: GroupAvailability) -> str:
    """'3 online · 1 busy · 0 away · 2 waiting, longest 2:31'."""
    parts = [
        f"{g.operators_online} online",
        f"{g.operators_busy} busy",
        f"{g.operators_away} away",
        f"{g.clients_waiting} waiting",
    ]
    if g.longest_wait is not None and g.clients_waiting:
        secs = int(g.longest_wait.total_seconds())
        parts[-1] += f", longest {secs // 60}:{secs % 60:02d}"
    return " · ".join(parts)


def operator_state(o: OperatorAvailability) -> str:
    """'online', 'away (Lunch)', 'busy in 3 sessions', 'ACW', 'offline'."""
    status = (o.status or "").upper()
    if status == "OFFLINE":
        return "offline"
    if status == "AWAY":
        reason = one_line(o.availability_status_reason or "", 40)
        return f"away ({reason})" if reason else "away"
    if o.acw_sessions and not o.active_sessions:
        return "ACW"
    if status == "BUSY":
        n = o.active_sessions
        return f"busy in {n} session{'s' if n != 1 else ''}"
    if o.active_sessions:
        return f"online, in {o.active_sessions} session{'s' if o.active_sessions != 1 else ''}"
    return "online"


_BY_SOURCE = {"WhatsApp": "WhatsApp", "Facebook": "Facebook", "Apple": "Apple", "VK": "VK"}
CONTACT_SOURCES = ("WhatsApp", "Facebook", "Apple", "VK")
CHANNEL_NAMES = {
    "WhatsApp": "WhatsApp",
    "Facebook": "Messenger",
    "Apple": "Apple Messages for Business",
    "VK": "VKontakte",
    "Mluvii": "web chat",
    "Phone": "phone",
}


def ban_channel(s: SessionModel) -> str | None:
    """The ban channel of a session (Common.Channel), None when it has no bannable identity."""
    source = enum_text(s.source)
    if source in _BY_SOURCE:
        return _BY_SOURCE[source]
    if source == "GenericChannel":
        return None
    return "Phone" if enum_text(s.channel) == "Phone" else "Mluvii"


def ban_identity(s: SessionModel) -> dict[str, str]:
    """The identity a ban of this session's client uses (API field names), as far as known."""
    channel = ban_channel(s)
    guest = s.guest
    found: dict[str, str | None] = {}
    if channel == "Mluvii":
        found = {
            "ipAddress": guest.ip_address if guest else None,
            "trackedId": guest.tracked_id if guest else None,
        }
    elif channel in ("Phone", "WhatsApp"):
        params = (guest.call_params if guest else None) or {}
        found = {"phoneNumber": s.phone_callback_number or params.get("oo1_guest_phone")}
    elif channel is not None:
        ident = guest.channel_identity if guest else None
        found = {"channelUserId": None if ident is None else str(ident)}
    return {k: one_line(v, 120) for k, v in found.items() if v}


IDENTITY_LABELS = {
    "ipAddress": "IP",
    "trackedId": "cookie",
    "phoneNumber": "phone",
    "channelUserId": "user id",
}


def identity_text(identity: dict[str, str]) -> str:
    return ", ".join(f"{IDENTITY_LABELS.get(k, k)} {v}" for k, v in identity.items()) or "?"


_SPAN = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """'' → None (no expiry); '7d', '12h', '30m', '2w'; or an ISO date/time (local when naive).
    ValueError with one line for anything else or a time in the past."""
    text = text.strip().lower()
    if not text:
        return None
    span = _SPAN.match(text)
    if span:
        when = now + timedelta(seconds=int(span[1]) * _UNITS[span[2]])
    else:
        try:
            when = datetime.fromisoformat(text.upper() if "t" in text else text)
        except ValueError:
            hint = "use 7d, 12h, 30m, 2w or a date like 2026-12-31"
            raise ValueError(f"expiry {text!r}: {hint}") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo) if now.tzinfo else when.astimezone()
    if when <= now:
        raise ValueError(f"expiry {text!r} is in the past")
    return when
