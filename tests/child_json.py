"""Running a test's script in a fresh interpreter (what a module loads shows only there) and
reading the JSON object it prints last."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def child_json(code: str, *args: str, cwd: Path) -> dict[str, Any]:
    """Run ``python -c code args...`` in ``cwd``; its last line of output, as JSON. A failing
    script fails the test with the end of its stderr."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out
