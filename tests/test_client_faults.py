"""MluviiClient against faults: auth, retries, malformed answers, refused ports, downloads.

Runs over real loopback sockets against the simulator (demo/runner.py). While the simulator is
not there yet, ``StubServer`` below (a tiny Starlette app with the same /_sim control endpoints)
stands in for it; ``start_server()`` picks whichever exists.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.errors import (
    AuthError,
    BadResponse,
    ConnectionFailed,
    MluviiError,
    NotFound,
    NotSupported,
    RateLimited,
    ServerError,
)
from mluvii_tui.api.filters import SessionFilter

ADMIN_ID, ADMIN_SECRET = "demo-admin", "demo-admin-secret"
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
CHANNELS = ("Chat", "AV", "Phone")


# -- stand-in server ---------------------------------------------------------------------------


def stub_sessions(count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        created = NOW - timedelta(minutes=10 * (count - i))
        out.append(
            {
                "id": 1000 + i,
                "channel": CHANNELS[i % 3],
                "source": "Default" if i % 7 else "SomethingNew",
                "status": "CLOSED",
                "created": created.isoformat(),
                "ended": (created + timedelta(minutes=5)).isoformat(),
                "activities": [{"activityId": i * 10, "type": "ChatMessage", "text": f"hello {i}"}],
            }
        )
    return out


class StubServer:
    """Minimal mluvii API + /_sim control endpoints, in a uvicorn thread on 127.0.0.1."""

    def __init__(self, sessions: int = 1234, token_lifetime: int = 3600) -> None:
        self.sessions = stub_sessions(sessions)
        self.token_lifetime = token_lifetime
        self.tokens: set[str] = set()
        self.faults: list[dict[str, Any]] = []
        self.stats: Counter[str] = Counter()
        self.token_requests = 0
        self.notes: dict[str, dict[str, Any]] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # control
    async def _faults(self, request: Request) -> Response:
        self.faults.append(await request.json())
        return Response(status_code=204)

    async def _revoke(self, request: Request) -> Response:
        self.tokens.clear()
        return Response(status_code=204)

    async def _stats(self, request: Request) -> Response:
        return JSONResponse({"tokenRequests": self.token_requests, "requests": dict(self.stats)})

    async def _reset(self, request: Request) -> Response:
        self.faults.clear()
        self.stats.clear()
        self.token_requests = 0
        return Response(status_code=204)

    # API
    async def _token(self, request: Request) -> Response:
        self.token_requests += 1
        form = dict(parse_qsl((await request.body()).decode()))  # no python-multipart here
        if (form.get("client_id"), form.get("client_secret")) != (ADMIN_ID, ADMIN_SECRET):
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        token = f"tok-{self.token_requests}-{time.monotonic_ns()}"
        self.tokens.add(token)
        body = {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        return JSONResponse(body)

    def _fault(self, request: Request) -> Response | None:
        for fault in self.faults:
            if fault.get("times", 1) <= 0:
                continue
            if fault.get("path") not in (None, request.url.path):
                continue
            if fault.get("method", request.method).upper() != request.method:
                continue
            fault["times"] = fault.get("times", 1) - 1
            status = int(fault.get("status", 503))
            if fault.get("body") == "html":
                return RedirectResponse("/login/Account/Login?ReturnUrl=%2Fapi", status_code=302)
            headers = {}
            if fault.get("retryAfter") is not None:
                headers["Retry-After"] = str(fault["retryAfter"])
            return Response(
                fault.get("body", ""),
                status_code=status,
                headers=headers,
                media_type=fault.get("contentType", "application/json"),
            )
        return None

    async def _api(self, request: Request) -> Response:
        path = request.url.path
        self.stats[f"{request.method} {path}"] += 1
        fault = self._fault(request)
        if fault is not None:
            return fault
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return Response(status_code=401)
        parts = path.strip("/").split("/")[2:]  # after api/v1
        if parts == ["Sessions"]:
            flt = SessionFilter.from_params(request.query_params.multi_items())
            rows = [s for s in self.sessions if not flt.channel or s["channel"] in flt.channel]
            limit = int(request.query_params.get("limit", 10000))
            offset = int(request.query_params.get("offset", 0))
            return JSONResponse(rows[offset : offset + limit])
        if len(parts) >= 2 and parts[0] == "Sessions":
            found = [s for s in self.sessions if str(s["id"]) == parts[1]]
            if not found:
                return Response("Session ID not found.", status_code=404)
            if len(parts) == 2:
                return JSONResponse(found[0])
            if parts[2] == "notes" and request.method == "POST":
                key = request.headers.get("idempotency-key", "")
                note = self.notes.setdefault(
                    key, {"id": len(self.notes) + 1, **(await request.json())}
                )
                return JSONResponse(note, status_code=201)
            if parts[2] == "files":
                data = b"x" * 200_000
                return Response(data, media_type="application/octet-stream")
        return Response(status_code=404)

    def start(self) -> str:
        routes = [
            Route("/_sim/faults", self._faults, methods=["POST"]),
            Route("/_sim/revoke-tokens", self._revoke, methods=["POST"]),
            Route("/_sim/stats", self._stats, methods=["GET"]),
            Route("/_sim/reset", self._reset, methods=["POST"]),
            Route("/login/connect/token", self._token, methods=["POST"]),
            Route("/api/{rest:path}", self._api, methods=["GET", "POST", "PUT"]),
        ]
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(Starlette(routes=routes), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)


def using_stub() -> bool:
    """True while demo/runner.py does not exist yet (the stand-in server runs instead)."""
    return importlib.util.find_spec("mluvii_tui.demo.runner") is None


def start_server(sessions: int = 1234) -> tuple[Any, str]:
    """The real simulator when it exists, else the stub. Returns (server, base_url)."""
    try:
        from mluvii_tui.demo.runner import Simulator
    except ImportError:
        server: Any = StubServer(sessions=sessions)
    else:
        server = Simulator(sessions=sessions, seed=7, now=NOW)
    return server, server.start()


class Control:
    """The /_sim control endpoints over HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _post(self, path: str, body: Any = None) -> None:
        httpx.post(self.base_url + path, json=body, timeout=5).raise_for_status()

    def fault(self, path: str, status: int, times: int = 1, method: str = "GET", **extra: Any):
        self._post(
            "/_sim/faults",
            {"path": path, "method": method, "status": status, "times": times, **extra},
        )

    def revoke(self) -> None:
        self._post("/_sim/revoke-tokens")

    def reset(self) -> None:
        self._post("/_sim/reset")

    def stats(self) -> dict[str, Any]:
        return httpx.get(self.base_url + "/_sim/stats", timeout=5).json()


