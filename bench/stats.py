"""Stats view queries at scale: ``session_stats`` over a store of N sessions, per panel (target
300 ms each), without a filter, with one column filter of each kind and with a search.

    python bench/stats.py /path/to/store.sqlite   # e.g. a copy of one made by bench/gen_store.py

Prints wall time and this process's CPU time (the machine may be shared: CPU time is the work the
queries do) and the load average. Adds the overview's index (query/stats.STATS_INDEX) if it is
missing (the store is written to: bench a copy). The overview counts each panel with its own
index queries (timed per panel); a filter or search takes the exact count and one pass over the
selected rows that feeds every panel (a sample of one in k above ``EXACT_UP_TO`` sessions).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from mluvii_tui.query.filters import register_functions
from mluvii_tui.query.stats import STATS_INDEX, session_stats
from mluvii_tui.query.types import Filter, SessionQuery

TARGET_MS = 300.0

#: The overview's queries by the index they name -> the panel they draw.
PANELS = {
    "ix_stats_channel_created": "per time",
    "ix_sessions_created": "per time",
    "ix_sessions_channel": "per time",
    "ix_sessions_waited_s": "waits",
    "ix_sessions_end_reason": "end reasons",
    "ix_sessions_rating": "rating",
    "ix_sessions_operators": "operators",
}


class TimedConnection:
    """A connection whose statements are run to the end and timed, by panel (wall, CPU)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.times: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    def execute(self, sql: str, args: Any = ()) -> Any:
        if "count(*) FROM sessions s WHERE" in sql and "INDEXED" not in sql:
            panel = "count (header: the table's own)"
        else:
            panel = next((p for ix, p in PANELS.items() if ix in sql), "one pass (all panels)")
        w0, c0 = time.perf_counter(), time.process_time()
        rows = self.conn.execute(sql, args).fetchall()
        spent = self.times[panel]
        spent[0] += time.perf_counter() - w0
        spent[1] += time.process_time() - c0
        return Rows(rows)


class Rows(list):
    def fetchone(self) -> Any:
        return self[0] if self else None

    def fetchall(self) -> list[Any]:
        return list(self)


def main(path: str) -> int:
    conn = sqlite3.connect(path)
    register_functions(conn)
    n = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    t0 = time.perf_counter()
    conn.execute(STATS_INDEX)
    print(
        f"store: {path} ({n:,} sessions); overview index ready in {time.perf_counter() - t0:.1f} s"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    now = datetime.now(UTC)

    def one(column: str, op: str, *values: str) -> tuple[Filter, ...]:
        return (Filter(column, op, values),)

    cases = {
        "History (overview)": SessionQuery(view="history"),
        "All (overview)": SessionQuery(view="all"),
        "channel Chat (index)": SessionQuery(filters=one("channel", "in", "Chat")),
        "status CLOSED (index)": SessionQuery(filters=one("status", "in", "CLOSED")),
        "browser Chrome (no index)": SessionQuery(filters=one("browser", "in", "Chrome")),
        "operator contains 'nov'": SessionQuery(filters=one("operators", "contains", "nov")),
        "client name contains 'ja'": SessionQuery(filters=one("client_name", "contains", "ja")),
        "rating 4..5": SessionQuery(filters=(Filter("rating", "range", low="4", high="5"),)),
        "search 'faktura'": SessionQuery(search="faktura"),
    }
    worst = 0.0
    for name, query in cases.items():
        runs = []
        for _ in range(3):
            timed = TimedConnection(conn)
            w0, c0 = time.perf_counter(), time.process_time()
            stats = session_stats(timed, query, now, 3600)  # type: ignore[arg-type]
            total = ((time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000)
            runs.append((total[1], total, dict(timed.times)))
        _, (wall, cpu), panels = min(runs, key=lambda r: r[0])
        sample = f", sample 1 in {stats.sample}" if stats.sample > 1 else ""
        print(
            f"  {name:27} all panels: wall {wall:5.0f} ms  cpu {cpu:5.0f} ms (best of 3)  "
            f"{stats.total:,} sessions{sample}, {len(stats.buckets)} {stats.unit}s"
        )
        for panel, (pw, pc) in panels.items():
            worst = max(worst, pc * 1000)
            verdict = "OK" if pc * 1000 <= TARGET_MS else "OVER"
            print(
                f"      {panel:24} wall {pw * 1000:5.0f} ms  cpu {pc * 1000:5.0f} ms  "
                f"target {TARGET_MS:.0f} ms: {verdict}"
            )
    print(f"slowest panel: cpu {worst:.0f} ms (target {TARGET_MS:.0f} ms)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
