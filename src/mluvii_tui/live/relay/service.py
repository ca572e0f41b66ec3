"""The relay service: ``POST /webhook`` in, ``GET /ws`` out, ``GET /health``, ``GET /operators``.

A webhook is checked (Basic credentials, envelope), pre-checked against the dedup set, enriched
(``enrich``), then appended to the log, which drops a duplicate atomically and assigns the seq.
mluvii gets 200 only once the event is in the log, so a relay killed mid-request loses nothing:
mluvii retries, and the retry is either stored or recognised as a duplicate. Consoles are fed by
the ``hub``; the websocket protocol is in docs/ARCHITECTURE.md "Live".
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from mluvii_tui.live.relay.enrich import Enricher, OperatorTable
from mluvii_tui.live.relay.events import SHORT_DEDUP_SECONDS, BadEnvelope, parse_webhook
from mluvii_tui.live.relay.hub import CLOSE_BAD_REQUEST, CLOSE_BAD_TOKEN, Console, Hub, cancel
from mluvii_tui.live.relay.log import EventLog, LogEntry, StoreError
from mluvii_tui.live.relay.register import Registration
from mluvii_tui.text import one_line

log = logging.getLogger("mluvii_tui.relay")

MAX_BODY = 1_000_000
HELLO_TIMEOUT = 10.0
CLOSE_TIMEOUT = 10.0


@dataclass
class Counters:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    malformed: int = 0
    unknown: int = 0
    unauthorized: int = 0
    store_errors: int = 0


@dataclass
class RelaySettings:
    token: str
    webhook_user: str
    webhook_password: str
    dedup_seconds: float = 600.0
    ring_size: int = 2048
    max_backlog: int = 4096
    extra: dict[str, Any] = field(default_factory=dict)


class Relay:
    def __init__(
        self,
        event_log: EventLog,
        settings: RelaySettings,
        *,
        enricher: Enricher | None,
        registration: Registration,
    ) -> None:
        self.log = event_log
        self.settings = settings
        self.enricher = enricher
        self.registration = registration
        self.operators = OperatorTable()
        self.counters = Counters()
        self.hub = Hub(
            event_log,
            ring_size=settings.ring_size,
            max_backlog=settings.max_backlog,
            on_entry=self._follow_operators,
        )
        self._append_lock = asyncio.Lock()
        self._basic = "Basic " + base64.b64encode(
            f"{settings.webhook_user}:{settings.webhook_password}".encode()
        ).decode("ascii")
        self.app = Starlette(
            routes=[
                Route("/webhook", self.webhook, methods=["POST"]),
                WebSocketRoute("/ws", self.websocket),
                Route("/health", self.health, methods=["GET"]),
                Route("/operators", self.operators_json, methods=["GET"]),
            ],
            lifespan=self._lifespan,
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        await self.hub.start(replay=("UserStatusChanged", self._follow_operators))
        tasks = [
            asyncio.create_task(self.hub.follow(), name="relay-follow"),
            asyncio.create_task(self.registration.run(), name="relay-register"),
        ]
        try:
            yield
        finally:
            self.hub.shutdown()
            for task in tasks:
                await cancel(task)
            await self.log.close()

    def _follow_operators(self, entry: LogEntry) -> None:
        if entry.event_type != "UserStatusChanged":
            return
        try:
            body = orjson.loads(entry.body)
        except orjson.JSONDecodeError:
            return
        self.operators.apply(body.get("data"), body.get("received", ""))

    # -- webhooks in ---------------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        self.counters.received += 1
        given = request.headers.get("authorization", "")
        if not secrets.compare_digest(given.encode(), self._basic.encode()):
            self.counters.unauthorized += 1
            log.warning("webhook refused: %s", "wrong credentials" if given else "no credentials")
            return Response(status_code=401, headers={"WWW-Authenticate": 'Basic realm="relay"'})
        body = await request.body()
        if len(body) > MAX_BODY:
            self.counters.malformed += 1
            return _error(413, f"body over {MAX_BODY} bytes")
        try:
            incoming = parse_webhook(body)
        except BadEnvelope as exc:
            self.counters.malformed += 1
            log.warning("webhook skipped: %s", exc)
            return _error(400, str(exc))
        if not incoming.known:
            self.counters.unknown += 1
            log.info("unknown event type %r forwarded raw", one_line(incoming.event_type, 80))
        try:
            if await self.log.seen(incoming.dedup_key):
                self.counters.duplicates += 1
                return JSONResponse({"duplicate": True})
            event: dict[str, Any] = {
                "eventType": incoming.event_type,
                "data": incoming.data,
                "received": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
            enricher = self.enricher
            if incoming.session_id is not None and enricher and enricher.wants(incoming.event_type):
                session, problem = await enricher.session(incoming.session_id)
                event["session"] = session
                if problem:
                    event["sessionError"] = problem
            ttl = self.settings.dedup_seconds if incoming.timed else SHORT_DEDUP_SECONDS
            body_text = orjson.dumps(event).decode()
            async with self._append_lock:
                seq = await self.log.append(incoming.event_type, body_text, incoming.dedup_key, ttl)
        except StoreError as exc:
            self.counters.store_errors += 1
            log.error("webhook not stored: %s", exc)
            return _error(503, "event log unavailable; retry")
        if seq is None:
            self.counters.duplicates += 1
            return JSONResponse({"duplicate": True})
        self.counters.stored += 1
        return JSONResponse({"seq": seq})

    # -- consoles out --------------------------------------------------------------------------

    def _token_ok(self, headers: Any) -> bool:
        given = headers.get("authorization", "")
        expected = f"Bearer {self.settings.token}"
        return secrets.compare_digest(given.encode(), expected.encode())

    async def websocket(self, ws: WebSocket) -> None:
        await ws.accept()
        if not self._token_ok(ws.headers):
            log.warning("console refused: bad relay token")
            await ws.close(CLOSE_BAD_TOKEN, "bad relay token")
            return
        try:
            resume, log_id = await self._hello(ws)
        except (ValueError, TimeoutError) as exc:
            await ws.close(CLOSE_BAD_REQUEST, one_line(str(exc), 100))
            return
        except WebSocketDisconnect:
            return
        console = Console(self.settings.max_backlog)
        receiver = asyncio.create_task(_receive_until_gone(ws, console))
        sender: asyncio.Task[None] | None = None
        try:
            if await self._catch_up(ws, console, resume, log_id):
                sender = asyncio.create_task(_send_pending(ws, console))
                await _wait_closing(console, sender)
        except (WebSocketDisconnect, RuntimeError):
            console.close(1000, "")
        except StoreError as exc:
            console.close(1011, f"event log unavailable: {exc}"[:100])
        finally:
            self.hub.detach(console)
            await cancel(sender)
            await cancel(receiver)
        code, reason = console.closing or (1000, "")
        if reason:
            log.info("console closed: %s", reason)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code, reason), CLOSE_TIMEOUT)

    async def _hello(self, ws: WebSocket) -> tuple[int | None, str | None]:
        message = await asyncio.wait_for(ws.receive(), HELLO_TIMEOUT)
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        try:
            request = orjson.loads(message.get("text") or message.get("bytes") or b"")
        except orjson.JSONDecodeError:
            request = None
        if not isinstance(request, dict) or "resume" not in request:
            raise ValueError('expected {"resume": seq}')
        resume, log_id = request.get("resume"), request.get("log")
        if resume is not None and (not isinstance(resume, int) or isinstance(resume, bool)):
            raise ValueError("resume must be a sequence number or null")
        return resume, log_id if isinstance(log_id, str) else None

    async def _catch_up(
        self, ws: WebSocket, console: Console, resume: int | None, log_id: str | None
    ) -> bool:
        """Send hello, any gap notice and the missed events; attach to live events. False if
        the console left meanwhile."""
        first, _ = await self.log.bounds()
        head = self.hub.head
        hello = {"type": "hello", "log": self.log.log_id, "first": first, "last": head}
        await ws.send_text(orjson.dumps(hello).decode())
        cursor = head if resume is None else resume
        gap = None
        if resume is not None and log_id is not None and log_id != self.log.log_id:
            gap, cursor = "the relay's event log was replaced: resync", head
        elif resume is not None and resume > head:
            gap, cursor = "the relay's event log is behind this console: resync", head
        elif resume is not None and first and resume < first - 1:
            gap, cursor = f"events {resume + 1}..{first - 1} are no longer kept: resync", first - 1
        if gap is not None:
            frame = {"type": "gap", "after": resume, "resumeAt": cursor, "reason": gap}
            await ws.send_text(orjson.dumps(frame).decode())
        while not self.hub.attach_from(console, cursor):
            page = await self.log.read_after(cursor, 500)
            if not page:  # nothing after cursor in the log: whatever comes next is live
                self.hub.attach_from(console, max(cursor, self.hub.head))
                break
            for entry in page:
                if console.closing is not None:
                    return False
                await ws.send_text(entry.frame())
            cursor = page[-1].seq
        return console.closing is None

    async def health(self, _request: Request) -> Response:
        first, _ = (0, 0)
        with contextlib.suppress(StoreError):
            first, _ = await self.log.bounds()
        state = self.hub.store_state
        if state == "ok":
            state = await self.log.check()
        registered = self.registration.state in ("registered", "disabled")
        body = {
            "status": "ok" if state == "ok" and registered else "degraded",
            "webhook": self.registration.as_json(),
            "store": {
                "kind": self.log.kind,
                "where": self.log.where,
                "state": state,
                "logId": self.log.log_id,
                "first": first,
                "last": self.hub.head,
            },
            "consoles": len(self.hub.consoles),
            "eventsPerSecond": round(self.hub.events_per_second(), 2),
            "events": {**_camel(vars(self.counters)), "slowConsumersClosed": self.hub.dropped_slow},
            "enrich": _camel(vars(self.enricher.stats)) if self.enricher is not None else None,
        }
        return JSONResponse(body)

    async def operators_json(self, request: Request) -> Response:
        if not self._token_ok(request.headers):
            return _error(401, "bad relay token")
        return JSONResponse(self.operators.as_json())


def _camel(values: dict[str, Any]) -> dict[str, Any]:
    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    return {camel(k): v for k, v in values.items()}


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def _receive_until_gone(ws: WebSocket, console: Console) -> None:
    """Read (and ignore) what the console sends, to notice when it leaves."""
    with contextlib.suppress(Exception):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
    console.close(1000, "")


async def _send_pending(ws: WebSocket, console: Console) -> None:
    while console.closing is None:
        while console.pending and console.closing is None:
            await ws.send_text(console.pop())
        console.wake.clear()
        if not console.pending and console.closing is None:
            await console.wake.wait()


async def _wait_closing(console: Console, sender: asyncio.Task[None]) -> None:
    """Until the console must close (its sender may be stuck on a full socket meanwhile)."""
    gone = asyncio.ensure_future(console.gone.wait())
    await asyncio.wait({gone, sender}, return_when=asyncio.FIRST_COMPLETED)
    await cancel(gone)
    console.close(1000, "")  # the sender failed: the console left
