"""The time zone the console shows and writes times in: the profile's ``time_zone``, else the
machine's local zone.

Every time on screen, in copies and in exports is formatted through the C library's local time
(``datetime.astimezone()``, ``time.localtime``), so the zone is applied once for the process:
``TZ`` set and ``time.tzset()`` called. Export worker processes inherit it with the environment.
Caches of formatted times register with ``on_zone_change`` and are dropped on a switch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The zone the process started with (``TZ`` as found, None = the system's /etc/localtime).
_STARTED_WITH = os.environ.get("TZ")
_listeners: list[Callable[[], None]] = []


def on_zone_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` (e.g. a cache's ``clear``) whenever ``use_zone`` changes the zone."""
    _listeners.append(listener)


def use_zone(name: str) -> None:
    """Show and write times in the IANA zone ``name`` ("" = the zone the process started with).
    An unknown name raises ValueError (the config check names the file and line first)."""
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}, e.g. Europe/Prague") from None
    follow_zone(name or _STARTED_WITH)


def follow_zone(value: str | None) -> None:
    """Take ``TZ`` = ``value`` (None: unset) when it differs (a worker process follows its
    caller's zone with it), and drop the caches of formatted times."""
    if os.environ.get("TZ") == value:
        return
    if value is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = value
    time.tzset()
    for listener in _listeners:
        listener()


def zone_name() -> str:
    """The zone in use, by its IANA name when known (``Europe/Prague``), else its abbreviation."""
    name = os.environ.get("TZ", "").lstrip(":")
    if (name and "/" in name) or name == "UTC":
        return name
    try:
        target = Path("/etc/localtime").resolve()
    except OSError:
        target = None
    if not name and target is not None and "zoneinfo" in target.parts:
        parts = target.parts
        return "/".join(parts[parts.index("zoneinfo") + 1 :])
    return name or datetime.now().astimezone().tzname() or "local time"
