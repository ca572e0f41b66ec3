"""`mluvii-tui` command line: the console, the demo, the simulator alone, headless export.

Textual is imported only by commands that open the console: `export` and `simulator` stay light.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ENV_CLIENT_ID = "MLUVII_TUI_CLIENT_ID"
ENV_CLIENT_SECRET = "MLUVII_TUI_CLIENT_SECRET"
DEMO_CLIENT_ID = "demo-admin"
DEMO_CLIENT_SECRET = "demo-admin-secret"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mluvii-tui",
        description="Keyboard-first terminal console for mluvii sessions.",
        epilog=(
            f"Credentials for --base-url come from {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}. "
            "Try `mluvii-tui demo` first: it needs no mluvii tenant."
        ),
    )
    parser.add_argument("--base-url", help="mluvii server, e.g. https://app.mluvii.com")
    parser.add_argument("--profile", default=None, help="name for this server's local store")
    parser.add_argument("--days", type=int, default=7, help="history window to sync (days)")
    parser.add_argument("--timing", action="store_true", help="print startup timing on exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="start the simulator and open the console on it")
    _add_data_options(demo)
    demo.add_argument(
        "--days",
        type=int,
        default=None,
        dest="demo_days",
        help="history to sync (default 7; everything when --data is given)",
    )
    demo.add_argument("--timing", action="store_true", dest="demo_timing", help="print timing")

    sim = sub.add_parser("simulator", help="run the mluvii API simulator in the foreground")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=0, help="0 picks a free port")
    _add_data_options(sim)

    export = sub.add_parser("export", help="export sessions to CSV or HTML without the UI")
    from mluvii_tui.cli.export import add_export_arguments

    add_export_arguments(export)
    return parser


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=int, default=5000, help="generated sessions")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the generated data")
    parser.add_argument("--data", type=Path, default=None, help="JSON array of SessionModel")


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    try:
        if args.command == "simulator":
            return _run_simulator(args)
        if args.command == "demo":
            return _run_demo(args, started)
        if args.command == "export":
            from mluvii_tui.cli.export import export_command

            return export_command(args)
        return _run_console(args, started)
    except KeyboardInterrupt:
        return 130


def _error(message: str) -> int:
    print(f"mluvii-tui: {message}", file=sys.stderr)
    return 1


def _check_data_file(path: Path | None) -> str | None:
    if path is not None and not path.is_file():
        return f"data file not found: {path}"
    return None


def _run_simulator(args: argparse.Namespace) -> int:
    if (problem := _check_data_file(args.data)) is not None:
        return _error(problem)
    from mluvii_tui.demo.runner import run_foreground

    return (
        run_foreground(
            host=args.host,
            port=args.port,
            sessions=args.sessions,
            seed=args.seed,
            data_file=args.data,
        )
        or 0
    )


def _run_demo(args: argparse.Namespace, started: float) -> int:
    if (problem := _check_data_file(args.data)) is not None:
        return _error(problem)
    from mluvii_tui.config.paths import store_path
    from mluvii_tui.demo.runner import Simulator

    simulator = Simulator(sessions=args.sessions, seed=args.seed, data_file=args.data)

    def connect() -> Any:  # runs in a worker thread while the console is already on screen
        from mluvii_tui.api.client import MluviiClient

        return MluviiClient(simulator.start(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)

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
        )
    finally:
        simulator.stop()


def _run_console(args: argparse.Namespace, started: float) -> int:
    if not args.base_url:
        build_parser().print_help(sys.stderr)
        return 2
    client_id = os.environ.get(ENV_CLIENT_ID, "")
    client_secret = os.environ.get(ENV_CLIENT_SECRET, "")
    if not client_id or not client_secret:
        return _error(f"set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} to use --base-url")
    profile = args.profile or _profile_from_url(args.base_url)
    return _open_console(
        (args.base_url, client_id, client_secret),
        profile=profile,
        days=args.days,
        started=started,
        timing=args.timing,
    )


def _profile_from_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else f"https://{url}")
    return (parts.hostname or "default") + (f"-{parts.port}" if parts.port else "")


def _open_console(
    client_args: tuple[str, str, str] | None,
    *,
    profile: str,
    days: int,
    started: float,
    timing: bool,
    connect: Callable[[], Any] | None = None,
) -> int:
    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.app import MluviiApp
    from mluvii_tui.config.paths import store_path
    from mluvii_tui.store.store import SessionStore

    try:
        store = SessionStore(store_path(profile))
    except Exception as exc:
        return _error(f"cannot open the local store: {exc}")
    client = MluviiClient(*client_args) if client_args is not None else None
    app = MluviiApp(
        store,
        client,
        profile=profile,
        sync_days=days,
        base_url=client_args[0] if client_args else None,
        started_at=started,
        connect=connect,
    )
    try:
        app.run()
    finally:
        store.close()
    if timing and app.first_paint_s is not None:
        print(f"startup to first table paint: {app.first_paint_s * 1000:.0f} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
