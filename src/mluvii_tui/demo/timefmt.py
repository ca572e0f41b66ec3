"""Fast, dependency-free time formatting for generated data.

Timestamps are written as the API writes them: ISO 8601 with the Europe/Prague offset of that
instant (+01:00 in winter, +02:00 in summer; the EU rule is computed, so no tz database is needed).
Durations are ISO 8601 strings such as ``PT2M13S``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def _last_sunday_utc(year: int, month: int) -> float:
    """01:00 UTC on the last Sunday of ``month`` (EU summer-time switch), as epoch seconds."""
    last = datetime(year, month, 31, 1, 0, tzinfo=UTC)
    last -= timedelta(days=(last.weekday() + 1) % 7)
    return last.timestamp()


@lru_cache(maxsize=64)
def _dst_range(year: int) -> tuple[float, float]:
    return _last_sunday_utc(year, 3), _last_sunday_utc(year, 10)


def prague_tz(ts: float) -> timezone:
    """The fixed offset Europe/Prague had at epoch second ``ts``."""
    year = datetime.fromtimestamp(ts, UTC).year
    start, end = _dst_range(year)
    return CEST if start <= ts < end else CET


def iso(ts: float, tz: timezone | None = None) -> str:
    """``2024-05-02T16:05:24.454661+02:00`` (microseconds always present)."""
    return datetime.fromtimestamp(ts, tz or prague_tz(ts)).isoformat(timespec="microseconds")


def duration(seconds: float) -> str:
    """ISO 8601 duration of whole seconds: ``PT0S``, ``PT45S``, ``PT2M13S``, ``PT1H5M``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or total == 0:
        out += f"{secs}S"
    return out


def to_epoch(value: datetime | None) -> float:
    """Epoch seconds of an aware datetime (a naive one is taken as UTC); now when None."""
    if value is None:
        return datetime.now(UTC).timestamp()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def parse_epoch(text: object) -> float | None:
    """Epoch seconds of an ISO timestamp string (``Z`` allowed); None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(s)
    except ValueError:
        # More than 6 fraction digits (.NET writes 7): trim the fraction and retry.
        head, dot, tail = s.partition(".")
        if not dot:
            return None
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits) :]
        try:
            parsed = datetime.fromisoformat(f"{head}.{digits[:6]}{zone}")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_seconds(text: object) -> float | None:
    """Seconds of an ISO 8601 duration (``PT2M13S``) or a .NET TimeSpan (``00:02:13``)."""
    if not isinstance(text, str) or not text:
        return None
    return _parse_seconds(text)


@lru_cache(maxsize=65536)
def _parse_seconds(text: str) -> float | None:
    from ..api.filters import FilterError, parse_timespan

    try:
        return parse_timespan(text).total_seconds()
    except FilterError:
        return None


_MMSS = tuple(f"{m:02d}:{s:02d}." for m in range(60) for s in range(60))
_HOUR_PREFIX: dict[int, str] = {}


_SUFFIX = {3600: "+01:00", 7200: "+02:00", 0: "+00:00"}


def iso_formatter(tz: timezone) -> Callable[[float], str]:
    """A fast ``ts -> ISO string`` function for one fixed offset (CET or CEST)."""
    offset = int(tz.utcoffset(None).total_seconds())
    suffix = _SUFFIX.get(offset) or datetime.fromtimestamp(0, tz).strftime("%:z")
    off_key = offset // 900
    cache = _HOUR_PREFIX
    mmss = _MMSS

    def fmt(ts: float) -> str:
        sec, micro = divmod(int(ts * 1_000_000 + 0.5), 1_000_000)
        hour, rem = divmod(sec + offset, 3600)
        key = hour * 100 + off_key
        prefix = cache.get(key)
        if prefix is None:
            prefix = datetime.fromtimestamp(hour * 3600 - offset, tz).strftime("%Y-%m-%dT%H:")
            cache[key] = prefix
        return f"{prefix}{mmss[rem]}{micro:06d}{suffix}"

    return fmt
