"""MluviiClient against faults: auth, retries, malformed answers, refused ports, downloads.

Runs over real loopback sockets against the simulator (demo/runner.py), driving its /_sim
control endpoints (faults, token revocation, statistics).
"""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

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
from mluvii_tui.demo.runner import Simulator

ADMIN_ID, ADMIN_SECRET = "demo-admin", "demo-admin-secret"
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
CHANNELS = ("Chat", "AV", "Phone")


# -- simulator ---------------------------------------------------------------------------------


def start_server(sessions: int = 1234) -> tuple[Simulator, str]:
    """The simulator on a free loopback port, with fixed data. Returns (simulator, base_url)."""
    sim = Simulator(sessions=sessions, seed=7, now=NOW)
    return sim, sim.start()


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


@pytest.fixture(scope="module")
def ids(server: str) -> list[int]:
    """A few session ids that exist in the simulator's data."""

    async def first_page() -> list[int]:
        async with make_client(server) as client:
            async for page in client.iter_sessions(page_size=5):
                return [s.id for s in page]
        return []

    return asyncio.run(first_page())


@pytest.fixture(scope="module")
def sid(ids: list[int]) -> int:
    return ids[0]


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


async def test_bad_credentials_are_an_auth_error_without_the_secret(server: str, sid: int) -> None:
    async with MluviiClient(server, "demo-admin", "wrong-secret-123", timeout=5) as client:
        with pytest.raises(AuthError) as info:
            await client.get_session(sid)
    assert "demo-admin" in info.value.message
    assert "rejected" in info.value.message
    assert "wrong-secret-123" not in info.value.message


async def test_401_twice_is_auth_error_after_exactly_one_reauth(control: Control) -> None:
    async with make_client(control.base_url) as client:
        async for _ in client.iter_sessions(page_size=10):
            break
        before = control.stats()["tokenRequests"]
        control.fault(SESSIONS, 401, times=2)
        with pytest.raises(AuthError) as info:
            async for _ in client.iter_sessions(page_size=10):
                break
    assert before == 1
    assert control.stats()["tokenRequests"] == before + 1
    assert control.stats()["requests"]["GET /api/v1/Sessions"] == 3  # first page, 401, resend
    assert_no_secret(info.value)


async def test_revoked_token_is_renewed_once_and_the_call_succeeds(
    control: Control, sid: int, ids: list[int]
) -> None:
    async with make_client(control.base_url) as client:
        await client.get_session(sid)
        assert control.stats()["tokenRequests"] == 1
        control.revoke()
        session = await client.get_session(ids[1])
    assert session.id == ids[1]
    assert control.stats()["tokenRequests"] == 2


async def test_expired_token_is_renewed_before_use(control: Control, sid: int) -> None:
    now = [0.0]
    async with make_client(control.base_url, clock=lambda: now[0]) as client:
        await client.get_session(sid)
        await client.get_session(sid)
        assert control.stats()["tokenRequests"] == 1
        now[0] += 3600  # past expires_in - 30 s
        await client.get_session(sid)
    assert control.stats()["tokenRequests"] == 2
    assert control.stats()["requests"].get(f"GET /api/v1/Sessions/{sid}") == 3


async def test_concurrent_calls_share_one_token_request(control: Control, ids: list[int]) -> None:
    import asyncio

    async with make_client(control.base_url) as client:
        await asyncio.gather(*(client.get_session(ids[i % len(ids)]) for i in range(8)))
    assert control.stats()["tokenRequests"] == 1


async def test_html_login_redirect_is_auth_error(control: Control, sid: int) -> None:
    async with make_client(control.base_url) as client:
        await client.get_session(sid)
        control.fault(f"/api/v1/Sessions/{sid}", 302, times=2, body="html")
        with pytest.raises(AuthError) as info:
            await client.get_session(sid)
    assert "not authenticated" in info.value.message


async def test_html_page_instead_of_json_is_auth_error(control: Control, sid: int) -> None:
    async with make_client(control.base_url) as client:
        control.fault(
            f"/api/v1/Sessions/{sid}",
            200,
            times=2,
            body="<html>Login</html>",
            contentType="text/html",
        )
        with pytest.raises(AuthError):
            await client.get_session(sid)


# -- retries -----------------------------------------------------------------------------------


async def test_429_honours_retry_after_then_succeeds(control: Control, sid: int) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 429, times=1, retryAfter=1)
        session = await client.get_session(sid)
    assert session.id == sid
    assert sleep.delays == [1.0]


async def test_retry_after_is_capped(control: Control, sid: int) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep, retry_after_max=2.5) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 429, times=1, retryAfter=3600)
        await client.get_session(sid)
    assert sleep.delays == [2.5]


