"""The key tour: every binding of the UI, every palette command and every README key is pressed
where it applies, on a store holding the hostile corpus; each screen renders, each toast shows,
pending workers finish. Any exception, a non-zero exit or a forbidden byte on screen fails it.

New bindings join by existing (tests/tour.py reads the classes' BINDINGS); a class without a
place to press its keys fails ``test_every_binding_has_a_place``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandInput, CommandPalette
from textual.screen import Screen
from textual.widgets import Input, OptionList

from admin_support import copy_in, ended, live
from hostile_sessions import corpus, forbidden_in, hostile_ids, store_hostile
from live_support import until
from mluvii_tui.api.client import MluviiClient
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.screens.commands import SessionCommands
from mluvii_tui.screens.connect import ConnectScreen
from mluvii_tui.screens.profiles import ProfileCommands
from mluvii_tui.screens.reroute import RerouteDialog
from mluvii_tui.screens.saved_views import save_view
from mluvii_tui.screens.sessions import SessionsScreen
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.detail import SessionDetail
from mluvii_tui.widgets.detail.params import ParamEditScreen
from mluvii_tui.widgets.session_table import SessionTable
from seeded import build_store, store_copy
from tour import Press, bindings, readme_keys

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (150, 42)
PROFILE = "tour"
QUIT = {"app.quit", "app.quit_ctrl_c"}

Pilot = Any
Setup = Callable[[MluviiApp, Pilot], Awaitable[None]]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_store(tmp_path_factory.mktemp("tour-db") / "seed.db", 60, 5, NOW)
    store = SessionStore(path)
    store_hostile(store, NOW)
    store.close()
    return path


@pytest.fixture(scope="module")
def sim():
    """The server behind the admin dialogs (re-route, contact, ban, Blacklist): the tour
    presses their keys against it as a user would."""
    with Simulator(sessions=20, seed=3) as simulator:
        yield simulator


@pytest.fixture
def store(seeded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # exports, session exports, screenshots land here
    monkeypatch.setenv("HOME", str(tmp_path))  # downloads too
    yield from store_copy(seeded_db, tmp_path)


def sessions_screen(app: MluviiApp) -> SessionsScreen:
    screen = next(s for s in app.screen_stack if isinstance(s, SessionsScreen))
    return screen


async def settle(app: MluviiApp, pilot: Pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def check(app: MluviiApp, where: str) -> None:
    assert app._exception is None, f"{where}: {app._exception!r}"
    assert app.return_code in (None, 0), f"{where}: exit {app.return_code}"
    shown = app.screen._compositor.render_full_update().render_segments(app.console)
    visible = _strip_own_sequences(shown)
    assert forbidden_in(visible) == [], f"{where}: {forbidden_in(visible)} on screen"


def at_place(app: MluviiApp, owner: str) -> bool:
    """Whether the keys of class ``owner`` apply now: it is the app, the screen or a widget
    holding the focus (or one of their bases, for mixins)."""
    nodes = [app, app.screen, *(app.focused.ancestors_with_self if app.focused else [])]
    return any(owner in {c.__name__ for c in type(n).__mro__} for n in nodes)


def _strip_own_sequences(output: str) -> str:
    """The terminal output minus the sequences Textual itself writes (SGR colours, cursor
    moves): what is left must be text only."""
    import re

    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)


# ---------------------------------------------------------------------------- places


class Tour:
    """Brings the app to the place where a class's keys apply, on a hostile session."""

    def __init__(
        self, app: MluviiApp, pilot: Pilot, ids: list[int], ctl: Any | None = None
    ) -> None:
        self.app, self.pilot, self.ids, self.turn = app, pilot, ids, 0
        self.popup_columns = ["created", "channel", "operators", "waited", "client_name", "id"]
        self.ctl = ctl  # the simulator's control client: live and ended sessions on demand

    async def home(self, sid: int | None = None) -> None:
        app = self.app
        while len(app.screen_stack) > 2:
            app.pop_screen()
            await self.pilot.pause()
        screen = sessions_screen(app)
        screen.action_clear_filters()
        self.turn += 1
        if sid is None:
            sid = self.ids[self.turn % len(self.ids)]
        table = screen.query_one(SessionTable)
        table.marked = set()
        table.set_query(SessionQuery(view="all"), keep=sid)
        screen.action_back()
        table.focus()
        await settle(app, self.pilot)

    async def keys(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.app, self.pilot)

    async def table(self) -> None:
        await self.home()

    async def detail(self, tab: int | None = None, sid: int | None = None) -> None:
        await self.home(sid)
        await self.keys("enter")
        detail = sessions_screen(self.app).query_one(SessionDetail)
        detail.focus()
        if tab is not None:
            await self.keys(str(tab))
            pane = detail.query_one(f"#{detail.active_tab}")
            focusable = [w for w in pane.query("*") if w.focusable]
            (focusable[0] if focusable else detail).focus()
        await settle(self.app, self.pilot)

    async def filter_bar(self) -> None:
        await self.home()
        await self.keys("f", "down", "space", "enter")  # a time preset on the first column
        await self.keys("F")

    async def filter_input(self) -> None:
        await self.home()
        await self.keys("slash", *"objedn")

    async def popup(self) -> None:
        await self.home()
        column = self.popup_columns[self.turn % len(self.popup_columns)]
        table = sessions_screen(self.app).query_one(SessionTable)
        ids = [c.id for c in table.columns]
        if column in ids:
            table.cursor_col = ids.index(column)
        await self.keys("f")

    async def saved_views(self) -> None:
        save_view(PROFILE, {"name": "[/b] tour \x1b[2J", "filters": [], "columns": ["created"]})
        await self.home()
        await self.keys("w")

    async def download(self) -> None:
        await self.recordings()
        await self.keys("D")  # download the selected recording: the dialog asks where

    async def param_edit(self) -> None:
        await self.home()
        name, text = corpus()[2]
        self.app.push_screen(ParamEditScreen(name, text))
        await settle(self.app, self.pilot)

    async def connect(self) -> None:
        await self.home()
        self.app.push_screen(ConnectScreen())
        await settle(self.app, self.pilot)

    # -- admin dialogs, against the simulator (a session of its own, copied in as a sync would)

    def _sim_session(self, *, is_live: bool) -> int:
        assert self.ctl is not None, "the admin places need the simulator"
        sid = live(self.ctl) if is_live else ended(self.ctl, "WhatsApp")
        copy_in(self.app, self.ctl, sid)
        return sid

    async def reroute(self, *marked: int) -> None:
        await self.home(self._sim_session(is_live=True))
        for sid in marked:
            sessions_screen(self.app).query_one(SessionTable).marked.add(sid)
        await self.keys("R")
        assert isinstance(self.app.screen, RerouteDialog), self.app.screen
        dialog = self.app.screen  # its availability comes from the simulator: wait for it
        await until(self.pilot, lambda: dialog.availability is not None, timeout=30)

    async def confirm(self, *marked: int) -> None:
        await self.reroute(*marked)
        dialog = self.app.screen
        dialog.query_one("#reroute-filter", Input).value = "obchod"
        targets = dialog.query_one("#reroute-targets", OptionList)
        await until(self.pilot, lambda: targets.option_count == 2, timeout=30)  # Groups, Obchod
        await self.keys("enter")  # the first target that matches: group Obchod
        await until(self.pilot, lambda: self.app.screen is not dialog, timeout=30)

    async def bulk_result(self) -> None:
        await self.confirm(self._sim_session(is_live=True), self._sim_session(is_live=True))
        await self.keys("enter")  # send: the result of each session

    async def ban(self) -> None:
        await self.home(self._sim_session(is_live=False))
        await self.keys("B")

    async def contact(self) -> None:
        await self.home(self._sim_session(is_live=False))
        await self.keys("m")

    async def recordings(self) -> None:
        """The recordings tab of a seeded session that has recordings (no hostile one has)."""
        store = self.app.store
        rows = store.window(SessionQuery(view="all"), 0, 1000)
        sid = next(int(r.id) for r in rows if store.get_session(int(r.id)).recordings)
        await self.detail(6, sid)

    def places(self) -> dict[str, Callable[[], Awaitable[None]]]:
        d = self.detail
        return {
            "MluviiApp": self.table,
            "SessionsScreen": self.table,
            "SessionFiltersMixin": self.table,
            "SessionTable": self.table,
            "FilterBar": self.filter_bar,
            "FilterInput": self.filter_input,
            "FilterPopup": self.popup,
            "SessionDetail": lambda: d(),
            "TranscriptView": lambda: d(1),
            "InfoView": lambda: d(2),
            "ParamsView": lambda: d(3),
            "NotesView": lambda: d(4),
            "RoutingView": lambda: d(5),
            "RecordingsView": self.recordings,
            "ExportDialog": lambda: self._then(self.table, "e"),
            "SessionExportDialog": lambda: self._then(self.table, "E"),
            "ColumnChooser": lambda: self._then(self.table, "c"),
            "SaveViewScreen": lambda: self._then(self.table, "W", *"tour [b]"),
            "SavedViewsScreen": self.saved_views,
            "DownloadDialog": self.download,
            "ParamEditScreen": self.param_edit,
            "ConnectScreen": self.connect,
            "CommandLine": lambda: self._then(self.table, "colon"),
            "HelpScreen": lambda: self._then(self.table, "question_mark"),
            "StatsScreen": lambda: self._then(self.table, "S"),
            "RerouteDialog": self.reroute,
            "ConfirmAction": self.confirm,
            "BulkResult": self.bulk_result,
            "BanDialog": self.ban,
            "ContactDialog": self.contact,
            "BlacklistScreen": lambda: self._then(self.table, "b"),
            "AuditLogScreen": lambda: self._then(self.table, "colon", *"audit", "enter"),
        }

    async def _then(self, place: Callable[[], Awaitable[None]], *keys: str) -> None:
        await place()
        await self.keys(*keys)


