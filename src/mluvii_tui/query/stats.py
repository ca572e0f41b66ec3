"""Statistics of the sessions a query selects, in SQL over the store: sessions per hour or day by
channel, the wait-time distribution, the share by end reason, the busiest operators and the
rating average. Two scans of the filtered rows (measured by bench/stats.py at 1M sessions)."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .layout import LIST_SEP
from .types import SessionQuery
from .where import plan_where

#: Wait-time bins: (upper bound in seconds, label); the last bin is open.
WAIT_BINS: tuple[tuple[float, str], ...] = (
    (10, "< 10 s"),
    (30, "10–30 s"),
    (60, "30 s–1 min"),
    (120, "1–2 min"),
    (300, "2–5 min"),
    (600, "5–10 min"),
    (float("inf"), "> 10 min"),
)
#: Up to this span, sessions are counted per hour; beyond, per day.
HOURLY_SPAN_S = 2 * 86_400
TOP = 8


@dataclass
class Stats:
    total: int = 0
    unit: str = "hour"  # "hour" | "day"
    #: (bucket start in local time, {channel: sessions}) for every bucket from first to last
    buckets: list[tuple[datetime, dict[str, int]]] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # most sessions first
    waits: list[tuple[str, int]] = field(default_factory=list)  # every WAIT_BINS label
    no_wait: int = 0  # sessions without a wait time (never queued)
    end_reasons: list[tuple[str, int]] = field(default_factory=list)  # top ones + "other"
    operators: list[tuple[str, int]] = field(default_factory=list)  # busiest first
    rating_avg: float | None = None
    rating_count: int = 0


def _wait_case() -> str:
    parts = [f"WHEN s.waited_s < {bound:g} THEN {i}" for i, (bound, _) in enumerate(WAIT_BINS[:-1])]
    return f"CASE WHEN s.waited_s IS NULL THEN -1 {' '.join(parts)} ELSE {len(WAIT_BINS) - 1} END"


def session_stats(conn: sqlite3.Connection, query: SessionQuery, now: Any, offset_s: int) -> Stats:
    """Everything the stats view draws for ``query`` (times in the zone ``offset_s`` east of
    UTC, the user's, the same for every bucket of one answer)."""
    where, args = plan_where(query, now)
    stats = Stats()
    span = conn.execute(
        f"SELECT min(s.created), max(s.created) FROM sessions s WHERE {where}", args
    ).fetchone()
    if span is None or span[0] is None:
        return stats
    low, high = span
    stats.unit = "hour" if high - low <= HOURLY_SPAN_S else "day"
    size = 3600 if stats.unit == "hour" else 86_400
    per: dict[int, Counter[str]] = defaultdict(Counter)
    channels: Counter[str] = Counter()
    waits = [0] * len(WAIT_BINS)
    reasons: Counter[str] = Counter()
    rating_sum = 0.0
    sql = (
        f"SELECT CAST((s.created + {int(offset_s)}) / {size} AS INTEGER) AS b,"
        f" coalesce(s.channel, ''), coalesce(s.end_reason, ''), {_wait_case()} AS w,"
        " count(*), sum(s.rating), count(s.rating)"
        f" FROM sessions s WHERE {where} AND s.created IS NOT NULL GROUP BY b, 2, 3, w"
    )
    for bucket, channel, reason, wait, n, r_sum, r_n in conn.execute(sql, args):
        channel = channel or "unknown"
        per[bucket][channel] += n
        channels[channel] += n
        reasons[reason or "(none)"] += n
        if wait < 0:
            stats.no_wait += n
        else:
            waits[wait] += n
        stats.total += n
        rating_sum += r_sum or 0
        stats.rating_count += r_n
    stats.channels = [c for c, _ in channels.most_common()]
    first, last = min(per), max(per)
    stats.buckets = [
        (_local(b * size - offset_s, offset_s), dict(per.get(b, {})))
        for b in range(first, last + 1)
    ]
    stats.waits = [(label, waits[i]) for i, (_, label) in enumerate(WAIT_BINS)]
    top = reasons.most_common(TOP)
    rest = stats.total - sum(n for _, n in top)
    stats.end_reasons = top + ([("other", rest)] if rest else [])
    if stats.rating_count:
        stats.rating_avg = rating_sum / stats.rating_count
    stats.operators = _operators(conn, where, args)
    return stats


def _operators(conn: sqlite3.Connection, where: str, args: list[Any]) -> list[tuple[str, int]]:
    """Sessions per operator: the joined names column grouped in SQL, then split (a session
    with two operators counts for both)."""
    names: Counter[str] = Counter()
    sql = (
        f"SELECT s.operators, count(*) FROM sessions s WHERE {where}"
        " AND s.operators IS NOT NULL GROUP BY s.operators"
    )
    for joined, n in conn.execute(sql, args):
        for name in str(joined).split(LIST_SEP):
            if name:
                names[name] += n
    return names.most_common(TOP)


def _local(epoch_utc: int, offset_s: int) -> datetime:
    from datetime import UTC, timezone

    zone = timezone(timedelta(seconds=offset_s))
    return datetime.fromtimestamp(epoch_utc, UTC).astimezone(zone)
