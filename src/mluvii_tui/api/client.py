"""``MluviiClient``: the async client of the mluvii public API (docs/ARCHITECTURE.md "Client").

This module holds the endpoints (session pages, session, call parameters, users, operator states,
groups, notes, routing). The plumbing under them is ``transport.ApiTransport``: one
``httpx.AsyncClient`` with explicit timeouts and limits, OAuth2 client credentials, bounded
retries with full-jitter backoff for idempotent calls, streamed downloads, and typed errors
whose one-line message never holds the secret or a token. Every path comes from ``paths.PATHS``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .admin_models import (
    Availability,
    BanEntry,
    ContactResult,
    ContactRule,
    CurrentUser,
    ForwardSessionModel,
    MessageTemplate,
)
from .errors import BadResponse
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
from .transport import IDEMPOTENT_METHODS, RETRY_STATUSES, USER_AGENT, ApiTransport

M = TypeVar("M", bound=BaseModel)

__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "USER_AGENT", "ApiTransport", "MluviiClient"]


class MluviiClient(ApiTransport):
    """Async client of the mluvii API. Use as ``async with MluviiClient(...) as client:``.

    Construction, retries, errors and ``download`` come from ``transport.ApiTransport``.
    """

    def __repr__(self) -> str:
        return f"MluviiClient({self.base_url!r}, client_id={self.client_id!r})"

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
            # Validating a page of 500 sessions takes 0.2-1 s of Python: in a thread, so the
            # console's keys keep answering while a sync runs.
            page = await asyncio.to_thread(_parse_page, data)
            self.skipped_items += len(data) - len(page)
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

    # -- admin actions (issue 13) ----------------------------------------------------------------
    # Refusals raise the existing typed errors with the server's reason as the message:
    # AuthError (403, e.g. an operator re-routing), BadRequest (409 with ``status`` 409: session
    # ended, target offline, channel rule; 400: bad input), NotFound, NotSupported (a real
    # tenant without the action). Mutating calls need an ``idempotency_key`` (a UUID per user
    # action): sending it again, e.g. after a timeout, has one effect and the first answer.

    async def get_me(self) -> CurrentUser:
        """The signed-in user with ``role`` (administrator / operator) and ``permissions``."""
        return self._model(await self._json("me"), CurrentUser, "me")

    async def forward_session(
        self,
        session_id: int,
        *,
        group_id: int | None = None,
        user_id: int | None = None,
        note: str | None = None,
        idempotency_key: str,
    ) -> SessionModel:
        """Re-route a live session to a group or one operator; returns the updated session."""
        body = ForwardSessionModel(operator_group_id=group_id, user_id=user_id, note=note)
        data = await self._send("forward", body.to_api(), idempotency_key, id=session_id)
        session = parse_session(data)
        if session is None:
            raise BadResponse(f"{self._where('forward', id=session_id)}: not a session")
        return session

    async def get_availability(self) -> Availability:
        """Groups (online / busy / away / offline, clients waiting, longest wait), operators."""
        return self._model(await self._json("availability"), Availability, "availability")

    async def get_blacklist(self, active: bool | None = None) -> list[BanEntry]:
        params = None if active is None else [("active", "true" if active else "false")]
        return self._parse_list(await self._json("blacklist", params=params), BanEntry, "blacklist")

    async def ban(
        self,
        *,
        reason: str,
        idempotency_key: str,
        session_id: int | None = None,
        channel: str | None = None,
        identity: dict[str, str] | None = None,
        expires: datetime | None = None,
    ) -> BanEntry:
        """Ban the client of ``session_id`` (identity taken from the session's channel), or the
        given ``channel`` + ``identity`` (ipAddress/trackedId, phoneNumber or channelUserId)."""
        body: dict[str, Any] = {"reason": reason, **(identity or {})}
        if session_id is not None:
            body["sessionId"] = session_id
        if channel is not None:
            body["channel"] = channel
        if expires is not None:
            body["expires"] = expires.isoformat()
        return self._model(await self._send("ban", body, idempotency_key), BanEntry, "ban")

    async def unban(self, ban_id: int, *, idempotency_key: str) -> None:
        await self._call("unban", id=ban_id, headers={"Idempotency-Key": idempotency_key})

    async def get_contact_rule(self, session_id: int) -> ContactRule:
        data = await self._json("contact_rule", id=session_id, not_found=f"session {session_id}")
        return self._model(data, ContactRule, "contact_rule", id=session_id)

    async def contact_client(
        self,
        session_id: int,
        *,
        idempotency_key: str,
        text: str | None = None,
        template_id: int | None = None,
        template_params: list[str] | None = None,
    ) -> ContactResult:
        """Write to the client of an ended messaging session; starts a new, linked session."""
        body: dict[str, Any] = (
            {"text": text}
            if template_id is None
            else {"templateId": template_id, "templateParams": template_params or []}
        )
        data = await self._send("contact", body, idempotency_key, id=session_id)
        return self._model(data, ContactResult, "contact", id=session_id)

    async def get_templates(self, channel: str | None = None) -> list[MessageTemplate]:
        params = None if channel is None else [("channel", channel)]
        data = await self._json("templates", params=params)
        return self._parse_list(data, MessageTemplate, "templates")

    async def _send(self, name: str, body: Any, key: str, **path_params: Any) -> Any:
        response = await self._call(
            name, json_body=body, headers={"Idempotency-Key": key}, **path_params
        )
        return self._decode(response, name, **path_params)

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

    def _model(self, data: Any, model: type[M], name: str, **path_params: object) -> M:
        try:
            return model.model_validate(data)
        except ValidationError:
            raise BadResponse(
                f"{self._where(name, **path_params)}: the answer has the wrong shape"
            ) from None

    # -- webhooks (the relay) --------------------------------------------------------------------

    async def get_session_json(self, session_id: int) -> dict[str, Any]:
        """The session as the API sent it (unknown fields kept), for relaying to consoles."""
        data = await self._json("session", id=session_id, not_found=f"session {session_id}")
        if not isinstance(data, dict) or "id" not in data:
            raise BadResponse(f"{self._where('session', id=session_id)}: not a session")
        return data

    async def register_webhook(self, callback_url: str, event_types: list[str]) -> tuple[int, bool]:
        """POST the webhook; on 409 PUT the existing id (reference §4.1): ``(id, created)``."""
        body = {"callbackUrl": callback_url, "eventTypes": event_types}
        response = await self._call("webhook_add", json_body=body, allow=frozenset({409}))
        webhook_id = _webhook_id(self._decode(response, "webhook_add"))
        if webhook_id is None:
            raise BadResponse(f"{self._where('webhook_add')}: the answer is not a webhook id")
        if response.status_code != 409:
            return webhook_id, True
        await self._call("webhook_put", id=webhook_id, json_body=body, not_found="webhook")
        return webhook_id, False

    async def get_webhooks(self) -> list[dict[str, Any]]:
        data = await self._json("webhooks")
        if not isinstance(data, list):
            raise BadResponse(f"{self._where('webhooks')}: the answer is not a list")
        return [item for item in data if isinstance(item, dict)]

    async def delete_webhook(self, webhook_id: int) -> None:
        await self._call("webhook_delete", id=webhook_id, not_found=f"webhook {webhook_id}")


def _webhook_id(data: Any) -> int | None:
    """The id in a registration answer: a bare int (reference §4.1), tolerating "7" and {id}."""
    if isinstance(data, dict):
        data = data.get("id")
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return data
    if isinstance(data, str) and data.strip().isdigit():
        return int(data)
    return None


def _parse_page(data: list[Any]) -> list[SessionModel]:
    """The sessions of one page (items that are not sessions left out)."""
    return [s for s in (parse_session(item) for item in data) if s is not None]
