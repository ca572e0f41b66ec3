"""Export benchmark: N sessions with transcripts to CSV and to HTML; peak RSS; bare csv.writer.

    python bench/export.py [--sessions 100000] [--json FILE] [--keep DIR]

The store comes from bench/gen_store.py (session rows); each row's raw JSON is then replaced by a
session with a full transcript, written as a sync writes it (the model's dump): ``--data chats``
(default) typical chats of 8 messages, a shared file, join and end; ``--data demo`` the demo
generator's mix (forms, call scripts, transfers, chatbots; ~12 activities, 3.5 KB of JSON).
Figures: ``csv_sessions_per_s`` (basic columns, no transcript column),
``csv_transcripts_sessions_per_s`` (with the Transcript column),
``csv_all_columns_sessions_per_s`` (``--columns all``: every column and call parameter),
``html_sessions_per_s`` (always with transcripts), ``csv_writer_sessions_per_s`` (a bare
csv.writer writing the same rows as ours, from memory), ``csv_ratio`` (ours / bare),
``peak_rss_mb`` (ru_maxrss of the exporting process; the store is built in a subprocess so its
memory is not counted), ``*_pss_tree_peak_mb`` (the PSS of the whole process tree, workers and
their fork server included, sampled every 0.2 s during the exports of that format).
Targets: CSV >= 50,000/s, HTML >= 10,000/s, peak RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from console import MemoryPeak
from export_helpers import session_dict
from gen_store import generate_store
from mluvii_tui.api.models import parse_session
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.export import ExportOptions, run_export
from mluvii_tui.export.csv_export import CsvWriter
from mluvii_tui.export.reader import SessionReader
from mluvii_tui.export.rowcells import needed_fields
from mluvii_tui.query.columns import BASIC_COLUMNS, COLUMNS, column_by_id
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.store import SessionStore

#: distinct demo sessions the ``demo`` data cycles through (each gets the row's id)
DEMO_DISTINCT = 10_000


def _raw_sessions(data: str) -> Callable[[int], dict[str, Any]]:
    """sid -> the session JSON as the store keeps it (the model's dump, like a sync writes)."""
    if data == "chats":
        return lambda sid: parse_session(session_dict(sid)).to_api()
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    pool = [parse_session(d).to_api() for d in generate_sessions(DEMO_DISTINCT, seed=7, now=now)]
    return lambda sid: {**pool[sid % len(pool)], "id": sid}


def build(path: Path, n: int, data: str) -> None:
    generate_store(path, n, seed=3)
    session_of = _raw_sessions(data)
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("SELECT id FROM sessions")]
    conn.execute("BEGIN")
    batch: list[tuple[bytes, int]] = []
    for sid in ids:
        raw = json.dumps(session_of(sid), ensure_ascii=False, separators=(",", ":")).encode()
        batch.append((zlib.compress(raw, 6), sid))
        if len(batch) >= 5000:
            conn.executemany("UPDATE sessions SET raw = ? WHERE id = ?", batch)
            batch.clear()
    conn.executemany("UPDATE sessions SET raw = ? WHERE id = ?", batch)
    conn.execute("COMMIT")
    conn.close()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def all_columns(store: SessionStore) -> list[str]:
    """``export --columns all``: every column and one per call parameter."""
    return [*COLUMNS, *(f"param:{n}" for n in store.param_names())]


def timed(
    store: SessionStore, fmt: str, out: Path, transcripts: bool, columns: list[str] | None = None
) -> tuple[float, int]:
    t = time.perf_counter()
    result = run_export(
        store,
        SessionQuery(view="all"),
        columns or BASIC_COLUMNS,
        ExportOptions(format=fmt, path=out, include_transcripts=transcripts, overwrite=True),
    )
    return result.sessions / (time.perf_counter() - t), result.bytes


