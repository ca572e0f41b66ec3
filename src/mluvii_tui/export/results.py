"""What an export tells: its progress while it runs, its result and the one line for the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ExportProgress:
    done: int
    total: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Sessions per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before the rate is known)."""
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None


@dataclass
class ExportResult:
    status: str  # "done" | "cancelled" | "empty"
    path: Path | None = None
    sessions: int = 0
    bytes: int = 0
    elapsed: float = 0.0
    cut_cells: int = 0
    cut_sessions: list[int] = field(default_factory=list)
    side_file: Path | None = None
    files_note: str = ""  # embedded files: how many, and what stayed a name and why

    def summary(self) -> str:
        """One line for the user."""
        if self.status == "empty":
            return "No sessions match: nothing was written"
        if self.status == "cancelled":
            return f"Export cancelled after {sessions(self.sessions)}: nothing was written"
        size = self.bytes / 1e6
        line = (
            f"Exported {sessions(self.sessions)} to {self.path} ({size:.1f} MB, "
            f"{self.elapsed:.1f} s)"
        )
        if self.cut_cells:
            line += "; " + cut_summary(self.cut_cells, self.cut_sessions, self.side_file)
        if self.files_note:
            line += "; " + self.files_note
        return line


def sessions(n: int) -> str:
    """``1 session``, ``1,204 sessions``."""
    return f"{n:,} session{'' if n == 1 else 's'}"


def cut_summary(cells: int, sessions: Sequence[int], side_file: Path | None = None) -> str:
    shown = ", ".join(str(s) for s in sessions[:10]) + (", …" if len(sessions) > 10 else "")
    where = f"; full transcripts in {side_file.name}" if side_file else ""
    return (
        f"{cells} cell{'s' if cells != 1 else ''} longer than 32,000 characters cut in "
        f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} ({shown}){where}"
    )
