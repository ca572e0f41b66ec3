"""Profiles, one tenant each, in ``config.toml`` (read with tomllib), overridden by the environment.

```toml
default = "acme"                      # the profile used when none is named

[profiles.acme]
base_url = "https://app.mluvii.com"   # or an on-premise domain
client_id = "api-user"                # the secret lives in the keyring, never here
relay_url = "wss://relay.acme.example"
time_zone = "Europe/Prague"
history_days = 7
view = "history"                      # history | live | all, or a saved view's name
columns = ["created", "channel", "status"]
theme = "textual-dark"
read_only = false

[ui]                                  # the console, for every profile
clipboard = "auto"                    # auto | osc52 | native | off
mouse = true                          # false: the terminal's own selection works
theme = "textual-light"               # any Textual theme, or light | dark | ansi

[keys]                                # remap by binding id (`?` in the console lists them)
"sessions.export" = "ctrl+e"
```

Precedence: command-line flags, then ``MLUVII_TUI_*`` environment variables, then the file. A
mistake in the file is a ``ConfigError`` whose one line names the file, the line, the key and the
nearest valid key.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PROFILE = "MLUVII_TUI_PROFILE"
ENV_BASE_URL = "MLUVII_TUI_BASE_URL"
ENV_CLIENT_ID = "MLUVII_TUI_CLIENT_ID"
ENV_CLIENT_SECRET = "MLUVII_TUI_CLIENT_SECRET"
ENV_RELAY = "MLUVII_TUI_RELAY"

TOP_KEYS = ("default", "profiles", "ui", "keys")
UI_KEYS = ("clipboard", "mouse", "theme")
CLIPBOARD_MODES = ("auto", "osc52", "native", "off")
VIEWS = ("history", "live", "all")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class ConfigError(ValueError):
    """A problem in the config file or the overrides: ``str()`` is one actionable line."""


@dataclass(frozen=True)
class Profile:
    name: str
    base_url: str = ""
    client_id: str = ""
    relay_url: str = ""
    time_zone: str = ""
    history_days: int = 7
    view: str = "history"
    columns: tuple[str, ...] = ()
    theme: str = ""
    read_only: bool = False
    #: Where each value came from ("file", "env", "flag"), for doctor.
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)


PROFILE_KEYS = tuple(k for k in Profile.__dataclass_fields__ if k not in ("name", "origins"))


def check_base_url(value: str) -> str:
    """``value`` as a base URL without a trailing slash, or a ConfigError saying how to fix it."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if "://" not in url:
        raise ConfigError(f"base URL {url!r} has no scheme: write https://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"base URL {url!r} is not an http(s) URL, e.g. https://app.mluvii.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            f"base URL {parts.scheme}://{parts.hostname}…: leave out the query, "
            "fragment and user name"
        )
    return url


def _nearest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else f" (valid: {', '.join(choices)})"


@dataclass(frozen=True)
class UiSettings:
    clipboard: str = "auto"
    mouse: bool = True
    theme: str = ""


