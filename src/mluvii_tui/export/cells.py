"""Cell values for exported files: formula neutralisation, Excel's cell limit.

Formula injection (CSV): a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return
is prefixed with a single quote ``'``. Spreadsheets then read the cell as text; the quote is
visible in the cell, which is the honest trade-off (OWASP "CSV Injection"). Plain numbers such as
``-12`` or ``-0.5`` are left alone, they cannot run anything.

Excel keeps at most 32,767 characters per cell; we cut at 32,000 and end the cell with a marker
saying how many characters were dropped, so nobody mistakes a cut transcript for the whole one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: Longest cell we write (Excel's hard limit is 32,767; we leave room for the marker).
MAX_CELL_CHARS = 32_000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?\Z")


def neutralise(value: str) -> str:
    """Make a cell inert for spreadsheets: prefix ``'`` when it could start a formula."""
    if value and value[0] in "=+-@\t\r" and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def cut_marker(dropped: int, where: str = "") -> str:
    extra = f"; full text in {where}" if where else ""
    return f"…[cut: {dropped} characters{extra}]"


def cut_cell(value: str, limit: int = MAX_CELL_CHARS, where: str = "") -> tuple[str, bool]:
    """``value`` cut to at most ``limit`` characters including the marker; (text, was_cut)."""
    if len(value) <= limit:
        return value, False
    # The marker's own length depends on the count; two rounds settle it.
    keep = limit - len(cut_marker(len(value), where))
    marker = cut_marker(len(value) - keep, where)
    keep = limit - len(marker)
    return value[:keep] + cut_marker(len(value) - keep, where), True


class Memo(dict[Any, Any]):
    """``fn(key)`` remembered per key (values that repeat on almost every row: names, enum
    values, durations); starts over when it holds ``limit`` entries."""

    def __init__(self, fn: Callable[[Any], Any], limit: int = 20_000) -> None:
        super().__init__()
        self.fn = fn
        self.limit = limit

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self.limit:
            self.clear()
        out = self[key] = self.fn(key)
        return out
