"""A first sync's bulk load into an empty store, mixed into ``SessionStore``.

``drop_indexes_if_empty`` (before the first page): the secondary indexes and the quick index's
triggers go, the store's writer indexes each page for the quick filter itself
(``quickindex.index_by_writer``) and the FTS5 tables merge their segments in bigger steps
(``schema.BULK_MERGE``). ``ensure_indexes`` (after the last page) builds the indexes once, sorting
on disk in helper threads, and puts the rest back; a store opened after a killed first sync
finishes the same way (``finish_bulk_load``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator

from . import quickindex
from .schema import BULK_MERGE, DEFAULT_MERGE, drop_indexes, ensure_indexes, fts_merging

#: How index builds sort (``sorting_on_disk``): runs of this many KiB sorted by this many
#: helper threads, then merged. Measured building a 1M-session store's 19 indexes (2 cores):
#: 15.7 s with one thread and an 8 MB cache, 12.9 s with runs of 4 MB, 9.6 s with 4 threads.
SORT_CACHE_KIB = 4096
SORT_THREADS = 4
_SORTING = ("temp_store", "cache_size", "threads")


@contextlib.contextmanager
def sorting_on_disk(conn: sqlite3.Connection) -> Iterator[None]:
    """Index builds sort through temporary files instead of memory (schema.configure's
    temp_store): rebuilding a 1M-session store's indexes peaks at 40 MB RSS instead of 352.
    The runs are sorted in helper threads (both cores: the build is the last step of a first
    sync, nothing else runs then)."""
    before = [conn.execute(f"PRAGMA {p}").fetchone()[0] for p in _SORTING]
    conn.execute("PRAGMA temp_store = FILE")
    conn.execute(f"PRAGMA cache_size = -{SORT_CACHE_KIB}")
    conn.execute(f"PRAGMA threads = {SORT_THREADS}")
    try:
        yield
    finally:
        for pragma, value in zip(_SORTING, before, strict=True):
            conn.execute(f"PRAGMA {pragma} = {int(value)}")


class BulkLoadMixin:
    """Needs the store's connection and its write transaction."""

    _conn: Callable[[], sqlite3.Connection]
    _writing: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]

    def drop_indexes_if_empty(self) -> bool:
        """Before a first sync: without secondary indexes and the quick index's triggers the rows
        go in faster and the indexes are built once (``ensure_indexes``); the quick index is
        written page by page (``quickindex.index_by_writer``). True when they were dropped.
        Until then a quick filter folds the session columns itself."""
        with self._writing() as conn:
            if conn.execute("SELECT 1 FROM sessions LIMIT 1").fetchone() is not None:
                return False
            drop_indexes(conn)
            quickindex.drop_triggers(conn)
            quickindex.index_by_writer(conn)
            fts_merging(conn, BULK_MERGE)
        return True

    def ensure_indexes(self) -> None:
        """In one transaction, which holds the store past the busy timeout at 1M (~13 s): the
        console's live updates wait meanwhile (``StoreBusy``, screens/live.py) and are applied
        after. One transaction per index measured slower on a 1M store (14.3 and 17.9 s against
        13.1 and 13.8 s, closing included: a checkpoint after each)."""
        with sorting_on_disk(self._conn()), self._writing() as conn:
            ensure_indexes(conn)
            quickindex.ensure(conn, lambda done, total: None)
            fts_merging(conn, DEFAULT_MERGE)

    def finish_bulk_load(self, conn: sqlite3.Connection) -> None:
        """At open: what a first sync that was killed left undone (indexes, the quick index's
        triggers, the merge settings); nothing when there is none."""
        with sorting_on_disk(conn):
            ensure_indexes(conn)
            if not quickindex.is_current(conn):
                with self._writing() as writing:
                    quickindex.ensure(writing)
                    fts_merging(writing, DEFAULT_MERGE)