def test_every_binding_has_a_place_and_every_readme_key_a_binding() -> None:
    owners = {p.owner for p in bindings()}
    places = set(Tour.places(Tour.__new__(Tour)).keys())  # type: ignore[arg-type]
    assert owners <= places, f"bindings with no place in the tour: {owners - places}"
    bound = {p.key for p in bindings()} | {App.COMMAND_PALETTE_BINDING}
    unbound = [k for k in readme_keys() if k not in bound]
    assert unbound == [], f"README documents keys that nothing binds: {unbound}"
    print(f"key tour: {len(bindings())} binding keys, {len(readme_keys())} README keys")


#: The tour runs in this many parts, one app session each (owners dealt out by their number of
#: keys), and the palette in one more: pytest -n spreads them over the cores.
PARTS = 3


def tour_parts() -> list[dict[str, list[Press]]]:
    """Every press (bindings but Quit, README keys but q and ctrl+c) grouped by owner, the
    owners dealt into PARTS parts: the biggest first, each to the part with fewest keys."""
    presses = [p for p in bindings() if p.binding_id not in QUIT]
    presses += [Press("MluviiApp", "readme", k) for k in readme_keys() if k not in ("q", "ctrl+c")]
    by_owner: dict[str, list[Press]] = {}
    for press in presses:
        by_owner.setdefault(press.owner, []).append(press)
    parts: list[dict[str, list[Press]]] = [{} for _ in range(PARTS)]
    for owner, owned in sorted(by_owner.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        smallest = min(parts, key=lambda part: sum(len(v) for v in part.values()))
        smallest[owner] = owned
    return parts


@asynccontextmanager
async def touring(store: SessionStore, sim: Any, ctl: Any) -> AsyncIterator[Tour]:
    """The real app on the seeded store, signed in to the simulator as an administrator; it
    must end by q with status 0 and no exception."""
    client = MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret", max_retries=0)
    app = MluviiApp(
        store, client, profile=PROFILE, now=lambda: NOW, base_url="https://x.cz", sync_days=1
    )
    # every storable case but the four huge ones (the corpus test shows those in every view)
    names = dict(zip(hostile_ids(), (name for name, _ in corpus()), strict=True))
    huge = ("long_100k", "lines_10k", "long_markup", "long_escapes")
    ids = [i for i in hostile_ids() if names[i] not in huge and store.get_session(i) is not None]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        tour = Tour(app, pilot, ids, ctl)
        yield tour
        await tour.table()
        await pilot.press("q")
        await pilot.pause()
    assert app._exception is None and app.return_code == 0


def test_the_parts_hold_every_press_once() -> None:
    presses = [p for part in tour_parts() for owned in part.values() for p in owned]
    assert len(presses) == len(set(presses)) >= len(bindings()) - len(QUIT)


@pytest.mark.heavy
@pytest.mark.parametrize("part", range(PARTS))
async def test_key_tour(store: SessionStore, sim: Any, ctl: Any, part: int) -> None:
    done = 0
    async with touring(store, sim, ctl) as tour:
        app, pilot, places = tour.app, tour.pilot, tour.places()
        for owner, owned in tour_parts()[part].items():
            at: tuple[Any, Any] | None = None
            for press in owned:
                if at != (app.screen, app.focused):  # the last key moved away: go back
                    await places[owner]()
                    check(app, f"{owner} place")
                    assert at_place(app, owner), f"{owner}: the place shows {app.screen}"
                    at = (app.screen, app.focused)
                await pilot.press(press.key)
                await settle(app, pilot)
                check(app, f"{owner} {press.binding_id} [{press.key}]")
                done += 1
    assert done == sum(len(owned) for owned in tour_parts()[part].values())
    print(f"key tour part {part}: {done} presses")


@pytest.mark.heavy
async def test_palette_tour(store: SessionStore, sim: Any, ctl: Any) -> None:
    async with touring(store, sim, ctl) as tour:
        done = await palette_tour(tour.app, tour.pilot, tour)
    print(f"key tour: {done} palette commands")


async def palette_tour(app: MluviiApp, pilot: Pilot, tour: Tour) -> int:
    """Every command of the palette (ours and Textual's, but Quit), run from the palette."""
    await tour.table()
    screen: Screen[Any] = app.screen
    titles = [title for title, _, _ in SessionCommands(screen)._commands()]
    titles += [title for title, _ in ProfileCommands(screen)._commands()]
    titles += [c.title for c in app.get_system_commands(screen) if c.title != "Quit"]
    assert len(titles) >= 10
    for title in titles:
        if not (isinstance(app.screen, SessionsScreen) and isinstance(app.focused, SessionTable)):
            await tour.table()
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)
        app.screen.query_one(CommandInput).value = title
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        check(app, f"palette {title!r}")
    return len(titles)


async def test_quit_keys_exit_cleanly(store: SessionStore) -> None:
    for key in ("q", "ctrl+c"):
        app = MluviiApp(store, None, profile=PROFILE, now=lambda: NOW)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press(key)
            await pilot.pause()
        assert app._exception is None and app.return_code == 0
