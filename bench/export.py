"""Export benchmark: N sessions with transcripts to CSV and to HTML; peak RSS; bare csv.writer.

    python bench/export.py [--sessions 100000] [--json FILE] [--keep DIR]

The store comes from bench/gen_store.py (session rows); each row's raw JSON is then replaced by a
session with a full transcript (8 messages, a shared file, join and end), as a synced store has.
Figures: ``csv_sessions_per_s`` (basic columns, no transcript column),
``csv_transcripts_sessions_per_s`` (with the Transcript column), ``html_sessions_per_s``
(always with transcripts), ``csv_writer_sessions_per_s`` (a bare csv.writer writing the same
rows as ours, from memory), ``csv_ratio`` (ours / bare), ``peak_rss_mb`` (ru_maxrss of the
exporting process; the store is built in a subprocess so its memory is not counted).
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from export_helpers import session_dict
from gen_store import generate_store
from mluvii_tui.export import ExportOptions, run_export
from mluvii_tui.export.csv_export import CsvWriter
from mluvii_tui.export.reader import SessionReader
from mluvii_tui.export.rowcells import needed_fields
from mluvii_tui.store.columns import BASIC_COLUMNS, column_by_id
from mluvii_tui.store.querytypes import SessionQuery
from mluvii_tui.store.store import SessionStore


def build(path: Path, n: int) -> None:
    generate_store(path, n, seed=3)
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("SELECT id FROM sessions")]
    conn.execute("BEGIN")
    batch: list[tuple[bytes, int]] = []
    for sid in ids:
        raw = json.dumps(session_dict(sid), ensure_ascii=False, separators=(",", ":")).encode()
        batch.append((zlib.compress(raw, 6), sid))
        if len(batch) >= 5000:
            conn.executemany("UPDATE sessions SET raw = ? WHERE id = ?", batch)
            batch.clear()
    conn.executemany("UPDATE sessions SET raw = ? WHERE id = ?", batch)
    conn.execute("COMMIT")
    conn.close()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(store: SessionStore, fmt: str, out: Path, transcripts: bool) -> tuple[float, int]:
    t = time.perf_counter()
    result = run_export(
        store,
        SessionQuery(view="all"),
        BASIC_COLUMNS,
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
    reader.close()
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
    ap.add_argument("--build-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.build_only:
        build(args.build_only, args.sessions)
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="export-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.sqlite3"
    if not db.exists():
        t = time.perf_counter()
        cmd = [sys.executable, __file__, "--sessions", str(args.sessions), "--build-only", str(db)]
        subprocess.run(cmd, check=True)
        print(
            f"store: {args.sessions:,} sessions in {time.perf_counter() - t:.1f} s", file=sys.stderr
        )
    store = SessionStore(db)
    runs: dict[str, list[float]] = {}

    def median_of(key: str, fmt: str, out: Path, transcripts: bool) -> tuple[float, int]:
        """The median of ``--runs`` exports (the machine is noisy; every run is printed)."""
        rates, size = [], 0
        for _ in range(args.runs):
            rate, size = timed(store, fmt, out, transcripts)
            rates.append(rate)
        runs[key] = [round(r) for r in rates]
        return statistics.median(rates), size

    csv_rate, csv_bytes = median_of("csv", "csv", work / "out.csv", False)
    csvt_rate, _ = median_of("csv_transcripts", "csv", work / "out-t.csv", True)
    html_rate, html_bytes = median_of("html", "html", work / "out.html", True)
    peak = rss_mb()  # the exports' peak (the baseline below holds its rows in memory)
    bare = bare_writer(store, args.sessions)
    store.close()
    figures = {
        "sessions": args.sessions,
        "csv_sessions_per_s": round(csv_rate),
        "csv_transcripts_sessions_per_s": round(csvt_rate),
        "html_sessions_per_s": round(html_rate),
        "csv_writer_sessions_per_s": round(bare),
        "csv_ratio": round(csv_rate / bare, 3) if bare else None,
        "peak_rss_mb": round(peak, 1),
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
