"""Keeping the relay's webhook registered at mluvii (reference §4.1, §5).

``POST /api/v1/Webhooks``; on 409 ``PUT`` the returned id. Repeated every ``every`` seconds,
because mluvii deletes a webhook that failed for three days; after a failure, retried sooner.
The callback URL carries ``user:password@`` (mluvii sends it back as Basic credentials); it is
never logged or shown: ``public_callback`` is the same URL without the userinfo.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, urlsplit, urlunsplit

from mluvii_tui.api.errors import MluviiError

log = logging.getLogger("mluvii_tui.relay")


class WebhookApi(Protocol):
    async def register_webhook(
        self, callback_url: str, event_types: list[str]
    ) -> tuple[int, bool]: ...


def callback_url(public_url: str, user: str, password: str) -> tuple[str, str]:
    """``(callback with userinfo, the same without)`` for ``public_url`` + ``/webhook``."""
    parts = urlsplit(public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--public-url must be an http(s) URL, not {public_url.strip()[:80]!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    hostport = host + (f":{parts.port}" if parts.port else "")
    path = parts.path.rstrip("/") + "/webhook"
    secret = f"{quote(user, safe='')}:{quote(password, safe='')}@{hostport}"
    return (
        urlunsplit((parts.scheme, secret, path, "", "")),
        urlunsplit((parts.scheme, hostport, path, "", "")),
    )


class Registration:
    """The registration loop and its state for ``/health``."""

    def __init__(
        self,
        api: WebhookApi | None,
        callback: str,
        public_callback: str,
        event_types: list[str],
        *,
        every: float = 600.0,
        retry: float = 30.0,
    ) -> None:
        self._api = api
        self._callback = callback
        self.public_callback = public_callback
        self.event_types = event_types
        self.every = every
        self.retry = retry
        self.state = "disabled" if api is None else "not registered yet"
        self.webhook_id: int | None = None
        self.at: str | None = None
        self.error = ""
        self.attempts = 0

    async def once(self) -> bool:
        assert self._api is not None
        self.attempts += 1
        try:
            webhook_id, created = await self._api.register_webhook(self._callback, self.event_types)
        except MluviiError as exc:
            self.state, self.error = "failed", exc.message
            log.warning("webhook registration failed: %s", exc.message)
            return False
        self.state, self.error, self.webhook_id = "registered", "", webhook_id
        self.at = datetime.now(UTC).isoformat(timespec="seconds")
        how = "registered" if created else "updated"
        log.info("webhook %s %s for %s", webhook_id, how, self.public_callback)
        return True

    async def run(self) -> None:
        if self._api is None:
            return
        while True:
            ok = await self.once()
            await asyncio.sleep(self.every if ok else min(self.retry, self.every))

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "id": self.webhook_id,
            "registeredAt": self.at,
            "callbackUrl": self.public_callback,
            "eventTypes": len(self.event_types),
            "attempts": self.attempts,
            "error": self.error or None,
        }
