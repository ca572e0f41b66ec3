"""History and live sync against the simulator over real loopback sockets into a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mluvii_tui.api.enums import LIVE_STATUSES
from mluvii_tui.api.filters import SessionFilter
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.store import SessionStore
from mluvii_tui.sync.history import META_LAST_SYNC, SyncProgress, sync_history, sync_live

runner = pytest.importorskip("mluvii_tui.demo.runner")
client_mod = pytest.importorskip("mluvii_tui.api.client")

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
COUNT = 300


@pytest.fixture(scope="module")
def sim() -> Any:
    with runner.Simulator(sessions=COUNT, seed=11, now=NOW) as s:
        yield s


def _client(sim: Any) -> Any:
    return client_mod.MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret")


def _expected(days: int) -> list[dict[str, Any]]:
    from mluvii_tui.demo.generator import generate_sessions

    since = NOW - timedelta(days=days)
    return [
        d
        for d in generate_sessions(COUNT, 11, NOW)
        if d.get("created") and datetime.fromisoformat(d["created"]) >= since
    ]


async def test_sync_history_is_complete_and_idempotent(sim: Any, tmp_path: Any) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    seen: list[SyncProgress] = []
    async with _client(sim) as client:
        first = await sync_history(
            client, store, days=10, now=NOW, progress=seen.append, page_size=40
        )
        want = _expected(10)
        assert 0 < len(want) < COUNT
        assert first.inserted == first.sessions == len(want) == store.total()
        assert first.done and seen[-1].done
        paged = [p.pages for p in seen[:-1] if not p.waiting]  # one per page, then a phase:
        assert paged == list(range(1, len(paged) + 1))
        assert seen[-2].waiting == "building the indexes…" and not seen[-1].waiting
        assert store.get_meta(META_LAST_SYNC) == NOW.isoformat()
        for d in want[:: max(1, len(want) // 10)]:
            assert store.get_session(d["id"]) == await client.get_session(d["id"])

        again = await sync_history(client, store, days=10, now=NOW, page_size=40, full=True)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(want))

        target = want[0]["id"]
        await client.put_call_params(target, {"order_number": "SYNC-TEST-1"})
        third = await sync_history(client, store, days=10, now=NOW, page_size=40, full=True)
        assert (third.inserted, third.updated) == (0, 1)
        assert store.rows([target])[0].params["order_number"] == "SYNC-TEST-1"
    store.close()


async def test_sync_with_filters_and_live(sim: Any, tmp_path: Any) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    async with _client(sim) as client:
        res = await sync_history(
            client, store, days=30, now=NOW, filters=SessionFilter(channel=("Chat",))
        )
        assert res.sessions > 0
        rows = store.window(SessionQuery(view="all"), 0, COUNT)
        assert rows and all(r.channel == "Chat" for r in rows)

        live_store = SessionStore(tmp_path / "live.sqlite3")
        live = await sync_live(client, live_store, now=NOW)
        want = [
            d for d in _expected(3650) if d.get("status") in LIVE_STATUSES and not d.get("ended")
        ]
        assert live.sessions == len(want) == live_store.count(SessionQuery(view="live"))
        live_store.close()
    store.close()


async def test_the_writer_gets_the_next_days_pages_before_the_last_ones_are_written(
    sim: Any, tmp_path: Any
) -> None:
    """The pages of a sync go to the writer in one flow across its day buckets: a new day's
    first page is handed over while the day before is still being written (the writer was
    left idle at each day's end when every day drained first), and the results still come
    in order and add up."""
    import asyncio

    from mluvii_tui.sync.pages import ParsedPage, ThreadWriter

    store = SessionStore(tmp_path / "s.sqlite3")
    handed: list[tuple[str, set[str]]] = []  # (the page's day, the days still being written)

    class SlowWriter:
        """The store's own writer, each page answered 30 ms after the one before."""

        builds = False

        def __init__(self, inner: ThreadWriter) -> None:
            self.inner = inner
            self.pending: dict[int, str] = {}
            self.last: asyncio.Future[Any] | None = None

        def submit(self, parsed: ParsedPage) -> asyncio.Future[Any]:
            day = parsed.page[0].split("|")[1]  # "<filter>|<day>|<offset>|<size>"
            handed.append((day, set(self.pending.values())))
            written = self.inner.submit(parsed)
            before = self.last

            async def slowly() -> Any:
                if before is not None:
                    await asyncio.wait([before])
                result = await written
                await asyncio.sleep(0.03)
                return result

            future = asyncio.ensure_future(slowly())
            self.pending[id(future)] = day
            future.add_done_callback(lambda f: self.pending.pop(id(f), None))
            self.last = future
            return future

    from concurrent.futures import ThreadPoolExecutor

    worker = ThreadPoolExecutor(max_workers=1)
    seen: list[SyncProgress] = []
    async with _client(sim) as client:
        result = await sync_history(
            client,
            store,
            days=10,
            now=NOW,
            page_size=10,
            progress=seen.append,
            writer=SlowWriter(ThreadWriter(store, worker)),
        )
    worker.shutdown()
    want = _expected(10)
    assert result.inserted == result.sessions == len(want) == store.total()
    days = [day for day, _ in handed]
    assert len(set(days)) > 3
    assert any(day not in still and still for day, still in handed)  # another day in writing
    paged = [p.pages for p in seen if not p.waiting and not p.done]
    assert paged == list(range(1, len(paged) + 1)) and paged[-1] == len(handed)
    store.close()
