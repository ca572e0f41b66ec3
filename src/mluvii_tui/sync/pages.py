"""Pages of ``GET /Sessions`` into the store: fetched one ahead, fingerprinted before any parsing.

A page whose bytes hash like the same page last time (same filter, same day bucket, same offset
and size) was stored then: it is counted as unchanged and not decoded. Otherwise it is decoded
(msgspec: store/wire.py), prepared (each session's JSON as received and its hash) and written in
one transaction together with its fingerprint, in one worker thread so the next page downloads
meanwhile. A page that is not a JSON array is fetched once more and then reported with its
offset.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from mluvii_tui.api.errors import BadResponse
from mluvii_tui.api.filters import SessionFilter
from mluvii_tui.store.ingest import (
    PreparedBatch,
    analyse_until,
    build_batch,
    decode_page,
    prepare_batch,
)
from mluvii_tui.store.rows import content_hash
from mluvii_tui.store.store import SessionStore, UpsertResult
from mluvii_tui.store.wire import WireError

if TYPE_CHECKING:  # pragma: no cover
    from mluvii_tui.api.transport import ApiTransport


#: Pages handed to the writer and not yet answered: while it writes one, the next is on its way
#: (a writer in another process then never waits for this one between two pages).
WRITE_AHEAD = 2


@dataclass
class PageResult:
    offset: int
    received: int  # items in the page
    result: UpsertResult
    reached: float | None  # created (epoch) of the page's last session
    parsed: bool


def fetch_page(
    client: ApiTransport, filters: SessionFilter, page_size: int, offset: int = 0
) -> asyncio.Future[bytes]:
    """The page of ``filters`` at ``offset``, requested now (a task)."""
    return asyncio.ensure_future(client.session_page(filters, limit=page_size, offset=offset))


def fingerprint(data: bytes) -> int:
    """A page's fingerprint: the content hash of its bytes as received."""
    return content_hash(data)


def _created(item: Any) -> float | None:
    if item.__class__ is tuple:  # decode_page's (wire.Session, its bytes)
        value = item[0].created
    else:
        value = item.get("created") if isinstance(item, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except (ValueError, OverflowError, OSError):
        return None


#: (key, fingerprint, sessions, reached) of a page: its row in ``sync_pages``.
PageKey = tuple[str, int, int, float | None]


@dataclass
class ParsedPage:
    batch: PreparedBatch
    page: PageKey


def parse_page(key: str, data: bytes, mark: int, build_all: bool) -> ParsedPage:
    """Decode one page (runs in the worker thread) and prepare its sessions; ``build_all``:
    their records too (for a writer in another process). ValueError: not a JSON array."""
    try:
        items = decode_page(data)
    except WireError:  # what msgspec refuses (lone surrogates...): decoded as a whole
        items = _decoded(data)
    reached = _created(items[-1]) if items else None
    received = len(items)
    batch = prepare_batch(items)
    del items  # the sessions live in the batch only: built, each is freed (memory stays flat)
    if build_all:
        build_batch(batch)
    return ParsedPage(batch, (key, mark, received, reached))


def _decoded(data: bytes) -> list[Any]:
    items: Any
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError:  # what orjson refuses (lone surrogates...): json decides
        items = json.loads(data)
    if not isinstance(items, list):
        raise ValueError("not an array")
    if any(isinstance(i, dict) and i.get("id").__class__ is float for i in items):
        items = json.loads(data)  # orjson reads integers past 64 bits as floats: exactly
    decoded: list[Any] = items
    return decoded


class ThreadWriter:
    """Writes pages with the sync's own store in its worker thread (one thread: the store keeps
    a connection and its page cache per thread). ``sync/writer.ProcessWriter`` is the other
    kind: a process of its own, so that parsing and writing use both cores."""

    builds = False  # write_batch builds the records of new and changed sessions itself

    def __init__(self, store: SessionStore, worker: ThreadPoolExecutor) -> None:
        self.store = store
        self.worker = worker

    def submit(self, parsed: ParsedPage) -> asyncio.Future[UpsertResult]:
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.worker, self.store.write_batch, parsed.batch, parsed.page)


class Writer(Protocol):
    builds: bool

    def submit(self, parsed: ParsedPage) -> asyncio.Future[UpsertResult]: ...


