"""Snapshots of the Sessions screen at 120x40: basic columns, a wide column set, the column chooser,
the export dialog; and its states at 80x24 and 120x40: the empty store of a first open (nothing
synced yet) and a server that refuses the connection (header and toast say so; cached rows stay).
Fixed clock, seed, theme and time zone (tests/conftest.py and tests/snapshots/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import update_state
from mluvii_tui.store.store import SessionStore
from seeded import open_seeded

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (120, 40)
WIDE = [
    "id",
    "created",
    "guest_joined",
    "started",
    "ended",
    "waited",
    "length",
    "channel",
    "source",
    "status",
    "operators",
    "groups",
    "chatbot",
    "client_name",
    "client_email",
    "client_phone",
    "url",
    "tags",
    "rating",
    "end_reason",
    "guest_left",
    "messages_count",
    "param:customer_tier",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    yield from open_seeded(tmp_path_factory.mktemp("sessions-snap"), 300, 5, NOW)


def _app(store: SessionStore, profile: str) -> MluviiApp:
    return MluviiApp(store, None, profile=profile, now=lambda: NOW)


def test_sessions_screen(snap_compare, store: SessionStore) -> None:
    assert snap_compare(_app(store, "snap-basic"), terminal_size=SIZE, press=["j", "j", "l"])


def test_wide_column_set(snap_compare, store: SessionStore) -> None:
    update_state("snap-wide", columns=WIDE)
    keys = ["l"] * 12 + ["o", "j"]
    assert snap_compare(_app(store, "snap-wide"), terminal_size=SIZE, press=keys)


def test_column_chooser(snap_compare, store: SessionStore) -> None:
    keys = ["c", "down", "space", "down", "shift+up"]
    assert snap_compare(_app(store, "snap-chooser"), terminal_size=SIZE, press=keys)


def test_export_dialog(snap_compare, store: SessionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """e: the export dialog over the table, HTML chosen (the CSV options hide)."""
    monkeypatch.chdir("/")  # the default target is <cwd>/sessions-<date>-<time>.<ext>
    keys = ["e", "right", "space"]
    assert snap_compare(_app(store, "snap-export"), terminal_size=SIZE, press=keys)


STATE_SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
REFUSING = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused


async def _settled(pilot: Any) -> None:
    """The sync worker has ended and its outcome (header, toast) is on the screen."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", STATE_SIZES)
def test_empty_store(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """First open, nothing synced yet: headers, an empty table, the footer's keys."""
    empty = SessionStore(tmp_path / "empty.sqlite")
    try:
        app = _app(empty, f"snap-empty-{size[0]}")
        assert snap_compare(app, terminal_size=size, run_before=_settled)
    finally:
        empty.close()


@pytest.mark.parametrize("size", STATE_SIZES)
def test_server_refusing(snap_compare, store: SessionStore, size: tuple[int, int]) -> None:
    """The server refuses the connection: the header and a toast say so; cached rows stay."""
    client = MluviiClient(REFUSING, "demo-admin", "demo-admin-secret", max_retries=0)
    app = MluviiApp(store, client, profile=f"snap-refused-{size[0]}", now=lambda: NOW)
    assert snap_compare(app, terminal_size=size, run_before=_settled)
