"""Display helpers shared by the detail tabs. Data always becomes Text, never markup."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text

from mluvii_tui.text import clean, one_line

from ...api.enums import enum_text

DASH = "—"


def local(time: datetime | None) -> datetime | None:
    if time is None:
        return None
    return time.astimezone() if time.tzinfo else time


def fmt_time(time: datetime | None, *, seconds: bool = True) -> str:
    t = local(time)
    if t is None:
        return DASH
    return t.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def fmt_clock(time: datetime | None) -> str:
    t = local(time)
    return t.strftime("%H:%M:%S") if t else "--:--:--"


def fmt_duration(value: timedelta | float | None) -> str:
    """timedelta -> '1:02:03' / '2:31'; None -> '—'."""
    if value is None:
        return DASH
    total = int(value.total_seconds() if isinstance(value, timedelta) else value)
    sign = "-" if total < 0 else ""
    total = abs(total)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"


def between(a: datetime | None, b: datetime | None) -> timedelta | None:
    if a is None or b is None:
        return None
    try:
        return b - a
    except TypeError:
        return None


def value_text(value: Any, limit: int = 500) -> Text:
    """Any untrusted value as one line of plain Text ('—' when empty)."""
    if value is None or value == "":
        return Text(DASH, style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, datetime):
        return Text(fmt_time(value))
    if isinstance(value, timedelta):
        return Text(fmt_duration(value))
    s = enum_text(value) if not isinstance(value, str | int | float) else str(value)
    return Text(one_line(s, limit))


def block_text(value: Any) -> Text:
    """Multi-line untrusted text as Text (cleaned, newlines kept)."""
    return Text(clean(value))
