"""The Sessions screen: status line, the sessions table, the detail pane, the footer."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from mluvii_tui.keymap.commands import bindings
from mluvii_tui.query.columns import BASIC_COLUMNS, column_by_id
from mluvii_tui.query.types import SessionQuery, SortKey

from ..widgets.session_table import SessionTable
from ..widgets.steady_footer import SteadyFooter
from .admin_actions import AdminActionsMixin
from .admin_reroute import RerouteActionsMixin
from .opens_downloads import OpensDownloads
from .profile_settings import default_columns, default_view, saved_view_problem
from .sessions_detail import DetailPaneMixin
from .sessions_filters import SessionFiltersMixin, server_filter_for
from .sessions_sync import SyncStatusMixin

if TYPE_CHECKING:
    from ..app import MluviiApp

VIEW_LABELS = {"history": "History", "live": "Live", "all": "All"}


class SessionsScreen(
    AdminActionsMixin,
    RerouteActionsMixin,
    OpensDownloads,
    SessionFiltersMixin,
    DetailPaneMixin,
    SyncStatusMixin,
    Screen[None],
):
    KEYMAP_SCOPE = "sessions"
    BINDINGS: ClassVar[list[BindingType]] = bindings("sessions")

    def __init__(self) -> None:
        super().__init__()
        self._status_shown: Text | None = None
        self._narrowed_for: tuple[Any, ...] = ((), "")

    @property
    def mluvii(self) -> MluviiApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------- compose

    def compose(self) -> ComposeResult:
        app = self.mluvii
        columns, notice = self._restore_columns()
        self._notice = notice
        view, self._start_view = default_view(app.profile_settings)
        query = SessionQuery(view=view, sort=self._restore_sort())
        yield Static(id="status-line")
        yield from self.compose_filters_top()
        with Horizontal(id="sessions-body"):
            yield SessionTable(  # the detail pane joins it when first opened
                app.store, columns, query, id="sessions-table", widths=self._restore_widths()
            )
        yield from self.compose_filters_bottom()
        # compact, no palette hint: the table's keys, ? Help and q Quit fit in 80 columns
        yield SteadyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(SessionTable)
        table.live_marks = self.mluvii.live.marks
        table.reload()
        table.focus()
        self._update_status()
        if self._notice:
            self.notify(self._notice, severity="warning", timeout=12)
        self._apply_detail_layout()
        if self._start_view:  # the profile's default view is a saved one
            self.call_after_refresh(self._recall_start_view, self._start_view)

    def _recall_start_view(self, name: str) -> None:
        from .saved_views import view_names

        known = view_names(self.mluvii.profile)
        if name in known:
            self.recall_view(name)
        elif self.mluvii.profile_settings is not None:
            line = saved_view_problem(self.mluvii.profile_settings, name, known)
            self.notify(line, severity="warning", timeout=12)

    # ------------------------------------------------------------- columns

    def _restore_columns(self) -> tuple[list[Any], str | None]:
        from mluvii_tui.config.settings import load_state

        state, warning = load_state(self.mluvii.profile)
        ids = state.get("columns")
        if not ids or not isinstance(ids, list):  # no layout kept: the profile's or the basic
            columns, notice = default_columns(self.mluvii, self.mluvii.profile_settings)
            return columns, "; ".join(n for n in (warning, notice) if n) or None
        param_names = self.mluvii.store.param_names()
        columns, unknown = [], []
        for column_id in ids:
            column = column_by_id(str(column_id), param_names)
            if column is None:
                unknown.append(str(column_id))
            else:
                columns.append(column)
        notices = [warning] if warning else []
        if unknown:
            notices.append("Dropped unknown columns from the saved layout: " + ", ".join(unknown))
        if not columns:
            columns = [column_by_id(c) for c in BASIC_COLUMNS]
        return columns, "; ".join(notices) or None

    def _restore_widths(self) -> dict[str, int]:
        from mluvii_tui.config.settings import load_state

        state, _ = load_state(self.mluvii.profile)
        widths = state.get("widths")
        if not isinstance(widths, dict):
            return {}
        return {str(k): v for k, v in widths.items() if isinstance(v, int) and 3 <= v <= 500}

    def on_session_table_widths_changed(self, event: SessionTable.WidthsChanged) -> None:
        from mluvii_tui.config.settings import update_state

        update_state(self.mluvii.profile, widths=event.widths)

    def _restore_sort(self) -> SortKey:
        from mluvii_tui.config.settings import load_state

        state, _ = load_state(self.mluvii.profile)
        sort = state.get("sort")
        if isinstance(sort, dict) and column_by_id(str(sort.get("column")), ()) is not None:
            return SortKey(str(sort["column"]), bool(sort.get("descending", True)))
        return SortKey()

    def action_choose_columns(self) -> None:
        from .column_chooser import ColumnChooser

        table = self.query_one(SessionTable)
        current = [c.id for c in table.columns]
        param_names = self.mluvii.store.param_names()
        self.app.push_screen(ColumnChooser(current, param_names), self._columns_chosen)

    def _columns_chosen(self, ids: list[str] | None) -> None:
        if ids is None:
            return
        from mluvii_tui.config.settings import update_state

        param_names = self.mluvii.store.param_names()
        columns = [c for c in (column_by_id(i, param_names) for i in ids) if c is not None]
        if not columns:
            self.notify("At least one column must stay visible.", severity="warning")
            return
        self.query_one(SessionTable).set_columns(columns)
        update_state(self.mluvii.profile, columns=[c.id for c in columns])

    def on_session_table_sort_changed(self, event: SessionTable.SortChanged) -> None:
        from mluvii_tui.config.settings import update_state

        update_state(
            self.mluvii.profile,
            sort={"column": event.sort.column, "descending": event.sort.descending},
        )
        self._update_status()

    # ---------------------------------------------------------------- view

    @property
    def showing_live(self) -> bool:
        found = self.query(SessionTable)  # not composed yet (a slow start): not showing
        return bool(found) and found.first().query.view == "live"

    def action_toggle_view(self) -> None:
        table = self.query_one(SessionTable)
        self.action_show_view("live" if table.query.view == "history" else "history")

    def action_show_view(self, view: str) -> None:
        table = self.query_one(SessionTable)
        also = self.mluvii.live.marks.also() if view == "live" else ()
        table.set_query(replace(table.query, view=view, also=also))
        self._update_status()
        if view == "live" and self.mluvii.client is not None and not self.mluvii.live.relayed:
            self.mluvii.run_live_sync()

    def action_resync(self) -> None:
        if self.mluvii.client is None:
            self.notify("No server configured: showing the local store only.")
            return
        self.mluvii.run_sync()

    def action_export(self) -> None:
        """Export exactly the filtered list, with the visible columns (CSV or HTML)."""
        from .export_dialog import ExportDialog

        table = self.query_one(SessionTable)
        if table.row_count == 0:
            self.notify("Nothing to export: no session matches.", severity="warning")
            return
        description = str(self.query_one("#status-line", Static).render())
        self.app.push_screen(
            ExportDialog(
                self.mluvii.store,
                table.query,
                [c.id for c in table.columns],
                now=self.mluvii.now(),
                description=description.strip(),
                profile=self.mluvii.profile,
                client=self.mluvii.client,
            ),
            self._export_done,
        )

    def _export_done(self, result: Any) -> None:
        if result is not None:
            summary = getattr(result, "summary", None)
            self.notify(summary() if callable(summary) else "Export written.", timeout=8)

    def action_export_session(self) -> None:
        """Export the highlighted session alone (HTML or JSON)."""
        from .session_export import SessionExportDialog

        session_id = self.query_one(SessionTable).current_session_id
        session = None if session_id is None else self.mluvii.store.get_session(session_id)
        if session is None:
            self.notify("No session selected.", severity="warning")
            return

        def done(path: Any) -> None:
            if path is not None:
                self.notify(f"Session {session_id} written to {path}", timeout=8)

        self.app.push_screen(SessionExportDialog(session), done)

    def update_status_line(self) -> None:
        """Public: the live wiring redraws the header (connection state, PAUSED banner). Its
        ticker can fire while the screen is taken down (exit, profile switch): the header is
        gone then (seen on CI as NoMatches '#status-line'), and there is nothing to redraw."""
        if self.query("#status-line"):
            self._update_status()

    def action_toggle_pause(self) -> None:
        """``p``: hold live updates (they wait, counted in the banner) or apply them."""
        self.mluvii.live.toggle_pause()

    def open_detail(self) -> Any | None:
        """The detail pane when it is open, else None."""
        return self._detail() if self._detail_open else None

    def update_status(self) -> None:
        """Public: the filter mixin calls it after changing the query. New filters that the API
        understands start a narrowed sync, so that the server answers them too."""
        self._update_status()
        query = self.query_one(SessionTable).query
        key = (query.filters, query.search)
        if key == self._narrowed_for:
            return
        self._narrowed_for = key
        if self.mluvii.client is None:
            return
        narrow = server_filter_for(query, now=self.mluvii.now)
        if narrow is not None:
            self.mluvii.run_sync(narrow)

    def filter_description(self) -> str:
        """What the table shows, in words (for the stats view and exports)."""
        from mluvii_tui.query.filterdesc import describe_filter

        query = self.query_one(SessionTable).query
        parts = [VIEW_LABELS.get(query.view, query.view)]
        parts += [describe_filter(f, column_by_id(f.column, ()), 40) for f in query.filters]
        if query.quick.strip():
            parts.append(f"quick “{query.quick.strip()}”")
        if query.search.strip():
            parts.append(f"search “{query.search.strip()}”")
        return " · ".join(parts)

    def _update_status(self) -> None:
        """The header. Too narrow for all of it, the less important parts go first (the long
        connection state and profile name, then the user, then words): the connection state
        always shows at its end, whatever has to be cut before it."""
        width = self.size.width or 10_000
        for level in range(4):
            line, state = self._status_text(level), self.mluvii.live.label(short=level >= 1)
            tail = Text(f"  · {state}" if level < 3 else f" {state}", style="dim")
            if line.cell_len + (tail.cell_len if state else 0) <= width:
                break
        line.truncate(max(width - tail.cell_len, 1) if state else width, overflow="ellipsis")
        if state:
            line.append_text(tail)
        if line != self._status_shown:  # an unchanged header is not painted again
            self._status_shown = line
            self.query_one("#status-line", Static).update(line, layout=False)  # height 1

    def _status_text(self, level: int) -> Text:
        """The header but the connection state; ``level`` 1 cuts a long profile name, 2 leaves
        the user out, 3 words too."""
        table = self.query_one(SessionTable)
        short = level >= 3
        profile = self.mluvii.profile
        if level >= 1 and len(profile) > 16:
            profile = profile[:15] + "…"
        line = Text()
        line.append(" " if short else " mluvii-tui ", style="bold reverse")
        line.append(f" {profile}" if short else f"  {profile}")
        if level <= 1:
            line.append_text(self.admin_header())
        elif self.mluvii.permissions.read_only:
            line.append("  READ-ONLY", style="bold reverse yellow")
        line.append(" " if short else "  ")
        line.append(f" {VIEW_LABELS.get(table.query.view, table.query.view)} ", style="bold")
        live = self.mluvii.live  # the PAUSED banner first: it must never be out of sight
        if banner := live.banner():
            line.append(" ")
            line.append(banner, style="bold reverse yellow")
        words = "" if short else " sessions"
        line.append(f"  {table.count_text} of {table.total:,}{words}")
        if table.updating or not table.count_exact:
            line.append("  updating…" if table.updating else "  counting…", style="dim italic")
        if self._sync_text:
            line.append(f"  · {self._sync_text}", style="italic")
        line.append_text(self.marks_text())
        return line

    def on_session_table_loaded(self, event: SessionTable.Loaded) -> None:
        self._update_status()
        self.mluvii.mark_first_paint()  # the first rows are on the screen
