"""The Redis Streams event log against a real redis-server started here on a free port: two relays
share one ordered log and one dedup set; a relay that restarts continues the same numbering."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import time

import httpx
import pytest
import redis

from relay_support import Poster, chat, events_of, free_port, read_frames, start_relay, ws_url

REDIS = shutil.which("redis-server")
CHAT = "SessionActivityChatMessage"
pytestmark = pytest.mark.skipif(
    REDIS is None, reason="redis-server is not installed (apt-get install redis-server)"
)


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    assert REDIS is not None
    process = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.02)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=5)


async def test_two_relays_share_one_ordered_log_and_one_dedup_set(redis_url):
    a = start_relay(redis_url, None)
    b = start_relay(redis_url, None)
    post_a, post_b = Poster(a.base_url), Poster(b.base_url)
    try:
        answers = []
        for n in range(1, 21):
            poster = post_a if n % 2 else post_b
            answers.append(await asyncio.to_thread(poster.send, CHAT, chat(4, n)))
            # mluvii delivers some twice, and the load balancer may pick the other relay.
            if n % 5 == 0:
                other = post_b if n % 2 else post_a
                again = await asyncio.to_thread(other.send, CHAT, chat(4, n))
                assert again == {"duplicate": True}
        assert [answer["seq"] for answer in answers] == list(range(1, 21))
        from_a, from_b = await asyncio.gather(
            read_frames(ws_url(a.base_url), 0, 21), read_frames(ws_url(b.base_url), 0, 21)
        )
        assert from_a[0]["log"] == from_b[0]["log"]
        seen_a = [(f["seq"], f["data"]["activityId"]) for f in events_of(from_a)]
        seen_b = [(f["seq"], f["data"]["activityId"]) for f in events_of(from_b)]
        assert seen_a == seen_b == [(n, n) for n in range(1, 21)]

        # Live: an event posted to A reaches a console on B.
        reader = asyncio.create_task(read_frames(ws_url(b.base_url), 20, 2))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(post_a.send, "UserStatusChanged", {"userId": 9, "status": "Away"})
        frames = await reader
        [event] = events_of(frames)
        assert (event["seq"], event["eventType"]) == (21, "UserStatusChanged")
        health = httpx.get(b.base_url + "/health").json()
        assert health["store"]["kind"] == "redis" and health["store"]["state"] == "ok"
        assert health["store"]["last"] == 21
    finally:
        post_a.close()
        post_b.close()
        a.stop()
        b.stop()


async def test_a_restarted_relay_continues_the_numbering_and_serves_resumes(redis_url):
    relay = start_relay(redis_url, None)
    poster = Poster(relay.base_url)
    for n in range(1, 6):
        await asyncio.to_thread(poster.send, CHAT, chat(5, n))
    poster.close()
    relay.stop()
    relay = start_relay(redis_url, None)
    poster = Poster(relay.base_url)
    try:
        again = await asyncio.to_thread(poster.send, CHAT, chat(5, 5))
        assert again == {"duplicate": True}
        assert (await asyncio.to_thread(poster.send, CHAT, chat(5, 6))) == {"seq": 6}
        frames = await read_frames(ws_url(relay.base_url), 3, 4)
        assert [f["seq"] for f in events_of(frames)] == [4, 5, 6]
        assert json.dumps(httpx.get(relay.base_url + "/health").json()).count("redis://") == 1
    finally:
        poster.close()
        relay.stop()


async def test_with_redis_down_webhooks_get_503_and_health_says_so(redis_url):
    relay = start_relay(redis_url, None)
    poster = Poster(relay.base_url)
    try:
        answer = poster.post("UserStatusChanged", {"userId": 1, "status": "Online"})
        assert answer.json() == {"seq": 1}
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis.from_url(redis_url).shutdown(nosave=True)
        response = poster.post("UserStatusChanged", {"userId": 1, "status": "Away"})
        assert response.status_code == 503  # mluvii retries; nothing is acknowledged unstored
        health = httpx.get(relay.base_url + "/health").json()
        assert health["status"] == "degraded"
        assert health["store"]["state"].startswith("error")
    finally:
        poster.close()
        relay.stop()
