"""Bans (blacklist), per channel per tenant (reference §3.12, D-bl), as the simulator keeps them.

A ban names the client by the identity its channel knows: IP address and cookie (``trackedId``)
for web chat and video, the phone number for phone and WhatsApp, the channel's user id
(``guest.channelIdentity``) for Messenger, Apple Messages for Business and VKontakte. Channels
use the names of reference §6 Common.Channel. A ban is active until it expires or is lifted;
lifted and expired bans stay listed (``active: false``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .timefmt import iso, parse_epoch

#: Common.Channel of a session (by source, then channel).
_BY_SOURCE = {"WhatsApp": "WhatsApp", "Facebook": "Facebook", "Apple": "Apple", "VK": "VK"}
IDENTITY_FIELDS = {
    "Mluvii": ("ipAddress", "trackedId"),
    "Phone": ("phoneNumber",),
    "WhatsApp": ("phoneNumber",),
    "Facebook": ("channelUserId",),
    "Apple": ("channelUserId",),
    "VK": ("channelUserId",),
}
CHANNELS = tuple(IDENTITY_FIELDS)


def channel_of(s: dict) -> str | None:
    """The ban channel of a session; None for sources without a bannable identity."""
    source = s.get("source")
    if source in _BY_SOURCE:
        return _BY_SOURCE[source]
    if source == "GenericChannel":
        return None
    return "Phone" if s.get("channel") == "Phone" else "Mluvii"


def identity_of(s: dict) -> dict[str, str]:
    """The client's identity in the session, by the fields of its channel (no empty values)."""
    guest = s.get("guest") if isinstance(s.get("guest"), dict) else {}
    params = guest.get("callParams") if isinstance(guest.get("callParams"), dict) else {}
    found = {
        "ipAddress": guest.get("ipAddress"),
        "trackedId": guest.get("trackedId"),
        "phoneNumber": s.get("phoneCallbackNumber") or params.get("oo1_guest_phone"),
        "channelUserId": guest.get("channelIdentity"),
    }
    channel = channel_of(s)
    fields = IDENTITY_FIELDS.get(channel or "", ())
    return {k: str(found[k]) for k in fields if found[k] not in (None, "")}


@dataclass
class Ban:
    id: int
    channel: str
    identity: dict[str, str]
    reason: str
    created: float
    created_by: int
    expires: float | None = None
    lifted: float | None = None
    lifted_by: int | None = None
    session_id: int | None = None

    def active(self, now: float) -> bool:
        return self.lifted is None and (self.expires is None or self.expires > now)

    def matches(self, channel: str | None, identity: dict[str, str]) -> bool:
        """Same channel and any one identity value in common (IP or cookie for web chat)."""
        if channel != self.channel:
            return False
        return any(identity.get(k) == v for k, v in self.identity.items())

    def json(self, now: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            **{k: self.identity.get(k) for k in IDENTITY_FIELDS[self.channel]},
            "reason": self.reason,
            "created": iso(self.created),
            "createdByUserId": self.created_by,
            "expires": iso(self.expires) if self.expires is not None else None,
            "active": self.active(now),
            "deactivated": iso(self.lifted) if self.lifted is not None else None,
            "deactivatedByUserId": self.lifted_by,
            "sessionId": self.session_id,
        }


class Blacklist:
    def __init__(self) -> None:
        self.bans: dict[int, Ban] = {}
        self._next = 501

    def add(self, ban_fields: dict[str, Any]) -> Ban:
        ban = Ban(id=self._next, **ban_fields)
        self._next += 1
        self.bans[ban.id] = ban
        return ban

    def match(self, s: dict, now: float) -> Ban | None:
        channel, identity = channel_of(s), identity_of(s)
        for ban in self.bans.values():
            if ban.active(now) and ban.matches(channel, identity):
                return ban
        return None

    def listing(self, now: float, active: bool | None) -> list[dict[str, Any]]:
        out = [b for b in self.bans.values() if active is None or b.active(now) == active]
        return [b.json(now) for b in sorted(out, key=lambda b: -b.id)]


def parse_expiry(value: Any, now: float) -> tuple[float | None, str | None]:
    """(epoch or None, problem): ``expires`` must be an ISO time with offset in the future."""
    if value is None:
        return None, None
    ts = parse_epoch(value) if isinstance(value, str) else None
    if ts is None:
        return None, "expires: not an ISO 8601 date and time"
    if ts <= now:
        return None, "expires: the time is in the past"
    return ts, None
