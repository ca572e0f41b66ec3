"""Export dialog: format, columns, transcripts, target, CSV delimiter and encoding; progress.

The export runs in a thread worker (``run_export``); progress reaches the bar through
``call_from_thread``. Escape cancels a running export (nothing is written) or closes the dialog.
An existing target is overwritten only after a second, explicit confirmation.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, RadioButton, RadioSet
from textual.worker import Worker, WorkerState

from mluvii_tui.query.columns import column_by_id
from mluvii_tui.query.types import SessionQuery

from ..export import parallel
from ..export.choices import ExportChoices, load_choices, save_choices
from ..export.embed import DEFAULT_CAP_MB, loop_fetch
from ..export.files import ExportError, TargetExists
from ..export.reader import EXPORT_CACHE_KIB
from ..export.runner import (
    ENCODINGS,
    ExportOptions,
    ExportProgress,
    ExportResult,
    default_filename,
    run_export,
    sessions,
)


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class ExportDialog(ModalScreen[ExportResult | None]):
    """Returns the ExportResult of a finished export, or None when closed without one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel / close", id="export.cancel"),
        Binding("ctrl+s", "start", "Export", priority=True, id="export.start"),
        Binding("ctrl+o", "columns", "Columns…", id="export.columns"),
    ]

    def __init__(
        self,
        store: Any,
        query: SessionQuery,
        columns: list[str],
        *,
        now: datetime | None = None,
        directory: Path | None = None,
        description: str = "",
        profile: str | None = None,
        client: Any = None,
    ) -> None:
        super().__init__()
        self.client = client  # the API client, for embedding files (None: offline)
        self.store = store
        self.query_ = query
        self.columns = list(columns)
        self.now = now or datetime.now()
        self.profile = profile
        self.choices = load_choices(profile)  # the last export's format, delimiter, folder…
        self.directory = directory or self.choices.target_directory()
        self.description = description
        self.result: ExportResult | None = None
        self._cancel_event = threading.Event()
        self._busy = False
        self._confirm_path: Path | None = None
        self._total = 0
        self._running: ExportOptions | None = None

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        choices = self.choices
        with Vertical(id="export-dialog"):
            yield Label("Export sessions", id="export-title")
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                with RadioSet(id="export-format"):
                    yield RadioButton("CSV", value=choices.format == "csv", id="fmt-csv")
                    yield RadioButton("HTML", value=choices.format == "html", id="fmt-html")
            with Horizontal(classes="export-row"):
                yield Label("Columns", classes="export-label")
                yield Label("", id="export-columns")
                yield Button("Columns… (ctrl+o)", id="export-columns-button")
            yield Checkbox("Include transcripts", choices.transcripts, id="export-transcripts")
            yield Checkbox(
                "Transcripts too long for a cell to a side file",
                choices.side_file,
                id="export-side",
            )
            with Horizontal(classes="export-row csv-only"):
                yield Label("Delimiter", classes="export-label")
                with RadioSet(id="export-delimiter"):
                    semicolon = choices.delimiter == ";"
                    yield RadioButton("comma ,", value=not semicolon, id="delim-comma")
                    yield RadioButton("semicolon ;", value=semicolon, id="delim-semicolon")
            with Horizontal(classes="export-row csv-only"):
                yield Label("Encoding", classes="export-label")
                with RadioSet(id="export-encoding"):
                    for code, label in ENCODINGS.items():
                        yield RadioButton(label, value=code == choices.encoding, id=f"enc-{code}")
            with Horizontal(classes="export-row"):
                yield Label("File", classes="export-label")
                yield Input(
                    str(self.directory / default_filename(choices.format, self.now)),
                    id="export-path",
                )
            yield Label(
                "HTML always holds every session's full transcript, with a search box.",
                id="export-html-note",
            )
            yield Checkbox(
                f"Embed shared files (downloaded, up to {DEFAULT_CAP_MB} MB per export)",
                False,
                id="export-embed",
            )
            bar = ProgressBar(total=None, show_eta=False, id="export-progress")
            bar.display = False  # shown once an export starts
            yield bar
            yield Label("", id="export-rate")
            yield Label("", id="export-status")
            with Horizontal(id="export-buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="export-start")
                yield Button("Cancel (esc)", id="export-cancel")

    def on_mount(self) -> None:
        # on a connection of its own, closed after: a count of a filter that scans would fill
        # (and keep) the page cache of the UI thread's connection
        with self.store.job_connection(EXPORT_CACHE_KIB):
            self._total = self.store.count(self.query_)
        self.query_one("#export-title", Label).update(
            Text(f"Export {sessions(self._total)}", style="bold")
        )
        self._show_columns()
        self._sync_format()
        if self._total == 0:
            self._status("No sessions match the current filter: there is nothing to export.")
            self.query_one("#export-start", Button).disabled = True
        self.query_one("#export-format", RadioSet).focus()

    # -- state ----------------------------------------------------------------------------

    @property
    def format(self) -> str:
        return "html" if self.query_one("#fmt-html", RadioButton).value else "csv"

    def _show_columns(self) -> None:
        names = []
        for cid in self.columns:
            col = column_by_id(cid)
            names.append(col.header if col is not None and col.param is None else cid)
        text = ", ".join(names)
        if len(text) > 70:
            text = text[:69] + "…"
        self.query_one("#export-columns", Label).update(Text(f"{len(names)}: {text}"))

    def _sync_format(self) -> None:
        csv = self.format == "csv"
        for node in self.query(".csv-only"):
            node.display = csv
        self.query_one("#export-transcripts", Checkbox).display = csv
        self.query_one("#export-side", Checkbox).display = csv
        self.query_one("#export-html-note", Label).display = not csv
        online = self.client is not None  # downloads need the server
        self.query_one("#export-embed", Checkbox).display = not csv and online
        self._warm_up()
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value)
        want = ".csv" if csv else ".html"
        if path.suffix.lower() in (".csv", ".html", ".htm") and path.suffix.lower() != want:
            path_input.value = str(path.with_suffix(want))
        self._confirm_path = None

    def _warm_up(self) -> None:
        """Start the worker processes while the user chooses, only when this export would use
        them (transcripts of many sessions): a CSV of rows runs in this process alone."""
        transcripts = self.format == "html" or self.query_one("#export-transcripts", Checkbox).value
        if parallel.uses_workers(transcripts, self._total):
            parallel.warm_up_in_background()

    def _status(self, message: str, error: bool = False) -> None:
        label = self.query_one("#export-status", Label)
        label.update(Text(message, style="bold red" if error else ""))

    def options(self, overwrite: bool = False) -> ExportOptions:
        enc = next(
            (code for code in ENCODINGS if self.query_one(f"#enc-{code}", RadioButton).value),
            "utf-8-sig",
        )
        csv = self.format == "csv"
        transcripts = csv and self.query_one("#export-transcripts", Checkbox).value
        return ExportOptions(
            format=self.format,
            path=Path(self.query_one("#export-path", Input).value.strip()).expanduser(),
            delimiter=";" if self.query_one("#delim-semicolon", RadioButton).value else ",",
            encoding=enc,
            include_transcripts=transcripts,
            transcripts_side_file=transcripts and self.query_one("#export-side", Checkbox).value,
            overwrite=overwrite,
            description=self.description,
            fetch_file=self._file_fetch(),
        )

    def _file_fetch(self) -> Any:
        """Downloads through the console's API client, on its event loop (called there)."""
        embed = self.query_one("#export-embed", Checkbox)
        if self.format != "html" or not embed.value or self.client is None:
            return None
        return loop_fetch(self.client, asyncio.get_running_loop())

    # -- events ---------------------------------------------------------------------------

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self) -> None:
        self._sync_format()

    @on(Checkbox.Changed, "#export-transcripts")
    def _transcripts_changed(self) -> None:
        self._warm_up()

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        # The overwrite confirmation belongs to one name (action_start compares it), so a
        # Changed message that arrives after the confirmation cannot undo it.
        confirmed = self._confirm_path == Path(event.value.strip()).expanduser()
        label = "Overwrite (ctrl+s)" if confirmed else "Export (ctrl+s)"
        self.query_one("#export-start", Button).label = label

    @on(Button.Pressed, "#export-start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#export-columns-button")
    def _columns_pressed(self) -> None:
        self.action_columns()

    def action_columns(self) -> None:
        if self._busy:
            return
        from .column_chooser import ColumnChooser

        def chosen(columns: list[str] | None) -> None:
            if columns:
                self.columns = columns
                self._show_columns()

        self.app.push_screen(ColumnChooser(self.columns, self.store.param_names()), chosen)

    def action_cancel(self) -> None:
        if self._busy:
            self._cancel_event.set()
            self._status("Cancelling…")
        else:
            self.dismiss(self.result)

    def action_start(self) -> None:
        if self._busy or self._total == 0:
            return
        if self.result is not None:
            self.dismiss(self.result)
            return
        options = self.options()
        overwrite = self._confirm_path is not None and self._confirm_path == options.path
        options.overwrite = overwrite
        if not overwrite and options.path.exists():
            self._confirm_path = options.path
            self._status(
                f"{options.path} exists. Press Overwrite (ctrl+s) to replace it, "
                "or change the name.",
                True,
            )
            self.query_one("#export-start", Button).label = "Overwrite (ctrl+s)"
            return
        self._busy = True
        self._cancel_event.clear()
        self.query_one("#export-start", Button).disabled = True
        self._status(f"Exporting to {options.path}…")
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(self._total, 1), progress=0)
        self.query_one("#export-rate", Label).update("")  # nothing left of an earlier attempt
        self._running = options
        self._export(options)

    # -- worker ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, options: ExportOptions) -> None:
        try:
            result = run_export(
                self.store,
                self.query_,
                self.columns,
                options,
                self._progress_from_thread,
                self._cancel_event,
            )
        except TargetExists as exc:
            self.app.call_from_thread(self._failed, exc.message, options.path)
            return
        except ExportError as exc:
            self.app.call_from_thread(self._failed, exc.message, None)
            return
        except Exception as exc:  # never a traceback in the UI
            self.app.call_from_thread(self._failed, f"Export failed: {exc}", None)
            return
        self.app.call_from_thread(self._finished, result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "export" and event.state == WorkerState.ERROR:
            self._failed(f"Export failed: {event.worker.error}", None)

    def _progress_from_thread(self, p: ExportProgress) -> None:
        self.app.call_from_thread(self._show_progress, p)

    def _show_progress(self, p: ExportProgress) -> None:
        self.query_one("#export-progress", ProgressBar).update(
            total=max(p.total, 1), progress=p.done
        )
        self.query_one("#export-rate", Label).update(
            Text(
                f"{p.done:,} / {p.total:,} sessions · {p.rate:,.0f} sessions/s · {_eta(p.eta)} left"
            )
        )

    def _failed(self, message: str, exists: Path | None) -> None:
        self._busy = False
        self.query_one("#export-start", Button).disabled = False
        if exists is not None:
            self._confirm_path = exists
            self.query_one("#export-start", Button).label = "Overwrite (ctrl+s)"
        self._status(message, True)

    def _finished(self, result: ExportResult) -> None:
        self._busy = False
        start = self.query_one("#export-start", Button)
        start.disabled = False
        if result.status == "done":
            self.result = result
            start.label = "Close (ctrl+s)"
            self._status(result.summary())
            self.app.notify(result.summary(), title="Export")
            if self._running is not None:
                save_choices(self.profile, ExportChoices.of(self._running))
        else:
            self._status(result.summary(), result.status == "cancelled")
