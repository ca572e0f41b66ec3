"""Trying a server and a pair of credentials, with one actionable line for each way it can fail.

``probe`` asks the server anything (no credentials): reachable? how fast? what does its clock say?
``check_credentials`` gets a token through the API client's own auth code and reads one session.
``explain`` turns any failure into the one line the user sees (never a traceback, never a secret).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ..api.auth import origin
from ..api.client import MluviiClient
from ..api.errors import AuthError, BadResponse, ConnectionFailed, MluviiError, ServerError
from ..api.paths import PATHS

#: Skew beyond which tokens and times go wrong (fail), and beyond which we mention it (warn).
SKEW_FAIL_S = 300.0
SKEW_WARN_S = 30.0
SSL_HINT = "set SSL_CERT_FILE to your company's CA bundle if a proxy inspects TLS"


class ProbeError(Exception):
    """The server could not be asked at all; ``str()`` is one actionable line."""


@dataclass(frozen=True)
class Probe:
    status: int
    latency_ms: float
    server_time: datetime | None
    skew_s: float | None  # local clock minus the server's Date header (positive: we are ahead)


def probe(
    base_url: str, *, timeout: float = 10.0, now: Callable[[], datetime] | None = None
) -> Probe:
    """One unauthenticated GET of the token endpoint: any HTTP answer means reachable."""
    url = base_url.rstrip("/") + PATHS["token"].template
    where = origin(url)
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as http:
            response = http.get(url, headers={"Accept": "application/json"})
    except httpx.ConnectError as exc:
        raise ProbeError(_connect_line(where, exc)) from None
    except httpx.TimeoutException:
        raise ProbeError(
            f"{where} did not answer within {timeout:g} s: check the network, VPN or proxy"
            " (HTTPS_PROXY)"
        ) from None
    except httpx.HTTPError as exc:
        raise ProbeError(f"{where}: {type(exc).__name__}: check the base URL") from None
    latency = (time.perf_counter() - started) * 1000
    local = (now or (lambda: datetime.now(UTC)))()
    server_time = _date_header(response.headers.get("date"))
    skew = (local - server_time).total_seconds() if server_time is not None else None
    return Probe(response.status_code, latency, server_time, skew)


def _date_header(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _connect_line(where: str, exc: BaseException) -> str:
    seen: BaseException | None = exc
    text = ""
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            reason = seen.verify_message or "certificate verify failed"
            return f"the certificate of {where} is not trusted ({reason}): {SSL_HINT}"
        if isinstance(seen, ConnectionRefusedError):
            return f"cannot reach {where}: connection refused (check the host and port)"
        text += f" {seen}"
        seen = seen.__cause__ or seen.__context__
    low = text.lower()
    if "certificate" in low:
        return f"the certificate of {where} is not trusted: {SSL_HINT}"
    if "ssl" in low or "tls" in low:
        return f"TLS with {where} failed: is it https on an http port, or the wrong port?"
    if "refused" in low or "all connection attempts failed" in low:
        return f"cannot reach {where}: connection refused (check the host and port)"
    if "name or service not known" in low or "nodename" in low or "name resolution" in low:
        return f"cannot find the host of {where}: check the spelling of the base URL, DNS or VPN"
    return f"cannot reach {where}: check the base URL, the network and any proxy"


def skew_line(skew_s: float) -> str:
    """'your clock is 2 h 0 min ahead of the server's' — for messages."""
    minutes = round(abs(skew_s) / 60)
    size = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{abs(skew_s):.0f} s"
    side = "ahead of" if skew_s > 0 else "behind"
    return (
        f"your clock is {size} {side} the server's: times will be shown wrong and tokens may be"
        " refused; turn on time sync (e.g. `timedatectl set-ntp true`)"
    )


@dataclass(frozen=True)
class Credentials:
    ok: bool
    line: str  # what happened, one line
    can_read_sessions: bool = False


def check_credentials(
    base_url: str, client_id: str, secret: str, *, timeout: float = 10.0
) -> Credentials:
    """Get a token (the API client's own auth) and read one session page of one item."""

    async def attempt() -> Credentials:
        async with MluviiClient(
            base_url, client_id, secret, timeout=timeout, max_retries=0
        ) as client:
            try:
                async for _page in client.iter_sessions(page_size=1):
                    break
            except AuthError as exc:
                if exc.status == 403 and client.auth.has_token:
                    return Credentials(True, f"client id {client_id!r} may not read sessions")
                raise
            return Credentials(True, f"client id {client_id!r} signed in", can_read_sessions=True)

    try:
        return asyncio.run(attempt())
    except MluviiError as exc:
        return Credentials(False, explain(exc, base_url, client_id))


def explain(exc: MluviiError, base_url: str, client_id: str = "") -> str:
    """One actionable line for a failed call against ``base_url``."""
    where = origin(base_url)
    message = exc.message
    if isinstance(exc, AuthError):
        if "login page" in message or "HTML" in message:
            return (
                f"{where} answered with an HTML page, not the mluvii API: check the base URL"
                " (the mluvii server itself, not a web page or a proxy's sign-in page)"
            )
        if exc.status == 404:
            return (
                f"{where} has no token endpoint: check the base URL (e.g. https://app.mluvii.com)"
            )
        if exc.status in (400, 401):
            return (
                f"{where} rejected client id {client_id!r} or its secret: check both"
                " (an API key of a mluvii company administrator)"
            )
        return message
    if isinstance(exc, ConnectionFailed):
        if "TLS" in message:
            return f"TLS with {where} failed (certificate or protocol): {SSL_HINT}"
        if "unknown host" in message:
            return (
                f"cannot find the host of {where}: check the spelling of the base URL, DNS or VPN"
            )
        if "refused" in message:
            return f"cannot reach {where}: connection refused (check the host and port)"
        if "timed out" in message:
            return f"{where} did not answer in time: check the network, VPN or proxy (HTTPS_PROXY)"
        return f"{message}: check the base URL and the network"
    if isinstance(exc, BadResponse):
        return f"{message}: is {where} a mluvii server? check the base URL"
    if isinstance(exc, ServerError):
        return f"{message}: the server has a problem, try again later"
    return message
