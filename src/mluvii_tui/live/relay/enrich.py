"""Enrichment: the fresh session for session events, and the operator-state table.

Lifecycle payloads are thin (mostly ids), so the relay fetches ``GET /api/v1/Sessions/{id}`` once
and every console gets the session with the event. ``SessionActivity*`` events carry their
activity (text, time, type, who) and are not enriched unless ``activities=True`` (``--enrich
all``): a session holds its whole transcript, so fetching it per chat message would cost the API
one request per message and the consoles the transcript again each time.

Coalescing, per session: at most one fetch in flight; events arriving while it runs share ONE
follow-up fetch that starts when it ends (not the running one, which may predate them). A burst
of N events for one session costs two requests, and each event carries a session fetched after
the event arrived. Per-session order is kept: the follow-up's waiters wake after the running
fetch's waiters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from mluvii_tui.api.errors import MluviiError

log = logging.getLogger("mluvii_tui.relay")


class SessionSource(Protocol):
    async def get_session_json(self, session_id: int) -> dict[str, Any]: ...


@dataclass
class _Lane:
    running: asyncio.Future[Any] | None = None
    follow_up: asyncio.Future[Any] | None = None


@dataclass
class EnrichStats:
    fetches: int = 0
    failures: int = 0
    shared: int = 0  # events that rode on another event's fetch
    last_error: str = ""


class Enricher:
    """``await session(id)`` -> ``(session JSON or None, error or "")``; never raises."""

    def __init__(
        self, client: SessionSource, *, activities: bool = False, timeout: float = 5.0
    ) -> None:
        self._client = client
        self.activities = activities
        self._timeout = timeout
        self._lanes: dict[int, _Lane] = {}
        self.stats = EnrichStats()

    def wants(self, event_type: str) -> bool:
        return self.activities or not event_type.startswith("SessionActivity")

    async def session(self, session_id: int) -> tuple[dict[str, Any] | None, str]:
        lane = self._lanes.setdefault(session_id, _Lane())
        future: asyncio.Future[Any]
        if lane.running is None:
            lane.running = asyncio.ensure_future(self._fetch(session_id))
            future = lane.running
        else:
            if lane.follow_up is None:
                lane.follow_up = asyncio.get_running_loop().create_future()
            else:
                self.stats.shared += 1
            future = lane.follow_up
        return await asyncio.shield(future)

    async def _fetch(self, session_id: int) -> tuple[dict[str, Any] | None, str]:
        self.stats.fetches += 1
        try:
            result: tuple[dict[str, Any] | None, str] = (
                await asyncio.wait_for(self._client.get_session_json(session_id), self._timeout),
                "",
            )
        except MluviiError as exc:
            result = (None, exc.message)
        except TimeoutError:
            result = (None, f"session {session_id}: no answer in {self._timeout:g} s")
        except Exception as exc:  # a relay must keep relaying; the event goes out without it
            log.exception("fetching session %s failed", session_id)
            result = (None, f"session {session_id}: {type(exc).__name__}")
        if result[0] is None:
            self.stats.failures += 1
            self.stats.last_error = result[1]
        self._advance(session_id)
        return result

    def _advance(self, session_id: int) -> None:
        lane = self._lanes[session_id]
        waiting = lane.follow_up
        if waiting is None:
            del self._lanes[session_id]
            return
        lane.follow_up = None
        lane.running = asyncio.ensure_future(self._fetch(session_id))
        lane.running.add_done_callback(lambda done: _settle(waiting, done))


def _settle(target: asyncio.Future[Any], done: asyncio.Future[Any]) -> None:
    if not target.done():
        target.set_result(done.result())


@dataclass
class OperatorTable:
    """userId -> the last UserStatusChanged of that operator (served at ``GET /operators``)."""

    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    updated: float = 0.0

    def apply(self, data: Any, received: str) -> dict[str, Any] | None:
        if not isinstance(data, dict) or isinstance(data.get("userId"), bool):
            return None
        user_id = data.get("userId")
        if not isinstance(user_id, int):
            return None
        row = {
            "userId": user_id,
            "status": data.get("status"),
            "availabilityStatus": data.get("availabilityStatus"),
            "availabilityStatusReason": data.get("availabilityStatusReason"),
            "changed": received,
        }
        self.rows[user_id] = row
        self.updated = time.time()
        return row

    def as_json(self) -> dict[str, Any]:
        updated = datetime.fromtimestamp(self.updated, UTC).isoformat() if self.updated else None
        return {"updated": updated, "operators": [self.rows[k] for k in sorted(self.rows)]}
