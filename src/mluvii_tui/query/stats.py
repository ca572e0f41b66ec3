"""Statistics of the sessions a query selects, in SQL over the store: sessions per hour or day by
channel, the wait-time distribution, the share by end reason, the busiest operators and the
rating average.

Two ways, the same answer (tests/test_stats.py): a view without filters (the overview people
open first) is counted from indexes only, one range count or one index-ordered GROUP BY per
picture and no sort (``STATS_INDEX`` adds the (channel, created) one, created on first use);
any other filter or a search takes the exact count and one pass over the selected rows, a
sample of one in k of them (stated, counts scaled) when there are more than ``EXACT_UP_TO``
(measured by bench/stats.py).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
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
    #: 1: every session counted; k: about one session in k (spread by id), counts scaled by k
    #: (the total stays exact)
    sample: int = 1


#: The one index the overview needs beyond the store's own (ix_sessions_<field>).
STATS_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_stats_channel_created ON sessions(channel, created, is_live)"
)
_LIVE = {"history": " AND +s.is_live = 0", "live": " AND +s.is_live = 1", "all": ""}


def is_overview(query: SessionQuery) -> bool:
    """A view with nothing else asked: the index-only path answers it."""
    return not query.filters and not query.quick.strip() and not query.search.strip()


def session_stats(
    conn: sqlite3.Connection,
    query: SessionQuery,
    now: Any,
    offset_s: int,
    total: int | None = None,
) -> Stats:
    """Everything the stats view draws for ``query`` (times in the zone ``offset_s`` east of
    UTC, the user's, the same for every bucket of one answer); ``total``: the exact count when
    the caller knows it (the sessions table does), so the filter is not evaluated twice."""
    if is_overview(query) and query.view in ("history", "all"):  # live: a few rows, scanned
        try:
            return overview_stats(conn, _LIVE[query.view], offset_s)
        except sqlite3.OperationalError:  # an index missing (an older store): the scan answers
            pass
    return scanned_stats(conn, query, now, offset_s, total=total)


def overview_stats(conn: sqlite3.Connection, live: str, offset_s: int) -> Stats:
    """The overview from indexes: no row of the table is read, nothing is sorted. History is
    every session less the few live ones: checking ``is_live`` on each index entry cost ~35%
    more at 1M (bench/stats.py) than counting all and taking away one pass over the live rows."""
    stats = Stats()
    first = conn.execute(
        "SELECT s.created FROM sessions s INDEXED BY ix_sessions_created"
        f" WHERE s.created IS NOT NULL{live} ORDER BY s.created LIMIT 1"
    ).fetchone()
    if first is None:
        return stats
    (last,) = conn.execute(
        "SELECT s.created FROM sessions s INDEXED BY ix_sessions_created"
        f" WHERE s.created IS NOT NULL{live} ORDER BY s.created DESC LIMIT 1"
    ).fetchone()
    stats.unit = "hour" if last - first[0] <= HOURLY_SPAN_S else "day"
    size = 3600 if stats.unit == "hour" else 86_400
    less = _Tally(offset_s, size)  # what to take away from the counts below
    plain = live
    if live == _LIVE["history"]:
        plain = ""
        less.add(conn.execute(f"{_ROWS} FROM sessions s WHERE s.is_live = 1"))
    channels = [
        (c, n - less.channels[c or "unknown"])
        for c, n in conn.execute(
            "SELECT s.channel, count(*) FROM sessions s INDEXED BY ix_sessions_channel"
            f" WHERE 1{plain} GROUP BY s.channel"
        )
    ]
    channels = [(c, n) for c, n in channels if n > 0]
    stats.total = sum(n for _, n in channels)
    channels.sort(key=lambda cn: (-cn[1], cn[0] or ""))
    stats.channels = [c or "unknown" for c, _ in channels]
    low, high = _bucket(first[0], offset_s, size), _bucket(last, offset_s, size)
    per: dict[int, dict[str, int]] = {b: {} for b in range(low, high + 1)}
    count = (
        "SELECT count(*) FROM sessions s INDEXED BY ix_stats_channel_created"
        f" WHERE s.channel IS ? AND s.created >= ? AND s.created < ?{plain}"
    )
    for channel, _ in channels:
        name = channel or "unknown"
        for b, counts in per.items():
            start = b * size - offset_s
            (n,) = conn.execute(count, (channel, start, start + size)).fetchone()
            n -= less.per[b][name] if b in less.per else 0
            if n:
                counts[name] = n
    stats.buckets = [(_local(b * size - offset_s, offset_s), per[b]) for b in per]
    waits, lower = [], None
    for i, (bound, label) in enumerate(WAIT_BINS):
        parts = [f"s.waited_s >= {lower:g}" if lower is not None else "s.waited_s IS NOT NULL"]
        if bound != float("inf"):
            parts.append(f"s.waited_s < {bound:g}")
        (n,) = conn.execute(
            "SELECT count(*) FROM sessions s INDEXED BY ix_sessions_waited_s"
            f" WHERE {' AND '.join(parts)}{plain}"
        ).fetchone()
        waits.append((label, n - less.waits[i]))
        lower = bound
    stats.waits = waits
    stats.no_wait = stats.total - sum(n for _, n in waits)
    reasons: Counter[str] = Counter()
    for reason, n in conn.execute(
        "SELECT s.end_reason, count(*) FROM sessions s INDEXED BY ix_sessions_end_reason"
        f" WHERE 1{plain} GROUP BY s.end_reason"
    ):
        reasons[reason or "(none)"] += n
    reasons.subtract(less.reasons)
    _reasons(stats, +reasons)
    r_sum, r_n = conn.execute(
        "SELECT sum(s.rating), count(s.rating) FROM sessions s INDEXED BY ix_sessions_rating"
        f" WHERE s.rating IS NOT NULL{plain}"
    ).fetchone()
    r_n -= less.rated
    stats.rating_count = r_n
    stats.rating_avg = ((r_sum or 0) - less.rating_sum) / r_n if r_n else None
    names = _operator_counts(conn, f"1{plain}", [], "INDEXED BY ix_sessions_operators")
    names.subtract(less.names)
    stats.operators = _top(+names)
    return stats


#: The columns a pass over rows reads (``_Tally.add``).
_ROWS = "SELECT s.created, s.channel, s.end_reason, s.waited_s, s.rating, s.operators"


class _Tally:
    """Counts of a pass over rows (each counting ``k``): per bucket and channel, waits,
    reasons, rating, operators."""

    def __init__(self, offset_s: int, size: int, k: int = 1) -> None:
        self.offset_s, self.size, self.k = offset_s, size, k
        self.per: dict[int, Counter[str]] = defaultdict(Counter)
        self.channels: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.names: Counter[str] = Counter()
        self.waits = [0] * len(WAIT_BINS)
        self.no_wait = 0
        self.rating_sum, self.rated = 0.0, 0

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        k, offset_s, size = self.k, self.offset_s, self.size
        for created, channel, reason, waited, rating, operators in rows:
            channel = channel or "unknown"
            if created is not None:  # a session without a creation time counts, on no day
                self.per[int((created + offset_s) // size)][channel] += k
            self.channels[channel] += k
            self.reasons[reason or "(none)"] += k
            if waited is None:
                self.no_wait += k
            else:
                self.waits[bisect_right(_WAIT_BOUNDS, waited)] += k
            if rating is not None:
                self.rating_sum += rating
                self.rated += 1
            for name in (operators or "").split(LIST_SEP):
                if name:
                    self.names[name] += k


def _bucket(epoch: float, offset_s: int, size: int) -> int:
    return int((epoch + offset_s) // size)


def _reasons(stats: Stats, reasons: Counter[str]) -> None:
    top = sorted(reasons.items(), key=lambda rn: (-rn[1], rn[0]))[:TOP]
    rest = stats.total - sum(n for _, n in top)
    stats.end_reasons = top + ([("other", rest)] if rest else [])


#: Up to this many selected sessions every one is counted; beyond, a sample of about this many
#: (about one session in k, ``search.sampled``) whose counts are scaled by k: the view says so.
#: One pass over the selected rows either way, aggregated here (no SQL sort of 100,000s of rows).
EXACT_UP_TO = 25_000
_WAIT_BOUNDS = [bound for bound, _ in WAIT_BINS]


def scanned_stats(
    conn: sqlite3.Connection,
    query: SessionQuery,
    now: Any,
    offset_s: int,
    exact_up_to: int | None = None,
    total: int | None = None,
) -> Stats:
    """Any filter or search: the exact count, then one pass over the selected rows (or over a
    sample of one in ``sample`` of them when there are more than ``exact_up_to``, by default
    ``EXACT_UP_TO``)."""
    if total is None:
        where, args = plan_where(query, now)
        (total,) = conn.execute(f"SELECT count(*) FROM sessions s WHERE {where}", args).fetchone()
    stats = Stats(total=total)
    if not total:
        return stats
    k = stats.sample = max(1, -(-total // (exact_up_to or EXACT_UP_TO)))
    where, args = plan_where(query, now, sample=k)
    rows = conn.execute(f"{_ROWS} FROM sessions s WHERE {where}", args).fetchall()
    times = [r[0] for r in rows if r[0] is not None]
    stats.unit = "hour" if times and max(times) - min(times) <= HOURLY_SPAN_S else "day"
    size = 3600 if stats.unit == "hour" else 86_400
    tally = _Tally(offset_s, size, k)
    tally.add(rows)
    per = tally.per
    stats.channels = [c for c, _ in sorted(tally.channels.items(), key=lambda cn: (-cn[1], cn[0]))]
    if per:
        first, last = min(per), max(per)
        stats.buckets = [
            (_local(b * size - offset_s, offset_s), dict(per.get(b, {})))
            for b in range(first, last + 1)
        ]
    stats.no_wait = tally.no_wait
    stats.waits = [(label, tally.waits[i]) for i, (_, label) in enumerate(WAIT_BINS)]
    _reasons(stats, tally.reasons)
    stats.rating_count = tally.rated * k
    stats.rating_avg = tally.rating_sum / tally.rated if tally.rated else None
    stats.operators = _top(tally.names)
    return stats


def _operator_counts(
    conn: sqlite3.Connection, where: str, args: list[Any], hint: str = ""
) -> Counter[str]:
    """Sessions per operator: the joined names column grouped in SQL, then split (a session
    with two operators counts for both)."""
    names: Counter[str] = Counter()
    sql = (
        f"SELECT s.operators, count(*) FROM sessions s {hint} WHERE {where}"
        " AND s.operators IS NOT NULL GROUP BY s.operators"
    )
    for joined, n in conn.execute(sql, args):
        for name in str(joined).split(LIST_SEP):
            if name:
                names[name] += n
    return names


def _top(names: Counter[str]) -> list[tuple[str, int]]:
    """The busiest operators first (ties by name), at most ``TOP``."""
    return sorted(names.items(), key=lambda nn: (-nn[1], nn[0]))[:TOP]


#: Live statuses of a client waiting for an operator: in a group's queue, or not yet in one.
QUEUED, WAITING = "IN_QUEUE", "WAITING"
#: Samples kept per group (one per live poll: 10 minutes at the 10 s poll).
QUEUE_SAMPLES = 60


def live_queues(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """Per group, now: (clients in its queue, clients waiting in all: queued or not yet)."""
    out: dict[str, list[int]] = {}
    sql = (
        "SELECT s.groups, s.status, count(*) FROM sessions s WHERE s.is_live = 1"
        " AND s.status IN (?, ?) GROUP BY s.groups, s.status"
    )
    for groups, status, n in conn.execute(sql, (QUEUED, WAITING)):
        for group in str(groups or "no group").split(LIST_SEP):
            counts = out.setdefault(group or "no group", [0, 0])
            if status == QUEUED:
                counts[0] += n
            counts[1] += n
    return {g: (q, w) for g, (q, w) in sorted(out.items())}


class QueueHistory:
    """The last ``QUEUE_SAMPLES`` samples of ``live_queues`` per group (for sparklines); a group
    missing from a sample counts 0 there."""

    def __init__(self) -> None:
        self.samples: list[dict[str, tuple[int, int]]] = []

    def add(self, sample: dict[str, tuple[int, int]]) -> None:
        self.samples = [*self.samples, sample][-QUEUE_SAMPLES:]

    def series(self) -> dict[str, tuple[list[int], list[int]]]:
        groups = sorted({g for sample in self.samples for g in sample})
        return {
            g: (
                [s.get(g, (0, 0))[0] for s in self.samples],
                [s.get(g, (0, 0))[1] for s in self.samples],
            )
            for g in groups
        }


def _local(epoch_utc: int, offset_s: int) -> datetime:
    from datetime import UTC, timezone

    zone = timezone(timedelta(seconds=offset_s))
    return datetime.fromtimestamp(epoch_utc, UTC).astimezone(zone)
