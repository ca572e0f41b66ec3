"""Exports built locally from the store: CSV and self-contained searchable HTML, one session or
a whole query (reader, renderers, worker processes; runner.run_export is the entry).

Headless: imports query/, domain/ (the transcript pipeline), api/, config/ and text; it sees the
store only through ``store.protocols.ExportStore``; never the UI or Textual.
"""

from __future__ import annotations

from .files import ExportError, TargetExists
from .html_export import export_session_html, export_session_json
from .results import ExportProgress, ExportResult
from .runner import ExportOptions, default_filename, run_export

__all__ = [
    "ExportError",
    "ExportOptions",
    "ExportProgress",
    "ExportResult",
    "TargetExists",
    "default_filename",
    "export_session_html",
    "export_session_json",
    "run_export",
]
