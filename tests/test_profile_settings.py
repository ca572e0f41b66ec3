"""A profile's time zone, theme, default view and default columns applied by the real app (a real
config.toml in a temp config dir, the simulator, the rendered screen), at start and after a switch
from the palette; values the console cannot use are one line naming file, line and key."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts import SECRET, MemoryKeyring, memory_keyring, user_dirs
from mluvii_tui.app import MluviiApp
from mluvii_tui.cli.main import main
from mluvii_tui.config import paths
from mluvii_tui.config.profiles import save_profile
from mluvii_tui.config.zone import use_zone, zone_name
from mluvii_tui.connect.opening import client_for, load_profile, open_store
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.export.html_export import zone_note
from mluvii_tui.screens.saved_views import save_view
from mluvii_tui.screens.sessions import SessionsScreen
from mluvii_tui.widgets.session_table import SessionTable
from screen_text import screen_text

__all__ = ["memory_keyring", "user_dirs"]

NEPAL, NEWFOUNDLAND = "Asia/Kathmandu", "America/St_Johns"  # +05:45 and -03:30: unmistakable


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(sessions=40, seed=3) as running:
        yield running


@pytest.fixture(autouse=True)
def local_zone_after() -> Iterator[None]:
    yield
    use_zone("")  # the next test sees the zone the process started with (UTC)


async def login(monkeypatch: pytest.MonkeyPatch, profile: str, url: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    argv = ["login", "--profile", profile, "--base-url", url, "--client-id", "demo-admin"]
    assert await asyncio.to_thread(main, [*argv, "--secret-stdin"]) == 0


@pytest.fixture
def profiles(
    user_dirs: Path, memory_keyring: MemoryKeyring, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """Logs in profiles on the simulator (temp config dir, memory keyring) with settings."""

    async def make(**settings: dict) -> None:
        for name, values in settings.items():
            await login(monkeypatch, name, sim.base_url)
            save_profile(paths.config_file(), name, values, make_default=False)

    return make


def open_app(name: str) -> MluviiApp:
    profile = load_profile(name, environ={})
    client = client_for(profile, environ={})
    return MluviiApp(
        open_store(name), client, profile=name, sync_days=36_500, theme=profile.theme,
        settings=profile,
    )  # fmt: skip


async def settle(app: MluviiApp, pilot: object, until: object = None) -> None:
    """Workers done and the screen rendered; with ``until`` (a callable), also until it holds
    (a loaded machine may take a while to switch profile; bounded, no timing asserted)."""
    for _ in range(100):
        for _ in range(2):
            await app.workers.wait_for_complete()
            await pilot.pause()  # type: ignore[attr-defined]
        await pilot.pause(0.1)  # type: ignore[attr-defined]
        if until is None or until():  # type: ignore[operator]
            return


def first_created(app: MluviiApp, zone: str) -> tuple[str, str]:
    """The first row's creation time as the table must show it in ``zone``, and in UTC."""
    table = app.screen.query_one(SessionTable)
    row = table.row_at(0)
    moment = datetime.fromtimestamp(row["created"], ZoneInfo(zone))
    utc = datetime.fromtimestamp(row["created"], ZoneInfo("UTC"))
    return f"{moment:%Y-%m-%d %H:%M}", f"{utc:%Y-%m-%d %H:%M}"


