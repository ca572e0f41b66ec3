"""Fault matrix: for each kind of fault the simulator can inject (/_sim/faults), a history sync
ends with a store identical, table by table and row by row, to a fault-free sync, and the
progress line (what the console's status line and the CLI show) said what happened while it
recovered."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.store.store import SessionStore
from mluvii_tui.sync.history import SyncProgress, sync_history

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SESSIONS = "/api/v1/Sessions"
TOKEN = "/login/connect/token"
PAGE = 40
TIMEOUT = 0.6  # the client's timeout here; the "timeout" fault answers later than this

#: kind -> (faults to inject, what the progress line says while it recovers; None: nothing,
#: the fault is absorbed without a wait, e.g. a fresh token after a 401)
MATRIX: dict[str, tuple[list[dict[str, Any]], str | None]] = {
    "latency": ([{"path": SESSIONS, "status": 200, "delay": 0.2, "times": 3}], None),
    "timeout": (
        [{"path": SESSIONS, "status": 200, "delay": TIMEOUT + 0.6, "times": 1}],
        "connection problem (no answer in time (timed out)), next try at ",
    ),
    "dropped connection": (
        [{"path": SESSIONS, "status": 0, "times": 2}],
        "connection problem (the server closed the connection), next try at ",
    ),
    "401 once": ([{"path": SESSIONS, "status": 401, "times": 1}], None),
    "429 with Retry-After": (
        [{"path": SESSIONS, "status": 429, "retryAfter": 1, "times": 1}],
        "rate limited by the server, next try at ",
    ),
    "500": (
        [{"path": SESSIONS, "status": 500, "times": 2}],
        "the server answered HTTP 500, next try at ",
    ),
    "502": (
        [{"path": SESSIONS, "status": 502, "times": 1}],
        "the server answered HTTP 502, next try at ",
    ),
    "503": (
        [{"path": SESSIONS, "status": 503, "retryAfter": 0, "times": 2}],
        "the server answered HTTP 503, next try at ",
    ),
    "truncated body": (
        [{"path": SESSIONS, "status": 200, "truncate": 3000, "times": 2}],
        "connection problem (the server closed the connection), next try at ",
    ),
    "malformed JSON": (
        [{"path": SESSIONS, "status": 200, "body": '[{"id": 1, "chan', "times": 1}],
        "the server's answer was damaged, next try at ",
    ),
    "token endpoint failure": (
        [{"path": TOKEN, "method": "POST", "status": 503, "times": 2}],
        "the server answered HTTP 503, next try at ",
    ),
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(sessions=240, seed=9, now=NOW) as s:
        yield s


def _client(base_url: str) -> MluviiClient:
    return MluviiClient(
        base_url,
        "demo-admin",
        "demo-admin-secret",
        timeout=TIMEOUT,
        backoff_base=0.05,
        backoff_max=0.2,
    )


async def _sync(base_url: str, path: Path) -> tuple[dict[str, list[tuple]], list[str]]:
    store = SessionStore(path)
    seen: list[SyncProgress] = []
    async with _client(base_url) as client:
        await sync_history(client, store, days=30, now=NOW, page_size=PAGE, progress=seen.append)
    store.close()
    return _tables(path), [p.text for p in seen]


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of the store, every row (sorted), FTS shadow tables included (the virtual
    tables themselves are not read: the contentless search index cannot be scanned)."""
    conn = sqlite3.connect(path)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    ]
    tables = {n: sorted(conn.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}
    conn.close()
    return tables


@pytest.fixture(scope="module")
def clean(sim: Simulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    import asyncio

    httpx.post(sim.base_url + "/_sim/reset").raise_for_status()
    tables, _ = asyncio.run(_sync(sim.base_url, tmp_path_factory.mktemp("clean") / "s.sqlite3"))
    assert len(tables["sessions"]) > 3 * PAGE  # several pages, so faults hit mid-sync
    return tables


@pytest.mark.parametrize("kind", list(MATRIX))
async def test_sync_recovers_to_the_same_store(
    kind: str, sim: Simulator, clean: dict[str, list[tuple]], tmp_path: Path
) -> None:
    faults, says = MATRIX[kind]
    httpx.post(sim.base_url + "/_sim/reset").raise_for_status()
    for fault in faults:
        body = {"method": "GET", **fault}
        httpx.post(sim.base_url + "/_sim/faults", json=body).raise_for_status()
    tables, lines = await _sync(sim.base_url, tmp_path / "s.sqlite3")
    left = httpx.get(sim.base_url + "/_sim/faults").json()
    assert left == [], f"{kind}: not every fault was met"
    assert tables.keys() == clean.keys()
    for name in clean:
        assert tables[name] == clean[name], f"{kind}: table {name} differs"
    assert lines[-1].startswith("synced: ")
    waits = [line for line in lines if "next try at" in line]
    if says is None:
        assert waits == [], waits
    else:
        assert waits and all(says in line for line in waits), (kind, lines)
        at = waits[0].rsplit("next try at ", 1)[1]
        assert len(at) == 8 and at[2] == ":" and at[5] == ":"  # hh:mm:ss
        assert "next try" not in lines[-1]  # and it said so only while waiting
