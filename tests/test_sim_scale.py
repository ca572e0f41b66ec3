"""A simulator that answers at once at any size: sessions made in a background thread (a page
past what is made waits for it), the living tenant starting when all are made, and a data set
kept on disk for a fixed ``now`` and reused by the next run."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest

from mluvii_tui.api.filters import SessionFilter
from mluvii_tui.cli.main import main
from mluvii_tui.demo import runner
from mluvii_tui.demo.generator import iter_sessions
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.demo.source import SessionSource
from mluvii_tui.demo.spill import SpillCache
from sim_helpers import api_client

NOW = datetime(2025, 3, 20, 14, 0, tzinfo=UTC)
COUNT = 1200

FILTERS = [
    "",
    "Status=Closed",
    "Status=Blacklisted&Status=Active",
    "Ended.Min=2025-03-10T00:00:00Z&Ended.Max=2025-03-15T00:00:00Z",
    "Created.Min=2025-03-01T00:00:00Z&Created.Max=2025-03-12T00:00:00Z",
    "Created.Min=2025-03-19T00:00:00Z&Status=Closed",
    "Channel=Chat&Ended.Min=2025-03-01T00:00:00Z",
]


def _slowly(sessions: Iterator[dict], gate: threading.Event) -> Iterator[dict]:
    """The generator's sessions, the second half only once ``gate`` is set."""
    for i, s in enumerate(sessions):
        if i == COUNT // 2:
            gate.wait(30)
        yield s


def _pages(source: SessionSource, query: str, size: int) -> list[bytes]:
    f = SessionFilter.parse(query)
    pages, offset = [], 0
    while True:
        page = source.query_json(f, offset, size)
        pages.append(page)
        if page.count(b'"companyId"') < size:
            return pages
        offset += size


@pytest.fixture(scope="module")
def reference() -> SessionSource:
    return SessionSource(iter_sessions(COUNT, seed=5, now=NOW), seed=5, now=NOW)


@pytest.mark.parametrize("query", FILTERS)
def test_pages_made_in_the_background_are_the_pages_made_at_once(reference, query):
    gate = threading.Event()
    source = SessionSource(
        _slowly(iter_sessions(COUNT, seed=5, now=NOW), gate), seed=5, now=NOW, background=True
    )
    got: list[list[bytes]] = []
    reader = threading.Thread(target=lambda: got.append(_pages(source, query, 97)))
    reader.start()
    reader.join(0.3)
    assert not source.done  # half made: the reader waits for the rest (or already has a page)
    gate.set()
    reader.join(30)
    assert source.done and got
    assert got[0] == _pages(reference, query, 97)
    assert len(source) == len(reference) == COUNT


def test_a_page_reads_the_stored_sessions_around_a_changed_one_as_they_were() -> None:
    """A page is read from the spill file in runs; a changed (pinned) session in the middle of
    one is served as it is now, the others as stored, in order."""
    source = SessionSource(iter_sessions(300, seed=5, now=NOW), seed=5, now=NOW)
    everything = SessionFilter.parse("")
    before = orjson.loads(source.query_json(everything, 0, 300))
    middle = source.get(before[150]["id"])
    assert middle is not None
    middle["widget"] = "changed"
    source.changed(middle)
    after = orjson.loads(source.query_json(everything, 100, 120))
    assert [s["id"] for s in after] == [s["id"] for s in before[100:220]]
    assert after[50]["widget"] == "changed"
    assert after[:50] == before[100:150] and after[51:] == before[151:220]


def test_a_session_not_yet_made_is_waited_for(reference):
    gate = threading.Event()
    source = SessionSource(
        _slowly(iter_sessions(COUNT, seed=5, now=NOW), gate), seed=5, now=NOW, background=True
    )
    last = max(s["id"] for s in reference.all_sessions())
    threading.Timer(0.2, gate.set).start()
    assert source.get(last) == reference.get(last)
    assert source.get(last + 10_000) is None  # (known only once all are made)
    assert source.done


@pytest.fixture
def big(monkeypatch):
    """The runner's thresholds made small, so that a small simulator behaves as a big one."""
    monkeypatch.setattr(runner, "MADE_BEFORE_START", 0)
    monkeypatch.setattr(runner, "CACHED_FROM", 100)


