"""Per-profile state kept between runs: column layout, sort, saved views (JSON, no secrets).

Written atomically (temp file + rename) under the user config dir; a broken file is reported and
ignored, never fatal. When the directory cannot be written (read-only, full, not creatable) the
state lives on in memory for this run: one warning goes to the sink the app installs
(``set_warning_sink``), and nothing raises.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

APP_NAME = "mluvii-tui"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")

#: State that could not be written, by file path: newer than the file, used instead of it.
_MEMORY: dict[str, dict[str, Any]] = {}
_warned: set[str] = set()
_sink: Callable[[str], None] | None = None


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace runs, newlines included, become one space), cut."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def set_warning_sink(sink: Callable[[str], None] | None) -> None:
    """Where the one warning about unsaved settings goes (the app: a notification)."""
    global _sink
    _sink = sink


def _warn(path: Path, exc: OSError) -> str:
    line = one_line(
        f"settings cannot be saved to {path.parent} ({exc.strerror or exc}): "
        "they are kept for this session only",
        300,
    )
    if str(path) not in _warned:
        _warned.add(str(path))
        if _sink is not None:
            _sink(line)
    return line


def _state_file(profile: str) -> Path:
    base = Path(os.environ.get("MLUVII_TUI_CONFIG_DIR") or user_config_path(APP_NAME))
    return base / "profiles" / (_SAFE.sub("_", profile) or "default") / "state.json"


def profile_dir(profile: str) -> Path:
    """The profile's config directory, created (raises OSError when it cannot be)."""
    path = _state_file(profile).parent
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_state(profile: str) -> tuple[dict[str, Any], str | None]:
    """The profile's saved state and, when the file was unreadable, a one-line warning."""
    path = _state_file(profile)
    if str(path) in _MEMORY:
        return copy.deepcopy(_MEMORY[str(path)]), None
    try:
        if not path.exists():
            return {}, None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, one_line(f"ignored unreadable settings file {path}: {exc}", 300)
    if not isinstance(data, dict):
        return {}, f"ignored settings file {path}: not a JSON object"
    return data, None


def save_state(profile: str, data: dict[str, Any]) -> str | None:
    """Write the profile's state atomically. Returns None, or the warning when it could not be
    written (the state is then kept in memory for this run)."""
    path = _state_file(profile)
    try:
        directory = profile_dir(profile)
        fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        _MEMORY[str(path)] = copy.deepcopy(data)
        return _warn(path, exc)
    _MEMORY.pop(str(path), None)
    return None


def update_state(profile: str, **changes: Any) -> str | None:
    """Change some keys of the profile's state; returns a warning when it was not saved."""
    data, _ = load_state(profile)
    data.update(changes)
    return save_state(profile, data)
