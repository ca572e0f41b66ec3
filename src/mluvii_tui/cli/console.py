"""Opening the console: the demo (simulator + relay started in a worker while the console is
already on screen), a profile (flags over environment over config.toml; none at all: the
first-run connect screen), and the simulator alone. The app's exit status and a one-line crash
report come back to ``main``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mluvii_tui.cli.args import fail

DEMO_CLIENT_ID = "demo-admin"
DEMO_CLIENT_SECRET = "demo-admin-secret"


def index_progress(done: int, total: int) -> None:
    """Progress of the one-time search index rebuild (after an upgrade), on stderr."""
    if done >= total:
        line, end = f"search index updated: {done:,} sessions with messages", "\n"
    else:
        line, end = f"updating the search index (once): {done:,} of ~{total:,} sessions", ""
    print(f"\rmluvii-tui: {line}", end=end, file=sys.stderr, flush=True)


def _check_data_file(path: Path | None) -> str | None:
    if path is not None and not path.is_file():
        return f"data file not found: {path}"
    return None


def run_simulator(args: argparse.Namespace) -> int:
    if (problem := _check_data_file(args.data)) is not None:
        return fail(problem)
    from mluvii_tui.demo.runner import run_foreground
    from mluvii_tui.heap import reuse_large_blocks

    reuse_large_blocks()  # it serves pages of a few MB again and again (heap.py)

    return (
        run_foreground(
            host=args.host,
            port=args.port,
            sessions=args.sessions,
            seed=args.seed,
            data_file=args.data,
            traffic=args.traffic,
            now=args.now,
        )
        or 0
    )


def run_demo(args: argparse.Namespace, started: float) -> int:
    if (problem := _check_data_file(args.data)) is not None:
        return fail(problem)
    from mluvii_tui.cli.live import DemoRelay
    from mluvii_tui.config.paths import store_path
    from mluvii_tui.demo.runner import Simulator
    from mluvii_tui.screens.live import LiveOptions

    simulator = Simulator(
        sessions=args.sessions, seed=args.seed, data_file=args.data, traffic=args.traffic
    )
    relay = DemoRelay()
    live = LiveOptions(wait_alert_s=args.demo_wait_alert or args.wait_alert)

    def connect() -> Any:  # runs in a worker thread while the console is already on screen
        from mluvii_tui.api.client import MluviiClient

        url = simulator.start()  # then the relay, which registers its webhook there
        live.url, live.token = relay.start(url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), relay.token
        return MluviiClient(url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)

    try:
        path = store_path("demo")
        for suffix in ("", "-wal", "-shm"):  # the demo store is a throwaway cache
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return _open_console(
            None,
            profile="demo",
            days=args.demo_days or (36_500 if args.data else 7),
            started=started,
            timing=args.demo_timing or args.timing,
            connect=connect,
            ui=args,
            read_only=args.read_only,
            live=live,
        )
    finally:
        relay.stop()
        simulator.stop()


def run_console(args: argparse.Namespace, started: float) -> int:
    """Open the console on the chosen profile (flags over environment over config.toml); with
    none at all, the first-run connect screen asks for a server and credentials."""
    from mluvii_tui.config.paths import config_file
    from mluvii_tui.config.profiles import ConfigError, ConfigFile, resolve
    from mluvii_tui.config.secrets import SecretsError
    from mluvii_tui.connect.opening import (
        check_profile,
        client_for,
        connect_later,
        secret_asks_terminal,
    )

    connect = None
    try:
        profile = resolve(
            ConfigFile.load(config_file()), profile=args.profile, base_url=args.base_url
        )
        if profile is None:
            from mluvii_tui.screens.connect import run_connect

            chosen = run_connect()
            if chosen is None:
                return fail("no server chosen; `mluvii-tui demo` needs none")
            profile, client = chosen
        elif secret_asks_terminal(profile):  # the passphrase prompt needs the terminal
            from mluvii_tui.connect.account import passphrase

            client = client_for(profile, passphrase=passphrase)
        else:  # the keyring and the client: after the first paint
            check_profile(profile)
            client, connect = None, connect_later(profile)
    except (ConfigError, SecretsError) as exc:
        return fail(str(exc))
    from mluvii_tui.cli.live import console_live

    live = console_live(args, profile)
    if isinstance(live, str):
        return fail(live)
    return _open_console(
        client,
        profile=profile.name,
        days=args.days or profile.history_days,
        started=started,
        timing=args.timing,
        connect=connect,
        base_url=profile.base_url,
        ui=args,
        theme=profile.theme,
        read_only=args.read_only or profile.read_only,
        live=live,
        profile_settings=profile,
    )


def _open_console(
    client: Any,
    *,
    profile: str,
    days: int,
    started: float,
    timing: bool,
    connect: Callable[[], Any] | None = None,
    base_url: str | None = None,
    ui: argparse.Namespace,
    theme: str = "",
    read_only: bool = False,
    live: Any = None,
    profile_settings: Any = None,
) -> int:
    from mluvii_tui.app import MluviiApp
    from mluvii_tui.cli.serve import console_settings
    from mluvii_tui.connect.opening import open_healed

    settings = console_settings(ui, theme)
    if isinstance(settings, str):
        return fail(settings)
    try:
        store, notice = open_healed(profile, index_progress=index_progress)
    except Exception as exc:
        return fail(f"cannot open the local store: {exc}")
    if notice:
        print(f"mluvii-tui: {notice}", file=sys.stderr)
    app = MluviiApp(
        store,
        client,
        profile=profile,
        sync_days=days,
        base_url=client.base_url if client is not None else base_url,
        started_at=started,
        connect=connect,
        keymap=settings.keys,
        clipboard=settings.clipboard,
        theme=settings.theme,
        read_only=read_only,
        live=live,
        settings=profile_settings,
    )
    app.startup_notice = notice
    try:
        app.run(mouse=settings.mouse)
    finally:
        store.close()
    if timing and app.first_paint_s is not None:
        print(f"startup to first table paint: {app.first_paint_s * 1000:.0f} ms", file=sys.stderr)
    code = app.return_code or 0
    if code and app.fatal_error:
        print(f"mluvii-tui: {app.fatal_error}", file=sys.stderr)
    return code
