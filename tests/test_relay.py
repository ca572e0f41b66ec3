"""The relay over real loopback sockets: webhooks in (auth, envelope, dedup, seq), enrichment from
the embedded simulator, websockets out (token, resume, gaps), /health and /operators."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import sqlite3

import httpx
import pytest
import websockets

from mluvii_tui.api.webhooks import EVENT_TYPES
from mluvii_tui.demo.runner import Simulator
from relay_support import (
    TOKEN,
    Poster,
    chat,
    events_of,
    read_frames,
    start_relay,
    ws_url,
)


@pytest.fixture(scope="module")
def sim():
    with Simulator(sessions=40, seed=7) as simulator:
        yield simulator


@pytest.fixture
def session_ids(sim):
    return sorted(s["id"] for s in sim.app.state.source.all_sessions())[:5]


@pytest.fixture
def relay(tmp_path, sim):
    running = start_relay(f"sqlite:{tmp_path / 'events.db'}", sim.base_url)
    yield running
    running.stop()


@pytest.fixture
def poster(relay):
    client = Poster(relay.base_url)
    yield client
    client.close()


def stored(tmp_path) -> list[tuple[int, str, dict]]:
    with sqlite3.connect(tmp_path / "events.db") as db:
        rows = db.execute("SELECT seq, type, body FROM events ORDER BY seq").fetchall()
    return [(seq, kind, json.loads(body)) for seq, kind, body in rows]


def test_wrong_webhook_credentials_get_401_and_store_nothing(relay, tmp_path):
    for auth in [("mluvii", "wrong"), ("other", "hook-secret"), None]:
        response = httpx.post(
            relay.base_url + "/webhook",
            json={"eventType": "UserStatusChanged", "data": {"userId": 1, "status": "Online"}},
            auth=auth,
        )
        assert response.status_code == 401
        assert "hook-secret" not in response.text
    assert stored(tmp_path) == []
    health = httpx.get(relay.base_url + "/health").json()
    assert health["events"]["unauthorized"] == 3
    assert health["events"]["stored"] == 0


def test_malformed_bodies_are_skipped_unknown_types_forwarded_raw(relay, poster, tmp_path):
    for body in [b"{not json", b"[1, 2]", b'{"data": {}}', b'{"eventType": "SessionCreated"}']:
        response = poster.http.post("/webhook", content=body)
        assert response.status_code == 400, body
        assert "error" in response.json()
    assert poster.post("FutureThingHappened", [1, "two"]).json() == {"seq": 1}
    [(seq, kind, body)] = stored(tmp_path)
    assert (seq, kind, body["data"]) == (1, "FutureThingHappened", [1, "two"])
    health = httpx.get(relay.base_url + "/health").json()
    assert health["events"]["malformed"] == 4
    assert health["events"]["unknown"] == 1


def test_every_reference_event_type_is_accepted_and_numbered_in_order(tmp_path):
    relay = start_relay(f"sqlite:{tmp_path / 'events.db'}", None)  # no enrichment: fast
    poster = Poster(relay.base_url)
    for n, event_type in enumerate(EVENT_TYPES):
        data = {"id": 10_000 + n, "tenantId": 1, "time": f"2026-12-06T10:00:00.{n:06d}+00:00"}
        if event_type == "UserStatusChanged":
            data = {"userId": 7, "status": "Online", "availabilityStatus": "Available"}
        elif event_type.startswith("SessionActivity"):
            data = chat(10_000 + n, n)
        assert poster.post(event_type, data).json() == {"seq": n + 1}
    rows = stored(tmp_path)
    assert [kind for _, kind, _ in rows] == list(EVENT_TYPES)
    assert [seq for seq, _, _ in rows] == list(range(1, len(EVENT_TYPES) + 1))
    poster.close()
    relay.stop()


def test_duplicates_are_stored_once(relay, poster, tmp_path):
    event = {"id": 5, "tenantId": 1, "channel": "Chat", "source": "Default", "time": "t1"}
    assert poster.post("SessionOperatorJoined", {**event, "userId": 3}).json() == {"seq": 1}
    assert poster.post("SessionOperatorJoined", {**event, "userId": 3}).json() == {
        "duplicate": True
    }
    # Same session, another operator or another time: a different event.
    assert poster.post("SessionOperatorJoined", {**event, "userId": 4}).json() == {"seq": 2}
    assert poster.post("SessionOperatorJoined", {**event, "userId": 3, "time": "t2"}).json() == {
        "seq": 3
    }
    assert poster.post("SessionActivityChatMessage", chat(5, 1)).json() == {"seq": 4}
    assert poster.post("SessionActivityChatMessage", chat(5, 1)).json() == {"duplicate": True}
    assert [seq for seq, _, _ in stored(tmp_path)] == [1, 2, 3, 4]
    assert httpx.get(relay.base_url + "/health").json()["events"]["duplicates"] == 2


async def test_consoles_resume_from_their_seq_then_get_live_events(relay, poster):
    for n in range(1, 11):
        await asyncio.to_thread(poster.send, "SessionActivityChatMessage", chat(77, n))
    url = ws_url(relay.base_url)
    frames = await read_frames(url, 6, 5)
    assert frames[0]["type"] == "hello" and frames[0]["last"] == 10
    assert [f["seq"] for f in events_of(frames)] == [7, 8, 9, 10]
    assert [f["data"]["activityId"] for f in events_of(frames)] == [7, 8, 9, 10]

    # resume=null: only what arrives from now on.
    reader = asyncio.create_task(read_frames(url, None, 3))
    await asyncio.sleep(0.3)
    for n in (11, 12):
        await asyncio.to_thread(poster.send, "SessionActivityChatMessage", chat(77, n))
    frames = await reader
    assert [f["seq"] for f in events_of(frames)] == [11, 12]


async def test_a_console_past_the_window_is_told_about_the_gap(tmp_path, sim):
    relay = start_relay(f"sqlite:{tmp_path / 'small.db'}", None, window=10)
    poster = Poster(relay.base_url)
    try:
        for n in range(1, 41):
            await asyncio.to_thread(poster.send, "SessionActivityChatMessage", chat(1, n))
        frames = await read_frames(ws_url(relay.base_url), 2, 3)
        hello, gap, first = frames
        assert gap["type"] == "gap" and gap["after"] == 2
        assert "no longer kept" in gap["reason"]
        assert first["seq"] == hello["first"] > 3
    finally:
        poster.close()
        relay.stop()


async def test_bad_ws_token_is_refused_with_a_reason(relay):
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await read_frames(ws_url(relay.base_url), 0, 1, token="nope")
    assert closed.value.rcvd.code == 4401
    assert closed.value.rcvd.reason == "bad relay token"
    response = httpx.get(relay.base_url + "/operators", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_session_events_carry_the_fresh_session(relay, poster, sim, session_ids):
    sid = session_ids[0]
    answer = await asyncio.to_thread(
        poster.send,
        "SessionStarted",
        {"id": sid, "tenantId": 1, "channel": "Chat", "source": "Default", "started": "s"},
    )
    user = await asyncio.to_thread(
        poster.send, "UserStatusChanged", {"userId": 101, "status": "Online"}
    )
    await asyncio.to_thread(poster.send, "SessionActivityChatMessage", chat(sid, 1))
    frames = await read_frames(ws_url(relay.base_url), 0, 4)
    started, status, message = events_of(frames)
    assert started["seq"] == answer["seq"] and status["seq"] == user["seq"]
    assert started["session"]["id"] == sid
    assert started["session"]["status"] and isinstance(started["session"]["activities"], list)
    assert "session" not in status
    assert "session" not in message  # activities carry their own content (--enrich lifecycle)
    operators = httpx.get(
        relay.base_url + "/operators", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()["operators"]
    assert operators == [
        {
            "userId": 101,
            "status": "Online",
            "availabilityStatus": None,
            "availabilityStatusReason": None,
            "changed": status["received"],
        }
    ]


async def test_a_session_that_cannot_be_fetched_still_goes_out(relay, poster):
    await asyncio.to_thread(poster.send, "SessionEnded", {"id": 999_999_999, "ended": "e"})
    [event] = events_of(await read_frames(ws_url(relay.base_url), 0, 2))
    assert event["session"] is None
    assert "999999999 not found" in event["sessionError"]


async def test_a_burst_for_one_session_costs_at_most_two_fetches(relay, poster, sim, session_ids):
    sid = session_ids[1]
    http = httpx.Client(base_url=sim.base_url)
    before = http.get("/_sim/stats").json()["requests"].get(f"GET /api/v1/Sessions/{sid}", 0)

    async def post(n: int) -> dict:
        async with httpx.AsyncClient(auth=poster.http.auth) as client:
            answer = await client.post(
                relay.base_url + "/webhook",
                json={"eventType": "SessionForwarded", "data": {"id": sid, "time": f"t{n}"}},
            )
            return answer.json()

    answers = await asyncio.gather(*(post(n) for n in range(20)))
    assert sorted(a["seq"] for a in answers) == list(range(1, 21))
    after = http.get("/_sim/stats").json()["requests"].get(f"GET /api/v1/Sessions/{sid}", 0)
    fetches = after - before
    assert 1 <= fetches < 20
    enrich = httpx.get(relay.base_url + "/health").json()["enrich"]
    assert enrich["fetches"] == fetches
    frames = events_of(await read_frames(ws_url(relay.base_url), 0, 21))
    assert all(f["session"]["id"] == sid for f in frames)


def test_health_reports_a_failed_registration_and_keeps_serving(tmp_path, sim):
    relay = start_relay(f"sqlite:{tmp_path / 'r.db'}", sim.base_url, register=True)
    poster = Poster(relay.base_url)
    try:
        health = {}
        for _ in range(200):
            health = httpx.get(relay.base_url + "/health").json()
            if health["webhook"]["state"] != "not registered yet":
                break
            asyncio.run(asyncio.sleep(0.01))
        webhook = health["webhook"]
        if webhook["state"] == "registered":  # the simulator serves /api/v1/Webhooks
            assert isinstance(webhook["id"], int)
            assert health["status"] == "ok"
        else:
            assert webhook["state"] == "failed"
            assert "Webhooks" in webhook["error"]
            assert health["status"] == "degraded"
        assert webhook["callbackUrl"] == "http://127.0.0.1:9/webhook"
        assert "hook-secret" not in json.dumps(health)
        assert health["store"]["kind"] == "sqlite" and health["store"]["state"] == "ok"
        assert poster.post("UserStatusChanged", {"userId": 1, "status": "Away"}).json() == {
            "seq": 1
        }
    finally:
        poster.close()
        relay.stop()


async def test_a_slow_consumer_is_closed_with_a_reason_and_resumes(tmp_path):
    relay = start_relay(f"sqlite:{tmp_path / 'slow.db'}", None, max_backlog=16)
    poster = Poster(relay.base_url)
    # A console that stops reading: a small receive buffer (no autotuning), nothing read.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32_768)
    sock.connect(("127.0.0.1", relay.config.port))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    # 12 MB that does not compress (permessage-deflate): more than the kernel buffers hold.
    count, padding = 300, secrets.token_hex(20_000)
    try:
        async with websockets.connect(
            ws_url(relay.base_url), sock=sock, additional_headers=headers, max_queue=2
        ) as ws:
            await ws.send(json.dumps({"resume": 0}))
            assert json.loads(await ws.recv())["type"] == "hello"

            def post_all() -> None:
                for n in range(1, count + 1):
                    poster.send("SessionActivityChatMessage", {**chat(9, n), "text": padding})

            await asyncio.to_thread(post_all)
            health = httpx.get(relay.base_url + "/health").json()
            assert health["events"]["slowConsumersClosed"] == 1
            assert health["consoles"] == 0
            seqs = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    seqs.append(json.loads(await ws.recv())["seq"])
        assert closed.value.rcvd.code == 4008
        assert closed.value.rcvd.reason.startswith("too slow")
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) < count
        # It resumes from the last seq it applied and gets the rest, once each.
        last = seqs[-1]
        frames = events_of(await read_frames(ws_url(relay.base_url), last, count - last + 1))
        assert [f["seq"] for f in frames] == list(range(last + 1, count + 1))
    finally:
        poster.close()
        relay.stop()


def test_the_operator_table_survives_a_restart(tmp_path):
    store = f"sqlite:{tmp_path / 'ops.db'}"
    relay = start_relay(store, None)
    poster = Poster(relay.base_url)
    for user, status in [(1, "Online"), (2, "Away"), (1, "Offline")]:
        poster.send("UserStatusChanged", {"userId": user, "status": status})
    poster.send("SessionActivityChatMessage", chat(1, 1))
    poster.close()
    relay.stop()
    relay = start_relay(store, None)
    try:
        table = httpx.get(
            relay.base_url + "/operators", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()
        assert [(row["userId"], row["status"]) for row in table["operators"]] == [
            (1, "Offline"),
            (2, "Away"),
        ]
    finally:
        relay.stop()
