"""Waiting before a retry: exponential backoff with jitter (shared by the API client and the
live feed's reconnects), telling the task's listener why and until when, and the line of a
call that gave up after waiting as long as the server asked."""

from __future__ import annotations

import contextvars
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from .errors import BadResponse, ConnectionFailed, MluviiError, RateLimited

#: Told (in the task that set it) when a call waits before retrying, with one line for the
#: user ("rate limited by the server, next try at 12:03:04"), and with "" when it goes on.
#: A context variable: the history and live syncs share one client but not their listener.
WAIT_LISTENER: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar(
    "mluvii_wait_listener", default=None
)


def backoff_delay(attempt: int, base: float, cap: float, floor: float = 0.0) -> float:
    """Seconds to wait before retry ``attempt`` (0 = the first): ``base * 2**attempt`` capped
    at ``cap``, times a random factor in ``floor .. 1`` (0: full jitter)."""
    return min(cap, base * 2.0**attempt) * random.uniform(floor, 1.0)


async def wait_told(
    error: MluviiError, delay: float, sleep: Callable[[float], Awaitable[Any]]
) -> None:
    """Sleep ``delay`` before a retry, telling the task's listener why and until when."""
    listener = WAIT_LISTENER.get()
    if listener is not None:
        at = datetime.fromtimestamp(time.time() + delay).astimezone()
        listener(f"{_wait_reason(error)}, next try at {at:%H:%M:%S}")
    try:
        await sleep(delay)
    finally:
        if listener is not None:
            listener("")


def _wait_reason(error: MluviiError) -> str:
    if isinstance(error, RateLimited):
        return "rate limited by the server"
    if isinstance(error, ConnectionFailed):
        return f"connection problem ({error.message.rsplit(': ', 1)[-1]})"
    if isinstance(error, BadResponse):
        return "the server's answer was damaged"
    if error.status:
        return f"the server answered HTTP {error.status}"
    return "the server failed"


def gave_up(error: MluviiError, retry_after: float | None) -> RateLimited:
    """A rate-limited call that waited as long as it may."""
    asked = f"it asks to wait {retry_after:g} s; " if retry_after else ""
    return RateLimited(
        f"{error.message} ({asked}gave up after waiting; press r to try again)",
        retry_after=retry_after,
    )
