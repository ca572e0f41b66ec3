"""Sessions table benchmark: our virtualised table against the DESIGN.md targets, and Textual's
DataTable on the same rows as a baseline.

    python bench/table.py                          # sizes 10k, 100k, 1M
    python bench/table.py --sizes 100000,1000000 --json out.json
    python bench/table.py --sessions 10000000      # one size (the 10M rehearsal), no DataTable

Each size runs in its own process (so resident memory is that size's own), on a store generated
straight into SQLite by bench/gen_store.py. Figures:
  first_paint_s   store open -> the table's first full paint (headless app, 160x50)
  page_down_ms    one page-down: cursor move + fetching and rendering every visible line (mean)
  resort_ms       sort by another column: count + keep-cursor lookup + render (mean of columns)
  jump_end_ms     G: jump to the last row and render it
  rss_mb          resident memory of the process at the end
DataTable: first paint of the same 100k rows (add_rows + the idle pass that measures every cell).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGETS = {
    "first_paint_s": ("≤", 0.5),
    "page_down_ms": ("≤", 16.0),
    "resort_ms": ("≤", 150.0),
    "jump_end_ms": ("≤", 16.0),
    "rss_mb": ("≤", 150.0),
}
SIZE = (160, 50)
RESORT_COLUMNS = ["waited", "ended", "channel", "client_name", "length", "status", "created"]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def ensure_store(size: int, cache_dir: Path) -> Path:
    from gen_store import generate_store

    path = cache_dir / f"bench-table-{size}.sqlite"
    if not path.exists():
        t0 = time.perf_counter()
        generate_store(path, size, seed=1)
        print(f"  generated {size:,} sessions in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def _render_visible(table) -> None:  # type: ignore[no-untyped-def]
    for y in range(table.size.height):
        table.render_line(y)


async def measure_ours(path: Path) -> dict[str, float]:
    from textual.app import App, ComposeResult

    from mluvii_tui.query.columns import BASIC_COLUMNS, column_by_id
    from mluvii_tui.query.types import SessionQuery
    from mluvii_tui.store.store import SessionStore
    from mluvii_tui.widgets.session_table import SessionTable

    t_open = time.perf_counter()
    store = SessionStore(path)
    columns = [column_by_id(c) for c in BASIC_COLUMNS]
    painted: dict[str, float] = {}

    class Probe(SessionTable):
        def render_line(self, y: int):  # type: ignore[no-untyped-def]
            strip = super().render_line(y)
            if "first" not in painted and y == self.size.height - 1 and self.row_count:
                painted["first"] = time.perf_counter()
            return strip

    async def landed(table) -> None:  # type: ignore[no-untyped-def]
        """Until the query the table was given has its rows (they come from a worker)."""
        while table._loaded is None or table._loaded.query != table.query or table.updating:
            await asyncio.sleep(0.001)

    class BenchApp(App[None]):
        CSS = "Probe { height: 1fr; }"

        def compose(self) -> ComposeResult:
            yield Probe(store, columns, SessionQuery(view="all"))

        def on_mount(self) -> None:
            self.query_one(Probe).reload()

    figures: dict[str, float] = {}
    async with BenchApp().run_test(size=SIZE) as pilot:
        while "first" not in painted and time.perf_counter() - t_open < 60:
            await pilot.pause(0.005)
        figures["first_paint_s"] = painted.get("first", float("nan")) - t_open
        table = pilot.app.query_one(Probe)

        page_times = []
        for _ in range(30):
            t0 = time.perf_counter()
            table.action_page_down()
            _render_visible(table)
            page_times.append((time.perf_counter() - t0) * 1000)
        figures["page_down_ms"] = statistics.mean(page_times)
        figures["page_down_p95_ms"] = sorted(page_times)[int(len(page_times) * 0.95) - 1]

        resort_times = []
        for column_id in RESORT_COLUMNS:
            t0 = time.perf_counter()
            table.sort_by(column_id, descending=True)
            await landed(table)
            _render_visible(table)
            resort_times.append((time.perf_counter() - t0) * 1000)
            figures[f"resort_{column_id}_ms"] = resort_times[-1]
        figures["resort_ms"] = statistics.mean(resort_times)
        figures["resort_max_ms"] = max(resort_times)

        t0 = time.perf_counter()
        table.action_last()
        _render_visible(table)
        figures["jump_end_ms"] = (time.perf_counter() - t0) * 1000
        await pilot.pause()
    figures["rss_mb"] = rss_mb()
    store.close()
    return figures


async def measure_datatable(path: Path, limit: int) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from mluvii_tui.query.columns import BASIC_COLUMNS, column_by_id
    from mluvii_tui.query.types import SessionQuery
    from mluvii_tui.store.store import SessionStore

    t_open = time.perf_counter()
    store = SessionStore(path)
    columns = [column_by_id(c) for c in BASIC_COLUMNS]
    query = SessionQuery(view="all")
    rows = []
    for offset in range(0, limit, 5000):
        for row in store.window(query, offset, min(5000, limit - offset)):
            rows.append(tuple(c.text(row) for c in columns))

    class BenchApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*(c.header for c in columns))
            table.add_rows(rows)

    async with BenchApp().run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t_open
    store.close()
    return {"datatable_first_paint_s": first, "datatable_rss_mb": rss_mb()}


def run_child(kind: str, size: int, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--child-size",
            str(size),
            "--store",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{kind} benchmark at {size:,} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--sessions", type=int, default=None, help="one size only (e.g. 10000000), no DataTable"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--datatable-size", type=int, default=100_000)
    parser.add_argument("--no-datatable", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--child", choices=["ours", "datatable"], help=argparse.SUPPRESS)
    parser.add_argument("--child-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "ours":
        print(json.dumps(asyncio.run(measure_ours(args.store))))
        return
    if args.child == "datatable":
        print(json.dumps(asyncio.run(measure_datatable(args.store, args.child_size))))
        return

    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.sessions is not None:  # the 10M rehearsal: the store generated straight into SQLite
        sizes, args.no_datatable = [args.sessions], True
    results: dict[str, float] = {}
    for size in sizes:
        print(f"size {size:,}:", file=sys.stderr)
        path = ensure_store(size, args.cache)
        results["store_mb_per_100k_" + str(size)] = path.stat().st_size / 1e6 * 100_000 / size
        for key, value in run_child("ours", size, path).items():
            results[f"{key}_{size}"] = value
    if not args.no_datatable:
        size = args.datatable_size
        print(f"DataTable baseline at {size:,}:", file=sys.stderr)
        path = ensure_store(size, args.cache)
        for key, value in run_child("datatable", size, path).items():
            results[f"{key}_{size}"] = value
        ours = results.get(f"first_paint_s_{size}")
        if ours:
            results[f"datatable_speedup_{size}"] = results[f"datatable_first_paint_s_{size}"] / ours

    print(f"\n{'figure':<34}{'measured':>12}  target")
    for key, value in results.items():
        base = key.rsplit("_", 1)[0]
        if (
            base.startswith("resort_")
            and base.endswith("_ms")
            and base not in ("resort_ms", "resort_max_ms")
        ):
            continue  # per-column figures go to the JSON only
        target = TARGETS.get(base)
        size = key.rsplit("_", 1)[1]
        mark = ""
        if target and int(size) >= 1_000_000:
            op, limit = target
            mark = f"{op} {limit:g}  {'ok' if value <= limit else 'MISSED'}"
        elif base == "datatable_speedup":
            mark = f"≥ 20×  {'ok' if value >= 20 else 'MISSED'}"
        print(f"{key:<34}{value:>12.3f}  {mark}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
