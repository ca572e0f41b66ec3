"""HTTP routes of the admin actions and webhook registration (paths in api/paths.py; those the
reference does not confirm are marked SIMULATOR_DEFINED there). Mutating calls honour the
``Idempotency-Key`` header; refusals carry the reason as ``{"status", "title", "message"}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .admin import (
    TEMPLATES,
    availability,
    contact_rule,
    forward_problem,
    may,
    render_template,
    who_am_i,
)
from .blacklist import CHANNELS, IDENTITY_FIELDS, channel_of, identity_of, parse_expiry
from .clock import SimClock
from .engine import TrafficEngine
from .httputil import (
    Idempotency,
    base_of,
    error,
    json_body,
    json_response,
    path_int,
    session_and_body,
    session_or_404,
    user_of,
)
from .source import SessionSource
from .tenant import LiveTenant
from .webhooks import WebhookHub, check_callback

_IDENTITY_KEYS = ("ipAddress", "trackedId", "phoneNumber", "channelUserId")


@dataclass
class Live:
    """Everything that changes: the tenant, its traffic, webhooks, the clock."""

    source: SessionSource
    clock: SimClock
    hub: WebhookHub
    tenant: LiveTenant
    engine: TrafficEngine
    idempotency: Idempotency


def admin_routes(live: Live) -> list[BaseRoute]:
    tenant, clock, hub, source = live.tenant, live.clock, live.hub, live.source
    once = live.idempotency.wrap

    async def me(request: Request) -> Response:
        return json_response(who_am_i(user_of(request)))

    async def forward(request: Request) -> Response:
        if not may(user_of(request), "Sessions.Forward"):
            return error(403, "Only an administrator may re-route a session.")
        found = await session_and_body(
            session_or_404(source, request),
            request,
            "Expected a ForwardSessionModel {operatorGroupId | userId, note}.",
        )
        if isinstance(found, Response):
            return found
        s, body = found
        if body.get("chatbotId") is not None or body.get("phoneNumber"):
            return error(400, "Forwarding to a chatbot or a phone number is not offered here.")
        group, user, note = body.get("operatorGroupId"), body.get("userId"), body.get("note")
        if note is not None and not isinstance(note, str):
            return error(400, "note: expected text.")
        problem = forward_problem(tenant, s, group, user)
        if problem is not None:
            return error(*problem)
        tenant.forward(s["id"], user_of(request), group, user, note or None)
        return json_response(source.json_of(s), base=base_of(request))

    async def groups_availability(request: Request) -> Response:
        return json_response(availability(tenant, clock.now()))

    async def blacklist(request: Request) -> Response:
        flag = request.query_params.get("active")
        active = None if flag is None else flag.lower() in ("true", "1")
        return json_response(tenant.blacklist.listing(clock.now(), active))

    async def ban(request: Request) -> Response:
        user = user_of(request)
        if not may(user, "Blacklist.Manage"):
            return error(403, "Only an administrator may ban a client.")
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        if not isinstance(body, dict):
            return error(400, "Expected {sessionId | channel + identity, reason, expires?}.")
        reason = body.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            return error(400, "reason: a ban needs a reason.")
        now = clock.now()
        expires, problem = parse_expiry(body.get("expires"), now)
        if problem:
            return error(400, problem)
        given = {k: str(body[k]) for k in _IDENTITY_KEYS if body.get(k) not in (None, "")}
        sid = body.get("sessionId")
        if sid is not None:
            s = source.get(sid) if isinstance(sid, int) else None
            if s is None:
                return error(404, "Session ID not found.")
            channel = channel_of(s)
            if channel is None:
                return error(400, "This session's channel has no identity that can be banned.")
            identity = given or identity_of(s)
        else:
            channel = body.get("channel")
            if channel not in CHANNELS:
                return error(400, f"channel: one of {', '.join(CHANNELS)}.")
            identity = given
        identity = {k: v for k, v in identity.items() if k in IDENTITY_FIELDS[channel]}
        if not identity:
            needed = " and ".join(IDENTITY_FIELDS[channel])
            return error(400, f"A {channel} ban needs the client's {needed}.")
        entry = tenant.blacklist.add(
            {
                "channel": channel,
                "identity": identity,
                "reason": reason.strip(),
                "created": now,
                "created_by": user,
                "expires": expires,
                "session_id": sid,
            }
        )
        marked = tenant.mark_blacklisted(lambda s: entry.matches(channel_of(s), identity_of(s)))
        return json_response({**entry.json(now), "sessionsMarked": len(marked)}, 201)

    async def unban(request: Request) -> Response:
        user = user_of(request)
        if not may(user, "Blacklist.Manage"):
            return error(403, "Only an administrator may lift a ban.")
        entry = tenant.blacklist.bans.get(path_int(request) or -1)
        if entry is None:
            return error(404, "Ban not found.")
        if entry.lifted is None:
            entry.lifted, entry.lifted_by = clock.now(), user
        return Response(status_code=204)

    async def contact_info(request: Request) -> Response:
        s = session_or_404(source, request)
        if isinstance(s, Response):
            return s
        return json_response(contact_rule(s, clock.now()))

    async def contact(request: Request) -> Response:
        user = user_of(request)
        if not may(user, "Sessions.ContactClient"):
            return error(403, "You may not contact clients.")
        found = await session_and_body(
            session_or_404(source, request),
            request,
            "Expected {text} or {templateId, templateParams}.",
        )
        if isinstance(found, Response):
            return found
        s, body = found
        text, template = body.get("text"), body.get("templateId")
        if (text is None) == (template is None):
            return error(400, "Give exactly one of text and templateId.")
        rule = contact_rule(s, clock.now())
        if not rule["allowed"]:
            return error(409, rule["reason"])
        if text is not None:
            if not isinstance(text, str) or not text.strip():
                return error(400, "text: the message is empty.")
            if rule["templateOnly"]:
                return error(409, rule["reason"])
        else:
            text, problem = render_template(template, body.get("templateParams", []))
            if problem:
                return error(400, problem)
        ban = tenant.blacklist.match(s, clock.now())
        if ban is not None:
            return error(409, f"The client is banned (ban {ban.id}: {ban.reason}).")
        guest = {**identity_of(s), "callParams": {"previous_session_id": str(s["id"])}}
        if s.get("guest", {}).get("identity"):
            guest["identity"] = s["guest"]["identity"]
        new = tenant.arrive((s["channel"], s["source"]), None, guest, outbound=True)
        tenant.accept(new["id"], user)
        tenant.message(new["id"], "User", text, user)
        return json_response(
            {
                "sessionId": new["id"],
                "previousSessionId": s["id"],
                "messageTag": rule["messageTag"],
            },
            201,
        )

    async def templates(request: Request) -> Response:
        channel = request.query_params.get("channel")
        return json_response([t for t in TEMPLATES if channel in (None, t["channel"])])

    # -- webhooks (reference §4.1) ----------------------------------------------------------

    def hook_body(body: Any) -> tuple[str, list[str]] | Response:
        if not isinstance(body, dict):
            return json_response({"callbackUrl": ["The CallbackUrl field is required."]}, 400)
        problem = check_callback(body.get("callbackUrl"))
        if problem:
            return json_response({"callbackUrl": [problem]}, 400)
        types = body.get("eventTypes") or []
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            return json_response({"eventTypes": ["Expected a list of event type names."]}, 400)
        return body["callbackUrl"], types

    async def hooks(request: Request) -> Response:
        return json_response([h.json() for h in hub.hooks.values()])

    async def hook_add(request: Request) -> Response:
        got = hook_body(await json_body(request))
        if isinstance(got, Response):
            return got
        hook_id, created = hub.register(*got)
        return json_response(hook_id, 201 if created else 409)

    async def hook_get(request: Request) -> Response:
        hook = hub.hooks.get(path_int(request) or -1)
        return json_response(hook.json()) if hook else error(404, "Webhook not found.")

    async def hook_put(request: Request) -> Response:
        got = hook_body(await json_body(request))
        if isinstance(got, Response):
            return got
        found = hub.update(path_int(request) or -1, *got)
        return Response(status_code=204) if found else error(404, "Webhook not found.")

    async def hook_delete(request: Request) -> Response:
        found = hub.delete(path_int(request) or -1)
        return Response(status_code=204) if found else error(404, "Webhook not found.")

    async def hooks_delete(request: Request) -> Response:
        hub.delete_all()
        return Response(status_code=204)

    s = "/api/v1/Sessions/{id}"
    return [
        Route("/api/v1/users/me", me, methods=["GET"]),
        Route(s + "/forward", once(forward), methods=["POST"]),
        Route("/api/v1/Groups/availability", groups_availability, methods=["GET"]),
        Route("/api/v1/Blacklist", blacklist, methods=["GET"]),
        Route("/api/v1/Blacklist", once(ban), methods=["POST"]),
        Route("/api/v1/Blacklist/{id}", once(unban), methods=["DELETE"]),
        Route(s + "/contact", contact_info, methods=["GET"]),
        Route(s + "/contact", once(contact), methods=["POST"]),
        Route("/api/v1/Templates", templates, methods=["GET"]),
        Route("/api/v1/Webhooks", hooks, methods=["GET"]),
        Route("/api/v1/Webhooks", hook_add, methods=["POST"]),
        Route("/api/v1/Webhooks", hooks_delete, methods=["DELETE"]),
        Route("/api/v1/Webhooks/{id}", hook_get, methods=["GET"]),
        Route("/api/v1/Webhooks/{id}", hook_put, methods=["PUT"]),
        Route("/api/v1/Webhooks/{id}", hook_delete, methods=["DELETE"]),
    ]
