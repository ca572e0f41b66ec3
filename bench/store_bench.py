"""Store timings: upsert speed with full transcripts, and window/count/position at N rows.

    python bench/store_bench.py /tmp/bench1m.sqlite3 [--upsert 2000]

The store file comes from ``bench/gen_store.py``. Prints one line per measurement (median ms).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mluvii_tui.query.layout import INDEXED_FIELDS
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.store.store import SessionStore


def _ms(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench_upsert(n: int) -> None:
    from mluvii_tui.api.models import parse_session
    from mluvii_tui.demo.generator import generate_sessions

    models = [parse_session(d) for d in generate_sessions(n, seed=5, now=datetime.now(UTC))]
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "u.sqlite3")
        store.upsert_sessions(models[:20])  # load the lemmatiser dictionaries first
        t = time.perf_counter()
        res = store.upsert_sessions(models[20:])
        dt = time.perf_counter() - t
        acts = sum(len(m.activities) for m in models) / len(models)
        print(f"upsert: {res.inserted / dt:,.0f} sessions/s ({acts:.0f} activities each, FTS on)")
        t = time.perf_counter()
        res = store.upsert_sessions(models)
        print(f"re-upsert unchanged: {res.unchanged / (time.perf_counter() - t):,.0f} sessions/s")
        size = (Path(tmp) / "u.sqlite3").stat().st_size
        print(f"store size with transcripts: {size / 1e6 * 100_000 / len(models):,.0f} MB/100k")
        store.close()


def bench_queries(path: str) -> None:
    t = time.perf_counter()
    store = SessionStore(path, now=lambda: datetime(2026, 11, 30, 12, tzinfo=UTC))
    q = SessionQuery()
    n = store.count(q)
    first = store.window(q, 0, 60)
    print(f"open + count + first window: {(time.perf_counter() - t) * 1000:.0f} ms ({n:,} rows)")
    store._counts.clear()
    uncached = _ms(lambda: (store._counts.clear(), store.count(q)), 3)
    print(f"count (history view, uncached): {uncached:.1f} ms")
    print(f"count cached: {_ms(lambda: store.count(q)):.3f} ms")
    for name, off in (("top", 0), ("middle", n // 2 - 30), ("3/4", n * 3 // 4), ("end", n - 60)):
        print(f"window 60 at {name}: {_ms(lambda off=off: store.window(q, off, 60)):.1f} ms")
    for start in (10_000, n // 3):
        store.window(q, start, 60)  # the jump there

        def pages(start: int = start) -> None:
            for i in range(1, 21):
                store.window(q, start + 60 * i, 60)

        print(f"page down after a jump to {start:,}: {_ms(pages, 1) / 20:.2f} ms per page")
    sid = first[30].id
    print(f"position_of near top: {_ms(lambda: store.position_of(q, sid)):.1f} ms")
    mid = store.window(q, n // 2, 1)[0].id
    print(f"position_of middle: {_ms(lambda: store.position_of(q, mid), 3):.1f} ms")
    for col in (
        *(
            c
            for c in (
                "created",
                "ended",
                "waited",
                "length",
                "operators",
                "client_name",
                "status",
                "rating",
                "messages_count",
            )
        ),
        "param:email",
        "url",
    ):
        sq = SessionQuery(sort=SortKey(col, False))

        def resort(sq: SessionQuery = sq) -> None:
            store.window(sq, 0, 60)
            store.window(sq, n - 60, 60)

        def fresh(sq: SessionQuery = sq) -> None:  # the filter count stays cached across sorts
            store._counts.clear()
            store.count(sq)

        times = []
        for _ in range(3):
            fresh()
            times.append(_ms(resort, 1))
        print(
            f"re-sort {col} asc (top + end window, count cached): {statistics.median(times):.0f} ms"
        )

    refilters = [
        ("channel=Phone", Filter("channel", "in", ("Phone",))),
        ("channel in Phone, AV", Filter("channel", "in", ("Phone", "AV"))),
        ("status=ACTIVE (rare)", Filter("status", "in", ("ACTIVE",))),
        ("operator by id", Filter("operators", "in", ("105",))),
        ("operator by name", Filter("operators", "in", (store.distinct_values("operators")[0],))),
        ("created last 7 days", Filter("created", "range", label="last 7 days")),
        ("param:name in", Filter("param:name", "in", ("Jan Novák",))),
        ("param:name equals (folded)", Filter("param:name", "equals", ("jan novak",))),
        ("param:email contains", Filter("param:email", "contains", ("novak",))),
        ("param:order_number not empty", Filter("param:order_number", "not_empty")),
        ("url contains (unindexed)", Filter("url", "contains", ("reklamace",))),
    ]
    for label, flt in refilters:
        fq = SessionQuery(filters=(flt,))

        def refilter(fq: SessionQuery = fq) -> int:
            store._counts.clear()
            store.window(fq, 0, 60)  # counts first, as the table does
            return store.count(fq)

        ms = _ms(refilter, 3)
        print(f"re-filter {label} (count + first window): {ms:.0f} ms ({refilter():,} rows)")
    t = time.perf_counter()
    values = store.distinct_values("operators")
    print(f"distinct_values(operators): {(time.perf_counter() - t) * 1000:.0f} ms ({len(values)})")
    t = time.perf_counter()
    values = store.distinct_values("client_email")
    print(f"distinct_values(client_email): {(time.perf_counter() - t) * 1000:.0f} ms")
    store.close()
    print(f"indexed sort fields: {', '.join(INDEXED_FIELDS)}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?")
    ap.add_argument("--upsert", type=int, default=0, help="sessions for the upsert benchmark")
    args = ap.parse_args(argv)
    if args.upsert:
        bench_upsert(args.upsert)
    if args.path:
        bench_queries(args.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
