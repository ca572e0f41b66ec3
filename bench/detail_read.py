"""Detail pane reading benchmark: what opening a session in the pane costs before the tabs draw.

    python bench/detail_read.py [--sessions 2000]

Sessions from the demo generator (forms, call scripts, transfers, chatbots) are stored in a temp
store; each is then read the way the pane reads it (``SessionStore.session_json`` +
``domain.detail_read.read_detail``: the transcript by the shared decoder, the other tabs from a
SessionModel validated without the transcript's activities) and, for comparison, the way it read
before (``get_session``: pydantic over the whole session, then ``build_transcript``).
Figures: ms per session (median of 5 rounds), process CPU seconds, wall seconds, load average.
Target: the pane's reading is not slower than the pydantic reading (ratio <= 1.0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mluvii_tui.demo.generator import iter_sessions
from mluvii_tui.domain.detail_read import read_detail
from mluvii_tui.domain.transcript import build_transcript
from mluvii_tui.store.store import SessionStore


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "bench.sqlite")
        store.upsert_sessions(list(iter_sessions(args.sessions, seed=7)))
        ids = _ids(store)

        def pane() -> None:
            for sid in ids:
                data = store.session_json(sid)
                assert data is not None and read_detail(data) is not None

        def pydantic() -> None:
            for sid in ids:
                session = store.get_session(sid)
                assert session is not None
                build_transcript(session)

        results = {name: _time(fn) for name, fn in (("pane", pane), ("pydantic", pydantic))}
        store.close()
    n = len(ids)
    for name, (wall, cpu) in results.items():
        print(f"{name:9s} {wall / n * 1000:7.3f} ms/session  cpu {cpu:6.2f} s  wall {wall:6.2f} s")
    ratio = results["pane"][0] / results["pydantic"][0]
    verdict = "ok" if ratio <= 1.0 else "MISSED"
    print(
        f"sessions {n}; pane/pydantic {ratio:.2f} (target <= 1.0: {verdict});"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    return 0


def _ids(store: SessionStore) -> list[int]:
    from mluvii_tui.query.types import SessionQuery

    return [r.id for r in store.window(SessionQuery(view="all"), 0, 1_000_000)]


def _time(fn: Callable[[], None], rounds: int = 5) -> tuple[float, float]:
    """(median wall seconds of one round, process CPU seconds of all rounds)."""
    cpu0 = time.process_time()
    walls = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), time.process_time() - cpu0


if __name__ == "__main__":
    sys.exit(main())
