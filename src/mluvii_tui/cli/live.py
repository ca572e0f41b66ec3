"""The console's live options (``--relay URL``, ``--wait-alert S``) and the demo's in-process relay.

The relay token comes from ``MLUVII_TUI_RELAY_TOKEN`` or the profile's keyring entry (`mluvii-tui
login --relay URL` stores it), never from the command line: options show in process lists.
"""

from __future__ import annotations

import argparse
import secrets
import socket
import tempfile
from pathlib import Path
from typing import Any

from mluvii_tui.config.secrets import ENV_FOR, RELAY_TOKEN

ENV_RELAY_TOKEN = ENV_FOR[RELAY_TOKEN]


def relay_url(value: str) -> str:
    """argparse type: an http(s)/ws(s) URL with a host."""
    from mluvii_tui.live.feed import relay_ws_url

    try:
        relay_ws_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value.strip()


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value[:40]!r}") from None
    if not 0 <= number <= 86_400:
        raise argparse.ArgumentTypeError("seconds must be between 0 and 86400")
    return number


def add_live_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--relay",
        type=relay_url,
        default=None,
        dest="relay_url",
        help=f"relay URL for live events (token in {ENV_RELAY_TOKEN} or the keyring);"
        " without one the Live view polls every 10 s",
    )
    parser.add_argument(
        "--wait-alert",
        type=seconds,
        default=0.0,
        metavar="S",
        help="bell and a notice when a client waits longer than S seconds (0 = off)",
    )


def console_live(args: argparse.Namespace, profile: Any) -> Any:
    """LiveOptions for a profile's console, or a one-line problem (str)."""
    from mluvii_tui.config.secrets import SecretsError, get_secret
    from mluvii_tui.screens.live import LiveOptions

    url = args.relay_url or profile.relay_url
    options = LiveOptions(wait_alert_s=args.wait_alert)
    if not url:
        return options
    try:
        relay_url(url)
        found = get_secret(profile.name, RELAY_TOKEN)
    except (argparse.ArgumentTypeError, SecretsError) as exc:
        return f"relay: {exc}"
    if found is None:
        return f"relay {url}: no token; set {ENV_RELAY_TOKEN} or run `mluvii-tui login --relay URL`"
    options.url, options.token = url, found.value
    return options


class DemoRelay:
    """The demo's relay on loopback: registers its webhook at the simulator and keeps its event
    log in a temporary directory (removed by ``stop``)."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(18)
        self._dir = tempfile.TemporaryDirectory(prefix="mluvii-demo-relay-")
        self._thread: Any = None

    def start(self, simulator_url: str, client_id: str, client_secret: str) -> str:
        from mluvii_tui.live.relay.run import RelayConfig, RelayThread

        port = _free_port()
        config = RelayConfig(
            token=self.token,
            mluvii_url=simulator_url,
            client_id=client_id,
            client_secret=client_secret,
            public_url=f"http://127.0.0.1:{port}",
            store=f"sqlite:{Path(self._dir.name) / 'events.db'}",
            port=port,
            webhook_password=secrets.token_urlsafe(18),
        )
        self._thread = RelayThread(config)
        return str(self._thread.start())

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        self._dir.cleanup()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
