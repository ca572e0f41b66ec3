"""The simulator's clock: wall time (or a given start) running in real time, plus an offset that
tests move forward (``POST /_sim/clock``) to cross time windows without waiting."""

from __future__ import annotations

import time
from datetime import datetime

from .timefmt import iso, to_epoch


class SimClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._base = to_epoch(start)
        self._mono = time.monotonic()
        self.offset = 0.0

    def now(self) -> float:
        """Epoch seconds, simulated."""
        return self._base + (time.monotonic() - self._mono) + self.offset

    def stamp(self, ts: float | None = None) -> str:
        """ISO 8601 with the Europe/Prague offset, as the API writes times."""
        return iso(self.now() if ts is None else ts)

    def advance(self, seconds: float) -> None:
        self.offset += seconds
