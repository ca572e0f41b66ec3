"""History sync: pages of sessions from the API into the local store (idempotent by content).

Writes run in a worker thread (``asyncio.to_thread``) so the event loop keeps drawing.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mluvii_tui.api.enums import LIVE_STATUSES
from mluvii_tui.api.filters import DateTimeFilter, SessionFilter
from mluvii_tui.api.transport import WAIT_LISTENER
from mluvii_tui.store.store import SessionStore, UpsertResult
from mluvii_tui.store.upsert import MAX_PROBLEMS

if TYPE_CHECKING:  # pragma: no cover
    from mluvii_tui.api.client import MluviiClient

META_LAST_SYNC = "last_sync"
META_SYNC_FROM = "last_sync_from"
META_LAST_LIVE_SYNC = "last_live_sync"
#: At most this many sessions that left the live list are re-read one by one per live sync.
MAX_FINISHED_REFRESH = 200


@dataclass
class SyncProgress:
    pages: int = 0
    sessions: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    done: bool = False
    problems: list[str] = field(default_factory=list)  # why records were skipped (first few)
    #: While the transport waits before retrying (e.g. "rate limited by the server, next try
    #: at 12:03:04"); empty when it does not wait.
    waiting: str = ""

    def add(self, res: UpsertResult, received: int) -> None:
        self.pages += 1
        self.sessions += received
        self.inserted += res.inserted
        self.updated += res.updated
        self.unchanged += res.unchanged
        self.skip(res.skipped, res.problems)

    def skip(self, count: int, problems: list[str]) -> None:
        self.skipped += count
        self.problems = (self.problems + problems)[:MAX_PROBLEMS]

    @property
    def skipped_text(self) -> str:
        """``"1 session skipped: <why>"`` (the first reason), or "" when none was skipped."""
        if not self.skipped:
            return ""
        noun = "session" if self.skipped == 1 else "sessions"
        why = f": {self.problems[0]}" if self.problems else ""
        more = f" (and {len(self.problems) - 1} more reasons)" if len(self.problems) > 1 else ""
        return f"{self.skipped} {noun} skipped{why}{more}"

    @property
    def text(self) -> str:
        state = "synced" if self.done else "syncing"
        line = (
            f"{state}: {self.sessions} sessions in {self.pages} pages "
            f"({self.inserted} new, {self.updated} changed, {self.unchanged} unchanged)"
        )
        if self.skipped:
            line += f"; {self.skipped_text}"
        if self.waiting and not self.done:
            line += f"; {self.waiting}"
        return line


@dataclass
class SyncResult(SyncProgress):
    since: datetime | None = None
    finished: datetime | None = None
    refreshed: list[int] = field(default_factory=list)  # sync_live: re-read ended sessions


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.astimezone()


async def _pull(
    client: MluviiClient,
    store: SessionStore,
    filters: SessionFilter,
    result: SyncResult,
    progress: Callable[[SyncProgress], None] | None,
    page_size: int,
) -> set[int]:
    seen: set[int] = set()
    not_sessions = client.skipped_items
    async for page in client.iter_sessions(filters, page_size=page_size):
        seen.update(s.id for s in page)
        res = await asyncio.to_thread(store.upsert_sessions, page)
        bad = client.skipped_items - not_sessions  # items of the page that were no sessions
        not_sessions = client.skipped_items
        result.add(res, len(page) + bad)
        if bad:
            result.skip(bad, ["not a session (no usable id)"])
        if progress is not None:
            progress(dataclasses.replace(result))
    return seen


async def sync_history(
    client: MluviiClient,
    store: SessionStore,
    *,
    days: int = 7,
    filters: SessionFilter | None = None,
    now: datetime | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    page_size: int = 500,
) -> SyncResult:
    """Fetch the sessions created in the last ``days`` (plus ``filters``) into ``store``.

    Unchanged sessions are not rewritten; the time of the sync is kept in meta ``last_sync``.
    Errors of the client (``MluviiError``) propagate with their one-line message.
    """
    moment = _now(now)
    since = moment - timedelta(days=days)
    base = filters or SessionFilter()
    if base.created.min is None:
        base = dataclasses.replace(base, created=dataclasses.replace(base.created, min=since))
    else:
        since = base.created.min
    result = SyncResult(since=since)

    def waiting(text: str) -> None:  # the transport waits before a retry, or goes on
        result.waiting = text
        if progress is not None:
            progress(dataclasses.replace(result))

    listening = WAIT_LISTENER.set(waiting)
    try:
        await _pull(client, store, base, result, progress, page_size)
    finally:
        WAIT_LISTENER.reset(listening)
    result.done = True
    result.finished = moment
    store.set_meta(META_LAST_SYNC, moment.isoformat())
    store.set_meta(META_SYNC_FROM, since.isoformat())
    if progress is not None:
        progress(dataclasses.replace(result))
    return result


async def sync_live(
    client: MluviiClient,
    store: SessionStore,
    *,
    now: datetime | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    page_size: int = 500,
) -> SyncResult:
    """Polling fallback for the Live view: fetch the ongoing sessions and update them; sessions
    the store still has as live that are no longer in that list are re-read (they ended)."""
    from mluvii_tui.api.errors import MluviiError

    moment = _now(now)
    result = SyncResult()
    live = SessionFilter(status=tuple(sorted(LIVE_STATUSES)), ended=DateTimeFilter(null=True))
    seen = await _pull(client, store, live, result, progress, page_size)
    stale = await asyncio.to_thread(_live_ids, store)
    gone = [sid for sid in stale if sid not in seen][:MAX_FINISHED_REFRESH]
    fresh: list[Any] = []
    for sid in gone:
        try:
            fresh.append(await client.get_session(sid))
        except MluviiError:
            continue  # deleted or not visible any more: keep what the store has
    if fresh:
        res = await asyncio.to_thread(store.upsert_sessions, fresh)
        result.add(res, len(fresh))
        result.refreshed = [s.id for s in fresh]
    result.done = True
    result.finished = moment
    store.set_meta(META_LAST_LIVE_SYNC, moment.isoformat())
    if progress is not None:
        progress(dataclasses.replace(result))
    return result


def _live_ids(store: SessionStore) -> list[int]:
    from mluvii_tui.query.types import SessionQuery, SortKey

    query = SessionQuery(view="live", sort=SortKey("id", False))
    return [r.id for r in store.window(query, 0, max(store.count(query), 1))]
