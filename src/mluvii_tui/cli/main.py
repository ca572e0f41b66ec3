"""`mluvii-tui` command line: console, demo, simulator alone, relay, headless export.

Textual is imported only by commands that open the console: `export` and `simulator` stay light.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mluvii_tui.cli import args as cliargs
from mluvii_tui.cli.args import fail
from mluvii_tui.cli.console import run_console, run_demo, run_simulator
from mluvii_tui.heap import bound_heap, without_httpx_cli

ENV_CLIENT_ID = "MLUVII_TUI_CLIENT_ID"
ENV_CLIENT_SECRET = "MLUVII_TUI_CLIENT_SECRET"
ENV_SEARCH_LANGUAGES = "MLUVII_TUI_SEARCH_LANGUAGES"
DEMO_TRAFFIC = 6.0  # new live sessions per minute in `mluvii-tui demo`


def build_parser() -> argparse.ArgumentParser:
    parser = cliargs.OneLineParser(
        prog="mluvii-tui",
        description="Keyboard-first terminal console for mluvii sessions.",
        epilog=(
            "`mluvii-tui login` saves a profile (secret in the keyring); "
            f"{ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} override it. "
            "Try `mluvii-tui demo` first: it needs no mluvii tenant."
        ),
    )
    parser.add_argument(
        "--base-url", type=cliargs.base_url, help="mluvii server, e.g. https://app.mluvii.com"
    )
    parser.add_argument(
        "--profile", type=cliargs.profile, default=None, help="name for this server's local store"
    )
    parser.add_argument(
        "--days", type=cliargs.days, default=None, help="history window (days; profile's, or 7)"
    )
    parser.add_argument("--timing", action="store_true", help="print startup timing on exit")
    parser.add_argument(
        "--read-only", action="store_true", help="no mutating action (re-route, ban, notes, …)"
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("debug", "info", "warning", "error"),
        help="detail of the log file in the state dir (see `mluvii-tui locate`)",
    )
    parser.add_argument(
        "--no-mouse", action="store_true", help="leave the mouse to the terminal (its selection)"
    )
    parser.add_argument("--theme", help="light, dark, ansi or any Textual theme name")
    from mluvii_tui.cli.live import add_live_arguments, seconds

    add_live_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_account_commands(sub)

    demo = sub.add_parser("demo", help="start the simulator and open the console on it")
    _add_data_options(demo)
    demo.add_argument(
        "--days",
        type=cliargs.days,
        default=None,
        dest="demo_days",
        help="history to sync (default 7; everything when --data is given)",
    )
    demo.add_argument("--timing", action="store_true", dest="demo_timing", help="print timing")
    _add_traffic_option(demo, DEMO_TRAFFIC)
    demo.add_argument(
        "--wait-alert", type=seconds, default=0.0, dest="demo_wait_alert", metavar="S",
        help="bell and a notice when a client waits longer than S seconds (0 = off)",
    )  # fmt: skip

    sim = sub.add_parser("simulator", help="run the mluvii API simulator in the foreground")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=cliargs.port, default=0, help="0 picks a free port")
    _add_data_options(sim)
    _add_traffic_option(sim, 0.0)
    sim.add_argument(
        "--now", type=cliargs.moment, default=None, metavar="TIME",
        help="the tenant's clock at start (ISO 8601; default: now); with a fixed time a large "
        "data set (50,000 sessions or more) is kept in the cache and reused",
    )  # fmt: skip

    from mluvii_tui.live.relay.options import add_relay_arguments

    add_relay_arguments(sub.add_parser("relay", help="run the webhook->websocket relay service"))

    sync = sub.add_parser("sync", help="sync the history into the local store without the UI")
    from mluvii_tui.cli.sync import add_sync_arguments

    add_sync_arguments(sync)

    export = sub.add_parser("export", help="export sessions to CSV or HTML without the UI")
    from mluvii_tui.cli.export import add_export_arguments

    add_export_arguments(export)
    from mluvii_tui.cli.serve import add_serve_arguments

    add_serve_arguments(
        sub.add_parser("serve", help="run the console in a web browser (textual-serve)")
    )
    from mluvii_tui.cli.actions import add_action_commands

    add_action_commands(sub)
    return parser


def _add_account_commands(sub: Any) -> None:
    helps = {
        "login": "ask for and check credentials, store them (keyring) in a profile",
        "logout": "forget the stored secrets of a profile",
        "locate": "print where config, data, cache, state and logs live",
        "doctor": "check config, secrets, server, clock, relay, terminal and store",
    }
    for name, text in helps.items():
        command = sub.add_parser(name, help=text)
        # SUPPRESS: a subcommand's own default must not hide `mluvii-tui --profile P login`.
        command.add_argument(
            "--profile", type=cliargs.profile, default=argparse.SUPPRESS, help="profile name"
        )
        if name != "locate":
            command.add_argument(
                "--base-url", type=cliargs.base_url, default=argparse.SUPPRESS, help="server"
            )
        if name == "login":
            _add_login_arguments(command)


def _add_login_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--client-id", default=None, help="API client id (asked when missing)")
    parser.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the client secret from the first line of stdin (scripts), not a prompt",
    )
    parser.add_argument("--relay", default=None, help="relay URL (wss://…) for live events")
    parser.add_argument(
        "--encrypted-file",
        action="store_true",
        help="no keyring here: keep the secret in a file encrypted with a passphrase"
        " (asked, or MLUVII_TUI_SECRETS_PASSPHRASE)",
    )


def _add_traffic_option(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument(
        "--traffic",
        type=_rate,
        default=default,
        metavar="RATE",
        help=f"new live sessions per minute (default {default:g}; 0 turns traffic off)",
    )


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 6000:
        raise argparse.ArgumentTypeError("between 0 and 6000 sessions per minute")
    return value


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=cliargs.count, default=5000, help="generated sessions")
    parser.add_argument("--seed", type=cliargs.seed, default=7, help="random seed of the data")
    parser.add_argument("--data", type=Path, default=None, help="JSON array of SessionModel")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status: 0 done, 1 failed, 2 bad arguments, 130 Ctrl+C.

    A failure nobody foresaw is one line on stderr and status 1, never a traceback."""
    started = time.perf_counter()
    bound_heap()  # before any thread: one malloc arena, large blocks mapped (heap.py)
    without_httpx_cli()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad argument (2, its line already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if (problem := _search_languages()) is not None:
        print(f"mluvii-tui: {problem}", file=sys.stderr)
        return 2
    from mluvii_tui.config.logs import setup_logging

    try:
        setup_logging(args.log_level)
    except OSError as exc:
        print(f"mluvii-tui: cannot open the log file: {exc}", file=sys.stderr)
    try:
        if args.command in ("login", "logout", "locate"):
            from mluvii_tui.connect import account

            run = {"login": account.login_command, "logout": account.logout_command}
            return run.get(args.command, account.locate_command)(args)
        if args.command == "doctor":
            from mluvii_tui.connect.doctor import doctor_command

            return doctor_command(args)
        if args.command == "simulator":
            return run_simulator(args)
        if args.command == "demo":
            return run_demo(args, started)
        if args.command == "serve":
            from mluvii_tui.cli.serve import serve_command

            return serve_command(args)
        if args.command == "relay":
            from mluvii_tui.live.relay.run import relay_command

            return relay_command(args)
        if args.command == "sync":
            from mluvii_tui.cli.sync import sync_command

            return sync_command(args)
        if args.command == "export":
            from mluvii_tui.cli.export import export_command

            args.days = 7 if args.days is None else args.days  # None: the console's profile says
            return export_command(args)
        if args.command in ("sessions", "ban", "unban", "availability"):
            from mluvii_tui.cli.actions import action_command

            return action_command(args)
        return run_console(args, started)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last guard: one line, non-zero
        from mluvii_tui.text import one_line

        return fail(f"failed: {type(exc).__name__}: {one_line(str(exc), 300)}")


def _search_languages() -> str | None:
    """Search analyses the languages in MLUVII_TUI_SEARCH_LANGUAGES (default cs,en; at most
    two); returns a one-line problem, or None."""
    text = os.environ.get(ENV_SEARCH_LANGUAGES, "").strip()
    if not text:
        return None
    from mluvii_tui.query.analysis import configure_languages, parse_languages

    try:
        configure_languages(parse_languages(text))
    except ValueError as exc:
        return f"{ENV_SEARCH_LANGUAGES}: {exc}"
    return None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
