"""Saving shared files and recordings safely (headless).

A file name comes from the customer or the server: it is reduced to one plain name that can never
leave the chosen folder (no separators, no ``..``, no control characters, no reserved device names),
and a name already taken gets `` (1)``, `` (2)``... before its extension.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from mluvii_tui.text import clean

#: Longest file name we create, in UTF-8 bytes (most file systems allow 255).
MAX_NAME_BYTES = 200

_UNSAFE_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)$", re.IGNORECASE)
#: Players tried in order to open a downloaded file.
OPENERS: tuple[str, ...] = ("mpv", "xdg-open", "open")


class DownloadError(Exception):
    """A download that cannot be done; ``str()`` is one line for the user."""


def safe_filename(name: object, default: str = "download") -> str:
    """One harmless file name made from untrusted ``name``."""
    text = clean(name, keep_newlines=False)
    # Only the last path component counts, whichever separator the sender used.
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE_CHARS.sub("_", text).strip().strip(". ")
    if not text or set(text) <= {"."}:
        text = default
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if _RESERVED.match(stem or text) or _RESERVED.match(text):
        text = "_" + text
        stem = "_" + stem if dot else text
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        ext_part = f".{ext}" if dot and len(ext.encode()) <= 16 else ""
        base = stem if ext_part else text
        budget = MAX_NAME_BYTES - len(ext_part.encode())
        base = base.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(". ") or default
        text = base + ext_part
    return text


def target_path(folder: str | Path, name: object, default: str = "download") -> Path:
    """A new, free path for ``name`` inside ``folder`` (which is created when missing).

    Raises DownloadError when the folder cannot be used.
    """
    base = Path(os.path.expanduser(str(folder))) if str(folder).strip() else Path.cwd()
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot use folder {clean(str(base))}: {exc.strerror}") from None
    if not base.is_dir():
        raise DownloadError(f"not a folder: {clean(str(base))}")
    root = base.resolve()
    safe = safe_filename(name, default)
    stem, dot, ext = safe.rpartition(".")
    if not dot or not stem:
        stem, ext = safe, ""
    candidate = root / safe
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = root / (f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})")
    if candidate.parent != root:  # cannot happen with a safe name; a last guard
        raise DownloadError("refused a file name outside the chosen folder")
    return candidate


def opener(path: Path, which: object = shutil.which) -> list[str] | None:
    """The command that opens ``path`` in the system's player or viewer, if one is installed."""
    for program in OPENERS:
        found = which(program)  # type: ignore[operator]
        if found:
            return [found, str(path)]
    return None


def open_file(path: Path, command: Sequence[str] | None = None) -> str:
    """Open ``path`` with a player (detached). Returns a one-line message for the user."""
    cmd = list(command) if command else opener(path)
    if not cmd:
        return f"Saved to {path} (no player found: install mpv or xdg-open)"
    try:
        subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"Saved to {path} (could not start {Path(cmd[0]).name}: {exc.strerror})"
    return f"Opening {path.name} with {Path(cmd[0]).name}"
