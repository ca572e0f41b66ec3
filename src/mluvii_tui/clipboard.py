"""Copying text to the user's clipboard, also over SSH: OSC 52 (wrapped for tmux when ``TMUX`` is
set), with a size cap, or the local clipboard through pyperclip. Headless: the caller writes the
escape sequence to its terminal. Modes: ``auto`` (OSC 52 over SSH or when no native clipboard,
else native), ``osc52``, ``native``, ``off``."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MODES = ("auto", "osc52", "native", "off")
#: Bytes of text OSC 52 carries: terminals drop longer sequences without a word (xterm's and
#: tmux's limits are around 100 kB of base64), so we refuse with a message instead.
OSC52_MAX_BYTES = 74_000


@dataclass(frozen=True)
class Copied:
    ok: bool
    how: str  # "osc52" | "native" | "off"
    message: str  # one line for a toast ("" when nothing needs saying)


def osc52(text: str, *, tmux: bool = False) -> str:
    """The OSC 52 "set clipboard" sequence; inside tmux wrapped in its DCS passthrough."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sequence = f"\x1b]52;c;{payload}\x07"
    if tmux:
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def _native_available() -> bool:
    import pyperclip

    return bool(pyperclip.is_available())


def choose(mode: str, environ: Mapping[str, str] | None = None) -> str:
    """The way ``mode`` copies here: "osc52", "native" or "off"."""
    env = os.environ if environ is None else environ
    if mode != "auto":
        return mode
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return "osc52"  # the clipboard that matters is on the user's machine
    return "native" if _native_available() else "osc52"


def copy(
    text: str,
    mode: str,
    write: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
) -> Copied:
    """Copy ``text`` (already cleaned of control sequences) the way ``mode`` says."""
    env = os.environ if environ is None else environ
    how = choose(mode, env)
    if how == "off":
        return Copied(False, how, "copying is off (clipboard = off in config.toml)")
    if how == "native":
        import pyperclip

        try:
            pyperclip.copy(text)
        except pyperclip.PyperclipException as exc:
            if mode == "native":
                return Copied(False, how, f"no local clipboard: {str(exc).splitlines()[0]}")
            how = "osc52"
        else:
            return Copied(True, how, "")
    size = len(text.encode("utf-8"))
    if size > OSC52_MAX_BYTES:
        return Copied(
            False,
            "osc52",
            f"too long for the terminal's clipboard ({size:,} bytes, at most "
            f"{OSC52_MAX_BYTES:,}): export it instead",
        )
    write(osc52(text, tmux=bool(env.get("TMUX"))))
    return Copied(True, "osc52", "")
