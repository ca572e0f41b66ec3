"""The one keymap: every command reachable from the palette and the `:` line, remapping by binding
id, the `?` help, one meaning per key, no single letter firing inside an input. The real app on a
real SQLite store filled from the simulator's generator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.screen import ModalScreen
from textual.widgets import Input

from mluvii_tui.api.models import parse_session
from mluvii_tui.app import MluviiApp
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.keymap.commands import BY_ID, alias_table, check_keymap, resolve_alias
from mluvii_tui.keymap.table import COMMANDS
from mluvii_tui.screens.command_line import CommandLine
from mluvii_tui.screens.export_dialog import ExportDialog
from mluvii_tui.screens.help import HelpScreen
from mluvii_tui.screens.keys import KeymapCommands, available, run_command, target_for
from mluvii_tui.screens.sessions import SessionsScreen
from mluvii_tui.screens.sessions_filters import FilterInput
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable
from screen_text import screen_text

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (160, 40)

#: Keys whose one meaning is "do it to the thing here" (move, open, filter what you look at):
#: they may appear in an inner scope and its screen at once.
CONTEXTUAL = {"up", "down", "j", "k", "home", "end", "g", "G", "enter", "escape", "slash"}
#: The focus chains of the Sessions screen: app > screen > the focused widget's scope.
CHAINS = [
    ("app", "sessions", inner)
    for inner in ("table", "transcript", "info", "params", "notes", "routing", "recordings")
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keymap") / "store.sqlite"
    store = SessionStore(path)
    store.upsert_sessions([parse_session(d) for d in generate_sessions(200, seed=3, now=NOW)])
    store.close()
    return path


@pytest.fixture()
def store(seeded: Path, tmp_path: Path) -> Iterator[SessionStore]:
    import shutil

    shutil.copy(seeded, tmp_path / "s.sqlite")
    s = SessionStore(tmp_path / "s.sqlite")
    yield s
    s.close()


def _app(store: SessionStore, profile: str, **kwargs: object) -> MluviiApp:
    return MluviiApp(store, None, profile=profile, now=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def _screen_text(app: MluviiApp) -> str:
    return screen_text(app)


def _help_text(app: MluviiApp) -> str:
    """The whole help (the screen shows what fits; the rest scrolls)."""
    from rich.console import Console

    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(app.screen.table)  # type: ignore[attr-defined]
    return console.export_text()


# -------------------------------------------------------------------- the table itself


def test_binding_ids_are_unique_and_scoped() -> None:
    ids = [c.id for c in COMMANDS]
    assert len(ids) == len(set(ids))
    for command in COMMANDS:
        assert command.id.split(".")[0] in (command.scope, "app", "filters", "sessions"), command


def test_one_meaning_per_key_in_every_focus_chain() -> None:
    for chain in CHAINS:
        seen: dict[str, str] = {}
        for command in COMMANDS:
            if command.scope not in chain:
                continue
            for key in filter(None, (k.strip() for k in command.keys.split(","))):
                if key in seen and key not in CONTEXTUAL:
                    raise AssertionError(f"{key!r}: {seen[key]} and {command.id} in {chain}")
                seen[key] = command.id


def test_aliases_name_one_command_and_resolve() -> None:
    names = [a for c in COMMANDS for a in c.aliases]
    assert len(names) == len(set(names)), "an alias names two commands"
    for alias, command in alias_table().items():
        assert resolve_alias(f":{alias}")[0] is command
    for wanted in ("live", "history", "export", "views", "stats", "help", "sync", "columns"):
        assert wanted in alias_table()
    command, rest = resolve_alias(":theme nord")
    assert command is BY_ID["app.theme"] and rest == "nord"
    assert resolve_alias(":hsitory") == (None, "unknown command :hsitory (did you mean :history?)")


def test_keymap_check_names_the_nearest_id() -> None:
    assert check_keymap({"sessions.export": "ctrl+e"}) is None
    assert check_keymap({"sessions.exprot": "x"}) == (
        "[keys]: unknown binding id 'sessions.exprot' (did you mean 'sessions.export'?)"
    )


def test_every_palette_command_has_its_action() -> None:
    from mluvii_tui.screens.command_line import CommandLine as _CommandLine
    from mluvii_tui.screens.help import HelpScreen as _Help
    from mluvii_tui.widgets.detail.info import InfoView
    from mluvii_tui.widgets.detail.notes import NotesView
    from mluvii_tui.widgets.detail.params import ParamsView
    from mluvii_tui.widgets.detail.recordings import RecordingsView
    from mluvii_tui.widgets.detail.routing import RoutingView
    from mluvii_tui.widgets.detail.transcript import TranscriptView

    holders = {
        "app": MluviiApp,
        "sessions": SessionsScreen,
        "table": SessionTable,
        "transcript": TranscriptView,
        "info": InfoView,
        "params": ParamsView,
        "notes": NotesView,
        "routing": RoutingView,
        "recordings": RecordingsView,
        "help": _Help,
        "command_line": _CommandLine,
        "filter_input": FilterInput,
    }
    for command in COMMANDS:
        if command.scope == "textual":
            continue
        holder = holders[command.scope]
        assert command.scope == holder.KEYMAP_SCOPE
        name = command.action.split("(")[0]
        assert hasattr(holder, f"action_{name}"), f"{command.id}: no action_{name}"
        if command.arg_action:
            assert hasattr(holder, f"action_{command.arg_action}")


# -------------------------------------------------------------------- the real app


@pytest.mark.heavy
async def test_every_command_runs_from_the_palette_list_and_the_command_line(
    store: SessionStore,
) -> None:
    """Every palette command is offered on the Sessions screen (with the detail pane open) and
    runs there without an error; every alias reaches its command."""
    app = _app(store, "k-all")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # open the detail pane: its tabs' commands are offered too
        await app.workers.wait_for_complete()
        await pilot.pause()
        sessions = app.screen
        offered = {c.id for c, _ in available(app, sessions)}
        wanted = {c.id for c in COMMANDS if c.palette}
        assert offered == wanted
        hits = [h async for h in KeymapCommands(sessions, None).discover()]  # type: ignore[arg-type]
        assert {str(h.display) for h in hits} == {BY_ID[i].title for i in wanted}
        for command in COMMANDS:
            if not command.palette or command.id in ("app.quit",):
                continue
            await run_command(app, command)
            await app.workers.wait_for_complete()
            await pilot.pause()
            while isinstance(app.screen, ModalScreen) or app.screen is not sessions:
                app.pop_screen()
                await pilot.pause()
        assert app.is_running and app.screen is sessions


async def test_palette_runs_a_command_by_its_title(store: SessionStore) -> None:
    app = _app(store, "k-palette")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"switch history")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(SessionTable).query.view == "live"


async def test_command_line_runs_aliases_and_says_what_is_wrong(store: SessionStore) -> None:
    app = _app(store, "k-colon")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        await pilot.press("colon", *"live", "enter")
        await pilot.pause()
        assert table.query.view == "live"
        await pilot.press("colon", *"hist", "tab")  # tab completes the name
        await pilot.pause()
        assert app.screen.query_one(Input).value == "history "
        await pilot.press("enter")
        await pilot.pause()
        assert table.query.view == "history"
        await pilot.press("colon", *"liv", "enter")  # a prefix of one name is that name
        await pilot.pause()
        assert table.query.view == "live"
        await pilot.press("colon", *"history", "enter")
        await pilot.pause()
        assert table.query.view == "history"
        # a wrong name: one line, the typed text kept, nothing run
        await pilot.press("colon", *"exprot", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CommandLine)
        assert app.screen.query_one(Input).value == "exprot"
        assert "unknown command :exprot (did you mean :export?)" in _screen_text(app)
        app.screen.query_one(Input).value = ""
        await pilot.press(*"export", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("colon", *"theme light", "enter")
        await pilot.pause()
        assert app.theme == "textual-light"
        # a detail tab's command shows that tab first
        await pilot.press("colon", *"routing", "enter")
        await pilot.pause()
        detail = app.screen.query_one("#detail")
        assert detail.display and detail.active_tab == "routing"
        assert app.screen.query_one("#routing-view").has_focus


async def test_no_single_letter_fires_while_an_input_has_focus(store: SessionStore) -> None:
    app = _app(store, "k-input")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("colon", *"qvedcrS?")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, CommandLine)
        assert app.screen.query_one(Input).value == "qvedcrS?"
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        await pilot.press("slash", *"qv")  # the quick filter's input
        await pilot.pause()
        assert app.is_running and table.query.view == "history"
        assert isinstance(app.screen, SessionsScreen)
        assert isinstance(app.focused, FilterInput) and app.focused.value == "qv"
        await pilot.press("escape")  # the input's own escape (filter_input.close)
        await pilot.pause()
        assert not isinstance(app.focused, FilterInput)


async def test_remap_by_binding_id(store: SessionStore) -> None:
    app = _app(store, "k-remap", keymap={"sessions.export": "ctrl+e", "app.help": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")  # the old key does nothing now
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "ctrl+e" in _help_text(app)


@pytest.mark.parametrize("close", ["question_mark", "escape", "q", "f1"])
async def test_help_opens_and_closes(store: SessionStore, close: str) -> None:
    app = _app(store, f"k-help-{close}")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Help: all keys" in _screen_text(app)
        body = _help_text(app)
        for title in ("Detail: Transcript", "Detail: Recordings", "Export the filtered list"):
            assert title in body
        assert "Tab 1" not in body
        await pilot.press(close)
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen) and app.is_running


async def test_tab_keys_work_at_once_and_footer_says_so(store: SessionStore) -> None:
    app = _app(store, "k-tabs")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#transcript-view").has_focus
        assert "y Copy D Download" in _screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard  # copied at once, no Tab needed
        scope_node = target_for(app, app.screen, "transcript")
        assert scope_node is not None and scope_node.has_focus
