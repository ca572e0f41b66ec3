"""The action runner: every mutating admin action goes through ``ActionRunner.run``.

- Permission first: a refused action is never sent (``Permissions.why_not``).
- One request id (a UUID, sent as ``Idempotency-Key``) per user action: confirming twice, or
  running the same request id again while it is in flight or after it finished, sends nothing
  new and returns the first outcome.
- The outcome is honest: ``done``; ``refused`` with the server's reason (403, 400/409, 404, a
  server without the action); ``unknown`` when the connection failed or the server broke
  mid-action: the caller re-reads the session instead of guessing. Retrying an unknown outcome
  reuses its request id (one effect at most); retrying a refusal is a new request.
- Every outcome is written to the audit log.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mluvii_tui.api.errors import (
    AuthError,
    BadRequest,
    BadResponse,
    MluviiError,
    NotFound,
    NotSupported,
)

from .audit import AuditLog
from .permissions import Permissions

DONE, REFUSED, UNKNOWN = "done", "refused", "unknown"
_REFUSALS = (AuthError, BadRequest, NotFound, NotSupported)
BULK_CONCURRENCY = 4
NOT_OFFERED = "this server does not offer"


def new_request_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Outcome:
    action: str
    target: str
    request_id: str
    result: str  # done | refused | unknown
    reason: str = ""
    value: Any = None
    sent: bool = True  # False: refused before sending (permission, read-only)
    session_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result == DONE


@dataclass(frozen=True)
class ForwardTarget:
    """A group or one operator, with its name for messages and the audit log."""

    group_id: int | None = None
    user_id: int | None = None
    name: str = ""

    @property
    def label(self) -> str:
        kind = "group" if self.group_id is not None else "operator"
        ident = self.group_id if self.group_id is not None else self.user_id
        return f"{kind} {self.name} (#{ident})" if self.name else f"{kind} #{ident}"


@dataclass
class ActionRunner:
    client: Any  # MluviiClient
    audit: AuditLog
    profile: str
    permissions: Permissions = field(default_factory=Permissions)
    _inflight: dict[str, asyncio.Future[Outcome]] = field(default_factory=dict)
    _finished: dict[str, Outcome] = field(default_factory=dict)

    @property
    def user(self) -> str:
        u = self.permissions.user
        if u is None:
            return "?"
        return f"{u.username or u.full_name or u.id} ({u.role})"

    async def run(
        self,
        action: str,
        target: str,
        call: Callable[[str], Awaitable[Any]],
        *,
        request_id: str | None = None,
        session_id: int | None = None,
    ) -> Outcome:
        """Run ``call(request_id)`` once per request id; see the module's docstring."""
        key = request_id or new_request_id()
        if key in self._finished:
            return self._finished[key]
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        why_not = self.permissions.why_not(action)
        if why_not is not None:
            outcome = Outcome(action, target, key, REFUSED, why_not, sent=False)
            outcome.session_id = session_id
            self._audit(outcome)
            return outcome
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            outcome = await self._send(action, target, call, key)
            outcome.session_id = session_id
            if outcome.result == REFUSED and outcome.reason.startswith(NOT_OFFERED):
                outcome.reason = await self._missing_session(session_id) or outcome.reason
            self._audit(outcome)
            if outcome.result != UNKNOWN:
                self._finished[key] = outcome
            future.set_result(outcome)
            return outcome
        finally:
            self._inflight.pop(key, None)
            if not future.done():
                future.cancel()

    async def _send(
        self, action: str, target: str, call: Callable[[str], Awaitable[Any]], key: str
    ) -> Outcome:
        try:
            value = await call(key)
        except _REFUSALS as exc:
            return Outcome(action, target, key, REFUSED, exc.message)
        except (BadResponse, MluviiError) as exc:  # connection, 5xx, a garbled answer
            reason = f"outcome unknown: {exc.message}"
            return Outcome(action, target, key, UNKNOWN, reason)
        return Outcome(action, target, key, DONE, value=value)

    async def _missing_session(self, session_id: int | None) -> str | None:
        """A 404 on a session action: the session is gone, or the server lacks the action."""
        if session_id is None:
            return None
        try:
            await self.client.get_session(session_id)
        except NotFound:
            return f"session {session_id} not found"
        except MluviiError:
            return None
        return None

    def _audit(self, o: Outcome) -> None:
        reason = o.reason if o.sent else f"not sent: {o.reason}"
        try:
            self.audit.record(
                profile=self.profile,
                user=self.user,
                action=o.action,
                target=o.target,
                request_id=o.request_id,
                result=o.result,
                reason=reason,
            )
        except OSError as exc:  # the action happened; say the log could not be written
            o.reason = f"{o.reason} (audit log not written: {exc.strerror or exc})".strip()

    # -- the actions ------------------------------------------------------------------------

    async def forward(
        self,
        session_id: int,
        target: ForwardTarget,
        note: str | None = None,
        *,
        request_id: str | None = None,
    ) -> Outcome:
        async def call(key: str) -> Any:
            return await self.client.forward_session(
                session_id,
                group_id=target.group_id,
                user_id=target.user_id,
                note=note or None,
                idempotency_key=key,
            )

        label = f"session {session_id} → {target.label}"
        return await self.run("forward", label, call, request_id=request_id, session_id=session_id)

    async def forward_many(
        self,
        session_ids: Sequence[int],
        target: ForwardTarget,
        note: str | None = None,
        *,
        previous: dict[int, Outcome] | None = None,
        request_ids: dict[int, str] | None = None,
    ) -> list[Outcome]:
        """Re-route each session (a few at a time); results in the order of ``session_ids``.
        ``request_ids`` fixes each session's request id (one confirmation, one request each);
        with ``previous`` (a retry), an unknown outcome is retried under its own request id."""
        gate = asyncio.Semaphore(BULK_CONCURRENCY)

        async def one(sid: int) -> Outcome:
            before = (previous or {}).get(sid)
            key = (request_ids or {}).get(sid)
            if before is not None and before.result == UNKNOWN:
                key = before.request_id
            async with gate:
                return await self.forward(sid, target, note, request_id=key)

        return list(await asyncio.gather(*(one(sid) for sid in session_ids)))

    async def ban(
        self,
        *,
        reason: str,
        session_id: int | None = None,
        channel: str | None = None,
        identity: dict[str, str] | None = None,
        expires: datetime | None = None,
        target: str = "",
        request_id: str | None = None,
    ) -> Outcome:
        async def call(key: str) -> Any:
            return await self.client.ban(
                reason=reason,
                idempotency_key=key,
                session_id=session_id,
                channel=channel,
                identity=identity,
                expires=expires,
            )

        label = target or (f"client of session {session_id}" if session_id else f"{channel}")
        return await self.run("ban", label, call, request_id=request_id, session_id=session_id)

    async def unban(self, ban_id: int, *, request_id: str | None = None) -> Outcome:
        async def call(key: str) -> Any:
            await self.client.unban(ban_id, idempotency_key=key)
            return ban_id

        outcome = await self.run("unban", f"ban {ban_id}", call, request_id=request_id)
        if outcome.result == REFUSED and outcome.reason.startswith(NOT_OFFERED):
            try:
                listed = {b.id for b in await self.client.get_blacklist()}
            except MluviiError:
                return outcome
            if ban_id not in listed:
                outcome.reason = f"ban {ban_id} not found"
        return outcome

    async def contact(
        self,
        session_id: int,
        *,
        text: str | None = None,
        template_id: int | None = None,
        template_params: list[str] | None = None,
        request_id: str | None = None,
    ) -> Outcome:
        async def call(key: str) -> Any:
            return await self.client.contact_client(
                session_id,
                idempotency_key=key,
                text=text,
                template_id=template_id,
                template_params=template_params,
            )

        what = f"template #{template_id}" if template_id is not None else "free text"
        label = f"client of session {session_id} ({what})"
        return await self.run("contact", label, call, request_id=request_id, session_id=session_id)
