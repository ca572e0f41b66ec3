"""Filters on the Sessions screen: per-column popups, the filter bar, the quick filter (``/``),
search in content (``s``), saved views (``w`` / ``W``) and server-side narrowing for sync.

``SessionsScreen`` inherits ``SessionFiltersMixin``; every change goes through
``table.set_query(replace(table.query, ...))`` followed by ``self.update_status()``.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label

from mluvii_tui.keymap.commands import bindings
from mluvii_tui.query.columns import column_by_id
from mluvii_tui.query.filterdesc import describe_filter, to_session_filter
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.screens.commands import SessionCommands
from mluvii_tui.text import one_line

from ..widgets.filter_bar import Chip, FilterBar
from ..widgets.session_table import SessionTable
from ..widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from ..api.filters import SessionFilter


def server_filter_for(query: SessionQuery, now: Any = None) -> SessionFilter | None:
    """The part of ``query`` the Sessions API can apply itself (pass it to ``sync_history``).

    None when nothing can be narrowed on the server (or the filters cannot be translated).
    """
    try:
        result = to_session_filter(query.filters, query.search, now=now)
    except Exception:  # narrowing is an optimisation: never let it break a sync
        return None
    is_empty = getattr(result, "is_empty", None)
    if callable(is_empty) and is_empty():
        return None
    try:
        if not result.to_params():
            return None
    except Exception:
        return None
    return result


def check_search(text: str) -> str | None:
    """None when ``text`` is a usable search in content, else a one-line message (its syntax
    only: the table's worker analyses the words, off the UI thread)."""
    from mluvii_tui.query.search import check_syntax

    try:
        check_syntax(text)
    except ValueError as exc:  # SearchSyntaxError is a ValueError
        return one_line(str(exc), 200)
    except Exception as exc:  # never a traceback
        return one_line(f"cannot search for that: {exc}", 200)
    return None


def search_highlighter(text: str) -> Any | None:
    """A callable ``str -> list[(start, end)]`` marking the hits of a search, or None. The
    search is compiled at the first call (a transcript shown), not here: by then the table's
    worker has analysed its words."""
    if not text.strip():
        return None
    from mluvii_tui.query.search import check_syntax, compile_search, highlight_terms

    try:
        check_syntax(text)
    except Exception:
        return None
    compiled: list[Any] = []

    def spans(value: str) -> list[tuple[int, int]]:
        try:
            if not compiled:
                compiled.append(compile_search(text))
            return highlight_terms(compiled[0], value)
        except Exception:
            return []

    return spans


def chip_text(flt: Filter, column: Any) -> str:
    return describe_filter(flt, column, max_width=60)


class FilterInput(Input):
    """The bottom line's input (quick filter or search); escape is its own."""

    KEYMAP_SCOPE = "filter_input"
    BINDINGS: ClassVar[list[BindingType]] = bindings("filter_input")

    class Closed(Message):
        pass

    def action_close(self) -> None:
        self.post_message(self.Closed())


class SessionFiltersMixin(Screen[None]):
    """Base of SessionsScreen: the filter feature's keys, widgets and handlers.

    A Screen subclass (not a plain mixin) because Textual merges BINDINGS only from DOMNode
    classes along the MRO.
    """

    #: Command palette entries while this screen is shown (the app needs no change for them).
    COMMANDS: ClassVar[set[Any]] = {SessionCommands}

    # its keys are in the keymap, scope "sessions" (keymap/table.py)

    _input_mode: str = ""  # "" | "quick" | "search"
    _search_before: str = ""

    # -------------------------------------------------------------- compose

    def compose_filters_top(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")

    def compose_filters_bottom(self) -> ComposeResult:
        with Horizontal(id="filter-input-bar", classes="-hidden"):
            yield Label("", id="filter-input-prompt")
            yield FilterInput(id="filter-input", compact=True)
            yield Label("", id="filter-input-error", classes="error")

    # -------------------------------------------------------------- helpers

    @property
    def _table(self) -> SessionTable:
        return self.query_one(SessionTable)

    def _column(self, column_id: str) -> Any:
        return column_by_id(column_id, self.app.store.param_names())

    def apply_query(self, query: SessionQuery) -> bool:
        """Show ``query``; on any store error keep the previous one and say why."""
        table = self._table
        previous = table.query
        try:
            table.set_query(query)
        except Exception as exc:
            with contextlib.suppress(Exception):  # the previous query worked before
                table.set_query(previous)
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self.notify(one_line(f"Filter not applied: {message}", 200), severity="error")
            return False
        self.refresh_filter_bar()
        self.update_status()
        self._update_highlighter()
        return True

    def on_session_table_query_failed(self, event: SessionTable.QueryFailed) -> None:
        """A query failed in the table's worker: it shows the previous one again; say why."""
        self.notify(one_line(f"Filter not applied: {event.message}", 200), severity="error")
        self.refresh_filter_bar()
        self.update_status()
        self._update_highlighter()

    def refresh_filter_bar(self) -> None:
        query = self._table.query
        chips = [
            Chip(f"filter:{flt.column}", chip_text(flt, self._column(flt.column)))
            for flt in query.filters
        ]
        if query.quick.strip():
            chips.append(Chip("quick", f"Quick: {one_line(query.quick, 40)}"))
        if query.search.strip():
            chips.append(Chip("search", f"Search: {one_line(query.search, 40)}"))
        self.query_one(FilterBar).set_chips(chips)

    def current_filter(self, column_id: str) -> Filter | None:
        for flt in self._table.query.filters:
            if flt.column == column_id:
                return flt
        return None

    def set_column_filter(self, column_id: str, flt: Filter | None) -> bool:
        """Replace (or remove, with None) the filter on one column; filters combine with AND."""
        query = self._table.query
        filters = [f for f in query.filters if f.column != column_id]
        if flt is not None:
            old = [f.column for f in query.filters]
            if column_id in old:  # keep the chip where it was
                filters.insert(old.index(column_id), flt)
            else:
                filters.append(flt)
        return self.apply_query(replace(query, filters=tuple(filters)))

    # ---------------------------------------------------------- filter popup

    def action_filter_column(self, column_id: str = "") -> None:
        from .filter_popup import FilterPopup

        column_id = column_id or self._table.focused_column_id or ""
        column = self._column(column_id) if column_id else None
        if column is None:
            self.notify("No column to filter.", severity="warning")
            return
        app = self.app
        popup = FilterPopup(column, self.current_filter(column.id), now=app.now(), store=app.store)
        app.push_screen(popup, self._popup_done)

    def _popup_done(self, result: Any) -> None:
        if result is not None:
            self.set_column_filter(result.column, result.filter)
        self._table.focus()

    # ------------------------------------------------------------ filter bar

    def action_focus_filter_bar(self) -> None:
        bar = self.query_one(FilterBar)
        if bar.chips:
            bar.focus()
        else:
            self.notify("No filters yet: f filters the focused column.")

    def on_filter_bar_remove(self, event: FilterBar.Remove) -> None:
        event.stop()
        self.remove_chip(event.key)

    def remove_chip(self, key: str) -> None:
        query = self._table.query
        if key == "quick":
            self.apply_query(replace(query, quick=""))
        elif key == "search":
            self.apply_query(replace(query, search=""))
        elif key.startswith("filter:"):
            self.set_column_filter(key[len("filter:") :], None)
        if not self.query_one(FilterBar).chips:
            self._table.focus()

    def on_filter_bar_clear_all(self, event: FilterBar.ClearAll) -> None:
        event.stop()
        self.action_clear_filters()

    def action_clear_filters(self) -> None:
        self.apply_query(replace(self._table.query, filters=(), quick="", search=""))
        self._table.focus()

    def on_filter_bar_edit(self, event: FilterBar.Edit) -> None:
        event.stop()
        if event.key == "quick":
            self.action_quick_filter()
        elif event.key == "search":
            self.action_search_content()
        elif event.key.startswith("filter:"):
            self.action_filter_column(event.key[len("filter:") :])

    def on_filter_bar_leave(self, event: FilterBar.Leave) -> None:
        event.stop()
        self._table.focus()

    # ---------------------------------------------------- quick filter, search

    def _open_input(self, mode: str, prompt: str, value: str, placeholder: str) -> None:
        self._input_mode = mode
        bar = self.query_one("#filter-input-bar")
        # the input takes the footer's line: the table keeps its size (no relayout of its
        # rows) and the footer keeps its keys for when the input closes (steady_footer.py)
        self.query_one(SteadyFooter).display = False
        bar.remove_class("-hidden")
        self.query_one("#filter-input-prompt", Label).update(Text(prompt))
        self._show_input_error("")
        field = self.query_one("#filter-input", FilterInput)
        field.placeholder = placeholder
        with field.prevent(Input.Changed):
            field.value = value
        field.cursor_position = len(value)
        # focused now, not after the keys already queued (``focus()`` is deferred): the rest of
        # "/nov" typed or pasted in one burst is the input's (SessionTable.on_key)
        self.set_focus(field)

    def _close_input(self) -> None:
        self._input_mode = ""
        self.query_one("#filter-input-bar").add_class("-hidden")
        self.query_one(SteadyFooter).display = True  # before the focus: its keys compare
        self._table.focus()

    def _show_input_error(self, message: str) -> None:
        label = self.query_one("#filter-input-error", Label)
        label.update(Text("⚠ " + message) if message else Text(""))
        label.display = bool(message)

    def action_quick_filter(self) -> None:
        self._open_input(
            "quick", " / ", self._table.query.quick, "type to narrow the visible columns"
        )

    def action_search_content(self) -> None:
        from mluvii_tui.query.analysis import warm

        # the analysers load while the user types (not on the UI thread at enter)
        self.run_worker(warm, thread=True, group="search-warm", exclusive=True)
        self._search_before = self._table.query.search
        self._open_input(
            "search",
            " Search in content: ",
            self._table.query.search,
            'words, prefix* or "exact phrase" · enter search · esc close',
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter-input":
            return
        event.stop()
        if self._input_mode == "quick":
            columns = tuple(c.id for c in self._table.columns)
            self.apply_query(replace(self._table.query, quick=event.value, quick_columns=columns))
        elif self._input_mode == "search":
            self._show_input_error("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "filter-input":
            return
        event.stop()
        if self._input_mode == "search":
            text = event.value.strip()
            if text:
                message = check_search(text)
                if message:
                    self._show_input_error(message)  # the previous search stays
                    return
            if not self.apply_query(replace(self._table.query, search=text)):
                return
        self._close_input()

    def on_filter_input_closed(self, event: FilterInput.Closed) -> None:
        event.stop()
        if self._input_mode == "quick":  # esc clears the quick filter (k9s style)
            self.apply_query(replace(self._table.query, quick=""))
        self._close_input()

    # ---------------------------------------------------- transcript highlight

    def _update_highlighter(self) -> None:
        """Tell the detail pane which words to mark in the transcript (n / N jump)."""
        try:
            detail = self.query_one("#detail")
        except Exception:
            return
        spans = search_highlighter(self._table.query.search)
        for name in ("set_highlighter", "highlight", "set_highlight"):
            method = getattr(detail, name, None)
            if callable(method):
                with contextlib.suppress(Exception):  # a nicety; never break filtering
                    method(spans)
                return

    # ----------------------------------------------------------- saved views

    def action_saved_views(self) -> None:
        from .saved_views import SavedViewsScreen, load_views

        views, warning = load_views(self.app.profile)
        if warning:
            self.notify(warning, severity="warning")
        if not views:
            self.notify("No saved views yet: W saves the current filters, columns and sort.")
            return
        self.app.push_screen(SavedViewsScreen(views), self._view_chosen)

    def _view_chosen(self, name: str | None) -> None:
        if name:
            self.recall_view(name)
        self._table.focus()

    def recall_view(self, name: str) -> bool:
        from .saved_views import apply_view

        return apply_view(self, name)

    def action_save_view(self) -> None:
        from .saved_views import SaveViewScreen

        self.app.push_screen(SaveViewScreen(), self._save_named)

    def _save_named(self, name: str | None) -> None:
        from .saved_views import save_current_view

        if name:
            save_current_view(self, name)
        self._table.focus()
