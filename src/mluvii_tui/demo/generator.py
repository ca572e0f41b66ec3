"""Seeded, deterministic, realistic SessionModel JSON dicts (camelCase, as the API returns them).

``iter_sessions`` yields sessions lazily in creation order (oldest first), so a million sessions
can be streamed; ``generate_sessions`` collects them. Same arguments (including ``now``) give
byte-identical data. A handful of the newest sessions are live (IN_QUEUE, WAITING, ACTIVE, ACW);
a few sessions carry hostile text (escape sequences, markup, huge lines) for robustness tests.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, datetime
from math import log as _log
from typing import Any

from .hostile import hostile_slots
from .roster import SIM_ORIGIN
from .session_builder import SessionBuilder
from .timefmt import prague_tz, to_epoch
from .traffic import (
    CHANNEL_SOURCES,
    DIAL_FAILURES,
    HOUR_WEIGHTS,
    LIVE_PATTERN,
    MESSAGING,
    OS_BROWSER,
    PHONE_REASONS,
)

__all__ = [
    "CHANNEL_SOURCES",
    "DIAL_FAILURES",
    "HOUR_WEIGHTS",
    "LIVE_PATTERN",
    "MESSAGING",
    "OS_BROWSER",
    "PHONE_REASONS",
    "FastRandom",
    "generate_sessions",
    "iter_sessions",
    "now_utc",
]


class FastRandom(random.Random):
    """``random.Random`` with cheaper ``randrange``/``choice``/``expovariate`` (float-based).

    Deterministic for a seed like its base class; the exact streams differ from the stdlib's.
    """

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def choice(self, seq: Any) -> Any:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def expovariate(self, lambd: float = 1.0) -> float:
        return -_log(1.0 - self.random()) / lambd


def generate_sessions(
    count: int = 5000, seed: int = 7, now: datetime | None = None, days: int = 30
) -> list[dict]:
    """``count`` SessionModel dicts over ``days`` days before ``now``, oldest first."""
    return list(iter_sessions(count, seed, now, days))


def iter_sessions(
    count: int = 5000,
    seed: int = 7,
    now: datetime | None = None,
    days: int = 30,
    *,
    base_url: str = SIM_ORIGIN,
) -> Iterator[dict]:
    """Yield the sessions of ``generate_sessions`` one by one (constant memory)."""
    if count <= 0:
        return
    now_ts = float(int(to_epoch(now)))
    rng = FastRandom(seed)
    live_count = min(count // 2, max(4, min(20, count // 300)))
    hist = count - live_count
    start = now_ts - max(1, days) * 86400.0
    times = _history_times(rng, hist, start, now_ts - 3600.0)
    live_times = _live_times(rng, live_count, now_ts)
    hostile = hostile_slots(hist)
    builder = SessionBuilder(rng, now_ts, base_url.rstrip("/"))
    sid = 3_000_000 + rng.randrange(1000)
    for index in range(count):
        sid += 1 + int(rng.random() * 4)
        if index < hist:
            created = next(times)
            yield builder.session(sid, created, None, hostile.get(index))
        else:
            created, status = live_times[index - hist]
            yield builder.session(sid, created, status, None)


def _history_times(rng: random.Random, n: int, start: float, end: float) -> Iterator[float]:
    """``n`` increasing timestamps in [start, end), denser in business hours and on weekdays."""
    hours = max(1, int((end - start) // 3600))
    cum: list[float] = []
    acc = 0.0
    for h in range(hours):
        ts = start + h * 3600
        local = datetime.fromtimestamp(ts, prague_tz(ts))
        weight = HOUR_WEIGHTS[local.hour] * (0.45 if local.weekday() >= 5 else 1.0)
        acc += weight
        cum.append(acc)
    for i in range(n):
        u = (i + rng.random() * 0.98) / n * acc
        h = bisect_right(cum, u)
        h = min(h, hours - 1)
        prev = cum[h - 1] if h else 0.0
        frac = (u - prev) / (cum[h] - prev)
        yield start + (h + min(frac, 0.999)) * 3600


def _live_times(rng: random.Random, n: int, now_ts: float) -> list[tuple[float, str]]:
    ages = {"IN_QUEUE": (40, 300), "WAITING": (20, 240), "ACTIVE": (400, 1500), "ACW": (1800, 3300)}
    out = []
    for i in range(n):
        status = LIVE_PATTERN[i % len(LIVE_PATTERN)]
        low, high = ages[status]
        out.append((now_ts - rng.uniform(low, high), status))
    out.sort()
    return out


def now_utc() -> datetime:
    """Wall clock, whole seconds (used when no ``now`` is given)."""
    return datetime.now(UTC).replace(microsecond=0)
