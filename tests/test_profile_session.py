"""The real app with profiles: switching from the command palette keeps two tenants' stores apart;
after a whole session (login, sync, switch, doctor, debug logging) no file under the config,
cache, data or state dirs holds the secret or a token; the first-run connect screen."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from accounts import SECRET, MemoryKeyring, memory_keyring, no_keyring, user_dirs
from mluvii_tui.app import MluviiApp
from mluvii_tui.cli.main import main
from mluvii_tui.config import paths
from mluvii_tui.config.profiles import ConfigFile, save_profile
from mluvii_tui.connect.opening import client_for, load_profile, open_store
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.screens.connect import ConnectApp, ConnectScreen
from mluvii_tui.screens.sessions import SessionsScreen
from mluvii_tui.store.store import SessionStore

__all__ = ["memory_keyring", "no_keyring", "user_dirs"]


@pytest.fixture(scope="module")
def two_sims() -> Iterator[tuple[Simulator, Simulator]]:
    one, two = Simulator(sessions=30, seed=5), Simulator(sessions=70, seed=9)
    one.start()
    two.start()
    yield one, two
    one.stop()
    two.stop()


async def login(monkeypatch: pytest.MonkeyPatch, profile: str, url: str) -> None:
    """`mluvii-tui login` (in a thread: it runs its own event loop, as from a shell)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    argv = ["--log-level", "debug", "login", "--profile", profile, "--base-url", url]
    assert (
        await asyncio.to_thread(main, [*argv, "--client-id", "demo-admin", "--secret-stdin"]) == 0
    )


def open_app(profile: str) -> MluviiApp:
    chosen = load_profile(profile, environ={})
    return MluviiApp(
        open_store(profile), client_for(chosen, environ={}), profile=profile, sync_days=36_500
    )


