"""``mluvii-tui login`` / ``logout`` / ``locate``: the terminal side of profiles and secrets.

Login asks for what the profile lacks (base URL, client id, hidden secret), tries it against the
server's token endpoint, and only then stores the secret (keyring, or the encrypted file the user
chose) and the profile (config.toml). Every problem is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from ..config import paths
from ..config.profiles import (
    ENV_PROFILE,
    ConfigError,
    ConfigFile,
    check_base_url,
    profile_from_url,
    resolve,
)
from ..config.profiles import save_profile as save_profile_table
from ..config.secrets import (
    CLIENT_SECRET,
    ENV_PASSPHRASE,
    RELAY_TOKEN,
    SecretsError,
    delete_secrets,
    fallback_file,
    keyring_available,
    no_keyring_advice,
    set_secret,
)
from .verify import SKEW_WARN_S, ProbeError, check_credentials, probe, skew_line

Ask = Callable[[str], str]


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _fail(message: str, code: int = 1) -> int:
    _say(f"mluvii-tui: {message}")
    return code


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(prompt: str, default: str = "") -> str:
    if not _interactive():
        return default
    shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
    return input(shown).strip() or default


def login_command(args: argparse.Namespace) -> int:
    named = args.profile or os.environ.get(ENV_PROFILE)
    try:
        config = ConfigFile.load(paths.config_file())
        found = None
        if not named or named in config.profiles:  # a new profile is what login is for
            found = resolve(config, profile=named, base_url=args.base_url)
    except ConfigError as exc:
        return _fail(str(exc))
    base_url = args.base_url or (found.base_url if found else "") or _ask("Base URL")
    if not base_url:
        return _fail("give the server: mluvii-tui login --base-url https://app.mluvii.com", 2)
    try:
        base_url = check_base_url(base_url)
    except ConfigError as exc:
        return _fail(str(exc), 2)
    name = named or (found.name if found else None) or profile_from_url(base_url)
    client_id = args.client_id or _ask("Client id", found.client_id if found else "")
    if not client_id:
        return _fail("give the API client id: --client-id ID", 2)
    secret = _read_secret(args.secret_stdin)
    if not secret:
        return _fail("no client secret given", 2)
    try:
        reached = probe(base_url)
    except ProbeError as exc:
        return _fail(str(exc))
    if reached.skew_s is not None and abs(reached.skew_s) > SKEW_WARN_S:
        _say(f"warning: {skew_line(reached.skew_s)}")
    checked = check_credentials(base_url, client_id, secret)
    if not checked.ok:
        return _fail(checked.line)
    values = {"base_url": base_url, "client_id": client_id}
    if args.relay:
        values["relay_url"] = args.relay
    try:
        where = _store(name, CLIENT_SECRET, secret, args.encrypted_file)
        if where is None:
            save_profile_table(paths.config_file(), name, values, make_default=False)
            return _fail(f"profile {name!r} saved without its secret: {no_keyring_advice()}")
        relay_token = _relay_token(values.get("relay_url") or (found.relay_url if found else ""))
        if relay_token:
            _store(name, RELAY_TOKEN, relay_token, args.encrypted_file)
        save_profile_table(paths.config_file(), name, values, make_default=not config.default)
    except SecretsError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write {paths.config_file()}: {exc.strerror or exc}")
    _say(f"{checked.line} at {base_url}; profile {name!r} saved in {paths.config_file()}")
    _say(f"secret stored in the {where}")
    return 0


def _read_secret(from_stdin: bool) -> str:
    if from_stdin or not _interactive():
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass("Client secret (hidden): ")


def _relay_token(relay_url: str) -> str:
    if not relay_url or not _interactive():
        return ""
    return getpass.getpass("Relay token (hidden, Enter for none): ")


def _store(profile: str, kind: str, value: str, encrypted_file: bool) -> str | None:
    """Where the secret went ("keyring" or the file), or None when nothing can hold it."""
    if not encrypted_file and keyring_available():
        return set_secret(profile, kind, value)
    if not encrypted_file:
        if not _interactive():
            return None
        _say(no_keyring_advice(kind))
        if _ask("Store it in the encrypted file? [y/N]").lower() != "y":
            return None
    phrase = passphrase(confirm=not fallback_file().names())
    return "encrypted file " + set_secret(profile, kind, value, file_passphrase=phrase)


def passphrase(*, confirm: bool = False) -> str:
    """The fallback file's passphrase: the environment, else a hidden prompt."""
    if os.environ.get(ENV_PASSPHRASE):
        return os.environ[ENV_PASSPHRASE]
    if not _interactive():
        raise SecretsError(f"set {ENV_PASSPHRASE} (no terminal to ask for the passphrase)")
    phrase = getpass.getpass(f"Passphrase for {fallback_file().path} (hidden): ")
    if confirm and getpass.getpass("Same passphrase again: ") != phrase:
        raise SecretsError("the two passphrases differ; nothing was stored")
    return phrase


def logout_command(args: argparse.Namespace) -> int:
    try:
        config = ConfigFile.load(paths.config_file())
        found = resolve(config, profile=args.profile, base_url=args.base_url)
        if found is None:
            return _fail("no profile to log out of: name one with --profile", 2)
        removed = delete_secrets(found.name)
    except (ConfigError, SecretsError) as exc:
        return _fail(str(exc))
    if not removed:
        _say(f"nothing stored for profile {found.name!r}")
    for item in removed:
        _say(f"removed {item} (profile {found.name!r})")
    _say(f"the profile itself stays in {config.path}; delete its table there to forget it")
    return 0


def locate_command(args: argparse.Namespace) -> int:
    """Print where every file lives, one ``label path`` pair per line (stdout, for scripts)."""
    cache = paths.cache_dir()
    rows = [
        ("config", paths.config_file()),
        ("data", paths.data_dir()),
        ("cache", f"{cache}  ({paths.tree_size(cache) / 1_000_000:.1f} MB)"),
        ("state", paths.state_dir()),
        ("log", paths.log_file()),
    ]
    try:
        found = resolve(ConfigFile.load(paths.config_file()), profile=args.profile)
    except ConfigError as exc:
        _say(f"warning: {exc}")
        found = None
    if found is not None:
        rows.append((f"store ({found.name})", paths.store_path(found.name)))
        rows.append((f"audit ({found.name})", paths.audit_log_path(found.name)))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0
