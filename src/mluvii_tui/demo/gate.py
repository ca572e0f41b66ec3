"""The simulator's gate: one ASGI middleware in front of its router that counts requests,
applies injected faults (delays, statuses, HTML login pages, dropped or truncated bodies,
Retry-After) and checks the Bearer token of /api/ calls."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote

from starlette.responses import HTMLResponse, Response

from .control import Fault, SimState
from .httputil import json_response as _json

#: What mluvii answers an unauthenticated browser (a redirect to it, or the page itself).
LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>mluvii - Přihlášení</title></head>"
    "<body><form method='post' action='/login'><input name='username'>"
    "<input name='password' type='password'><button>Přihlásit</button></form></body></html>"
)


def truncating(send: Any, limit: int) -> Any:
    """An ASGI ``send`` that passes the first ``limit`` bytes of the body, then breaks off
    (the headers still promise the whole length)."""
    sent = 0

    async def cut(message: dict) -> None:
        nonlocal sent
        if message["type"] != "http.response.body":
            await send(message)
            return
        body = message.get("body", b"")
        room = max(0, limit - sent)
        sent += len(body)
        if sent <= limit:
            await send(message)
            return
        await send({"type": "http.response.body", "body": body[:room], "more_body": True})
        raise ConnectionAbortedError("simulated truncated body")

    return cut


class Gate:
    """ASGI middleware: statistics, injected faults, Bearer authentication for /api/."""

    def __init__(self, app: Any, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        self.state.count(method, path)
        fault = self.state.take_fault(method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.truncate is not None:
            send = truncating(send, fault.truncate)
        elif fault is not None and not (fault.status == 200 and fault.body is None):
            await self._fault(fault, scope, receive, send)
            return
        if path.startswith("/api/") and not self._authorised(scope):
            response = _json({"error": "invalid_token", "message": "Unauthorized"}, 401)
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _authorised(self, scope: dict) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token:
            return False
        entry = self.state.tokens.get(token.strip())
        if entry is None or entry.expires <= time.monotonic():
            return False
        scope.setdefault("state", {})["sim_user"] = entry.user_id
        return True

    async def _fault(self, fault: Fault, scope: dict, receive: Any, send: Any) -> None:
        if fault.status == 0:
            closer = self.state.closer
            if closer is not None and closer(scope):
                for _ in range(5):  # let the transport report the loss before we return
                    await asyncio.sleep(0)
                return
            # No access to the socket: start a response and break it off.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"1000")],
                }
            )
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            raise ConnectionAbortedError("simulated connection drop")
        if fault.body == "html":
            if fault.status == 200:
                response: Response = HTMLResponse(LOGIN_PAGE)
            else:
                response = HTMLResponse(LOGIN_PAGE, status_code=302)
                response.headers["Location"] = "/login?ReturnUrl=" + quote(scope["path"])
        else:
            body = fault.body
            if body is None:
                body = json.dumps({"status": fault.status, "title": "Simulated fault"})
            response = Response(
                body, status_code=fault.status, media_type=fault.content_type or "application/json"
            )
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        await response(scope, receive, send)
