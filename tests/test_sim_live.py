"""The living simulator: /_sim controls, mluvii's event order per session, webhooks (Basic
auth from the callback URL, one event per POST, retries, duplicates), traffic."""

from __future__ import annotations

import base64
import time

import pytest

from mluvii_tui.demo.runner import Simulator
from sim_helpers import Receiver, api_client

ORDER = [
    "SessionCreated",
    "SessionStarted",
    "SessionOperatorJoined",
    "SessionEnded",
    "SessionOperatorLeft",
    "SessionOperatorConcluded",
]


@pytest.fixture(scope="module")
def sim():
    with Simulator(sessions=300, seed=5) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def api(sim, receiver):
    client = api_client(sim.base_url)
    r = client.post("/api/v1/Webhooks", json={"callbackUrl": receiver.url(), "eventTypes": []})
    assert r.status_code == 201
    client.post("/_sim/webhooks", json={"retryDelays": [0.05, 0.1], "duplicateRate": 0})
    yield client
    client.close()


def test_registration_semantics(api, receiver):
    first = api.get("/api/v1/Webhooks").json()
    hook_id = first[0]["id"]
    again = api.post("/api/v1/Webhooks", json={"callbackUrl": receiver.url(), "eventTypes": []})
    assert again.status_code == 409 and again.json() == hook_id
    body = {"callbackUrl": receiver.url(), "eventTypes": []}
    assert api.put(f"/api/v1/Webhooks/{hook_id}", json=body).status_code == 204
    assert api.get(f"/api/v1/Webhooks/{hook_id}").json()["callbackUrl"] == receiver.url()
    assert api.put("/api/v1/Webhooks/999", json=body).status_code == 404
    bad = api.post("/api/v1/Webhooks", json={"callbackUrl": "ftp://x"})
    assert bad.status_code == 400 and "callbackUrl" in bad.json()
    other = api.post("/api/v1/Webhooks", json={"callbackUrl": "http://127.0.0.1:9/x"})
    assert other.status_code == 201
    assert api.delete(f"/api/v1/Webhooks/{other.json()}").status_code == 204
    assert api.delete(f"/api/v1/Webhooks/{other.json()}").status_code == 404


def test_session_lifecycle_in_documented_order(api, receiver):
    r = api.post("/_sim/sessions", json={"source": "Default", "text": "Dobrý den", "group": 12})
    assert r.status_code == 201 and r.json()["status"] == "IN_QUEUE"
    sid = r.json()["id"]
    assert api.get(f"/api/v1/Sessions/{sid}").json()["status"] == "IN_QUEUE"
    assert api.post(f"/_sim/sessions/{sid}/accept", json={"operator": 106}).status_code == 204
    got = api.get(f"/api/v1/Sessions/{sid}").json()
    assert got["status"] == "ACTIVE" and got["operators"][0]["userId"] == 106
    msg = api.post(f"/_sim/sessions/{sid}/message", json={"text": "Jak to jde?", "from": "User"})
    assert msg.status_code == 201
    assert (
        api.post(f"/_sim/sessions/{sid}/end", json={"by": "Guest", "acwSeconds": 0.05}).status_code
        == 204
    )
    receiver.wait_for(lambda: "SessionOperatorConcluded" in [t for t, _ in receiver.events(sid)])
    kinds = [t for t, _ in receiver.events(sid)]
    lifecycle = [k for k in kinds if k in ORDER]
    assert lifecycle == ORDER
    assert kinds.index("SessionActivityChatMessage") < kinds.index("SessionEnded")
    assert "SessionActivitySessionEnded" in kinds
    texts = [d.get("text") for t, d in receiver.events(sid) if t == "SessionActivityChatMessage"]
    assert texts[-2:] == ["Dobrý den", "Jak to jde?"]  # after the generated opener
    final = api.get(f"/api/v1/Sessions/{sid}").json()
    assert final["status"] == "CLOSED" and final["ended"] and final["operators"][0]["concluded"]
    ended = dict(receiver.events(sid))["SessionEnded"]
    assert set(ended) == {"id", "tenantId", "channel", "source", "started", "ended"}
    # Every POST: one envelope, Basic credentials from the URL's userinfo, no userinfo in the URL.
    post = next(p for p in receiver.posts if p["event"]["data"].get("id") == sid)
    assert post["path"] == "/webhook"
    assert post["auth"] == "Basic " + base64.b64encode(b"relay:s3cr@t").decode()
    assert set(post["event"]) == {"eventType", "data"}


def test_controls_refuse_bad_input(api):
    assert api.post("/_sim/sessions", json={"source": "Nope"}).status_code == 400
    assert api.post("/_sim/sessions/1/message", json={"text": "x"}).status_code == 404
    sid = api.post("/_sim/sessions", json={"operator": 101}).json()["id"]
    assert api.post(f"/_sim/sessions/{sid}/message", json={"text": 3}).status_code == 400
    assert api.post(f"/_sim/sessions/{sid}/end", json={}).status_code == 204
    assert api.post(f"/_sim/sessions/{sid}/end", json={}).status_code == 409
    assert api.post(f"/_sim/sessions/{sid}/conclude").status_code == 204
    assert api.post(f"/_sim/sessions/{sid}/message", json={"text": "x"}).status_code == 409
    assert api.post("/_sim/traffic", json={"rate": -1}).status_code == 400


