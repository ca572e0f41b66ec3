"""SessionModel -> store rows (denormalised sessions columns + child tables), and SessionRow.

Extraction never raises on odd data: a value that cannot be read becomes NULL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import xxhash

from mluvii_tui.query.layout import ID_SEP, LIST_SEP
from mluvii_tui.text import fold_value

from ..api.enums import LIVE_STATUSES, MESSAGE_ACTIVITY_TYPES, enum_text
from .schema import SESSION_FIELDS

if TYPE_CHECKING:
    from ..api.models import SessionModel

#: callParams keys (lower case) that carry the client's name / e-mail / phone, best first.
NAME_KEYS = (
    "name",
    "oo1_guest_name",
    "guest_name",
    "client_name",
    "customer_name",
    "fullname",
    "full_name",
    "jmeno",
    "displayname",
    "display_name",
)
FIRST_NAME_KEYS = ("first_name", "firstname", "oo1_guest_first_name", "given_name")
LAST_NAME_KEYS = ("last_name", "lastname", "surname", "oo1_guest_last_name", "family_name")
EMAIL_KEYS = ("email", "e-mail", "mail", "oo1_guest_email", "guest_email", "client_email")
PHONE_KEYS = (
    "phone",
    "oo1_guest_phone",
    "guest_phone",
    "client_phone",
    "telephone",
    "tel",
    "mobile",
    "phone_number",
    "phonenumber",
    "telefon",
)


def epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    try:
        return value.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def seconds(value: timedelta | None) -> float | None:
    if value is None:
        return None
    try:
        return value.total_seconds()
    except (OverflowError, ValueError):
        return None


def whole(value: float | None) -> int | None:
    """A time or duration column's value: whole seconds (floor), 4 bytes on disk instead of 8;
    the kept JSON has the exact value."""
    return None if value is None else math.floor(value)


def _text(value: object) -> str | None:
    if value is None:
        return None
    s = enum_text(value)
    return s or None


def _bool(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def _pick(params: Mapping[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = params.get(key)
        if value and value.strip():
            return value.strip()
    return None


def client_fields(model: SessionModel) -> tuple[str | None, str | None, str | None]:
    """(name, email, phone) of the client, from callParams (case-insensitive keys)."""
    lowered = {str(k).lower(): v for k, v in model.guest.call_params.items() if isinstance(v, str)}
    name = _pick(lowered, NAME_KEYS)
    if name is None:
        parts = [p for p in (_pick(lowered, FIRST_NAME_KEYS), _pick(lowered, LAST_NAME_KEYS)) if p]
        name = " ".join(parts) or None
    phone = _pick(lowered, PHONE_KEYS) or (model.phone_callback_number or None)
    return name, _pick(lowered, EMAIL_KEYS), phone


def session_values(model: SessionModel) -> tuple[Any, ...]:
    """The SESSION_FIELDS values of one session, in table order."""
    g = model.guest
    ops = model.operators
    name, email, phone = client_fields(model)
    groups: list[str] = []
    messages = 0
    for act in model.activities:
        kind = enum_text(act.type)
        if kind in MESSAGE_ACTIVITY_TYPES:
            messages += 1
        elif kind == "SessionForwarded" and act.to_group_name and act.to_group_name not in groups:
            groups.append(act.to_group_name)
    status = _text(model.status)
    client_id = g.identity or (str(g.channel_identity) if g.channel_identity is not None else None)
    recordings = [r for r in (model.recordings or []) if not r.is_deleted]
    values = {
        "id": model.id,
        "created": whole(epoch(model.created)),
        "guest_joined": whole(epoch(model.guest_joined)),
        "started": whole(epoch(model.started)),
        "ended": whole(epoch(model.ended)),
        "waited_s": whole(seconds(model.waited)),
        "length_s": whole(seconds(model.length)),
        "channel": _text(model.channel),
        "source": _text(model.source),
        "status": status,
        "operators": LIST_SEP.join(o.full_name for o in ops if o.full_name) or None,
        "operator_ids": ID_SEP.join(str(o.user_id) for o in ops if o.user_id is not None) or None,
        "groups": LIST_SEP.join(groups) or None,
        "chatbot": LIST_SEP.join(c.name for c in model.chatbots if c.name) or None,
        "client_name": name,
        "client_email": email,
        "client_phone": phone,
        "client_id": client_id or None,
        "ip": g.ip_address or None,
        "browser": _text(g.browser),
        "os": _text(g.os),
        "language": g.language or None,
        "url": model.url or None,
        "widget": model.widget or None,
        "tags": LIST_SEP.join(t.name for t in model.tags if t.name) or None,
        "rating": model.guest_feedback_stars,
        "feedback_text": model.guest_feedback_text or None,
        "feedback_scale": _text(model.guest_feedback_scale),
        "end_reason": model.termination_reason or None,
        "guest_left": _text(model.guest_left_session),
        "auto_accepted": _bool(model.auto_accepted),
        "blacklisted": _bool(model.blacklisted),
        "recordings_count": len(recordings) if model.recordings is not None else None,
        "messages_count": messages,
        "campaign_id": model.campaign_id,
        "is_live": int(status in LIVE_STATUSES and model.ended is None),
    }
    return tuple(values[f] for f in SESSION_FIELDS)


def raw_json(model: SessionModel) -> bytes:
    return json.dumps(model.to_api(), ensure_ascii=False, separators=(",", ":")).encode()


_SIGN = 1 << 63


def content_hash(raw: bytes) -> int:
    """A signed 64-bit content hash (fits an SQLite INTEGER): XXH3, ~0.15 us for a session's
    3.5 KB of JSON where blake2b took ~5 (the sync hashes every page and every session once;
    schema v7 hashed the stores of earlier versions again)."""
    return (xxhash.xxh3_64_intdigest(raw) ^ _SIGN) - _SIGN


@dataclass
class SessionRecord:
    """Everything the store writes for one session (activities stay in ``raw`` only)."""

    id: int
    values: tuple[Any, ...]
    raw: bytes
    hash: int
    language: str | None
    params: list[tuple[Any, ...]] = field(default_factory=list)
    operators: list[tuple[Any, ...]] = field(default_factory=list)
    tags: list[tuple[Any, ...]] = field(default_factory=list)  # not stored since v5
    texts: list[tuple[int, str]] = field(default_factory=list)  # (activity rowid seq, message)
    #: the search index's lemma and stem columns of ``texts`` when analysed already (the sync's
    #: parsing process does it while it would wait for the writing one), else None
    terms: tuple[str, str] | None = None


def build_record(model: SessionModel) -> SessionRecord:
    raw = raw_json(model)
    sid = model.id
    rec = SessionRecord(
        id=sid,
        values=session_values(model),
        raw=raw,
        hash=content_hash(raw),
        language=model.guest.language,
    )
    for seq, act in enumerate(model.activities):
        if act.text and enum_text(act.type) in MESSAGE_ACTIVITY_TYPES:
            rec.texts.append((seq, act.text))
    seen: set[str] = set()
    for key, value in model.guest.call_params.items():
        k = str(key)
        if k not in seen:
            seen.add(k)
            rec.params.append((sid, k, value, fold_value(value)))
    for seq, op in enumerate(model.operators):
        rec.operators.append(
            (
                sid,
                seq,
                op.user_id,
                op.full_name or None,
            )
        )
    rec.tags = [(sid, n) for n in dict.fromkeys(t.name for t in model.tags if t.name)]
    return rec


class SessionRow(Mapping[str, Any]):
    """One sessions-table row: values by field name (``row["channel"]``, ``row.channel``), plus
    ``params`` (callParams of the session, when the window asked for them). Read-only."""

    __slots__ = ("_index", "_values", "params")

    def __init__(
        self,
        values: tuple[Any, ...],
        index: Mapping[str, int],
        params: dict[str, str] | None = None,
    ) -> None:
        self._values = values
        self._index = index
        self.params: dict[str, str] = params if params is not None else {}

    def __getitem__(self, key: str) -> Any:
        return self._values[self._index[key]]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[self._index[key]]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"SessionRow(id={self.id!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SessionRow):
            return self._values == other._values and self.params == other.params
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


#: name -> index of SESSION_FIELDS, shared by every row.
ROW_INDEX: dict[str, int] = {name: i for i, name in enumerate(SESSION_FIELDS)}
