"""Live benchmark: webhooks -> relay -> websocket consoles.

    python bench/live.py [--rate 100] [--seconds 5] [--max-consoles 800] [--store sqlite|redis]
                         [--json FILE]

Relay half (this file): the relay runs as its own process (``mluvii-tui relay``), enriching from
the embedded simulator (in this process); this script posts ``--rate`` chat-message webhooks per
second, as mluvii would (Basic credentials, one event per POST, keep-alive), to sessions that
exist, so every event costs a real session fetch and carries the session to the consoles. It then
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

Console half (event -> screen latency via Pilot, key latency, console CPU; issue 12 part 5) is
added by the UI: ``console_half()`` below returns its figures; it is empty until then.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from mluvii_tui.demo.runner import Simulator

TOKEN = "bench-token"
HOOK = ("mluvii", "bench-hook-secret")
P95_TARGET_MS = 250.0
FANOUT_TARGET = 200
STEPS = (1, 10, 25, 50, 100, 200, 400, 800, 1600)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RelayProcess:
    def __init__(self, mluvii: str, store: str) -> None:
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
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.base + "/health", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("the relay did not start") from None
                time.sleep(0.05)

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
    """N raw websocket consumers; each frame's seq is read without parsing the JSON."""

    def __init__(self, url: str, sent: dict[int, float]) -> None:
        self.url = url
        self.sent = sent
        self.latencies: list[float] = []
        self.received = 0
        self.closed_early = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = 0

    async def _one(self) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        try:
            async with websockets.connect(
                self.url, additional_headers=headers, max_size=2**24
            ) as ws:
                await ws.send('{"resume": null}')
                await ws.recv()  # hello
                self._ready += 1
                async for frame in ws:
                    now = time.time()
                    text = frame if isinstance(frame, str) else frame.decode()
                    if text.startswith('{"type":"event","seq":'):
                        seq = int(text[22 : text.index(",", 22)])
                        sent = self.sent.get(seq)
                        if sent is not None:
                            self.latencies.append((now - sent) * 1000)
                            self.received += 1
        except websockets.ConnectionClosed:
            self.closed_early += 1

    async def open(self, count: int) -> None:
        for _ in range(count):
            self._tasks.append(asyncio.create_task(self._one()))
            if len(self._tasks) % 50 == 0:
                await asyncio.sleep(0.05)
        deadline = time.monotonic() + 60
        while self._ready < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def stream(
    relay: str, session_ids: list[int], rate: float, seconds: float, sent: dict[int, float]
) -> list[int]:
    """Post ``rate`` webhooks per second for ``seconds``; return the seqs the relay assigned."""
    seqs: list[int] = []
    counter = int(time.time() * 1000) % 10**9 * 1000

    async with httpx.AsyncClient(base_url=relay, auth=HOOK, timeout=10) as http:

        async def post(n: int) -> None:
            sid = random.choice(session_ids)
            data = {"sessionId": sid, "activityId": counter + n, "type": "ChatMessage",
                    "time": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                    "text": f"bench message {n}"}  # fmt: skip
            started = time.time()
            answer = await http.post(
                "/webhook", json={"eventType": "SessionActivityChatMessage", "data": data}
            )
            seq = answer.json().get("seq")
            if seq is not None:
                sent[seq] = started
                seqs.append(seq)

        tasks = []
        begin = time.monotonic()
        total = int(rate * seconds)
        for n in range(total):
            delay = begin + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(n)))
        await asyncio.gather(*tasks)
    return seqs


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def relay_half(args: argparse.Namespace) -> dict[str, Any]:
    sim = Simulator(sessions=300, seed=7)
    sim_url = sim.start()
    session_ids = sorted(sim.app.state.source._by_id)[:200]
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
    relay = RelayProcess(sim_url, store)
    steps: list[dict[str, Any]] = []
    fanout = 0
    try:
        for count in [n for n in STEPS if n <= args.max_consoles]:
            sent: dict[int, float] = {}
            consoles = Consoles(relay.base.replace("http", "ws") + "/ws", sent)
            await consoles.open(count)
            cpu0, wall0 = relay.cpu_seconds(), time.monotonic()
            seqs = await stream(relay.base, session_ids, args.rate, args.seconds, sent)
            await asyncio.sleep(1.0)
            cpu = (relay.cpu_seconds() - cpu0) / (time.monotonic() - wall0) * 100
            await consoles.close()
            expected = len(seqs) * count
            lost = expected - consoles.received
            step = {
                "consoles": count,
                "events": len(seqs),
                "p50_ms": round(percentile(consoles.latencies, 0.50), 1),
                "p95_ms": round(percentile(consoles.latencies, 0.95), 1),
                "max_ms": round(max(consoles.latencies, default=float("nan")), 1),
                "lost": lost,
                "relay_cpu_percent": round(cpu, 1),
            }
            steps.append(step)
            print(
                f"  {count:5d} consoles  p50 {step['p50_ms']:7.1f} ms  p95 {step['p95_ms']:7.1f}"
                f" ms  max {step['max_ms']:7.1f} ms  lost {lost:6d}  relay CPU {cpu:5.1f} %",
                flush=True,
            )
            if step["p95_ms"] <= P95_TARGET_MS and lost == 0:
                fanout = count
            else:
                break
        health = httpx.get(relay.base + "/health").json()
        figures = {
            "rate": args.rate,
            "seconds_per_step": args.seconds,
            "store": args.store,
            "fanout_consoles": fanout,
            "relay_rss_mb": round(relay.rss_mb(), 1),
            "relay_peak_rss_mb": round(relay.peak_rss_mb(), 1),
            "session_fetches": health["enrich"]["fetches"],
            "events_stored": health["events"]["stored"],
            "steps": steps,
        }
    finally:
        relay.stop()
        sim.stop()
        if redis_process is not None:
            redis_process.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    return figures


async def console_half(args: argparse.Namespace) -> dict[str, Any]:
    """Event -> screen latency through the real app (Pilot); added with the live UI."""
    return {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="webhooks per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="stream length per step")
    parser.add_argument("--max-consoles", type=int, default=800)
    parser.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    print(f"relay half: {args.rate:g} events/s, {args.seconds:g} s per step, {args.store} log")
    figures = asyncio.run(relay_half(args))
    figures.update(asyncio.run(console_half(args)))
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    ok = figures["fanout_consoles"] >= FANOUT_TARGET
    print(
        f"fanout_consoles   {figures['fanout_consoles']:6d}      target >= {FANOUT_TARGET}"
        f" at {args.rate:g} events/s with p95 <= {P95_TARGET_MS:g} ms  {'ok' if ok else 'MISSED'}"
    )
    print(
        f"relay_rss_mb      {figures['relay_rss_mb']:8.1f}    peak {figures['relay_peak_rss_mb']} MB"
    )
    print(
        f"session fetches   {figures['session_fetches']:6d}      for {figures['events_stored']} events"
    )
    print(
        f"load average 1 m  {figures['load_average_1m']:8.2f}    (shared machine: figures are a floor)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
