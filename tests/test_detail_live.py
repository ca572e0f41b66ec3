"""SessionDetail with a real client: the simulator serves a rich session from a data file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, TabbedContent, TextArea

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.models import parse_session
from mluvii_tui.demo.extras import file_size
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.screens.download_dialog import DownloadDialog
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.detail import SessionDetail
from mluvii_tui.widgets.detail.notes import NotesView
from mluvii_tui.widgets.detail.params import ParamsView
from mluvii_tui.widgets.detail.routing import RoutingView
from mluvii_tui.widgets.detail.transcript import TranscriptView
from test_detail_support import NOW, DetailApp, rich_session

ENDED, LIVE = 424242, 7


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory):
    data = [rich_session(ENDED), rich_session(LIVE, live=True)]
    path = tmp_path_factory.mktemp("sim") / "data.json"
    path.write_text(json.dumps(data))
    with Simulator(data_file=path, now=NOW) as simulator:
        yield simulator


@pytest.fixture
def store(tmp_path: Path):
    s = SessionStore(tmp_path / "store.sqlite")
    s.upsert_sessions(
        [parse_session(rich_session(ENDED)), parse_session(rich_session(LIVE, live=True))]
    )
    yield s
    s.close()


def _client(sim: Simulator) -> MluviiClient:
    return MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret", max_retries=1)


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_tabs_with_server_data(sim: Simulator, store: SessionStore) -> None:
    app = DetailApp(store, _client(sim))
    async with app.run_test(size=(140, 40)) as pilot:
        detail = app.query_one(SessionDetail)
        detail.show(LIVE)
        await _settle(pilot)
        params = detail.query_one(ParamsView)
        assert {p.name for p in params.params} >= {"email", "phone"}
        assert any(p.source is not None for p in params.params)
        routing = detail.query_one(RoutingView)
        body = str(routing.query_one("#routing-body").render())
        assert "Timeline derived" not in body and "●" in body
        state = str(routing.query_one("#routing-state").render())
        assert state.startswith("Now: ")
        # filter parameters
        params.query_one("#params-filter", Input).value = "mail"
        await pilot.pause()
        assert [p.name for p in params.shown] == ["email"]
        detail.action_tab("params")
        params.query_one(DataTable).focus()
        await pilot.press("y")
        assert app.clipboard == "jan@example.com"


async def test_add_note_from_the_editor(sim: Simulator, store: SessionStore) -> None:
    app = DetailApp(store, _client(sim))
    async with app.run_test(size=(140, 40)) as pilot:
        detail = app.query_one(SessionDetail)
        detail.show(ENDED)
        await _settle(pilot)
        detail.action_tab("notes")
        editor = detail.query_one("#notes-editor", TextArea)
        editor.focus()
        editor.load_text("Line one [red]not red[/]\nLine two")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        notes = detail.query_one(NotesView)
        mine = [e for e in notes.entries if e.text.startswith("Line one")]
        assert len(mine) == 1 and not mine[0].pending
        server = await app.client.get_notes(ENDED)
        assert sum(n.note.startswith("Line one") for n in server) == 1
        assert editor.text == ""


async def test_download_shared_file_stays_in_folder(
    sim: Simulator, store: SessionStore, tmp_path: Path
) -> None:
    app = DetailApp(store, _client(sim))
    async with app.run_test(size=(140, 40)) as pilot:
        detail = app.query_one(SessionDetail)
        detail.show(ENDED)
        await _settle(pilot)
        view = detail.query_one(TranscriptView)
        view.focus()
        view.cursor = next(e.index for e in view.entries if e.item.file is not None)
        await pilot.press("D")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DownloadDialog)
        folder = tmp_path / "downloads"
        dialog.query_one("#download-folder", Input).value = str(folder)
        dialog.query_one("#download-folder", Input).focus()
        await pilot.press("enter")
        await _settle(pilot)
        assert dialog.saved == (folder / "passwd").resolve()
        # The size is the download's Content-Length: SessionModel's file has none.
        assert dialog.saved.stat().st_size == file_size(f"file/{ENDED}/77", "../../etc/passwd")
        assert [p.name for p in folder.iterdir()] == ["passwd"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DownloadDialog)


async def test_missing_recording_says_so(
    sim: Simulator, store: SessionStore, tmp_path: Path
) -> None:
    data = rich_session(ENDED)
    data["recordings"][0]["downloadUrl"] = f"/api/v1/Sessions/{ENDED}/recordings/999"
    store.upsert_sessions([parse_session(data)])
    app = DetailApp(store, _client(sim))
    async with app.run_test(size=(140, 40)) as pilot:
        detail = app.query_one(SessionDetail)
        detail.show(ENDED)
        await _settle(pilot)
        detail.action_tab("recordings")
        assert detail.query_one(TabbedContent).active == "recordings"
        await pilot.press("D")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DownloadDialog)
        dialog.query_one("#download-folder", Input).value = str(tmp_path)
        dialog.start()
        await _settle(pilot)
        status = str(dialog.query_one("#download-status").render())
        assert status.startswith("Download failed") and dialog.saved is None
        assert list(tmp_path.glob("*.webm*")) == []
