"""LiveFeed against the real relay over loopback: order, resume, reconnect with backoff, refusal,
bad frames, slow consumers; and the relay killed and restarted 20 times during a stream."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest
import websockets

from mluvii_tui.live.feed import ConnectionState, LiveEvent, LiveFeed, relay_ws_url
from relay_support import (
    TOKEN,
    WEBHOOK_PASSWORD,
    Poster,
    chat,
    free_port,
    start_relay,
)


class Collector:
    def __init__(self) -> None:
        self.events: list[LiveEvent] = []
        self.states: list[str] = []
        self.gate = asyncio.Event()  # cleared: the console is stuck (reads nothing)
        self.gate.set()
        self.arrived = asyncio.Event()

    async def on_event(self, event: LiveEvent) -> None:
        await self.gate.wait()
        self.events.append(event)
        self.arrived.set()

    def on_state(self, state: ConnectionState) -> None:
        self.states.append(state.label())

    async def wait_for(self, count: int, timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.events) < count:
                self.arrived.clear()
                await self.arrived.wait()


async def until(predicate, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def test_relay_urls():
    assert relay_ws_url("http://relay:8765") == "ws://relay:8765/ws"
    assert relay_ws_url("https://relay.example/") == "wss://relay.example/ws"
    assert relay_ws_url("wss://relay.example/live/ws") == "wss://relay.example/live/ws"
    with pytest.raises(ValueError, match="not a relay URL"):
        relay_ws_url("ftp://x")


def test_state_labels():
    now = 100.0
    assert ConnectionState("live", latency_ms=12.4).label(now) == "live (12 ms)"
    assert (
        ConnectionState("reconnecting", 2, now + 3.2).label(now)
        == "reconnecting (attempt 2, next in 3 s)"
    )
    refused = ConnectionState("refused", reason="bad relay token")
    assert refused.label() == "refused: bad relay token"


async def test_events_arrive_in_order_once_and_the_feed_resumes(tmp_path):
    relay = start_relay(f"sqlite:{tmp_path / 'e.db'}", None)
    poster = Poster(relay.base_url)
    got = Collector()
    feed = LiveFeed(relay.base_url, TOKEN, got.on_event, last_seq=0, on_state=got.on_state)
    task = asyncio.create_task(feed.run())
    try:
        for n in range(1, 6):
            await asyncio.to_thread(poster.send, "SessionActivityChatMessage", chat(3, n))
        await got.wait_for(5)
        await until(lambda: feed.state.latency_ms is not None)
        assert feed.state.label().startswith("live (")
        assert [e.seq for e in got.events] == [1, 2, 3, 4, 5]
        assert [e.data["activityId"] for e in got.events] == [1, 2, 3, 4, 5]
        log_id = feed.log_id
        feed.stop()
        await task
        assert feed.state.label() == "stopped"

        # A new feed (a restarted console) resumes from what the first applied.
        for n in range(6, 9):
            await asyncio.to_thread(poster.send, "SessionActivityChatMessage", chat(3, n))
        again = Collector()
        feed2 = LiveFeed(relay.base_url, TOKEN, again.on_event, last_seq=5, log_id=log_id)
        task = asyncio.create_task(feed2.run())
        await again.wait_for(3)
        assert [e.seq for e in again.events] == [6, 7, 8]
        feed2.stop()
        await task
    finally:
        feed.stop()
        poster.close()
        relay.stop()


async def test_bad_token_is_refused_with_the_reason_and_not_retried(tmp_path):
    relay = start_relay(f"sqlite:{tmp_path / 'e.db'}", None)
    got = Collector()
    feed = LiveFeed(relay.base_url, "wrong", got.on_event, on_state=got.on_state)
    try:
        async with asyncio.timeout(10):
            await feed.run()  # returns by itself: a token does not fix itself
        assert feed.state.label() == "refused: bad relay token"
        assert feed.counters.connects == 1
    finally:
        relay.stop()


async def test_reconnects_with_backoff_until_the_relay_comes_up(tmp_path):
    port = free_port()
    got = Collector()
    feed = LiveFeed(
        f"http://127.0.0.1:{port}", TOKEN, got.on_event, last_seq=0, on_state=got.on_state,
        backoff_base=0.1, backoff_max=0.4, offline_after=3,
    )  # fmt: skip
    task = asyncio.create_task(feed.run())
    relay = None
    try:
        await until(lambda: feed.state.kind == "offline")
        assert any(s.startswith("reconnecting (attempt 1, next in ") for s in got.states)
        assert feed.state.label().startswith("offline since ")
        relay = start_relay(f"sqlite:{tmp_path / 'e.db'}", None, port=port)
        poster = Poster(relay.base_url)
        await asyncio.to_thread(poster.send, "UserStatusChanged", {"userId": 1, "status": "Away"})
        await got.wait_for(1)
        assert feed.state.kind == "live"
        poster.close()
    finally:
        feed.stop()
        await task
        if relay is not None:
            relay.stop()


async def test_frames_it_cannot_parse_are_skipped_and_counted():
    frames = [
        json.dumps({"type": "hello", "log": "L", "first": 1, "last": 0}),
        "not json at all",
        json.dumps({"type": "event", "seq": "x", "eventType": "A"}),
        json.dumps({"type": "event", "seq": 1, "eventType": "A", "data": {}}),
        json.dumps([1, 2]),
        json.dumps({"type": "event", "seq": 1, "eventType": "A", "data": {}}),  # applied already
        json.dumps({"type": "future-thing"}),
        json.dumps({"type": "event", "seq": 2, "eventType": "B", "data": {"k": 1}}),
    ]

    async def handler(ws):
        await ws.recv()
        for frame in frames:
            await ws.send(frame)
        await ws.wait_closed()

    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        got = Collector()
        feed = LiveFeed(f"ws://127.0.0.1:{port}/ws", TOKEN, got.on_event, last_seq=0)
        task = asyncio.create_task(feed.run())
        await got.wait_for(2)
        feed.stop()
        await task
    assert [(e.seq, e.event_type) for e in got.events] == [(1, "A"), (2, "B")]
    assert feed.counters.bad_frames == 3
    assert feed.counters.duplicates == 1


async def test_after_a_close_for_slowness_the_feed_resumes_from_its_seq():
    """A scripted relay: the first connection sends 1..3 and closes with 4008 (too slow); the
    feed must come back at once with resume=3 and apply 4.. exactly once."""
    resumes: list[int | None] = []

    async def handler(ws):
        request = json.loads(await ws.recv())
        resumes.append(request["resume"])
        await ws.send(json.dumps({"type": "hello", "log": "L", "first": 1, "last": 5}))
        start = request["resume"] + 1
        for seq in range(start, 6 if len(resumes) > 1 else 4):
            await ws.send(json.dumps({"type": "event", "seq": seq, "eventType": "E", "data": {}}))
        if len(resumes) == 1:
            await ws.close(4008, "too slow: 16+ events behind; resume")
        else:
            await ws.wait_closed()

    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        got = Collector()
        feed = LiveFeed(f"ws://127.0.0.1:{port}", TOKEN, got.on_event, last_seq=0)
        task = asyncio.create_task(feed.run())
        await got.wait_for(5)
        feed.stop()
        await task
    assert resumes == [0, 3]
    assert [e.seq for e in got.events] == [1, 2, 3, 4, 5]
    assert feed.counters.closes == {"4008": 1}


def _relay_process(port: int, store: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "MLUVII_TUI_RELAY_TOKEN": TOKEN,
        "MLUVII_TUI_WEBHOOK_SECRET": WEBHOOK_PASSWORD,
        "MLUVII_TUI_CLIENT_ID": "nobody",
        "MLUVII_TUI_CLIENT_SECRET": "nothing",
    }
    command = [
        sys.executable, "-m", "mluvii_tui", "relay", "--port", str(port), "--store", store,
        "--mluvii", "http://127.0.0.1:9", "--public-url", "http://127.0.0.1:9", "--no-register",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)


@pytest.mark.heavy
async def test_relay_killed_and_restarted_20_times_loses_and_repeats_nothing(tmp_path):
    port = free_port()
    store = tmp_path / "events.db"
    base = f"http://127.0.0.1:{port}"
    process = _relay_process(port, f"sqlite:{store}")
    got = Collector()
    feed = LiveFeed(base, TOKEN, got.on_event, last_seq=0, backoff_base=0.05, backoff_max=0.2)
    task = asyncio.create_task(feed.run())
    poster = Poster(base)
    kills, step = 20, 3
    total = (kills + 5) * 2 * step  # the stream always outlasts the kills
    posted: list[int] = []
    # The poster may run at most ``allowed`` events ahead, so every kill lands mid-stream
    # (between ``step`` and ``2 * step`` new events) however the load skews the two sides.
    allowed = threading.Condition()
    budget = [0]  # -1: stop (the test failed)

    def post_stream() -> None:
        for n in range(total):
            with allowed:
                allowed.wait_for(lambda n=n: n < budget[0] or budget[0] < 0)
                if budget[0] < 0:
                    return
            # Session events would be enriched; user events are not: the stream stays fast.
            data = {"userId": n, "status": "Online", "availabilityStatus": f"s{n}"}
            poster.send("UserStatusChanged", data, deadline=180)
            posted.append(n)

    def grant(up_to: int) -> None:
        with allowed:
            budget[0] = min(total, up_to) if budget[0] >= 0 else -1
            allowed.notify_all()

    def relay_alive() -> bool:
        assert process.poll() is None, f"the relay exited with {process.returncode}"
        return True

    def seen(count: int) -> bool:
        return min(len(posted), len(got.events)) >= count

    stream = asyncio.create_task(asyncio.to_thread(post_stream))
    try:
        for _ in range(kills):
            mark = len(posted)
            grant(mark + 2 * step)
            # ``step`` new events posted and received: the console is connected to this relay
            # when the kill lands. Generous deadlines: a restart takes seconds on a loaded box.
            await until(lambda mark=mark: relay_alive() and seen(mark + step), 180)
            process.send_signal(signal.SIGKILL)
            process.wait()
            process = _relay_process(port, f"sqlite:{store}")
        grant(total)
        await until(lambda: stream.done() or not relay_alive(), 180)
        await stream
        # A last marker: the feed is in seq order, so once it arrives everything before it has,
        # and an event applied twice would have pushed the count past it.
        poster.send("UserStatusChanged", {"userId": total, "status": "Online"}, deadline=180)
        await got.wait_for(total + 1, timeout=180)
    finally:
        with allowed:
            budget[0] = -1
            allowed.notify_all()
        feed.stop()
        await task
        poster.close()
        process.send_signal(signal.SIGTERM)
        process.wait()
    applied = [e.data["userId"] for e in got.events]
    assert applied == list(range(total + 1))  # every event, once, in order
    seqs = [e.seq for e in got.events]
    assert seqs == sorted(set(seqs))
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT seq, body FROM events ORDER BY seq").fetchall()
    assert [seq for seq, _ in rows] == seqs  # the console saw exactly the relay's log
    assert [json.loads(body)["data"]["userId"] for _, body in rows] == list(range(total + 1))
    assert feed.counters.connects >= kills // 2  # a restart may finish before the feed retries
