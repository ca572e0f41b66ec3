"""The console's worst cases at scale, in the real app (Textual Pilot, the screen rendering).

    python bench/console.py --sessions 1000000 --store /work/data/perf14-1m.sqlite3 \
        [--json FILE] [--sync 100000] [--no-pty]

The store is generated once by ``bench/gen_store.py`` (``--store`` reuses a file; without it a
store of ``--sessions`` is generated into a temporary file). Figures, each against its target:

* ``launch_to_rows_s``: the real command in a pseudo-terminal (160x45) until the status line
  shows the store's total (the first rows are on the screen);
* ``quick_filter_key_ms_p95``: ``/`` and 4-letter names typed one key at a time, each key until
  the rows of what is typed so far are shown (debounce included);
* ``search_common_ms`` / ``search_rare_ms``: ``s``, a word in most sessions / a rare phrase,
  enter, until its rows are shown;
* ``contains_filter_ms``: "client contains novak" with channel Chat, until shown;
* ``sort_worst_ms``: every sort column in turn (``o``), the slowest until its first rows show
  (``sort_cursor_worst_ms``: until the cursor's session is found again, reported too);
* ``key_during_sync_p95_ms``: cursor keys while a sync of ``--sync`` sessions from the simulator
  (a separate process) fills a fresh store;
* ``rss_peak_mb``: the largest PSS (RSS when PSS is unreadable) of the benchmark's process tree
  (the app runs in it; the simulator is the remote server and is left out), sampled every 0.2 s.

Also reported: the CPU seconds of the app's process (``cpu_s``) and of the launches
(``launch_cpu_s``), and the load average before and after (other work on the machine makes wall
times noisy; CPU seconds less so).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import resource
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from fcntl import ioctl
from pathlib import Path
from typing import Any

TARGETS = {
    "launch_to_rows_s": 0.5,
    "quick_filter_key_ms_p95": 150,
    "search_common_ms": 200,
    "search_rare_ms": 200,
    "contains_filter_ms": 150,
    "sort_worst_ms": 150,
    "key_during_sync_p95_ms": 50,
    "rss_peak_mb": 150,
}
NAMES = ("nova", "petr", "jana", "dvor", "kral")
SORTS = ("created", "waited", "length", "channel", "source", "status", "operators", "client_name")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
SIZE = (160, 45)


# -- memory ----------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    out = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            out.extend(_tree(int(kid)))
    return out


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        key = "Pss:"
    except OSError:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
            key = "VmRSS:"
        except OSError:
            return 0
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


class MemoryPeak:
    """Samples the PSS of this process tree (minus ``exclude``) in a thread."""

    def __init__(self, exclude: set[int] | None = None) -> None:
        self.exclude = exclude if exclude is not None else set()
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def sample(self) -> None:
        pids = [p for p in _tree(os.getpid()) if p not in self.exclude]
        self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in pids))

    def __enter__(self) -> MemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


# -- the real command in a pseudo-terminal ---------------------------------------------------


def launch_in_pty(store: Path, total: int, runs: int = 3) -> list[float]:
    """Seconds from spawning ``mluvii-tui`` until the status line shows ``total``."""
    home = Path(tempfile.mkdtemp(prefix="console-bench-"))
    cache = home / "cache" / "mluvii-tui"
    cache.mkdir(parents=True)
    os.link(store, cache / "bench.sqlite3")  # same file, no copy
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
        "MLUVII_TUI_CLIENT_ID": "bench",
        "MLUVII_TUI_CLIENT_SECRET": "bench",
        "TERM": "xterm-256color",
    }
    marker = f"of {total:,} sessions".encode()
    exe = Path(sys.executable).with_name("mluvii-tui")
    # A closed port: the first sync fails at once (one line in the status) and writes nothing.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [str(exe), "--base-url", f"http://127.0.0.1:{port}", "--profile", "bench"]
    times = []
    try:
        for _ in range(runs):
            master, slave = pty.openpty()
            ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
            start = time.perf_counter()
            proc = subprocess.Popen(
                cmd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
            )
            os.close(slave)
            seen = b""
            took = float("nan")
            deadline = start + 30
            while time.perf_counter() < deadline:
                ready, _, _ = select.select([master], [], [], 0.005)
                if ready:
                    try:
                        seen += os.read(master, 65536)
                    except OSError:
                        break
                    if marker in seen:
                        took = time.perf_counter() - start
                        break
            os.write(master, b"\x11")  # ctrl+q
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
            os.close(master)
            times.append(took)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return times


# -- the app under Pilot ---------------------------------------------------------------------


class Frames:
    """When the table applied a result and when it next drew a line: the moment the user sees
    the new rows (the table is wrapped, not changed)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.applied: dict[int, float] = {}  # ticket -> time the rows were applied
        self.drawn: dict[int, float] = {}  # ticket -> first line drawn after that
        self.cursor_drawn: dict[int, float] = {}  # cursor row -> last time a line was drawn
        show, render_line = table._show, table.render_line

        def _show(loaded: Any, keep: Any) -> None:
            show(loaded, keep)
            if table._loaded is loaded:
                self.applied.setdefault(loaded.ticket, time.perf_counter())
                if loaded.done:
                    self.applied.setdefault(-loaded.ticket, time.perf_counter())

        def _render_line(y: int) -> Any:
            strip = render_line(y)
            loaded = table._loaded
            now = time.perf_counter()
            self.cursor_drawn[table.cursor_row] = now
            if loaded is not None and y > 0:
                for key in (loaded.ticket, -loaded.ticket):
                    if key in self.applied:
                        self.drawn.setdefault(key, now)
            return strip

        table._show = _show
        table.render_line = _render_line


