"""A generated data set kept on disk between runs: the sessions' JSON one after another
(``<key>.spill``) and the columns the simulator pages by (``<key>.idx``: created, id, offset,
length, ended, status of each session in created order). The key is a digest of what the data
depends on (seed, count, ``now``, days, base URL and the simulator's own source), so a changed
generator never serves stale data. A set is written under temporary names and renamed when
complete (the index last: its presence means complete); a failure to write only loses the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

log = logging.getLogger(__name__)

#: Lower-case statuses a cached set may hold (the generator's); code = index.
STATUS_CODES: tuple[str | None, ...] = (
    None,
    "closed",
    "blacklisted",
    "in_queue",
    "waiting",
    "active",
    "acw",
)
_CODE = {s: i for i, s in enumerate(STATUS_CODES)}
#: Complete sets kept in the directory (the newest by use); older ones are removed.
KEEP = 2
_FORMAT = 1


def _source_digest() -> str:
    """A digest of the simulator package's source: any change there makes a new key."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Columns:
    """The paging columns of sessions in created order (sort key, spill place, quick filters)."""

    def __init__(self) -> None:
        self.created = array("d")
        self.ids: array[int] | list[int] = array("q")
        self.off = array("q")
        self.len = array("q")
        self.ended = array("d")  # epoch, NaN for none
        self.status: list[str | None] = []  # lower case, interned

    def all(self) -> tuple[Any, ...]:
        return (self.created, self.ids, self.off, self.len, self.ended, self.status)


def stored_json(session: dict) -> bytes:
    """A session's JSON as the spill file holds it (and a page serves it)."""
    try:
        return orjson.dumps(session)
    except TypeError:  # text orjson refuses (a lone surrogate): the standard escapes
        return json.dumps(session, separators=(",", ":")).encode()


def read_stored(
    fd: int, cols: Columns, positions: Iterable[int], now: Callable[[int], bytes | None]
) -> list[bytes | memoryview]:
    """The JSON of each position of ``cols`` in the spill file ``fd``; ``now(i)``: the JSON of a
    position that is no longer what the file holds (None: read the file). Sessions next to each
    other in the file are read together: a page takes a read or a few, not one per session (the
    simulator's CPU while a sync pages through 300k sessions: ~5.5 -> ~4.7 us a session)."""
    off, size = cols.off, cols.len
    parts: list[bytes | memoryview] = []
    run: list[int] = []  # positions whose bytes follow one another in the file

    def read_run() -> None:
        start = off[run[0]]
        data = memoryview(os.pread(fd, off[run[-1]] + size[run[-1]] - start, start))
        parts.extend(data[off[i] - start : off[i] - start + size[i]] for i in run)
        run.clear()

    for i in positions:
        changed = now(i)
        if changed is not None:
            if run:
                read_run()
            parts.append(changed)
            continue
        if run and off[run[-1]] + size[run[-1]] != off[i]:
            read_run()
        run.append(i)
    if run:
        read_run()
    return parts


class SpillCache:
    """One data set's place in ``directory``; ``key`` from :meth:`key_for`."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = Path(directory)
        self.key = key
        self.spill_path = self.directory / f"{key}.spill"
        self.index_path = self.directory / f"{key}.idx"
        self._tmp = f".{os.getpid()}.tmp"

    @staticmethod
    def key_for(**parts: Any) -> str:
        text = json.dumps({**parts, "format": _FORMAT, "source": _source_digest()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def load(self) -> tuple[BinaryIO, Columns] | None:
        """The finished set (its spill file open for reading), or None when there is none."""
        try:
            spill = open(self.spill_path, "rb")  # noqa: SIM115 (lives as long as the source)
            with open(self.index_path, "rb") as fh:
                header = json.loads(fh.readline())
                n = int(header["n"])
                cols = Columns()
                for arr in (cols.created, cols.ids, cols.off, cols.len, cols.ended):
                    arr.frombytes(fh.read(8 * n))
                codes = fh.read(n)
        except (OSError, ValueError, KeyError):
            return None
        if len(codes) != n or len(cols.ended) != n:
            spill.close()
            return None
        cols.status = [STATUS_CODES[c] for c in codes]
        os.utime(self.index_path)  # the newest by use stays when old sets are removed
        return spill, cols

    def create(self) -> BinaryIO:
        """The spill file being written (under a temporary name); older sets are removed."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._prune()
        return open(str(self.spill_path) + self._tmp, "w+b")

    def finish(self, cols: Columns) -> None:
        """Write the index and publish the set (a failure is logged: only the cache is lost)."""
        try:
            codes = bytes(_CODE[s] for s in cols.status)
        except KeyError:  # a status the format does not know: not cached
            return
        index_tmp = str(self.index_path) + self._tmp
        try:
            with open(index_tmp, "wb") as fh:
                fh.write(json.dumps({"n": len(cols.created)}).encode() + b"\n")
                for arr in (cols.created, cols.ids, cols.off, cols.len, cols.ended):
                    fh.write(array("d" if arr.typecode == "d" else "q", arr).tobytes())
                fh.write(codes)
            os.replace(str(self.spill_path) + self._tmp, self.spill_path)
            os.replace(index_tmp, self.index_path)
        except (OSError, TypeError) as exc:  # (TypeError: ids that are not 64-bit numbers)
            log.warning("simulator cache not written: %s", exc)

    def _prune(self) -> None:
        """Remove all but the newest complete sets, and what killed runs left half written."""
        try:
            sets = sorted(self.directory.glob("*.idx"), key=lambda p: p.stat().st_mtime)
            for old in sets[: max(0, len(sets) - (KEEP - 1))]:
                for path in (old, old.with_suffix(".spill")):
                    path.unlink(missing_ok=True)
            for path in self.directory.glob("*.tmp"):
                if not _running(path.suffixes[-2].lstrip(".")):
                    path.unlink(missing_ok=True)
        except OSError:  # (another simulator pruning at the same time)
            pass


def _running(pid: str) -> bool:
    """Whether the process that writes a temporary file (its name holds the pid) still runs."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (ValueError, PermissionError):  # (not our naming, or another user's process)
        return True
    return True
