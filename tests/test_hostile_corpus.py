"""The hostile corpus (tests/data/hostile.json, one session per case) through every view, every
copy and every export. Checked are the bytes: what the screen would write to the terminal (the
compositor's full update, as the driver gets it), the OSC 52 payloads written for copies, and
the files of the CSV, HTML and single-session exports."""

from __future__ import annotations

import base64
import csv
import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hostile_sessions import corpus, forbidden_in, hostile_ids, store_hostile
from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import update_state
from mluvii_tui.export.html_export import export_session_html, export_session_json
from mluvii_tui.export.runner import ExportOptions, run_export
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.detail import SessionDetail
from mluvii_tui.widgets.detail.info import InfoView
from mluvii_tui.widgets.detail.pane import TABS
from mluvii_tui.widgets.detail.params import ParamsView
from mluvii_tui.widgets.detail.transcript import TranscriptView
from mluvii_tui.widgets.session_table import SessionTable
from seeded import store_copy

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (200, 60)
COLUMNS = [
    "id",
    "client_name",
    "client_email",
    "url",
    "widget",
    "tags",
    "feedback_text",
    "operators",
    "param:hostile",
]
OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
SGR_AND_MOVES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FORMULA = re.compile(r"-?\d+(?:[.,]\d+)?\Z")


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("corpus-db") / "corpus.db"
    store = SessionStore(path)
    refused = store_hostile(store, NOW)
    store.close()
    return path, refused


@pytest.fixture
def store(corpus_db: tuple[Path, list[str]], tmp_path: Path):
    yield from store_copy(corpus_db[0], tmp_path)


def stored_ids(store: SessionStore) -> list[int]:
    return [sid for sid in hostile_ids() if store.get_session(sid) is not None]


def test_the_corpus_is_big_enough_and_stored(corpus_db: tuple[Path, list[str]]) -> None:
    names = [name for name, _ in corpus()]
    assert len(names) >= 40 and len(set(names)) == len(names)
    texts = dict(corpus())
    assert len(texts["long_100k"]) == 100_000 and texts["lines_10k"].count("\n") == 10_000
    # Known gap (store/sync, not the UI): a lone surrogate cannot be encoded for SQLite, so such
    # a session is refused by the store; the sanitiser still removes surrogates everywhere.
    assert corpus_db[1] == ["lone_surrogate_high", "lone_surrogate_low"]


def screen_text(app: MluviiApp) -> str:
    """The bytes the terminal would get for the whole current screen, minus Textual's own SGR
    colours and cursor moves: what is left is text, and must hold nothing forbidden."""
    output = app.screen._compositor.render_full_update().render_segments(app.console)
    return SGR_AND_MOVES.sub("", output)


#: The cases are shown in this many parts, one app session each: every case is in one part, and
#: the parts can run on different cores (pytest -n) instead of one long test holding the suite.
PARTS = 4


@pytest.mark.heavy
@pytest.mark.parametrize("part", range(PARTS))
async def test_every_view_and_copy_of_every_case(store: SessionStore, part: int) -> None:
    ids = stored_ids(store)[part::PARTS]
    update_state("corpus", columns=COLUMNS)
    app = MluviiApp(store, None, profile="corpus", now=lambda: NOW, base_url="https://x.cz")
    copies: list[str] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        write = app._driver.write  # type: ignore[union-attr]

        def capture(data: str) -> None:
            copies.extend(base64.b64decode(p).decode() for p in OSC52.findall(data))
            write(data)

        app._driver.write = capture  # type: ignore[union-attr,method-assign]
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        table.set_query(SessionQuery(view="all"))
        await pilot.pause()
        for n, sid in enumerate(ids):  # the table around each case, its tabs
            table.set_query(SessionQuery(view="all"), keep=sid)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            detail = app.screen.query_one(SessionDetail)  # built at the first enter
            assert detail.session_id == sid
            # routing and recordings show no customer text offline: every 8th case is enough
            # (n counts within a part: every other case of the part is every 8th case)
            for tab in TABS if n % 2 == 0 else TABS[:4]:
                detail.action_tab(tab)
                await pilot.pause()
                shown = screen_text(app)
                assert forbidden_in(shown) == [], f"session {sid}, tab {tab}"
            detail.query_one(TranscriptView).action_copy_all()
            detail.query_one(TranscriptView).action_copy_one()
            detail.query_one(InfoView).action_copy_link()
            params = detail.query_one(ParamsView)
            for row in range(len(params.shown)):
                params.query_one("DataTable").move_cursor(row=row)
                params.action_copy_value()
            await pilot.pause()
        # the list filtered by a hostile quick filter and a hostile search: still inert
        table.set_query(SessionQuery(view="all", quick="[/b]\x1b[2J", search="[link=x] objedn*"))
        await pilot.pause()
        assert forbidden_in(screen_text(app)) == []
        assert app._exception is None
    assert len(copies) >= 4 * len(ids)
    for copied in copies:
        assert forbidden_in(copied) == [], copied[:120]


def test_csv_and_html_exports_of_the_corpus(store: SessionStore, tmp_path: Path) -> None:
    query = SessionQuery(view="all", filters=(Filter("id", "range", low="3900000"),))
    assert store.count(query) == len(stored_ids(store))
    out = tmp_path / "corpus.csv"
    run_export(store, query, COLUMNS, ExportOptions(path=out, include_transcripts=True))
    raw = out.read_text(encoding="utf-8-sig")
    assert forbidden_in(raw.replace("\r\n", "\n")) == []
    rows = list(csv.reader(raw.splitlines(keepends=True)))
    assert len(rows) == 1 + len(stored_ids(store))
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r" or FORMULA.match(cell), cell[:80]
    assert any(cell.startswith("'=cmd|") for row in rows for cell in row)

    page = tmp_path / "corpus.html"
    run_export(store, query, COLUMNS, ExportOptions(format="html", path=page))
    check_html(page.read_text(encoding="utf-8"))


def check_html(text: str) -> None:
    assert forbidden_in(text) == []
    for raw in ("<script>alert", "<img src=x", 'onmouseover="alert', 'href="javascript:'):
        assert raw not in text
    assert html.escape("<script>alert(document.cookie)</script>", quote=False) in text


def test_single_session_exports_of_every_case(store: SessionStore, tmp_path: Path) -> None:
    for sid in stored_ids(store):
        session = store.get_session(sid)
        assert session is not None
        page = export_session_html(session, tmp_path / f"{sid}.html")
        text = page.read_text(encoding="utf-8")
        assert forbidden_in(text) == [], sid
        for raw in ("<script>alert", "<img src=x", 'href="javascript:'):
            assert raw not in text, sid
        data = export_session_json(session, tmp_path / f"{sid}.json")
        body = data.read_text(encoding="utf-8")
        assert json.loads(body)["id"] == sid
        assert "\x1b" not in body and "\x00" not in body  # JSON escapes every control
