"""Helpers for the profile / secrets / login tests: private user dirs per test, an in-process
keyring backend (configured with keyring.set_keyring, as keyring documents), a simulator."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from mluvii_tui.demo.runner import Simulator

SECRET = "demo-admin-secret"


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process (no OS keyring exists on the test machine)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.data.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Config, cache, data and state dirs of this test alone (the root of them returned)."""
    for kind in ("CONFIG", "CACHE", "DATA", "STATE"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    monkeypatch.setenv("MLUVII_TUI_CONFIG_DIR", str(tmp_path / "config" / "mluvii-tui"))
    yield tmp_path
    root = logging.getLogger()
    for handler in [
        h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)
    ]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.WARNING)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def no_keyring() -> Iterator[None]:
    keyring.set_keyring(fail.Keyring())
    yield


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    simulator = Simulator(sessions=40, seed=3)
    simulator.start()
    yield simulator
    simulator.stop()
