"""THE table of every API path the client uses (docs/ARCHITECTURE.md "API paths").

Correct a path here and nowhere else. ``SIMULATOR_DEFINED`` names the paths that the public
reference does not confirm: a 404/405 on them means "this server does not offer that action".
"""

from __future__ import annotations

from typing import NamedTuple


class ApiPath(NamedTuple):
    method: str
    template: str
    what: str  # for messages: "this server does not offer <what>"

    def format(self, **params: object) -> str:
        return self.template.format(**{k: _segment(v) for k, v in params.items()})


def _segment(value: object) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


PATHS: dict[str, ApiPath] = {
    "token": ApiPath("POST", "/login/connect/token", "token requests"),
    "sessions": ApiPath("GET", "/api/v1/Sessions", "the session list"),
    "session": ApiPath("GET", "/api/v1/Sessions/{id}", "session details"),
    "callparams": ApiPath("GET", "/api/v1/Sessions/{id}/callparams", "session parameters"),
    "callparams_put": ApiPath("PUT", "/api/v1/Sessions/{id}/callparams", "editing parameters"),
    "users": ApiPath("GET", "/api/v1/users", "the user list"),
    "operator_states": ApiPath("GET", "/api/v1/Users/operatorStates", "operator states"),
    "groups": ApiPath("GET", "/api/v1/Groups", "operator groups"),
    "notes": ApiPath("GET", "/api/v1/Sessions/{id}/notes", "session notes"),
    "notes_add": ApiPath("POST", "/api/v1/Sessions/{id}/notes", "adding session notes"),
    "routing": ApiPath("GET", "/api/v1/Sessions/{id}/routing", "routing history"),
    # Admin actions (issue 13); the simulator serves all of them.
    "me": ApiPath("GET", "/api/v1/users/me", "the signed-in user's role"),
    "forward": ApiPath("POST", "/api/v1/Sessions/{id}/forward", "re-routing sessions"),
    "availability": ApiPath("GET", "/api/v1/Groups/availability", "group availability"),
    "blacklist": ApiPath("GET", "/api/v1/Blacklist", "the blacklist"),
    "ban": ApiPath("POST", "/api/v1/Blacklist", "banning clients"),
    "unban": ApiPath("DELETE", "/api/v1/Blacklist/{id}", "lifting bans"),
    "contact_rule": ApiPath("GET", "/api/v1/Sessions/{id}/contact", "contacting clients"),
    "contact": ApiPath("POST", "/api/v1/Sessions/{id}/contact", "contacting clients"),
    "templates": ApiPath("GET", "/api/v1/Templates", "message templates"),
    # Webhooks (reference §4.1, confirmed): POST -> 201 id | 409 existing id; PUT -> 204.
    "webhooks": ApiPath("GET", "/api/v1/Webhooks", "webhooks"),
    "webhook_add": ApiPath("POST", "/api/v1/Webhooks", "webhooks"),
    "webhook": ApiPath("GET", "/api/v1/Webhooks/{id}", "webhooks"),
    "webhook_put": ApiPath("PUT", "/api/v1/Webhooks/{id}", "webhooks"),
    "webhook_delete": ApiPath("DELETE", "/api/v1/Webhooks/{id}", "webhooks"),
}

#: Paths not confirmed by the public reference (defined by our simulator).
SIMULATOR_DEFINED: frozenset[str] = frozenset(
    {"groups", "notes", "notes_add", "routing"}
    | {"me", "forward", "availability", "blacklist", "ban", "unban"}
    | {"contact_rule", "contact", "templates"}
)


def path(name: str, **params: object) -> str:
    """The concrete path of ``name`` with its ``{placeholders}`` filled (URL-quoted)."""
    return PATHS[name].format(**params)
