"""What the terminal can do, as far as the environment tells (for ``doctor``): colours, size,
TERM, mouse, and whether OSC 52 (copy to the local clipboard over SSH) is likely to work."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass

#: Terminals known to honour OSC 52 writes (the TERM or TERM_PROGRAM they announce).
_OSC52_TERMS = ("kitty", "alacritty", "wezterm", "foot", "iterm", "contour", "ghostty", "rio")
MIN_SIZE = (80, 24)


@dataclass(frozen=True)
class Terminal:
    term: str
    colours: str  # "truecolor" | "256" | "16" | "none"
    columns: int
    lines: int
    osc52: str  # "likely" | "needs tmux set-clipboard on" | "unknown"
    mouse: bool
    problems: tuple[str, ...]


def inspect(environ: Mapping[str, str] | None = None) -> Terminal:
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    colorterm = env.get("COLORTERM", "").lower()
    if env.get("NO_COLOR"):
        colours = "none"
    elif colorterm in ("truecolor", "24bit"):
        colours = "truecolor"
    elif "256" in term:
        colours = "256"
    elif term and term != "dumb":
        colours = "16"
    else:
        colours = "none"
    size = shutil.get_terminal_size(fallback=(0, 0))
    program = (env.get("TERM_PROGRAM", "") + " " + term).lower()
    if "TMUX" in env or term.startswith(("tmux", "screen")):
        osc52 = "needs `set -g set-clipboard on` in tmux"
    elif any(name in program for name in _OSC52_TERMS) or term.startswith("xterm"):
        osc52 = "likely"
    else:
        osc52 = "unknown"
    problems = []
    if not term or term == "dumb":
        problems.append("TERM is not set (or dumb): set TERM=xterm-256color")
    if colours == "none" and not env.get("NO_COLOR"):
        problems.append("no colours: set TERM=xterm-256color (and COLORTERM=truecolor)")
    if size.columns and (size.columns < MIN_SIZE[0] or size.lines < MIN_SIZE[1]):
        problems.append(
            f"the window is {size.columns}x{size.lines}: make it at least"
            f" {MIN_SIZE[0]}x{MIN_SIZE[1]}"
        )
    return Terminal(
        term=term or "(unset)",
        colours=colours,
        columns=size.columns,
        lines=size.lines,
        osc52=osc52,
        mouse=bool(term) and term != "dumb",
        problems=tuple(problems),
    )
