"""Logging to a rotating file in the state directory (``--log-level``), secrets redacted.

Every record passes ``Redactor``: the secrets registered at run time (``register_secret``) and
anything shaped like a credential (``Bearer …``, ``access_token``, ``client_secret``, ``password``)
become ``***`` before a handler formats them. Nothing is logged to the terminal.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from .paths import log_file, private_file

LEVELS = ("debug", "info", "warning", "error")
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)([\"']?(?:access_token|refresh_token|client_secret|password|passphrase|token)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"
    ),
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?basic\s+)[A-Za-z0-9+/=]+"),
]
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """From now on ``value`` is replaced by ``***`` in every log record."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class Redactor(logging.Filter):
    """Rewrites the record's message (arguments merged in) and traceback text, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """Every file it opens, the rotated ones included, is mode 0600."""

    def _open(self):  # type: ignore[no-untyped-def]
        private_file(Path(self.baseFilename))
        return super()._open()


def setup_logging(level: str = "warning", path: Path | None = None) -> Path:
    """Send the app's (and httpx's) log records to a rotating file (1 MB x 3, mode 0600)."""
    target = private_file(path or log_file())
    handler = _PrivateRotatingFile(target, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.addFilter(Redactor())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))
    return target
