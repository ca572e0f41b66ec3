"""JSON answers, errors, bodies and the acting user, shared by the simulator's route modules;
plus ``Idempotency``: the same ``Idempotency-Key`` twice gets the first answer, one effect."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .roster import ADMIN_USER_ID, SIM_ORIGIN


def json_response(data: Any, status: int = 200, base: str | None = None) -> Response:
    """``data``: an object, or its JSON already as str or UTF-8 bytes."""
    if isinstance(data, bytes):
        if base is not None:
            data = data.replace(SIM_ORIGIN.encode(), base.encode())
        return Response(data, status_code=status, media_type="application/json; charset=utf-8")
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    if base is not None and SIM_ORIGIN in text:
        text = text.replace(SIM_ORIGIN, base)
    return Response(text, status_code=status, media_type="application/json; charset=utf-8")


def error(status: int, message: str) -> Response:
    """ProblemDetails-like body; ``message`` is one line meant for the user."""
    return json_response({"status": status, "title": message, "message": message}, status)


async def json_body(request: Request) -> Any:
    """The request's JSON body, or a 400 answer when it is not JSON."""
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        return error(400, "The body is not JSON.")


async def object_body(request: Request, expected: str, *, empty: bool = False) -> dict | Response:
    """The request's JSON object; a 400 answer saying ``expected`` when the body is something
    else (``empty``: no body at all is ``{}``)."""
    body = await json_body(request)
    if isinstance(body, Response | dict):
        return body
    return {} if body is None and empty else error(400, expected)


def session_or_404(source: Any, request: Request) -> dict | Response:
    """The path's session (``source``: the SessionSource), or a 404 answer."""
    sid = path_int(request)
    s = source.get(sid) if sid is not None else None
    return s if s is not None else error(404, "Session ID not found.")


async def session_and_body(
    found: dict | Response, request: Request, expected: str, *, empty: bool = False
) -> tuple[dict, dict] | Response:
    """(session, JSON object body) of a request on one session, or the answer refusing it
    (``found``: the session or why not, e.g. a 404)."""
    if isinstance(found, Response):
        return found
    body = await object_body(request, expected, empty=empty)
    return body if isinstance(body, Response) else (found, body)


def base_of(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def user_of(request: Request) -> int:
    """The user the request's token was issued to (the gate put it in the scope)."""
    return int(request.scope.get("state", {}).get("sim_user", ADMIN_USER_ID))


def path_int(request: Request, name: str = "id") -> int | None:
    try:
        return int(request.path_params[name])
    except (KeyError, ValueError):
        return None


Handler = Callable[[Request], Awaitable[Response]]


class Idempotency:
    """Answers of mutating calls by (user, method, path, Idempotency-Key), most recent kept."""

    def __init__(self, limit: int = 10_000) -> None:
        self._seen: OrderedDict[tuple[Any, ...], tuple[int, bytes, str | None]] = OrderedDict()
        self.limit = limit

    def wrap(self, handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            key = request.headers.get("idempotency-key")
            if not key:
                return await handler(request)
            slot = (user_of(request), request.method, request.url.path, key)
            hit = self._seen.get(slot)
            if hit is not None:
                status, body, media = hit
                return Response(body, status_code=status, media_type=media)
            response = await handler(request)
            if response.status_code < 500:
                self._seen[slot] = (response.status_code, bytes(response.body), response.media_type)
                while len(self._seen) > self.limit:
                    self._seen.popitem(last=False)
            return response

        return run
