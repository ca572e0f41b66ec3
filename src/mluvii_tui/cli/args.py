"""Argument types of the command line: each bad value becomes one clear line and exit status 2.

``OneLineParser`` prints ``mluvii-tui: <problem> (see --help)`` instead of argparse's usage block,
and every value is checked where it is parsed, so nothing malformed reaches a traceback later.
Kept free of heavy imports: ``mluvii-tui simulator`` and ``export`` start light.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from typing import NoReturn
from urllib.parse import urlsplit


def fail(message: str) -> int:
    """One line on stderr, ``mluvii-tui: <message>``; returns exit status 1."""
    print(f"mluvii-tui: {message}", file=sys.stderr)
    return 1


#: config.toml's [profiles.NAME] characters, plus dots: a profile named after a host
_PROFILE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}")


class OneLineParser(argparse.ArgumentParser):
    """argparse with a one-line error (usage is behind --help) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def base_url(value: str) -> str:
    """An http(s) URL with a host and a valid port (``https://app.mluvii.com``); the profile
    rules of ``config.profiles.check_base_url`` apply too, with their wording."""
    from mluvii_tui.config.profiles import ConfigError, check_base_url

    text = value.strip()
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in text):
        raise argparse.ArgumentTypeError("the URL contains spaces or control characters")
    try:
        if "://" in text and not urlsplit(text).hostname:
            raise argparse.ArgumentTypeError(f"no host in URL {text[:80]!r}")
        url = check_base_url(text)
        port = urlsplit(url).port  # raises on a port out of range or not a number
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a valid URL {text[:80]!r}: {exc}") from None
    if port == 0:
        raise argparse.ArgumentTypeError(f"port 0 in URL {text[:80]!r}")
    return url


def port(value: str) -> int:
    """A TCP port 0..65535 (0: pick a free one)."""
    return _int(value, "port", 0, 65535, "port {} is out of range (0-65535)")


def days(value: str) -> int:
    """A history window in days: 1 .. 36500."""
    return _int(value, "days", 1, 36_500, "days must be between 1 and 36500, not {}")


def count(value: str) -> int:
    """A non-negative count (sessions to generate) up to ten million."""
    return _int(value, "count", 0, 10_000_000, "{} is out of range (0-10000000)")


def seed(value: str) -> int:
    return _int(value, "seed", 0, 2**63 - 1, "seed must be between 0 and 2**63-1, not {}")


def moment(value: str) -> datetime:
    """An ISO 8601 time (``2025-03-20T14:00:00Z``); without an offset it is UTC."""
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value[:40]!r}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def profile(value: str) -> str:
    """A profile name: letters, digits, ``_ - .`` (at most 64), not starting with a dot."""
    text = value.strip()
    if not _PROFILE.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"profile name {text[:40]!r}: use letters, digits, -, _ and . (at most 64)"
        )
    return text


def _int(value: str, what: str, low: int, high: int, out_of_range: str) -> int:
    """A whole number in ``low .. high``; else one line (``out_of_range`` with the number)."""
    try:
        number = int(value.strip())
    except ValueError:
        message = f"{what} must be a whole number, not {value[:40]!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not low <= number <= high:
        raise argparse.ArgumentTypeError(out_of_range.format(number))
    return number
