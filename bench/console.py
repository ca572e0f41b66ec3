"""The console's worst cases at scale, in the real app (Textual Pilot, the screen rendering).

    python bench/console.py --sessions 1000000 --store /work/data/perf14-1m.sqlite3 \
        [--json FILE] [--sync 100000] [--no-pty]

The store is generated once by ``bench/gen_store.py`` (``--store`` reuses a file; without it a
store of ``--sessions`` is generated into a temporary file). Figures, each against its target:

* ``launch_to_rows_s``: the real command in a pseudo-terminal (160x45) until the status line
  shows the store's total (the first rows are on the screen);
* ``quick_filter_key_ms_p95``: ``/`` and 4-letter names typed one key at a time, each key until
  the rows of what is typed so far are shown (debounce included); the prefixes "pet", "nov",
  "ja" too (``quick_filter_prefix_ms``, ``quick_filter_all_keys_ms_p95``);
* ``search_common_ms`` / ``search_rare_ms``: ``s``, a word in most sessions / a rare phrase,
  enter, until its rows are shown (``*_cursor_ms``: until the exact count is known and the
  cursor's session found again; ``search_common_far_cursor_ms``: the same with the cursor on
  the oldest session); an English word and an inflected Czech one too;
* ``contains_filter_ms``: the worst of "client contains novak" with channel Chat, "client
  contains ja" and "operator contains nov", each until shown;
* ``sort_worst_ms``: every sort column in turn (``o``), the slowest until its first rows show
  (``sort_cursor_worst_ms``: until the cursor's session is found again, reported too);
* ``key_during_sync_p95_ms``: at the end of the script, the same app (the one that searched,
  opened the detail pane and exported) connects to the simulator (a separate process) and syncs
  ``--sync`` sessions into the store it shows (a copy of ``--store``); cursor keys meanwhile;
* ``rss_peak_mb``: the largest PSS (RSS when PSS is unreadable) of the benchmark's process tree
  (the app runs in it, with an export's workers and its sync process; the simulator is the
  remote server and is left out), sampled every 0.2 s; ``pss_after_step_mb``: after each step
  of the script (open, scrolling, quick filter, searches, contains filters, every sort, the
  detail pane, an export, the sync); ``pss_sync_peak_mb``: the largest during the sync.

"Shown" is what the app exposes, not a paint: the table applied the query's result (its
ticket, query, exact count and cursor when asked) and the status line's count label says so
(no "updating…"); the time is the first frame the screen sent after that (a result that
changed nothing on the screen, e.g. the same rows read again, counts when it landed).

Also reported: the CPU seconds of the app's process (``cpu_s``) and of the launches
(``launch_cpu_s``), and the load average before and after (other work on the machine makes wall
times noisy; CPU seconds less so).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
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
PREFIXES = ("pet", "nov", "ja")
#: (label, text): the common word first (a word in most sessions), then a rare phrase, then
#: words of the demo's other language (the lemmatiser of each)
SEARCHES = (
    ("common", "den"),
    ("rare", '"platba kartou vrácení"'),
    ("english", "refund"),
    ("inflected", "objednávka"),
)
SORTS = ("created", "waited", "length", "channel", "source", "status", "operators", "client_name")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
SIZE = (160, 45)


# -- memory ----------------------------------------------------------------------------------


def _tree(pid: int, exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """``pid`` and its descendants, without ``exclude`` and theirs."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            if int(kid) not in exclude:
                out.extend(_tree(int(kid), exclude))
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


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) ``pid`` has used so far (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def _label(pid: int) -> str:
    """``pid`` and the start of its command line."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    return f"{pid} " + " ".join(c.decode(errors="replace") for c in cmd[:3])[-60:]


@dataclass
class Phase:
    """The largest PSS of the tree during a part of the script, and who held it."""

    peak_kb: int = 0
    processes: dict[str, float] = field(default_factory=dict)  # at the peak
    each: dict[str, float] = field(default_factory=dict)  # process -> its largest (MB)
    cpu_s: dict[str, float] = field(default_factory=dict)  # process -> CPU s in this phase
    cpu_before: dict[int, float] = field(default_factory=dict)  # pid -> CPU s at its start


class MemoryPeak:
    """Samples the PSS of a process tree (this process's, or ``root``'s; minus ``exclude``) in
    a thread."""

    def __init__(self, exclude: set[int] | None = None, root: int | None = None) -> None:
        self.exclude = exclude if exclude is not None else set()
        self.root = os.getpid() if root is None else root
        self.peak_kb = 0
        self.last_kb = 0
        self.steps: dict[str, float] = {}  # step of the script -> PSS (MB) after it
        self.processes: dict[str, dict[str, float]] = {}  # step -> process -> PSS (MB)
        self.peak_processes: dict[str, float] = {}
        self.peak_each: dict[str, float] = {}  # process -> its own largest PSS (MB)
        self.cpu_s: dict[str, float] = {}  # process -> CPU seconds, as last seen
        self._labels: dict[int, str] = {}
        self.phase = Phase()  # the peak since ``start_phase`` (the sync step)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def sample(self) -> None:
        each = self.each()
        self.last_kb = sum(each.values())
        for pid, kb in each.items():
            label = self._labels.setdefault(pid, _label(pid))  # named while it runs
            self.peak_each[label] = max(self.peak_each.get(label, 0), round(kb / 1024, 1))
            self.cpu_s[label] = max(self.cpu_s.get(label, 0.0), _cpu_s(pid))
        if self.last_kb > self.peak_kb:  # who holds the peak (process -> PSS MB)
            self.peak_kb = self.last_kb
            self.peak_processes = {_label(p): round(kb / 1024, 1) for p, kb in each.items()}
        phase = self.phase
        for pid, kb in each.items():
            label = self._labels[pid]
            phase.each[label] = max(phase.each.get(label, 0), round(kb / 1024, 1))
            used = _cpu_s(pid) - phase.cpu_before.get(pid, 0.0)
            phase.cpu_s[label] = max(phase.cpu_s.get(label, 0.0), used)
        if self.last_kb > phase.peak_kb:
            phase.peak_kb = self.last_kb
            phase.processes = {_label(p): round(kb / 1024, 1) for p, kb in each.items()}

    def start_phase(self) -> Phase:
        """From now on ``phase`` holds the peak and each process's CPU seconds since now."""
        self.phase = Phase(cpu_before={pid: _cpu_s(pid) for pid in self.each()})
        return self.phase

    def each(self) -> dict[int, int]:
        """pid -> PSS (kB) of each process of the tree now."""
        return {p: _pss_kb(p) for p in _tree(self.root, self.exclude)}

    def __enter__(self) -> MemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


# -- the real command in a pseudo-terminal ---------------------------------------------------


def launch_in_pty(store: Path, runs: int = 3) -> list[float]:
    """Seconds from spawning ``mluvii-tui`` until its first row shows (bench/launch.py's
    measure: a closed port, so the first sync fails at once and writes nothing)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from launch import bench_home, compile_package, launch

    compile_package()  # as an install does (PYTHONDONTWRITEBYTECODE would compile each start)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with bench_home(store) as home:
        return [launch(home, port).seconds for _ in range(runs)]


# -- the app under Pilot ---------------------------------------------------------------------


class Frames:
    """What the bench waits for, from what the app exposes: when the table applied a result
    (its ticket, query, whether the count is exact and the cursor found), when the status line
    (the count label) last changed, and when the screen last sent a frame. The user sees a new
    result in the first frame after it landed; a result that changed nothing on the screen (the
    same rows read again) is seen when it lands (no frame is waited for then)."""

    def __init__(self, app: Any, table: Any) -> None:
        self.table = table
        self.applied: dict[int, float] = {}  # ticket -> time its rows were applied
        self.finished: dict[int, float] = {}  # ticket -> time its exact, cursor-found result was
        self.status_at = 0.0  # the status line's last change
        self.frames: list[float] = []  # perf_counter of each frame the screen sent
        self.cursor_drawn: dict[int, float] = {}  # cursor row -> last time a line was drawn
        show, render_line, display = table._show, table.render_line, app._display
        status = app.screen.query_one("#status-line")
        update = status.update

        def _show(loaded: Any, keep: Any) -> None:
            show(loaded, keep)
            if table._loaded is loaded:
                self.applied.setdefault(loaded.ticket, time.perf_counter())
                if loaded.done:
                    self.finished.setdefault(loaded.ticket, time.perf_counter())

        def _update(*args: Any, **kwargs: Any) -> Any:
            self.status_at = time.perf_counter()
            return update(*args, **kwargs)

        def _display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self.frames.append(time.perf_counter())
            display(screen, renderable)

        def _render_line(y: int) -> Any:
            self.cursor_drawn[table.cursor_row] = time.perf_counter()
            return render_line(y)

        table._show = _show
        table.render_line = _render_line
        status.update = _update
        app._display = _display

    def landed(self, query: Any, cursor: bool) -> float | None:
        """When ``query``'s result (with ``cursor``: its exact count and the cursor's session)
        and its count label were applied; None while it has not landed."""
        table = self.table
        loaded = table._loaded
        if loaded is None or loaded.query != query or table.query != query or table.updating:
            return None
        at = (self.finished if cursor else self.applied).get(loaded.ticket)
        if at is None:
            return None
        label = str(table.screen._status_shown or "")
        if "updating…" in label or table.count_text not in label:
            return None
        return max(at, self.status_at)

    def frame_after(self, at: float) -> float | None:
        """The first frame sent at or after ``at`` (None: none yet)."""
        i = bisect.bisect_left(self.frames, at)
        return self.frames[i] if i < len(self.frames) else None


#: Seconds a landed result may wait for its frame before it counts as one that changed nothing
#: on the screen (the time reported is then when it landed).
NO_FRAME = 0.5
#: A step that has not landed after this long fails the bench (instead of hanging it).
STEP_TIMEOUT = 120.0
#: A cursor key during the sync that shows no move after this long (seconds) is counted lost
#: (a reload moved the cursor back as the key moved it).
KEY_LOST = 5.0


async def _shown(frames: Frames, query: Any, *, cursor: bool = False) -> float:
    """Waits until ``query``'s rows (with ``cursor``: with the cursor on its session again) are
    on the screen; returns the perf_counter time of the frame that showed them."""
    start = time.perf_counter()
    while (at := frames.landed(query, cursor)) is None:
        if time.perf_counter() - start > STEP_TIMEOUT:
            raise TimeoutError(f"the table did not show {query!r} in {STEP_TIMEOUT:g} s")
        await asyncio.sleep(0.002)
    while (frame := frames.frame_after(at)) is None:
        if time.perf_counter() - at > NO_FRAME:
            return at
        await asyncio.sleep(0.002)
    return frame


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


async def _quick(pilot: Any, frames: Frames, app: Any, text: str) -> list[float]:
    """``/``, ``text`` one key at a time (each key until its rows show), escape."""
    table = frames.table
    visible = tuple(c.id for c in table.columns)
    keys = []
    await pilot.press("slash")
    for i in range(1, len(text) + 1):
        typed = replace(table.query, quick=text[:i], quick_columns=visible)
        t0 = await _key(app, text[i - 1])
        keys.append(_ms(t0, await _shown(frames, typed)))
    await pilot.press("escape")
    await _shown(frames, replace(table.query, quick="", quick_columns=visible))
    return keys


async def _search(
    pilot: Any, frames: Frames, app: Any, text: str
) -> tuple[float, float, int, float]:
    """``s``, ``text``, enter: ms until its rows show and until the cursor's session is found
    again (the exact count known), that count, and the process's CPU ms until the rows show;
    then the search is cleared."""
    table = frames.table
    await pilot.press("s", *text)
    await pilot.pause(0.3)  # the analysers warm when the input opens, as while typing
    want = replace(table.query, search=text)
    cpu = time.process_time()
    t0 = await _key(app, "enter")
    rows = _ms(t0, await _shown(frames, want))
    cpu_ms = (time.process_time() - cpu) * 1000
    cursor = _ms(t0, await _shown(frames, want, cursor=True))
    count = table.count
    app.screen.apply_query(replace(table.query, search=""))
    await _shown(frames, replace(table.query, search=""))
    return rows, cursor, count, cpu_ms


async def _filtered(frames: Frames, app: Any, filters: tuple[Any, ...]) -> tuple[float, int]:
    """Applies column filters: ms until their rows show, and their exact count."""
    table = frames.table
    want = replace(table.query, filters=filters)
    t0 = time.perf_counter()
    app.screen.apply_query(want)
    took = _ms(t0, await _shown(frames, want))
    await _shown(frames, want, cursor=True)  # the exact count (in the background)
    count = table.count
    app.screen.apply_query(replace(table.query, filters=()))
    await _shown(frames, replace(table.query, filters=()))
    return took, count


async def _export(pilot: Any, app: Any, frames: Frames, directory: Path) -> float:
    """``e`` on the shown list, CSV into ``directory``: seconds until written."""
    from textual.widgets import Input

    await pilot.press("e")
    await pilot.pause()
    app.screen.query_one("#export-path", Input).value = str(directory / "bench.csv")
    await pilot.pause()
    t0 = time.perf_counter()
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()
    took = time.perf_counter() - t0
    await pilot.press("ctrl+s")  # close
    await pilot.pause()
    return took


async def _searches(
    pilot: Any, frames: Frames, app: Any, figures: dict[str, Any], rounds: int = 1
) -> None:
    """Each of ``SEARCHES`` (``rounds`` times: the median is reported, every run listed), then
    the common word with the cursor on the oldest session. ``*_cpu_ms``: the CPU time of the
    process (every thread: the UI's and the workers') from enter until the rows show."""
    runs: dict[str, list[tuple[float, float, float]]] = {}
    for _round in range(rounds):
        for label, text in SEARCHES:
            rows, cursor, count, cpu_ms = await _search(pilot, frames, app, text)
            runs.setdefault(label, []).append((rows, cursor, cpu_ms))
            figures[f"search_{label}_count"] = count
    for label, values in runs.items():
        figures[f"search_{label}_ms"] = round(statistics.median(v[0] for v in values), 1)
        figures[f"search_{label}_cursor_ms"] = round(statistics.median(v[1] for v in values), 1)
        figures[f"search_{label}_cpu_ms"] = round(statistics.median(v[2] for v in values), 1)
        if rounds > 1:
            figures[f"search_{label}_runs_ms"] = [round(v[0], 1) for v in values]
    # the cursor far down (the oldest session) while a common word is searched: its
    # session is found again in the new order in the background
    await pilot.press("end")
    await pilot.pause()
    rows, cursor, _, _ = await _search(pilot, frames, app, SEARCHES[0][1])
    figures["search_common_far_cursor_ms"] = round(cursor, 1)
    figures["search_common_far_rows_ms"] = round(rows, 1)
    await pilot.press("home")
    await pilot.pause()


async def drive(
    store_path: Path,
    figures: dict[str, Any],
    memory: MemoryPeak,
    rounds: int = 0,
    sync_url: str | None = None,
) -> None:
    """The script; ``rounds`` > 0: only the searches, that many times each; ``sync_url``: at
    the end, the same app syncs from the simulator there (``during_sync``)."""
    from mluvii_tui.app import MluviiApp
    from mluvii_tui.query.types import Filter
    from mluvii_tui.store.store import SessionStore
    from mluvii_tui.widgets.session_table import SessionTable

    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="console-bench", now=lambda: NOW)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(SessionTable)
        frames = Frames(app, table)
        while table._loaded is None:
            await pilot.pause(0.002)
        await pilot.pause()
        _step("open", memory)
        figures["pilot_open_to_rows_s"] = round(time.perf_counter() - started, 3)
        if rounds:
            await _searches(pilot, frames, app, figures, rounds)
            _step("searches", memory)
            return
        moves = []
        for key in ("down",) * 10 + ("pagedown",) * 3 + ("home",):
            row = table.cursor_row
            t0 = await _key(app, key)
            while not frames.cursor_drawn.get(table.cursor_row, 0) > t0 or table.cursor_row == row:
                await asyncio.sleep(0.002)
            moves.append(_ms(t0, frames.cursor_drawn[table.cursor_row]))
        figures["cursor_key_ms_median"] = round(statistics.median(moves), 1)
        _step("cursor keys", memory)

        keys: list[float] = []
        for name in NAMES:
            keys += await _quick(pilot, frames, app, name)
        figures["quick_filter_key_ms"] = [round(k, 1) for k in keys]
        figures["quick_filter_key_ms_p95"] = round(_p95(keys), 1)
        prefixes: dict[str, list[float]] = {}
        for prefix in PREFIXES:
            prefixes[prefix] = [round(k, 1) for k in await _quick(pilot, frames, app, prefix)]
        figures["quick_filter_prefix_ms"] = prefixes
        every = keys + [k for ks in prefixes.values() for k in ks]
        figures["quick_filter_all_keys_ms_p95"] = round(_p95(every), 1)
        _step("quick filter", memory)

        await _searches(pilot, frames, app, figures)
        _step("searches", memory)

        contains: dict[str, float] = {}
        for label, flt in (
            ("client contains novak + channel Chat", (
                Filter("client_name", "contains", ("novak",)), Filter("channel", "in", ("Chat",))
            )),
            ("client contains ja", (Filter("client_name", "contains", ("ja",)),)),
            ("operator contains nov", (Filter("operators", "contains", ("nov",)),)),
        ):  # fmt: skip
            took, count = await _filtered(frames, app, flt)
            contains[label] = round(took, 1)
            figures.setdefault("contains_filter_counts", {})[label] = count
        figures["contains_filter_each_ms"] = contains
        figures["contains_filter_ms"] = max(contains.values())
        _step("contains filters", memory)

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
                first = _ms(t0, await _shown(frames, table.query))
                found = _ms(t0, await _shown(frames, table.query, cursor=True))
                key = f"{column} {'desc' if table.query.sort.descending else 'asc'}"
                firsts[key] = round(first, 1)
                cursors[key] = round(found, 1)
        figures["sort_ms"] = firsts
        figures["sort_worst_ms"] = max(firsts.values())
        figures["sort_cursor_worst_ms"] = max(cursors.values())
        _step("sorts", memory)

        await pilot.press("d")  # the detail pane of the cursor's session
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "down")
        await app.workers.wait_for_complete()
        await pilot.pause()
        _step("detail pane", memory)
        flt = (Filter("client_name", "contains", ("novak",)),)
        app.screen.apply_query(replace(table.query, filters=flt))
        await _shown(frames, replace(table.query, filters=flt))
        out = Path(tempfile.mkdtemp(prefix="console-export-"))
        try:
            figures["export_s"] = round(await _export(pilot, app, frames, out), 2)
            figures["export_rows"] = table.count
        finally:
            shutil.rmtree(out, ignore_errors=True)
        _step("export", memory)
        if sync_url is not None:
            await during_sync(pilot, app, frames, sync_url, figures, memory)
            _step("sync", memory)
    store.close()


def _step(name: str, memory: MemoryPeak) -> None:
    memory.sample()
    memory.steps[name] = round(memory.last_kb / 1024, 1)
    parts = {_label(pid): round(kb / 1024, 1) for pid, kb in memory.each().items()}
    memory.processes[name] = parts
    print(f"{name}: PSS {memory.last_kb / 1024:.0f} MB {parts}", file=sys.stderr, flush=True)


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[-1]


@contextlib.contextmanager
def simulator(sessions: int) -> Iterator[tuple[str, int]]:
    """The demo's simulator serving ``sessions`` (the remote server: a process of its own, left
    out of the tree measured); yields its URL and pid once it answers."""
    exe = Path(sys.executable).with_name("mluvii-tui")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sim = subprocess.Popen(
        [str(exe), "simulator", "--port", str(port), "--sessions", str(sessions)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:  # the simulator generates its data first
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", sim.pid
    finally:
        sim.terminate()
        sim.wait(10)


async def during_sync(
    pilot: Any, app: Any, frames: Frames, url: str, figures: dict[str, Any], memory: MemoryPeak
) -> None:
    """The drive's app (the one that searched, opened the detail pane and exported) signs in
    to the simulator at ``url`` and syncs its window into the store it shows, as a console does
    when it connects: cursor keys while the sync runs, and the PSS of the tree (the app and its
    sync process) sampled every 0.2 s."""
    from mluvii_tui.api.client import MluviiClient

    table = frames.table
    before = table.total
    app._now = None  # the sync's window ends now, not at the drive's fixed clock
    app.sync_days = 36_500
    app.client = MluviiClient(url, "demo-admin", "demo-admin-secret")
    keys: list[float] = []
    lost = 0
    during = memory.start_phase()
    started = time.perf_counter()
    app._online()  # who-am-I, the sync, the live feed: what connecting starts
    while table.total == before and time.perf_counter() - started < 120:
        await pilot.pause(0.05)  # the first page committed and shown (a filter may hide it)
    figures["sync_first_page_s"] = round(time.perf_counter() - started, 2)
    key = "down"
    t_sync = time.perf_counter()
    while time.perf_counter() - t_sync < 600:
        syncing = any(w.group == "sync" and w.is_running for w in app.workers)
        if not syncing and len(keys) > 20:
            break
        row = table.cursor_row
        if row == 0:  # a reload may have put the cursor on the newest session
            key = "down"
        t1 = await _key(app, key)
        new = table.cursor_row
        while not (new != row and frames.cursor_drawn.get(new, 0) > t1):
            if time.perf_counter() - t1 > KEY_LOST:
                break
            await asyncio.sleep(0.002)
            new = table.cursor_row
        else:
            keys.append(_ms(t1, frames.cursor_drawn[new]))
        if new == row:  # a reload moved the cursor back as the key moved it
            lost += 1
        key = "up" if key == "down" else "down"
        await asyncio.sleep(0.03)
    figures["sync_s"] = round(time.perf_counter() - started, 1)
    figures["sync_sessions_added"] = table.total - before
    figures["key_during_sync_ms_max"] = round(max(keys), 1) if keys else None
    figures["key_during_sync_keys"] = len(keys)
    figures["key_during_sync_lost"] = lost
    figures["key_during_sync_ms"] = [round(k, 1) for k in keys]
    figures["key_during_sync_p95_ms"] = round(_p95(keys), 1) if keys else None
    figures["pss_sync_peak_mb"] = round(during.peak_kb / 1024, 1)
    figures["pss_sync_processes_at_peak_mb"] = during.processes
    figures["pss_sync_each_peak_mb"] = during.each
    figures["sync_cpu_s_by_process"] = {k: round(v, 2) for k, v in during.cpu_s.items()}


def report(figures: dict[str, Any]) -> None:
    print(f"\n{'figure':<26} {'measured':>10} {'target':>8}")
    for key, target in TARGETS.items():
        value = figures.get(key)
        shown = "-" if value is None else f"{value:g}"
        mark = "" if value is None else ("ok" if value <= target else "OVER")
        print(f"{key:<26} {shown:>10} {target:>8g}  {mark}")
    searches = sorted(k for k in figures if k.startswith("search_") and k not in TARGETS)
    for key in (
        *searches,
        "quick_filter_all_keys_ms_p95",
        "contains_filter_each_ms",
        "pss_after_step_mb",
        "pss_processes_at_peak_mb",
        "pss_sync_each_peak_mb",
        "sync_cpu_s_by_process",
        "launch_cpu_s",
        "cpu_s",
        "loadavg_start",
        "loadavg_end",
    ):
        if key in figures:
            print(f"{key:<26} {figures[key]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=1_000_000)
    ap.add_argument("--store", type=Path, help="a store made by gen_store.py (reused)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--sync", type=int, default=100_000, help="sessions of the sync (0: skip)")
    ap.add_argument("--no-pty", action="store_true", help="skip the pseudo-terminal launch")
    ap.add_argument(
        "--searches",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="only the search steps, ROUNDS times each (no launch, sync or other steps)",
    )
    args = ap.parse_args(argv)
    from mluvii_tui.heap import bound_heap, without_httpx_cli

    bound_heap()  # as ``mluvii-tui`` does first (cli/main.py): the app runs in this process
    without_httpx_cli()
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
    if args.searches:
        args.no_pty, args.sync = True, 0
    if args.sync and made is None:  # the sync writes into the store the drive shows: a copy
        made = Path(tempfile.mkdtemp(prefix="console-bench-")) / "store.sqlite3"
        shutil.copyfile(store, made)
        store = made
        # a store gen_store made before it added the dictionary: added in a process of its own
        # (this one is the app's: what the training allocates would count as the app's memory)
        here = str(Path(__file__).parent)
        code = "import sys; from gen_store import add_compression_dict as a; a(sys.argv[1])"
        subprocess.run([sys.executable, "-c", code, str(store)], check=True, cwd=here)
    if not args.no_pty:
        runs = launch_in_pty(store)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures["launch_runs_s"] = [round(r, 3) for r in runs]
        figures["launch_to_rows_s"] = round(statistics.median(runs), 3)
        figures["launch_cpu_s"] = round((children.ru_utime + children.ru_stime) / len(runs), 3)
    with contextlib.ExitStack() as stack:
        sync_url, remote = None, set()
        if args.sync:  # the remote server: started before the drive, outside the tree measured
            sync_url, sim_pid = stack.enter_context(simulator(args.sync))
            remote = {sim_pid}
        memory = stack.enter_context(MemoryPeak(exclude=remote))
        # the app's settings (sort, widths, views) in a home of this run: the drive starts from
        # the defaults whatever an earlier run left (the cache, lemma tries, as a user has it)
        home = Path(tempfile.mkdtemp(prefix="console-bench-home-"))
        saved = dict(os.environ)
        for kind in ("CONFIG", "STATE", "DATA"):
            os.environ[f"XDG_{kind}_HOME"] = str(home / kind.lower())
        try:
            asyncio.run(drive(store, figures, memory, args.searches, sync_url))
        finally:
            os.environ.clear()
            os.environ.update(saved)
            shutil.rmtree(home, ignore_errors=True)
        figures["pss_after_step_mb"] = memory.steps
        figures["pss_processes_after_export_mb"] = memory.processes.get("export")
        own = resource.getrusage(resource.RUSAGE_SELF)
        figures["cpu_s"] = round(own.ru_utime + own.ru_stime, 2)
        figures["rss_after_drive_mb"] = round(memory.peak_kb / 1024, 1)
    figures["pss_processes_at_peak_mb"] = memory.peak_processes
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
