"""`mluvii-tui login / logout / locate` against the simulator on loopback: the keyring (an
in-process backend), the encrypted fallback file where no keyring exists, and one actionable line
for each kind of bad input."""

from __future__ import annotations

import asyncio
import io
import json
import stat
from pathlib import Path

import httpx
import pytest

from accounts import SECRET, MemoryKeyring, memory_keyring, no_keyring, sim, user_dirs
from mluvii_tui.cli.main import main
from mluvii_tui.config import paths
from mluvii_tui.config.profiles import ConfigFile
from mluvii_tui.config.secrets import get_secret
from mluvii_tui.connect.opening import client_for, load_profile
from mluvii_tui.demo.runner import Simulator

__all__ = ["memory_keyring", "no_keyring", "sim", "user_dirs"]


def login(
    monkeypatch: pytest.MonkeyPatch, url: str, secret: str, *extra: str, profile: str = "acme"
) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    argv = ["login", "--profile", profile, "--base-url", url, "--client-id", "demo-admin"]
    return main([*argv, "--secret-stdin", *extra])


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def test_login_stores_in_keyring_and_the_client_uses_it(
    user_dirs: Path,
    memory_keyring: MemoryKeyring,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert login(monkeypatch, sim.base_url, SECRET) == 0
    err = capsys.readouterr().err
    assert "signed in" in err and "keyring" in err
    assert memory_keyring.data == {("mluvii-tui", "acme/client_secret"): SECRET}
    config = ConfigFile.load(paths.config_file())
    assert config.default == "acme"
    assert config.profiles["acme"].client_id == "demo-admin"
    assert SECRET not in paths.config_file().read_text(encoding="utf-8")

    assert main(["logout", "--profile", "acme"]) == 0
    assert memory_keyring.data == {}
    assert "removed client_secret from the keyring" in capsys.readouterr().err


def test_token_renewal_with_stored_credentials(
    user_dirs: Path, memory_keyring: MemoryKeyring, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert login(monkeypatch, sim.base_url, SECRET) == 0

    async def session_twice() -> None:
        async with client_for(load_profile("acme"), environ={}) as client:
            first = (await anext(client.iter_sessions(page_size=1)))[0]
            await asyncio.to_thread(httpx.post, sim.base_url + "/_sim/revoke-tokens", timeout=5)
            again = await client.get_session(first.id)  # 401 -> one new token -> resent
            assert again.id == first.id
            assert client.auth.token_requests == 2

    asyncio.run(session_twice())


def test_login_failures_are_one_actionable_line(
    user_dirs: Path,
    memory_keyring: MemoryKeyring,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert login(monkeypatch, sim.base_url, "wrong-secret") == 1
    assert "rejected client id 'demo-admin' or its secret" in one_line(capsys)
    assert login(monkeypatch, sim.base_url.removeprefix("http://"), SECRET) == 2
    assert "has no scheme: write https://127.0.0.1" in one_line(capsys)
    assert login(monkeypatch, "http://127.0.0.1:9", SECRET) == 1
    assert "cannot reach http://127.0.0.1:9: connection refused" in one_line(capsys)
    httpx.post(
        sim.base_url + "/_sim/faults",
        json={
            "path": "/login/connect/token",
            "method": "POST",
            "status": 200,
            "contentType": "text/html; charset=utf-8",
            "body": "<html><body>Corporate proxy: please sign in</body></html>",
        },
        timeout=5,
    ).raise_for_status()
    assert login(monkeypatch, sim.base_url, SECRET) == 1
    assert "answered with an HTML page, not the mluvii API" in one_line(capsys)
    assert memory_keyring.data == {} and not paths.config_file().exists()
    assert SECRET not in capsys.readouterr().err


def test_certificate_error_is_one_line(
    user_dirs: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tls_server import self_signed_server

    with self_signed_server(user_dirs) as url:
        assert login(monkeypatch, url, SECRET) == 1
    line = one_line(capsys)
    assert "certificate of https://127.0.0.1" in line and "not trusted" in line
    assert "SSL_CERT_FILE" in line


def test_no_keyring_says_so_and_offers_env_and_file(
    user_dirs: Path,
    no_keyring: None,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert login(monkeypatch, sim.base_url, SECRET) == 1
    line = one_line(capsys)
    assert "no OS keyring" in line and "MLUVII_TUI_CLIENT_SECRET" in line
    assert "--encrypted-file" in line
    # The environment variable works with the profile that was saved.
    monkeypatch.setenv("MLUVII_TUI_CLIENT_SECRET", SECRET)
    found = get_secret("acme")
    assert found is not None and found.source == "env"


def test_encrypted_fallback_file(
    user_dirs: Path,
    no_keyring: None,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MLUVII_TUI_SECRETS_PASSPHRASE", "correct horse battery")
    assert login(monkeypatch, sim.base_url, SECRET, "--encrypted-file") == 0
    file = paths.data_dir() / "secrets.json"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    raw = file.read_text(encoding="utf-8")
    assert SECRET not in raw and "acme/client_secret" in json.loads(raw)["entries"]
    found = get_secret("acme")
    assert found is not None and (found.value, found.source) == (SECRET, "file")

    monkeypatch.setenv("MLUVII_TUI_SECRETS_PASSPHRASE", "wrong horse")
    assert main(["doctor", "--profile", "acme"]) == 1
    assert "wrong passphrase for" in capsys.readouterr().out

    assert main(["logout", "--profile", "acme"]) == 0
    assert not file.exists()


def test_locate_prints_every_path(
    user_dirs: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["locate"]) == 0
    out = capsys.readouterr().out
    for label in ("config", "data", "cache", "state", "log"):
        assert any(line.startswith(label) for line in out.splitlines()), label
    assert str(user_dirs) in out and "MB" in out