def messages(app: MluviiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_profile_settings_apply_at_start_and_on_switch(profiles: Any) -> None:
    await profiles(
        nepal={
            "time_zone": NEPAL,
            "theme": "textual-light",
            "view": "all",
            "columns": ["id", "created", "channel"],
        },
        newf={"time_zone": NEWFOUNDLAND, "theme": "nord", "view": "chats only"},
    )
    chats = {"name": "chats only", "view": "history", "columns": ["created", "channel", "status"]}
    chats["filters"] = [{"column": "channel", "op": "in", "values": ["Chat"]}]
    save_view("newf", chats)
    app = open_app("nepal")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(app, pilot, lambda: app.screen.query_one(SessionTable).row_count > 0)
        assert app.theme == "textual-light"
        table = app.screen.query_one(SessionTable)
        assert [c.id for c in table.columns] == ["id", "created", "channel"]
        assert table.query.view == "all"
        shown, utc = first_created(app, NEPAL)
        assert shown != utc
        text = screen_text(app)
        assert shown in text and "All" in text
        assert zone_name() == NEPAL
        assert "times in Asia/Kathmandu (UTC+05:45)" in zone_note(datetime.now().astimezone())

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Profile: newf")
        await pilot.pause(0.3)
        await pilot.press("enter")

        def switched() -> bool:
            if app.profile != "newf" or not isinstance(app.screen, SessionsScreen):
                return False
            table = app.screen.query_one(SessionTable)
            return bool(table.query.filters) and table.row_count > 0 and not table.updating

        await settle(app, pilot, switched)
        assert app.profile == "newf" and isinstance(app.screen, SessionsScreen)
        assert app.theme == "nord"
        table = app.screen.query_one(SessionTable)
        assert [c.id for c in table.columns] == ["created", "channel", "status"]
        assert [f.column for f in table.query.filters] == ["channel"]
        shown, utc = first_created(app, NEWFOUNDLAND)
        text = screen_text(app)
        assert shown in text and utc not in text.split("\n", 3)[3]
        assert zone_name() == NEWFOUNDLAND


async def test_values_the_console_cannot_use_name_file_line_and_key(profiles: Any) -> None:
    await profiles(
        odd={"theme": "textual-lite", "view": "chatz", "columns": ["created", "chanel"]},
    )
    app = open_app("odd")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(app, pilot)
        said = messages(app)
        config = re.escape(str(paths.config_file()))
        for pattern in (
            rf"{config}, line \d+: theme: 'textual-lite' is not a theme \(did you mean "
            r"'textual-light'\?\)",
            rf"{config}, line \d+: view: 'chatz' is not a saved view \(valid: [a-z, ]+\): "
            "History is shown",
            rf"{config}, line \d+: columns: 'chanel' is not a column \(did you mean 'channel'\?\)",
        ):
            assert any(re.fullmatch(pattern, m) for m in said), (pattern, said)
        table = app.screen.query_one(SessionTable)  # nothing lost: the rest applies
        assert [c.id for c in table.columns] == ["created"] and table.query.view == "history"
        assert table.row_count > 0 and "History" in screen_text(app)


def test_a_bad_time_zone_stops_the_start_with_one_line(
    user_dirs: Path, memory_keyring: MemoryKeyring, sim: Simulator, capsys: pytest.CaptureFixture
) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'default = "x"\n\n[profiles.x]\nbase_url = "{sim.base_url}"\n'
        'client_id = "demo-admin"\ntime_zone = "Europe/Prag"\n',
        encoding="utf-8",
    )
    assert main(["--profile", "x"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    zone = "time_zone: unknown time zone 'Europe/Prag', e.g. Europe/Prague"
    assert err == [f"mluvii-tui: {path}, line 6: {zone}"]


async def test_the_console_command_opens_with_the_profile_settings(
    profiles: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mluvii-tui --profile nepal` builds the app with the profile's settings applied (the
    terminal itself cannot run here: the app's ``run`` only records what it was given)."""
    await profiles(nepal={"time_zone": NEPAL, "theme": "textual-light", "view": "live"})
    seen: dict[str, Any] = {}

    def record(app: MluviiApp, **_: Any) -> None:
        seen.update(settings=app.profile_settings, theme=app.theme, zone=zone_name())
        app.store.close()

    monkeypatch.setattr(MluviiApp, "run", record)
    assert await asyncio.to_thread(main, ["--profile", "nepal"]) == 0
    assert seen["settings"].name == "nepal" and seen["settings"].view == "live"
    assert seen["theme"] == "textual-light" and seen["zone"] == NEPAL
