"""What the sync processes load: the sync process fetches pages as bytes with ``ApiTransport``
(no pydantic, no models: ~13 MB of its PSS; no httpx command-line client: ~6 MB), the writing
process no HTTP client either; neither loads Textual. The modules are those ``sync/child.py``'s
``_run`` and ``sync/writer.py``'s ``main`` import."""

from __future__ import annotations

import subprocess
import sys

SYNC_PROCESS = [
    "mluvii_tui.sync.child",
    "mluvii_tui.api.errors",
    "mluvii_tui.api.transport",
    "mluvii_tui.config.logs",
    "mluvii_tui.store.schema",
    "mluvii_tui.store.store",
    "mluvii_tui.sync.history",
]
WRITING_PROCESS = ["mluvii_tui.sync.writer", "mluvii_tui.store.schema", "mluvii_tui.store.store"]


def _loaded(modules: list[str], watched: tuple[str, ...]) -> list[str]:
    code = (
        "import importlib, sys\n"
        "from mluvii_tui.sync.child import without_httpx_cli\n"
        "without_httpx_cli()  # as the sync process's main does first\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(' '.join(sorted(w for w in {watched!r} if w in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_sync_process_loads_no_pydantic_models_or_textual() -> None:
    watched = ("pydantic", "mluvii_tui.api.models", "mluvii_tui.api.client", "textual", "rich")
    assert _loaded(SYNC_PROCESS, watched) == []


def test_the_writing_process_loads_no_http_client_pydantic_or_textual() -> None:
    assert _loaded(WRITING_PROCESS, ("httpx", "pydantic", "textual", "rich")) == []
