"""Typed errors of the API client. Each has ``.message``: one line for the user, no secrets.

The client builds messages only from the base URL, the path, the status code and the client id;
never from the client secret or a token. ``redact`` strips both from any text as a second guard.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..text import one_line


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
