"""A damaged session cache heals itself: moved aside, reported in one line, rebuilt by syncing.

The store is a disposable cache (everything in it comes from the server; notes typed by the user
live in the outbox under the state directory). When the file cannot be read — garbage, truncated,
damaged pages — ``open_store`` renames it (and its ``-wal``/``-shm``) to
``<name>.corrupt-<UTC time>`` for inspection and opens a fresh one. Damage found later, while the
console runs, leaves a marker file so that the next start moves the cache aside too.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from mluvii_tui.config.paths import private_file
from mluvii_tui.text import one_line

from .schema import StoreVersionError

F = TypeVar("F", bound=Callable[..., Any])

#: SQLite primary result codes meaning "the file is not a sound database".
_DAMAGE_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
MARKER_SUFFIX = ".damaged"
_SIDE_FILES = ("-wal", "-shm", "-journal")


def is_damage(exc: BaseException) -> bool:
    """True when ``exc`` says the database file itself is damaged (not locked, not busy)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _DAMAGE_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


#: SQLite primary result codes meaning "another connection holds the lock (past the timeout)".
_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED


def is_busy(exc: BaseException) -> bool:
    """True when ``exc`` says another connection held the database past the busy timeout (a
    sync building its indexes): nothing is wrong with the file; the write can be tried again."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def describe(exc: BaseException) -> str:
    return one_line(str(exc), 160) or type(exc).__name__


def mark_damaged(path: str | Path) -> None:
    """Leave a marker: the next ``open_store`` moves this cache aside and starts afresh."""
    with contextlib.suppress(OSError):
        Path(f"{path}{MARKER_SUFFIX}").touch()


def move_aside(path: str | Path, now: datetime | None = None) -> Path:
    """Rename the cache and its side files to ``<name>.corrupt-<time>``; returns the new name."""
    path = Path(path)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    if path.exists():
        os.replace(path, target)
    for suffix in _SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))
    Path(f"{path}{MARKER_SUFFIX}").unlink(missing_ok=True)
    return target


def open_store(path: str | Path, **kwargs: Any) -> tuple[Any, str | None]:
    """The store at ``path`` and, when the old file was unreadable, the one line that says so.

    A store written by a newer version (``StoreVersionError``) is not damage: it is raised.
    Other errors (permissions, a full disk) are raised too: moving the file would not help.
    """
    from .store import SessionStore

    path = Path(path)
    marked = Path(f"{path}{MARKER_SUFFIX}").exists()
    if not marked:
        store = None
        try:
            store = SessionStore(_private(path), **kwargs)
            store.probe()
            return store, None
        except StoreVersionError:
            raise
        except sqlite3.DatabaseError as exc:
            if store is not None:
                store.close()
            if not is_damage(exc):
                raise
            reason = describe(exc)
    else:
        reason = "damage was found while it was in use"
    moved = move_aside(path)
    store = SessionStore(_private(path), **kwargs)
    notice = (
        f"the session cache could not be read ({reason}); moved it to {moved} "
        "and starting afresh: a sync fills it again"
    )
    return store, notice


def _private(path: Path) -> Path:
    """Create the cache file mode 0600 before SQLite opens it (-wal/-shm copy the mode)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return private_file(path)


def survives(default: Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]) -> Callable[[F], F]:
    """Decorate a read method of the store: a ``sqlite3.DatabaseError`` is reported once through
    ``store.report_damage`` and the method answers ``default(store, args, kwargs)`` instead of
    raising, so that the console keeps running on what it can still show."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.DatabaseError as exc:
                self.report_damage(exc)
                return default(self, args, kwargs)

        return guarded  # type: ignore[return-value]

    return wrap


#: A cache file up to this size gets a full ``PRAGMA quick_check`` when opened; larger ones a
#: few cheap reads (a full check of a big cache would delay the first paint; damage found later
#: is handled by ``survives`` and the marker).
QUICK_CHECK_MAX = 16 * 1024 * 1024


class HealthMixin:
    """``probe`` at open and ``report_damage`` while running. Mixed into ``SessionStore``."""

    path: str
    damage: str | None
    on_damage: Callable[[str], None] | None
    _memory: bool
    _conn: Callable[[], sqlite3.Connection]

    def probe(self) -> None:
        """Raise ``sqlite3.DatabaseError`` when the file is visibly damaged: a full quick check
        of a small cache, cheap reads of the first and last pages of a big one."""
        conn = self._conn()
        big = not self._memory and Path(self.path).stat().st_size > QUICK_CHECK_MAX
        if big:
            # apart: each is one B-tree descent (together, SQLite scans an index: 85 ms at 1M)
            conn.execute("SELECT max(id) FROM sessions").fetchall()
            conn.execute("SELECT min(id) FROM sessions").fetchall()
            conn.execute("SELECT count(*) FROM meta").fetchall()
            return
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            first = rows[0][0] if rows else "no answer"
            raise sqlite3.DatabaseError(f"database disk image is malformed: {first}")

    def report_damage(self, exc: BaseException) -> str:
        """Note a database error met while running (only the first one is told) and return its
        line. Real damage leaves a marker so that the next start moves the cache aside. A
        store another process held past the busy timeout (a sync's index build) is not damage:
        nothing is told, the read answers its default and the next one succeeds."""
        if is_busy(exc):
            return f"the session cache {self.path} is busy: {describe(exc)}"
        line = f"the session cache {self.path} failed: {describe(exc)}"
        if is_damage(exc):
            line += " (it is rebuilt at the next start)"
            if not self._memory:
                mark_damaged(self.path)
        if self.damage is None:
            self.damage = line
            if self.on_damage is not None:
                self.on_damage(line)
        return line
