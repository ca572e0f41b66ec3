"""Secrets (API client secrets, relay tokens): the environment, the OS keyring, or — only where no
keyring exists and the user asks for it — an encrypted fallback file.

Lookup order: ``MLUVII_TUI_CLIENT_SECRET`` / ``MLUVII_TUI_RELAY_TOKEN``, then the keyring (service
``mluvii-tui``, user ``<profile>/<kind>``), then the fallback file. The fallback file (data dir,
``secrets.json``, mode 0600) holds one Fernet token per entry, under a key derived by scrypt from a
passphrase the user supplies (``MLUVII_TUI_SECRETS_PASSPHRASE`` or a hidden prompt). Its entry names
are visible, its values are not; secrets never go into the config file, logs or messages.
"""

from __future__ import annotations

import base64
import json
import os
import secrets as stdlib_secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .paths import data_dir

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

SERVICE = "mluvii-tui"
CLIENT_SECRET = "client_secret"
RELAY_TOKEN = "relay_token"
ENV_FOR = {CLIENT_SECRET: "MLUVII_TUI_CLIENT_SECRET", RELAY_TOKEN: "MLUVII_TUI_RELAY_TOKEN"}
ENV_PASSPHRASE = "MLUVII_TUI_SECRETS_PASSPHRASE"
SCRYPT_N = 2**15


class SecretsError(Exception):
    """A secret could not be read or stored: ``str()`` is one actionable line, never the secret."""


@dataclass(frozen=True)
class Found:
    value: str
    source: str  # "env" | "keyring" | "file"

    def __repr__(self) -> str:  # never show the value
        return f"Found(source={self.source!r})"


def backend_name() -> str:
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def keyring_available() -> bool:
    """False where keyring found no backend (headless servers, the usual SSH case)."""
    import keyring
    from keyring.backends import fail

    return not isinstance(keyring.get_keyring(), fail.Keyring)


def fallback_file() -> EncryptedFile:
    return EncryptedFile(data_dir() / "secrets.json")


def no_keyring_advice(kind: str = CLIENT_SECRET) -> str:
    return (
        f"no OS keyring here ({backend_name()}): export {ENV_FOR[kind]}=…, or store it"
        f" encrypted with a passphrase: `mluvii-tui login --encrypted-file`"
        f" (file {fallback_file().path}, mode 0600)"
    )


def entry_name(profile: str, kind: str) -> str:
    """The keyring user name / file entry of a profile's secret."""
    return f"{profile}/{kind}"


def get_secret(
    profile: str,
    kind: str = CLIENT_SECRET,
    *,
    passphrase: Callable[[], str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Found | None:
    """The secret of ``profile`` and where it came from, or None when nothing holds it.
    ``passphrase`` is asked only when the fallback file holds the entry."""
    env = os.environ if environ is None else environ
    if env.get(ENV_FOR[kind]):
        return Found(env[ENV_FOR[kind]], "env")
    import keyring.errors  # the keyring's backends load only when the environment lacks it

    if keyring_available():
        try:
            value = keyring.get_password(SERVICE, entry_name(profile, kind))
        except keyring.errors.KeyringError as exc:
            raise SecretsError(f"the keyring refused to read: {exc}") from None
        if value:
            return Found(value, "keyring")
    store = fallback_file()
    if entry_name(profile, kind) in store.names():
        phrase = env.get(ENV_PASSPHRASE) or (passphrase() if passphrase else "")
        if not phrase:
            raise SecretsError(
                f"the secret of profile {profile!r} is in the encrypted file {store.path}:"
                f" set {ENV_PASSPHRASE} or run from a terminal to be asked for its passphrase"
            )
        return Found(store.get(entry_name(profile, kind), phrase), "file")
    return None


def set_secret(profile: str, kind: str, value: str, *, file_passphrase: str | None = None) -> str:
    """Store the secret; returns where ("keyring" or the fallback file's path). Without a
    keyring it needs ``file_passphrase`` (the user chose the encrypted file)."""
    import keyring.errors

    if file_passphrase is not None:
        store = fallback_file()
        store.put(entry_name(profile, kind), value, file_passphrase)
        return str(store.path)
    if not keyring_available():
        raise SecretsError(no_keyring_advice(kind))
    try:
        keyring.set_password(SERVICE, entry_name(profile, kind), value)
    except keyring.errors.KeyringError as exc:
        raise SecretsError(f"the keyring refused to store the secret: {exc}") from None
    return "keyring"


def delete_secrets(profile: str) -> list[str]:
    """Forget every secret of ``profile``; returns where they were removed from."""
    import keyring.errors

    removed: list[str] = []
    for kind in (CLIENT_SECRET, RELAY_TOKEN):
        if keyring_available():
            try:
                keyring.delete_password(SERVICE, entry_name(profile, kind))
                removed.append(f"{kind} from the keyring")
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError as exc:
                raise SecretsError(f"the keyring refused to delete: {exc}") from None
        store = fallback_file()
        if store.remove(entry_name(profile, kind)):
            removed.append(f"{kind} from {store.path}")
    return removed


class EncryptedFile:
    """``{"version": 1, "kdf": {...scrypt...}, "entries": {name: fernet token}}``, mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise SecretsError(
                f"cannot read the encrypted secrets file {self.path}: {exc}"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
            raise SecretsError(f"{self.path} is not a mluvii-tui secrets file")
        return data

    def names(self) -> list[str]:
        return sorted(self._load().get("entries", {}))

    def _fernet(self, data: dict[str, Any], passphrase: str) -> Fernet:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = data["kdf"]
        key = Scrypt(
            salt=base64.b64decode(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]
        ).derive(passphrase.encode("utf-8"))
        return Fernet(base64.urlsafe_b64encode(key))

    def get(self, name: str, passphrase: str) -> str:
        from cryptography.fernet import InvalidToken

        data = self._load()
        token = data.get("entries", {}).get(name)
        if token is None:
            raise SecretsError(f"{self.path} holds no {name}")
        try:
            return self._fernet(data, passphrase).decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError, KeyError):
            raise SecretsError(f"wrong passphrase for {self.path}") from None

    def put(self, name: str, value: str, passphrase: str) -> None:
        from cryptography.fernet import InvalidToken

        if not passphrase:
            raise SecretsError("the passphrase of the encrypted secrets file cannot be empty")
        data = self._load()
        if not data:
            salt = base64.b64encode(stdlib_secrets.token_bytes(16)).decode("ascii")
            data = {
                "version": 1,
                "kdf": {"name": "scrypt", "salt": salt, "n": SCRYPT_N, "r": 8, "p": 1},
                "entries": {},
            }
        fernet = self._fernet(data, passphrase)
        for other in data["entries"].values():  # one passphrase for the whole file
            try:
                fernet.decrypt(other.encode("ascii"))
            except InvalidToken:
                raise SecretsError(f"wrong passphrase for {self.path}") from None
            break
        data["entries"][name] = fernet.encrypt(value.encode("utf-8")).decode("ascii")
        self._write(data)

    def remove(self, name: str) -> bool:
        data = self._load()
        if name not in data.get("entries", {}):
            return False
        del data["entries"][name]
        if data["entries"]:
            self._write(data)
        else:
            self.path.unlink(missing_ok=True)
        return True

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".secrets-", suffix=".json", dir=self.path.parent)
        try:  # mkstemp creates the file with mode 0600
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
