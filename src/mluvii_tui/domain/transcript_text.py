"""A transcript as plain text (copy all, the CSV Transcript column) and the day breaks every
renderer puts between days (local time)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo

from .transcript import TranscriptItem


def day_of(time: datetime | None, tz: tzinfo | None = None) -> date | None:
    if time is None:
        return None
    return time.astimezone(tz).date() if time.tzinfo else time.date()


def with_days(
    items: Iterable[TranscriptItem], tz: tzinfo | None = None
) -> list[TranscriptItem | date]:
    """The items with a ``date`` inserted before the first item of each day (local time)."""
    out: list[TranscriptItem | date] = []
    last: date | None = None
    for item in items:
        day = day_of(item.time, tz)
        if day is not None and day != last:
            out.append(day)
            last = day
        out.append(item)
    return out


def transcript_text(items: Sequence[TranscriptItem], tz: tzinfo | None = None) -> str:
    """The whole transcript as plain text (copy all, the CSV Transcript column): a line with
    the date before each day's first item (local time), then "HH:MM:SS who: body"."""
    lines: list[str] = []
    last: date | None = None
    for item in items:
        t = item.time
        if t is not None:
            if t.tzinfo:
                t = t.astimezone(tz)
            day = t.date()
            if day != last:
                lines.append(f"— {day.isoformat()} —")
                last = day
            stamp = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        else:
            stamp = "--:--:--"
        body = item.body_text().replace("\n", "\n    ")
        lines.append(f"{stamp} {item.sender_name or 'System'}: {body}")
    return "\n".join(lines)
