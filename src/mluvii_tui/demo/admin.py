"""Admin semantics of the simulated tenant: who am I, forwarding rules, group availability,
and the channel rules for contacting a client again. Bans live in ``blacklist``.

Channel rules for contacting a client after the session ended, counted from the client's last
inbound message (messaging networks' published policies):
- WhatsApp: free text within 24 h; after that only an approved template.
- Facebook Messenger: free text within 24 h (standard messaging); up to 7 days only with the
  HUMAN_AGENT message tag; later nothing.
- Apple Messages for Business: the business cannot start a conversation; the customer must
  write first.
- VKontakte: a community may write to a user who has written to it (the user thereby allowed
  messages from the community), with no time limit; a user who never wrote cannot be contacted.
"""

from __future__ import annotations

from typing import Any

from .blacklist import channel_of
from .opstate import CAPACITY
from .roster import (
    ADMIN_USER_ID,
    DEPARTMENT_ID,
    GROUP_MEMBERS,
    GROUPS,
    OPERATOR_BY_ID,
    SECOND_DEPARTMENT_ID,
    users_json,
)
from .tenant import LIVE, LiveTenant
from .timefmt import duration, iso, parse_epoch

ADMIN_PERMISSIONS = (
    "Sessions.View", "Sessions.Notes", "Sessions.CallParams", "Sessions.Forward",
    "Sessions.ContactClient", "Blacklist.Manage",
)  # fmt: skip
OPERATOR_PERMISSIONS = (
    "Sessions.View",
    "Sessions.Notes",
    "Sessions.CallParams",
    "Sessions.ContactClient",
)
DAY = 86400.0
CONTACT_SOURCES = ("WhatsApp", "Facebook", "Apple", "VK")
TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "id": 1, "name": "order_update", "channel": "WhatsApp", "language": "cs",
        "text": "Dobrý den, k vaší objednávce {{1}} máme nové informace. "
        "Odpovězte prosím na tuto zprávu.",
        "params": ["order_number"],
    },
    {
        "id": 2, "name": "follow_up", "channel": "WhatsApp", "language": "cs",
        "text": "Dobrý den, ozýváme se k vašemu dotazu z {{1}}. Můžeme vám ještě s něčím pomoci?",
        "params": ["date"],
    },
    {
        "id": 3, "name": "follow_up_en", "channel": "WhatsApp", "language": "en",
        "text": "Hello, we are following up on your question from {{1}}. "
        "Can we help with anything else?",
        "params": ["date"],
    },
)  # fmt: skip


def role_of(user_id: int) -> str:
    return "administrator" if user_id == ADMIN_USER_ID else "operator"


def may(user_id: int, permission: str) -> bool:
    perms = ADMIN_PERMISSIONS if role_of(user_id) == "administrator" else OPERATOR_PERMISSIONS
    return permission in perms


def who_am_i(user_id: int) -> dict[str, Any]:
    """UserModel of the caller plus its department roles, role and permissions."""
    user = next(u for u in users_json() if u["id"] == user_id)
    admin = role_of(user_id) == "administrator"
    roles = (
        ["TenantAdmin", "TenantSessionsView", "TenantOperatorsView", "Operator"]
        if admin
        else ["Operator", "MluviiOperator", "WhatsAppOperator", "FacebookOperator"]
    )
    return {
        **user,
        "departmentRoles": {str(DEPARTMENT_ID): roles, str(SECOND_DEPARTMENT_ID): roles},
        "role": role_of(user_id),
        "permissions": list(ADMIN_PERMISSIONS if admin else OPERATOR_PERMISSIONS),
    }


# -- forwarding -------------------------------------------------------------------------------


