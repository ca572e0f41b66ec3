"""Typed errors of the API client. Each has ``.message``: one line for the user, no secrets.

The client builds messages only from the base URL, the path, the status code and the client id;
never from the client secret or a token. ``redact`` strips both from any text as a second guard.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mluvii_tui.text import one_line

if TYPE_CHECKING:
    import httpx


class MluviiError(Exception):
    """Base of every client error: ``message`` is one clean line, ``status`` the HTTP status."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.message = one_line(message, 400)
        self.status = status
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class AuthError(MluviiError):
    """Bad credentials, a 401 that survived one re-authentication, or a login-page answer."""


class NotFound(MluviiError):
    """404 on a path every mluvii server has (e.g. an unknown session id)."""


class RateLimited(MluviiError):
    """429 after every retry. ``retry_after`` is the server's last hint in seconds, if any."""

    def __init__(
        self, message: str, *, status: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ServerError(MluviiError):
    """5xx after every retry, or another unexpected status."""


class ConnectionFailed(MluviiError):
    """The server could not be reached: refused, DNS, TLS, timeout, dropped connection."""


class BadResponse(MluviiError):
    """The answer is not what the API promises: malformed JSON or the wrong shape."""


class NotSupported(MluviiError):
    """404/405 on a simulator-defined path: this server does not offer the action."""


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-trivial secret replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class BadRequest(MluviiError):
    """400/422 on an API call: the server rejected what we sent (e.g. a filter value)."""


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def connect_reason(exc: BaseException) -> str:
    text = str(exc)
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or getattr(seen, "errno", None) == (
            errno.ECONNREFUSED
        ):
            return "connection refused"
        text += " " + str(seen)
        seen = seen.__cause__ or seen.__context__
    low = text.lower()
    if "refused" in low or "all connection attempts failed" in low:
        return "connection refused"
    if "name or service not known" in low or "nodename" in low or "getaddrinfo" in low:
        return "unknown host"
    if "ssl" in low or "certificate" in low:
        return "TLS handshake failed"
    return "connection failed"


def scrub(error: MluviiError, secret: str) -> MluviiError:
    """Second guard: no message ever carries the secret."""
    if secret and secret in error.message:
        error.message = redact(error.message, [secret])
        error.args = (error.message,)
    return error