def test_retries_and_duplicates(api, receiver):
    sid = api.post("/_sim/sessions", json={"operator": 102}).json()["id"]
    receiver.wait_for(lambda: any(t == "SessionOperatorJoined" for t, _ in receiver.events(sid)))
    # Only this message fails (other events share the receiver): two failures, then the
    # third attempt (second retry) gets through.
    with receiver.lock:
        receiver.fail, receiver.fail_marker = 2, b"retry me"
    try:
        api.post(f"/_sim/sessions/{sid}/message", json={"text": "retry me"})
        receiver.wait_for(
            lambda: any(d.get("text") == "retry me" for _, d in receiver.events(sid)), timeout=60
        )
    finally:
        with receiver.lock:
            receiver.fail, receiver.fail_marker = 0, b""
    tries = [p for p in receiver.posts if b"retry me" in p["raw"]]
    assert [p["failed"] for p in tries] == [True, True, False]
    api.post("/_sim/webhooks", json={"duplicateRate": 1.0})
    api.post(f"/_sim/sessions/{sid}/message", json={"text": "twice"})
    receiver.wait_for(
        lambda: len([p for p in receiver.posts if b"twice" in p["raw"]]) == 2, timeout=60
    )
    api.post("/_sim/webhooks", json={"duplicateRate": 0})
    a, b = [p["raw"] for p in receiver.posts if b"twice" in p["raw"]]
    assert a == b  # a duplicate repeats the exact payload
    stats = api.get("/_sim/webhooks").json()
    assert stats["retried"] >= 2 and stats["duplicated"] >= 1


def test_traffic_runs_whole_sessions_and_operators_change(api, receiver):
    before = len(receiver.events())
    assert api.post("/_sim/traffic", json={"rate": 300, "speed": 25}).json()["rate"] == 300

    def finished() -> int | None:
        new = receiver.events()[before:]
        created = {d["id"] for t, d in new if t == "SessionCreated"}
        for sid in created:
            kinds = [t for t, _ in receiver.events(sid)]
            if "SessionEnded" in kinds and kinds[-1] == "SessionOperatorConcluded":
                return sid
        return None

    try:
        receiver.wait_for(lambda: finished() is not None, timeout=30)
    finally:
        api.post("/_sim/traffic", json={"rate": 0})
    done = finished()
    kinds = [t for t, _ in receiver.events(done) if t in ORDER or t == "SessionForwarded"]
    assert kinds[:3] == ORDER[:3] and kinds[-3:] == ORDER[-3:]
    assert api.get(f"/api/v1/Sessions/{done}").json()["status"] == "CLOSED"
    live = api.get("/api/v1/Sessions", params={"Ended.Null": "true", "limit": 500}).json()
    assert all(s["status"] in ("IN_QUEUE", "WAITING", "ACTIVE", "ACW") for s in live)
    statuses = [d for t, d in receiver.events() if t == "UserStatusChanged"]
    assert statuses and set(statuses[0]) == {
        "userId",
        "status",
        "availabilityStatus",
        "availabilityStatusReason",
    }
    states = api.get("/api/v1/Users/operatorStates").json()
    assert any(s["stateKind"] in ("ONLINE", "ON_CALL", "AFTER_CALL") for s in states)
    time.sleep(0.1)


def test_burst_streams_paced_events(api, receiver):
    assert api.post("/_sim/burst", json={"rate": 0, "seconds": 1}).status_code == 400
    r = api.post("/_sim/burst", json={"rate": 100, "seconds": 0.3})
    assert r.status_code == 202 and r.json()["events"] == 30

    def burst_texts() -> set[str]:
        return {
            d["text"]
            for t, d in receiver.events()
            if t == "SessionActivityChatMessage" and str(d.get("text")).startswith("burst")
        }

    receiver.wait_for(lambda: len(burst_texts()) == 30)
    assert api.get("/_sim/traffic").json()["burstSent"] >= 30


def test_memory_stays_bounded():
    """Sessions that end join history; beyond the bound the oldest ended ones are dropped."""
    from datetime import UTC, datetime

    from mluvii_tui.demo.clock import SimClock
    from mluvii_tui.demo.generator import generate_sessions
    from mluvii_tui.demo.source import SessionSource
    from mluvii_tui.demo.tenant import LiveTenant

    now = datetime(2025, 3, 20, 14, 0, tzinfo=UTC)
    source = SessionSource(generate_sessions(100, seed=3, now=now), now=now)
    source.max_sessions = 120
    sent: list[str] = []
    tenant = LiveTenant(source, SimClock(now), lambda kind, data: sent.append(kind), seed=3)
    oldest = next(iter(source.all_sessions()))["id"]
    for _ in range(60):
        s = tenant.arrive(("Chat", "Default"))
        tenant.end(s["id"], "Abandoned")
    assert len(source) == 120 and source.get(oldest) is None
    assert not tenant.live or all(source.get(sid) for sid in tenant.live)
    assert sent.count("SessionCreated") == 60 and sent.count("SessionEnded") == 60
