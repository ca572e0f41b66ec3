"""config.toml profiles: located errors, env over file, flags over env, comment-keeping writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mluvii_tui.config.profiles import (
    ConfigError,
    ConfigFile,
    check_base_url,
    resolve,
    save_profile,
)

GOOD = """\
# my tenants
default = "acme"

[profiles.acme]
base_url = "https://app.mluvii.com"   # production
client_id = "api-user"
history_days = 14
read_only = true

[profiles.lab]
base_url = "https://mluvii.lab.example"
client_id = "lab-user"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        ConfigFile.load(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_good_file(tmp_path: Path) -> None:
    config = ConfigFile.load(write(tmp_path, GOOD))
    assert config.default == "acme" and sorted(config.profiles) == ["acme", "lab"]
    acme = resolve(config, environ={})
    assert acme is not None and acme.name == "acme"
    assert (acme.base_url, acme.client_id, acme.history_days, acme.read_only) == (
        "https://app.mluvii.com",
        "api-user",
        14,
        True,
    )


def test_unknown_key_names_file_line_key_and_nearest(tmp_path: Path) -> None:
    text = GOOD.replace('client_id = "lab-user"', 'clientid = "lab-user"')
    message = error_of(tmp_path, text)
    assert str(tmp_path / "config.toml") in message
    assert "line 12" in message and "'clientid'" in message and "'client_id'" in message


def test_wrong_type_and_top_level_typo(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("history_days = 14", 'history_days = "two weeks"'))
    assert "line 7" in message and "history_days" in message and "whole number" in message
    message = error_of(tmp_path, GOOD.replace('default = "acme"', 'defualt = "acme"'))
    assert "line 2" in message and "'default'" in message
    message = error_of(tmp_path, GOOD.replace('default = "acme"', 'default = "acne"'))
    assert "line 2" in message and "did you mean 'acme'" in message


def test_url_without_scheme_and_bad_values(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, GOOD.replace('"https://mluvii.lab.example"', '"mluvii.lab.example"')
    )
    assert "line 11" in message and "https://mluvii.lab.example" in message
    assert "Europe/Prague" in error_of(tmp_path, GOOD + 'time_zone = "Mars/Olympus"\n')
    assert "saved view's name" in error_of(tmp_path, GOOD + 'view = ""\n')


def test_not_toml(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[profiles.acme\nbase_url = 1\n")
    assert "not valid TOML" in message and "line 1" in message


def test_env_overrides_file_and_flags_override_env(tmp_path: Path) -> None:
    config = ConfigFile.load(write(tmp_path, GOOD))
    env = {
        "MLUVII_TUI_PROFILE": "lab",
        "MLUVII_TUI_BASE_URL": "https://other.example/",
        "MLUVII_TUI_CLIENT_ID": "env-user",
        "MLUVII_TUI_RELAY": "wss://relay.example",
    }
    lab = resolve(config, environ=env)
    assert lab is not None and lab.name == "lab"
    assert (lab.base_url, lab.client_id, lab.relay_url) == (
        "https://other.example",
        "env-user",
        "wss://relay.example",
    )
    assert lab.origins["base_url"] == "env" and lab.origins.get("view") is None
    flagged = resolve(config, profile="acme", base_url="https://flag.example", environ=env)
    assert flagged is not None and flagged.name == "acme"
    assert flagged.base_url == "https://flag.example" and flagged.client_id == "env-user"


def test_missing_profile_and_first_run(tmp_path: Path) -> None:
    config = ConfigFile.load(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"did you mean 'lab'.*mluvii-tui login --profile lbb"):
        resolve(config, profile="lbb", environ={})
    empty = ConfigFile.load(tmp_path / "none.toml")
    assert resolve(empty, environ={}) is None  # the connect screen asks
    adhoc = resolve(empty, environ={"MLUVII_TUI_BASE_URL": "https://x.example:8443"})
    assert adhoc is not None and adhoc.name == "x-example-8443"
    with pytest.raises(ConfigError, match=r"MLUVII_TUI_BASE_URL.*no scheme"):
        resolve(empty, environ={"MLUVII_TUI_BASE_URL": "x.example"})


def test_check_base_url() -> None:
    assert check_base_url(" https://app.mluvii.com/ ") == "https://app.mluvii.com"
    with pytest.raises(ConfigError, match=r"write https://app\.mluvii\.com"):
        check_base_url("app.mluvii.com")
    with pytest.raises(ConfigError, match="not an http"):
        check_base_url("ftp://app.mluvii.com")


def test_save_profile_keeps_comments(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    save_profile(
        path, "new", {"base_url": "https://n.example", "client_id": "n"}, make_default=False
    )
    save_profile(path, "acme", {"client_id": "api-user-2"}, make_default=False)
    text = path.read_text(encoding="utf-8")
    assert "# my tenants" in text and "# production" in text
    config = ConfigFile.load(path)
    assert config.default == "acme"
    assert config.profiles["new"].base_url == "https://n.example"
    assert config.profiles["acme"].client_id == "api-user-2"
    assert (path.stat().st_mode & 0o077) == 0
