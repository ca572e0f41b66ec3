"""What the sessions table reads, off the UI thread and cancellable.

A ``TableReader`` owns three connections of the store file, each with a bounded page cache: a
fast lane for a new query's count and first rows (what the user waits for), a slow lane for what
may follow in the background (an exact count after a bounded one, finding the cursor's session
again), and one for the UI thread (the next block while scrolling: an index range with the
counts the worker found, so it never counts). A newer query stops the running ones: each lane's
progress handler aborts any statement of a job that is no longer the wanted one
(``SQLITE_INTERRUPT``, what ``Connection.interrupt()`` does, without its race of landing on the
next job's statement), and the job ends with ``Cancelled``. SQLite cannot stop inside one call
of the trigram index; the slow lane keeps such a count from delaying the next query's rows.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from mluvii_tui.query.listing import MEMBER_LIST_MAX, costly
from mluvii_tui.query.runner import QueryRunner
from mluvii_tui.query.sortplan import sort_plan
from mluvii_tui.query.types import SessionQuery, SortKey
from mluvii_tui.query.where import QueryError

from .loaded import Loaded, around, stays

if TYPE_CHECKING:
    from .rows import SessionRow
    from .store import SessionStore

#: Page cache of each reader connection (KiB): enough for the index pages a window walks (a
#: count or a sort scans more than any cache the console can afford: those pages come from the
#: OS's file cache). 8 MiB each held ~17 MB of the console's PSS at 1M.
CACHE_KIB = 2048
#: Progress handler period (SQLite VM steps between checks for a newer query).
CHECK_EVERY = 2000
# SCAN_SECONDS and PROBE_SECONDS choose a way to the first rows: they are seconds of the
# worker thread's CPU (``time.thread_time``), not of the wall clock: on a loaded machine a
# wall-clock limit ran out before the cheap way had had its time and chose the expensive one
# (a common word's search listed all its 900k matches). POSITION_SECONDS bounds what the user
# waits for: wall-clock seconds.
#: A broad quick or "contains" filter's first rows must come within this time (seconds); past
#: it the words are rare and the trigram index lists their matches instead. A time, not a
#: number of VM steps: along some sort indexes (client name) each step is a page read, and
#: 5M steps took ~700 ms.
SCAN_SECONDS = 0.04
#: Finding the cursor's session in the new order may take this long (seconds) before the first
#: rows are shown without it (the cursor follows when ``finish`` has found it).
POSITION_SECONDS = 0.03
#: A broad search's first rows probe the search index row by row along the sort index for at
#: most this long (seconds; a word in 80% of 1M sessions: ~40 ms); a word in a few percent
#: would need thousands of probes, so past it the window lists the matches instead.
PROBE_SECONDS = 0.06
#: A search's matches are listed (to learn whether they are few, and which) for about this
#: long (seconds of CPU) before the first rows of a newest-first order, when the listing is
#: slow (a phrase of common words reads most of their doclists: 60-100 ms at 1M, 150-350 ms
#: on a cold cache): the matches read by then (the highest ids, in id ranges:
#: ``QueryRunner.search_head``) give the first rows, and the exact count follows in
#: ``finish``. Rare words and broad ones learn their share within it (~1-5 ms).
LIST_SECONDS = 0.005
#: How often a job waiting for its lane checks whether it was replaced (seconds).
WAIT_STEP = 0.005
#: Progress handler period while a deadline is watched (a probe is ~30 VM steps, ~0.3 ms).
CHECK_TIMED = 200


class Cancelled(Exception):
    """A newer query replaced this one."""


class _Lane:
    """One connection of the reader, the lock of its one running job, that job's ticket and
    its optional deadline."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        self.running = -1
        self.deadline = 0.0  # > 0: the running statement stops at this time of ``clock``
        self.clock = time.thread_time


