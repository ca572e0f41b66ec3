"""``mluvii-tui serve``: the console in a web browser (textual-serve), loopback by default, and
the console's settings from config.toml ``[ui]``/``[keys]`` and the flags."""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import dataclass
from ipaddress import ip_address

LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class ConsoleSettings:
    keys: dict[str, str]
    clipboard: str
    mouse: bool
    theme: str


def console_settings(args: argparse.Namespace, profile_theme: str = "") -> ConsoleSettings | str:
    """Flags over the profile over ``[ui]``; a string is one line saying what is wrong."""
    from mluvii_tui.config.paths import config_file
    from mluvii_tui.config.profiles import ConfigError, ConfigFile
    from mluvii_tui.keymap.commands import check_keymap

    try:
        config = ConfigFile.load(config_file())
    except ConfigError as exc:
        return str(exc)
    problem = check_keymap(config.keys)
    if problem is not None:
        return f"{config.path}: {problem}"
    return ConsoleSettings(
        keys=config.keys,
        clipboard=config.ui.clipboard,
        mouse=config.ui.mouse and not args.no_mouse,
        theme=args.theme or profile_theme or config.ui.theme,
    )


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--public-url", default=None, help="URL the browser uses, when behind a proxy"
    )
    parser.add_argument(
        "--demo", action="store_true", help="serve the demo (simulator) instead of a profile"
    )


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def served_command(args: argparse.Namespace) -> str:
    """The console each browser tab runs (a subprocess of this interpreter, absolute path)."""
    parts = [sys.executable, "-m", "mluvii_tui.cli.main"]
    if args.profile:
        parts += ["--profile", args.profile]
    if args.base_url:
        parts += ["--base-url", args.base_url]
    if args.theme:
        parts += ["--theme", args.theme]
    if args.demo:
        parts.append("demo")
    return shlex.join(parts)


def serve_command(args: argparse.Namespace) -> int:
    from textual_serve.server import Server

    if not is_loopback(args.host):
        print(
            f"mluvii-tui: warning: serving on {args.host}: whoever reaches port {args.port} "
            "gets the console with this profile's credentials",
            file=sys.stderr,
        )
    server = Server(
        served_command(args),
        host=args.host,
        port=args.port,
        title="mluvii-tui",
        public_url=args.public_url,
    )
    server.serve()
    return 0
