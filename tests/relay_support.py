"""Helpers for the relay and feed tests: a relay on loopback, a webhook poster that behaves like
mluvii (Basic credentials, one event per POST, retries), and a raw websocket reader."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import httpx
import websockets

from mluvii_tui.live.relay.run import RelayConfig, RelayThread

TOKEN = "test-relay-token"
WEBHOOK_USER = "mluvii"
WEBHOOK_PASSWORD = "hook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def relay_config(store: str, mluvii_url: str | None, **overrides: Any) -> RelayConfig:
    config = RelayConfig(
        token=TOKEN,
        mluvii_url=mluvii_url,
        client_id="demo-admin",
        client_secret="demo-admin-secret",
        public_url="http://127.0.0.1:9/",
        store=store,
        webhook_user=WEBHOOK_USER,
        webhook_password=WEBHOOK_PASSWORD,
        register=False,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def start_relay(store: str, mluvii_url: str | None, **overrides: Any) -> RelayThread:
    relay = RelayThread(relay_config(store, mluvii_url, **overrides))
    relay.start()
    return relay


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/ws"


class Poster:
    """Posts webhooks as mluvii does; ``send`` retries until the relay answers 200."""

    def __init__(self, base_url: str, auth: tuple[str, str] = (WEBHOOK_USER, WEBHOOK_PASSWORD)):
        self.http = httpx.Client(base_url=base_url, auth=auth, timeout=5)

    def post(self, event_type: str, data: Any) -> httpx.Response:
        return self.http.post("/webhook", json={"eventType": event_type, "data": data})

    def send(self, event_type: str, data: Any, *, deadline: float = 20.0) -> dict:
        give_up = time.monotonic() + deadline
        while True:
            try:
                response = self.post(event_type, data)
                if response.status_code == 200:
                    return response.json()
            except httpx.TransportError:
                pass
            if time.monotonic() > give_up:
                raise AssertionError(f"the relay never accepted {event_type} {data}")
            time.sleep(0.02)

    def close(self) -> None:
        self.http.close()


def chat(session_id: int, n: int, text: str = "hello") -> dict:
    """A SessionActivityChatMessage payload (reference §4.4), unique by activityId ``n``."""
    return {
        "sessionId": session_id,
        "activityId": n,
        "time": f"2026-12-06T10:00:{n % 60:02d}.{n:06d}+00:00",
        "type": "ChatMessage",
        "text": f"{text} {n}",
    }


async def read_frames(
    url: str, resume: int | None, count: int, *, token: str = TOKEN, timeout: float = 10.0
) -> list[dict]:
    """Connect, send ``{"resume": resume}``, return the next ``count`` frames (hello included)."""
    frames: list[dict] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with websockets.connect(url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"resume": resume}))
        async with asyncio.timeout(timeout):
            while len(frames) < count:
                frames.append(json.loads(await ws.recv()))
    return frames


def events_of(frames: list[dict]) -> list[dict]:
    return [f for f in frames if f.get("type") == "event"]
