"""What the sync processes load: the sync process fetches pages as bytes with ``ApiTransport``
(no pydantic, no models: ~13 MB of its PSS; no httpx command-line client: ~6 MB), the writing
process no HTTP client either; neither loads Textual. The modules are those ``sync/child.py``'s
``_run`` and ``sync/writer.py``'s ``main`` import."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

from mluvii_tui.demo.generator import generate_sessions

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
        "from mluvii_tui.heap import without_httpx_cli\n"
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


PARSE = r"""
import sys
from pathlib import Path
from mluvii_tui.heap import without_httpx_cli
without_httpx_cli()
from mluvii_tui.sync.pages import parse_page
parsed = parse_page("key", Path(sys.argv[1]).read_bytes(), 0, True)  # records built, as it does
assert len(parsed.batch.kept) == 200 and not parsed.batch.problems, parsed.batch.problems
print(" ".join(m for m in ("pydantic", "mluvii_tui.api.models") if m in sys.modules))
"""


def test_parsing_a_page_of_sessions_loads_no_pydantic(tmp_path: Path) -> None:
    page = tmp_path / "page.json"
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    page.write_bytes(orjson.dumps(generate_sessions(200, seed=5, now=now)))  # hostile included
    out = subprocess.run(
        [sys.executable, "-c", PARSE, str(page)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == []
