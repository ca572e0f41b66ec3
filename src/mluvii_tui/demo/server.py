"""The simulator's HTTP API: the mluvii subset of docs/ARCHITECTURE.md plus /_sim control endpoints.

Every path of the architecture's table is served here. Authentication, faults and statistics sit
in one ASGI middleware (gate.py) in front of the Starlette router.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ..api.filters import FilterError, SessionFilter
from . import events as E
from .admin_routes import Live, admin_routes
from .clock import SimClock
from .control import SimState, control_routes
from .engine import TrafficEngine
from .extras import download_chunks, file_head
from .gate import LOGIN_PAGE, Gate
from .httputil import Idempotency, path_int, session_and_body, session_or_404
from .httputil import base_of as _base
from .httputil import error as _error
from .httputil import json_response as _json
from .roster import ADMIN_USER_ID
from .sim_routes import sim_routes
from .source import SessionSource
from .tenant import LiveTenant
from .webhooks import WebhookHub

#: client_id -> (secret, acting user id)
CREDENTIALS: dict[str, tuple[str, int]] = {
    "demo-admin": ("demo-admin-secret", ADMIN_USER_ID),
    "demo-operator": ("demo-operator-secret", 101),
}
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


def _of_session(request: Request, read: Callable[[int], Any]) -> Any:
    """``read(session id)`` of the path's session; None for a bad or unknown id."""
    sid = path_int(request)
    return read(sid) if sid is not None else None


@dataclass
class _Token:
    expires: float
    client_id: str
    user_id: int


