"""An unforeseen crash of the console: details to a private file, one line for the user.

The traceback (without local variables: they may hold customer data) goes to
``<state dir>/<profile>/crash-<time>.txt`` with mode 0600; the returned line names it.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime

from mluvii_tui.text import one_line


def write_crash_report(profile: str, exc: BaseException | None = None) -> str:
    """Write ``exc`` (default: the exception being handled) to a crash file; returns the line
    to show."""
    exc = exc or sys.exc_info()[1]
    what = f"{type(exc).__name__}: {one_line(str(exc), 200)}" if exc else "unknown error"
    try:
        from mluvii_tui.config.paths import profile_state_dir

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = profile_state_dir(profile) / f"crash-{stamp}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write("".join(traceback.format_exception(exc)) if exc else "")
    except OSError:
        return f"the console crashed ({what})"
    return f"the console crashed ({what}); details in {path}"
