"""The progress line of a store's one-time upgrades (compacting, re-hashing, rebuilding the quick
index): each step reports ``progress(done, total)``; big stores say it on stderr, on one line that
overwrites itself (the console has not taken the terminal yet)."""

from __future__ import annotations

import sys
from collections.abc import Callable

#: ``progress(done, total)``: sessions done so far of the total.
Progress = Callable[[int, int], None]


def stderr_progress(what: str) -> Progress:
    """``upgrading the session cache: <what> <done> of <total> sessions`` on stderr."""

    def report(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(
            f"\rupgrading the session cache: {what} {done:,} of {total:,} sessions",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return report
