"""Simulator control endpoints under /_sim (test-only, no auth): faults, token revocation,
statistics, reset. See docs/ARCHITECTURE.md "Simulator control"."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route


@dataclass
class Fault:
    """The next ``times`` requests matching ``method``/``path`` get this answer.

    ``path`` matches exactly (case-insensitive) or, ending in ``*``, as a prefix. ``method`` None
    matches any. ``status`` 0 drops the connection; ``body == "html"`` answers with a 302 to the
    login page (status 200: the login page itself). ``status`` 200 without ``body`` lets the
    real answer through: ``delay`` seconds late (latency; longer than the client's timeout: a
    timeout) and, with ``truncate``, cut off after that many bytes of its body.
    """

    path: str
    method: str | None = None
    status: int = 503
    times: int = 1
    retry_after: int | float | None = None
    body: str | None = None
    content_type: str | None = None
    delay: float | None = None
    truncate: int | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        want = self.path.lower()
        got = path.lower()
        if want.endswith("*"):
            return got.startswith(want[:-1])
        return got == want.rstrip("/") or got == want


class SimState:
    """Tokens, faults and request counters shared by the gate and the control endpoints."""

    def __init__(self) -> None:
        self.tokens: dict[str, Any] = {}
        self.faults: list[Fault] = []
        self.requests: dict[str, int] = {}
        self.token_requests = 0
        self.closer: Callable[[dict], bool] | None = None
        self._lock = threading.Lock()

    def count(self, method: str, path: str) -> None:
        key = f"{method} {path}"
        with self._lock:
            self.requests[key] = self.requests.get(key, 0) + 1

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.requests.clear()
            self.token_requests = 0


def _bad(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def control_routes(state: SimState) -> list[BaseRoute]:
    async def add_fault(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return _bad("body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("path"), str):
            return _bad('expected {"path": "/api/v1/...", "status": 503, ...}')
        try:
            fault = Fault(
                path=body["path"],
                method=body.get("method"),
                status=int(body.get("status", 503)),
                times=int(body.get("times", 1)),
                retry_after=body.get("retryAfter"),
                body=body.get("body"),
                content_type=body.get("contentType"),
                delay=None if body.get("delay") is None else float(body["delay"]),
                truncate=None if body.get("truncate") is None else int(body["truncate"]),
            )
        except (TypeError, ValueError):
            return _bad("status and times must be numbers")
        with state._lock:
            state.faults.append(fault)
        return JSONResponse({"ok": True, "fault": asdict(fault)}, status_code=201)

    async def list_faults(request: Request) -> Response:
        return JSONResponse([asdict(f) for f in state.faults])

    async def revoke(request: Request) -> Response:
        state.tokens.clear()
        return Response(status_code=204)

    async def stats(request: Request) -> Response:
        return JSONResponse({"tokenRequests": state.token_requests, "requests": state.requests})

    async def reset(request: Request) -> Response:
        state.reset()
        return Response(status_code=204)

    return [
        Route("/_sim/faults", add_fault, methods=["POST"]),
        Route("/_sim/faults", list_faults, methods=["GET"]),
        Route("/_sim/revoke-tokens", revoke, methods=["POST"]),
        Route("/_sim/stats", stats, methods=["GET"]),
        Route("/_sim/reset", reset, methods=["POST"]),
    ]
