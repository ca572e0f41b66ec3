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


def _user_dir(kind: str) -> Path:
    """A per-user platformdirs directory of this app (created, mode 0700)."""
    finder = {
        "data": platformdirs.user_data_dir,
        "cache": platformdirs.user_cache_dir,
        "state": platformdirs.user_state_dir,
        "log": platformdirs.user_log_dir,
    }[kind]
    return _private_dir(Path(finder(APP_NAME, appauthor=False)))


def config_file() -> Path:
    """The TOML file of profiles (``config.toml`` in the config directory)."""
    return config_dir() / "config.toml"


def data_dir() -> Path:
    """Per-user data (the encrypted fallback secrets file when there is no keyring)."""
    return _user_dir("data")


def cache_dir() -> Path:
    """The disposable cache: one SQLite store per profile."""
    return _user_dir("cache")


def state_dir() -> Path:
    """Per-user state that is not configuration (per-profile audit logs, the log directory)."""
    return _user_dir("state")


def log_dir() -> Path:
    """Where the rotating log file lives (inside the state directory on Linux)."""
    return _user_dir("log")


def log_file() -> Path:
    return log_dir() / "mluvii-tui.log"


def profile_state_dir(profile: str) -> Path:
    """The state directory of one profile (mode 0700): tenants never share files."""
    return _private_dir(state_dir() / "profiles" / _safe_profile(profile))


def audit_log_path(profile: str) -> Path:
    """The audit log of the actions taken with ``profile``'s credentials."""
    return profile_state_dir(profile) / "audit.log"


def private_file(path: Path) -> Path:
    """Create ``path`` if missing and make it readable by the user only (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return path


def tree_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (0 when it does not exist)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).stat().st_size
    return total


def outbox_path(profile: str) -> Path:
    """The profile's notes outbox: notes typed and not yet accepted by the server (never in the
    disposable cache)."""
    return profile_state_dir(profile) / "outbox.sqlite3"