async def test_429_exhausting_retries_is_rate_limited(control: Control, sid: int) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep, max_retries=2) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 429, times=5, retryAfter=0)
        with pytest.raises(RateLimited):
            await client.get_session(sid)
    assert len(sleep.delays) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_retried_then_success(control: Control, status: int, sid: int) -> None:
    async with make_client(control.base_url) as client:
        control.fault(f"/api/v1/Sessions/{sid}", status, times=2)
        session = await client.get_session(sid)
    assert session.id == sid
    assert control.stats()["requests"][f"GET /api/v1/Sessions/{sid}"] == 3


async def test_5xx_exhausting_retries_is_server_error(control: Control, sid: int) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep, max_retries=3) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 503, times=10)
        with pytest.raises(ServerError) as info:
            await client.get_session(sid)
    assert "503" in info.value.message
    assert control.stats()["requests"][f"GET /api/v1/Sessions/{sid}"] == 4
    # full jitter: every delay within [0, base * 2**attempt]
    assert all(0 <= d <= 0.001 * 2**i for i, d in enumerate(sleep.delays))
    assert_no_secret(info.value)


async def test_dropped_connection_is_retried(control: Control, sid: int) -> None:
    async with make_client(control.base_url) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 0, times=1)
        session = await client.get_session(sid)
    assert session.id == sid


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


async def test_malformed_json_is_bad_response(control: Control, sid: int) -> None:
    sleep = Recorder()
    async with make_client(control.base_url, sleep=sleep, max_retries=2) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 200, times=3, body="{not json")
        with pytest.raises(BadResponse) as info:
            await client.get_session(sid)
    assert "not valid JSON" in info.value.message
    assert len(sleep.delays) == 2  # a GET asks again before giving up


async def test_one_malformed_answer_is_asked_again(control: Control, sid: int) -> None:
    async with make_client(control.base_url, sleep=Recorder()) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 200, times=1, body='{"id": 1, "cha')
        assert (await client.get_session(sid)).id == sid


async def test_retry_after_beyond_the_cap_waits_the_cap_then_stops(
    control: Control, sid: int
) -> None:
    from mluvii_tui.api.retry import WAIT_LISTENER

    sleep = Recorder()
    told: list[str] = []
    WAIT_LISTENER.set(told.append)
    async with make_client(control.base_url, sleep=sleep, retry_after_max=60) as client:
        control.fault(f"/api/v1/Sessions/{sid}", 429, times=3, retryAfter=3600)
        with pytest.raises(RateLimited) as info:
            await client.get_session(sid)
    assert sleep.delays == [60.0]  # one capped wait, then report and stop
    assert "rate limited" in info.value.message and "press r" in info.value.message
    assert told[0].startswith("rate limited by the server, next try at ")
    assert told[-1] == ""


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


async def test_missing_simulator_path_is_not_supported(control: Control, sid: int) -> None:
    async with make_client(control.base_url) as client:
        control.fault(f"/api/v1/Sessions/{sid}/routing", 404, times=1)
        with pytest.raises(NotSupported) as info:
            await client.get_routing(sid)
        control.fault("/api/v1/Groups", 405, times=1)
        with pytest.raises(NotSupported):
            await client.get_groups()
    assert info.value.message == "this server does not offer routing history"


# -- downloads and notes -----------------------------------------------------------------------


async def _file_url(client: MluviiClient) -> str:
    async for page in client.iter_sessions(page_size=500):
        for s in page:
            for a in s.activities:
                f = a.file
                if f and f.download_url and not f.is_deleted and not f.is_uploading:
                    return f.download_url
    raise AssertionError("no downloadable file in the simulator data")


async def test_download_streams_to_part_then_renames(control: Control, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    dest = tmp_path / "file.bin"
    async with make_client(control.base_url) as client:
        url = await _file_url(client)
        control.fault(httpx.URL(url).path, 503, times=1)
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


async def test_add_note_posts_once_per_idempotency_key(control: Control, sid: int) -> None:
    async with make_client(control.base_url) as client:
        first = await client.add_note(sid, "call back tomorrow", "key-1")
        control.fault(f"/api/v1/Sessions/{sid}/notes", 503, times=1, method="POST")
        second = await client.add_note(sid, "call back tomorrow", "key-1")
    assert first.note == "call back tomorrow"
    assert first.id == second.id


async def test_silent_server_is_a_timeout_after_retries() -> None:
    # A listening socket that never accepts: the kernel completes the handshake, nobody answers.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        port = sock.getsockname()[1]
        sleep = Recorder()
        client = MluviiClient(
            f"http://127.0.0.1:{port}",
            ADMIN_ID,
            ADMIN_SECRET,
            timeout=0.2,
            max_retries=1,
            sleep=sleep,
        )
        async with client:
            with pytest.raises(ConnectionFailed) as info:
                await client.get_session(1)
    assert "timed out" in info.value.message
    assert len(sleep.delays) == 1
    assert_no_secret(info.value)


async def test_token_endpoint_5xx_is_retried(control: Control, sid: int) -> None:
    async with make_client(control.base_url) as client:
        control.fault("/login/connect/token", 503, times=1, method="POST")
        session = await client.get_session(sid)
    assert session.id == sid
