"""Cost of the cache health check at start (``store.recover.open_store``) against a plain open.

    python bench/recover_bench.py [--sizes 10000,40000,200000]

For each size a synthetic store (bench/gen_store.py, with raw JSON and 8 activities per session)
is opened cold five times; prints file size, median plain-open and healed-open milliseconds and
the added cost against the target: at most 150 ms added at start (a full ``PRAGMA quick_check``
runs on caches up to 16 MB, larger ones get a few page reads).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen_store import generate_store
from mluvii_tui.store.recover import QUICK_CHECK_MAX, open_store
from mluvii_tui.store.store import SessionStore

TARGET_MS = 150.0


def _median_ms(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        store = fn()
        store.total()
        store.close()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,40000,200000")
    args = parser.parse_args()
    print(f"target: health check adds <= {TARGET_MS:.0f} ms at start")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"s{n}.sqlite3"
            generate_store(path, n, 1, activities=8, raw=True)
            size = path.stat().st_size
            plain = _median_ms(lambda p=path: SessionStore(p))
            healed = _median_ms(lambda p=path: open_store(p)[0])
            mode = "quick_check" if size <= QUICK_CHECK_MAX else "page reads"
            added = healed - plain
            verdict = "OK" if added <= TARGET_MS else "OVER"
            print(
                f"{n:>8,} sessions  {size / 2**20:7.1f} MB  {mode:<11}  plain {plain:7.1f} ms"
                f"  healed {healed:7.1f} ms  added {added:6.1f} ms  {verdict}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
