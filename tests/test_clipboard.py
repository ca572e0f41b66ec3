"""Clipboard: the OSC 52 sequence (wrapped for tmux when TMUX is set), the size cap with a
message, the modes, and the app's copy path (control sequences stripped, a toast when refused)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui import clipboard
from mluvii_tui.app import MluviiApp
from mluvii_tui.store.store import SessionStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_osc52_sequence() -> None:
    text = "Dobrý den — 你好"
    payload = base64.b64encode(text.encode()).decode()
    assert clipboard.osc52(text) == f"\x1b]52;c;{payload}\x07"


def test_osc52_inside_tmux_is_wrapped_in_its_passthrough() -> None:
    text = "ahoj"
    inner = f"\x1b]52;c;{base64.b64encode(b'ahoj').decode()}\x07"
    wrapped = clipboard.osc52(text, tmux=True)
    assert wrapped == "\x1bPtmux;" + inner.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]52;c;") and wrapped.endswith("\x07\x1b\\")


def test_copy_writes_the_sequence_the_environment_needs() -> None:
    written: list[str] = []
    done = clipboard.copy("x", "osc52", written.append, environ={"TMUX": "/tmp/tmux-0/default"})
    assert done.ok and done.how == "osc52"
    assert written == [clipboard.osc52("x", tmux=True)]
    written.clear()
    clipboard.copy("x", "osc52", written.append, environ={})
    assert written == [clipboard.osc52("x")]


def test_size_cap_says_so_and_writes_nothing() -> None:
    written: list[str] = []
    big = "a" * (clipboard.OSC52_MAX_BYTES + 1)
    done = clipboard.copy(big, "osc52", written.append, environ={})
    assert not done.ok and not written
    assert "too long for the terminal's clipboard" in done.message
    assert "export it instead" in done.message


def test_off_and_auto_over_ssh() -> None:
    written: list[str] = []
    done = clipboard.copy("x", "off", written.append, environ={})
    assert not done.ok and "clipboard = off" in done.message and not written
    assert clipboard.choose("auto", {"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}) == "osc52"
    assert clipboard.choose("native", {}) == "native"


def test_native_without_a_local_clipboard_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Here (no display, no xclip) pyperclip has no clipboard: native says so, auto falls
    back to OSC 52."""
    import pyperclip

    def refuse(_text: str) -> None:
        raise pyperclip.PyperclipException("no copy/paste mechanism\nsee the docs")

    monkeypatch.setattr(pyperclip, "copy", refuse)
    written: list[str] = []
    done = clipboard.copy("x", "native", written.append, environ={})
    assert not done.ok and done.message == "no local clipboard: no copy/paste mechanism"
    monkeypatch.setattr(clipboard, "_native_available", lambda: True)
    done = clipboard.copy("x", "auto", written.append, environ={})
    assert done.ok and done.how == "osc52" and written == [clipboard.osc52("x")]


async def test_app_copy_cleans_and_refuses_with_a_toast(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    app = MluviiApp(store, None, profile="clip", now=lambda: NOW, clipboard="osc52")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert app.copy_to_clipboard("a\x1b]52;c;evil\x07b\x1b[31mred") is True
        assert "\x1b" not in app.clipboard and "red" in app.clipboard
        assert app.copy_to_clipboard("x" * (clipboard.OSC52_MAX_BYTES + 10)) is False
        await pilot.pause()
        assert any("Not copied" in str(n.message) for n in app._notifications)
    store.close()
