"""Where mluvii-tui keeps its files (platformdirs): per-user directories, private to the user."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "mluvii-tui"

_PROFILE_OK = re.compile(r"[^A-Za-z0-9_-]+")


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # e.g. a filesystem without modes
        os.chmod(path, 0o700)
    return path


def _safe_profile(profile: str) -> str:
    name = _PROFILE_OK.sub("_", profile.strip()).strip("_") or "default"
    return name[:64]


def config_dir() -> Path:
    """The per-user configuration directory (created, mode 0700)."""
    return _private_dir(Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)))


def store_path(profile: str) -> Path:
    """The SQLite session store of ``profile`` in the user cache directory (directory mode 0700)."""
    cache = _private_dir(Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)))
    return cache / f"{_safe_profile(profile)}.sqlite3"
