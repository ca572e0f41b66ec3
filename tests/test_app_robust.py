"""The console keeps running on a damaged cache, an unwritable config directory, and tells how
it crashed when it does: one line, exit status 1, details in a private file."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import load_state, set_warning_sink
from mluvii_tui.query.types import SortKey
from mluvii_tui.store.recover import open_store
from mluvii_tui.widgets.session_table import SessionTable
from seeded import build_store
from test_cli_robust import _damaged_pages

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (140, 40)


def _toasts(app: MluviiApp) -> str:
    """The text of the toasts on screen, as rendered."""
    return " ".join(str(t.render()) for t in app.screen.query("Toast"))


async def _settle(pilot, app: MluviiApp) -> None:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("MLUVII_TUI_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


async def test_console_starts_on_a_damaged_cache_and_names_the_moved_file(dirs: Path) -> None:
    path = build_store(dirs / "cache" / "s.sqlite3", 300, 5, NOW)
    _damaged_pages(path)
    store, notice = open_store(path)
    assert notice is not None
    app = MluviiApp(store, None, profile="t-damaged", now=lambda: NOW)
    app.startup_notice = notice
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _settle(pilot, app)
        shown = re.sub(r"\s+", "", _toasts(app))
        assert "corrupt-" in shown
        assert app.screen.query_one(SessionTable).row_count == 0
    assert not app.return_code
    store.close()


async def test_unwritable_config_dir_warns_once_and_keeps_settings(
    dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = dirs / "not-a-dir"
    blocker.write_text("a file where the config directory should be")
    monkeypatch.setenv("MLUVII_TUI_CONFIG_DIR", str(blocker / "config"))
    path = build_store(dirs / "cache" / "s.sqlite3", 60, 5, NOW)
    store, _ = open_store(path)
    app = MluviiApp(store, None, profile="t-readonly", now=lambda: NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _settle(pilot, app)
        table = app.screen.query_one(SessionTable)
        await pilot.press("l", "o")  # sort by the second column: saving the sort fails
        await _settle(pilot, app)
        first = table.query.sort
        assert first.column != "created"
        await pilot.press("o")  # and again: no second warning
        await _settle(pilot, app)
        assert table.query.sort == SortKey(first.column, not first.descending)
        warnings = [n for n in app._notifications if "cannot be saved" in str(n.message)]
        assert len(warnings) == 1
        assert "cannotbesaved" in re.sub(r"\s+", "", _toasts(app))
        state, _ = load_state("t-readonly")  # kept in memory for this run
        assert state["sort"]["column"] == first.column
    assert not app.return_code
    set_warning_sink(None)
    store.close()


async def test_a_crash_exits_1_with_one_line_and_a_private_report(dirs: Path) -> None:
    path = build_store(dirs / "cache" / "s.sqlite3", 20, 5, NOW)
    store, _ = open_store(path)
    app = MluviiApp(store, None, profile="t-crash", now=lambda: NOW)

    def boom() -> None:
        raise ValueError("something nobody foresaw")

    with pytest.raises(ValueError):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.call_later(boom)
            await pilot.pause()
            await pilot.pause()
    assert app.return_code == 1
    assert app.fatal_error is not None and "\n" not in app.fatal_error
    assert "ValueError: something nobody foresaw" in app.fatal_error
    reports = list((dirs / "state").rglob("crash-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in app.fatal_error
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    assert "something nobody foresaw" in reports[0].read_text()
    store.close()
