"""Session list filters of ``GET /api/v1/Sessions`` (reference/mluvii-api.md §3.1).

``SessionFilter`` holds every filter of the API's ``SessionGetParams``. ``to_params()`` writes the
ASP.NET query-string form the server binds (``Created.Min=...``, lists as repeated keys);
``SessionFilter.from_params()`` reads it back (case-insensitive keys, as ASP.NET binds them), which
the simulator uses. Bad values raise ``FilterError`` with a one-line message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any


class FilterError(ValueError):
    """A filter value that cannot be read; ``str(exc)`` is one line naming the parameter."""


@dataclass(frozen=True)
class TextFilter:
    """``{Text, Exact, Null}``: substring (exact when ``exact``) match; ``null``: must be empty."""

    text: str | None = None
    exact: bool | None = None
    null: bool | None = None

    def is_empty(self) -> bool:
        return self.text is None and self.exact is None and self.null is None


@dataclass(frozen=True)
class DateTimeFilter:
    """``{Min, Max, Null}``: inclusive range; ``null=True`` = no value, ``False`` = has a value."""

    min: datetime | None = None
    max: datetime | None = None
    null: bool | None = None

    def is_empty(self) -> bool:
        return self.min is None and self.max is None and self.null is None


@dataclass(frozen=True)
class TimeSpanFilter:
    """``{Min, Max, Null}`` over a duration (queue wait, session length)."""

    min: timedelta | None = None
    max: timedelta | None = None
    null: bool | None = None

    def is_empty(self) -> bool:
        return self.min is None and self.max is None and self.null is None


# attribute -> (wire name, kind). kinds: ids (int list), strs (str list), text, datetime,
# timespan, bool, str.
FILTER_FIELDS: dict[str, tuple[str, str]] = {
    "session_id": ("SessionId", "ids"),
    "department_id": ("DepartmentId", "ids"),
    "channel_identity_id": ("ChannelIdentityId", "ids"),
    "status": ("Status", "strs"),
    "channel": ("Channel", "strs"),
    "source": ("Source", "strs"),
    "landing_page": ("LandingPage", "text"),
    "ip_address": ("IPAddress", "text"),
    "phone_callback_number": ("PhoneCallbackNumber", "text"),
    "initial_message": ("InitialMessage", "text"),
    "language": ("Language", "text"),
    "gdpr_version": ("GDPRVersion", "text"),
    "operator_user_id": ("OperatorUserId", "ids"),
    "chatbot_id": ("ChatbotId", "ids"),
    "client_stars": ("ClientStars", "ids"),
    "widget": ("Widget", "strs"),
    "result": ("Result", "strs"),
    "tags": ("Tags", "strs"),
    "guest_identifications": ("GuestIdentifications", "strs"),
    "created": ("Created", "datetime"),
    "guest_joined": ("GuestJoined", "datetime"),
    "accepted": ("Accepted", "datetime"),
    "ended": ("Ended", "datetime"),
    "anonymized": ("Anonymized", "datetime"),
    "waiting_time": ("WaitingTime", "timespan"),
    "duration": ("Duration", "timespan"),
    "client_feedback_scale": ("ClientFeedbackScale", "strs"),
    "client_id": ("ClientId", "ids"),
    "browser": ("Browser", "strs"),
    "os": ("OS", "strs"),
    "guest_left_session": ("GuestLeftSession", "strs"),
    "auto_accepted": ("AutoAccepted", "bool"),
    "has_concurrent_operators": ("HasConcurrentOperators", "bool"),
    "activity_texts_contain": ("ActivityTextsContain", "str"),
    "termination_reason": ("TerminationReason", "strs"),
}

_BY_WIRE: dict[str, tuple[str, str]] = {
    wire.lower(): (attr, kind) for attr, (wire, kind) in FILTER_FIELDS.items()
}
_SUB_KEYS = {"text", "exact", "null", "min", "max"}
_SUB_TYPES: dict[str, Any] = {
    "text": TextFilter,
    "datetime": DateTimeFilter,
    "timespan": TimeSpanFilter,
}


@dataclass(frozen=True)
class SessionFilter:
    """Every filter of ``GET /api/v1/Sessions``. Empty/None fields are not sent.

    List fields accept any iterable (stored as tuples); enum lists take members or raw strings.
    Naive datetimes are taken as local time and sent with their offset.
    """

    session_id: tuple[int, ...] = ()
    department_id: tuple[int, ...] = ()
    channel_identity_id: tuple[int, ...] = ()
    status: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    landing_page: TextFilter = field(default_factory=TextFilter)
    ip_address: TextFilter = field(default_factory=TextFilter)
    phone_callback_number: TextFilter = field(default_factory=TextFilter)
    initial_message: TextFilter = field(default_factory=TextFilter)
    language: TextFilter = field(default_factory=TextFilter)
    gdpr_version: TextFilter = field(default_factory=TextFilter)
    operator_user_id: tuple[int, ...] = ()
    chatbot_id: tuple[int, ...] = ()
    client_stars: tuple[int, ...] = ()
    widget: tuple[str, ...] = ()
    result: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    guest_identifications: tuple[str, ...] = ()
    created: DateTimeFilter = field(default_factory=DateTimeFilter)
    guest_joined: DateTimeFilter = field(default_factory=DateTimeFilter)
    accepted: DateTimeFilter = field(default_factory=DateTimeFilter)
    ended: DateTimeFilter = field(default_factory=DateTimeFilter)
    anonymized: DateTimeFilter = field(default_factory=DateTimeFilter)
    waiting_time: TimeSpanFilter = field(default_factory=TimeSpanFilter)
    duration: TimeSpanFilter = field(default_factory=TimeSpanFilter)
    client_feedback_scale: tuple[str, ...] = ()
    client_id: tuple[int, ...] = ()
    browser: tuple[str, ...] = ()
    os: tuple[str, ...] = ()
    guest_left_session: tuple[str, ...] = ()
    auto_accepted: bool | None = None
    has_concurrent_operators: bool | None = None
    activity_texts_contain: str | None = None
    termination_reason: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for attr, (wire, kind) in FILTER_FIELDS.items():
            value = getattr(self, attr)
            if kind == "ids":
                object.__setattr__(self, attr, _as_tuple(value, int, wire))
            elif kind == "strs":
                object.__setattr__(self, attr, _as_tuple(value, _enum_str, wire))

    # -- writing -------------------------------------------------------------------------------

    def to_params(self) -> list[tuple[str, str]]:
        """Query parameters in a stable order: ``[("Channel", "Chat"), ("Created.Min", ...)]``."""
        out: list[tuple[str, str]] = []
        for attr, (wire, kind) in FILTER_FIELDS.items():
            value = getattr(self, attr)
            if kind in ("ids", "strs"):
                out.extend((wire, str(v)) for v in value)
            elif kind == "text":
                if value.text is not None:
                    out.append((f"{wire}.Text", value.text))
                if value.exact is not None:
                    out.append((f"{wire}.Exact", _bool_text(value.exact)))
                if value.null is not None:
                    out.append((f"{wire}.Null", _bool_text(value.null)))
            elif kind == "datetime":
                if value.min is not None:
                    out.append((f"{wire}.Min", format_datetime(value.min)))
                if value.max is not None:
                    out.append((f"{wire}.Max", format_datetime(value.max)))
                if value.null is not None:
                    out.append((f"{wire}.Null", _bool_text(value.null)))
            elif kind == "timespan":
                if value.min is not None:
                    out.append((f"{wire}.Min", format_timespan(value.min)))
                if value.max is not None:
                    out.append((f"{wire}.Max", format_timespan(value.max)))
                if value.null is not None:
                    out.append((f"{wire}.Null", _bool_text(value.null)))
            elif kind == "bool":
                if value is not None:
                    out.append((wire, _bool_text(value)))
            elif kind == "str" and value:
                out.append((wire, value))
        return out

    def is_empty(self) -> bool:
        return not self.to_params()

    def replace(self, **changes: Any) -> SessionFilter:
        """A copy with some fields changed (``dataclasses.replace`` with normalisation)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return SessionFilter(**values)

    # -- reading -------------------------------------------------------------------------------

    @classmethod
    def from_params(
        cls, params: Iterable[tuple[str, str]] | Mapping[str, str], *, strict: bool = False
    ) -> SessionFilter:
        """Parse query parameters (ASP.NET style, keys case-insensitive).

        Unknown keys (``limit``, ``offset``, anything else) are ignored unless ``strict``.
        Raises ``FilterError`` for a value that cannot be read.
        """
        pairs = params.items() if isinstance(params, Mapping) else params
        values: dict[str, Any] = {}
        subs: dict[str, dict[str, Any]] = {}
        for raw_key, raw_value in pairs:
            key = str(raw_key).strip()
            value = str(raw_value)
            name, _, sub = key.partition(".")
            entry = _BY_WIRE.get(name.lower())
            if entry is None:
                if strict and key.lower() not in ("limit", "offset"):
                    raise FilterError(f"unknown filter parameter {key!r}")
                continue
            attr, kind = entry
            sub = sub.lower()
            wire = FILTER_FIELDS[attr][0]
            if kind in ("ids", "strs", "bool", "str"):
                if sub:
                    raise FilterError(f"{key}: {wire} takes no sub-field")
                if kind == "ids":
                    values.setdefault(attr, []).append(_parse_int(value, key))
                elif kind == "strs":
                    values.setdefault(attr, []).append(value)
                elif kind == "bool":
                    values[attr] = parse_bool(value, key)
                else:
                    values[attr] = value
                continue
            if sub not in _SUB_KEYS:
                raise FilterError(f"{key}: expected {wire}.Min, .Max, .Null, .Text or .Exact")
            target = subs.setdefault(attr, {})
            if sub == "null":
                target["null"] = parse_bool(value, key)
            elif kind == "text" and sub == "text":
                target["text"] = value
            elif kind == "text" and sub == "exact":
                target["exact"] = parse_bool(value, key)
            elif kind == "datetime" and sub in ("min", "max"):
                target[sub] = parse_datetime(value, key)
            elif kind == "timespan" and sub in ("min", "max"):
                target[sub] = parse_timespan(value, key)
            else:
                raise FilterError(f"{key}: {wire} has no {sub!r} sub-field")
        for attr, sub_values in subs.items():
            kind = FILTER_FIELDS[attr][1]
            ctor = {"text": TextFilter, "datetime": DateTimeFilter, "timespan": TimeSpanFilter}[
                kind
            ]
            values[attr] = ctor(**sub_values)
        return cls(**values)

    @classmethod
    def parse(cls, query: str, *, strict: bool = False) -> SessionFilter:
        """Parse a raw query string (``"Channel=Chat&Created.Min=..."``)."""
        from urllib.parse import parse_qsl

        return cls.from_params(parse_qsl(query.lstrip("?"), keep_blank_values=True), strict=strict)


