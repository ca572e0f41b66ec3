"""Defects 1 and 2 of issue 10: toasts never crash (saved views), every copy is sanitised.

The toasts are rendered (``notifications=True`` and a pause), the clipboard is read where the
terminal would read it: the OSC 52 sequence the app writes to its driver."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from hostile_sessions import FIRST_ID, corpus, forbidden_in, store_hostile
from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import load_state
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.screens.saved_views import SavedViewsScreen
from mluvii_tui.store.store import SessionStore
from mluvii_tui.text import clean
from mluvii_tui.widgets.detail import SessionDetail
from mluvii_tui.widgets.detail.params import ParamsView
from mluvii_tui.widgets.session_table import SessionTable
from seeded import build_store, store_copy

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (150, 40)
#: The cases copied (each copy action of each); the whole corpus is copied in test_hostile_corpus.
COPY_CASES = (
    "osc52_clipboard",
    "csi_clear",
    "osc8_link",
    "c1_all",
    "c0_all",
    "nul_bytes",
    "bidi_override",
    "emoji_zwj",
    "markup_link",
)
OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_store(tmp_path_factory.mktemp("safety-db") / "seed.db", 60, 5, NOW)
    store = SessionStore(path)
    store_hostile(store, NOW)
    store.close()
    return path


@pytest.fixture
def store(seeded_db: Path, tmp_path: Path):
    yield from store_copy(seeded_db, tmp_path)


async def settle(app: MluviiApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def toasts(app: MluviiApp) -> list[str]:
    return [str(t.render()) for t in app.screen.query(Toast)]


async def test_save_and_recall_a_view_shows_its_toasts(store: SessionStore) -> None:
    """W saves, w + enter recalls: both toasts render (they crashed: Text passed to notify)."""
    app = MluviiApp(store, None, profile="safety-views", now=lambda: NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("W", *"[/b] [link=x]mine", "enter")
        await settle(app, pilot)
        assert app.return_code is None and app._exception is None
        assert any("Saved view “[/b] [link=x]mine”." in t for t in toasts(app)), toasts(app)
        assert [v["name"] for v in load_state("safety-views")[0]["views"]] == ["[/b] [link=x]mine"]
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, SavedViewsScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app._exception is None
        assert any("View “[/b] [link=x]mine”" in t for t in toasts(app))


async def test_toasts_are_plain_text_whatever_they_carry(store: SessionStore) -> None:
    app = MluviiApp(store, None, profile="safety-toasts", now=lambda: NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        for _, text in corpus()[:40]:
            app.screen.notify(text[:300], title=text[:40])
        await settle(app, pilot)
        assert app._exception is None
        shown = "".join(toasts(app))
        assert "[/b] [/link] unbalanced" in shown and "[bold]bold[/bold] text" in shown
        assert forbidden_in(shown) == []


class Clipboard:
    """Every OSC 52 payload the app writes to the terminal, decoded."""

    def __init__(self, app: MluviiApp) -> None:
        self.copies: list[str] = []
        driver = app._driver
        assert driver is not None
        write = driver.write

        def capture(data: str) -> None:
            for payload in OSC52.findall(data):
                self.copies.append(base64.b64decode(payload).decode("utf-8"))
            write(data)

        driver.write = capture  # type: ignore[method-assign]


@pytest.mark.heavy
async def test_every_copy_goes_through_the_sanitiser(store: SessionStore) -> None:
    """Parameter value, message, whole transcript and web link of each hostile session: the
    bytes that reach the clipboard hold no escape, control or bidi override."""
    app = MluviiApp(store, None, profile="safety-copy", now=lambda: NOW, base_url="https://x.cz")
    names = [name for name, _ in corpus()]
    ids = [FIRST_ID + names.index(name) for name in COPY_CASES]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        clipboard = Clipboard(app)
        await settle(app, pilot)
        table = app.screen.query_one(SessionTable)
        for sid in ids:
            table.set_query(SessionQuery(view="all"), keep=sid)
            await pilot.press("enter")
            await settle(app, pilot)
            detail = app.screen.query_one(SessionDetail)  # built at the first enter
            assert detail.session_id == sid
            detail.focus()
            await pilot.press("1", "G", "up", "up", "up", "y", "Y")  # guest message, all
            await pilot.press("2", "y")  # web-app link
            await pilot.press("3")
            await settle(app, pilot)
            params = detail.query_one(ParamsView)
            row = next(i for i, p in enumerate(params.shown) if p.name == "hostile")
            params.query_one("DataTable").move_cursor(row=row)
            await pilot.press("y")
            await settle(app, pilot)
            session = store.get_session(sid)
            raw = session.guest.call_params["hostile"]
            assert clean(raw) in clipboard.copies, f"session {sid}: parameter not copied"
            await pilot.press("escape")
            table.focus()
        assert app._exception is None
        assert len(clipboard.copies) >= 4 * len(ids)
        for copied in clipboard.copies:
            assert forbidden_in(copied) == [], copied[:200]
        assert any("👨\u200d👩\u200d👧" in c for c in clipboard.copies)  # emoji ZWJ kept


def test_the_sanitiser_keeps_normal_unicode() -> None:
    keep = "Příliš žluťoučký kůň 👨\u200d👩\u200d👧 e\u0301 مرحبا שלום 注文 \u200c\ttab\nline"
    assert clean(keep) == keep
    assert clean("a\ud800b\udfffc") == "abc"
    assert clean("x\x1b]52;c;aGk=\x07y\x90dcs\x9cz\u202eq") == "xyzq"
    for _, text in corpus():
        assert forbidden_in(clean(text)) == []
