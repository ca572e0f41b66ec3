"""Run an export: stream windows of the query from the store into a CSV or HTML file.

Memory stays constant: rows are fetched ``WINDOW`` at a time, rendered and written, then dropped.
The file is written under a temporary name in the target directory and renamed at the end; a
cancelled or failed export leaves nothing behind. ``progress`` is called after every window.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from mluvii_tui.query.columns import Column, column_by_id
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.protocols import ExportStore

from . import html_export as H
from . import parallel
from .cells import Memo
from .csv_export import CsvWriter, text_transcript
from .embed import DEFAULT_CAP_MB, FileEmbedder
from .files import (
    AtomicFile,
    ExportError,
    check_target,
    copy_bytes,
    describe_os_error,
    discarded_on_error,
)
from .reader import EXPORT_CACHE_KIB, SessionReader
from .results import ExportProgress, ExportResult, sessions
from .rowcells import compile_cells, needed_fields

WINDOW = 2000
#: Smaller windows when whole sessions (transcripts) are loaded: they are far bigger than rows.
SESSION_WINDOW = 500
FORMATS = ("csv", "html")
ENCODINGS = {"utf-8-sig": "UTF-8 with BOM (Excel)", "utf-8": "UTF-8", "cp1250": "Windows-1250"}


@dataclass
class ExportOptions:
    format: str = "csv"  # csv | html
    path: Path = Path("sessions.csv")
    delimiter: str = ","  # CSV only: "," or ";"
    encoding: str = "utf-8-sig"  # CSV only; HTML is always UTF-8
    include_transcripts: bool = False  # CSV: a Transcript column (HTML always has them)
    transcripts_side_file: bool = (
        False  # CSV: full text of cut transcripts in <name>-transcripts.txt
    )
    overwrite: bool = False
    description: str = ""  # what was exported (filters, search), shown in the HTML header
    #: HTML only: download shared files through this (embed.Fetch) into the file, up to the cap
    fetch_file: Any = None
    embed_cap_mb: float = DEFAULT_CAP_MB


def default_filename(fmt: str, now: datetime | None = None) -> str:
    """``sessions-2026-11-30-1405.csv``"""
    now = now or datetime.now()
    return f"sessions-{now:%Y-%m-%d-%H%M}.{'html' if fmt == 'html' else 'csv'}"


def side_file_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-transcripts.txt")


def resolve_columns(columns: Sequence[str | Column]) -> list[Column]:
    out: list[Column] = []
    for c in columns:
        col = c if isinstance(c, Column) else column_by_id(c)
        if col is None:
            raise ExportError(f"Unknown column {c!r}")
        out.append(col)
    if not out:
        raise ExportError("Choose at least one column")
    return out


def _cancelled(cancel: Any) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def run_export(
    store: ExportStore,
    query: SessionQuery,
    columns: Sequence[str | Column],
    options: ExportOptions,
    progress: Callable[[ExportProgress], None] | None = None,
    cancel: threading.Event | Callable[[], bool] | None = None,
) -> ExportResult:
    """Export the sessions of ``query`` in store order. Raises ExportError (one-line message)."""
    if options.format not in FORMATS:
        raise ExportError(f"Unknown format {options.format!r} (use csv or html)")
    if options.format == "csv" and options.delimiter not in (",", ";", "\t"):
        raise ExportError("The CSV delimiter must be ',' or ';'")
    cols = resolve_columns(columns)
    target = check_target(Path(options.path), options.overwrite)
    # every read on a connection of the export's own (small cache), closed when it ends; then
    # what the export allocated goes back to the OS
    try:
        with store.job_connection(EXPORT_CACHE_KIB):
            return _run(store, query, cols, options, target, progress, cancel)
    finally:
        store.release_memory()


def _run(
    store: ExportStore,
    query: SessionQuery,
    cols: list[Column],
    options: ExportOptions,
    target: Path,
    progress: Callable[[ExportProgress], None] | None,
    cancel: threading.Event | Callable[[], bool] | None,
) -> ExportResult:
    started = time.perf_counter()
    total = store.count(query)
    if total == 0:
        return ExportResult("empty", elapsed=time.perf_counter() - started)
    if progress is not None:
        progress(ExportProgress(0, total, 0.0))
    params = [c.param for c in cols if c.param is not None]
    fields = needed_fields(cols)
    if options.format == "csv":
        job: _Job = _CsvJob(target, cols, fields, options)
    else:
        job = _HtmlJob(target, cols, fields, options, total)
    window = SESSION_WINDOW if job.needs_sessions else WINDOW
    reader = SessionReader(store, query, fields, params, sources=job.needs_sessions)
    if isinstance(job, _HtmlJob) and options.fetch_file is not None:
        cap = int(options.embed_cap_mb * 1e6)
        job.embed = FileEmbedder(options.fetch_file, cap, reader.session)
    render = None
    if job.needs_sessions:
        render = H.html_transcript if job.kind == "html" else text_transcript

    stopped: list[bool] = []

    def windows() -> Iterator[list[tuple[Any, ...]]]:
        read = 0
        while True:
            if _cancelled(cancel):
                stopped.append(True)
                return
            rows = reader.window(read, window)
            if not rows:
                return
            yield rows
            read += len(rows)
            if len(rows) < window:
                return

    def rendered() -> Iterator[tuple[list[tuple[Any, ...]], list[str] | None]]:
        if render is None:
            return ((rows, None) for rows in windows())
        return parallel.with_transcripts(windows(), render, reader.session, job.kind, total)

    done = 0
    try:
        with discarded_on_error(job.discard, target):
            for rows, transcripts in rendered():
                job.write(rows, transcripts)
                done += len(rows)
                if progress is not None:
                    elapsed = time.perf_counter() - started
                    progress(ExportProgress(done, max(total, done), elapsed))
            if stopped:
                job.discard()
                elapsed = time.perf_counter() - started
                return ExportResult("cancelled", sessions=done, elapsed=elapsed)
            if done == 0:
                job.discard()
                return ExportResult("empty", elapsed=time.perf_counter() - started)
            result = job.finish(done)
    finally:
        if isinstance(job, _HtmlJob) and job.embed is not None:
            job.embed.close()
    result.elapsed = time.perf_counter() - started
    return result


class _Job:
    needs_sessions = False
    kind = ""

    def write(self, rows: list[tuple[Any, ...]], transcripts: list[str] | None) -> None:
        """``transcripts``: one per row (text for CSV, markup for HTML) when the job needs them."""

    def finish(self, done: int) -> ExportResult:
        raise NotImplementedError

    def discard(self) -> None: ...


class _CsvJob(_Job):
    def __init__(
        self, target: Path, cols: list[Column], fields: list[str], options: ExportOptions
    ) -> None:
        self.target = target
        self.kind = "text"
        self.needs_sessions = options.include_transcripts
        errors = "replace" if options.encoding.lower() not in ("utf-8", "utf-8-sig") else "strict"
        self.out = AtomicFile(
            target,
            encoding=options.encoding,
            newline="",
            errors=errors,
            overwrite=options.overwrite,
        )
        self.side: AtomicFile | None = None
        self.side_path: Path | None = None
        if options.include_transcripts and options.transcripts_side_file:
            self.side_path = side_file_path(target)
            try:
                self.side = AtomicFile(self.side_path, overwrite=True)
            except ExportError:
                self.out.discard()
                raise
        self.writer = CsvWriter(
            self.out.file,
            cols,
            fields,
            delimiter=options.delimiter,
            include_transcripts=options.include_transcripts,
            side_file=self.side.file if self.side else None,
            side_name=self.side_path.name if self.side_path else "",
        )

    def write(self, rows: list[tuple[Any, ...]], transcripts: list[str] | None) -> None:
        self.writer.write_window(rows, transcripts)

    def finish(self, done: int) -> ExportResult:
        side_used = None
        if self.side is not None:
            if self.writer.cut_cells:
                self.side.commit()
                side_used = self.side_path
            else:
                self.side.discard()
        self.out.commit()
        return ExportResult(
            "done",
            self.target,
            done,
            self.target.stat().st_size,
            cut_cells=self.writer.cut_cells,
            cut_sessions=self.writer.cut_sessions,
            side_file=side_used,
        )

    def discard(self) -> None:
        self.out.discard()
        if self.side is not None:
            self.side.discard()


class _HtmlJob(_Job):
    needs_sessions = True
    kind = "html"
    embed: FileEmbedder | None = None

    def __init__(
        self,
        target: Path,
        cols: list[Column],
        fields: list[str],
        options: ExportOptions,
        total: int,
    ) -> None:
        self.target = target
        cols = [c for c in cols if c.id != "id"]  # the Session column is the id already
        self.cols = cols
        self.cells = compile_cells(cols, fields, human=True)
        self.escaped = Memo(escape)  # cells repeat (enum values, names, days): escape each once
        self.dts = [f"<dt>{escape(c.header if c.param is None else c.id)}</dt><dd>" for c in cols]
        self.out = AtomicFile(target, overwrite=options.overwrite)
        try:
            self.sections = tempfile.TemporaryFile(  # noqa: SIM115 - closed in finish/discard
                "w+",
                encoding="utf-8",
                dir=target.parent,
                prefix=f".{target.name}.",
                buffering=1 << 20,
            )
        except OSError as exc:
            self.out.discard()
            raise ExportError(describe_os_error(exc, target)) from exc
        headers = [c.header if c.param is None else c.id for c in cols]
        now = datetime.now().astimezone()
        meta = f"{sessions(total)} · exported {now:%Y-%m-%d %H:%M} · {H.zone_note(now)}"
        if options.description:
            meta += f" · {options.description}"
        self.out.file.write(H.head("mluvii sessions", meta, headers, total))

    def write(self, rows: list[tuple[Any, ...]], transcripts: list[str] | None) -> None:
        """Summary rows and sections: the markup of ``H.summary_row`` / ``H.session_section``."""
        cellfn = self.cells
        dts = self.dts
        esc = self.escaped
        summary: list[str] = []
        sections: list[str] = []
        assert transcripts is not None
        for r, body in zip(rows, transcripts, strict=True):
            sid = r[0]
            cells = [esc[c] if len(c) <= 200 else escape(c) for c in cellfn(r)]
            tds = "<td>" + "</td><td>".join(cells) + "</td>" if cells else ""
            summary.append(
                f'<tr data-sid="{sid}"><td><a href="#s-{sid}">{sid}</a></td>{tds}</tr>\n'
            )
            dl = "".join([dt + c + "</dd>" for dt, c in zip(dts, cells, strict=True) if c])
            if self.embed is not None:
                body = self.embed.section(body, r[-1], sid)
            sections.append(
                f'<section class="session" id="s-{sid}" data-sid="{sid}">'
                f'<h2>Session {sid}</h2><dl class="info">{dl}</dl>{body}</section>\n'
            )
        self.out.file.write("".join(summary))
        self.sections.write("".join(sections))

    def finish(self, done: int) -> ExportResult:
        f = self.out.file
        f.write(H.between(done))
        self.sections.flush()
        f.flush()
        copy_bytes(self.sections, f)
        self.sections.close()
        f.write(H.tail(sessions(done)))
        self.out.commit()
        result = ExportResult("done", self.target, done, self.target.stat().st_size)
        result.files_note = self.embed.summary() if self.embed is not None else ""
        return result

    def discard(self) -> None:
        self.out.discard()
        with contextlib.suppress(OSError):
            self.sections.close()
