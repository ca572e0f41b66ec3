"""Exports built locally from the store: CSV and self-contained searchable HTML (headless)."""

from __future__ import annotations

from .files import ExportError, TargetExists
from .html_export import export_session_html, export_session_json
from .runner import (
    ExportOptions,
    ExportProgress,
    ExportResult,
    default_filename,
    run_export,
)

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
