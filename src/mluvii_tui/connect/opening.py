"""Opening a profile: its private store file and an API client with its secret.

Used at start-up and when the user switches profile from the command palette. Each profile has its
own store (cache dir), state and audit log (state dir), so two tenants never mix.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..config import paths
from ..config.logs import register_secret
from ..config.profiles import ConfigError, ConfigFile, Profile, resolve
from ..config.secrets import (
    CLIENT_SECRET,
    ENV_FOR,
    ENV_PASSPHRASE,
    SecretsError,
    entry_name,
    fallback_file,
    get_secret,
)
from ..store import recover

if TYPE_CHECKING:
    from ..api.client import MluviiClient
    from ..store.store import SessionStore


def load_profile(name: str, *, environ: Mapping[str, str] | None = None) -> Profile:
    """The named profile from config.toml (``environ`` overrides; ``{}`` for none)."""
    config = ConfigFile.load(paths.config_file())
    if name not in config.profiles:
        raise ConfigError(f"no profile {name!r} in {config.path}")
    profile = resolve(config, profile=name, environ=environ if environ is not None else {})
    assert profile is not None
    return profile


def profile_names() -> list[str]:
    return sorted(ConfigFile.load(paths.config_file()).profiles)


def switch_environ() -> dict[str, str]:
    """The environment for a profile switched to: the ``MLUVII_TUI_*`` overrides belong to the
    profile chosen at start, so only what unlocks the encrypted secrets file is kept."""
    return {k: v for k, v in os.environ.items() if k == ENV_PASSPHRASE}


def check_profile(profile: Profile) -> None:
    """ConfigError (one line) when ``profile`` lacks what a client needs, besides its secret."""
    if not profile.base_url:
        raise ConfigError(f"profile {profile.name!r} has no base_url: run `mluvii-tui login`")
    if not profile.client_id:
        raise ConfigError(f"profile {profile.name!r} has no client_id: run `mluvii-tui login`")


def secret_asks_terminal(profile: Profile, environ: Mapping[str, str] | None = None) -> bool:
    """True when the secret may come from the encrypted file with no passphrase in the
    environment: then it is read before the console takes the terminal (the prompt needs it).
    Otherwise the keyring is read after the first paint (``connect_later``)."""
    env = os.environ if environ is None else environ
    if env.get(ENV_FOR[CLIENT_SECRET]) or env.get(ENV_PASSPHRASE):
        return False
    return entry_name(profile.name, CLIENT_SECRET) in fallback_file().names()


def connect_later(profile: Profile) -> Callable[[], MluviiClient]:
    """The client of ``profile`` made in the console's connect worker, after the first paint
    (the keyring and httpx load there); a missing secret is the status line's one line."""

    def connect() -> MluviiClient:
        from ..api.errors import MluviiError

        try:
            return client_for(profile)
        except (ConfigError, SecretsError) as exc:
            raise MluviiError(str(exc)) from None

    return connect


def client_for(
    profile: Profile,
    *,
    environ: Mapping[str, str] | None = None,
    passphrase: Callable[[], str] | None = None,
) -> MluviiClient:
    """An API client for ``profile``; ConfigError/SecretsError (one line) when something lacks."""
    check_profile(profile)
    found = get_secret(profile.name, CLIENT_SECRET, passphrase=passphrase, environ=environ)
    if found is None:
        raise ConfigError(
            f"no secret for profile {profile.name!r}: run `mluvii-tui login --profile "
            f"{profile.name}` or set MLUVII_TUI_CLIENT_SECRET"
        )
    register_secret(found.value)
    from ..api.client import MluviiClient  # httpx and the models: only once a client is made

    return MluviiClient(profile.base_url, profile.client_id, found.value)


def open_healed(
    profile: str, index_progress: Callable[[int, int], None] | None = None
) -> tuple[SessionStore, str | None]:
    """The profile's store, and one line when its old file could not be read and was moved
    aside (``store.recover``); the file is created mode 0600 (-wal/-shm copy the mode).
    ``index_progress``: told how a one-time rebuild of its search index goes."""
    return recover.open_store(paths.store_path(profile), index_progress=index_progress)


def open_store(
    profile: str, index_progress: Callable[[int, int], None] | None = None
) -> SessionStore:
    """The profile's store (healed like ``open_healed``, for callers with no one to tell)."""
    return open_healed(profile, index_progress)[0]
