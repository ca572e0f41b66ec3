"""End to end on loopback: the relay registers its webhook at the living simulator, the simulator
posts every change of a session (with duplicates), and a LiveFeed sees each event once, in order,
with the fresh session attached."""

from __future__ import annotations

import asyncio

import httpx

from mluvii_tui.demo.roster import OPERATORS
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.live.feed import LiveEvent, LiveFeed
from relay_support import TOKEN, free_port, start_relay


async def until(predicate, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_a_session_lifecycle_from_simulator_webhooks_to_the_feed(tmp_path):
    port = free_port()
    with Simulator(sessions=30, seed=7) as sim:
        relay = start_relay(
            f"sqlite:{tmp_path / 'e.db'}", sim.base_url, port=port,
            public_url=f"http://127.0.0.1:{port}", register=True,
        )  # fmt: skip
        http = httpx.AsyncClient(base_url=sim.base_url)
        events: list[LiveEvent] = []
        feed = LiveFeed(relay.base_url, TOKEN, events.append, last_seq=0)
        task = asyncio.create_task(feed.run())
        try:
            health = {}

            def registered() -> bool:
                nonlocal health
                health = httpx.get(relay.base_url + "/health").json()
                return health["webhook"]["state"] == "registered"

            await until(registered)
            assert health["status"] == "ok"
            [hook] = (await http.get("/api/v1/Webhooks", headers=await _bearer(http))).json()
            assert hook["callbackUrl"].endswith(f"127.0.0.1:{port}/webhook")
            await http.post("/_sim/webhooks", json={"duplicateRate": 1.0})

            operator = OPERATORS[0].user_id
            created = (await http.post("/_sim/sessions", json={"text": "Hello?"})).json()
            sid = created["id"]
            await http.post(f"/_sim/sessions/{sid}/accept", json={"operator": operator})
            await http.post(f"/_sim/sessions/{sid}/message", json={"text": "Hi", "from": "User"})
            await http.post(f"/_sim/sessions/{sid}/end", json={"by": "Guest"})

            def of_session() -> list[LiveEvent]:
                return [e for e in events if sid in (e.data.get("id"), e.data.get("sessionId"))]

            await until(lambda: any(e.event_type == "SessionEnded" for e in of_session()))
            await asyncio.sleep(0.3)  # duplicates, if any got through, would arrive by now
            kinds = [e.event_type for e in of_session()]
            lifecycle = [k for k in kinds if not k.startswith("SessionActivity")]
            assert lifecycle[:2] == ["SessionCreated", "SessionStarted"]
            assert lifecycle.index("SessionOperatorJoined") < lifecycle.index("SessionEnded")
            assert "SessionActivityChatMessage" in kinds
            seqs = [e.seq for e in events]
            assert seqs == sorted(set(seqs))
            keys = [(e.event_type, repr(sorted(e.data.items()))) for e in events]
            assert len(keys) == len(set(keys))  # no event applied twice
            ended = next(e for e in of_session() if e.event_type == "SessionEnded")
            assert ended.session is not None and ended.session["ended"] is not None
            assert all(e.session for e in of_session() if not e.event_type.startswith("SessionAct"))
            stats = (await http.get("/_sim/webhooks")).json()
            health = httpx.get(relay.base_url + "/health").json()
            assert stats["duplicated"] >= 4  # every event was delivered twice
            assert health["events"]["duplicates"] == stats["duplicated"]
            assert health["events"]["stored"] == len(events)
        finally:
            feed.stop()
            await task
            await http.aclose()
            relay.stop()


async def _bearer(http: httpx.AsyncClient) -> dict[str, str]:
    answer = await http.post(
        "/login/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-admin",
            "client_secret": "demo-admin-secret",
        },
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
