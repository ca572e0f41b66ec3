"""Snapshots of the Sessions screen at 120x40: basic columns, a wide column set, the column chooser.
Fixed clock, seed, theme and time zone (tests/conftest.py and tests/snapshots/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.api.models import parse_session
from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import update_state
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore

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
    path: Path = tmp_path_factory.mktemp("sessions-snap") / "store.sqlite"
    s = SessionStore(path)
    s.upsert_sessions([parse_session(d) for d in generate_sessions(300, seed=5, now=NOW)])
    yield s
    s.close()


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
