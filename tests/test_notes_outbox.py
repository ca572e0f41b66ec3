"""The offline note queue against the real simulator over loopback and a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.models import parse_session
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.domain.notes_outbox import NoteOutbox
from mluvii_tui.domain.outbox_store import PendingNotes
from mluvii_tui.store.store import SessionStore

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
COUNT = 30


@pytest.fixture
def store(tmp_path: Path):
    s = SessionStore(tmp_path / "store.sqlite")
    s.upsert_sessions(parse_session(d) for d in generate_sessions(COUNT, 7, NOW))
    yield s
    s.close()


@pytest.fixture
def pending(tmp_path: Path):
    p = PendingNotes(tmp_path / "state" / "outbox.sqlite3")
    yield p
    p.close()


def _client(base_url: str) -> MluviiClient:
    return MluviiClient(
        base_url, "demo-operator", "demo-operator-secret", max_retries=1, backoff_base=0.01
    )


async def _server_notes(client: MluviiClient, sid: int, text: str) -> int:
    return sum(1 for n in await client.get_notes(sid) if n.note == text)


def _session_id() -> int:
    return generate_sessions(COUNT, 7, NOW)[-1]["id"]


async def test_note_sent_at_once(store: SessionStore, pending: PendingNotes) -> None:
    sid = _session_id()
    with Simulator(sessions=COUNT, seed=7, now=NOW) as sim:
        async with _client(sim.base_url) as client:
            outbox = NoteOutbox(store, client, pending=pending, author="Tester", now=lambda: NOW)
            _key, error = await outbox.add(sid, "Customer wants a callback")
            assert error is None
            assert outbox.pending() == []
            assert await _server_notes(client, sid, "Customer wants a callback") == 1
            assert await outbox.refresh(sid) is None
            texts = [e.text for e in outbox.notes(sid)]
            assert texts.count("Customer wants a callback") == 1


async def test_server_down_note_kept_then_delivered_once(
    store: SessionStore, pending: PendingNotes
) -> None:
    sid = _session_id()
    text = "Written while the server was down [b]x[/b]\nsecond line"
    sim = Simulator(sessions=COUNT, seed=7, now=NOW)
    sim.start()
    port = sim.port
    sim.stop()  # the server is down
    async with _client(f"http://127.0.0.1:{port}") as client:
        outbox = NoteOutbox(store, client, pending=pending, author="Tester", now=lambda: NOW)
        key, error = await outbox.add(sid, text)
        assert error is not None and "kept" in error
        pending = outbox.pending()
        assert [p.idempotency_key for p in pending] == [key]
        assert outbox.notes(sid)[0].pending
        result = await outbox.flush()  # still down: kept
        assert result.sent == 0 and result.pending == 1 and result.error
        with Simulator(sessions=COUNT, seed=7, now=NOW, port=port) as sim2:  # back
            assert sim2.port == port
            result = await outbox.flush()
            assert (result.sent, result.pending, result.error) == (1, 0, None)
            again = await outbox.flush()
            assert (again.sent, again.pending) == (0, 0)
            assert await _server_notes(client, sid, text) == 1
            stats = httpx.get(f"{sim2.base_url}/_sim/stats").json()["requests"]
            posts = sum(v for k, v in stats.items() if k.startswith("POST") and "notes" in k)
            assert posts == 1


async def test_answer_lost_is_not_a_duplicate(store: SessionStore, pending: PendingNotes) -> None:
    """The server stored the note but the answer never came: the retry uses the same key."""
    sid = _session_id()
    with Simulator(sessions=COUNT, seed=7, now=NOW) as sim:
        async with _client(sim.base_url) as client:
            offline = NoteOutbox(store, None, pending=pending, author="Tester", now=lambda: NOW)
            key, error = await offline.add(sid, "lost answer")
            assert error is not None
            await client.add_note(sid, "lost answer", key)  # reached the server, answer lost
            outbox = NoteOutbox(store, client, pending=pending, author="Tester", now=lambda: NOW)
            result = await outbox.flush()
            assert result.sent == 1 and result.pending == 0
            assert await _server_notes(client, sid, "lost answer") == 1


async def test_dropped_connection_fault(store: SessionStore, pending: PendingNotes) -> None:
    sid = _session_id()
    with Simulator(sessions=COUNT, seed=7, now=NOW) as sim:
        path = f"/api/v1/Sessions/{sid}/notes"
        fault = {"path": path, "method": "POST", "status": 0, "times": 5}
        httpx.post(f"{sim.base_url}/_sim/faults", json=fault).raise_for_status()
        async with _client(sim.base_url) as client:
            outbox = NoteOutbox(store, client, pending=pending, author="Tester", now=lambda: NOW)
            _, error = await outbox.add(sid, "through a bad network")
            assert error is not None
            httpx.post(f"{sim.base_url}/_sim/reset").raise_for_status()
            assert (await outbox.flush()).sent == 1
            assert await _server_notes(client, sid, "through a bad network") == 1


def _note_posts(base_url: str) -> int:
    stats = httpx.get(f"{base_url}/_sim/stats").json()["requests"]
    return sum(v for k, v in stats.items() if k.startswith("POST") and "notes" in k)


def _delete_cache(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def test_deleting_the_cache_loses_no_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queue a note while the server is down, delete the cache, restart: delivered once."""
    from mluvii_tui.config import paths as config

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    sid = _session_id()
    text = "typed while offline"
    cache = config.store_path("p5")
    outbox_file = config.outbox_path("p5")
    assert cache.parent != outbox_file.parent
    assert oct(outbox_file.parent.stat().st_mode & 0o777) == "0o700"
    sim = Simulator(sessions=COUNT, seed=7, now=NOW)
    sim.start()
    port = sim.port
    sim.stop()  # the server is down
    store = SessionStore(cache)
    pending = PendingNotes(outbox_file)
    async with _client(f"http://127.0.0.1:{port}") as client:
        outbox = NoteOutbox(store, client, pending=pending, now=lambda: NOW)
        _, error = await outbox.add(sid, text)
        assert error is not None and "kept" in error
    assert oct(outbox_file.stat().st_mode & 0o777) == "0o600"
    store.close()
    pending.close()
    _delete_cache(cache)  # the README allows it: it is a cache

    with Simulator(sessions=COUNT, seed=7, now=NOW, port=port) as sim2:  # restart, server up
        store = SessionStore(cache)
        pending = PendingNotes(outbox_file)
        async with _client(sim2.base_url) as client:
            outbox = NoteOutbox(store, client, pending=pending, now=lambda: NOW)
            assert [e.text for e in outbox.notes(sid) if e.pending] == [text]
            result = await outbox.flush()
            assert (result.sent, result.pending) == (1, 0)
            assert (await outbox.flush()).sent == 0
            assert await _server_notes(client, sid, text) == 1
        assert _note_posts(sim2.base_url) == 1
        store.close()
        pending.close()


async def test_pending_notes_of_an_old_cache_move_to_the_outbox_once(
    store: SessionStore, pending: PendingNotes
) -> None:
    sid = _session_id()
    key = store.add_pending_note(sid, "from an older version", author="Tester", now=NOW)
    NoteOutbox(store, None, pending=pending)  # adopts it
    NoteOutbox(store, None, pending=pending)  # a second time moves nothing
    assert [n.idempotency_key for n in pending.notes()] == [key]
    assert store.pending_notes() == []
    with Simulator(sessions=COUNT, seed=7, now=NOW) as sim:
        async with _client(sim.base_url) as client:
            outbox = NoteOutbox(store, client, pending=pending, now=lambda: NOW)
            assert (await outbox.flush()).sent == 1
            assert await _server_notes(client, sid, "from an older version") == 1
            assert [e.pending for e in outbox.notes(sid) if e.key == key] == [False]
        assert _note_posts(sim.base_url) == 1
