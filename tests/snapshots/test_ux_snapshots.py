"""Snapshots of the console as people meet it: 80x24 and 200x60, a light theme, the ansi theme,
NO_COLOR, the ? help and the stats view. Fixed clock, seed, theme and time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mluvii_tui.app import MluviiApp
from mluvii_tui.store.store import SessionStore
from seeded import open_seeded

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    yield from open_seeded(tmp_path_factory.mktemp("ux-snap"), 300, 5, NOW, store_now=True)


def _app(store: SessionStore, profile: str, theme: str = "") -> MluviiApp:
    return MluviiApp(store, None, profile=profile, now=lambda: NOW, theme=theme)


def test_80x24(snap_compare, store: SessionStore) -> None:
    """The footer fits: the table's keys, ? Help and q Quit."""
    assert snap_compare(_app(store, "ux-80"), terminal_size=(80, 24))


def test_80x24_transcript_keys(snap_compare, store: SessionStore) -> None:
    """1 opens the transcript full-screen at 80 columns; its keys are in the footer at once."""
    assert snap_compare(_app(store, "ux-80t"), terminal_size=(80, 24), press=["j", "1"])


def test_200x60_names_fit(snap_compare, store: SessionStore) -> None:
    """Wide terminal: the pane beside the table, names whole."""
    assert snap_compare(_app(store, "ux-200"), terminal_size=(200, 60), press=["enter"])


def test_light_theme(snap_compare, store: SessionStore) -> None:
    assert snap_compare(_app(store, "ux-light", "light"), terminal_size=(120, 30), press=["2"])


def test_ansi_theme(snap_compare, store: SessionStore) -> None:
    assert snap_compare(_app(store, "ux-ansi", "ansi"), terminal_size=(100, 30))


def test_no_color(snap_compare, store: SessionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _app(store, "ux-nocolor")
    assert app.no_color
    assert snap_compare(app, terminal_size=(100, 30), press=["enter"])


def test_help_overlay(snap_compare, store: SessionStore) -> None:
    assert snap_compare(_app(store, "ux-help"), terminal_size=(100, 40), press=["question_mark"])


def test_stats_view(snap_compare, store: SessionStore) -> None:
    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("S")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(_app(store, "ux-stats"), terminal_size=(120, 40), run_before=settle)
