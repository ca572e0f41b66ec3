"""Stores filled from the simulator's generator: built once per module, copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore


def build_store(path: Path, count: int, seed: int, now: datetime) -> Path:
    """Write ``count`` generated sessions into a new store file at ``path``."""
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(count, seed=seed, now=now))
    store.close()
    return path


def store_copy(seeded: Path, tmp_path: Path) -> Iterator[SessionStore]:
    """A test's own copy of a seeded store (tests may write to it)."""
    target = tmp_path / "store.db"
    shutil.copy(seeded, target)
    store = SessionStore(target)
    yield store
    store.close()