async def _shown(pilot: Any, frames: Frames, query: Any, *, cursor: bool = False) -> float:
    """Waits until the table has drawn ``query``'s rows (with ``cursor``: with the cursor on
    its session again); returns the perf_counter time of that frame."""
    table = frames.table
    while True:
        loaded = table._loaded
        if loaded is not None and loaded.query == query and table.query == query:
            key = -loaded.ticket if cursor else loaded.ticket
            if key in frames.drawn and not table.updating:
                return frames.drawn[key]
        await asyncio.sleep(0.002)


async def _key(app: Any, key: str) -> float:
    """Send one key the way Pilot does, but without Pilot's wait for the whole process to be
    idle (a sync's threads keep it busy, so that wait would be measured instead of the
    console). Returns the time it was sent."""
    from textual import events

    char = key if len(key) == 1 else {"slash": "/", "enter": "\r"}.get(key)
    event = events.Key(key, char)
    event.set_sender(app)
    sent = time.perf_counter()
    app._driver.send_message(event)
    await asyncio.sleep(0)
    return sent


def _ms(start: float, end: float | None = None) -> float:
    return ((time.perf_counter() if end is None else end) - start) * 1000


async def drive(store_path: Path, figures: dict[str, Any]) -> None:
    from mluvii_tui.app import MluviiApp
    from mluvii_tui.query.types import Filter
    from mluvii_tui.store.store import SessionStore
    from mluvii_tui.widgets.session_table import SessionTable

    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="console-bench", now=lambda: NOW)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(SessionTable)
        frames = Frames(table)
        while table._loaded is None:
            await pilot.pause(0.002)
        await pilot.pause()
        print("open", file=sys.stderr, flush=True)
        figures["pilot_open_to_rows_s"] = round(time.perf_counter() - started, 3)
        screen = app.screen
        moves = []
        for key in ("down",) * 10 + ("pagedown",) * 3 + ("home",):
            row = table.cursor_row
            t0 = await _key(app, key)
            while not frames.cursor_drawn.get(table.cursor_row, 0) > t0 or table.cursor_row == row:
                await asyncio.sleep(0.002)
            moves.append(_ms(t0, frames.cursor_drawn[table.cursor_row]))
        figures["cursor_key_ms_median"] = round(statistics.median(moves), 1)

        print("cursor keys", file=sys.stderr, flush=True)
        keys: list[float] = []
        visible = tuple(c.id for c in table.columns)
        for name in NAMES:
            await pilot.press("slash")
            for i in range(1, len(name) + 1):
                typed = replace(table.query, quick=name[:i], quick_columns=visible)
                t0 = await _key(app, name[i - 1])
                keys.append(_ms(t0, await _shown(pilot, frames, typed)))
            await pilot.press("escape")
            await _shown(pilot, frames, replace(table.query, quick="", quick_columns=visible))
        figures["quick_filter_key_ms"] = [round(k, 1) for k in keys]
        figures["quick_filter_key_ms_p95"] = round(_p95(keys), 1)

        print("quick filter", file=sys.stderr, flush=True)
        for label, text in (
            ("search_common_ms", "den"),
            ("search_rare_ms", '"platba kartou vrácení"'),
        ):
            await pilot.press("s", *text)
            want = replace(table.query, search=text)
            t0 = await _key(app, "enter")
            figures[label] = round(_ms(t0, await _shown(pilot, frames, want)), 1)
            figures[label.replace("_ms", "_count")] = table.count
            screen.apply_query(replace(table.query, search=""))
            await _shown(pilot, frames, replace(table.query, search=""))

        flt = (Filter("client_name", "contains", ("novak",)), Filter("channel", "in", ("Chat",)))
        want = replace(table.query, filters=flt)
        t0 = time.perf_counter()
        screen.apply_query(want)
        figures["contains_filter_ms"] = round(_ms(t0, await _shown(pilot, frames, want)), 1)
        figures["contains_filter_count"] = table.count
        screen.apply_query(replace(table.query, filters=()))
        await _shown(pilot, frames, replace(table.query, filters=()))

        for _ in range(5):
            await pilot.press("down")  # a cursor away from the top: it is kept across sorts
        firsts: dict[str, float] = {}
        cursors: dict[str, float] = {}
        ids = [c.id for c in table.columns]
        for column in SORTS:
            if column not in ids:
                continue
            table.cursor_col = ids.index(column)
            await pilot.pause()
            for _direction in range(2):
                before = table.query.sort
                t0 = await _key(app, "o")
                while table.query.sort == before:
                    await asyncio.sleep(0.001)
                first = _ms(t0, await _shown(pilot, frames, table.query))
                found = _ms(t0, await _shown(pilot, frames, table.query, cursor=True))
                key = f"{column} {'desc' if table.query.sort.descending else 'asc'}"
                firsts[key] = round(first, 1)
                cursors[key] = round(found, 1)
        figures["sort_ms"] = firsts
        figures["sort_worst_ms"] = max(firsts.values())
        figures["sort_cursor_worst_ms"] = max(cursors.values())
        await pilot.press("d")  # the detail pane of the cursor's session
        await app.workers.wait_for_complete()
        await pilot.pause()
    store.close()


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[-1]