@dataclass(frozen=True)
class ConfigFile:
    """The parsed file: ``profiles`` by name, the ``default`` profile name, the console's
    ``[ui]`` settings and the ``[keys]`` remaps (binding id -> keys; the UI checks the ids)."""

    path: Path
    profiles: dict[str, Profile]
    default: str | None
    ui: UiSettings = UiSettings()
    keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ConfigFile:
        if not path.exists():
            return cls(path, {}, None)
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
        return _parse(path, text, data)


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line (1-based) where ``key`` is set inside ``[table]`` ("" = the top of the file)."""
    current = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]", line)
        if header:
            current = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
            if current == table and not key:
                return number
            continue
        if current == table and key and re.match(rf'"?{re.escape(key)}"?\s*=', line):
            return number
    return None


def _parse(path: Path, text: str, data: dict[str, Any]) -> ConfigFile:
    def fail(table: str, key: str, problem: str) -> ConfigError:
        line = _line_of(text, table, key)
        where = f"{path}, line {line}" if line else str(path)
        return ConfigError(f"{where}: {problem}")

    for key in data:
        if key not in TOP_KEYS:
            raise fail("", key, f"unknown key {key!r}{_nearest(key, TOP_KEYS)}")
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise fail("", "profiles", "'profiles' must be a table: [profiles.NAME]")
    profiles: dict[str, Profile] = {}
    for name, table in tables.items():
        section = f"profiles.{name}"
        if not _NAME.fullmatch(name):
            raise fail(section, "", f"profile name {name!r}: use letters, digits, - and _")
        if not isinstance(table, dict):
            raise fail("profiles", name, f"profile {name!r} must be a table: [{section}]")
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in PROFILE_KEYS:
                raise fail(section, key, f"unknown key {key!r}{_nearest(key, PROFILE_KEYS)}")
            try:
                values[key] = _check(key, value)
            except ConfigError as exc:
                raise fail(section, key, f"{key}: {exc}") from None
        origins = dict.fromkeys(values, "file")
        profiles[name] = Profile(name=name, origins=origins, **values)
    default = data.get("default")
    if default is not None and (not isinstance(default, str) or default not in profiles):
        known = list(profiles) or ["(none yet)"]
        raise fail(
            "",
            "default",
            f"default profile {default!r} is not defined{_nearest(str(default), known)}",
        )
    return ConfigFile(path, profiles, default, _ui(data.get("ui", {}), fail), _keys(data, fail))


def _ui(table: Any, fail: Any) -> UiSettings:
    if not isinstance(table, dict):
        raise fail("", "ui", "'ui' must be a table: [ui]")
    for key, value in table.items():
        if key not in UI_KEYS:
            raise fail("ui", key, f"unknown key {key!r}{_nearest(key, UI_KEYS)}")
        if key == "mouse" and not isinstance(value, bool):
            raise fail("ui", key, f"mouse: expected true or false, not {value!r}")
        if key != "mouse" and not isinstance(value, str):
            raise fail("ui", key, f"{key}: expected a string, not {value!r}")
        if key == "clipboard" and value not in CLIPBOARD_MODES:
            hint = _nearest(value, CLIPBOARD_MODES)
            raise fail("ui", key, f"clipboard: {value!r} is not a mode{hint}")
    return UiSettings(**table)


def _keys(data: dict[str, Any], fail: Any) -> dict[str, str]:
    table = data.get("keys", {})
    if not isinstance(table, dict):
        raise fail("", "keys", "'keys' must be a table: [keys]")
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise fail("keys", key, f'{key}: expected keys such as "ctrl+e", not {value!r}')
    return dict(table)


def _check(key: str, value: Any) -> Any:
    """The value of ``key`` checked and normalised, or ConfigError (without the key name)."""
    if key == "history_days":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36_500:
            raise ConfigError(f"expected a whole number of days from 1 to 36500, not {value!r}")
        return value
    if key == "read_only":
        if not isinstance(value, bool):
            raise ConfigError(f"expected true or false, not {value!r}")
        return value
    if key == "columns":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError('expected a list of column ids, e.g. ["created", "channel"]')
        return tuple(value)
    if not isinstance(value, str):
        raise ConfigError(f"expected a string, not {value!r}")
    if key == "base_url":
        return check_base_url(value)
    if (
        key == "relay_url"
        and value
        and urlsplit(value).scheme not in ("ws", "wss", "http", "https")
    ):
        raise ConfigError(f"{value!r} is not a ws(s):// or http(s):// URL")
    if key == "view" and not 1 <= len(value.strip()) <= 60:
        raise ConfigError(f"expected {', '.join(VIEWS)} or a saved view's name, not {value!r}")
    if key == "time_zone" and value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"unknown time zone {value!r}, e.g. Europe/Prague") from None
    return value


def setting_problem(
    profile: Profile, key: str, value: str, problem: str, choices: list[str]
) -> str:
    """One line about a profile setting that the console cannot use (an unknown theme, saved
    view or column): the config file and line when the value came from it, the key, the
    nearest valid value."""
    from .paths import config_file

    path = config_file()
    where = f"profile {profile.name!r}"
    if profile.origins.get(key) == "file":
        try:
            line = _line_of(path.read_text(encoding="utf-8"), f"profiles.{profile.name}", key)
        except (OSError, UnicodeDecodeError):
            line = None
        where = f"{path}, line {line}" if line else str(path)
    hint = _nearest(value, choices) if choices else ""
    return f"{where}: {key}: {value!r} {problem}{hint}"


def profile_from_url(url: str) -> str:
    """A profile name for a bare base URL: its host (and port)."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    name = (parts.hostname or "default") + (f"-{parts.port}" if parts.port else "")
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name)[:64]


def resolve(
    config: ConfigFile,
    *,
    profile: str | None = None,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Profile | None:
    """The profile to use: flags over ``MLUVII_TUI_*`` over the file. None when nothing names a
    server (first run: the connect screen asks)."""
    env = os.environ if environ is None else environ
    name = profile or env.get(ENV_PROFILE) or config.default
    if name is None and len(config.profiles) == 1:
        name = next(iter(config.profiles))
    url_flag = base_url or None
    url_env = env.get(ENV_BASE_URL) or None
    if name is not None and name not in config.profiles and not (url_flag or url_env):
        known = list(config.profiles)
        hint = _nearest(name, known) if known else ""
        raise ConfigError(
            f"no profile {name!r} in {config.path}{hint}: run `mluvii-tui login --profile {name}`"
        )
    if name is None:
        if not (url_flag or url_env):
            return None
        name = profile_from_url(url_flag or url_env or "")
    found = config.profiles.get(name) or Profile(name=name)
    origins = dict(found.origins)
    changes: dict[str, Any] = {}
    for key, var in (
        ("base_url", ENV_BASE_URL),
        ("client_id", ENV_CLIENT_ID),
        ("relay_url", ENV_RELAY),
    ):
        if env.get(var):
            changes[key], origins[key] = env[var], "env"
    if url_flag:
        changes["base_url"], origins["base_url"] = url_flag, "flag"
    if "base_url" in changes:
        try:
            changes["base_url"] = check_base_url(changes["base_url"])
        except ConfigError as exc:
            source = "--base-url" if origins["base_url"] == "flag" else ENV_BASE_URL
            raise ConfigError(f"{source}: {exc}") from None
    return replace(found, origins=origins, **changes)


def save_profile(path: Path, name: str, values: Mapping[str, Any], *, make_default: bool) -> None:
    """Add or update ``[profiles.<name>]`` in the file, keeping its comments and layout (tomlkit);
    written to a temp file and renamed, mode 0600."""
    import tempfile

    import tomlkit

    document = (
        tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    )
    if make_default or "default" not in document:
        document["default"] = name
    profiles = document.setdefault("profiles", tomlkit.table(is_super_table=True))
    table = profiles.setdefault(name, tomlkit.table())
    for key, value in values.items():
        table[key] = list(value) if isinstance(value, tuple) else value
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(tomlkit.dumps(document))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