def forward_problem(
    tenant: LiveTenant, s: dict, group_id: Any, user_id: Any
) -> tuple[int, str] | None:
    """(status, reason) why the session cannot be forwarded there, or None."""
    if (group_id is None) == (user_id is None):
        return 400, "Give exactly one of operatorGroupId and userId."
    if s.get("status") not in LIVE or s.get("ended"):
        return 409, f"Session {s['id']} has ended; only a live session can be re-routed."
    if s.get("status") == "ACW":
        return 409, f"Session {s['id']} has ended (after-call work); it cannot be re-routed."
    if group_id is not None:
        if not isinstance(group_id, int) or group_id not in dict(GROUPS):
            return 400, f"Unknown operator group {group_id!r}."
        members = [tenant.ops[op.user_id] for op in GROUP_MEMBERS[group_id]]
        if all(m.simplified()[0] == "OFFLINE" for m in members):
            name = dict(GROUPS)[group_id]
            return 409, f"No operator of group {name} is online."
        return None
    if not isinstance(user_id, int) or user_id not in OPERATOR_BY_ID:
        return 400, f"Unknown operator {user_id!r}."
    op = OPERATOR_BY_ID[user_id]
    if tenant.ops[user_id].simplified()[0] == "OFFLINE":
        return 409, f"Operator {op.full_name} is offline."
    if tenant.current_operator(s) == user_id:
        return 409, f"Session {s['id']} is already with {op.full_name}."
    return None


# -- availability -----------------------------------------------------------------------------


def availability(tenant: LiveTenant, now: float) -> dict[str, Any]:
    """GroupAvailabilityModel (``overallWorkload``) plus per-group and per-operator detail."""
    waiting: dict[int, list[tuple[float, dict]]] = {}
    for live in tenant.live.values():
        s = tenant.source.get(live.sid)
        if s is not None and s.get("status") in ("IN_QUEUE", "WAITING"):
            since = live.queued_at or parse_epoch(s.get("created")) or now
            waiting.setdefault(live.group_id, []).append((since, s))
    groups, workload = [], {}
    for gid, name in GROUPS:
        states = [tenant.ops[op.user_id] for op in GROUP_MEMBERS[gid]]
        counts = {"ONLINE": 0, "BUSY": 0, "AWAY": 0, "OFFLINE": 0}
        for st in states:
            counts[st.simplified()[0]] += 1
        queue = waiting.get(gid, [])
        oldest = min((since for since, _ in queue), default=None)
        free = sum(
            max(0, CAPACITY - len(st.active)) for st in states if st.simplified()[0] == "ONLINE"
        )
        groups.append(
            {
                "id": gid,
                "name": name,
                "operatorsOnline": counts["ONLINE"],
                "operatorsBusy": counts["BUSY"],
                "operatorsAway": counts["AWAY"],
                "operatorsOffline": counts["OFFLINE"],
                "clientsWaiting": len(queue),
                "longestWait": duration(now - oldest) if oldest is not None else None,
                "longestWaitSince": iso(oldest) if oldest is not None else None,
            }
        )
        per_channel: dict[str, dict[str, int]] = {}
        for channel in ("Mluvii", "Phone", "Facebook", "WhatsApp", "VK", "Apple"):
            in_queue = sum(1 for _, s in queue if channel_of(s) == channel)
            per_channel[channel] = {"inQueueCountTotal": in_queue, "freeQueueSlotsCountTotal": free}
        workload[str(gid)] = {"workload": per_channel}
    operators = []
    for user_id, st in tenant.ops.items():
        op = OPERATOR_BY_ID[user_id]
        status, availability_, reason = st.simplified()
        operators.append(
            {
                "userId": user_id,
                "firstName": op.first,
                "lastName": op.last,
                "groupIds": [op.group_id],
                "stateKind": st.kind,
                "status": status,
                "availabilityStatus": availability_,
                "availabilityStatusReason": reason,
                "activeSessions": len(st.active),
                "acwSessions": len(st.acw),
                "changed": st.model.get("changed"),
            }
        )
    return {"overallWorkload": workload, "groups": groups, "operators": operators}


# -- contacting a client again ----------------------------------------------------------------


