"""Simulator webhook benchmark: a paced stream of events delivered to a local receiver.

    python bench/sim_webhooks.py [--rate 200] [--seconds 10] [--json FILE]

The simulator (in-process, real loopback sockets) posts ``--rate`` chat-message events per
second for ``--seconds`` (``POST /_sim/burst``) to one registered webhook; a receiver
(http.server, keep-alive) records when each arrives. Figures: ``delivered_per_s`` (distinct
events over the time from the first to the last), ``latency_p50_ms`` / ``latency_p95_ms`` /
``latency_max_ms`` (activity time -> arrival at the receiver), ``lost_events``,
``duplicates`` (re-deliveries, expected ~3%: mluvii may deliver twice),
``api_p95_ms_during`` (GET /api/v1/Sessions/{id} while the stream runs: delivery never blocks
the API), ``cpu_ms_per_event`` (simulator + receiver + this script, one process),
``load_average_1m`` (latency depends on it on a shared machine).
Targets: delivers the requested rate, p95 <= 250 ms, 0 lost, API p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from mluvii_tui.demo.runner import Simulator


class Receiver:
    def __init__(self) -> None:
        self.arrivals: list[tuple[float, dict[str, Any]]] = []
        self.texts: set[str] = set()
        self.burst_seen = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                now = time.time()
                event = json.loads(raw)
                with lock:
                    outer.arrivals.append((now, event))
                    text = str(event["data"].get("text") or "")
                    if text.startswith("burst message") and text not in outer.texts:
                        outer.texts.add(text)
                        outer.burst_seen += 1
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    receiver = Receiver()
    with Simulator(sessions=500, seed=7) as sim:
        api = httpx.Client(base_url=sim.base_url, timeout=30)
        token = api.post(
            "/login/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-admin",
                "client_secret": "demo-admin-secret",
            },
        ).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        url = f"http://bench:pw@127.0.0.1:{receiver.port}/hook"
        api.post("/api/v1/Webhooks", json={"callbackUrl": url, "eventTypes": []})
        cpu0 = time.process_time()
        expected = api.post("/_sim/burst", json={"rate": args.rate, "seconds": args.seconds})
        count = expected.json()["events"]
        some = api.get("/api/v1/Sessions", params={"limit": 1}).json()[0]["id"]
        api_times = []
        deadline = time.monotonic() + args.seconds + 30
        while time.monotonic() < deadline:
            t = time.perf_counter()
            api.get(f"/api/v1/Sessions/{some}")
            api_times.append((time.perf_counter() - t) * 1000)
            if receiver.burst_seen >= count:
                break
            time.sleep(0.05)
        cpu = time.process_time() - cpu0
        time.sleep(0.5)  # late duplicates
    burst = [
        (at, e["data"])
        for at, e in receiver.arrivals
        if e["eventType"] == "SessionActivityChatMessage"
        and str(e["data"].get("text", "")).startswith("burst message")
    ]
    seen: dict[str, float] = {}
    duplicates = 0
    latencies = []
    for at, data in burst:
        text = data["text"]
        if text in seen:
            duplicates += 1
            continue
        seen[text] = at
        latencies.append((at - datetime.fromisoformat(data["time"]).timestamp()) * 1000)
    span = (max(seen.values()) - min(seen.values())) if len(seen) > 1 else 1.0
    figures = {
        "requested_rate": args.rate,
        "events": count,
        "delivered_per_s": round((len(seen) - 1) / span, 1) if span else 0.0,
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p95_ms": round(pct(latencies, 0.95), 1),
        "latency_max_ms": round(max(latencies, default=0.0), 1),
        "lost_events": count - len(seen),
        "duplicates": duplicates,
        "api_p95_ms_during": round(pct(api_times, 0.95), 1),
        "cpu_ms_per_event": round(cpu * 1000 / max(1, count), 2),
        "load_average_1m": round(os.getloadavg()[0], 1),
    }
    for name, value in figures.items():
        print(f"{name:>20}: {value}")
    ok = figures["lost_events"] == 0 and figures["latency_p95_ms"] <= 250
    print(
        "targets: rate delivered, p95 <= 250 ms, 0 lost, API p95 <= 100 ms ->",
        "met" if ok and figures["api_p95_ms_during"] <= 100 else "NOT met",
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