class Flow:
    """The pages of a sync on their way to the store, in order, across its buckets: each
    ``store_pages`` call adds its own and the writer is never left waiting between two
    buckets (draining there left it idle ~25% of a 100k sync of 40 days). ``done`` yields what
    is still pending at the end; ``abandon`` lets it end on its own (each write is a
    transaction)."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self._pages: deque[tuple[int, PageKey, asyncio.Future[UpsertResult], bool]] = deque()

    def add(self, offset: int, parsed: ParsedPage) -> None:
        self._pages.append((offset, parsed.page, self.writer.submit(parsed), True))

    def add_unchanged(self, offset: int, page: PageKey) -> None:
        answered: asyncio.Future[UpsertResult] = asyncio.get_running_loop().create_future()
        answered.set_result(UpsertResult(unchanged=page[2]))
        self._pages.append((offset, page, answered, False))

    async def answered(self, keep: int = WRITE_AHEAD) -> AsyncIterator[PageResult]:
        """Results in order: those already in, then waiting while ``keep`` or more are out (so
        that the writer has the next page before it finishes this one, and no more)."""
        pages = self._pages
        while pages and (pages[0][2].done() or len(pages) >= keep):
            offset, page, result, parsed = pages.popleft()
            _, _, received, reached = page
            yield PageResult(offset, received, await result, reached, parsed)

    def awaited(self, keep: int = WRITE_AHEAD) -> asyncio.Future[UpsertResult] | None:
        """The answer ``answered(keep)`` would wait for now; None: it would not wait."""
        pages = self._pages
        heads = 0
        while heads < len(pages) and pages[heads][2].done():
            heads += 1
        return pages[heads][2] if len(pages) - heads >= keep else None

    def done(self) -> AsyncIterator[PageResult]:
        return self.answered(keep=1)

    def abandon(self) -> None:
        for pending in self._pages:  # stopped early: each write ends on its own
            pending[2].add_done_callback(_quietly)
        self._pages.clear()


async def store_pages(
    client: ApiTransport,
    store: SessionStore,
    filters: SessionFilter,
    key: str,
    page_size: int,
    worker: ThreadPoolExecutor,
    flow: Flow,
    first: asyncio.Future[bytes] | None = None,
) -> AsyncIterator[PageResult]:
    """Every page of ``filters`` into ``store``; ``key`` names this filter for fingerprints.
    ``worker``: the sync's thread for the store's reads and parsing. ``flow`` takes the parsed
    pages to the writer (the next page is parsed while the last one is written; results come in
    order, and those of the last pages only from ``flow.done()``). ``first``: the page at
    offset 0, already on its way (``fetch_page``: the caller asks for the next filter's first
    page meanwhile)."""
    where = "GET /Sessions"
    loop = asyncio.get_running_loop()

    async def fetch(offset: int) -> bytes:
        return await client.session_page(filters, limit=page_size, offset=offset)

    async def in_worker(fn: Any, *args: Any) -> Any:
        return await loop.run_in_executor(worker, fn, *args)

    async def parse(page_key: str, data: bytes, mark: int) -> ParsedPage:
        builds = flow.writer.builds
        parsed: ParsedPage = await in_worker(parse_page, page_key, data, mark, builds)
        return parsed

    offset = 0
    ahead: asyncio.Future[bytes] | None = first or asyncio.ensure_future(fetch(0))
    try:
        while ahead is not None:
            data = await ahead
            ahead = asyncio.ensure_future(fetch(offset + page_size))  # the next one meanwhile
            page_key = f"{key}|{offset}|{page_size}"
            mark = fingerprint(data)
            known = await in_worker(store.page_fingerprint, page_key)
            parsed: ParsedPage | None = None
            if known is not None and known[0] == mark:
                received = known[1]
                unchanged: PageKey = (page_key, mark, received, known[2])
            else:
                try:
                    parsed = await parse(page_key, data, mark)
                except ValueError:  # orjson.JSONDecodeError too: fetch it once more
                    damaged = BadResponse(f"{where}: the page at offset {offset} is damaged")
                    await client.wait_to_retry(damaged)
                    data = await fetch(offset)
                    try:
                        parsed = await parse(page_key, data, fingerprint(data))
                    except ValueError:
                        raise BadResponse(
                            f"{where}: the page at offset {offset} is not a JSON array of"
                            " sessions (fetched twice)"
                        ) from None
                received = parsed.page[2]
            del data
            if received < page_size:
                ahead.cancel()
                ahead = None
            awaited = flow.awaited()
            if parsed is not None and awaited is not None and flow.writer.builds:
                # the writing process is behind: analyse words for it meanwhile
                await in_worker(analyse_until, parsed.batch, _flag(awaited))
            # Pages before are written: say so, in order (up to WRITE_AHEAD stay with the
            # writer, so that it never waits for this process between two pages).
            async for result in flow.answered():
                yield result
            if parsed is None:
                flow.add_unchanged(offset, unchanged)
            else:  # (the records are the writer's now: only the page is kept)
                flow.add(offset, parsed)
                del parsed
            offset += received
    finally:
        if ahead is not None:
            ahead.cancel()


def _flag(future: asyncio.Future[Any]) -> threading.Event:
    """An event set once ``future`` is done (for a worker thread to watch)."""
    flag = threading.Event()
    future.add_done_callback(lambda _: flag.set())
    return flag


def _quietly(done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # retrieved: nobody waits for it any more