def last_client_message(s: dict) -> float | None:
    times = [
        parse_epoch(a.get("time"))
        for a in s.get("activities") or []
        if isinstance(a, dict) and a.get("client") == "Guest" and a.get("type") == "ChatMessage"
    ]
    times = [t for t in times if t is not None]
    return max(times) if times else None


def contact_rule(s: dict, now: float) -> dict[str, Any]:
    """Where the session stands under its channel's rule (see the module's docstring)."""
    source = s.get("source")
    last = last_client_message(s)
    out: dict[str, Any] = {
        "sessionId": s["id"],
        "source": source,
        "allowed": False,
        "freeText": False,
        "templateOnly": False,
        "messageTag": None,
        "lastClientMessage": iso(last) if last is not None else None,
        "windowEnds": None,
        "rule": "",
        "reason": "",
    }
    if source not in CONTACT_SOURCES:
        out["reason"] = (
            "Contacting the client again is offered for Messenger, WhatsApp, Apple and VK sessions."
        )
        return out
    if s.get("status") in LIVE and s.get("status") != "ACW":
        out["reason"] = f"Session {s['id']} is still live: write in it instead."
        return out
    age = now - last if last is not None else None
    if source == "WhatsApp":
        out["rule"] = (
            "WhatsApp: free text within 24 h of the client's last message, then only a template."
        )
        if age is not None and age < DAY:
            out.update(allowed=True, freeText=True, windowEnds=iso(last + DAY))  # type: ignore[operator]
            out["reason"] = f"24 h window open, {_left(DAY - age)} left."
        else:
            out.update(allowed=True, templateOnly=True)
            out["reason"] = (
                f"24 h window closed {_left(age - DAY)} ago: only a template can be sent."
                if age is not None
                else "The client never wrote: only a template can be sent."
            )
    elif source == "Facebook":
        out["rule"] = "Messenger: free text within 24 h; with the HUMAN_AGENT tag up to 7 days."
        if age is not None and age < DAY:
            out.update(allowed=True, freeText=True, windowEnds=iso(last + DAY))  # type: ignore[operator]
            out["reason"] = f"Standard messaging window open, {_left(DAY - age)} left."
        elif age is not None and age < 7 * DAY:
            out.update(allowed=True, freeText=True, messageTag="HUMAN_AGENT")
            out["windowEnds"] = iso(last + 7 * DAY)  # type: ignore[operator]
            out["reason"] = f"HUMAN_AGENT tag, {_left(7 * DAY - age)} left."
        else:
            out["reason"] = (
                f"The 7-day HUMAN_AGENT window closed {_left(age - 7 * DAY)} ago."
                if age is not None
                else "The client never wrote in this session."
            )
    elif source == "Apple":
        out["rule"] = "Apple Messages for Business: the customer must write first."
        out["reason"] = "Apple Messages for Business: the customer must write first."
    else:
        out["rule"] = "VKontakte: a community may write to a user who has written to it, any time."
        if last is not None:
            out.update(allowed=True, freeText=True)
            out["reason"] = "The client has written to the community: messages are allowed."
        else:
            out["reason"] = "The client never wrote to the community: VK does not allow it."
    return out


def _left(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds >= 2 * DAY:
        return f"{int(seconds // DAY)} days"
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"
    return f"{max(1, int(seconds // 60))} min"


def render_template(template_id: Any, params: Any) -> tuple[str | None, str | None]:
    """(text, problem) of a template with its parameters filled."""
    template = next((t for t in TEMPLATES if t["id"] == template_id), None)
    if template is None:
        return None, f"Unknown template {template_id!r}."
    if not isinstance(params, list) or len(params) != len(template["params"]):
        names = ", ".join(template["params"])
        return (
            None,
            f"Template {template['name']} needs {len(template['params'])} parameter(s): {names}.",
        )
    text = template["text"]
    for n, value in enumerate(params, 1):
        text = text.replace(f"{{{{{n}}}}}", str(value))
    return text, None