@pytest.fixture(scope="module")
def server() -> Any:
    srv, base = start_server()
    yield base
    srv.stop()


@pytest.fixture
def control(server: str) -> Control:
    ctl = Control(server)
    ctl.reset()
    return ctl


class Recorder:
    """A ``sleep`` that records the delays and does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(base: str, secret: str = ADMIN_SECRET, **kwargs: Any) -> MluviiClient:
    kwargs.setdefault("backoff_base", 0.001)
    return MluviiClient(base, ADMIN_ID, secret, timeout=5, **kwargs)


SESSIONS = "/api/v1/Sessions"


def assert_no_secret(exc: MluviiError, token: str | None = None) -> None:
    assert ADMIN_SECRET not in exc.message
    assert ADMIN_SECRET not in str(exc)
    assert "\n" not in exc.message
    if token:
        assert token not in exc.message


# -- auth --------------------------------------------------------------------------------------


async def test_bad_credentials_are_an_auth_error_without_the_secret(server: str) -> None:
    async with MluviiClient(server, "demo-admin", "wrong-secret-123", timeout=5) as client:
        with pytest.raises(AuthError) as info:
            await client.get_session(1000)
    assert "demo-admin" in info.value.message
    assert "rejected" in info.value.message
    assert "wrong-secret-123" not in info.value.message


async def test_401_twice_is_auth_error_after_exactly_one_reauth(control: Control) -> None:
    async with make_client(control.base_url) as client:
        async for _ in client.iter_sessions(page_size=5000):
            break
        before = control.stats()["tokenRequests"]
        control.fault(SESSIONS, 401, times=2)
        with pytest.raises(AuthError) as info:
            async for _ in client.iter_sessions(page_size=10):
                break
    assert control.stats()["tokenRequests"] == before + 1
    assert_no_secret(info.value)


async def test_revoked_token_is_renewed_once_and_the_call_succeeds(control: Control) -> None:
    async with make_client(control.base_url) as client:
        await client.get_session(1000)
        assert control.stats()["tokenRequests"] == 1
        control.revoke()
        session = await client.get_session(1001)
    assert session.id == 1001
    assert control.stats()["tokenRequests"] == 2


async def test_expired_token_is_renewed_before_use(control: Control) -> None:
    now = [0.0]
    async with make_client(control.base_url, clock=lambda: now[0]) as client:
        await client.get_session(1000)
        await client.get_session(1000)
        assert control.stats()["tokenRequests"] == 1
        now[0] += 3600  # past expires_in - 30 s
        await client.get_session(1000)
    assert control.stats()["tokenRequests"] == 2
    assert control.stats()["requests"].get("GET /api/v1/Sessions/1000") == 3


async def test_concurrent_calls_share_one_token_request(control: Control) -> None:
    import asyncio

    async with make_client(control.base_url) as client:
        await asyncio.gather(*(client.get_session(1000 + i) for i in range(8)))
    assert control.stats()["tokenRequests"] == 1


async def test_html_login_redirect_is_auth_error(control: Control) -> None:
    async with make_client(control.base_url) as client:
        await client.get_session(1000)
        control.fault("/api/v1/Sessions/1000", 302, times=2, body="html")
        with pytest.raises(AuthError) as info:
            await client.get_session(1000)
    assert "not authenticated" in info.value.message


async def test_html_page_instead_of_json_is_auth_error(control: Control) -> None:
    async with make_client(control.base_url) as client:
        control.fault(
            "/api/v1/Sessions/1000",
            200,
            times=2,
            body="<html>Login</html>",
            contentType="text/html",
        )
        with pytest.raises(AuthError):
            await client.get_session(1000)


# -- retries -----------------------------------------------------------------------------------


async def test_429_honours_retry_after_then_succeeds(control: Control) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep) as client:
        control.fault("/api/v1/Sessions/1000", 429, times=1, retryAfter=1)
        session = await client.get_session(1000)
    assert session.id == 1000
    assert sleep.delays == [1.0]


async def test_retry_after_is_capped(control: Control) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep, retry_after_max=2.5) as client:
        control.fault("/api/v1/Sessions/1000", 429, times=1, retryAfter=3600)
        await client.get_session(1000)
    assert sleep.delays == [2.5]


async def test_429_exhausting_retries_is_rate_limited(control: Control) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep, max_retries=2) as client:
        control.fault("/api/v1/Sessions/1000", 429, times=5, retryAfter=0)
        with pytest.raises(RateLimited):
            await client.get_session(1000)
    assert len(sleep.delays) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_retried_then_success(control: Control, status: int) -> None:
    async with make_client(control.base_url) as client:
        control.fault("/api/v1/Sessions/1000", status, times=2)
        session = await client.get_session(1000)
    assert session.id == 1000
    assert control.stats()["requests"]["GET /api/v1/Sessions/1000"] == 3


async def test_5xx_exhausting_retries_is_server_error(control: Control) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep, max_retries=3) as client:
        control.fault("/api/v1/Sessions/1000", 503, times=10)
        with pytest.raises(ServerError) as info:
            await client.get_session(1000)
    assert "503" in info.value.message
    assert control.stats()["requests"]["GET /api/v1/Sessions/1000"] == 4
    # full jitter: every delay within [0, base * 2**attempt]
    assert all(0 <= d <= 0.001 * 2**i for i, d in enumerate(sleep.delays))
    assert_no_secret(info.value)


async def test_dropped_connection_is_retried(control: Control) -> None:
    if using_stub():
        pytest.skip("the stand-in server cannot drop connections")
    async with make_client(control.base_url) as client:
        control.fault("/api/v1/Sessions/1000", 0, times=1)
        session = await client.get_session(1000)
    assert session.id == 1000


# -- reachability and malformed answers --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_refused_port_is_connection_failed() -> None:
    port = _free_port()
    sleep = Recorder()
    async with make_client(f"http://127.0.0.1:{port}", sleep=sleep, max_retries=2) as client:
        with pytest.raises(ConnectionFailed) as info:
            await client.get_session(1)
    assert info.value.message == f"cannot reach http://127.0.0.1:{port}: connection refused"
    assert len(sleep.delays) == 2


def test_not_a_url_is_a_clear_error() -> None:
    with pytest.raises(ConnectionFailed) as info:
        MluviiClient("app.mluvii.com", ADMIN_ID, ADMIN_SECRET)
    assert "not an http(s) URL" in info.value.message


async def test_malformed_json_is_bad_response(control: Control) -> None:
    async with make_client(control.base_url) as client:
        control.fault("/api/v1/Sessions/1000", 200, times=1, body="{not json")
        with pytest.raises(BadResponse) as info:
            await client.get_session(1000)
    assert "not valid JSON" in info.value.message


async def test_session_page_that_is_not_an_array_is_bad_response(control: Control) -> None:
    async with make_client(control.base_url) as client:
        control.fault(SESSIONS, 200, times=1, body=json.dumps({"items": []}))
        with pytest.raises(BadResponse):
            async for _ in client.iter_sessions():
                pass


async def test_non_session_items_are_skipped_and_counted(control: Control) -> None:
    body = json.dumps([{"id": 1, "channel": "Chat"}, "junk", {"no": "id"}, {"id": 2, "x": 1}])
    async with make_client(control.base_url) as client:
        control.fault(SESSIONS, 200, times=1, body=body)
        pages = [page async for page in client.iter_sessions(page_size=10)]
    assert [[s.id for s in page] for page in pages] == [[1, 2]]
    assert client.skipped_items == 2


async def test_unknown_session_is_not_found(control: Control) -> None:
    async with make_client(control.base_url) as client:
        with pytest.raises(NotFound) as info:
            await client.get_session(999_999_999)
    assert info.value.message == "session 999999999 not found"


async def test_missing_simulator_path_is_not_supported(control: Control) -> None:
    async with make_client(control.base_url) as client:
        control.fault("/api/v1/Sessions/1000/routing", 404, times=1)
        with pytest.raises(NotSupported) as info:
            await client.get_routing(1000)
        control.fault("/api/v1/Groups", 405, times=1)
        with pytest.raises(NotSupported):
            await client.get_groups()
    assert info.value.message == "this server does not offer routing history"


# -- downloads and notes -----------------------------------------------------------------------


async def test_download_streams_to_part_then_renames(control: Control, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    dest = tmp_path / "file.bin"
    async with make_client(control.base_url) as client:
        url = f"{control.base_url}/api/v1/Sessions/1000/files/1"
        result = await client.download(url, dest, lambda done, total: seen.append((done, total)))
    assert result == dest
    assert dest.stat().st_size > 0
    assert not (tmp_path / "file.bin.part").exists()
    assert seen[-1][0] == dest.stat().st_size


async def test_download_from_another_host_is_refused(control: Control, tmp_path: Path) -> None:
    async with make_client(control.base_url) as client:
        with pytest.raises(NotSupported) as info:
            await client.download("http://evil.example:8080/steal", tmp_path / "x", None)
    assert "refusing" in info.value.message
    assert control.stats()["tokenRequests"] == 0
    assert not (tmp_path / "x").exists()


async def test_add_note_posts_once_per_idempotency_key(control: Control) -> None:
    async with make_client(control.base_url) as client:
        first = await client.add_note(1000, "call back tomorrow", "key-1")
        control.fault("/api/v1/Sessions/1000/notes", 503, times=1, method="POST")
        second = await client.add_note(1000, "call back tomorrow", "key-1")
    assert first.note == "call back tomorrow"
    assert first.id == second.id
