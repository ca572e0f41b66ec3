"""`mluvii-tui serve` starts textual-serve on loopback; its page is fetched over a real socket and
names the console; a non-loopback host gets a warning line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mluvii_tui.cli.main import build_parser
from mluvii_tui.cli.serve import is_loopback, served_command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_served_command_and_loopback() -> None:
    args = build_parser().parse_args(["--profile", "acme", "serve", "--demo"])
    assert args.host == "127.0.0.1"
    command = served_command(args)
    assert command.startswith(sys.executable)  # an absolute interpreter, not a bare "python"
    assert "-m mluvii_tui.cli.main --profile acme demo" in command
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com")


def test_serve_answers_its_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mluvii_tui.cli.main", "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        page = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2.0)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert page is not None, proc.stderr.read().decode() if proc.stderr else ""
        assert page.status_code == 200
        assert "mluvii-tui" in page.text and "/ws" in page.text
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
