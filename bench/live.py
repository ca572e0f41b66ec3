"""Live benchmark: webhooks -> relay -> websocket consoles.

    python bench/live.py [--rate 100] [--seconds 5] [--max-consoles 800] [--store sqlite|redis]
                         [--json FILE]

Relay half (this file): the relay runs as its own process (``mluvii-tui relay``), enriching from
the embedded simulator (another process); this script posts ``--rate`` webhooks per second, as
mluvii would (Basic credentials, one event per POST, keep-alive), to 200 sessions that exist:
4 of 5 are chat messages (they carry their content), 1 of 5 a lifecycle event (SessionForwarded:
the relay fetches the session from the simulator and sends it with the event). It then
connects 1, 10, 25, 50, 100, 200, 400, ... raw websocket consoles (as ``LiveFeed`` connects:
token, resume, permessage-deflate) and streams for ``--seconds`` per step. Latency = the moment
the webhook POST was sent -> the moment a console received the frame, same clock, over every
console and event of a step. Figures:

- ``fanout_consoles``: the most consoles one relay fed with p95 <= 250 ms and nothing lost
  (target: >= 200, "hundreds of consoles" in DESIGN.md);
- ``relay_rss_mb`` / ``relay_peak_rss_mb``: the relay's resident memory at the end / its peak;
- per step: p50/p95/max ms, lost frames, relay CPU %;
- ``load_average_1m``: on a shared 2-core machine the consoles (this process) and the relay
  compete for CPU, so the figures are a floor.

Console half (event -> screen latency via Pilot, key latency, console CPU; issue 12 part 5):
bench/live_console.py, run first (``--console-only`` / ``--relay-only`` pick one half).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import websockets

TOKEN = "bench-token"
HOOK = ("mluvii", "bench-hook-secret")
P95_TARGET_MS = 250.0
FANOUT_TARGET = 200
STEPS = (1, 10, 25, 50, 100, 200, 400, 800, 1600)
CONSUMER_PROCESSES = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"{what} did not start") from None
            time.sleep(0.05)


class SimulatorProcess:
    """The embedded simulator as its own process (``mluvii-tui simulator``), as mluvii's API."""

    def __init__(self) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "mluvii_tui", "simulator", "--port", str(port),
                   "--sessions", "300"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _wait_http(self.base + "/_sim/stats", self.process, "the simulator")

    def session_ids(self, count: int) -> list[int]:
        token = httpx.post(
            self.base + "/login/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-admin",
                "client_secret": "demo-admin-secret",
            },
        ).json()["access_token"]
        sessions = httpx.get(
            self.base + "/api/v1/Sessions",
            params={"limit": count},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        return [s["id"] for s in sessions]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)


