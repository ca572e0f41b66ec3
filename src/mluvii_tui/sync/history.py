"""History sync: pages of sessions from the API into the local store (idempotent by content).

Writes run in a worker thread so the event loop keeps drawing (and fetches the next page).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mluvii_tui.api.enums import LIVE_STATUSES
from mluvii_tui.api.filters import DateTimeFilter, SessionFilter
from mluvii_tui.api.retry import WAIT_LISTENER
from mluvii_tui.store.store import SessionStore, UpsertResult
from mluvii_tui.store.upsert import MAX_PROBLEMS
from mluvii_tui.sync.pages import Flow, PageResult, ThreadWriter, Writer, fetch_page, store_pages

if TYPE_CHECKING:  # pragma: no cover
    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.api.transport import ApiTransport

META_LAST_SYNC = "last_sync"
META_SYNC_FROM = "last_sync_from"
META_LAST_LIVE_SYNC = "last_live_sync"
META_SYNC_KEY = "last_sync_window"  # the filter (without its Created bounds) last synced
#: A narrow re-sync asks for what was created or ended since the last sync minus this much.
INCREMENTAL_MARGIN = timedelta(hours=1)
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
    fraction: float = 0.0  # how far through the window (the API pages oldest first)

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


def _window_key(filters: SessionFilter) -> str:
    """The filter without its Created bounds (they move with every sync): names its pages."""
    return "&".join(f"{k}={v}" for k, v in filters.to_params() if not k.startswith("Created."))


#: Bucket lengths (seconds) the window is cut into: the shortest that gives at most MAX_BUCKETS.
BUCKET_LENGTHS = (86400, 7 * 86400, 28 * 86400, 364 * 86400, 3640 * 86400)
MAX_BUCKETS = 100


def _buckets(since: datetime, moment: datetime) -> list[tuple[datetime, datetime | None]]:
    """[since, the next boundary), whole buckets, and the last one open-ended. Boundaries are
    multiples of the bucket length since the epoch (UTC days for a window of up to 100 days), so
    the pages of a past bucket stay the same from one sync to the next and fingerprint alike."""
    span = (moment - since).total_seconds()
    length = next((n for n in BUCKET_LENGTHS if span / n <= MAX_BUCKETS), BUCKET_LENGTHS[-1])
    out: list[tuple[datetime, datetime | None]] = []
    start = since
    while True:
        edge = (int(start.timestamp()) // length + 1) * length
        end = datetime.fromtimestamp(edge, UTC)
        if end > moment:
            out.append((start, None))
            return out
        out.append((start, end - timedelta(microseconds=1)))
        start = end


def _plan(
    store: SessionStore, base: SessionFilter, since: datetime, moment: datetime, full: bool | None
) -> tuple[bool, list[tuple[str, SessionFilter]]]:
    """(narrow, what to request): after a complete sync of this window only what can have
    changed since (created, ended or live since then); otherwise (or ``full``) every day."""
    key = _window_key(base)
    last = store.get_meta(META_LAST_SYNC)
    last_from = store.get_meta(META_SYNC_FROM)
    narrow = (
        full is not True
        and base == SessionFilter()
        and last is not None
        and last_from is not None
        and store.get_meta(META_SYNC_KEY) == key
        and datetime.fromisoformat(last_from) <= since
    )
    if narrow:
        after = datetime.fromisoformat(str(last)) - INCREMENTAL_MARGIN
        live = tuple(sorted(LIVE_STATUSES))
        return True, [
            ("created", SessionFilter(created=DateTimeFilter(min=max(since, after)))),
            (
                "ended",
                SessionFilter(created=DateTimeFilter(min=since), ended=DateTimeFilter(min=after)),
            ),
            (
                "live",
                SessionFilter(
                    created=DateTimeFilter(min=since), status=live, ended=DateTimeFilter(null=True)
                ),
            ),
        ]
    created = base.created
    plan = []
    for lo, hi in _buckets(since, moment):
        if created.max is not None and lo > created.max:
            break
        top = hi if created.max is None or (hi is not None and hi < created.max) else created.max
        bucket = dataclasses.replace(
            base, created=DateTimeFilter(min=lo, max=top, null=created.null)
        )
        plan.append((f"{key}|{lo.isoformat()}", bucket))
    return False, plan


async def sync_history(
    client: ApiTransport,
    store: SessionStore,
    *,
    days: int = 7,
    filters: SessionFilter | None = None,
    now: datetime | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    page_size: int = 1000,
    full: bool | None = None,
    writer: Writer | None = None,
) -> SyncResult:
    """Fetch the sessions created in the last ``days`` (plus ``filters``) into ``store``.

    After a complete sync of the same window only what can have changed is requested (created,
    ended or live since then; ``full=True`` re-reads everything). Pages go by UTC day (longer
    buckets for long windows), are fingerprinted and written as they come (an interrupted sync
    resumes: pages stored before are recognised and not parsed again). The time of the sync is
    kept in meta ``last_sync``. Errors of the client (``MluviiError``) propagate with their
    one-line message. ``writer``: who writes the pages (default: this store in the sync's
    worker thread; the sync process gives a process of its own, sync/writer.py).
    """
    moment = _now(now)
    since = moment - timedelta(days=days)
    base = filters or SessionFilter()
    if base.created.min is not None:
        since = base.created.min
    result = SyncResult(since=since)

    def waiting(text: str) -> None:  # the transport waits before a retry, or goes on
        result.waiting = text
        if progress is not None:
            progress(dataclasses.replace(result))

    def written(page: PageResult) -> None:
        result.add(page.result, page.received)
        if page.reached is not None and not narrow:
            result.fraction = min(1.0, (page.reached - since.timestamp()) / span)
        if progress is not None:
            progress(dataclasses.replace(result))

    narrow, plan = _plan(store, base, since, moment, full)
    span = max((moment - since).total_seconds(), 1.0)
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mluvii-sync")
    flow = Flow(writer or ThreadWriter(store, worker))
    loop = asyncio.get_running_loop()
    listening = WAIT_LISTENER.set(waiting)
    bulk = False
    upcoming: asyncio.Future[bytes] | None = None
    try:
        bulk = not narrow and await loop.run_in_executor(worker, store.drop_indexes_if_empty)
        upcoming = fetch_page(client, plan[0][1], page_size) if plan else None
        for step, (key, flt) in enumerate(plan):
            first = upcoming
            # the next bucket's first page downloads while this one's pages are stored
            following = plan[step + 1][1] if step + 1 < len(plan) else None
            upcoming = None if following is None else fetch_page(client, following, page_size)
            pages = store_pages(client, store, flt, key, page_size, worker, flow, first)
            async for page in pages:
                written(page)
            result.fraction = max(result.fraction, step / len(plan))
        async for page in flow.done():
            written(page)
        result.fraction = 1.0
        if bulk and progress is not None:
            result.waiting = "building the indexes…"
            progress(dataclasses.replace(result))
    finally:
        if upcoming is not None and not upcoming.cancel() and not upcoming.cancelled():
            upcoming.exception()  # it failed while not needed any more: nothing to report
        WAIT_LISTENER.reset(listening)
        flow.abandon()
        if bulk:  # a first sync: the sort and quick indexes in one pass each
            await loop.run_in_executor(worker, store.ensure_indexes)
        worker.shutdown(wait=False)
    result.waiting = ""
    result.done = True
    result.finished = moment
    store.set_meta(META_LAST_SYNC, moment.isoformat())
    store.set_meta(META_SYNC_FROM, since.isoformat())
    store.set_meta(META_SYNC_KEY, _window_key(base))
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
