"""History sync benchmark: the simulator (its own process) over loopback into a fresh store.

    python bench/sync.py --sessions 100000 --json out.json

The simulator runs as ``mluvii-tui simulator`` in a child process; each sync runs in another child
process exactly as ``mluvii-tui sync`` does it (which starts the sync process of its own,
sync/process.py; peak memory and CPU are counted for both). Figures:
  sync_sessions_per_s               first sync of the whole window, sessions per second of wall time
  sync_pages_s, sync_indexes_s      of its time: the pages fetched and written, then the indexes a
                                    first sync builds at its end (sort indexes, quick index)
  sync_cpu_us_per_session           CPU time of the sync process(es) per session (load-independent)
  resync_unchanged_s                a second sync with nothing changed
  store_mb_per_100k                 store file size (after a checkpoint) per 100,000 sessions
  fts_mb_per_100k                   of which the search index (dbstat)
  bytes_per_session_by_table        where the store's bytes go (dbstat; tables over 5 B)
  text_mb_per_100k                  the messages' own UTF-8 text per 100,000 sessions
  store_overhead_bytes_per_session  store bytes per session minus its message text
  sync_peak_rss_mb                  peak resident memory of the sync process(es)
  cpu_s_by_process                  CPU seconds of the first sync: the CLI (parent), the sync
                                    and writing processes it starts (together), the simulator
  sampled_cpu_s_and_peak_mb         the sync and writing processes apart (sampled every 0.2 s)
Report the machine's load (uptime) next to the figures: the cores are shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from mluvii_tui.sync import SYNC_PAGE_SIZE

TARGETS = {
    "sync_sessions_per_s": ("≥", 10_000.0),
    "resync_unchanged_s": ("≤", 5.0),  # at 100k
    "store_overhead_bytes_per_session": ("≤", 1500.0),
    "sync_peak_rss_mb": ("≤", 150.0),
}
CHILD = r"""
import asyncio, json, os, resource, sys, time
from mluvii_tui.sync.process import SyncJob, sync_in_child
url, store, days, page = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# as run_sync (``mluvii-tui sync``) runs it, with its progress bar's callback timing the phases
job = SyncJob(url, "demo-admin", store, days=days, page_size=page)
streamed = []  # when the pages were all written (the index phase is announced then)
def progress(p):
    if p.waiting == "building the indexes…" and not streamed:
        streamed.append(time.perf_counter() - t0)
t0 = time.perf_counter()
res = asyncio.run(sync_in_child(job, "demo-admin-secret", progress))
dt = time.perf_counter() - t0
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
peak = max(own.ru_maxrss, kids.ru_maxrss) / 1024
print(json.dumps({"s": dt, "streamed_s": streamed[0] if streamed else dt,
                  "sessions": res.sessions, "inserted": res.inserted,
                  "unchanged": res.unchanged, "peak_mb": peak,
                  "parent_peak_mb": own.ru_maxrss / 1024, "child_peak_mb": kids.ru_maxrss / 1024,
                  "parent_cpu_s": own.ru_utime + own.ru_stime,
                  "child_cpu_s": kids.ru_utime + kids.ru_stime}))
