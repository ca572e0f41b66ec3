"""The export dialog: runs the export in a thread worker, shows progress and the summary,
asks before overwriting, says when there is nothing to export."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Button, Input, Label, ProgressBar

from export_helpers import session_model
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.screens.export_dialog import ExportDialog
from mluvii_tui.store.store import SessionStore

NOW = datetime(2026, 11, 30, 14, 5)


class DialogApp(App):
    CSS_PATH = str(Path(__file__).parents[1] / "src/mluvii_tui/styles.tcss")

    def __init__(self, store: SessionStore, query: SessionQuery, directory: Path) -> None:
        super().__init__()
        self.store = store
        self.q = query
        self.directory = directory
        self.results: list = []

    @staticmethod
    def dialog(store: SessionStore, query: SessionQuery, directory: Path) -> ExportDialog:
        return ExportDialog(store, query, ["id", "channel", "waited"], now=NOW, directory=directory)

    def on_mount(self) -> None:
        self.push_screen(self.dialog(self.store, self.q, self.directory), self.results.append)


@pytest.fixture
def store(tmp_path: Path):
    s = SessionStore(tmp_path / "store.sqlite3")
    s.upsert_sessions(
        [session_model(i, channel="Chat" if i % 2 else "WhatsApp") for i in range(1, 31)]
    )
    yield s
    s.close()


def _text(app: App, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


async def test_export_csv_then_overwrite_confirmation(store: SessionStore, tmp_path: Path) -> None:
    app = DialogApp(store, SessionQuery(filters=(Filter("channel", "in", ("Chat",)),)), tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        path = app.screen.query_one("#export-path", Input)
        assert path.value == str(tmp_path / "sessions-2026-11-30-1405.csv")
        assert "Export 15 sessions" in _text(app, "#export-title")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        out = tmp_path / "sessions-2026-11-30-1405.csv"
        assert out.exists(), _text(app, "#export-status")
        with open(out, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert len(rows) == 16 and {r[1] for r in rows[1:]} == {"Chat"}
        assert "Exported 15 sessions" in _text(app, "#export-status")
        assert app.screen.query_one(ProgressBar).percentage == 1.0
        assert "15 / 15 sessions" in _text(app, "#export-rate")
        await pilot.press("ctrl+s")  # close
        await pilot.pause()
        assert app.results and app.results[0].sessions == 15

        # again, same file name: asks first, overwrites only on the second press
        dialog = ExportDialog(store, SessionQuery(), ["id"], now=NOW, directory=tmp_path)
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "exists. Press Overwrite (ctrl+s)" in _text(app, "#export-status")
        assert len(out.read_text("utf-8-sig").splitlines()) == 16
        start = app.screen.query_one("#export-start", Button)
        assert str(start.label) == "Overwrite (ctrl+s)"
        name = app.screen.query_one("#export-path", Input)
        confirmed = name.value
        name.value = confirmed + ".bak"  # another name: not confirmed
        await pilot.pause()
        assert str(start.label) == "Export (ctrl+s)"
        name.value = confirmed  # back (or a late Changed of the confirmed text): still confirmed
        await pilot.pause()
        assert str(start.label) == "Overwrite (ctrl+s)"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(out.read_text("utf-8-sig").splitlines()) == 31


async def test_html_format_and_bad_directory(store: SessionStore, tmp_path: Path) -> None:
    app = DialogApp(store, SessionQuery(), tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#fmt-html").value = True
        await pilot.pause()
        path = app.screen.query_one("#export-path", Input)
        assert path.value.endswith(".html")
        path.value = str(tmp_path / "missing" / "x.html")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "does not exist" in _text(app, "#export-status")
        path.value = str(tmp_path / "x.html")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (tmp_path / "x.html").read_text("utf-8").count('<section class="session"') == 30


async def test_nothing_to_export(store: SessionStore, tmp_path: Path) -> None:
    query = SessionQuery(filters=(Filter("channel", "in", ("Email",)),))
    app = DialogApp(store, query, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert "nothing to export" in _text(app, "#export-status")
        assert app.screen.query_one("#export-start", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert list(tmp_path.iterdir()) == [tmp_path / "store.sqlite3"] or all(
            p.name.startswith("store") for p in tmp_path.iterdir()
        )


async def test_the_last_choices_come_back(store: SessionStore, tmp_path: Path) -> None:
    """Format, delimiter, encoding, transcripts and the folder of the last export return the
    next time the dialog opens for the profile; a damaged saved value falls back to the default."""
    from mluvii_tui.config.settings import load_state, update_state

    profile = "export-choices"
    folder = tmp_path / "exports"
    folder.mkdir()
    app = DialogApp(store, SessionQuery(), tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        dialog = ExportDialog(store, SessionQuery(), ["id"], now=NOW, profile=profile)
        app.push_screen(dialog)
        await pilot.pause()
        assert app.screen.query_one("#fmt-csv").value  # nothing saved yet: the defaults
        app.screen.query_one("#delim-semicolon").value = True
        app.screen.query_one("#enc-utf-8").value = True
        app.screen.query_one("#export-transcripts").value = True
        app.screen.query_one("#export-path", Input).value = str(folder / "a.csv")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (folder / "a.csv").read_text("utf-8").startswith("Session ID;Transcript")
        await pilot.press("ctrl+s")  # close
        await pilot.pause()

        app.push_screen(ExportDialog(store, SessionQuery(), ["id"], now=NOW, profile=profile))
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#delim-semicolon").value and screen.query_one("#enc-utf-8").value
        assert screen.query_one("#export-transcripts").value
        path = screen.query_one("#export-path", Input).value
        assert path == str(folder.resolve() / "sessions-2026-11-30-1405.csv")
        await pilot.press("escape")
        await pilot.pause()

        state, _ = load_state(profile)
        update_state(profile, export={**state["export"], "format": "pdf", "directory": "/nope"})
        app.push_screen(ExportDialog(store, SessionQuery(), ["id"], now=NOW, profile=profile))
        await pilot.pause()
        assert app.screen.query_one("#fmt-csv").value
        assert app.screen.query_one("#export-path", Input).value.startswith(str(Path.cwd()))
