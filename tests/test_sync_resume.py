"""The history sync under bad conditions: killed mid-way (kill -9), pages that do not parse, a
full disk; the narrow re-sync; ``mluvii-tui sync`` itself. Real simulator, real store files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import zstandard

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.errors import BadResponse
from mluvii_tui.config.paths import store_path
from mluvii_tui.config.profiles import profile_from_url
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.store.store import SessionStore, StoreFullError
from mluvii_tui.sync.history import sync_history

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("MLUVII_TUI_CLIENT_ID", "demo-admin")
    monkeypatch.setenv("MLUVII_TUI_CLIENT_SECRET", "demo-admin-secret")
    return dict(os.environ)


def _cli(url: str, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "mluvii_tui", "--base-url", url, "sync", "--days", "40"]
    return subprocess.Popen(
        [*cmd, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _count(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _child_of(pid: int) -> int:
    """The sync process the CLI started (its only child)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if kids:
            return int(kids[0])
        time.sleep(0.02)
    raise AssertionError("the CLI started no sync process")


def test_kill_9_mid_sync_resumes_without_duplicates_or_holes(env: dict[str, str]) -> None:
    with Simulator(sessions=2500, seed=31) as sim:
        path = store_path(profile_from_url(sim.base_url))
        proc = _cli(sim.base_url, env, "--page-size", "20", "-q")
        deadline = time.monotonic() + 120
        while _count(path) < 300 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the sync ended before it could be killed"
        os.kill(_child_of(proc.pid), signal.SIGKILL)  # the sync process: the one that writes
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1 and "Traceback" not in err
        assert err.strip().splitlines() == [
            "mluvii-tui sync: sync failed: the sync process stopped unexpectedly (exit -9)"
        ]
        stopped_at = _count(path)
        assert 300 <= stopped_at < 2500
        again = _cli(sim.base_url, env, "--page-size", "20", "-q")
        _, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        assert "unchanged" in err  # the pages stored before the kill were recognised
        conn = sqlite3.connect(path)
        ids = [r[0] for r in conn.execute("SELECT id FROM sessions ORDER BY id")]
        want = sorted(s["id"] for s in sim.app.state.source.all_sessions())
        assert ids == want  # every session once: no duplicates, no holes
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "ix_sessions_created" in names  # indexes dropped for the bulk load are back
        assert {"quick_bi", "quick_ai", "quick_au", "quick_ad"} <= names  # it follows again
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, quick_sid, instance)")
        quick = [r[0] for r in conn.execute("SELECT DISTINCT doc FROM temp.v")]
        # written page by page by the killed sync, finished when the store was opened again,
        # the rest by the triggers: every session once; each operators list once, none stale
        assert sorted(quick) == want
        values = [r[0] for r in conn.execute("SELECT v FROM quick_operators_values ORDER BY v")]
        lists = "SELECT DISTINCT operators FROM sessions WHERE operators IS NOT NULL ORDER BY 1"
        assert values == [r[0] for r in conn.execute(lists)]
        merging = "SELECT v FROM fts_config WHERE k = 'automerge'"  # SQLite's default again
        assert conn.execute(merging).fetchone() == (4,)
        blobs = [r[0] for r in conn.execute("SELECT raw FROM sessions")]
        conn.close()
    # one compression dictionary, trained across the kill, for every kept JSON
    dict_ids = {zstandard.get_frame_parameters(b).dict_id for b in blobs}
    assert len(dict_ids) == 1 and 0 not in dict_ids
    with SessionStore(path) as store:  # and the kept JSON reads back
        assert store.get_session(want[len(want) // 2]) is not None


async def test_a_page_that_does_not_parse_is_fetched_again_then_reported(tmp_path: Path) -> None:
    fault = {
        "path": "/api/v1/Sessions",
        "method": "GET",
        "status": 200,
        "body": '[{"id": 1, "broken',
        "content_type": "application/json",
    }
    with Simulator(sessions=300, seed=5, now=NOW) as sim:
        store = SessionStore(tmp_path / "s.sqlite3")
        async with MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret") as client:
            httpx.post(f"{sim.base_url}/_sim/faults", json={**fault, "times": 1})
            res = await sync_history(client, store, days=40, now=NOW, page_size=100)
            assert res.sessions == store.total() == 300  # once: fetched again, fine
            httpx.post(f"{sim.base_url}/_sim/faults", json={**fault, "times": 50})
            with pytest.raises(BadResponse, match="offset 0") as info:
                await sync_history(client, store, days=40, now=NOW, page_size=100, full=True)
            assert "\n" not in info.value.message
        httpx.post(f"{sim.base_url}/_sim/reset")
        assert store.total() == 300
        store.close()


def test_a_full_disk_stops_with_one_line_and_the_store_stays_usable(tmp_path: Path) -> None:
    data = generate_sessions(1200, seed=9, now=NOW)
    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(data[:100])
    conn = store._conn()  # this thread's connection: the one upsert_sessions writes with
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 20}")  # the disk is nearly full
    with pytest.raises(StoreFullError) as info:
        store.upsert_sessions(data[100:])
    assert "full" in str(info.value) and "\n" not in str(info.value)
    assert store.total() == 100  # the batch rolled back, what was there is intact
    assert store.get_session(data[50]["id"]) is not None
    conn.execute("PRAGMA max_page_count = 1073741823")  # space again: the sync continues
    assert store.upsert_sessions(data[100:]).inserted == 1100
    assert store.total() == 1200
    store.close()


def test_a_write_the_disk_refuses_stops_the_sync_processes_with_one_line(
    env: dict[str, str],
) -> None:
    """Through the processes (CLI -> sync -> writer): a file size limit makes the writer's
    writes fail mid-sync; the CLI says so in one line and exits 1; the next sync completes."""
    import resource

    def small_files() -> None:  # inherited by the sync and writing processes
        # an empty store is ~0.9 MB (six small quick-index tables of 3 pages each); a first
        # sync's writer indexes each page for the quick filter too (schema v7)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2_600_000, 2_600_000))

    with Simulator(sessions=3000, seed=3) as sim:
        path = store_path(profile_from_url(sim.base_url))
        # Made before, its schema in the file: a new store's WAL holds it (~2 MB of 16 KB
        # pages) until a checkpoint, and each day of the window without sessions adds a page
        # (when the clock put 11 of them first, nothing fitted under the limit any more).
        SessionStore(path).close()
        cmd = [sys.executable, "-m", "mluvii_tui", "--base-url", sim.base_url, "sync", "-q"]
        cmd += ["--days", "40"]
        full = subprocess.run(
            cmd, env=env, capture_output=True, text=True, preexec_fn=small_files, check=False
        )
        assert full.returncode == 1 and "Traceback" not in full.stderr
        (line,) = full.stderr.strip().splitlines()
        assert line.startswith("mluvii-tui sync: ") and "disk" in line
        assert 0 < _count(path) < 3000  # stopped mid-way, what was committed is kept
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        assert again.returncode == 0, again.stderr
        assert _count(path) == 3000


async def test_narrow_resync_asks_only_for_what_changed(tmp_path: Path) -> None:
    with Simulator(sessions=600, seed=13, now=NOW) as sim:
        store = SessionStore(tmp_path / "s.sqlite3")
        async with MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret") as client:
            first = await sync_history(client, store, days=40, now=NOW, page_size=100)
            assert first.inserted == store.total() == 600
            before = httpx.get(f"{sim.base_url}/_sim/stats").json()
            created = httpx.post(f"{sim.base_url}/_sim/sessions", json={"text": "Dobrý den"})
            created.raise_for_status()
            new_id = created.json()["id"]
            again = await sync_history(client, store, days=40, now=NOW, page_size=100)
            after = httpx.get(f"{sim.base_url}/_sim/stats").json()
        assert again.inserted == 1 and store.rows([new_id])
        assert again.sessions < 100  # not the whole window again
        assert _requests(after) - _requests(before) <= 6
        store.close()


def _requests(stats: Any) -> int:
    counts = stats.get("requests", stats) if isinstance(stats, dict) else {}
    return sum(v for v in counts.values() if isinstance(v, int))


def test_cli_sync_reports_and_rejects_bad_usage(env: dict[str, str]) -> None:
    with Simulator(sessions=400, seed=17) as sim:
        proc = _cli(sim.base_url, env, "-q")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "400 sessions" in err and "sessions/s" in err
        bad = _cli(sim.base_url, env, "--days", "0")
        _, err = bad.communicate(timeout=60)
        assert bad.returncode == 2 and "--days" in err and "Traceback" not in err
