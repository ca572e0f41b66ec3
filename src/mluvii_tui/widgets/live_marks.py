"""What the sessions table shows on top of the store's rows while updates are pushed live:

- waiting and elapsed times of live sessions counting up (from the app's clock, each render);
- sessions that ended while shown in Live, kept for a moment marked "ended" (the one under the
  cursor until the cursor leaves it), never taken silently from under the cursor;
- cells whose text a pushed change altered, marked for ``CHANGED_S`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.style import Style

from mluvii_tui.api.enums import LIVE_STATUSES

#: Seconds a changed cell stays marked, and an ended session stays in Live (off the cursor).
CHANGED_S = 2.0
ENDED_S = 8.0
ENDED_TEXT = "ended"
#: Columns that count by themselves: their change is not news.
_TICKING = frozenset({"waited", "length"})
QUEUED = frozenset({"CREATED", "IN_QUEUE", "WAITING"})


class LiveRow(Mapping[str, Any]):
    """A row with the live overrides (counting durations, the "ended" status)."""

    __slots__ = ("_over", "_row", "id", "params")

    def __init__(self, row: Any, over: dict[str, Any]) -> None:
        self._row = row
        self._over = over
        self.params = row.params
        self.id = row.id

    def __getitem__(self, key: str) -> Any:
        if key in self._over:
            return self._over[key]
        return self._row[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


class LiveMarks:
    """Per-table live state; ``now`` is the app's clock (fixed in tests and snapshots)."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.ended: dict[int, float] = {}  # session id -> monotonic time it ended
        self.changed: dict[int, dict[str, float]] = {}  # id -> column id -> marked until
        self.ended_style = Style(dim=True, italic=True)
        self.changed_style = Style(bold=True, reverse=True)

    # ------------------------------------------------------------ rows

    def row(self, row: Any, live_view: bool) -> Any:
        """The row as shown: durations of live sessions count up; ended ones say so."""
        over: dict[str, Any] = {}
        sid = int(row.id)
        if sid in self.ended and live_view:
            over["status"] = ENDED_TEXT
        elif row["is_live"]:
            now = self.now().timestamp()
            start = row["guest_joined"] or row["created"]
            accepted = row["started"]
            if row["status"] in QUEUED and start is not None and accepted is None:
                over["waited_s"] = max(now - start, 0.0)
            elif accepted is not None:
                if row["waited_s"] is None and start is not None:
                    over["waited_s"] = max(accepted - start, 0.0)
                if row["status"] in LIVE_STATUSES:
                    over["length_s"] = max(now - accepted, 0.0)
        return LiveRow(row, over) if over else row

    def row_style(self, session_id: int, live_view: bool) -> Style | None:
        return self.ended_style if live_view and session_id in self.ended else None

    def cell_marks(self, session_id: int, columns: Sequence[Any]) -> list[Style | None] | None:
        marks = self.changed.get(session_id)
        if not marks:
            return None
        clock = time.monotonic()
        styles = [self.changed_style if marks.get(c.id, 0.0) > clock else None for c in columns]
        return styles if any(styles) else None

    # --------------------------------------------------------- updates

    def texts(self, rows: Sequence[Any], columns: Sequence[Any]) -> dict[int, list[str]]:
        """Cell texts of the shown rows, to compare after an update."""
        out: dict[int, list[str]] = {}
        for row in rows:
            out[int(row.id)] = [_text(c, row) for c in columns]
        return out

    def mark_changes(
        self, before: dict[int, list[str]], rows: Sequence[Any], columns: Sequence[Any]
    ) -> None:
        until = time.monotonic() + CHANGED_S
        for row in rows:
            old = before.get(int(row.id))
            if old is None or len(old) != len(columns):
                continue
            for column, was in zip(columns, old, strict=True):
                if column.id not in _TICKING and _text(column, row) != was:
                    self.changed.setdefault(int(row.id), {})[column.id] = until

    def end(self, session_ids: set[int]) -> None:
        clock = time.monotonic()
        for sid in session_ids:
            self.ended.setdefault(sid, clock)

    def expire(self, keep: int | None) -> bool:
        """Forget old marks; an ended session stays while ``keep`` (the cursor's) is it.
        True when the set of ended sessions shown changed."""
        clock = time.monotonic()
        gone = [s for s, t in self.ended.items() if s != keep and clock - t > ENDED_S]
        for sid in gone:
            del self.ended[sid]
        for sid in [s for s, m in self.changed.items() if max(m.values()) <= clock]:
            del self.changed[sid]
        return bool(gone)

    def also(self) -> tuple[int, ...]:
        return tuple(sorted(self.ended))


def _text(column: Any, row: Any) -> str:
    try:
        return str(column.text(row))
    except Exception:
        return "?"
