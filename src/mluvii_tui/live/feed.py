"""``LiveFeed``: the console side of the relay (headless; the UI subscribes to its callbacks).

Usage (inside the app's event loop, e.g. in a worker)::

    feed = LiveFeed("http://relay:8765", token, on_event, last_seq=saved, log_id=saved_log,
                    on_gap=resync, on_state=show_header)
    await feed.run()          # until feed.stop(); never raises for network trouble

- ``on_event(LiveEvent)`` (sync or async) gets every event once, in seq order; when it returns,
  ``feed.last_seq`` is that event's seq (persist it with ``feed.log_id`` to resume after a restart).
  An event with a seq already applied is skipped (``duplicates``); a callback that raises is logged
  and counted (``callback_errors``) and the feed goes on.
- ``on_gap(Gap)``: events were lost to this console (the relay no longer keeps them, or its log was
  replaced): resync from the API. The feed continues from ``gap.resume_at``.
- ``on_state(ConnectionState)``: on every change; ``feed.state.label()`` any time (it counts down):
  ``live (12 ms)``, ``connecting``, ``reconnecting (attempt 2, next in 3 s)``,
  ``offline since 14:02 (attempt 6, next in 30 s)``, ``refused: bad relay token``.
- Reconnects with exponential backoff and jitter (``backoff_base`` * 2^n, capped at
  ``backoff_max``, times 0.5..1), resuming from ``last_seq``: nothing lost, nothing applied twice.
  A refusal (bad token, close code 4401/4400, HTTP 401/403) stops retrying: a token does not fix
  itself. Frames that are not valid JSON events are skipped, counted (``bad_frames``) and logged.
- ``last_seq=None`` starts with live events only (a console that has just synced from the API).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from mluvii_tui.api.retry import backoff_delay

log = logging.getLogger("mluvii_tui.live")

REFUSING_CLOSE_CODES = frozenset({4400, 4401, 4403})
StateKind = Literal["connecting", "live", "reconnecting", "offline", "refused", "stopped"]


@dataclass(frozen=True, slots=True)
class LiveEvent:
    seq: int
    event_type: str
    data: Any
    received: str  # when the relay got the webhook (ISO 8601)
    session: dict[str, Any] | None  # the fresh SessionModel JSON, for session events
    session_error: str | None  # why ``session`` is missing, if the relay could not fetch it
    frame: dict[str, Any]  # the whole frame as received


@dataclass(frozen=True, slots=True)
class Gap:
    after: int | None
    resume_at: int
    reason: str


@dataclass(frozen=True, slots=True)
class ConnectionState:
    kind: StateKind
    attempt: int = 0
    next_at: float | None = None  # time.monotonic() of the next attempt
    latency_ms: float | None = None
    reason: str = ""
    offline_since: datetime | None = None  # local time of the first failure in a row

    def label(self, now: float | None = None) -> str:
        wait = ""
        if self.next_at is not None:
            seconds = max(0, round(self.next_at - (time.monotonic() if now is None else now)))
            wait = f"attempt {self.attempt}, next in {seconds} s"
        if self.kind == "live":
            return "live" if self.latency_ms is None else f"live ({self.latency_ms:.0f} ms)"
        if self.kind == "reconnecting":
            return f"reconnecting ({wait})"
        if self.kind == "offline":
            since = self.offline_since.strftime("%H:%M") if self.offline_since else "?"
            return f"offline since {since} ({wait})"
        if self.kind == "refused":
            return f"refused: {self.reason}"
        return self.kind


EventCallback = Callable[[LiveEvent], Awaitable[None] | None]


@dataclass
class _Counters:
    applied: int = 0
    duplicates: int = 0
    bad_frames: int = 0
    callback_errors: int = 0
    gaps: int = 0
    connects: int = 0
    closes: dict[str, int] = field(default_factory=dict)


def relay_ws_url(url: str) -> str:
    """``http(s)://host[:port][/path]`` or ``ws(s)://...`` -> the websocket URL (``/ws`` if no
    path). ``ValueError`` with one line if it is not such a URL."""
    parts = urlsplit(url.strip())
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.hostname:
        raise ValueError(f"not a relay URL: {url.strip()[:80]!r} (expected http(s)://host:port)")
    path = parts.path if parts.path not in ("", "/") else "/ws"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


class LiveFeed:
    def __init__(
        self,
        url: str,
        token: str,
        on_event: EventCallback,
        *,
        last_seq: int | None = None,
        log_id: str | None = None,
        on_gap: Callable[[Gap], Awaitable[None] | None] | None = None,
        on_state: Callable[[ConnectionState], None] | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        offline_after: int = 5,
        open_timeout: float = 5.0,
        ping_interval: float = 5.0,
    ) -> None:
        self.url = relay_ws_url(url)
        self._token = token
        self._on_event = on_event
        self._on_gap = on_gap
        self._on_state = on_state
        self.last_seq = last_seq
        self.log_id = log_id
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.offline_after = offline_after
        self.open_timeout = open_timeout
        self.ping_interval = ping_interval
        self.counters = _Counters()
        self._state = ConnectionState("connecting")
        self._ws: ClientConnection | None = None
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def state(self) -> ConnectionState:
        state, ws = self._state, self._ws
        if state.kind == "live" and ws is not None and ws.latency:
            return ConnectionState("live", latency_ms=ws.latency * 1000)
        return state

    def _set(self, state: ConnectionState) -> None:
        self._state = state
        if self._on_state is not None:
            try:
                self._on_state(self.state)
            except Exception:
                log.exception("live feed: the state callback failed")

    def stop(self) -> None:
        """Ask ``run()`` to return (closes the connection); safe to call more than once."""
        self._stop.set()
        if self._ws is not None:
            self._spawn(self._ws.close())

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self) -> None:
        attempt = 0
        offline_since: datetime | None = None
        while not self._stop.is_set():
            outcome = await self._connect_once()
            if self._stop.is_set():
                break
            if outcome.live:
                attempt, offline_since = 0, None
            if outcome.refused:
                self._set(ConnectionState("refused", reason=outcome.reason))
                log.warning("live feed refused: %s", outcome.reason)
                return
            attempt += 1
            offline_since = offline_since or datetime.now().astimezone()
            delay = self._delay(attempt, outcome.retry_soon)
            kind: StateKind = "offline" if attempt >= self.offline_after else "reconnecting"
            next_at = time.monotonic() + delay
            self._set(ConnectionState(kind, attempt, next_at, None, outcome.reason, offline_since))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
        self._set(ConnectionState("stopped"))

    def _delay(self, attempt: int, soon: bool) -> float:
        if soon and attempt == 1:
            return random.uniform(0, self.backoff_base)
        return backoff_delay(attempt - 1, self.backoff_base, self.backoff_max, floor=0.5)

    async def _connect_once(self) -> _Outcome:
        outcome = _Outcome()
        try:
            async with connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self._token}"},
                open_timeout=self.open_timeout,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_interval * 3,
                close_timeout=2,
                max_size=2**24,
                user_agent_header="mluvii-tui",
            ) as ws:
                self._ws = ws
                self.counters.connects += 1
                await ws.send(orjson.dumps({"resume": self.last_seq, "log": self.log_id}).decode())
                async for message in ws:
                    if await self._handle(message) and not outcome.live:
                        outcome.live = True
                        self._set(ConnectionState("live"))
                        self._spawn(self._measure(ws))
        except ConnectionClosed as exc:
            close = exc.rcvd
            code, reason = (close.code, close.reason) if close is not None else (1006, "")
            key = str(code)
            self.counters.closes[key] = self.counters.closes.get(key, 0) + 1
            outcome.reason = reason or f"connection closed ({code})"
            outcome.refused = code in REFUSING_CLOSE_CODES
            outcome.retry_soon = code in (1001, 1013, 4008)
        except InvalidStatus as exc:
            status = exc.response.status_code
            outcome.reason = f"the relay answered HTTP {status}"
            outcome.refused = status in (401, 403)
        except InvalidURI as exc:
            outcome.reason, outcome.refused = f"bad relay URL: {exc}", True
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            outcome.reason = _why(exc)
        finally:
            self._ws = None
        return outcome

    async def _handle(self, message: str | bytes) -> bool:
        """Apply one frame; True for a hello (the connection is live)."""
        try:
            frame = orjson.loads(message)
            kind = frame.get("type") if isinstance(frame, dict) else None
        except orjson.JSONDecodeError:
            kind = None
        if kind == "event":
            event = _event(frame)
            if event is None:
                return self._bad(message)
            if self.last_seq is not None and event.seq <= self.last_seq:
                self.counters.duplicates += 1
                return False
            try:
                result = self._on_event(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                self.counters.callback_errors += 1
                log.exception("live feed: applying event %s failed", event.seq)
            self.last_seq = event.seq
            self.counters.applied += 1
            return False
        if kind == "hello":
            if isinstance(frame.get("log"), str):
                self.log_id = frame["log"]
            if self.last_seq is None and isinstance(frame.get("last"), int):
                self.last_seq = frame["last"]
            return True
        if kind == "gap":
            resume_at = frame.get("resumeAt")
            if not isinstance(resume_at, int):
                return self._bad(message)
            gap = Gap(self.last_seq, resume_at, str(frame.get("reason", "")))
            self.counters.gaps += 1
            self.last_seq = resume_at
            if self._on_gap is not None:
                try:
                    result = self._on_gap(gap)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("live feed: the gap callback failed")
            return False
        if kind is None:
            return self._bad(message)
        return False  # a frame type of a newer relay: ignore

    async def _measure(self, ws: ClientConnection) -> None:
        """One ping right away, so the header shows a latency before the first keepalive."""
        try:
            await asyncio.wait_for(await ws.ping(), 5)
        except (ConnectionClosed, TimeoutError, RuntimeError):
            return
        if self._ws is ws and self._state.kind == "live":
            self._set(ConnectionState("live"))

    def _bad(self, message: str | bytes) -> bool:
        self.counters.bad_frames += 1
        log.warning("live feed: skipped a frame it cannot parse (%d bytes)", len(message))
        return False


@dataclass
class _Outcome:
    live: bool = False
    refused: bool = False
    retry_soon: bool = False
    reason: str = ""


def _event(frame: dict[str, Any]) -> LiveEvent | None:
    seq, event_type = frame.get("seq"), frame.get("eventType")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(event_type, str):
        return None
    session = frame.get("session")
    error = frame.get("sessionError")
    return LiveEvent(
        seq,
        event_type,
        frame.get("data"),
        str(frame.get("received", "")),
        session if isinstance(session, dict) else None,
        error if isinstance(error, str) else None,
        frame,
    )


def _why(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return text or type(exc).__name__
