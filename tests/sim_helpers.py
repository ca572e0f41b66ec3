"""Shared pieces of the living simulator's tests: a webhook receiver on a real socket and
authenticated HTTP clients for the simulator."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

CREDS = {"demo-admin": "demo-admin-secret", "demo-operator": "demo-operator-secret"}


class Receiver:
    """Records every POST (headers, parsed body); answers 500 to the next ``fail`` posts whose
    raw body contains ``fail_marker`` (every post when it is empty), so that a test can make
    exactly its own event fail while other traffic is delivered."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.fail = 0
        self.fail_marker = b""
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                with outer.lock:
                    failing = outer.fail > 0 and outer.fail_marker in raw
                    outer.fail -= failing
                    outer.posts.append(
                        {
                            "path": self.path,
                            "auth": self.headers.get("authorization"),
                            "raw": raw,
                            "event": json.loads(raw),
                            "failed": failing,
                        }
                    )
                self.send_response(500 if failing else 200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, userinfo: str = "relay:s3cr%40t") -> str:
        return f"http://{userinfo}@127.0.0.1:{self.port}/webhook"

    def events(self, session_id: int | None = None) -> list[tuple[str, dict]]:
        """(eventType, data) delivered (not failed), optionally of one session."""
        with self.lock:
            out = [
                (p["event"]["eventType"], p["event"]["data"]) for p in self.posts if not p["failed"]
            ]
        if session_id is None:
            return out
        return [(t, d) for t, d in out if session_id in (d.get("id"), d.get("sessionId"))]

    def wait_for(self, check: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; got {[t for t, _ in self.events()][-20:]}")
            time.sleep(0.02)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def api_client(base_url: str, client_id: str = "demo-admin") -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=15)
    token = client.post(
        "/login/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": CREDS[client_id],
        },
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client
