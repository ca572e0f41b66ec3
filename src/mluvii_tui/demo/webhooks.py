"""Webhooks as mluvii delivers them (reference §4.1-4.2, /work/wt/CONTRACT-webhooks.md).

Registration: ``POST /api/v1/Webhooks`` -> 201 new id / 409 id of the webhook with that callback
URL; ``PUT``, ``GET``, ``DELETE`` by id; ``DELETE`` all. Delivery: one event per POST,
``{"eventType", "data"}``, Basic credentials from the callback URL's userinfo, up to 2 retries,
occasional byte-identical duplicates, order kept per entity (session, user: each entity's events
go through one of ``LANES`` queues, each with its own sender task, so a slow receiver is fed
several events at once), a webhook failing for 3 days is deleted. ``publish`` only appends to
queues: it never blocks an API request.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from .clock import SimClock

FAILING_DAYS_BEFORE_DELETE = 3
LANES = 4  # concurrent POSTs per webhook; one entity always uses the same lane


@dataclass
class Webhook:
    id: int
    callback_url: str
    event_types: list[str]
    target: str = ""  # the callback URL without userinfo
    auth: str | None = None  # the Authorization header value
    failing_since: float | None = None
    queues: list[deque[bytes]] = field(default_factory=lambda: [deque() for _ in range(LANES)])

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "callbackUrl": self.callback_url, "eventTypes": self.event_types}

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


def _current() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def check_callback(url: Any) -> str | None:
    """Why ``url`` cannot be a callback URL, or None."""
    if not isinstance(url, str) or not url:
        return "The CallbackUrl field is required."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "The CallbackUrl field is not a valid fully-qualified http or https URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "The CallbackUrl field is not a valid fully-qualified http or https URL."
    return None


def _split(url: str) -> tuple[str, str | None]:
    """(URL without userinfo, Basic Authorization header or None)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    if parts.username is None:
        return target, None
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return target, "Basic " + base64.b64encode(pair.encode()).decode()


class WebhookHub:
    """Registered webhooks and their delivery queues."""

    def __init__(
        self,
        clock: SimClock,
        *,
        seed: int = 7,
        duplicate_rate: float = 0.03,
        retry_delays: tuple[float, ...] = (0.5, 2.0),
        max_queue: int = 20_000,
    ) -> None:
        self.clock = clock
        self.hooks: dict[int, Webhook] = {}
        self.duplicate_rate = duplicate_rate
        self.retry_delays = retry_delays
        self.max_queue = max_queue
        self.stats: Counter[str] = Counter()
        self._rng = random.Random(seed * 131 + 1)
        self._next_id = 1
        self._tasks: dict[tuple[int, int], asyncio.Task[None]] = {}
        self._wake: dict[tuple[int, int], asyncio.Event] = {}
        self._client: httpx.AsyncClient | None = None

    # -- registration ----------------------------------------------------------------------

    def register(self, url: str, event_types: list[str]) -> tuple[int, bool]:
        """(id, created): an existing webhook with the same callback URL is not duplicated."""
        for hook in self.hooks.values():
            if hook.callback_url == url:
                return hook.id, False
        hook = Webhook(self._next_id, url, list(event_types))
        hook.target, hook.auth = _split(url)
        self._next_id += 1
        self.hooks[hook.id] = hook
        return hook.id, True

    def update(self, hook_id: int, url: str, event_types: list[str]) -> bool:
        hook = self.hooks.get(hook_id)
        if hook is None:
            return False
        hook.callback_url, hook.event_types = url, list(event_types)
        hook.target, hook.auth = _split(url)
        return True

    def delete(self, hook_id: int) -> bool:
        hook = self.hooks.pop(hook_id, None)
        for lane in range(LANES):
            task = self._tasks.pop((hook_id, lane), None)
            self._wake.pop((hook_id, lane), None)
            if task is not None and task is not _current():
                task.cancel()
        return hook is not None

    def delete_all(self) -> None:
        for hook_id in list(self.hooks):
            self.delete(hook_id)

    # -- delivery --------------------------------------------------------------------------

    def publish(self, event_type: str, data: dict[str, Any]) -> None:
        """Queue one event for every webhook that subscribed to its type."""
        targets = [h for h in self.hooks.values() if h.wants(event_type)]
        if not targets:
            return
        body = json.dumps({"eventType": event_type, "data": data}, ensure_ascii=False).encode()
        entity = data.get("sessionId") or data.get("id") or data.get("userId") or 0
        lane = hash(entity) % LANES
        for hook in targets:
            queue = hook.queues[lane]
            if len(queue) >= self.max_queue:
                queue.popleft()
                self.stats["dropped"] += 1
            queue.append(body)
            self.stats["queued"] += 1
            self._kick((hook.id, lane))

    def _kick(self, slot: tuple[int, int]) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not on the server's loop (a unit test): delivered later
            return
        task = self._tasks.get(slot)
        if task is None or task.done():
            self._wake[slot] = asyncio.Event()
            self._tasks[slot] = asyncio.create_task(self._sender(slot))
        self._wake[slot].set()

    async def _sender(self, slot: tuple[int, int]) -> None:
        hook_id, lane = slot
        while hook_id in self.hooks:
            hook = self.hooks[hook_id]
            queue = hook.queues[lane]
            if not queue:
                wake = self._wake[slot]
                wake.clear()
                await wake.wait()
                continue
            body = queue.popleft()
            delivered = await self._post(hook, body, retries=len(self.retry_delays))
            if delivered and self._rng.random() < self.duplicate_rate:
                self.stats["duplicated"] += 1
                await self._post(hook, body, retries=0)
            self._note_outcome(hook, delivered)

    async def _post(self, hook: Webhook, body: bytes, retries: int) -> bool:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if hook.auth:
            headers["Authorization"] = hook.auth
        for attempt in range(retries + 1):
            if attempt:
                self.stats["retried"] += 1
                await asyncio.sleep(self.retry_delays[attempt - 1])
            try:
                response = await self._client.post(hook.target, content=body, headers=headers)
            except httpx.HTTPError:
                self.stats["failedAttempts"] += 1
                continue
            if 200 <= response.status_code < 300:
                self.stats["delivered"] += 1
                return True
            self.stats["failedAttempts"] += 1
        self.stats["discarded"] += 1
        return False

    def _note_outcome(self, hook: Webhook, delivered: bool) -> None:
        if delivered:
            hook.failing_since = None
            return
        now = self.clock.now()
        if hook.failing_since is None:
            hook.failing_since = now
        elif now - hook.failing_since > FAILING_DAYS_BEFORE_DELETE * 86400:
            self.stats["deletedFailing"] += 1
            self.delete(hook.id)

    def pending(self) -> int:
        return sum(len(q) for h in self.hooks.values() for q in h.queues)

    async def aclose(self) -> None:
        for slot in list(self._tasks):
            self._tasks.pop(slot).cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
