"""Control endpoints of the living simulator (test-only, no auth, under /_sim):

- ``POST /_sim/sessions`` ``{source?, channel?, group?, operator?, text?, clientOf?, ipAddress?,
  trackedId?, phoneNumber?, channelUserId?}`` -> 201 ``{"id", "status"}``: a client arrives (and
  is accepted by ``operator`` at once when given; ``text`` is the client's first message).
- ``POST /_sim/sessions/{id}/message`` ``{text, from: "Guest"|"User", userId?}`` -> 201 activity.
- ``POST /_sim/sessions/{id}/accept`` ``{operator}``, ``.../end`` ``{by: "Guest"|"User",
  acwSeconds?}`` (ACW ends after that many seconds; absent: it stays in ACW), ``.../conclude``.
- ``POST /_sim/traffic`` ``{rate, speed?}`` (sessions per minute; 0 stops); ``GET`` reads it.
- ``POST /_sim/burst`` ``{rate, seconds}`` -> 202 ``{"events": n}``: that many chat messages
  per second into eight active sessions (one SessionActivityChatMessage webhook each).
- ``POST /_sim/operators/{id}`` ``{stateKind, reason?}``: set an operator's state.
- ``POST /_sim/clock`` ``{advance: seconds}``: move the simulated time forward.
- ``GET /_sim/webhooks``: delivery counters; ``POST`` ``{duplicateRate?, retryDelays?}``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .admin_routes import Live
from .blacklist import identity_of
from .httputil import error, json_response, object_body, path_int, session_and_body
from .roster import GROUP_NAME, OPERATOR_BY_ID
from .tenant import LIVE
from .traffic import CHANNEL_SOURCES

_STATE_KINDS = ("OFFLINE", "DISCONNECTED", "ONLINE", "AWAY", "BREAK", "ON_CALL", "AFTER_CALL")


def _kind(source: Any, channel: Any) -> tuple[str, str] | None:
    for c, s, _ in CHANNEL_SOURCES:
        if s == source and channel in (None, c):
            return c, s
    return None


def sim_routes(live: Live) -> list[BaseRoute]:
    tenant, engine, clock, hub = live.tenant, live.engine, live.clock, live.hub

    async def body_of(request: Request) -> dict | Response:
        return await object_body(request, "Expected a JSON object.", empty=True)

    async def live_and_body(request: Request) -> tuple[dict, dict] | Response:
        return await session_and_body(
            live_session(request), request, "Expected a JSON object.", empty=True
        )

    def live_session(request: Request) -> dict | Response:
        sid = path_int(request)
        s = tenant.source.get(sid) if sid is not None else None
        if s is None:
            return error(404, "Session ID not found.")
        if s.get("status") not in LIVE:
            return error(409, f"Session {sid} has ended.")
        return s

    async def start(request: Request) -> Response:
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        guest = {
            k: body[k]
            for k in ("ipAddress", "trackedId", "phoneNumber", "channelUserId")
            if body.get(k)
        }
        kind = None
        if body.get("clientOf") is not None:
            old = tenant.source.get(body["clientOf"]) if isinstance(body["clientOf"], int) else None
            if old is None:
                return error(404, "clientOf: session not found.")
            guest = {**identity_of(old), **guest}
            kind = (old["channel"], old["source"])
        if body.get("source") is not None:
            kind = _kind(body["source"], body.get("channel"))
            if kind is None:
                return error(400, "source/channel: not a combination the simulator knows.")
        group = body.get("group")
        if group is not None and group not in GROUP_NAME:
            return error(400, f"group: unknown group {group!r}.")
        operator = body.get("operator")
        if operator is not None and operator not in OPERATOR_BY_ID:
            return error(400, f"operator: unknown operator {operator!r}.")
        s = tenant.arrive(kind, group, guest)
        if s["status"] in LIVE:
            if isinstance(body.get("text"), str):
                tenant.message(s["id"], "Guest", body["text"])
            if operator is not None:
                tenant.offer(s["id"], operator)
                tenant.accept(s["id"], operator)
        return json_response({"id": s["id"], "status": s["status"]}, 201)

    async def message(request: Request) -> Response:
        found = await live_and_body(request)
        if isinstance(found, Response):
            return found
        s, body = found
        text, sender = body.get("text"), body.get("from", "Guest")
        if not isinstance(text, str) or sender not in ("Guest", "User"):
            return error(400, 'Expected {"text": "...", "from": "Guest" | "User"}.')
        return json_response(tenant.message(s["id"], sender, text, body.get("userId")), 201)

    async def accept(request: Request) -> Response:
        found = await live_and_body(request)
        if isinstance(found, Response):
            return found
        s, body = found
        operator = body.get("operator")
        if operator not in OPERATOR_BY_ID:
            return error(400, "operator: unknown operator.")
        tenant.accept(s["id"], operator)
        return Response(status_code=204)

    async def end(request: Request) -> Response:
        s = live_session(request)
        if isinstance(s, Response):
            return s
        if s.get("status") == "ACW":
            return error(409, f"Session {s['id']} has already ended.")
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        by = body.get("by", "Guest")
        if by not in ("Guest", "User"):
            return error(400, 'by: "Guest" or "User".')
        tenant.end(s["id"], by)
        acw = body.get("acwSeconds")
        if isinstance(acw, int | float) and s["status"] == "ACW":
            asyncio.get_running_loop().call_later(max(0.0, acw), tenant.conclude, s["id"])
        return Response(status_code=204)

    async def conclude(request: Request) -> Response:
        s = live_session(request)
        if isinstance(s, Response):
            return s
        tenant.conclude(s["id"])
        return Response(status_code=204)

    async def traffic(request: Request) -> Response:
        if request.method == "POST":
            body = await body_of(request)
            if isinstance(body, Response):
                return body
            rate, speed = body.get("rate"), body.get("speed")
            if not isinstance(rate, int | float) or rate < 0:
                return error(400, 'Expected {"rate": sessions per minute, "speed"?: factor}.')
            if speed is not None and (not isinstance(speed, int | float) or speed <= 0):
                return error(400, "speed: a positive number.")
            engine.set(float(rate), float(speed) if speed is not None else None)
        return json_response(
            {
                "rate": engine.rate,
                "speed": engine.speed,
                "live": len(tenant.live),
                "burstSent": engine.burst_sent,
            }
        )

    async def burst(request: Request) -> Response:
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        rate, seconds = body.get("rate"), body.get("seconds")
        numbers = all(isinstance(v, int | float) and v > 0 for v in (rate, seconds))
        if not numbers or rate * seconds > 1_000_000:  # type: ignore[operator]
            return error(400, 'Expected {"rate": events per second, "seconds": duration}.')
        return json_response({"events": engine.burst(float(rate), float(seconds))}, 202)

    async def operator_state(request: Request) -> Response:
        user = path_int(request)
        if user not in tenant.ops:
            return error(404, "Operator not found.")
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        kind = body.get("stateKind")
        if kind not in _STATE_KINDS:
            return error(400, f"stateKind: one of {', '.join(_STATE_KINDS)}.")
        tenant.set_operator(user, kind, body.get("reason"))  # type: ignore[arg-type]
        return Response(status_code=204)

    async def clock_advance(request: Request) -> Response:
        body = await body_of(request)
        if isinstance(body, Response):
            return body
        seconds = body.get("advance", 0)
        if not isinstance(seconds, int | float) or seconds < 0:
            return error(400, 'Expected {"advance": seconds}.')
        clock.advance(float(seconds))
        return json_response({"now": clock.stamp()})

    async def webhooks(request: Request) -> Response:
        if request.method == "POST":
            body = await body_of(request)
            if isinstance(body, Response):
                return body
            if isinstance(body.get("duplicateRate"), int | float):
                hub.duplicate_rate = float(body["duplicateRate"])
            delays = body.get("retryDelays")
            if isinstance(delays, list) and all(isinstance(d, int | float) for d in delays):
                hub.retry_delays = tuple(float(d) for d in delays)
        return json_response(
            {
                "webhooks": [h.json() for h in hub.hooks.values()],
                "duplicateRate": hub.duplicate_rate,
                "retryDelays": list(hub.retry_delays),
                "pending": hub.pending(),
                **hub.stats,
            }
        )

    s = "/_sim/sessions/{id}"
    return [
        Route("/_sim/sessions", start, methods=["POST"]),
        Route(s + "/message", message, methods=["POST"]),
        Route(s + "/accept", accept, methods=["POST"]),
        Route(s + "/end", end, methods=["POST"]),
        Route(s + "/conclude", conclude, methods=["POST"]),
        Route("/_sim/traffic", traffic, methods=["GET", "POST"]),
        Route("/_sim/burst", burst, methods=["POST"]),
        Route("/_sim/operators/{id}", operator_state, methods=["POST"]),
        Route("/_sim/clock", clock_advance, methods=["POST"]),
        Route("/_sim/webhooks", webhooks, methods=["GET", "POST"]),
    ]
