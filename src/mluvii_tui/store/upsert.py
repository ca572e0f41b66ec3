"""What one upsert did (inserted, updated, unchanged, skipped and why), and the per-record
checks that let one bad session be skipped instead of failing its page."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .recover import describe, is_damage

MAX_PROBLEMS = 5  # reasons kept per result


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # items not stored: not sessions at all, or values the store cannot hold
    problems: list[str] = field(default_factory=list)  # why, one line each (the first few)

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.skipped + other.skipped,
            (self.problems + other.problems)[:MAX_PROBLEMS],
        )

    def skip(self, why: str) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(why)

    @property
    def written(self) -> int:
        return self.inserted + self.updated


#: What binding a value SQLite cannot hold raises (OverflowError: an int beyond 64 bits;
#: UnicodeEncodeError: a lone surrogate; sqlite3 errors: e.g. a string over the length limit).
BIND_ERRORS = (OverflowError, UnicodeEncodeError, ValueError, sqlite3.Error)


def of_one_record(exc: BaseException) -> bool:
    """A value of one record the store cannot hold (skip the record), not the store failing
    (I/O error, full disk, locked, damaged: stop the batch). Skipping every record of a page on
    an I/O error would mark the page synced without its sessions: a hole after resume."""
    return not isinstance(exc, sqlite3.OperationalError) and not is_damage(exc)


def short_id(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 24 else text[:20] + "…"


def why_not_stored(exc: BaseException) -> str:
    if isinstance(exc, OverflowError):
        return "a number too large for the local store"
    if isinstance(exc, UnicodeEncodeError):
        return "text that is not valid Unicode (a lone surrogate)"
    return describe(exc)