async def settle(app: MluviiApp, pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_switch_from_palette_keeps_stores_apart_and_leaks_nothing(
    user_dirs: Path,
    memory_keyring: MemoryKeyring,
    two_sims: tuple[Simulator, Simulator],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, two = two_sims
    await login(monkeypatch, "one", one.base_url)
    await login(monkeypatch, "two", two.base_url)
    app = open_app("one")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        first_total = app.store.total()
        assert first_total > 0 and isinstance(app.screen, SessionsScreen)
        logging.getLogger("mluvii_tui.test").info(
            "sent client_secret=%s with Authorization: Bearer abc.def-123", SECRET
        )
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Profile: two")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await settle(app, pilot)
        assert app.profile == "two"
        assert app.store.path == str(paths.store_path("two"))
        assert isinstance(app.screen, SessionsScreen)
        second_total = app.store.total()
        assert second_total > 0 and second_total != first_total
        assert app.client is not None and app.client.base_url == two.base_url
    reopened = SessionStore(paths.store_path("one"))
    assert reopened.total() == first_total  # the first tenant's store is untouched
    reopened.close()
    doctor = ["--log-level", "debug", "doctor", "--profile", "two"]
    assert await asyncio.to_thread(main, doctor) == 0

    tokens = [t for sim in two_sims for t in sim.app.state.sim.tokens]
    assert tokens and SECRET
    log = paths.log_file()
    assert log.stat().st_size > 0 and "client_secret=***" in log.read_text(encoding="utf-8")
    for path in [p for p in user_dirs.rglob("*") if p.is_file()]:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        assert not any(t.encode() in data for t in tokens), path
        assert b"abc.def-123" not in data, path
    for private in (paths.store_path("one"), log, paths.config_file()):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    for directory in (paths.cache_dir(), paths.state_dir(), paths.log_dir(), paths.data_dir()):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


async def test_switch_to_a_profile_without_secret_says_so(
    user_dirs: Path,
    memory_keyring: MemoryKeyring,
    two_sims: tuple[Simulator, Simulator],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await login(monkeypatch, "one", two_sims[0].base_url)
    await login(monkeypatch, "two", two_sims[1].base_url)
    memory_keyring.data.pop(("mluvii-tui", "two/client_secret"))
    app = open_app("one")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        app.switch_profile("two")
        await settle(app, pilot)
        assert app.profile == "one" and isinstance(app.screen, SessionsScreen)
        messages = [str(n.message) for n in app._notifications]
        assert any("no secret for profile 'two'" in m for m in messages), messages


def status_of(app: ConnectApp) -> str:
    return str(app.screen.query_one("#connect-status").render())


async def until(app: ConnectApp, pilot: object, done: Callable[[], bool], what: str) -> None:
    """Let the app work until ``done()`` holds (at most ~30 s). Waiting for workers right after a
    click is not enough: the click's Button.Pressed bubbles to the screen over several message
    hops and only then starts the worker, so a wait at once may find none (the CI race)."""
    for _ in range(600):
        if done():
            return
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    status = status_of(app) if app.is_running else "(app ended)"
    raise AssertionError(f"{what}; status: {status!r}")


async def press_connect(app: ConnectApp, pilot: object) -> str:
    """Click Connect; the status once the try has ended (the app may end instead)."""
    before = status_of(app)

    def ended() -> bool:
        # a try that succeeded dismisses the screen before the app ends (seen on CI: the
        # default screen showed in between, with no #connect-status)
        if not app.is_running or app.return_value is not None:
            return True
        if not isinstance(app.screen, ConnectScreen):
            return True
        status = status_of(app)
        return status != before and "trying the server" not in status

    # Enter in a field presses Connect the same way; a click was seen lost on CI (1 in ~10
    # full runs) while the previous try's status re-laid the form out
    await pilot.pause()  # type: ignore[attr-defined]
    app.screen.query_one("#connect-go", Button).press()
    await until(app, pilot, ended, "the connect try did not end")
    return status_of(app) if app.is_running and isinstance(app.screen, ConnectScreen) else ""


async def fill_and_connect(app: ConnectApp, pilot: object, url: str, secret: str) -> str:
    await until(app, pilot, lambda: isinstance(app.screen, ConnectScreen), "no connect screen")
    for selector, value in (("#connect-url", url), ("#connect-id", "demo-admin")):
        await pilot.click(selector)  # type: ignore[attr-defined]
        await pilot.press(*value)  # type: ignore[attr-defined]
    await pilot.click("#connect-secret")  # type: ignore[attr-defined]
    await pilot.press(*secret)  # type: ignore[attr-defined]
    return await press_connect(app, pilot)


def clear_form(app: ConnectApp) -> None:
    for selector in ("#connect-url", "#connect-secret", "#connect-id"):
        app.screen.query_one(selector, Input).value = ""


async def test_first_run_connect_screen(
    user_dirs: Path, memory_keyring: MemoryKeyring, two_sims: tuple[Simulator, Simulator]
) -> None:
    url = two_sims[0].base_url
    app = ConnectApp()
    async with app.run_test(size=(100, 30)) as pilot:
        no_scheme = url.removeprefix("http://")
        assert "no scheme" in await fill_and_connect(app, pilot, no_scheme, SECRET)
        clear_form(app)
        assert "rejected client id 'demo-admin'" in await fill_and_connect(app, pilot, url, "wrong")
        app.screen.query_one("#connect-secret", Input).value = SECRET
        await press_connect(app, pilot)
    assert app.return_value is not None
    profile, client = app.return_value
    assert profile.base_url == url and client.client_id == "demo-admin"
    await client.aclose()
    assert ConfigFile.load(paths.config_file()).default == profile.name
    assert memory_keyring.data[("mluvii-tui", f"{profile.name}/client_secret")] == SECRET


async def test_first_run_without_keyring_warns_once(
    user_dirs: Path, no_keyring: None, two_sims: tuple[Simulator, Simulator]
) -> None:
    url = two_sims[0].base_url
    app = ConnectApp()
    async with app.run_test(size=(100, 30)) as pilot:
        status = await fill_and_connect(app, pilot, url, SECRET)
        assert "kept for this run only" in status
        assert "MLUVII_TUI_CLIENT_SECRET" in status
        await press_connect(app, pilot)
    assert app.return_value is not None
    await app.return_value[1].aclose()
    assert not (paths.data_dir() / "secrets.json").exists()
    assert SECRET not in paths.config_file().read_text(encoding="utf-8")
    assert os.environ.get("MLUVII_TUI_CLIENT_SECRET") is None


async def test_switch_to_a_read_only_profile_removes_mutating_actions(
    user_dirs: Path,
    memory_keyring: MemoryKeyring,
    two_sims: tuple[Simulator, Simulator],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, two = two_sims
    await login(monkeypatch, "one", one.base_url)
    await login(monkeypatch, "two", two.base_url)
    save_profile(paths.config_file(), "two", {"read_only": True}, make_default=False)
    app = open_app("one")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        assert not app.permissions.read_only
        app.switch_profile("two")
        await settle(app, pilot)
        assert app.profile == "two"
        assert app.permissions.read_only
        assert app.permissions.why_not("forward") == "read-only mode: cannot re-route"
