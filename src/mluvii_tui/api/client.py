"""``MluviiClient``: the async client of the mluvii public API (docs/ARCHITECTURE.md "Client").

One ``httpx.AsyncClient`` with explicit timeouts and limits, OAuth2 client credentials
(``auth.ClientCredentialsAuth``), bounded retries with full-jitter backoff for idempotent calls,
and typed errors (``errors``) whose one-line message never holds the secret or a token.
Every path comes from ``paths.PATHS``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

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
from .filters import SessionFilter
from .models import (
    CallParam,
    CallParamsModel,
    GroupModel,
    OperatorStateModel,
    RoutingTimeLine,
    SessionModel,
    SessionNote,
    UserModel,
    parse_session,
)
from .paths import PATHS, SIMULATOR_DEFINED

M = TypeVar("M", bound=BaseModel)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
USER_AGENT = "mluvii-tui/0.1"


class MluviiClient:
    """Async client of the mluvii API. Use as ``async with MluviiClient(...) as client:``."""

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
        auth_kwargs = {"clock": clock} if clock is not None else {}
        self.auth = ClientCredentialsAuth(token_url, client_id, client_secret, **auth_kwargs)
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

    def __repr__(self) -> str:
        return f"MluviiClient({self.base_url!r}, client_id={self.client_id!r})"

    async def __aenter__(self) -> MluviiClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- sessions ------------------------------------------------------------------------------

    async def iter_sessions(
        self, filters: SessionFilter | None = None, *, page_size: int = 500
    ) -> AsyncIterator[list[SessionModel]]:
        """Pages of sessions (limit/offset) until a short page. Non-session items are skipped
        and counted in ``skipped_items``; a page that is not a JSON array is ``BadResponse``."""
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        base = filters.to_params() if filters is not None else []
        offset = 0
        previous_ids: list[Any] | None = None
        while True:
            params = [*base, ("limit", str(page_size)), ("offset", str(offset))]
            data = await self._json("sessions", params=params)
            if not isinstance(data, list):
                raise BadResponse(f"{self._where('sessions')}: the session list is not an array")
            ids = [item.get("id") if isinstance(item, dict) else None for item in data]
            if data and ids == previous_ids:
                raise BadResponse(f"{self._where('sessions')}: the server ignores 'offset'")
            previous_ids = ids
            page: list[SessionModel] = []
            for item in data:
                session = parse_session(item)
                if session is None:
                    self.skipped_items += 1
                else:
                    page.append(session)
            if data:
                yield page
            if len(data) < page_size:
                return
            offset += len(data)

    async def get_session(self, session_id: int) -> SessionModel:
        data = await self._json("session", id=session_id, not_found=f"session {session_id}")
        session = parse_session(data)
        if session is None:
            raise BadResponse(f"{self._where('session', id=session_id)}: not a session")
        return session

    async def get_call_params(self, session_id: int) -> list[CallParam]:
        data = await self._json("callparams", id=session_id, not_found=f"session {session_id}")
        if isinstance(data, dict) and isinstance(data.get("callParams"), dict):
            # Tolerate the update shape {"callParams": {name: value}}.
            items = [{"name": k, "value": v} for k, v in data["callParams"].items()]
            data = {"callParams": items}
        try:
            return CallParamsModel.model_validate(data).call_params
        except ValidationError:
            if isinstance(data, dict) and isinstance(data.get("callParams"), list):
                return self._parse_list(data["callParams"], CallParam, "callparams")
            raise BadResponse(
                f"{self._where('callparams', id=session_id)}: not a parameter list"
            ) from None

    async def put_call_params(self, session_id: int, values: dict[str, str]) -> None:
        body = {"callParams": {str(k): v for k, v in values.items()}}
        await self._call(
            "callparams_put", id=session_id, json_body=body, not_found=f"session {session_id}"
        )

    async def get_users(self) -> list[UserModel]:
        return self._parse_list(await self._json("users"), UserModel, "users")

    async def get_operator_states(self) -> list[OperatorStateModel]:
        data = await self._json("operator_states")
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]  # the paged OperatorStatesModel wrapper (reference §3.13)
        return self._parse_list(data, OperatorStateModel, "operator_states")

    async def get_groups(self) -> list[GroupModel]:
        return self._parse_list(await self._json("groups"), GroupModel, "groups")

    async def get_notes(self, session_id: int) -> list[SessionNote]:
        data = await self._json("notes", id=session_id)
        return self._parse_list(data, SessionNote, "notes", id=session_id)

    async def add_note(self, session_id: int, text: str, idempotency_key: str) -> SessionNote:
        """POST a note. The ``Idempotency-Key`` makes the call safe to retry."""
        response = await self._call(
            "notes_add",
            id=session_id,
            json_body={"note": text},
            headers={"Idempotency-Key": idempotency_key},
        )
        data = self._decode(response, "notes_add", id=session_id)
        try:
            return SessionNote.model_validate(data)
        except ValidationError:
            raise BadResponse(
                f"{self._where('notes_add', id=session_id)}: the answer is not a note"
            ) from None

    async def get_routing(self, session_id: int) -> list[RoutingTimeLine]:
        data = await self._json("routing", id=session_id)
        return self._parse_list(data, RoutingTimeLine, "routing", id=session_id)

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
                    await self._sleep(self._delay(attempt - 1, retry.retry_after))
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
        **path_params: object,
    ) -> Any:
        response = await self._call(name, params=params, not_found=not_found, **path_params)
        return self._decode(response, name, **path_params)

    def _decode(self, response: httpx.Response, name: str, **path_params: object) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise BadResponse(
                f"{self._where(name, **path_params)}: the answer is not valid JSON"
            ) from None

    def _parse_list(self, data: Any, model: type[M], name: str, **path_params: object) -> list[M]:
        if not isinstance(data, list):
            raise BadResponse(f"{self._where(name, **path_params)}: the answer is not a list")
        items: list[M] = []
        for item in data:
            try:
                items.append(model.model_validate(item))
            except ValidationError:
                self.skipped_items += 1
        return items

    async def _call(
        self,
        name: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        not_found: str | None = None,
        **path_params: object,
    ) -> httpx.Response:
        """Send one API call with retries; return a 2xx response or raise a typed error."""
        spec = PATHS[name]
        url = spec.format(**path_params)
        where = f"{spec.method} {self.origin}{url}"
        idempotent = spec.method in IDEMPOTENT_METHODS or bool(
            headers and "Idempotency-Key" in headers
        )
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    spec.method, url, params=params, json=json_body, headers=headers
                )
            except httpx.TransportError as exc:
                error = self._transport_error(exc, where)
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                retry_after = None
                if sent and not idempotent:
                    raise error from None
            except (ServerError, RateLimited) as exc:  # from the token endpoint
                error, retry_after = exc, getattr(exc, "retry_after", None)
            except MluviiError as exc:
                raise scrub(exc, self._secret) from None
            else:
                if response.status_code in RETRY_STATUSES and idempotent:
                    retry_after = retry_after_seconds(response)
                    error = self._status_error(response, where, name, not_found)
                else:
                    self._raise_for_status(response, name, where=where, not_found=not_found)
                    return response
            if attempt >= self.max_retries:
                raise scrub(error, self._secret)
            await self._sleep(self._delay(attempt, retry_after))
            attempt += 1
            self.retries += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_max)
        return random.uniform(0, min(self.backoff_max, self.backoff_base * (2**attempt)))

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
        if status == 403:
            return AuthError(
                f"client id {self.client_id!r} may not use {where} (HTTP 403)", status=status
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
            return BadRequest(f"{where} rejected the request (HTTP {status})", status=status)
        return ServerError(f"{where} failed with HTTP {status}", status=status)

    def _transport_error(self, exc: httpx.TransportError, where: str) -> ConnectionFailed:
        if isinstance(exc, httpx.ConnectError):
            return ConnectionFailed(f"cannot reach {self.origin}: {connect_reason(exc)}")
        if isinstance(exc, httpx.TimeoutException):
            return ConnectionFailed(f"{where}: no answer in time (timed out)")
        if isinstance(exc, httpx.RemoteProtocolError):
            return ConnectionFailed(f"{where}: the server closed the connection")
        return ConnectionFailed(f"{where}: {type(exc).__name__}")


class _Retry(Exception):
    def __init__(self, error: MluviiError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after
