"""The embedded simulator's own costs: how fast it generates sessions and how soon it serves.

    python bench/simulator.py [--sessions 5000]

Prints the generation rate (target: at least 5,000 sessions/s, so that `mluvii-tui demo` with its
default 5,000 sessions never waits on the generator) and the time from start to the first answer
over a real loopback socket (target: at most 2 s for the default 5,000 sessions), each with the
process CPU time beside the wall time, and the load average (other work on the machine shows there).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime

import httpx

from mluvii_tui.demo.generator import iter_sessions
from mluvii_tui.demo.runner import Simulator

NOW = datetime(2025, 3, 20, 14, 0, tzinfo=UTC)
TARGET_RATE = 5_000.0
TARGET_START_S = 2.0


def _timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5000)
    count = parser.parse_args().sessions

    made, wall, cpu = _timed(lambda: sum(1 for _ in iter_sessions(count, seed=1, now=NOW)))
    rate = made / wall
    ok_rate = rate >= TARGET_RATE
    print(
        f"generate {made:,} sessions: {wall:.2f} s wall, {cpu:.2f} s CPU = {rate:,.0f}/s "
        f"(target >= {TARGET_RATE:,.0f}/s) {'OK' if ok_rate else 'MISSED'}"
    )

    def serve() -> int:
        with Simulator(sessions=count, seed=1, now=NOW) as sim:
            return httpx.get(sim.base_url + "/_sim/stats", timeout=30).status_code

    status, wall, cpu = _timed(serve)
    ok_start = status == 200 and wall <= TARGET_START_S
    print(
        f"start and first answer with {count:,} sessions: {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"(target <= {TARGET_START_S:.1f} s) {'OK' if ok_start else 'MISSED'}"
    )
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0 if ok_rate and ok_start else 1


if __name__ == "__main__":
    sys.exit(main())