class TableReader:
    def __init__(self, store: SessionStore) -> None:
        self.store = store
        self._memory = store._memory
        self._wanted = 0
        self._cache: dict[Any, Any] = {}
        self._basis: Any = None
        if self._memory:
            self._ui = store._conn()
            conns = [self._ui, self._ui]
        else:
            self._ui = store._open()
            conns = [store._open(), store._open()]
            for conn in (*conns, self._ui):
                conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # First rows on one connection, exact counts on another: a count still inside the
        # trigram index (which SQLite cannot stop halfway) never delays the next query's rows.
        self._fast, self._slow = _Lane(conns[0]), _Lane(conns[1])
        self._stopped = False
        store._before_close.append(self.stop)

    def stop(self) -> None:
        """No more jobs: the running ones stop and are waited for (the store closes next)."""
        self._wanted += 1
        with self._fast.lock, self._slow.lock:
            self._stopped = True

    # -- cancelling ----------------------------------------------------------------------

    def newer(self) -> int:
        """A ticket for the next job; any job running for an older ticket stops (any thread)."""
        self._wanted += 1
        return self._wanted

    def _stale(self, lane: _Lane) -> int:
        if lane.running != self._wanted:
            return 1
        if lane.deadline:
            return 1 if lane.clock() > lane.deadline else 0
        return 0

    @contextlib.contextmanager
    def _until(
        self, lane: _Lane, seconds: float, clock: Callable[[], float] = time.thread_time
    ) -> Iterator[list[bool]]:
        """Statements inside may run ``seconds`` (of this thread's CPU, or of ``clock``); then
        they stop and the yielded flag list gets ``False`` (``[True]`` when they finished in
        time)."""
        outcome = [True]
        lane.clock = clock
        lane.deadline = clock() + seconds
        lane.conn.set_progress_handler(lambda: self._stale(lane), CHECK_TIMED)
        try:
            yield outcome
        except sqlite3.OperationalError:
            if lane.running != self._wanted or clock() <= lane.deadline:
                raise
            outcome[0] = False
        finally:
            lane.deadline = 0.0
            lane.conn.set_progress_handler(lambda: self._stale(lane), CHECK_EVERY)

    def _search_first(self, runner: QueryRunner, query: SessionQuery, limit: int) -> list[int]:
        """The first ``limit`` ids of a search with many matches: probing its index along the
        sort index while that is quick (a common word), else listing the matches."""
        with self._until(self._fast, PROBE_SECONDS) as ok:
            ids = runner.first_ids(query, limit)
        if ok[0]:
            return ids
        runner.probe = False
        try:
            return runner.first_ids(query, limit)
        finally:
            runner.probe = True

    def _search_head(
        self, runner: QueryRunner, query: SessionQuery, limit: int
    ) -> list[int] | None:
        """The first ``limit`` ids of a search whose listing takes longer than ``LIST_SECONDS``:
        from the head it read (``head_first``), else probing along the sort with that head;
        None when the listing finished (its count is known, or it is broad: the caller goes
        on as usual)."""
        if not runner.search_head(query, limit, LIST_SECONDS):
            return None
        ids = runner.head_first(query, limit)
        if ids is not None:
            return ids
        return self._search_first(runner, query, limit)

    def _broad_first(self, query: SessionQuery, limit: int) -> list[int] | None:
        """The first ``limit`` ids of a query that tests text (a quick filter, a "contains"
        filter) when its words are common: found by walking the sort index and testing each
        row's stored folded text for at most ``SCAN_SECONDS``; None when they are rare (the
        caller lists their matches instead) or the query tests no text."""
        if not scans_text(query):
            return None
        scanner = QueryRunner(self._fast.conn, {}, self.store.now, quick_scan=True)
        ids: list[int] = []
        with self._until(self._fast, SCAN_SECONDS) as ok:
            ids = scanner.first_ids(query, limit)
        return ids if ok[0] and len(ids) >= limit else None

    @contextlib.contextmanager
    def _job(self, ticket: int, lane: _Lane) -> Iterator[QueryRunner]:
        with self._lane(ticket, lane), self._locked():
            if ticket != self._wanted or self._stopped:
                raise Cancelled
            lane.running = ticket
            lane.conn.set_progress_handler(lambda: self._stale(lane), CHECK_EVERY)
            try:
                if self.store._counts is not self._basis:  # the store was written since
                    self._basis = self.store._counts
                    self._cache = {}
                yield QueryRunner(lane.conn, self._cache, self.store.now)
            except sqlite3.OperationalError as exc:
                if ticket != self._wanted and "interrupt" in str(exc):
                    raise Cancelled from None
                raise
            finally:
                lane.conn.set_progress_handler(None, 0)
                lane.running = -1
            if ticket != self._wanted:
                raise Cancelled

    @contextlib.contextmanager
    def _lane(self, ticket: int, lane: _Lane) -> Iterator[None]:
        """The lane's lock; a job replaced while it waits gives up (``Cancelled``) instead of
        holding its worker thread until the running statement ends (a trigram index call
        cannot be stopped: waiting jobs of fast typing used up the thread pool)."""
        while not lane.lock.acquire(timeout=WAIT_STEP):
            if ticket != self._wanted or self._stopped:
                raise Cancelled
        try:
            yield
        finally:
            lane.lock.release()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self._memory:
            with self.store._lock:
                yield
        else:
            yield

    # -- worker side ---------------------------------------------------------------------

    def load(
        self,
        ticket: int,
        query: SessionQuery,
        keep: int | None,
        block: int,
        blocks: int = 2,
        *,
        keep_row: int | None = None,
    ) -> Loaded:
        """Count (exact unless the query scans and matches more than ``MEMBER_LIST_MAX``),
        the row of session ``keep`` when the count is exact, and the rows of the block holding
        the cursor (``blocks`` blocks from the top when the count is a lower bound).
        ``keep_row``: the table's cursor row, where the cursor stays when ``keep`` is not
        found (its rows are read here, not on the UI thread)."""
        with self._job(ticket, self._fast) as runner:
            runner.where(query)  # a bad filter raises QueryError before any SQL runs
            total = runner.total()
            searching = bool(query.search.strip())
            if runner.cached_count(query) is None and costly(query) and not searching:
                ids = self._broad_first(query, block * blocks)
                if ids is not None:
                    out = Loaded(ticket, query, len(ids), False, total, True, cache=self._cache)
                    out.rows[0] = self.store._rows(runner.conn, ids)
                    out.shown, out.scan, out.done = len(ids), True, False
                    return out
            if searching and runner.cached_count(query) is None and newest_first(query):
                ids = self._search_head(runner, query, block)
                if ids is not None:  # the listing was slow: first rows from its head
                    out = Loaded(ticket, query, len(ids), False, total, True, cache=self._cache)
                    out.rows[0] = self.store._rows(runner.conn, ids)
                    out.shown, out.done = len(ids), False
                    return out
            count, exact = count_upto(runner, query)
            cursor = None
            if exact:
                force = runner.force_sort_index(query)
                runner.segment_counts(query, sort_plan(query.sort))
                found = [True]
                if keep is not None:
                    with self._until(self._fast, POSITION_SECONDS, time.perf_counter) as found:
                        cursor = runner.position_of(query, keep)
                start, n = around(stays(cursor, keep, keep_row, count), block)
                ids = runner.window_ids(query, start, n, total=count, force=force)
                out = Loaded(ticket, query, count, True, total, force, cache=self._cache)
                out.rows[start] = self.store._rows(runner.conn, ids)
                out.cursor, out.done = cursor, found[0]
                return out
            if searching:  # many matches: one block now, the count in ``finish``
                ids = self._search_first(runner, query, block)
            else:
                ids = runner.first_ids(query, block * blocks)
            out = Loaded(ticket, query, count, False, total, True, cache=self._cache)
            out.rows[0] = self.store._rows(runner.conn, ids)
            out.shown, out.done = len(ids), False
            return out

    def finish(
        self,
        ticket: int,
        loaded: Loaded,
        keep: int | None,
        block: int,
        *,
        keep_row: int | None = None,
    ) -> Loaded:
        """What ``load`` left open: the exact count, the kept session's row and its block."""
        with self._job(ticket, self._slow) as runner:
            query = loaded.query
            count = runner.count(query, listing=False)
            force = runner.force_sort_index(query)
            runner.segment_counts(query, sort_plan(query.sort))
            cursor = runner.position_of(query, keep) if keep is not None else None
            out = Loaded(ticket, query, count, True, loaded.total, force, cache=self._cache)
            out.cursor, out.scan = cursor, loaded.scan
            # the rows ``load`` read stay the query's rows (the same ticket: nothing written
            # since, or a newer job replaces this one); without them the table read the rows on
            # screen again on the UI thread (~0.4 s a window deep in a common-word search)
            out.rows.update(loaded.rows)
            row = stays(cursor, keep, keep_row, count)
            if row is not None:
                start, n = around(row, block)
                ids = runner.window_ids(query, start, n, total=count, force=force)
                out.rows[start] = self.store._rows(runner.conn, ids)
            return out

    def warm(self, ticket: int, query: SessionQuery, columns: list[str]) -> None:
        """While nothing newer is asked: the segment counts of ``query`` sorted by each of
        ``columns`` (the NULL part of a sort index: ~40-100 ms at 1M each), so that a re-sort
        reads only its first window. Stops (``Cancelled``) as soon as a newer query comes."""
        with self._job(ticket, self._slow) as runner:
            listed = runner._key(query, "listed") in self._cache
            if not listed and (costly(query) or query.search.strip()):
                return  # each count would scan or walk the search index again
            for column in columns:
                with contextlib.suppress(QueryError):
                    runner.segment_counts(query, sort_plan(SortKey(column)))

    # -- UI side -------------------------------------------------------------------------

    def window(self, loaded: Loaded, offset: int, limit: int) -> list[SessionRow]:
        """Rows of the shown query from the UI connection: the counts come from ``loaded``."""
        with self._locked():
            runner = QueryRunner(self._ui, loaded.cache, self.store.now, quick_scan=loaded.scan)
            ids = runner.window_ids(
                loaded.query, offset, limit, total=loaded.count, force=loaded.force
            )
            return self.store._rows(self._ui, ids)


def scans_text(query: SessionQuery) -> bool:
    """The query tests text row by row unless listed: a quick filter, or a "contains" /
    "equals" filter on a column of the session (a parameter's has its own index)."""
    if query.quick.strip():
        return True
    return any(
        f.op in ("contains", "equals") and not f.column.startswith("param:") for f in query.filters
    )


def newest_first(query: SessionQuery) -> bool:
    """The order starts with the highest ids (session ids grow with time): a search's head,
    its matches of the highest ids, holds its first rows."""
    return query.sort.column in ("created", "id") and query.sort.descending


def count_upto(runner: QueryRunner, query: SessionQuery) -> tuple[int, bool]:
    """``(count, exact)``: a scanning query or a search stops counting past ``MEMBER_LIST_MAX``
    matches."""
    known = runner.cached_count(query)
    if known is not None:
        return known, True
    if query.search.strip():
        listed = runner.search_listed(query)
        if listed is None:
            return MEMBER_LIST_MAX + 1, False
        return listed, True
    if costly(query):
        listed = runner.listed_count(query)
        if listed is None:
            return MEMBER_LIST_MAX + 1, False
        return listed, True
    return runner.count(query), True
