"""The text of a rendered screen, line by line, from Textual's own SVG screenshot (what a user
sees, including the footer), for assertions that need words in order."""

from __future__ import annotations

import html
import re
from typing import Any

_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+"'
    r' clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>'
)
CELL_PX = 12.2  # Rich's SVG export: one cell is 12.2 px wide


def screen_lines(app: Any) -> list[str]:
    rows: dict[int, list[tuple[float, str]]] = {}
    for m in _TEXT.finditer(app.export_screenshot()):
        text = html.unescape(m.group(3)).replace("\xa0", " ")
        rows.setdefault(int(m.group(2)), []).append((float(m.group(1)), text))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / CELL_PX)) + text
        lines.append(line.rstrip())
    return lines


def screen_text(app: Any) -> str:
    return "\n".join(screen_lines(app))
