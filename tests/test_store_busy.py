"""A store another process holds past the busy timeout (a sync building its indexes) is busy,
not damaged: a write says so (``StoreBusy``) and can be made again; nothing is reported as a
failed cache, no damage marker is left."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store import schema
from mluvii_tui.store.recover import MARKER_SUFFIX, is_busy
from mluvii_tui.store.store import SessionStore, StoreBusy

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_store_held_by_another_process_is_busy_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "s.sqlite3"
    store = SessionStore(path)
    told: list[str] = []
    store.on_damage = told.append
    sessions = generate_sessions(12, seed=5, now=NOW)
    store.upsert_sessions(sessions[:10])
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as a sync's index build holds it
    try:
        with pytest.raises(StoreBusy):
            store.upsert_sessions(sessions[10:])
        with pytest.raises(sqlite3.OperationalError) as raw, store._writing() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES ('k', 'v')")
        assert is_busy(raw.value)
        assert "busy" in store.report_damage(raw.value)
        assert store.total() == 10  # reads go on meanwhile
    finally:
        other.execute("COMMIT")
        other.close()
    assert store.damage is None and told == []
    assert not Path(str(path) + MARKER_SUFFIX).exists()
    assert store.upsert_sessions(sessions[10:]).inserted == 2  # once it lets go
    store.close()