class Api:
    """Route handlers over a SessionSource."""

    def __init__(self, live: Live, state: SimState, token_ttl: int) -> None:
        self.source = live.source
        self.live = live
        self.state = state
        self.token_ttl = token_ttl

    async def token(self, request: Request) -> Response:
        self.state.token_requests += 1
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                raw = base64.b64decode(auth[6:].strip()).decode("utf-8")
                basic_id, _, basic_secret = raw.partition(":")
                from urllib.parse import unquote_plus

                client_id, secret = unquote_plus(basic_id), unquote_plus(basic_secret)
            except (ValueError, UnicodeDecodeError):
                return _json({"error": "invalid_client"}, 400)
        grant = form.get("grant_type", "client_credentials")
        if grant != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        known = CREDENTIALS.get(client_id or "")
        if known is None or not secrets.compare_digest(known[0], secret or ""):
            return _json({"error": "invalid_client"}, 400)
        token = secrets.token_urlsafe(32)
        self.state.tokens[token] = _Token(time.monotonic() + self.token_ttl, client_id, known[1])
        return _json(
            {
                "access_token": token,
                "expires_in": self.token_ttl,
                "token_type": "Bearer",
                "scope": "mluviiPublicApi",
            }
        )

    async def login_page(self, request: Request) -> Response:
        return HTMLResponse(LOGIN_PAGE)

    async def sessions(self, request: Request) -> Response:
        items = request.query_params.multi_items()
        limit, offset = DEFAULT_LIMIT, 0
        try:
            for key, value in items:
                if key.lower() == "limit":
                    limit = int(value)
                elif key.lower() == "offset":
                    offset = int(value)
            filters = SessionFilter.from_params(items)
        except ValueError as exc:  # FilterError is a ValueError
            message = str(exc) if isinstance(exc, FilterError) else "limit/offset: not a number"
            return _json(
                {
                    "title": "One or more validation errors occurred.",
                    "status": 400,
                    "errors": {"query": [message]},
                },
                400,
            )
        if limit < 0 or offset < 0:
            return _error(400, "limit and offset must not be negative")
        page = await self._made(self.source.query_json, filters, offset, min(limit, MAX_LIMIT))
        return _json(page, base=_base(request))

    async def _made(self, read: Callable[..., Any], *args: Any) -> Any:
        """``read(*args)``; while sessions are still being made it may wait for them, so it
        runs in a worker thread then (the loop keeps answering)."""
        if self.source.done:
            return read(*args)
        return await run_in_threadpool(read, *args)

    async def session(self, request: Request) -> Response:
        sid = path_int(request)
        s = await self._made(self.source.get, sid) if sid is not None else None
        if s is None:
            return _error(404, "Session ID not found.")
        return _json(self.source.json_of(s), base=_base(request))

    async def call_params(self, request: Request) -> Response:
        params = _of_session(request, self.source.call_params)
        if params is None:
            return _error(404, "Session ID not found.")
        return _json({"callParams": params})

    async def put_call_params(self, request: Request) -> Response:
        got = await session_and_body(
            session_or_404(self.source, request),
            request,
            'Expected {"callParams": {"name": "value"}}.',
        )
        if isinstance(got, Response):
            return got
        sid, values = got[0]["id"], got[1].get("callParams")
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in values.items()
        ):
            return _error(400, 'Expected {"callParams": {"name": "value"}}.')
        problem = self.source.update_call_params(sid, values)
        if problem:
            return _error(400, problem)
        self.live.hub.publish(*E.refetch("SessionCallParamsUpdated", self.source.get(sid) or {}))
        return Response(status_code=204)

    async def users(self, request: Request) -> Response:
        return _json(self.source.users())

    async def operator_states(self, request: Request) -> Response:
        return _json(self.live.tenant.operator_states())

    async def groups(self, request: Request) -> Response:
        return _json(self.source.groups())

    async def notes(self, request: Request) -> Response:
        notes = _of_session(request, self.source.notes)
        return _error(404, "Session ID not found.") if notes is None else _json(notes)

    async def add_note(self, request: Request) -> Response:
        got = await session_and_body(
            session_or_404(self.source, request), request, 'Expected {"note": "text"}.'
        )
        if isinstance(got, Response):
            return got
        sid, text = got[0]["id"], got[1].get("note")
        if not isinstance(text, str) or not text.strip():
            return _error(400, 'Expected {"note": "text"}.')
        user_id = request.scope.get("state", {}).get("sim_user", ADMIN_USER_ID)
        key = request.headers.get("idempotency-key")
        note = self.source.add_note(sid, text, key, user_id)
        return _json(note, 201)

    async def routing(self, request: Request) -> Response:
        routing = _of_session(request, self.source.routing)
        return _error(404, "Session ID not found.") if routing is None else _json(routing)

    async def file(self, request: Request) -> Response:
        sid = path_int(request)
        info = self.source.file_info(sid, request.path_params["fid"]) if sid else None
        head = file_head(info[0]) if info else b""
        return self._download(info, f"file/{sid}/{request.path_params['fid']}", head)

    async def recording(self, request: Request) -> Response:
        sid = path_int(request)
        info = self.source.recording_info(sid, request.path_params["rid"]) if sid else None
        return self._download(info, f"rec/{sid}/{request.path_params['rid']}")

    def _download(
        self, info: tuple[str, int, bool] | None, key: str, head: bytes = b""
    ) -> Response:
        if info is None or info[2]:
            return _error(404, "File not found." if info is None else "File was deleted.")
        name, size, _ = info
        headers = {
            "Content-Length": str(size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        }
        return StreamingResponse(
            download_chunks(key, size, head=head),
            headers=headers,
            media_type="application/octet-stream",
        )

    def routes(self) -> list[BaseRoute]:
        s = "/api/v1/Sessions/{id}"
        return [
            Route("/login/connect/token", self.token, methods=["POST"]),
            Route("/login", self.login_page, methods=["GET"]),
            Route("/api/v1/Sessions", self.sessions, methods=["GET"]),
            Route(s, self.session, methods=["GET"]),
            Route(s + "/callparams", self.call_params, methods=["GET"]),
            Route(s + "/callparams", self.put_call_params, methods=["PUT"]),
            Route("/api/v1/users", self.users, methods=["GET"]),
            Route("/api/v1/Users/operatorStates", self.operator_states, methods=["GET"]),
            Route("/api/v1/Groups", self.groups, methods=["GET"]),
            Route(s + "/notes", self.notes, methods=["GET"]),
            Route(s + "/notes", self.add_note, methods=["POST"]),
            Route(s + "/routing", self.routing, methods=["GET"]),
            Route(s + "/files/{fid}", self.file, methods=["GET"]),
            Route(s + "/recordings/{rid}", self.recording, methods=["GET"]),
        ]


def create_app(
    sessions: Sequence[dict] | SessionSource,
    *,
    seed: int = 7,
    now: Any = None,
    token_ttl: int = 3600,
    connection_closer: Callable[[dict], bool] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    traffic: float = 0.0,
) -> Starlette:
    """The simulator app. ``connection_closer(scope)`` aborts the request's connection (the
    runner provides it; used by faults with status 0). ``traffic`` (sessions per minute) starts
    with the app's lifespan. ``app.state.sim`` / ``.source`` / ``.live`` give tests and later
    features access to the state (``.live``: tenant, traffic engine, webhooks, clock)."""
    source = (
        sessions
        if isinstance(sessions, SessionSource)
        else SessionSource(sessions, seed=seed, now=now)
    )
    state = SimState()
    state.closer = connection_closer
    clock = SimClock(now)
    hub = WebhookHub(clock, seed=seed)
    tenant = LiveTenant(source, clock, hub.publish, seed=seed)
    live = Live(source, clock, hub, tenant, TrafficEngine(tenant, seed=seed), Idempotency())
    api = Api(live, state, token_ttl)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()

        def made() -> None:  # the living tenant starts once every session is made
            tenant.adopt()
            if traffic:
                live.engine.set(traffic)

        def when_made() -> None:
            with suppress(RuntimeError):  # (the server stopped before all were made)
                loop.call_soon_threadsafe(made)

        source.when_done(when_made)
        yield
        await live.engine.aclose()
        await hub.aclose()

    routes = [
        *api.routes(),
        *admin_routes(live),
        *sim_routes(live),
        *control_routes(state),
        *extra_routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sim = state
    app.state.source = source
    app.state.live = live
    app.add_middleware(Gate, state=state)  # type: ignore[arg-type]
    return app
