"""``mluvii-tui relay`` arguments. Light on purpose: the CLI imports this for every command."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

ENV_RELAY_TOKEN = "MLUVII_TUI_RELAY_TOKEN"
ENV_WEBHOOK_SECRET = "MLUVII_TUI_WEBHOOK_SECRET"


def add_relay_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Receive mluvii webhooks, keep them in one numbered event log and stream them to "
        "consoles over websockets. Credentials: MLUVII_TUI_CLIENT_ID/SECRET (mluvii API), "
        f"{ENV_RELAY_TOKEN} (consoles), {ENV_WEBHOOK_SECRET} (the password mluvii sends; "
        "set it when several relays share one callback URL)."
    )
    parser.add_argument("--port", default="8765", help="port to listen on (default 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--mluvii", metavar="URL", help="mluvii server, e.g. https://app.mluvii.com"
    )
    parser.add_argument("--public-url", metavar="URL", help="this relay's URL as mluvii reaches it")
    parser.add_argument(
        "--store",
        default=None,
        help="sqlite:PATH (default, in the user data dir) or redis://H:P/DB",
    )
    parser.add_argument("--token", default=None, help=f"console token (prefer {ENV_RELAY_TOKEN})")
    parser.add_argument("--client-id", default=None, help="mluvii API client id (else env)")
    parser.add_argument("--webhook-user", default="mluvii", help="user in the callback URL")
    parser.add_argument("--window", default="50000", help="events kept for resuming consoles")
    parser.add_argument("--dedup-seconds", default="600", help="how long a duplicate is caught")
    parser.add_argument("--max-backlog", default="4096", help="frames a console may lag behind")
    parser.add_argument("--register-every", default="600", help="seconds between re-registrations")
    parser.add_argument(
        "--enrich",
        choices=("lifecycle", "all"),
        default="lifecycle",
        help="attach the fresh session to lifecycle events (default) or to every session event",
    )
    parser.add_argument(
        "--compression",
        action="store_true",
        help="compress frames for consoles that ask (saves bandwidth; ~3x relay CPU per frame)",
    )
    parser.add_argument(
        "--no-register", action="store_true", help="do not register the webhook at mluvii"
    )
    parser.error = _one_line_error(parser.prog)  # type: ignore[method-assign]


def _one_line_error(prog: str):  # type: ignore[no-untyped-def]
    def error(message: str) -> NoReturn:
        print(f"{prog}: {message}", file=sys.stderr)
        raise SystemExit(2)

    return error