@contextmanager
def _client(sim: Simulator) -> Iterator[httpx.Client]:
    client = api_client(sim.base_url)
    try:
        yield client
    finally:
        client.close()


def _everything(client: httpx.Client) -> list[bytes]:
    """Every page's bytes (download URLs name the server: its port is left out)."""
    pages, offset = [], 0
    while True:
        r = client.get("/api/v1/Sessions", params={"limit": 400, "offset": offset})
        assert r.status_code == 200
        pages.append(r.content.replace(str(client.base_url).rstrip("/").encode(), b"BASE"))
        if len(r.json()) < 400:
            return pages
        offset += 400


def _wait_adopted(sim: Simulator) -> None:
    tenant = sim.app.state.live.tenant
    for _ in range(200):
        if tenant.live:
            return
        time.sleep(0.02)
    raise AssertionError("the tenant never took over the live sessions")


def test_a_big_simulator_answers_before_all_are_made_and_keeps_its_data(big, tmp_path):
    count = 6000
    with Simulator(sessions=count, seed=9, now=NOW, cache=tmp_path) as sim, _client(sim) as api:
        source = sim.app.state.source
        r = api.get("/api/v1/Sessions", params={"limit": 5, "offset": count - 5})
        assert r.status_code == 200 and len(r.json()) == 5  # waited for the last page
        source.wait_done(60)
        first = _everything(api)
        _wait_adopted(sim)
        live = sorted(sim.app.state.live.tenant.live)
        assert live and all(source.get(sid)["status"] != "CLOSED" for sid in live)
    kept = sorted(p.suffix for p in tmp_path.iterdir())
    assert kept == [".idx", ".spill"]

    # The next run with the same arguments loads the kept set: all made at once, same bytes.
    with Simulator(sessions=count, seed=9, now=NOW, cache=tmp_path) as sim, _client(sim) as api:
        assert sim.app.state.source.done
        assert _everything(api) == first
        _wait_adopted(sim)
        assert sorted(sim.app.state.live.tenant.live) == live
        sid = live[0]
        assert api.get(f"/api/v1/Sessions/{sid}").json()["id"] == sid

    # A damaged index is made again rather than served.
    index = next(tmp_path.glob("*.idx"))
    index.write_bytes(index.read_bytes()[:100])
    with Simulator(sessions=count, seed=9, now=NOW, cache=tmp_path) as sim, _client(sim) as api:
        sim.app.state.source.wait_done(60)
        assert _everything(api) == first


def test_without_a_fixed_now_nothing_is_kept(big, tmp_path):
    with Simulator(sessions=300, seed=2, cache=tmp_path) as sim:
        assert sim.app.state.source.wait_done(30)
    assert not list(tmp_path.iterdir())


def test_the_cache_keeps_only_the_newest_sets(tmp_path):
    for seed in range(4):
        key = SpillCache.key_for(seed=seed, count=50, now=NOW.timestamp(), base="x")
        cache = SpillCache(tmp_path, key)
        SessionSource(iter_sessions(50, seed=seed, now=NOW), now=NOW, cache=cache)
        time.sleep(0.01)  # (distinct modification times)
    assert len(list(tmp_path.glob("*.idx"))) == 2
    assert len(list(tmp_path.glob("*.spill"))) == 2
    assert cache.load() is not None
    # What a killed run left half written goes too; a running one's file stays.
    gone = tmp_path / "a.spill.999999999.tmp"
    mine = tmp_path / f"b.spill.{os.getpid()}.tmp"
    gone.write_bytes(b"x")
    mine.write_bytes(b"x")
    SpillCache(tmp_path, "c").create().close()
    assert not gone.exists() and mine.exists()


def test_simulator_now_is_checked(capsys):
    assert main(["simulator", "--now", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an ISO 8601 time: 'yesterday'" in err


def test_kept_sets_go_to_the_user_cache(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(runner, "CACHED_FROM", 10)
    with Simulator(sessions=40, seed=2, now=NOW) as sim:
        assert sim.app.state.source.done
    assert len(list(tmp_path.rglob("*.idx"))) == 1
