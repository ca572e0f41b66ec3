"""The headless core (api, store, sync, export, demo, text, config) must import without Textual."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "mluvii_tui.api.models",
    "mluvii_tui.api.client",
    "mluvii_tui.store.store",
    "mluvii_tui.query.runner",
    "mluvii_tui.query.columns",
    "mluvii_tui.sync.history",
    "mluvii_tui.demo.generator",
    "mluvii_tui.demo.server",
    "mluvii_tui.demo.runner",
    "mluvii_tui.export.runner",
    "mluvii_tui.cli.export",
    "mluvii_tui.text",
    "mluvii_tui.config.paths",
    "mluvii_tui.config.settings",
    "mluvii_tui.cli.main",
]


def test_core_imports_without_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad[:5]))\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"textual imported by the core: {result.stdout} {result.stderr}"


def test_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mluvii_tui", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for command in ("demo", "simulator", "export", "--base-url"):
        assert command in result.stdout
