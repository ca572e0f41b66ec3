"""`mluvii-tui doctor` against the simulator: a healthy report exits 0; a bad config, a missing
secret, an unreachable server, a clock two hours off and a damaged store each fail with one line
and what to do about it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accounts import SECRET, MemoryKeyring, memory_keyring, sim, user_dirs
from mluvii_tui.cli.main import main
from mluvii_tui.config import paths
from mluvii_tui.connect.doctor import Doctor, report
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.store.schema import SCHEMA_VERSION
from mluvii_tui.store.store import SessionStore

__all__ = ["memory_keyring", "sim", "user_dirs"]


@pytest.fixture
def logged_in(
    user_dirs: Path, memory_keyring: MemoryKeyring, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> Simulator:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    argv = ["login", "--profile", "acme", "--base-url", sim.base_url, "--client-id", "demo-admin"]
    assert main([*argv, "--secret-stdin"]) == 0
    return sim


def by_name(doctor: Doctor) -> dict[str, str]:
    return {c.name: c.status for c in doctor.checks}


def test_healthy_report(logged_in: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    SessionStore(paths.store_path("acme")).close()
    capsys.readouterr()
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "No problems found." in out and "Traceback" not in out
    for name in ("config", "keyring", "secret", "server", "clock", "token", "permissions"):
        assert f"ok    {name}" in out, name
    assert "may read sessions, users, operator states, groups" in out
    assert f"schema {SCHEMA_VERSION}, integrity ok" in out
    assert "TERM=" in out and "OSC 52" in out
    assert SECRET not in out


def test_clock_two_hours_off(logged_in: Simulator) -> None:
    doctor = Doctor("acme", now=lambda: datetime.now(UTC) + timedelta(hours=2))
    doctor.run()
    assert doctor.failed and by_name(doctor)["clock"] == "fail"
    text = report(doctor.checks)
    assert "your clock is 2 h 0 min ahead of the server's" in text
    assert "timedatectl set-ntp true" in text


def test_unreachable_server_and_missing_secret(
    logged_in: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--base-url", "http://127.0.0.1:9"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  server" in out and "connection refused (check the host and port)" in out
    memory_keyring.data.clear()
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "no client secret for 'acme'" in out and "mluvii-tui login --profile acme" in out


def test_bad_config_names_the_line(user_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths.config_file().write_text(
        '[profiles.acme]\nbase_url = "https://a.example"\nrelay = "wss://r"\n', encoding="utf-8"
    )
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "line 3: unknown key 'relay' (did you mean 'relay_url'?)" in out


def test_damaged_store(logged_in: Simulator) -> None:
    paths.store_path("acme").write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    doctor = Doctor("acme")
    doctor.run()
    assert by_name(doctor)["store"] == "fail"
    assert "the next sync rebuilds it" in report(doctor.checks)
