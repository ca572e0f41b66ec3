"""Schema v6 -> v7, once, with progress: every session's content hash taken again with XXH3
(``rows.content_hash``) from its kept JSON, so that the next sync still finds the unchanged
sessions unchanged (blake2b, before, cost ~5 us a session on each side of every sync).

The work goes by session id ranges of ``STEP`` sessions in the caller's transaction, one
``UPDATE`` each through the SQL function ``mluvii_rehash`` (unpack, hash); a blob that does not
unpack gets hash 0, so that the next sync writes that session again. The page fingerprints of
``sync_pages`` need nothing: a page whose fingerprint differs is parsed, and its sessions
compared by their hashes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .packing import Packer
from .progress import Progress, stderr_progress
from .rows import content_hash

#: Sessions hashed per step (one progress report each).
STEP = 50_000
#: Stores of at least this many sessions report their progress on stderr.
REPORT_FROM = 50_000


def migrate(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    packer = Packer()
    packer.load(conn)

    def rehash(blob: bytes | None) -> int:
        if blob is None:
            return 0
        try:
            return content_hash(packer.unpack(blob))
        except Exception:  # damaged, or a dictionary this store lacks: written again next sync
            return 0

    conn.create_function("mluvii_rehash", 1, rehash, deterministic=True)
    total = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
    if progress is None and total >= REPORT_FROM:
        progress = stderr_progress("content hashes")
    done, last = 0, None
    while True:
        after = "" if last is None else "WHERE id > ? "
        low: tuple[Any, ...] = () if last is None else (last,)
        row = conn.execute(
            f"SELECT id FROM sessions {after}ORDER BY id LIMIT 1 OFFSET ?", (*low, STEP - 1)
        ).fetchone()
        high = None if row is None else row[0]
        bounds = [b for b, v in (("id > ?", last), ("id <= ?", high)) if v is not None]
        args = [v for v in (last, high) if v is not None]
        where = " AND ".join(bounds) or "1"
        conn.execute(f"UPDATE sessions SET hash = mluvii_rehash(raw) WHERE {where}", args)
        if progress is not None and (high is not None or done < total):
            progress(total if high is None else min(done + STEP, total), total)
        if high is None:
            break
        done, last = done + STEP, high
