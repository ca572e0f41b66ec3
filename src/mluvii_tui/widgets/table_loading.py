"""How the sessions table gets its rows: a new query (filter, sort, quick filter, search, a
reload after a sync) runs in a thread worker (``store.reader.TableReader``); the table keeps
showing the last good result, marked as updating, until the new one lands; a newer query stops
the older one; quick-filter keystrokes are debounced. A query that scans and matches many rows
shows its first rows with a lower bound of its count ("≥ N") and finishes counting (and finding
the cursor's session) in the background. Mixed into ``SessionTable``.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.reader import Cancelled, Loaded, TableReader

from .table_model import BLOCK, RowBlocks

if TYPE_CHECKING:
    from mluvii_tui.store.store import SessionStore

#: Quick-filter keystrokes closer together than this start one query (seconds). A query is
#: cheap to start and a newer one stops it, so this only spares work between fast keys (a
#: paste, a key held down): a key after a pause starts its query at once (a timer fired late
#: under load, ~40 ms, was most of a key's wait).
QUICK_DEBOUNCE = 0.03


class QueryLoading:
    """The query side of ``SessionTable`` (state is set up by the table's ``__init__``)."""

    source: SessionStore
    query: SessionQuery
    row_count: int
    count: int
    count_exact: bool
    total: int
    updating: bool
    cursor_row: int
    scroll_y: Any
    app: Any
    _reader: TableReader | None
    _loaded: Loaded | None
    _rows: RowBlocks
    _timer: Any
    _typed_at: float
    _moved: bool
    _columns: list[Any]

    if TYPE_CHECKING:

        @property
        def current_session_id(self) -> int | None: ...
        def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...
        def set_timer(self, *args: Any, **kwargs: Any) -> Any: ...
        def refresh(self, *args: Any, **kwargs: Any) -> Any: ...
        def post_message(self, message: Any) -> bool: ...
        def _update_virtual_size(self) -> None: ...
        def _layout_columns(self) -> None: ...
        def _move_cursor(self, index: int, *, center: bool = False) -> None: ...
        def _visible_rows(self) -> list[Any]: ...
        def _repaint_changed(self, before: list[Any], top: int) -> None: ...

        Loaded: Any
        QueryFailed: Any

    def set_query(self, query: SessionQuery, *, keep: int | None = None) -> None:
        """Show another query; the cursor stays on session ``keep`` (default: the current one).
        Returns at once: the rows land from a worker (the old ones stay until then)."""
        keep_id = self.current_session_id if keep is None else keep
        typing = query != self.query and query == replace(self.query, quick=query.quick)
        self.query = query
        now = time.monotonic()
        burst = typing and now - self._typed_at < QUICK_DEBOUNCE
        self._typed_at = now if typing else 0.0
        self._request(keep_id, QUICK_DEBOUNCE if burst else 0.0)

    def reload(self, *, keep: int | None = None) -> None:
        """Re-read count and rows (after a sync or a live update), keeping the cursor's session.

        A cursor resting on the first row stays on the first row (it follows the newest session),
        as in k9s; anywhere else it stays on its session."""
        if keep is None and self.cursor_row == 0 and int(self.scroll_y) == 0:
            keep_id = None
        else:
            keep_id = self.current_session_id if keep is None else keep
        # the store is changing (a sync): no warming of re-sorts that the next write undoes
        self._request(keep_id, 0.0, warm=self._loaded is None)

    @property
    def count_text(self) -> str:
        """The shown count: "1,234", or "≥ 20,001" while a scan is still counting."""
        return f"{self.count:,}" if self.count_exact else f"≥ {self.count:,}"

    def _request(self, keep_id: int | None, delay: float, *, warm: bool = True) -> None:
        if self._reader is None:
            self._reader = TableReader(self.source)
        ticket = self._reader.newer()  # stops the running query, if any
        self.updating = True
        self._moved = False  # a key from now on is the user's: its result keeps it
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = self.query
        row = self.cursor_row  # where the cursor stays when its session is not found
        if delay > 0:
            self._timer = self.set_timer(
                delay, lambda: self._start(ticket, query, keep_id, warm, row)
            )
        else:
            self._start(ticket, query, keep_id, warm, row)

    def _start(
        self, ticket: int, query: SessionQuery, keep_id: int | None, warm: bool, row: int
    ) -> None:
        self._timer = None
        self.run_worker(
            lambda: self._work(ticket, query, keep_id, warm, row),
            thread=True,
            group="session-table",
            exit_on_error=False,
        )

    def _work(
        self, ticket: int, query: SessionQuery, keep_id: int | None, warm: bool, row: int
    ) -> None:
        """Worker thread: the query's first rows, then (when only bounded) its exact count."""
        reader = self._reader
        assert reader is not None
        try:
            loaded = reader.load(ticket, query, keep_id, BLOCK, keep_row=row)
            self.app.call_from_thread(self._show, loaded, keep_id)
            if not loaded.done:
                final = reader.finish(ticket, loaded, keep_id, BLOCK, keep_row=row)
                self.app.call_from_thread(self._show, final, keep_id)
            if warm:  # re-sorts read only their windows
                reader.warm(ticket, query, [c.id for c in self._columns])
        except Cancelled:
            return
        except Exception as exc:  # a bad filter, a damaged store: one line, the old rows stay
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            try:
                self.app.call_from_thread(self._failed, ticket, query, message)
            except RuntimeError:  # the app is closing
                return

    def _current(self, ticket: int) -> bool:
        return self._reader is not None and ticket == self._reader._wanted

    def _show(self, loaded: Loaded, keep_id: int | None) -> None:
        if not self._current(loaded.ticket):
            return
        first = self._loaded is None or self._loaded.ticket != loaded.ticket
        # the same query read again (a live update, a sync): widths only grow, and only the
        # lines whose rows changed are painted again (nothing jumps, keys stay quick)
        again = self._loaded is not None and _same(self._loaded.query, loaded.query)
        before = (self._visible_rows(), int(self.scroll_y)) if again else None
        reader = self._reader
        assert reader is not None
        self._loaded = loaded
        self._rows.reset(lambda offset, limit: reader.window(loaded, offset, limit), loaded.rows)
        self.count, self.count_exact, self.total = loaded.count, loaded.exact, loaded.total
        self.row_count = loaded.count if loaded.exact else loaded.shown
        self.updating = False
        self._update_virtual_size()
        if first:
            moved, self._moved = self._moved, False
            if again and moved:
                pass  # the same rows read again (a sync): a key pressed meanwhile is kept
            elif loaded.cursor is not None:
                self._move_cursor(loaded.cursor, center=True)
            elif keep_id is not None and loaded.exact:
                self._move_cursor(min(self.cursor_row, max(self.row_count - 1, 0)))
            else:
                self._move_cursor(0)
            if before is None:
                self._layout_columns()  # widths fitted to what this query shows
        elif loaded.cursor is not None and not self._moved:
            self._move_cursor(loaded.cursor, center=True)
        self._moved = False if first else self._moved
        if before is None:
            self.refresh()
        else:
            self._repaint_changed(*before)
        self.post_message(self.Loaded())

    def _failed(self, ticket: int, query: SessionQuery, message: str) -> None:
        if not self._current(ticket):
            return
        self.updating = False
        if self._loaded is not None:
            self.query = self._loaded.query
        self.refresh()
        self.post_message(self.QueryFailed(query, message))


def _same(a: SessionQuery, b: SessionQuery) -> bool:
    """The same rows asked for (the live view's kept ended sessions aside)."""
    return a == b or replace(a, also=()) == replace(b, also=())
