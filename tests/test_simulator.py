"""The embedded simulator: deterministic data, the API over loopback sockets, control endpoints."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from mluvii_tui.api.enums import SessionActivityType
from mluvii_tui.api.models import (
    CallParamsModel,
    GroupModel,
    OperatorStateModel,
    RoutingTimeLine,
    SessionModel,
    SessionNote,
    UserModel,
    parse_session,
)
from mluvii_tui.demo.extras import notes_for, routing_for
from mluvii_tui.demo.generator import generate_sessions, iter_sessions
from mluvii_tui.demo.runner import DataFileError, Simulator, load_data_file
from mluvii_tui.demo.timefmt import parse_epoch, parse_seconds

NOW = datetime(2025, 3, 20, 14, 0, tzinfo=UTC)
COUNT = 1500


@pytest.fixture(scope="module")
def data() -> list[dict]:
    return generate_sessions(COUNT, seed=7, now=NOW)


@pytest.fixture(scope="module")
def sim():
    with Simulator(sessions=COUNT, seed=7, now=NOW) as simulator:
        yield simulator


def _token(client: httpx.Client, cid: str = "demo-admin", secret: str = "demo-admin-secret") -> str:
    r = client.post(
        "/login/connect/token",
        data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret},
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest.fixture(scope="module")
def api(sim):
    with httpx.Client(base_url=sim.base_url, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {_token(client)}"
        yield client


# -- generated data ------------------------------------------------------------------------------


def test_deterministic():
    a = json.dumps(generate_sessions(300, seed=3, now=NOW), ensure_ascii=False)
    b = json.dumps(list(iter_sessions(300, seed=3, now=NOW)), ensure_ascii=False)
    c = json.dumps(generate_sessions(300, seed=4, now=NOW), ensure_ascii=False)
    assert a == b
    assert a != c


def test_every_session_validates_without_dropping_fields(data):
    for raw in data:
        strict = SessionModel.model_validate(raw)  # raises if any field does not fit
        tolerant = parse_session(raw)
        assert tolerant is not None and tolerant == strict


def test_data_covers_the_vocabulary(data):
    statuses = Counter(s["status"] for s in data)
    assert statuses["CLOSED"] > COUNT * 0.9
    assert {"IN_QUEUE", "WAITING", "ACTIVE", "ACW"} <= set(statuses)
    assert {s["channel"] for s in data} == {"Chat", "AV", "Phone"}
    sources = {s["source"] for s in data}
    for src in ("Default", "Facebook", "WhatsApp", "Apple", "VK", "Callback", "Invitation"):
        assert src in sources
    types = {a["type"] for s in data for a in s["activities"]}
    for t in ("SessionForwarded", "OperatorInvited", "Joined", "Left", "OnHold", "ResumeGuest",
              "AvRequest", "AvResponse", "SessionEnded", "HeroCard", "HeroCardSubmission",
              "CallScript", "SharedFile", "ChatbotMessage"):  # fmt: skip
        assert t in types, t
    assert all(t in SessionActivityType.__members__ for t in types)
    reasons = {
        a["terminationReason"] for s in data for a in s["activities"] if "terminationReason" in a
    }
    assert len(reasons) >= 10
    assert len({s["guestLeftSession"] for s in data}) == 5
    texts = " ".join(a.get("text") or "" for s in data for a in s["activities"])
    for word in ("objednávka", "objednávky", "objednávku", "objednávce", "fakturu", "reklamace",
                 "order", "invoice"):  # fmt: skip
        assert word in texts, word
    assert "\x1b[2J" in texts and "\u202e" in texts and "\x00" in texts
    assert any(len(a.get("text") or "") >= 100_000 for s in data for a in s["activities"])
    names = {a["file"]["name"] for s in data for a in s["activities"] if a.get("file")}
    assert "../../etc/passwd" in names
    assert any(a.get("status") for s in data for a in s["activities"] if s["source"] == "WhatsApp")
    assert any(s["recordings"] for s in data) and any(s["guestFeedbackStars"] for s in data)
    offsets = {s["created"][-6:] for s in data}
    assert offsets <= {"+01:00", "+02:00"}
    created = [parse_epoch(s["created"]) for s in data]
    assert created == sorted(created)
    assert created[0] <= NOW.timestamp() - 29 * 86400
    live = [s for s in data if s["status"] != "CLOSED" and s["status"] != "BLACKLISTED"]
    assert all(NOW.timestamp() - parse_epoch(s["created"]) < 3600 for s in live)
    latest = max(parse_epoch(a["time"]) for s in data for a in s["activities"])
    assert latest <= NOW.timestamp()


def test_routing_and_notes_are_deterministic_and_consistent(data):
    forwarded = next(
        s for s in data if any(a["type"] == "SessionForwarded" for a in s["activities"])
    )
    routing = routing_for(forwarded)
    assert routing == routing_for(forwarded)
    kinds = [r["activityType"] for r in routing]
    assert kinds[0] == "RoutingRequestCreated" and kinds[-1] == "RoutingEnded"
    assert {"ForwardedToGroup", "ForwardedToUser"} & set(kinds)
    stamps = [parse_epoch(r["timestamp"]) for r in routing]
    assert stamps == sorted(stamps)
    for item in routing:
        RoutingTimeLine.model_validate(item)
    with_notes = [s for s in data if notes_for(s)]
    assert 0 < len(with_notes) < len(data)
    for note in notes_for(with_notes[0]):
        SessionNote.model_validate(note)


def test_generation_streams_the_same_sessions_oldest_first():
    """iter_sessions is lazy (the demo and bench/ stream it) and yields what generate_sessions
    lists: unique ids, oldest first. Its speed is measured by bench/simulator.py."""
    stream = iter_sessions(400, seed=1, now=NOW)
    first = next(stream)
    rest = list(stream)
    listed = generate_sessions(400, seed=1, now=NOW)
    assert [first, *rest] == listed
    assert len({s["id"] for s in listed}) == 400
    created = [parse_epoch(s["created"]) for s in listed]
    assert created == sorted(created) and created[-1] <= NOW.timestamp()


# -- auth ----------------------------------------------------------------------------------------


def test_auth(sim):
    with httpx.Client(base_url=sim.base_url) as c:
        form = {"grant_type": "client_credentials", "client_id": "demo-admin", "client_secret": "x"}
        bad = c.post("/login/connect/token", data=form)
        assert bad.status_code == 400 and bad.json() == {"error": "invalid_client"}
        basic = c.post("/login/connect/token", data={"grant_type": "client_credentials"},
                       auth=("demo-operator", "demo-operator-secret"))  # fmt: skip
        assert basic.status_code == 200 and basic.json()["token_type"] == "Bearer"
        assert basic.json()["expires_in"] == 3600
        assert c.get("/api/v1/Sessions").status_code == 401
        assert c.get("/api/v1/users", headers={"Authorization": "Bearer nope"}).status_code == 401
        ok = c.get(
            "/api/v1/users", headers={"Authorization": f"Bearer {basic.json()['access_token']}"}
        )
        assert ok.status_code == 200


def test_tokens_expire_and_can_be_revoked(tmp_path):
    with (
        Simulator(sessions=20, now=NOW, token_ttl=0) as short,
        httpx.Client(base_url=short.base_url) as c,
    ):
        token = _token(c)
        assert (
            c.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        )
    with Simulator(sessions=20, now=NOW) as s, httpx.Client(base_url=s.base_url) as c:
        h = {"Authorization": f"Bearer {_token(c)}"}
        assert c.get("/api/v1/users", headers=h).status_code == 200
        assert c.post("/_sim/revoke-tokens").status_code == 204
        assert c.get("/api/v1/users", headers=h).status_code == 401


# -- filters -------------------------------------------------------------------------------------


def _all(api: httpx.Client, params) -> list[dict]:
    r = api.get("/api/v1/Sessions", params=[*list(params), ("limit", "10000")])
    assert r.status_code == 200, r.text
    return r.json()


def _texts(s: dict) -> str:
    return "\n".join((a.get("text") or "") for a in s["activities"]).lower()


def _first_guest_text(s: dict) -> str:
    return next((a["text"] for a in s["activities"] if a["type"] == "ChatMessage"
                 and a["client"] == "Guest"), "")  # fmt: skip


def _reason(s: dict) -> str | None:
    return next((a.get("terminationReason") for a in s["activities"]
                 if a["type"] == "SessionEnded"), None)  # fmt: skip


def test_filters(api, data):
    t0 = parse_epoch(data[COUNT // 3]["created"])
    t1 = parse_epoch(data[COUNT // 2]["created"])
    iso0 = datetime.fromtimestamp(t0, UTC).isoformat().replace("+00:00", "Z")
    iso1 = datetime.fromtimestamp(t1, UTC).isoformat()
    ids = [data[5]["id"], data[77]["id"]]
    chan = next(s["guest"]["channelIdentity"] for s in data if s["guest"]["channelIdentity"])
    ident = next(s["guest"]["identity"] for s in data if s["guest"]["identity"])
    url = next(s["url"] for s in data if s["url"] and "kosik" in s["url"])
    g = lambda s: s["guest"]  # noqa: E731
    ops = lambda s: {o["userId"] for o in s["operators"]}  # noqa: E731
    cases = [
        ([("Status", "CLOSED")], lambda s: s["status"] == "CLOSED"),
        ([("status", "active"), ("STATUS", "Acw")], lambda s: s["status"] in ("ACTIVE", "ACW")),
        ([("Channel", "Phone")], lambda s: s["channel"] == "Phone"),
        ([("Source", "WhatsApp"), ("Source", "Facebook")],
         lambda s: s["source"] in ("WhatsApp", "Facebook")),
        ([("SessionId", str(ids[0])), ("SessionId", str(ids[1]))], lambda s: s["id"] in ids),
        ([("DepartmentId", "2002")], lambda s: s["departmentId"] == 2002),
        ([("ChannelIdentityId", str(chan))], lambda s: g(s)["channelIdentity"] == chan),
        ([("LandingPage.Text", "KOSIK")], lambda s: "kosik" in (s["url"] or "")),
        ([("LandingPage.Text", url), ("LandingPage.Exact", "true")], lambda s: s["url"] == url),
        ([("LandingPage.Null", "true")], lambda s: not s["url"]),
        ([("IPAddress.Null", "false")], lambda s: bool(g(s)["ipAddress"])),
        ([("PhoneCallbackNumber.Text", "+420")],
         lambda s: "+420" in (s["phoneCallbackNumber"] or "")),
        ([("InitialMessage.Text", "objednávk")],
         lambda s: "objednávk" in _first_guest_text(s).lower()),
        ([("Language.Text", "en"), ("Language.Exact", "true")], lambda s: g(s)["language"] == "en"),
        ([("GDPRVersion.Text", "4")], lambda s: g(s)["gdprVersion"] == 4),
        ([("OperatorUserId", "101"), ("OperatorUserId", "102")],
         lambda s: bool(ops(s) & {101, 102})),
        ([("ChatbotId", "901")], lambda s: bool(s["chatbots"])),
        ([("ClientStars", "5"), ("ClientStars", "4")], lambda s: s["guestFeedbackStars"] in (4, 5)),
        ([("Widget", "eshop-en")], lambda s: s["widget"] == "eshop-en"),
        ([("Result", "Vyřešeno")],
         lambda s: any(o.get("feedbackResult") == "Vyřešeno" for o in s["operators"])),
        ([("Tags", "reklamace")], lambda s: any(t["name"] == "reklamace" for t in s["tags"])),
        ([("GuestIdentifications", ident)], lambda s: g(s)["identity"] == ident
         or any(a.get("submissionIdentification") == ident for a in s["activities"])),
        ([("Created.Min", iso0), ("Created.Max", iso1)],
         lambda s: t0 <= parse_epoch(s["created"]) <= t1),
        ([("created.min", iso0)], lambda s: parse_epoch(s["created"]) >= t0),
        ([("GuestJoined.Max", iso1)], lambda s: parse_epoch(s["guestJoined"]) <= t1),
        ([("Accepted.Null", "true")], lambda s: s["started"] is None),
        ([("Ended.Null", "true")], lambda s: s["ended"] is None),
        ([("Ended.Min", iso0)], lambda s: s["ended"] is not None and parse_epoch(s["ended"]) >= t0),
        ([("Anonymized.Null", "true")], lambda s: True),
        ([("WaitingTime.Min", "00:02:00")],
         lambda s: s["waited"] is not None and parse_seconds(s["waited"]) >= 120),
        ([("Duration.Max", "PT1M")],
         lambda s: s["length"] is not None and parse_seconds(s["length"]) <= 60),
        ([("Duration.Null", "true")], lambda s: s["length"] is None),
        ([("ClientFeedbackScale", "likert")], lambda s: s["guestFeedbackScale"] == "Likert"),
        ([("ClientId", ident)], lambda s: g(s)["identity"] == ident),
        ([("Browser", "CHROME"), ("Browser", "SAFARI")],
         lambda s: g(s)["browser"] in ("CHROME", "SAFARI")),
        ([("OS", "IOS")], lambda s: g(s)["os"] == "IOS"),
        ([("GuestLeftSession", "LeftQueue")], lambda s: s["guestLeftSession"] == "LeftQueue"),
        ([("AutoAccepted", "true")], lambda s: s["autoAccepted"] is True),
        ([("HasConcurrentOperators", "true")], lambda s: _concurrent(s)),
        ([("ActivityTextsContain", "OBJEDNÁVCE")], lambda s: "objednávce" in _texts(s)),
        ([("TerminationReason", "GuestAbandoned")], lambda s: _reason(s) == "GuestAbandoned"),
        ([("Channel", "Chat"), ("Status", "CLOSED"), ("Language.Text", "cs")],
         lambda s: s["channel"] == "Chat" and s["status"] == "CLOSED"
         and g(s)["language"] == "cs"),
    ]  # fmt: skip
    for params, expect in cases:
        got = [s["id"] for s in _all(api, params)]
        want = [s["id"] for s in data if expect(s)]
        assert got == want, params
        assert want, f"filter {params} selects nothing in the test data"


def _concurrent(s: dict) -> bool:
    spans = sorted(
        (parse_epoch(o["joined"]), parse_epoch(o["left"]) if o["left"] else float("inf"))
        for o in s["operators"]
    )
    return any(b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1 :])


def test_paging_order_and_bad_filters(api, data):
    assert len(api.get("/api/v1/Sessions").json()) == 100
    pages = []
    for offset in range(0, COUNT, 400):
        pages += api.get("/api/v1/Sessions", params={"limit": 400, "offset": offset}).json()
    assert [s["id"] for s in pages] == [s["id"] for s in data]
    assert len(api.get("/api/v1/Sessions", params={"limit": 20000}).json()) == COUNT
    bad = api.get("/api/v1/Sessions", params={"Created.Min": "yesterday"})
    assert bad.status_code == 400 and "Created.Min" in bad.text
    assert api.get("/api/v1/Sessions", params={"limit": "x"}).status_code == 400


# -- detail endpoints ----------------------------------------------------------------------------


def test_session_detail_and_download_urls(api, data, sim):
    s = next(s for s in data if s["recordings"])
    got = api.get(f"/api/v1/Sessions/{s['id']}")
    assert got.status_code == 200
    assert got.json()["recordings"][0]["downloadUrl"].startswith(sim.base_url + "/api/v1/")
    missing = api.get("/api/v1/Sessions/1")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/json"
    )


def test_call_params(api, data):
    s = next(s for s in data if "customer_tier" in s["guest"]["callParams"])
    r = api.get(f"/api/v1/Sessions/{s['id']}/callparams")
    model = CallParamsModel.model_validate(r.json())
    assert {p.name for p in model.call_params} == set(s["guest"]["callParams"])
    put = api.put(f"/api/v1/Sessions/{s['id']}/callparams", json={"callParams": {"vip": "ano"}})
    assert put.status_code == 204
    after = {p["name"]: p for p in api.get(f"/api/v1/Sessions/{s['id']}/callparams").json()[
        "callParams"]}  # fmt: skip
    assert after["vip"]["value"] == "ano" and after["vip"]["readOnly"] is False
    assert api.get(f"/api/v1/Sessions/{s['id']}").json()["guest"]["callParams"]["vip"] == "ano"
    ro = api.put(f"/api/v1/Sessions/{s['id']}/callparams",
                 json={"callParams": {"customer_tier": "x"}})  # fmt: skip
    assert ro.status_code == 400
    assert api.put(f"/api/v1/Sessions/{s['id']}/callparams", json=[1]).status_code == 400


def test_notes_idempotency(api, data):
    sid = data[10]["id"]
    before = api.get(f"/api/v1/Sessions/{sid}/notes").json()
    headers = {"Idempotency-Key": "0b7d3c1e-1111-4a5b-9c1d-222233334444"}
    first = api.post(f"/api/v1/Sessions/{sid}/notes", json={"note": "Poznámka ✓"}, headers=headers)
    again = api.post(f"/api/v1/Sessions/{sid}/notes", json={"note": "Poznámka ✓"}, headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    SessionNote.model_validate(first.json())
    after = api.get(f"/api/v1/Sessions/{sid}/notes").json()
    assert len(after) == len(before) + 1 and after[-1]["note"] == "Poznámka ✓"
    assert api.post(f"/api/v1/Sessions/{sid}/notes", json={"x": 1}).status_code == 400


def test_tenant_endpoints(api):
    users = [UserModel.model_validate(u) for u in api.get("/api/v1/users").json()]
    assert len([u for u in users if u.id != 100]) == 25
    groups = [GroupModel.model_validate(g) for g in api.get("/api/v1/Groups").json()]
    assert len([g for g in groups if str(g.type) == "NORMAL"]) == 5
    states = api.get("/api/v1/Users/operatorStates").json()
    assert len([OperatorStateModel.model_validate(s) for s in states]) == 25


def test_routing_endpoint(api, data):
    s = data[200]
    r = api.get(f"/api/v1/Sessions/{s['id']}/routing")
    assert r.status_code == 200 and r.json() == routing_for(s)
    assert api.get("/api/v1/Sessions/1/routing").status_code == 404


def test_downloads(api, data):
    """The size of a download is its Content-Length (SessionModel's file has no size)."""
    files = [a["file"] for s in data for a in s["activities"] if a.get("file")]
    live_file = next(f for f in files if not f["isDeleted"])
    assert "size" not in live_file
    r = api.get(live_file["downloadUrl"].replace("http://simulator.invalid", ""))
    assert r.status_code == 200 and len(r.content) == int(r.headers["content-length"]) > 0
    assert api.get(live_file["downloadUrl"].replace("http://simulator.invalid", "")).content == (
        r.content
    )
    deleted = next((f for f in files if f["isDeleted"]), None)
    if deleted:
        url = deleted["downloadUrl"].replace("http://simulator.invalid", "")
        assert api.get(url).status_code == 404
    recs = [rec for s in data for rec in s["recordings"] or [] if not rec["isDeleted"]]
    rec = min(recs, key=lambda x: parse_seconds(x["duration"]) or 0)
    got = api.get(rec["downloadUrl"].replace("http://simulator.invalid", ""))
    assert got.status_code == 200 and len(got.content) == int(got.headers["content-length"]) > 0


# -- control -------------------------------------------------------------------------------------


def test_faults_and_stats(api, sim):
    ctl = httpx.Client(base_url=sim.base_url)
    assert ctl.post("/_sim/reset").status_code == 204
    fault = {"path": "/api/v1/users", "method": "GET", "status": 503, "times": 2, "retryAfter": 1}
    assert ctl.post("/_sim/faults", json=fault).status_code == 201
    first, second, third = (api.get("/api/v1/users") for _ in range(3))
    assert first.status_code == second.status_code == 503
    assert first.headers["retry-after"] == "1" and third.status_code == 200
    ctl.post("/_sim/faults", json={"path": "/api/v1/Groups", "body": "html"})
    html = api.get("/api/v1/Groups")
    assert html.status_code == 302 and html.headers["location"].startswith("/login")
    assert "text/html" in html.headers["content-type"]
    ctl.post("/_sim/faults", json={"path": "/api/v1/Users/*", "status": 0})
    with pytest.raises(httpx.TransportError):
        api.get("/api/v1/Users/operatorStates")
    assert api.get("/api/v1/Users/operatorStates").status_code == 200
    custom = {
        "path": "/login/connect/token",
        "status": 500,
        "body": "oops",
        "contentType": "text/plain",
    }
    ctl.post("/_sim/faults", json=custom)
    assert httpx.post(sim.base_url + "/login/connect/token").text == "oops"
    stats = ctl.get("/_sim/stats").json()
    assert stats["requests"]["GET /api/v1/users"] == 3
    assert stats["tokenRequests"] == 0  # the faulted token request never reached the endpoint
    assert ctl.post("/_sim/faults", json={"status": 1}).status_code == 400
    ctl.post("/_sim/faults", json={"path": "/api/v1/users"})
    ctl.post("/_sim/reset")
    assert ctl.get("/_sim/stats").json() == {"tokenRequests": 0, "requests": {}}
    assert api.get("/api/v1/users").status_code == 200
    ctl.close()


# -- recorded data -------------------------------------------------------------------------------


def test_data_file_mode(tmp_path: Path, data):
    picked = [dict(data[3], id=42), dict(data[9], id=7), {"no": "id"}, "junk"]
    path = tmp_path / "sessions.json"
    path.write_text(json.dumps(picked), encoding="utf-8")
    with Simulator(data_file=path) as s, httpx.Client(base_url=s.base_url) as c:
        c.headers["Authorization"] = f"Bearer {_token(c)}"
        got = c.get("/api/v1/Sessions").json()
        assert sorted(x["id"] for x in got) == [7, 42]
        assert c.get("/api/v1/Sessions/42").json()["activities"] == data[3]["activities"]
        url = s.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_sim/stats", timeout=2)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid JSON"):
        load_data_file(bad)
    with pytest.raises(DataFileError, match="cannot read"):
        load_data_file(tmp_path / "missing.json")


def test_a_second_simulator_serves_the_same_tenant_and_counts_its_calls():
    """Two simulators with one seed and clock serve the same sessions over their own sockets;
    /_sim/stats counts one token and each API call. Start-up time: bench/simulator.py."""
    with Simulator(sessions=COUNT, seed=7, now=NOW) as s, httpx.Client(base_url=s.base_url) as c:
        assert c.get("/_sim/stats").json() == {"tokenRequests": 0, "requests": {}}
        c.headers["Authorization"] = f"Bearer {_token(c)}"
        got = c.get("/api/v1/Sessions", params={"limit": COUNT}).json()
        one = c.get(f"/api/v1/Sessions/{got[-1]['id']}").json()
        stats = c.get("/_sim/stats").json()
        assert stats["tokenRequests"] == 1
        assert stats["requests"]["GET /api/v1/Sessions"] == 1, stats
    data = generate_sessions(COUNT, seed=7, now=NOW)
    assert [x["id"] for x in got] == [x["id"] for x in data]
    assert one == data[-1]
