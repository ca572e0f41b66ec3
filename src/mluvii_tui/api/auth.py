"""OAuth2 client credentials for the mluvii API as an ``httpx.Auth`` (reference §1).

The token lives in memory only. It is renewed ``skew`` seconds before it expires, by one task at a
time (single-flight under an ``asyncio.Lock``), and once more when the server answers 401 or
redirects to its login page (token revoked or rotated), after which the request is resent once.
Messages name the client id, never the secret or a token.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from .errors import AuthError, BadResponse, RateLimited, ServerError

LOGIN_HINTS = ("login", "signin", "sign-in", "account", "connect/authorize")


def is_login_answer(response: httpx.Response) -> bool:
    """True when the server answered as it does to a browser without a session: a redirect
    to a login page, or an HTML page instead of JSON (reference §1)."""
    if 300 <= response.status_code < 400:
        location = response.headers.get("location", "").lower()
        return any(hint in location for hint in LOGIN_HINTS)
    content_type = response.headers.get("content-type", "").lower()
    return 200 <= response.status_code < 300 and "text/html" in content_type


def origin(url: httpx.URL | str) -> str:
    """``scheme://host[:port]`` of ``url``, for messages (never carries userinfo or a query)."""
    url = httpx.URL(str(url))
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


class ClientCredentialsAuth(httpx.Auth):
    """Bearer tokens from ``POST token_url`` (grant_type=client_credentials, form body)."""

    requires_request_body = False
    requires_response_body = False

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        skew: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self._skew = skew
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        #: Token requests this object has sent (for diagnostics and tests).
        self.token_requests = 0

    def __repr__(self) -> str:  # never show the secret
        return f"ClientCredentialsAuth(client_id={self.client_id!r})"

    @property
    def has_token(self) -> bool:
        return self._token is not None and not self._expired()

    def forget_token(self) -> None:
        """Drop the cached token; the next request fetches a new one."""
        self._token = None
        self._expires_at = 0.0

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError("ClientCredentialsAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._expired():
            async with self._lock:
                if self._expired():
                    response = yield self._token_request(request)
                    await self._store(response)
        used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code == 401 or is_login_answer(response):
            # Revoked or rotated: renew once (unless another task already did), resend once.
            async with self._lock:
                if self._token == used or self._expired():
                    response = yield self._token_request(request)
                    await self._store(response)
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    # -- internals -----------------------------------------------------------------------------

    def _expired(self) -> bool:
        return self._token is None or self._clock() >= self._expires_at

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        """The token POST; it keeps the timeouts of the call that needs it (a bare Request
        has none, and would wait forever on a silent server)."""
        self.token_requests += 1
        extensions = {k: v for k, v in request.extensions.items() if k == "timeout"}
        return httpx.Request(
            "POST",
            self.token_url,
            data={
                "response_type": "token",
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret,
            },
            headers={"Accept": "application/json"},
            extensions=extensions,
        )

    async def _store(self, response: httpx.Response) -> None:
        body = await response.aread()
        status = response.status_code
        where = origin(self.token_url)
        if is_login_answer(response):
            raise AuthError(
                f"not authenticated: {where} answered the token request with a login page"
                " (check the base URL)",
                status=status,
            )
        if status in (400, 401, 403):
            code = _error_code(body)
            detail = f" ({code})" if code else ""
            raise AuthError(
                f"the server rejected client id {self.client_id!r}{detail}", status=status
            )
        if status == 404:
            raise AuthError(f"no token endpoint at {where} (check the base URL)", status=status)
        if status == 429:
            raise RateLimited(f"{where} is rate limiting token requests", status=status)
        if status >= 500:
            raise ServerError(f"{where} token endpoint failed with HTTP {status}", status=status)
        if not 200 <= status < 300:
            raise AuthError(f"token request failed with HTTP {status}", status=status)
        try:
            data = json.loads(body)
            token = data["access_token"]
            expires_in = float(data.get("expires_in") or 3600)
        except (ValueError, TypeError, KeyError):
            raise BadResponse(f"{where} answered the token request without a token") from None
        if not isinstance(token, str) or not token:
            raise BadResponse(f"{where} answered the token request without a token")
        lifetime = max(expires_in - self._skew, expires_in / 2)
        self._token = token
        self._expires_at = self._clock() + lifetime


def _error_code(body: bytes) -> str:
    """The OAuth ``error`` code of a token error answer, if it is a plain word."""
    try:
        code = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return ""
    if isinstance(code, str) and re.fullmatch(r"[A-Za-z_]{1,40}", code):
        return code
    return ""
