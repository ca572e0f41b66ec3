"""Settings and saved views with a config directory that cannot be written: one warning, the
values live on in memory for this run, nothing raises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mluvii_tui.config.settings import load_state, set_warning_sink, update_state
from mluvii_tui.screens.saved_views import load_views, save_view, view_names


@pytest.fixture
def blocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The config directory lies under a regular file: every mkdir and write fails."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("MLUVII_TUI_CONFIG_DIR", str(blocker / "config"))
    told: list[str] = []
    set_warning_sink(told.append)
    yield told
    set_warning_sink(None)


def test_state_in_memory_and_one_warning(blocked: list[str]) -> None:
    state, warning = load_state("ro-a")  # reading an absent, unreachable file: no error
    assert state == {} and warning is None
    first = update_state("ro-a", sort={"column": "waited", "descending": True})
    assert first is not None and "cannot be saved" in first
    update_state("ro-a", columns=["id", "created"])
    assert load_state("ro-a")[0] == {
        "sort": {"column": "waited", "descending": True},
        "columns": ["id", "created"],
    }
    assert len(blocked) == 1 and "\n" not in blocked[0]


def test_saved_views_work_in_memory(blocked: list[str]) -> None:
    save_view("ro-views", {"name": "chats", "filters": []})
    save_view("ro-views", {"name": "calls", "filters": []})
    assert view_names("ro-views") == ["chats", "calls"]
    assert load_views("ro-views")[1] is None
    assert len(blocked) == 1


def test_a_read_only_directory_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory made read-only after the first save (skipped as root: modes do not bind)."""
    config = tmp_path / "config"
    monkeypatch.setenv("MLUVII_TUI_CONFIG_DIR", str(config))
    update_state("full", columns=["id"])  # works: written
    target = config / "profiles" / "full" / "state.json"
    assert json.loads(target.read_text()) == {"columns": ["id"]}
    target.parent.chmod(0o500)
    try:
        if target.parent.stat().st_mode & 0o200 == 0 and _can_write(target.parent):
            pytest.skip("running as root: directory modes do not stop writes")
        assert update_state("full", columns=["created"]) is not None
        assert load_state("full")[0] == {"columns": ["created"]}
    finally:
        target.parent.chmod(0o700)


def _can_write(directory: Path) -> bool:
    try:
        (directory / ".probe").write_text("x")
    except OSError:
        return False
    (directory / ".probe").unlink()
    return True