class RelayProcess:
    def __init__(self, mluvii: str, store: str, extra: list[str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "MLUVII_TUI_RELAY_TOKEN": TOKEN,
            "MLUVII_TUI_WEBHOOK_SECRET": HOOK[1],
            "MLUVII_TUI_CLIENT_ID": "demo-admin",
            "MLUVII_TUI_CLIENT_SECRET": "demo-admin-secret",
        }
        command = [
            sys.executable, "-m", "mluvii_tui", "relay", "--port", str(self.port),
            "--mluvii", mluvii, "--public-url", self.base, "--store", store, "--no-register",
            *extra,
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        _wait_http(self.base + "/health", self.process, "the relay")

    def _status(self, key: str) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    def rss_mb(self) -> float:
        return self._status("VmRSS")

    def peak_rss_mb(self) -> float:
        return self._status("VmHWM")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Consoles:
    """N websocket consumers spread over ``CONSUMER_PROCESSES`` processes (one Python process
    cannot read thousands of frames per second on a loaded machine: it, not the relay, would be
    measured). Each frame's seq is read without parsing the JSON."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.arrivals: list[tuple[int, float]] = []  # (seq, time received) of every frame
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._ready = context.Queue()
        self._results = context.Queue()
        self._processes: list[Any] = []
        self._context = context

    async def open(self, count: int) -> None:
        shares = [count // CONSUMER_PROCESSES] * CONSUMER_PROCESSES
        for index in range(count % CONSUMER_PROCESSES):
            shares[index] += 1
        for share in (n for n in shares if n):
            process = self._context.Process(
                target=_consume, args=(self.url, share, self._ready, self._stop, self._results)
            )
            process.start()
            self._processes.append(process)
        loop = asyncio.get_running_loop()
        for _ in self._processes:
            await loop.run_in_executor(None, self._ready.get, True, 120)

    async def close(self) -> None:
        self._stop.set()
        loop = asyncio.get_running_loop()
        for _ in self._processes:
            self.arrivals.extend(await loop.run_in_executor(None, self._results.get, True, 120))
        for process in self._processes:
            process.join(timeout=10)


def _consume(url: str, count: int, ready: Any, stop: Any, results: Any) -> None:
    arrivals: list[tuple[int, float]] = []

    async def one(opened: list[int]) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with websockets.connect(url, additional_headers=headers, max_size=2**24) as ws:
            await ws.send('{"resume": null}')
            await ws.recv()  # hello
            opened.append(1)
            async for frame in ws:
                now = time.time()
                text = frame if isinstance(frame, str) else frame.decode()
                if text.startswith('{"type":"event","seq":'):
                    arrivals.append((int(text[22 : text.index(",", 22)]), now))

    async def main() -> None:
        opened: list[int] = []
        tasks = []
        for n in range(count):
            tasks.append(asyncio.create_task(one(opened)))
            if n % 50 == 49:
                await asyncio.sleep(0.05)
        while len(opened) < count:
            await asyncio.sleep(0.02)
        ready.put(True)
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())
    results.put(arrivals)


def post_stream(
    relay: str, session_ids: list[int], rate: float, seconds: float
) -> dict[int, float]:
    """In a process of its own (so that posting does not slow the consoles' clock): post
    ``rate`` webhooks per second for ``seconds``; {seq the relay assigned: time sent}."""
    sent: dict[int, float] = {}
    asyncio.run(_stream(relay, session_ids, rate, seconds, sent))
    return sent


async def _stream(
    relay: str, session_ids: list[int], rate: float, seconds: float, sent: dict[int, float]
) -> None:
    """Paced posts on 8 keep-alive connections, HTTP/1.1 written by hand: httpx costs ~2 ms of
    CPU per request, which on a loaded machine made the poster, not the relay, the bottleneck."""
    host, port = relay.removeprefix("http://").split(":")
    auth = "Basic " + base64.b64encode(f"{HOOK[0]}:{HOOK[1]}".encode()).decode()
    counter = int(time.time() * 1000) % 10**9 * 1000
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()

    def event(n: int) -> bytes:
        sid = random.choice(session_ids)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{n:06d}+00:00"
        if n % 5 == 4:  # a lifecycle event: the relay fetches the session
            data = {"id": sid, "tenantId": 1, "channel": "Chat", "source": "Default",
                    "time": stamp, "userId": 101}  # fmt: skip
            return json.dumps({"eventType": "SessionForwarded", "data": data}).encode()
        data = {"sessionId": sid, "activityId": counter + n, "time": stamp,
                "type": "ChatMessage", "text": f"bench message {n}"}  # fmt: skip
        return json.dumps({"eventType": "SessionActivityChatMessage", "data": data}).encode()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        while True:
            _, body = await queue.get()
            started = time.time()
            writer.write(
                f"POST /webhook HTTP/1.1\r\nHost: {host}\r\nAuthorization: {auth}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            answer = json.loads(await reader.readexactly(length))
            if "seq" in answer:
                sent[answer["seq"]] = started
            queue.task_done()

    workers = [asyncio.create_task(connection()) for _ in range(8)]
    begin = time.monotonic()
    for n in range(int(rate * seconds)):
        delay = begin + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((n, event(n)))
    await queue.join()
    for worker in workers:
        worker.cancel()


def fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares ``y = a + b x``; (a, b)."""
    if len(points) < 2:
        return (points[0][1], 0.0) if points else (0.0, 0.0)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - b * mx, b


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def relay_half(args: argparse.Namespace) -> dict[str, Any]:
    sim = SimulatorProcess()
    session_ids = sim.session_ids(200)
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    redis_process = None
    if args.store == "redis":
        if shutil.which("redis-server") is None:
            raise SystemExit("--store redis needs redis-server")
        redis_port = free_port()
        redis_process = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)
        store = f"redis://127.0.0.1:{redis_port}/0"
    else:
        store = f"sqlite:{tmp / 'events.db'}"
    relay = RelayProcess(sim.base, store, ["--compression"] if args.compression else [])
    poster = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    steps: list[dict[str, Any]] = []
    fanout = 0
    try:
        for count in [n for n in STEPS if n <= args.max_consoles]:
            consoles = Consoles(relay.base.replace("http", "ws") + "/ws")
            await consoles.open(count)
            cpu0, wall0 = relay.cpu_seconds(), time.monotonic()
            sent = await asyncio.get_running_loop().run_in_executor(
                poster, post_stream, relay.base, session_ids, args.rate, args.seconds
            )
            seqs = list(sent)
            await asyncio.sleep(1.0)
            cpu = (relay.cpu_seconds() - cpu0) / (time.monotonic() - wall0) * 100  # of one core
            await consoles.close()
            latencies = [(at - sent[seq]) * 1000 for seq, at in consoles.arrivals if seq in sent]
            lost = len(seqs) * count - len(latencies)
            per_event_us = (relay.cpu_seconds() - cpu0) / max(1, len(seqs)) * 1e6
            step = {
                "consoles": count,
                "events": len(seqs),
                "p50_ms": round(percentile(latencies, 0.50), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
                "max_ms": round(max(latencies, default=float("nan")), 1),
                "lost": lost,
                "relay_cpu_percent": round(cpu, 1),
                "relay_cpu_us_per_event": round(per_event_us, 1),
            }
            steps.append(step)
            print(
                f"  {count:5d} consoles  p50 {step['p50_ms']:7.1f} ms  p95 {step['p95_ms']:7.1f}"
                f" ms  max {step['max_ms']:7.1f} ms  lost {lost:6d}  relay CPU {cpu:5.1f} %"
                f" ({per_event_us:.0f} us/event)",
                flush=True,
            )
            if step["p95_ms"] <= P95_TARGET_MS and lost == 0:
                fanout = count
            else:
                break
        health = httpx.get(relay.base + "/health").json()
        # On a loaded machine the measured fan-out is capped by the relay's share of the CPU, not
        # by its work. Its CPU per event = ingest + per_frame * consoles (least squares over the
        # steps) says how many consoles one whole core would feed at this rate.
        ingest, per_frame = fit([(st["consoles"], st["relay_cpu_us_per_event"]) for st in steps])
        capacity = (1e6 / args.rate - ingest) / per_frame if per_frame > 0 else 0.0
        figures = {
            "rate": args.rate,
            "seconds_per_step": args.seconds,
            "store": args.store,
            "compression": args.compression,
            "fanout_consoles": fanout,
            "relay_ingest_us_per_event": round(ingest, 1),
            "relay_us_per_frame": round(per_frame, 1),
            "fanout_one_core_estimate": int(capacity),
            "relay_rss_mb": round(relay.rss_mb(), 1),
            "relay_peak_rss_mb": round(relay.peak_rss_mb(), 1),
            "session_fetches": health["enrich"]["fetches"],
            "events_stored": health["events"]["stored"],
            "steps": steps,
        }
    finally:
        poster.shutdown()
        relay.stop()
        sim.stop()
        if redis_process is not None:
            redis_process.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    return figures


async def console_half(args: argparse.Namespace) -> dict[str, Any]:
    """Event -> screen latency through the real app (Pilot): bench/live_console.py."""
    from live_console import console_half as run

    return await run(args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="webhooks per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="stream length per step")
    parser.add_argument("--max-consoles", type=int, default=800)
    parser.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument(
        "--compression", action="store_true", help="run the relay with --compression"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--console-only", action="store_true", help="skip the relay half")
    parser.add_argument("--relay-only", action="store_true", help="skip the console half")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    if not args.relay_only:
        from live_console import report

        print(f"console half: {args.rate:g} events/s for {args.seconds:g} s, Pilot at 120x40")
        figures.update(asyncio.run(console_half(args)))
        report(figures)
    if args.console_only:
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
        return 0
    print(f"relay half: {args.rate:g} events/s, {args.seconds:g} s per step, {args.store} log")
    figures.update(asyncio.run(relay_half(args)))
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    ok = figures["fanout_consoles"] >= FANOUT_TARGET
    print(
        f"fanout_consoles   {figures['fanout_consoles']:6d}      target >= {FANOUT_TARGET}"
        f" at {args.rate:g} events/s with p95 <= {P95_TARGET_MS:g} ms  {'ok' if ok else 'MISSED'}"
    )
    print(
        f"one-core estimate {figures['fanout_one_core_estimate']:6d}      consoles (relay CPU:"
        f" {figures['relay_ingest_us_per_event']} us per event in,"
        f" {figures['relay_us_per_frame']} us per frame out)"
    )
    rss, peak = figures["relay_rss_mb"], figures["relay_peak_rss_mb"]
    print(f"relay_rss_mb      {rss:8.1f}    peak {peak} MB")
    print(f"session fetches   {figures['session_fetches']:6d}      for {figures['events_stored']}")
    print(f"load average 1 m  {figures['load_average_1m']:8.2f}    (shared machine: a floor)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
