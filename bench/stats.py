"""Stats view queries at scale: ``session_stats`` over a store of N sessions (target 300 ms).

python bench/stats.py /path/to/store.sqlite   # read-only; e.g. one from bench/gen_store.py
"""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import UTC, datetime

from mluvii_tui.query.filters import register_functions
from mluvii_tui.query.stats import session_stats
from mluvii_tui.query.types import Filter, SessionQuery

TARGET_MS = 300.0


def main(path: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    register_functions(conn)
    n = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    print(f"store: {path} ({n:,} sessions)")
    now = datetime.now(UTC)
    cases = {
        "history, no filter": SessionQuery(view="history"),
        "all": SessionQuery(view="all"),
        "channel = Chat": SessionQuery(
            view="history", filters=(Filter("channel", "in", ("Chat",)),)
        ),
        "created last 7 days": SessionQuery(
            view="all", filters=(Filter("created", "range", low="now-7d", high=None),)
        ),
    }
    worst = 0.0
    for name, query in cases.items():
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            stats = session_stats(conn, query, now, 3600)
            times.append((time.perf_counter() - t0) * 1000)
        best = min(times)
        worst = max(worst, best)
        print(
            f"  {name:22} {best:7.0f} ms (best of 3)  {stats.total:,} sessions,"
            f" {len(stats.buckets)} {stats.unit} buckets  target {TARGET_MS:.0f} ms"
            f"  {'OK' if best <= TARGET_MS else 'OVER'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