"""


def start_simulator(sessions: int, seed: int) -> tuple[subprocess.Popen[str], str, float]:
    """The simulator in a child process once it has made every session (its URL and the wait).
    Its clock starts at today's midnight UTC: the same data all day, kept in the simulator's
    cache after the first run (a 1M set is then up in seconds)."""
    t0 = time.perf_counter()
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    cmd = [sys.executable, "-m", "mluvii_tui", "simulator", "--sessions", str(sessions)]
    proc = subprocess.Popen(
        [*cmd, "--seed", str(seed), "--port", "0", "--now", midnight.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = ""
    for line in proc.stdout:
        if line.startswith("Simulator: "):
            url = line.split(": ", 1)[1].strip()
        elif line.startswith("Ready: ") and url:
            return proc, url, time.perf_counter() - t0
    raise SystemExit(f"the simulator did not start (exit {proc.wait()})")


#: The processes of a sync, by what their command line runs.
ROLES = {b"mluvii_tui.sync.child": "sync", b"mluvii_tui.sync.writer": "writer"}


def _descendants(pid: int) -> list[int]:
    out = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for kid in (task / "children").read_text().split():
                out += [int(kid), *_descendants(int(kid))]
    return out


def _sample(pid: int, seen: dict[str, tuple[float, float]]) -> None:
    """CPU seconds and peak RSS (MB) of each sync process under ``pid``, as last seen."""
    for kid in _descendants(pid):
        with contextlib.suppress(OSError, IndexError):
            cmdline = Path(f"/proc/{kid}/cmdline").read_bytes()
            role = next((r for key, r in ROLES.items() if key in cmdline), None)
            if role is None:
                continue
            status = Path(f"/proc/{kid}/status").read_text()
            hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
            seen[role] = (cpu_of(kid), int(hwm.split()[1]) / 1024)


def run_child(url: str, store: Path, days: int, page: int) -> dict:
    """One ``mluvii-tui sync`` as the CLI runs it; its processes sampled every 0.2 s (CPU as
    last seen: the last moment of each is missed)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(store), str(days), str(page)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: dict[str, tuple[float, float]] = {}
    while proc.poll() is None:
        _sample(proc.pid, seen)
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"sync failed: {err.strip()[-2000:]}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["sampled"] = {role: [round(c, 2), round(m, 1)] for role, (c, m) in seen.items()}
    return figures


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sizes(store: Path) -> tuple[int, int, int, dict[str, int]]:
    """(file bytes, search index bytes, message text bytes, bytes per table/index) of the store.
    The text is read back from the kept JSON (the index keeps no copy of it)."""
    from mluvii_tui.store.store import SessionStore

    conn = sqlite3.connect(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tables: dict[str, int] = {}
    with contextlib.suppress(sqlite3.OperationalError):  # no dbstat in this SQLite
        tables = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    conn.close()
    fts = sum(v for k, v in tables.items() if k.startswith("fts")) if tables else -1
    kept = SessionStore(store)
    text = sum(
        len(t.encode("utf-8", "surrogatepass"))
        for _, texts in kept._message_texts(kept._conn())
        for t in texts
    )
    kept.close()
    return store.stat().st_size, fts, text, tables


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--page-size", type=int, default=SYNC_PAGE_SIZE, help="as `mluvii-tui sync` asks"
    )
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--dir", type=Path, default=None, help="keep the store in this folder (default: removed)"
    )
    args = ap.parse_args()
    n = args.sessions
    sim, url, sim_s = start_simulator(n, args.seed)
    print(f"simulator: {n:,} sessions up in {sim_s:.1f} s at {url}", file=sys.stderr)
    try:
        with contextlib.ExitStack() as stack:
            if args.dir is None:
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            else:
                tmp = args.dir
                tmp.mkdir(parents=True, exist_ok=True)
                for old in tmp.glob("sync.sqlite3*"):
                    old.unlink()
            store = tmp / "sync.sqlite3"
            load_before = load()
            sim_cpu = cpu_of(sim.pid)
            first = run_child(url, store, 40, args.page_size)
            sim_cpu = cpu_of(sim.pid) - sim_cpu
            second = run_child(url, store, 40, args.page_size)
            size, fts, text, tables = sizes(store)
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    got = first["sessions"]
    per100k = 100_000 / max(got, 1) / 1e6
    figures = {
        "sessions": got,
        "sync_s": round(first["s"], 2),
        "sync_pages_s": round(first["streamed_s"], 2),
        "sync_indexes_s": round(first["s"] - first["streamed_s"], 2),
        "sync_sessions_per_s": round(got / first["s"], 1),
        "sync_cpu_us_per_session": round(
            (first["parent_cpu_s"] + first["child_cpu_s"]) / max(got, 1) * 1e6
        ),
        "cpu_s_by_process": {
            "cli": round(first["parent_cpu_s"], 2),
            "sync_and_writer": round(first["child_cpu_s"], 2),
            "simulator": round(sim_cpu, 2),
        },
        "peak_rss_mb_by_process": {
            "cli": round(first["parent_peak_mb"], 1),
            "sync_and_writer": round(first["child_peak_mb"], 1),
        },
        "sampled_cpu_s_and_peak_mb": first["sampled"],
        "resync_unchanged_s": round(second["s"], 2),
        "resync_cpu_s": round(second["parent_cpu_s"] + second["child_cpu_s"], 2),
        "resync_unchanged": second["unchanged"],
        "store_mb_per_100k": round(size * per100k, 1),
        "fts_mb_per_100k": round(fts * per100k, 1) if fts >= 0 else None,
        "text_mb_per_100k": round(text * per100k, 1),
        "store_overhead_bytes_per_session": round((size - text) / max(got, 1)),
        "sync_peak_rss_mb": round(max(first["peak_mb"], second["peak_mb"]), 1),
        "simulator_start_s": round(sim_s, 1),
        "bytes_per_session_by_table": {
            k: round(v / max(got, 1))
            for k, v in sorted(tables.items(), key=lambda kv: -kv[1])
            if v / max(got, 1) >= 5
        },
        "load_before": load_before,
        "load_after": load(),
        "cpus": os.cpu_count(),
    }
    for key, value in figures.items():
        target = TARGETS.get(key)
        mark = ""
        if target and isinstance(value, int | float):
            op, goal = target
            ok = value >= goal if op == "≥" else value <= goal
            mark = f"   target {op} {goal:g}: {'ok' if ok else 'MISSED'}"
        print(f"{key:34} {value}{mark}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