def bare_writer(store: SessionStore, n: int) -> float:
    """A bare csv.writer writing our rows (already rendered, in memory): the floor of CSV cost."""
    cols = [column_by_id(c) for c in BASIC_COLUMNS]
    fields = needed_fields(cols)
    text = io.StringIO()
    ours = CsvWriter(text, cols, fields)
    reader = SessionReader(store, SessionQuery(view="all"), fields)
    for off in range(0, min(n, 20000), 2000):
        ours.write_window(reader.window(off, 2000))
    rows = list(csv.reader(io.StringIO(text.getvalue(), newline="")))[1:]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    t = time.perf_counter()
    writer.writerows(rows)
    return len(rows) / (time.perf_counter() - t)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="work directory to keep")
    ap.add_argument("--runs", type=int, default=3, help="exports per format (median reported)")
    ap.add_argument(
        "--data",
        choices=("chats", "demo"),
        default="chats",
        help="transcripts: typical chats (8 messages, a file, join, end) or the demo generator's"
        " mix (forms, call scripts, transfers, bots; ~12 activities)",
    )
    ap.add_argument("--build-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.build_only:
        build(args.build_only, args.sessions, args.data)
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="export-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"bench-{args.data}.sqlite3"
    if not db.exists():
        t = time.perf_counter()
        cmd = [sys.executable, __file__, "--sessions", str(args.sessions), "--data", args.data]
        cmd += ["--build-only", str(db)]
        subprocess.run(cmd, check=True)
        print(
            f"store: {args.sessions:,} sessions in {time.perf_counter() - t:.1f} s", file=sys.stderr
        )
    store = SessionStore(db)
    runs: dict[str, list[float]] = {}

    def median_of(
        key: str, fmt: str, out: Path, transcripts: bool, columns: list[str] | None = None
    ) -> tuple[float, int]:
        """The median of ``--runs`` exports (the machine is noisy; every run is printed)."""
        rates, size = [], 0
        for _ in range(args.runs):
            rate, size = timed(store, fmt, out, transcripts, columns)
            rates.append(rate)
        runs[key] = [round(r) for r in rates]
        return statistics.median(rates), size

    with MemoryPeak() as csv_tree:  # the process tree's PSS: this one and any workers
        csv_rate, csv_bytes = median_of("csv", "csv", work / "out.csv", False)
    with MemoryPeak() as csvt_tree:
        csvt_rate, _ = median_of("csv_transcripts", "csv", work / "out-t.csv", True)
    every = all_columns(store)
    csva_rate, _ = median_of("csv_all_columns", "csv", work / "out-a.csv", False, every)
    with MemoryPeak() as html_tree:
        html_rate, html_bytes = median_of("html", "html", work / "out.html", True)
    peak = rss_mb()  # the exports' peak (the baseline below holds its rows in memory)
    bare = bare_writer(store, args.sessions)
    store.close()
    figures = {
        "sessions": args.sessions,
        "data": args.data,
        "csv_sessions_per_s": round(csv_rate),
        "csv_transcripts_sessions_per_s": round(csvt_rate),
        "csv_all_columns_sessions_per_s": round(csva_rate),
        "all_columns": len(every),
        "html_sessions_per_s": round(html_rate),
        "csv_writer_sessions_per_s": round(bare),
        "csv_ratio": round(csv_rate / bare, 3) if bare else None,
        "peak_rss_mb": round(peak, 1),
        "csv_pss_tree_peak_mb": round(csv_tree.peak_kb / 1024, 1),
        "csv_transcripts_pss_tree_peak_mb": round(csvt_tree.peak_kb / 1024, 1),
        "html_pss_tree_peak_mb": round(html_tree.peak_kb / 1024, 1),
        "html_pss_at_peak_mb": html_tree.peak_processes,
        "csv_mb": round(csv_bytes / 1e6, 1),
        "html_mb": round(html_bytes / 1e6, 1),
        "runs_sessions_per_s": runs,
    }
    for key, value in figures.items():
        print(f"{key:32} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
