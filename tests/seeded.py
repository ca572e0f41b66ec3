"""Stores filled from the simulator's generator: built once per module, copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from mluvii_tui.api.models import parse_session
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore


def build_store(path: Path, count: int, seed: int, now: datetime) -> Path:
    """Write ``count`` generated sessions into a new store file at ``path``."""
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(count, seed=seed, now=now))
    store.close()
    return path


def open_seeded(
    directory: Path, count: int, seed: int, now: datetime, *, store_now: bool = False
) -> Iterator[SessionStore]:
    """A module's store of ``count`` generated sessions, read as the sync reads them (a fixture
    yields from it); ``store_now``: the store's own clock stands at ``now`` too."""
    store = SessionStore(directory / "store.sqlite")
    if store_now:
        store.now = lambda: now
    store.upsert_sessions([parse_session(d) for d in generate_sessions(count, seed=seed, now=now)])
    yield store
    store.close()


def store_copy(seeded: Path, tmp_path: Path) -> Iterator[SessionStore]:
    """A test's own copy of a seeded store (tests may write to it)."""
    target = tmp_path / "store.db"
    shutil.copy(seeded, target)
    store = SessionStore(target)
    yield store
    store.close()
