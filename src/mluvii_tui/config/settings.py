"""Per-profile state kept between runs: column layout, sort, saved views (JSON, no secrets).

Written atomically (temp file + rename) under the user config dir; a broken file is reported and
ignored, never fatal.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

APP_NAME = "mluvii-tui"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def profile_dir(profile: str) -> Path:
    base = Path(os.environ.get("MLUVII_TUI_CONFIG_DIR") or user_config_path(APP_NAME))
    path = base / "profiles" / (_SAFE.sub("_", profile) or "default")
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_state(profile: str) -> tuple[dict[str, Any], str | None]:
    """The profile's saved state and, when the file was unreadable, a one-line warning."""
    path = profile_dir(profile) / "state.json"
    if not path.exists():
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, f"ignored unreadable settings file {path}: {exc}"
    if not isinstance(data, dict):
        return {}, f"ignored settings file {path}: not a JSON object"
    return data, None


def save_state(profile: str, data: dict[str, Any]) -> None:
    """Write the profile's state atomically."""
    directory = profile_dir(profile)
    fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
        os.replace(tmp, directory / "state.json")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_state(profile: str, **changes: Any) -> None:
    data, _ = load_state(profile)
    data.update(changes)
    save_state(profile, data)
