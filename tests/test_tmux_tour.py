"""One real-terminal run: `mluvii-tui demo` in a tmux pane of fixed size, fed the hostile corpus
through the simulator's --data and the real sync, driven by keys (saving and recalling a view
among them). The pane must show the app alive, no traceback and no raw escape, and q must end
the process with status 0."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hostile_sessions import corpus, forbidden_in, hostile_sessions
from mluvii_tui.demo.generator import generate_sessions

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the real-terminal tour is skipped"
)

WIDTH, HEIGHT = 160, 45
NOW = datetime.now(UTC)  # the demo syncs "the last N days" of the real clock


#: A private tmux server for this run: engineers and CI jobs running tmux tests at once on the
#: default server have seen one's kill-session race another's new-session.
#: capture-pane -e keeps colours as SGR sequences
SGR = re.compile(r"\x1b\[[0-9;:]*m")
#: In the footer while the sessions table has the focus (its own keys)
TABLE_FOCUSED = "o Sort"
SOCKET = f"mluvii-tour-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True, timeout=20
    ).stdout


class Pane:
    def __init__(self, name: str) -> None:
        self.name = name

    def capture(self) -> str:
        return _tmux("capture-pane", "-p", "-e", "-t", self.name)

    def send(self, *keys: str, wait: float = 0.4) -> None:
        for key in keys:
            _tmux("send-keys", "-t", self.name, key)
            time.sleep(wait)

    def type(self, text: str) -> None:
        _tmux("send-keys", "-t", self.name, "-l", text)
        time.sleep(0.4)

    def text(self) -> str:
        """The pane without its colours: what a reader sees (needles are plain text)."""
        return SGR.sub("", self.capture())

    def wait_for(self, needle: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if needle in SGR.sub("", screen) or "Traceback" in screen:
                return screen
            time.sleep(0.3)
        raise AssertionError(f"{needle!r} never appeared; the pane shows:\n{screen}")

    def wait_gone(self, needle: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while needle in self.text():
            assert time.monotonic() < deadline, f"{needle!r} is still shown:\n{self.capture()}"
            time.sleep(0.3)


def _assert_clean(screen: str, where: str) -> None:
    assert "Traceback" not in screen, f"{where}:\n{screen}"
    text = SGR.sub("", screen)
    assert forbidden_in(text) == [], f"{where}: {forbidden_in(text)}"


@pytest.mark.heavy
def test_demo_under_tmux_survives_a_key_tour(tmp_path: Path) -> None:
    # lone surrogates cannot be stored (the sync skips such a session): the rest of the corpus
    sessions = [
        s
        for (case, _), s in zip(corpus(), hostile_sessions(NOW), strict=True)
        if not case.startswith("lone_surrogate")
    ]
    sessions += generate_sessions(150, seed=3, now=NOW)
    data = tmp_path / "data.json"
    data.write_text(json.dumps(sessions, ensure_ascii=True), encoding="utf-8")
    env = {
        "MLUVII_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        # Textual believes COLUMNS/LINES over the terminal: pytest's may say 80 (the header,
        # and "synced" in it, would be cut), so the pane's own size is passed on.
        "COLUMNS": str(WIDTH),
        "LINES": str(HEIGHT),
    }
    exe = Path(sys.executable).with_name("mluvii-tui")
    name = f"mluvii-tour-{uuid.uuid4().hex[:8]}"
    command = " ".join(
        [f"{k}={v}" for k, v in env.items()]
        # a frozen tenant (no new sessions while syncing): the count below is the corpus's
        + [str(exe), "demo", "--data", str(data), "--traffic", "0"]
    )
    _tmux("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(tmp_path))
    pane = Pane(name)
    try:
        _tmux("set-option", "-t", name, "remain-on-exit", "on")
        # the shell says the app's own exit status: tmux's pane_dead_status was seen empty for
        # a minute after the pane closed (tmux 3.3a), so it is not relied on
        _tmux("respawn-pane", "-k", "-t", name, f"env {command}; echo mluvii-exit=$?; sleep 600")
        pane.wait_for("synced")
        # the table's count lands from a query worker after the sync ("updating…" until then)
        screen = pane.wait_for(f"of {len(sessions):,} sessions")
        _assert_clean(screen, "after the sync")
        # Every step waits for the screen state it needs before the next keys: a terminal tells
        # a lone Escape from the start of an escape sequence by time, so on a loaded machine an
        # Escape sent ahead of the screen joins the next key (Escape + s read as alt+s).
        pane.send("j", "j", "k", "G", "g", "l", "l", "o", "O", "h")
        _assert_clean(pane.wait_for(TABLE_FOCUSED), "after the table keys")
        pane.send("Enter")
        pane.wait_for("Parameters")  # the pane's tabs
        pane.send("2", "3", "4", "5", "6", "1", "z", "z")
        _assert_clean(pane.capture(), "after the detail keys")
        pane.send("Escape")  # from the pane back to the table (or, from the table, close it)
        pane.wait_for(TABLE_FOCUSED)
        pane.send("W")
        pane.wait_for("Save the current filters")
        pane.type("tour [b]view")
        pane.send("Enter")
        pane.wait_gone("Save the current filters")
        pane.send("w")
        pane.wait_for("Saved views")
        pane.send("Enter")
        pane.wait_gone("Saved views")
        screen = pane.wait_for(TABLE_FOCUSED)
        _assert_clean(screen, "after saving and recalling a view")
        states = [p.read_text(encoding="utf-8") for p in tmp_path.glob("config/**/state.json")]
        assert any("tour [b]view" in state for state in states), "the view was not saved"
        pane.type("/")  # literally: tmux has no key named "slash" (it typed s-l-a-s-h)
        pane.wait_for("type to narrow the visible columns")
        pane.type("objedn")
        pane.send("Escape")
        pane.wait_gone("type to narrow the visible columns")
        pane.send("s")
        pane.wait_for("Search in content:")
        pane.type("faktura")
        pane.send("Enter")  # the search applies and its line closes
        pane.wait_gone("Search in content:")
        pane.wait_for(TABLE_FOCUSED)
        _assert_clean(pane.capture(), "after quick filter and search")
        # each dialog: open it, see it, close it, see it gone (keys wait for the screen)
        for key, needle in (
            ("e", "Include transcripts"),
            ("c", "space show/hide"),
            ("E", "enter or ctrl+s export"),
            ("f", "ctrl+r remove"),
            ("C-p", "Search for commands"),
        ):
            pane.send(key)
            _assert_clean(pane.wait_for(needle), f"dialog {key}")
            pane.send("Escape")
            pane.wait_gone(needle)
        pane.send("v", "v", "F", "Escape")
        pane.wait_for(TABLE_FOCUSED)
        pane.send("d", "d", "r")
        _assert_clean(pane.capture(), "after the view keys")
        assert "mluvii-exit=" not in pane.capture(), "the app is not running any more"
        assert "mluvii-tui" in pane.capture()
        pane.send("q", wait=0.2)
        screen = pane.wait_for("mluvii-exit=", timeout=60.0)
        assert "mluvii-exit=0" in screen, screen
        _assert_clean(screen, "after quitting")
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True, timeout=20)