async def during_sync(sessions: int, figures: dict[str, Any], exclude: set[int]) -> None:
    """Cursor keys while a sync of ``sessions`` from the simulator process fills a store."""
    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.app import MluviiApp
    from mluvii_tui.store.store import SessionStore
    from mluvii_tui.widgets.session_table import SessionTable

    exe = Path(sys.executable).with_name("mluvii-tui")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sim = subprocess.Popen(
        [str(exe), "simulator", "--port", str(port), "--sessions", str(sessions)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    exclude.add(sim.pid)
    tmp = Path(tempfile.mkdtemp(prefix="console-sync-"))
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:  # the simulator generates its data first
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.2)
        store = SessionStore(tmp / "sync.sqlite3")
        client = MluviiClient(base, "demo-admin", "demo-admin-secret")
        app = MluviiApp(store, client, profile="console-bench-sync", sync_days=36_500)
        keys: list[float] = []
        async with app.run_test(size=SIZE) as pilot:
            table = app.screen.query_one(SessionTable)
            frames = Frames(table)
            t0 = time.perf_counter()
            while table.row_count < 200 and time.perf_counter() - t0 < 120:
                await pilot.pause(0.05)
            t_sync = time.perf_counter()
            key = "down"
            while time.perf_counter() - t_sync < 60:
                syncing = any(w.group == "sync" and w.is_running for w in app.workers)
                if not syncing and len(keys) > 20:
                    break
                row = table.cursor_row
                t1 = await _key(app, key)
                new = table.cursor_row
                while not (new != row and frames.cursor_drawn.get(new, 0) > t1):
                    await asyncio.sleep(0.002)
                    new = table.cursor_row
                keys.append(_ms(t1, frames.cursor_drawn[new]))
                key = "up" if key == "down" else "down"
                await asyncio.sleep(0.03)
            figures["sync_rows_at_end"] = table.row_count
        store.close()
        figures["key_during_sync_ms_max"] = round(max(keys), 1) if keys else None
        figures["key_during_sync_keys"] = len(keys)
        figures["key_during_sync_ms"] = [round(k, 1) for k in keys]
        figures["key_during_sync_p95_ms"] = round(_p95(keys), 1) if keys else None
    finally:
        sim.terminate()
        sim.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def report(figures: dict[str, Any]) -> None:
    print(f"\n{'figure':<26} {'measured':>10} {'target':>8}")
    for key, target in TARGETS.items():
        value = figures.get(key)
        shown = "-" if value is None else f"{value:g}"
        mark = "" if value is None else ("ok" if value <= target else "OVER")
        print(f"{key:<26} {shown:>10} {target:>8g}  {mark}")
    for key in ("launch_cpu_s", "cpu_s", "loadavg_start", "loadavg_end"):
        if key in figures:
            print(f"{key:<26} {figures[key]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=1_000_000)
    ap.add_argument("--store", type=Path, help="a store made by gen_store.py (reused)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--sync", type=int, default=100_000, help="sessions of the sync (0: skip)")
    ap.add_argument("--no-pty", action="store_true", help="skip the pseudo-terminal launch")
    args = ap.parse_args(argv)
    store = args.store
    made: Path | None = None
    if store is None or not store.exists():
        sys.path.insert(0, str(Path(__file__).parent))
        from gen_store import generate_store

        if store is None:
            made = store = Path(tempfile.mkdtemp(prefix="console-bench-")) / "store.sqlite3"
        generate_store(store, args.sessions, seed=1, activities=4, fts=True)
    with sqlite3.connect(store) as conn:
        total = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        # an older store is upgraded here once, not inside a measurement
    from mluvii_tui.store.store import SessionStore

    SessionStore(store).close()
    figures: dict[str, Any] = {"sessions": total, "loadavg_start": os.getloadavg()}
    if not args.no_pty:
        runs = launch_in_pty(store, total)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures["launch_runs_s"] = [round(r, 3) for r in runs]
        figures["launch_to_rows_s"] = round(statistics.median(runs), 3)
        figures["launch_cpu_s"] = round((children.ru_utime + children.ru_stime) / len(runs), 3)
    exclude: set[int] = set()
    with MemoryPeak(exclude) as memory:
        asyncio.run(drive(store, figures))
        own = resource.getrusage(resource.RUSAGE_SELF)
        figures["cpu_s"] = round(own.ru_utime + own.ru_stime, 2)
        figures["rss_after_drive_mb"] = round(memory.peak_kb / 1024, 1)
        if args.sync:
            asyncio.run(during_sync(args.sync, figures, exclude))
    figures["rss_peak_mb"] = round(memory.peak_kb / 1024, 1)
    figures["loadavg_end"] = os.getloadavg()
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    if made is not None:
        shutil.rmtree(made.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
