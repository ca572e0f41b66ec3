"""Snapshots of the filter UI at 120x40: the time popup, the enum checklist and the filter bar.
Fixed clock, seed, theme and time zone (tests/conftest.py and tests/snapshots/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mluvii_tui.app import MluviiApp
from mluvii_tui.query.types import Filter
from mluvii_tui.store.store import SessionStore
from seeded import open_seeded

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (120, 40)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    yield from open_seeded(tmp_path_factory.mktemp("filter-snap"), 60, 21, NOW)


def _app(store: SessionStore, profile: str) -> MluviiApp:
    return MluviiApp(store, None, profile=profile, now=lambda: NOW)


def _popup(column_id: str, *keys: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.screen.action_filter_column(column_id)
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_time_popup(snap_compare, store: SessionStore) -> None:
    app = _app(store, "snap-time")
    assert snap_compare(app, terminal_size=SIZE, run_before=_popup("ended", "down", "down"))


def test_enum_popup(snap_compare, store: SessionStore) -> None:
    app = _app(store, "snap-enum")
    keys = ("space", "down", "down", "space", "down")
    assert snap_compare(app, terminal_size=SIZE, run_before=_popup("end_reason", *keys))


def test_filter_bar(snap_compare, store: SessionStore) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.set_column_filter("channel", Filter("channel", "in", values=("Chat", "AV")))
        screen.set_column_filter("ended", Filter("ended", "range", label="last 7 days"))
        screen.set_column_filter("waited", Filter("waited", "range", low="0:30", high="3:00"))
        screen.set_column_filter("client_name", Filter("client_name", "contains", ("[/b]",)))
        await pilot.press("F", "right")
        await pilot.pause()

    app = _app(store, "snap-bar")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
