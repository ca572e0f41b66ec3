"""Pages of ``GET /Sessions`` into the store: fetched one ahead, fingerprinted before any parsing.

A page whose bytes hash like the same page last time (same filter, same day bucket, same offset
and size) was stored then: it is counted as unchanged and not decoded. Otherwise it is decoded
with orjson, prepared (kept JSON + hash per session) and written in one transaction together with
its fingerprint, in one worker thread so the next page downloads meanwhile. A page that is not a
JSON array is fetched once more and then reported with its offset.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from mluvii_tui.api.errors import BadResponse
from mluvii_tui.api.filters import SessionFilter
from mluvii_tui.store.ingest import prepare_batch
from mluvii_tui.store.store import SessionStore, UpsertResult

if TYPE_CHECKING:  # pragma: no cover
    from mluvii_tui.api.client import MluviiClient


@dataclass
class PageResult:
    offset: int
    received: int  # items in the page
    result: UpsertResult
    reached: float | None  # created (epoch) of the page's last session
    parsed: bool


def fetch_page(
    client: MluviiClient, filters: SessionFilter, page_size: int, offset: int = 0
) -> asyncio.Future[bytes]:
    """The page of ``filters`` at ``offset``, requested now (a task)."""
    return asyncio.ensure_future(client.session_page(filters, limit=page_size, offset=offset))


def fingerprint(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def _created(item: Any) -> float | None:
    value = item.get("created") if isinstance(item, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def _store_page(store: SessionStore, key: str, data: bytes, mark: int, offset: int) -> PageResult:
    """Decode and write one page (runs in a worker thread). ValueError: not a JSON array."""
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError:  # what orjson refuses (lone surrogates...): json decides
        items = json.loads(data)
    if not isinstance(items, list):
        raise ValueError("not an array")
    if any(isinstance(i, dict) and i.get("id").__class__ is float for i in items):
        items = json.loads(data)  # orjson reads integers past 64 bits as floats: exactly
    reached = _created(items[-1]) if items else None
    batch = prepare_batch(items)
    result = store.write_batch(batch, page=(key, mark, len(items), reached))
    return PageResult(offset, len(items), result, reached, True)


async def store_pages(
    client: MluviiClient,
    store: SessionStore,
    filters: SessionFilter,
    key: str,
    page_size: int,
    worker: ThreadPoolExecutor,
    first: asyncio.Future[bytes] | None = None,
) -> AsyncIterator[PageResult]:
    """Every page of ``filters`` into ``store``; ``key`` names this filter for fingerprints.
    ``worker``: one thread for all the store's work of a sync (the store keeps a connection
    and its page cache per thread: one thread keeps memory flat). ``first``: the page at
    offset 0, already on its way (``fetch_page``: the caller asks for the next filter's first
    page while this one's are stored)."""
    where = "GET /Sessions"
    loop = asyncio.get_running_loop()

    async def fetch(offset: int) -> bytes:
        return await client.session_page(filters, limit=page_size, offset=offset)

    async def in_worker(fn: Any, *args: Any) -> Any:
        return await loop.run_in_executor(worker, fn, *args)

    offset = 0
    ahead: asyncio.Future[bytes] | None = first or asyncio.ensure_future(fetch(0))
    try:
        while ahead is not None:
            data = await ahead
            ahead = asyncio.ensure_future(fetch(offset + page_size))  # the next one meanwhile
            page_key = f"{key}|{offset}|{page_size}"
            mark = fingerprint(data)
            known = await in_worker(store.page_fingerprint, page_key)
            if known is not None and known[0] == mark:
                received, reached = known[1], known[2]
                page = PageResult(
                    offset, received, UpsertResult(unchanged=received), reached, False
                )
            else:
                try:
                    page = await in_worker(_store_page, store, page_key, data, mark, offset)
                except ValueError:  # orjson.JSONDecodeError too: fetch it once more
                    damaged = BadResponse(f"{where}: the page at offset {offset} is damaged")
                    await client.wait_to_retry(damaged)
                    data = await fetch(offset)
                    try:
                        page = await in_worker(
                            _store_page, store, page_key, data, fingerprint(data), offset
                        )
                    except ValueError:
                        raise BadResponse(
                            f"{where}: the page at offset {offset} is not a JSON array of"
                            " sessions (fetched twice)"
                        ) from None
            if page.received < page_size:
                ahead.cancel()
                ahead = None
            yield page
            offset += page.received
    finally:
        if ahead is not None:
            ahead.cancel()
