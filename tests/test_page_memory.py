"""A page of sessions is freed as soon as the sync lets go of it, not at the next run of the
cycle collector (the sync runs it seldom: sync.quiet_gc)."""

from __future__ import annotations

import gc

import httpx

from mluvii_tui.api.transport import ApiTransport
from mluvii_tui.demo.runner import Simulator


async def test_a_fetched_page_is_freed_without_the_cycle_collector() -> None:
    with Simulator(sessions=30, seed=3) as sim:
        async with ApiTransport(sim.base_url, "demo-admin", "demo-admin-secret") as client:
            await client.session_page(None, limit=5, offset=0)  # the token, the connection
            gc.collect()
            gc.disable()
            try:
                data = await client.session_page(None, limit=20, offset=0)
                assert data.startswith(b"[")
                del data
                left = [o for o in gc.get_objects() if isinstance(o, httpx.Response)]
            finally:
                gc.enable()
    assert left == []  # nothing holds the response (and its bytes) until a collection
