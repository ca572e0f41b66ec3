"""One bad record never fails its page: it is skipped and counted, with the reason, in the sync
result, the progress text and the console's status line."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.store.store import SessionStore
from mluvii_tui.sync.history import SyncProgress, sync_history

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
HUGE = 10**30


def _data(tmp_path: Path) -> tuple[Path, list[dict]]:
    sessions = generate_sessions(60, seed=4, now=NOW)
    huge = copy.deepcopy(sessions[30])
    huge["id"] = HUGE
    sessions.insert(31, huge)  # in the middle of a page
    path = tmp_path / "data.json"
    path.write_text(json.dumps(sessions), encoding="utf-8")
    return path, sessions


async def test_a_session_sqlite_cannot_hold_is_skipped_not_its_page(tmp_path: Path) -> None:
    path, sessions = _data(tmp_path)
    good = [s for s in sessions if s["id"] != HUGE]
    store = SessionStore(tmp_path / "s.sqlite3")
    seen: list[SyncProgress] = []
    with Simulator(data_file=path, now=NOW) as sim:
        async with MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret") as client:
            result = await sync_history(
                client, store, days=36_500, now=NOW, page_size=25, progress=seen.append
            )
    assert store.total() == len(good)  # every valid session of that page is stored
    assert result.skipped == 1 and result.inserted == len(good)
    assert result.skipped_text.startswith("1 session skipped: session 1000000000")
    assert "too large" in result.skipped_text
    assert "1 session skipped" in seen[-1].text
    again = await _resync(path, store)
    assert again.inserted == 0 and again.skipped == 1 and store.total() == len(good)
    store.close()


async def _resync(path: Path, store: SessionStore):  # type: ignore[no-untyped-def]
    with Simulator(data_file=path, now=NOW) as sim:
        async with MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret") as client:
            return await sync_history(client, store, days=36_500, now=NOW, page_size=25)


def test_store_skips_unbindable_records_and_keeps_the_batch(tmp_path: Path) -> None:
    sessions = generate_sessions(20, seed=4, now=NOW)
    odd = copy.deepcopy(sessions[5])
    odd["id"] = 77
    odd["guest"] = {**(odd.get("guest") or {}), "callParams": {"big": 10**40, "ok": "x"}}
    lone = copy.deepcopy(sessions[6])
    lone["id"] = 78
    lone["guest"] = {**(lone.get("guest") or {}), "callParams": {"name": "a\ud800b"}}
    store = SessionStore(tmp_path / "s.sqlite3")
    result = store.upsert_sessions([*sessions, odd, lone, 42, {"id": "x"}])
    assert result.inserted + result.skipped == 24
    assert result.skipped >= 2  # 42 and {"id": "x"} are no sessions
    assert store.total() == result.inserted
    assert all(store.get_session(s["id"]) is not None for s in sessions)
    store.close()


async def test_the_console_says_how_many_were_skipped(tmp_path: Path) -> None:
    path, _ = _data(tmp_path)
    store = SessionStore(tmp_path / "s.sqlite3")
    with Simulator(data_file=path, now=NOW) as sim:
        client = MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret")
        app = MluviiApp(store, client, profile="t-skip", now=lambda: NOW, sync_days=36_500)
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause()
            status = str(app.screen.query_one("#status-line").render())
            assert "1 session skipped" in status
            assert any("1 session skipped" in str(n.message) for n in app._notifications)
    store.close()


async def test_retry_after_is_shown_with_its_time_and_r_retries_now(tmp_path: Path) -> None:
    import httpx

    store = SessionStore(tmp_path / "s.sqlite3")
    with Simulator(sessions=80, seed=4, now=NOW) as sim:
        fault = {"path": "/api/v1/Sessions", "method": "GET", "status": 429, "retryAfter": 45}
        httpx.post(sim.base_url + "/_sim/faults", json=fault).raise_for_status()
        client = MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret")
        app = MluviiApp(store, client, profile="t-429", now=lambda: NOW, sync_days=30)
        async with app.run_test(size=(160, 40)) as pilot:
            status = ""
            for _ in range(200):  # until the sync waits (no timing: a bounded number of turns)
                await pilot.pause(0.02)
                status = str(app.screen.query_one("#status-line").render())
                if "rate limited" in status:
                    break
            assert "rate limited by the server, next try at " in status
            assert "syncing…" not in status
            await pilot.press("r")  # retry now: cancels the wait
            await app.workers.wait_for_complete()
            await pilot.pause()
            status = str(app.screen.query_one("#status-line").render())
            assert "synced 12:00" in status and "rate limited" not in status
            assert store.total() > 0
    store.close()
