"""Live benchmark, console half: webhooks -> relay -> the real console (Pilot, screen rendering).

    python bench/live.py --console-only --rate 200 --seconds 10 --json FILE

The simulator and the relay run as their own processes, the poster (``post_stream`` of
bench/live.py) in a third; this process runs only the console: ``MluviiApp`` under Pilot at
120x40, following the relay like `mluvii-tui --relay URL`. An event is "on screen" when the batch
that applied it has been rendered: the table's re-read rows have landed (``updating`` is off) and
the screen was refreshed after that (``call_after_refresh``). Figures:

- ``latency_p50_ms`` / ``latency_p95_ms`` / ``latency_max_ms``: webhook POST sent -> on screen
  (same machine clock, ``time.time()`` in both processes);
- ``lost_events`` (posted, acknowledged by the relay, never shown), ``duplicated_events`` (shown
  twice);
- ``key_latency_ms``: p50/p95/max of key press (``j``/``k``, cursor moves) -> screen rendered,
  pressed every 100 ms during the stream;
- ``console_cpu_percent``: this process's CPU over the stream (of one core);
- ``console_cpu_us_per_event``: that CPU time (all threads) divided by the events posted: the
  figure that does not depend on the machine's load; ``load_average_1m`` when the run ended;
- ``relay_rss_mb`` at the end.
Targets at 200 events/s: p95 <= 250 ms, 0 lost, 0 duplicated, keys <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

P95_TARGET_MS = 250.0
KEY_TARGET_MS = 50.0


async def console_half(args: argparse.Namespace) -> dict[str, Any]:
    from live import TOKEN, RelayProcess, SimulatorProcess, percentile, post_stream
    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.app import MluviiApp
    from mluvii_tui.screens.live import LiveOptions
    from mluvii_tui.store.store import SessionStore
    from mluvii_tui.widgets.session_table import SessionTable

    sim = SimulatorProcess()
    session_ids = sim.session_ids(200)
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-console-"))
    relay = RelayProcess(sim.base, f"sqlite:{tmp / 'events.db'}", [])
    poster = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    store = SessionStore(tmp / "console.sqlite")
    client = MluviiClient(sim.base, "demo-admin", "demo-admin-secret")
    app = MluviiApp(store, client, profile="bench-live", live=LiveOptions(relay.base, TOKEN))
    shown: dict[int, float] = {}
    times_shown: Counter[int] = Counter()

    def on_shown(events: list[Any], _at: float) -> None:
        seqs = [e.seq for e in events]

        def painted() -> None:
            now = time.time()
            for seq in seqs:
                times_shown[seq] += 1
                shown.setdefault(seq, now)

        def landed() -> None:  # the table's rows come from a worker: wait until they are in
            if app.screen.query_one(SessionTable).updating:
                app.set_timer(0.002, landed)
            else:
                app.call_after_refresh(painted)

        landed()

    app.live.on_shown = on_shown
    arrived: dict[int, float] = {}
    deliver = app.live._on_event

    def on_event(event: Any) -> None:  # when the frame reached the console (relay's share)
        arrived.setdefault(event.seq, time.time())
        deliver(event)

    app.live._on_event = on_event  # type: ignore[method-assign]
    flushes: list[float] = []
    flush = app.live.flush

    def timed_flush() -> None:  # the console's own work per batch (apply + reload)
        started = time.perf_counter()
        flush()
        flushes.append((time.perf_counter() - started) * 1000)

    app.live.flush = timed_flush  # type: ignore[method-assign]
    keys: list[float] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 60
            while app.live.feed is None or app.live.feed.state.kind != "live":
                if time.monotonic() > deadline:
                    raise SystemExit("the console never connected to the relay")
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            while any(w.group == "sync" and w.is_running for w in app.workers):
                await pilot.pause(0.05)  # the first sync is in
            loop = asyncio.get_running_loop()
            cpu0, wall0 = time.process_time(), time.monotonic()
            stream = loop.run_in_executor(
                poster, post_stream, relay.base, session_ids, args.rate, args.seconds
            )
            table = app.screen.query_one(SessionTable)
            moved: list[asyncio.Future[None]] = []

            def cursor_moved(_row: int) -> None:  # handled: resolve once it is painted
                for future in moved:
                    app.call_after_refresh(lambda f=future: f.done() or f.set_result(None))
                moved.clear()

            app.watch(table, "cursor_row", cursor_moved, init=False)
            n = 0
            while not stream.done():
                await asyncio.sleep(0.1)
                painted = loop.create_future()
                moved.append(painted)
                started = time.perf_counter()
                app.simulate_key("j" if n % 2 == 0 else "k")
                await asyncio.wait_for(painted, 10)
                keys.append((time.perf_counter() - started) * 1000)
                n += 1
            sent = await stream
            settle = time.monotonic() + 5
            while set(sent) - set(shown) and time.monotonic() < settle:
                await pilot.pause(0.05)
            cpu_s = time.process_time() - cpu0
            cpu = cpu_s / (time.monotonic() - wall0) * 100
            feed_counters = app.live.feed.counters if app.live.feed else None
    finally:
        poster.shutdown()
        rss = relay.rss_mb()
        relay.stop()
        sim.stop()
        store.close()
    latencies = [(shown[seq] - at) * 1000 for seq, at in sent.items() if seq in shown]
    relay_part = [(arrived[seq] - at) * 1000 for seq, at in sent.items() if seq in arrived]
    return {
        "console_rate": args.rate,
        "console_seconds": args.seconds,
        "events_posted": len(sent),
        "latency_p50_ms": round(percentile(latencies, 0.50), 1),
        "latency_p95_ms": round(percentile(latencies, 0.95), 1),
        "latency_max_ms": round(max(latencies, default=float("nan")), 1),
        "arrival_p50_ms": round(percentile(relay_part, 0.50), 1),
        "arrival_p95_ms": round(percentile(relay_part, 0.95), 1),
        "flush_p50_ms": round(percentile(flushes, 0.50), 1),
        "flush_p95_ms": round(percentile(flushes, 0.95), 1),
        "flushes": len(flushes),
        "lost_events": len(set(sent) - set(shown)),
        "duplicated_events": sum(1 for c in times_shown.values() if c > 1),
        "feed_duplicates_skipped": feed_counters.duplicates if feed_counters else None,
        "key_latency_ms": {
            "p50": round(percentile(keys, 0.5), 1),
            "p95": round(percentile(keys, 0.95), 1),
            "max": round(max(keys, default=float("nan")), 1),
            "presses": len(keys),
        },
        "console_cpu_percent": round(cpu, 1),
        "console_cpu_us_per_event": round(cpu_s / max(len(sent), 1) * 1e6),
        "load_average_1m": os.getloadavg()[0],
        "relay_rss_mb_console_run": round(rss, 1),
    }


def report(figures: dict[str, Any]) -> None:
    p95, keys = figures["latency_p95_ms"], figures["key_latency_ms"]
    print(
        f"console: {figures['events_posted']} events at {figures['console_rate']:g}/s"
        f"  event->screen p50 {figures['latency_p50_ms']} ms  p95 {p95} ms"
        f" (target <= {P95_TARGET_MS:g}: {'ok' if p95 <= P95_TARGET_MS else 'MISSED'})"
        f"  max {figures['latency_max_ms']} ms; of which webhook -> console"
        f" p50 {figures['arrival_p50_ms']} / p95 {figures['arrival_p95_ms']} ms;"
        f" {figures['flushes']} batches applied in p50 {figures['flush_p50_ms']} /"
        f" p95 {figures['flush_p95_ms']} ms"
    )
    print(
        f"console: lost {figures['lost_events']}  duplicated {figures['duplicated_events']}"
        f"  keys p50 {keys['p50']} / p95 {keys['p95']} / max {keys['max']} ms over"
        f" {keys['presses']} presses (target <= {KEY_TARGET_MS:g}:"
        f" {'ok' if keys['p95'] <= KEY_TARGET_MS else 'MISSED'})"
        f"  console CPU {figures['console_cpu_percent']} %"
        f" ({figures['console_cpu_us_per_event']} µs per event)"
        f"  load {figures['load_average_1m']:.2f}"
        f"  relay RSS {figures['relay_rss_mb_console_run']} MB"
    )