# -- value formats -----------------------------------------------------------------------------


def format_datetime(value: datetime) -> str:
    """ISO 8601 with an offset; a naive value is taken as local time."""
    if value.tzinfo is None:
        value = value.astimezone()
    return value.isoformat()


def parse_datetime(value: str, key: str = "value") -> datetime:
    """ISO 8601 date or date-time (``Z`` allowed). A value without offset is taken as UTC."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise FilterError(f"{key}: {value!r} is not an ISO 8601 date/time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def format_timespan(value: timedelta) -> str:
    """.NET TimeSpan text: ``hh:mm:ss``, ``d.hh:mm:ss`` from a day up, ``.fffffff`` fraction."""
    micro = round(value.total_seconds() * 1_000_000)
    sign = "-" if micro < 0 else ""
    micro = abs(micro)
    seconds, micro = divmod(micro, 1_000_000)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    text = f"{hours:02d}:{mins:02d}:{secs:02d}"
    if days:
        text = f"{days}.{text}"
    if micro:
        text += f".{micro * 10:07d}"
    return sign + text


_TIMESPAN = re.compile(
    r"^(?P<sign>-)?(?:(?P<d>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,7}))?)?$"
)
_ISO_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


def parse_timespan(value: str, key: str = "value") -> timedelta:
    """``[-][d.]hh:mm[:ss[.fffffff]]`` (.NET) or an ISO 8601 duration (``PT1H30M``)."""
    text = value.strip()
    match = _TIMESPAN.match(text)
    if match:
        frac = match["f"] or ""
        result = timedelta(
            days=int(match["d"] or 0),
            hours=int(match["h"]),
            minutes=int(match["m"]),
            seconds=int(match["s"] or 0),
            microseconds=int((frac + "000000")[:6]) if frac else 0,
        )
        return -result if match["sign"] else result
    match = _ISO_DURATION.match(text)
    if match and text.upper() not in ("P", "PT", "-P", "-PT"):
        result = timedelta(
            days=float(match["d"] or 0),
            hours=float(match["h"] or 0),
            minutes=float(match["m"] or 0),
            seconds=float(match["s"] or 0),
        )
        return -result if match["sign"] else result
    raise FilterError(f"{key}: {value!r} is not a duration (expected hh:mm:ss)")


def parse_bool(value: str, key: str = "value") -> bool:
    text = value.strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise FilterError(f"{key}: {value!r} is not true/false")


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


def _parse_int(value: str, key: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise FilterError(f"{key}: {value!r} is not a whole number") from None


def _enum_str(value: Any) -> str:
    from enum import Enum

    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _as_tuple(value: Any, conv: Any, wire: str) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = (value,)
    try:
        return tuple(conv(v) for v in value)
    except (TypeError, ValueError):
        raise FilterError(f"{wire}: {value!r} is not a list of the right values") from None
