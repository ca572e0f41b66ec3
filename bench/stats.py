"""Stats view queries at scale: ``session_stats`` over a store of N sessions (target 300 ms).

    python bench/stats.py /path/to/store.sqlite   # e.g. one made by bench/gen_store.py

Prints wall time and this process's CPU time (the machine may be shared: CPU time is the work
the queries do). Adds the overview's index (query/stats.STATS_INDEX) if it is missing.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import UTC, datetime

from mluvii_tui.query.filters import register_functions
from mluvii_tui.query.stats import STATS_INDEX, session_stats
from mluvii_tui.query.types import Filter, SessionQuery

TARGET_MS = 300.0


def main(path: str) -> int:
    conn = sqlite3.connect(path)
    register_functions(conn)
    n = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    t0 = time.perf_counter()
    conn.execute(STATS_INDEX)
    print(
        f"store: {path} ({n:,} sessions); overview index ready in {time.perf_counter() - t0:.1f} s"
    )
    now = datetime.now(UTC)
    chat = (Filter("channel", "in", ("Chat",)),)
    cases = {
        "History (overview)": SessionQuery(view="history"),
        "All (overview)": SessionQuery(view="all"),
        "History, channel Chat": SessionQuery(view="history", filters=chat),
    }
    for name, query in cases.items():
        runs = []
        for _ in range(3):
            w0, c0 = time.perf_counter(), time.process_time()
            stats = session_stats(conn, query, now, 3600)
            runs.append(((time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000))
        wall, cpu = min(runs)
        verdict = "OK" if cpu <= TARGET_MS else "OVER"
        print(
            f"  {name:24} wall {wall:6.0f} ms  cpu {cpu:6.0f} ms (best of 3)  "
            f"{stats.total:,} sessions, {len(stats.buckets)} {stats.unit}s  "
            f"target {TARGET_MS:.0f} ms: {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
