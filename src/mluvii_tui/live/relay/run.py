"""Build the relay from its options and serve it: ``relay_command`` (CLI, foreground) and
``RelayThread`` (in-process, a daemon thread: the demo and tests)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import uvicorn

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.errors import MluviiError
from mluvii_tui.api.webhooks import EVENT_TYPES
from mluvii_tui.live.relay.enrich import Enricher
from mluvii_tui.live.relay.log import StoreError, open_log
from mluvii_tui.live.relay.options import ENV_RELAY_TOKEN, ENV_WEBHOOK_SECRET
from mluvii_tui.live.relay.register import Registration, callback_url
from mluvii_tui.live.relay.service import Relay, RelaySettings
from mluvii_tui.serving import run_in_thread, wait_started

ENV_CLIENT_ID = "MLUVII_TUI_CLIENT_ID"
ENV_CLIENT_SECRET = "MLUVII_TUI_CLIENT_SECRET"


class ConfigError(ValueError):
    """A bad option; ``str(exc)`` is one line (exit 2)."""


@dataclass
class RelayConfig:
    token: str
    mluvii_url: str | None = None  # None: no enrichment, no registration
    client_id: str = ""
    client_secret: str = ""
    public_url: str = "http://127.0.0.1"
    store: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    webhook_user: str = "mluvii"
    webhook_password: str = ""
    window: int = 50_000
    dedup_seconds: float = 600.0
    max_backlog: int = 4096
    ring_size: int = 2048
    register: bool = True
    register_every: float = 600.0
    enrich_activities: bool = False
    compression: bool = False  # permessage-deflate when a console asks: 3x relay CPU per frame


def default_store() -> str:
    data = Path(platformdirs.user_data_dir("mluvii-tui", appauthor=False))
    return f"sqlite:{data / 'relay-events.db'}"


def config_from_args(args: argparse.Namespace) -> RelayConfig:
    token = args.token or os.environ.get(ENV_RELAY_TOKEN, "")
    if not token:
        raise ConfigError(f"set {ENV_RELAY_TOKEN} (or --token): consoles authenticate with it")
    if not args.mluvii:
        raise ConfigError("--mluvii URL is required (the mluvii server to enrich events from)")
    if not args.public_url:
        raise ConfigError("--public-url URL is required (where mluvii posts the webhooks)")
    client_id = args.client_id or os.environ.get(ENV_CLIENT_ID, "")
    client_secret = os.environ.get(ENV_CLIENT_SECRET, "")
    if not client_id or not client_secret:
        raise ConfigError(f"set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} for the mluvii API")
    store = args.store or default_store()
    if not store.startswith(("sqlite:", "redis://", "rediss://", "unix://")):
        raise ConfigError(f"--store must be sqlite:PATH or redis://HOST:PORT/DB, not {store!r}")
    config = RelayConfig(
        token=token,
        mluvii_url=args.mluvii,
        client_id=client_id,
        client_secret=client_secret,
        public_url=args.public_url,
        store=store,
        host=args.host,
        port=_number(args.port, "--port", 0, 65535),
        webhook_user=args.webhook_user,
        webhook_password=os.environ.get(ENV_WEBHOOK_SECRET, ""),
        window=_number(args.window, "--window", 1, 100_000_000),
        dedup_seconds=_number(args.dedup_seconds, "--dedup-seconds", 1, 86_400 * 7),
        max_backlog=_number(args.max_backlog, "--max-backlog", 1, 10_000_000),
        register=not args.no_register,
        register_every=_number(args.register_every, "--register-every", 10, 86_400 * 3),
        enrich_activities=args.enrich == "all",
        compression=args.compression,
    )
    try:
        callback_url(config.public_url, config.webhook_user, "x")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return config


def _number(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {str(text)[:40]!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}")
    return value


async def build_relay(config: RelayConfig) -> Relay:
    """Open the event log and assemble the service (``StoreError`` if the log is unusable)."""
    event_log = await open_log(config.store or default_store(), window=config.window)
    password = config.webhook_password or secrets.token_urlsafe(24)
    client = None
    if config.mluvii_url:
        client = MluviiClient(
            config.mluvii_url, config.client_id, config.client_secret, timeout=5, max_retries=1
        )
    secret_url, public_callback = callback_url(config.public_url, config.webhook_user, password)
    registration = Registration(
        client if config.register else None,
        secret_url,
        public_callback,
        list(EVENT_TYPES),
        every=config.register_every,
    )
    settings = RelaySettings(
        token=config.token,
        webhook_user=config.webhook_user,
        webhook_password=password,
        dedup_seconds=config.dedup_seconds,
        ring_size=config.ring_size,
        max_backlog=config.max_backlog,
    )
    enricher = None
    if client is not None:
        enricher = Enricher(client, activities=config.enrich_activities)
    return Relay(event_log, settings, enricher=enricher, registration=registration)


def _server(relay: Relay, compression: bool) -> uvicorn.Server:
    config = uvicorn.Config(
        relay.app,
        ws_per_message_deflate=compression,
        log_level="warning",
        access_log=False,
        ws="websockets-sansio",
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def _listen(host: str, port: int) -> socket.socket:
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it every small write waits for a delayed ACK (measured: 45 ms per request).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(512)
    sock.setblocking(False)
    return sock


def relay_command(args: argparse.Namespace) -> int:
    """``mluvii-tui relay``: serve until Ctrl+C or SIGTERM. 2 = bad options, 1 = cannot start."""
    try:
        config = config_from_args(args)
    except ConfigError as exc:
        print(f"mluvii-tui relay: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="relay: %(message)s", stream=sys.stderr)
    if not config.webhook_password:
        logging.getLogger("mluvii_tui.relay").info(
            "%s not set: a random webhook password for this run", ENV_WEBHOOK_SECRET
        )
    try:
        return asyncio.run(_serve_foreground(config))
    except (StoreError, MluviiError, OSError) as exc:
        print(f"mluvii-tui relay: cannot start: {exc}", file=sys.stderr)
        return 1


async def _serve_foreground(config: RelayConfig) -> int:
    relay = await build_relay(config)
    sock = _listen(config.host, config.port)
    port = sock.getsockname()[1]
    print(f"relay: listening on {config.host}:{port}, store {relay.log.kind} {relay.log.where}",
          file=sys.stderr, flush=True)  # fmt: skip
    await _server(relay, config.compression).serve(sockets=[sock])
    return 0


class RelayThread:
    """The relay on loopback in a daemon thread; ``start()`` returns its base URL."""

    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self.relay: Relay | None = None
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        sock = _listen(self.config.host, self.config.port)
        self.config.port = sock.getsockname()[1]
        failure: list[BaseException] = []

        async def main() -> None:
            self.relay = await build_relay(self.config)
            self._server = _server(self.relay, self.config.compression)
            await self._server.serve(sockets=[sock])

        self._thread = run_in_thread(main, "mluvii-relay", failure, after=sock.close)
        wait_started(
            lambda: self._server is not None and self._server.started,
            self._thread,
            failure,
            "relay",
            on_timeout=self.stop,
        )
        self.base_url = f"http://{self.config.host}:{self.config.port}"
        return self.base_url

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=3)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=1)
        self._server = self._thread = None

    def __enter__(self) -> RelayThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
