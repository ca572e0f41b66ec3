"""Time frames for time filters: named presets and local date/time parsing.

A preset ("last 7 days") resolves against ``now`` in the user's local time zone to an inclusive
``(low, high)`` pair of aware datetimes; ``to_stored`` turns those into what the store keeps
(``STORED_TIME``). The preset name stays in ``Filter.label`` so a chip reads "Ended: last 7 days"
and a recalled saved view re-resolves it against the current time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

#: How the store keeps times: "epoch" (seconds since 1970, UTC) or "iso" (ISO 8601 text in UTC).
STORED_TIME = "epoch"

PRESETS: tuple[str, ...] = (
    "last hour",
    "today",
    "yesterday",
    "last 7 days",
    "this month",
    "last 30 days",
)

_ONE_SECOND = timedelta(seconds=1)


def local_tz() -> tzinfo:
    """The user's local time zone (what the terminal's clock shows)."""
    tz = datetime.now().astimezone().tzinfo
    return tz if tz is not None else UTC


def _now(now: datetime | None, tz: tzinfo | None) -> datetime:
    zone = tz or (now.tzinfo if now is not None and now.tzinfo else None) or local_tz()
    if now is None:
        return datetime.now(zone)
    if now.tzinfo is None:
        return now.replace(tzinfo=zone)
    return now.astimezone(zone)


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _last_hour(n: datetime) -> tuple[datetime, datetime]:
    return n - timedelta(hours=1), n


def _today(n: datetime) -> tuple[datetime, datetime]:
    start = _midnight(n)
    return start, _add_days(start, 1) - _ONE_SECOND


def _yesterday(n: datetime) -> tuple[datetime, datetime]:
    start = _add_days(_midnight(n), -1)
    return start, _midnight(n) - _ONE_SECOND


def _last_days(days: int) -> Callable[[datetime], tuple[datetime, datetime]]:
    def resolve(n: datetime) -> tuple[datetime, datetime]:
        return _add_days(_midnight(n), -(days - 1)), n

    return resolve


def _this_month(n: datetime) -> tuple[datetime, datetime]:
    return _midnight(n).replace(day=1), n


def _add_days(moment: datetime, days: int) -> datetime:
    """Calendar days in the moment's zone (a DST day is 23 or 25 hours long)."""
    return (moment.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=moment.tzinfo)


_RESOLVERS: dict[str, Callable[[datetime], tuple[datetime, datetime]]] = {
    "last hour": _last_hour,
    "today": _today,
    "yesterday": _yesterday,
    "last 7 days": _last_days(7),
    "this month": _this_month,
    "last 30 days": _last_days(30),
}


def is_preset(name: str) -> bool:
    return name.strip().lower() in _RESOLVERS


def resolve_preset(
    name: str, now: datetime | None = None, tz: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """``(low, high)`` aware datetimes (inclusive) for a preset name; ValueError if unknown."""
    key = name.strip().lower()
    if key not in _RESOLVERS:
        raise ValueError(f"unknown time frame {name!r} (try: {', '.join(PRESETS)})")
    return _RESOLVERS[key](_now(now, tz))


def to_stored(moment: datetime) -> int | str:
    """A datetime in the store's representation (naive = local time)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    if STORED_TIME == "iso":
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return int(moment.timestamp())


def preset_range(
    name: str, now: datetime | None = None, tz: tzinfo | None = None
) -> tuple[int | str, int | str]:
    """A preset resolved to the store's representation."""
    low, high = resolve_preset(name, now, tz)
    return to_stored(low), to_stored(high)


_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d. %m. %Y %H:%M",
    "%d. %m. %Y",
)


def parse_local_datetime(text: str, tz: tzinfo | None = None) -> datetime:
    """Parse a date/time the user typed, in local time: "2026-11-30 14:05", "2026-11-30",
    "30.11.2026 14:05". ISO text with an offset keeps its offset. Raises ValueError (one line)."""
    raw = " ".join(str(text).split())
    if not raw:
        raise ValueError("enter a date, e.g. 2026-11-30 or 30.11.2026 14:05")
    zone = tz or local_tz()
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=zone)
    try:
        iso = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        pass
    else:
        return iso if iso.tzinfo else iso.replace(tzinfo=zone)
    shown = raw if len(raw) <= 40 else raw[:39] + "…"
    if any(ch.isdigit() for ch in raw) and ("-" in raw or "." in raw):
        return _explain_invalid(raw, shown)
    raise ValueError(f"{shown!r} is not a date (use 2026-11-30 14:05 or 30.11.2026 14:05)")


def _explain_invalid(raw: str, shown: str) -> datetime:
    """Name the bad part of a date that has the right shape but impossible values."""
    import re

    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", raw) or None
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = re.match(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})", raw)
        if m:
            day, month, year = (int(g) for g in m.groups())
    if m:
        if not 1 <= month <= 12:
            raise ValueError(f"{shown!r}: month {month} does not exist")
        try:
            datetime(year, month, day)
        except ValueError:
            raise ValueError(f"{shown!r}: day {day} does not exist in that month") from None
        rest = raw[m.end() :].strip().lstrip("T")
        raise ValueError(f"{shown!r}: time {rest!r} is not valid (use HH:MM)")
    raise ValueError(f"{shown!r} is not a date (use 2026-11-30 14:05 or 30.11.2026 14:05)")


def from_stored(value: int | float | str) -> datetime:
    """The store's representation back to an aware UTC datetime."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
