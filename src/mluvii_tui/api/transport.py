"""``ApiTransport``: the HTTP plumbing under ``MluviiClient`` (docs/ARCHITECTURE.md "Client").

One ``httpx.AsyncClient`` with explicit timeouts and limits, OAuth2 client credentials
(``auth.ClientCredentialsAuth``), bounded retries with full-jitter backoff for idempotent calls,
streamed downloads, and typed errors (``errors``) whose one-line message never holds the secret
or a token. Every path comes from ``paths.PATHS``. The API endpoints are in ``client``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import httpx

from .auth import ClientCredentialsAuth, is_login_answer, origin
from .errors import (
    AuthError,
    BadRequest,
    BadResponse,
    ConnectionFailed,
    MluviiError,
    NotFound,
    NotSupported,
    RateLimited,
    ServerError,
    connect_reason,
    retry_after_seconds,
    scrub,
)
from .paths import PATHS, SIMULATOR_DEFINED
from .retry import backoff_delay, gave_up, wait_told

if TYPE_CHECKING:  # pragma: no cover
    from .filters import SessionFilter

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
USER_AGENT = "mluvii-tui/0.1"


class ApiTransport:
    """Authenticated HTTP calls with retries and typed errors; the base of ``MluviiClient``."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 15.0,
        max_retries: int = 4,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 20.0,
        retry_after_max: float = 60.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] | None = None,
    ) -> None:
        url = httpx.URL(base_url.strip().rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise ConnectionFailed(f"not an http(s) URL: {base_url.strip()[:80]!r}")
        self.base_url = str(url)
        self.origin = origin(url)
        self.client_id = client_id
        self.max_retries = max(0, max_retries)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self._sleep = sleep
        self._secret = client_secret
        token_url = self.base_url + PATHS["token"].template
        self.auth = ClientCredentialsAuth(
            token_url, client_id, client_secret, clock=clock or time.monotonic
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=self.auth,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )
        #: Items of session pages that were not sessions (skipped), since this client was made.
        self.skipped_items = 0
        #: Requests retried (any reason), for diagnostics.
        self.retries = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def session_page(
        self, filters: SessionFilter | None, *, limit: int, offset: int
    ) -> bytes:
        """One page of ``GET /Sessions`` as the server sent it (the sync decodes it itself; the
        sync process uses this class alone: no pydantic, no models loaded there)."""
        base = filters.to_params() if filters is not None else []
        params = [*base, ("limit", str(limit)), ("offset", str(offset))]
        response = await self._call("sessions", params=params)
        # httpx's response and its stream refer to each other: left so, each page's bytes would
        # wait for the cycle collector, which the sync runs seldom (sync.quiet_gc), and they
        # piled up (a 100k sync in pages of 250: 150 MB). Read and closed, the stream is done.
        response.stream = httpx.ByteStream(b"")
        return response.content

    def credentials(self) -> tuple[str, str, str]:
        """(base_url, client_id, secret): for a sync process of its own, which gets the secret
        over a pipe (sync/process.py). Never log or show the third."""
        return self.base_url, self.client_id, self._secret

    # -- downloads -----------------------------------------------------------------------------

    async def download(
        self,
        url: str,
        dest: Path,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Path:
        """Stream ``url`` (a file or recording ``downloadUrl``) to ``dest``.

        Writes ``dest + ".part"`` and renames it when complete. Refuses URLs on another host
        than the base URL: the bearer token is never sent elsewhere.
        """
        target = self._http.base_url.join(url) if not url.startswith(("http:", "https:")) else url
        target = httpx.URL(str(target))
        if origin(target) != self.origin:
            raise NotSupported(
                f"refusing to download from {origin(target)}: not the API host {self.origin}"
            )
        dest = Path(dest)
        part = dest.with_name(dest.name + ".part")
        attempt = 0
        try:
            while True:
                try:
                    return await self._download_once(target, dest, part, progress)
                except _Retry as retry:
                    attempt += 1
                    if attempt > self.max_retries:
                        raise scrub(retry.error, self._secret) from None
                    self.retries += 1
                    await wait_told(
                        retry.error, self._delay(attempt - 1, retry.retry_after), self._sleep
                    )
        finally:
            part.unlink(missing_ok=True)

    async def _download_once(
        self,
        url: httpx.URL,
        dest: Path,
        part: Path,
        progress: Callable[[int, int | None], None] | None,
    ) -> Path:
        where = f"{self.origin}{url.path}"
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    await response.aread()
                    if response.status_code in RETRY_STATUSES:
                        error = self._status_error(response, where, "download", "file")
                        raise _Retry(error, retry_after_seconds(response))
                    self._raise_for_status(response, "download", where=where, not_found="file")
                length = response.headers.get("content-length")
                total = int(length) if length and length.isdigit() else None
                done = 0
                with open(part, "wb") as out:
                    async for chunk in response.aiter_bytes(65536):
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
        except httpx.TransportError as exc:
            raise _Retry(self._transport_error(exc, where)) from None
        except (ServerError, RateLimited) as exc:  # from the token endpoint
            raise _Retry(exc) from None
        except OSError as exc:
            raise MluviiError(f"cannot write {dest.name}: {exc.strerror or exc}") from None
        if total is not None and done != total:
            raise _Retry(ConnectionFailed(f"{where}: download cut short ({done} of {total} bytes)"))
        os.replace(part, dest)
        return dest

    # -- plumbing ------------------------------------------------------------------------------

    def _where(self, name: str, **params: object) -> str:
        spec = PATHS[name]
        return f"{spec.method} {self.origin}{spec.format(**params)}"

    async def _json(
        self,
        name: str,
        *,
        params: list[tuple[str, str]] | None = None,
        not_found: str | None = None,
        **path_params: Any,
    ) -> Any:
        attempt = 0
        while True:
            response = await self._call(name, params=params, not_found=not_found, **path_params)
            try:
                return self._decode(response, name, **path_params)
            except BadResponse as error:  # cut short or garbled: a GET may simply ask again
                if PATHS[name].method not in IDEMPOTENT_METHODS or attempt >= self.max_retries:
                    raise
                await wait_told(error, self._delay(attempt, None), self._sleep)
                attempt += 1
                self.retries += 1

    async def wait_to_retry(self, error: MluviiError, attempt: int = 0) -> None:
        """Wait before asking again after an answer its caller could not use (told to the
        ``WAIT_LISTENER`` like any other retry)."""
        self.retries += 1
        await wait_told(error, self._delay(attempt, None), self._sleep)

    def _decode(self, response: httpx.Response, name: str, **path_params: object) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise BadResponse(
                f"{self._where(name, **path_params)}: the answer is not valid JSON"
            ) from None

    async def _call(
        self,
        name: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        not_found: str | None = None,
        allow: frozenset[int] = frozenset(),
        **path_params: Any,
    ) -> httpx.Response:
        """Send one API call with retries; return a 2xx response (or one whose status is in
        ``allow``, e.g. the 409 of a webhook registration) or raise a typed error."""
        spec = PATHS[name]
        url = spec.format(**path_params)
        where = f"{spec.method} {self.origin}{url}"
        idempotent = spec.method in IDEMPOTENT_METHODS or bool(
            headers and "Idempotency-Key" in headers
        )
        attempt = 0
        limited = 0.0  # seconds waited on 429 answers during this call
        while True:
            try:
                response = await self._http.request(
                    spec.method,
                    url,
                    params=None if params is None else list(params),
                    json=json_body,
                    headers=headers,
                )
            except httpx.TransportError as exc:
                error: MluviiError = self._transport_error(exc, where)
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                retry_after = None
                if sent and not idempotent:
                    raise error from None
            except (ServerError, RateLimited) as exc:  # from the token endpoint
                error = exc
                retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            except MluviiError as exc:
                raise scrub(exc, self._secret) from None
            else:
                if response.status_code in RETRY_STATUSES and idempotent:
                    retry_after = retry_after_seconds(response)
                    error = self._status_error(response, where, name, not_found)
                else:
                    if response.status_code not in allow:
                        self._raise_for_status(response, name, where=where, not_found=not_found)
                    return response
            if attempt >= self.max_retries:
                raise scrub(error, self._secret)
            delay = self._delay(attempt, retry_after)
            if isinstance(error, RateLimited):
                limited += delay
                if limited > self.retry_after_max + 1e-9:  # waited as long as we may: stop
                    raise scrub(gave_up(error, retry_after), self._secret)
            await wait_told(error, delay, self._sleep)
            attempt += 1
            self.retries += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_max)
        return backoff_delay(attempt, self.backoff_base, self.backoff_max)

    def _raise_for_status(
        self, response: httpx.Response, name: str, *, where: str, not_found: str | None
    ) -> None:
        if 200 <= response.status_code < 300 and not is_login_answer(response):
            return
        raise scrub(self._status_error(response, where, name, not_found), self._secret)

    def _status_error(
        self, response: httpx.Response, where: str, name: str, not_found: str | None
    ) -> MluviiError:
        status = response.status_code
        spec = PATHS.get(name)
        if status == 401 or is_login_answer(response):
            return AuthError(
                f"not authenticated: {where} refused client id {self.client_id!r}"
                f" after a fresh token (HTTP {status})",
                status=status,
            )
        reason = server_reason(response)
        if status == 403:
            return AuthError(
                f"{reason} (HTTP 403)"
                if reason
                else f"client id {self.client_id!r} may not use {where} (HTTP 403)",
                status=status,
            )
        if status in (404, 405) and name in SIMULATOR_DEFINED and spec is not None:
            return NotSupported(f"this server does not offer {spec.what}", status=status)
        if status == 404:
            return NotFound(f"{not_found or where} not found", status=status)
        if status == 429:
            return RateLimited(
                f"{where}: rate limited by the server", retry_after=retry_after_seconds(response)
            )
        if 300 <= status < 400:
            return BadResponse(
                f"{where} redirected (HTTP {status}): check the base URL", status=status
            )
        if status in (400, 409, 422):
            return BadRequest(
                f"{reason} (HTTP {status})"
                if reason
                else f"{where} rejected the request (HTTP {status})",
                status=status,
            )
        return ServerError(f"{where} failed with HTTP {status}", status=status)

    def _transport_error(self, exc: httpx.TransportError, where: str) -> ConnectionFailed:
        if isinstance(exc, httpx.ConnectError):
            return ConnectionFailed(f"cannot reach {self.origin}: {connect_reason(exc)}")
        if isinstance(exc, httpx.TimeoutException):
            return ConnectionFailed(f"{where}: no answer in time (timed out)")
        if isinstance(exc, httpx.RemoteProtocolError):
            return ConnectionFailed(f"{where}: the server closed the connection")
        return ConnectionFailed(f"{where}: {type(exc).__name__}")


def server_reason(response: httpx.Response) -> str | None:
    """The reason a refusal's JSON body gives (``message``, ``title`` or the first ModelState
    error), if any; cut to one line by the error."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    for key in ("message", "title"):
        text = body.get(key)
        if isinstance(text, str) and text.strip():
            return text
    for value in body.values():  # {"field": ["problem", ...]}
        if isinstance(value, list) and value and isinstance(value[0], str):
            return value[0]
    return None


class _Retry(Exception):
    def __init__(self, error: MluviiError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after
