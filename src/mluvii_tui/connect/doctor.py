"""``mluvii-tui doctor``: checks the profile, the secret, the server, the clock, the token and what
it allows, the relay, the terminal and the local store; one line each, with what to do about a
problem. Exit status 1 when any check failed (warnings alone leave it 0)."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from ..api.auth import origin
from ..api.client import MluviiClient
from ..api.errors import AuthError, MluviiError, NotSupported
from ..config import paths
from ..config.profiles import ConfigError, ConfigFile, Profile, resolve
from ..config.secrets import (
    CLIENT_SECRET,
    ENV_FOR,
    ENV_PASSPHRASE,
    RELAY_TOKEN,
    SecretsError,
    backend_name,
    get_secret,
    keyring_available,
)
from ..store.schema import SCHEMA_VERSION
from . import terminal
from .verify import SKEW_FAIL_S, SKEW_WARN_S, ProbeError, explain, probe, skew_line

SOURCES = {"env": "the environment", "keyring": "the keyring", "file": "the encrypted file"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok" | "warn" | "fail" | "info"
    line: str
    fix: str = ""


class Doctor:
    """Runs the checks in order; later checks are skipped when what they need failed."""

    def __init__(
        self,
        profile: str | None = None,
        base_url: str | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        passphrase: Callable[[], str] | None = None,
    ) -> None:
        self.profile_name = profile
        self.base_url_flag = base_url
        self.now = now
        self.passphrase = passphrase
        self.checks: list[Check] = []

    def add(self, name: str, status: str, line: str, fix: str = "") -> None:
        self.checks.append(Check(name, status, line, fix))

    @property
    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks)

    def run(self) -> list[Check]:
        profile = self._config()
        secret = self._secret(profile) if profile is not None else None
        self._keyring(needed=profile is not None and secret is None)
        reached = profile is not None and bool(profile.base_url) and self._server(profile.base_url)
        if reached and profile is not None and secret is not None:
            asyncio.run(self._token(profile, secret))
        if profile is not None:
            self._relay(profile)
        self._terminal()
        if profile is not None:
            self._store(profile.name)
        return self.checks

    def _config(self) -> Profile | None:
        path = paths.config_file()
        try:
            config = ConfigFile.load(path)
            profile = resolve(config, profile=self.profile_name, base_url=self.base_url_flag)
        except ConfigError as exc:
            self.add("config", "fail", str(exc), "fix that line of the file")
            return None
        if profile is None:
            self.add("config", "fail", f"no profile in {path}", "run `mluvii-tui login`")
            return None
        overrides = sorted(k for k, v in profile.origins.items() if v != "file")
        via = f" ({', '.join(overrides)} overridden)" if overrides else ""
        count = len(config.profiles)
        self.add("config", "ok", f"{path}: {count} profile(s), using {profile.name!r}{via}")
        if not profile.base_url:
            self.add(
                "config",
                "fail",
                f"profile {profile.name!r} has no base_url",
                f"add base_url to [profiles.{profile.name}] or run `mluvii-tui login`",
            )
        return profile

    def _keyring(self, *, needed: bool) -> None:
        if keyring_available():
            self.add("keyring", "ok", backend_name())
            return
        fix = f"export {ENV_FOR[CLIENT_SECRET]}=…, or `mluvii-tui login --encrypted-file`"
        self.add("keyring", "warn" if needed else "info", f"no OS keyring ({backend_name()})", fix)

    def _secret(self, profile: Profile) -> str | None:
        try:
            found = get_secret(profile.name, CLIENT_SECRET, passphrase=self.passphrase)
        except SecretsError as exc:
            self.add("secret", "fail", str(exc), f"retype it, or set {ENV_PASSPHRASE}")
            return None
        if found is None:
            fix = f"run `mluvii-tui login --profile {profile.name}`"
            self.add("secret", "fail", f"no client secret for {profile.name!r}", fix)
            return None
        if not profile.client_id:
            self.add(
                "secret",
                "fail",
                f"profile {profile.name!r} has no client_id",
                f"run `mluvii-tui login --profile {profile.name}`",
            )
            return None
        self.add(
            "secret", "ok", f"client id {profile.client_id!r}, secret from {SOURCES[found.source]}"
        )
        return found.value

    def _server(self, base_url: str) -> bool:
        try:
            reached = probe(base_url, now=self.now)
        except ProbeError as exc:
            self.add("server", "fail", str(exc))
            return False
        self.add("server", "ok", f"{origin(base_url)} answers in {reached.latency_ms:.0f} ms")
        if reached.skew_s is None:
            self.add("clock", "info", "the server sent no Date header to compare with")
        elif abs(reached.skew_s) > SKEW_FAIL_S:
            self.add("clock", "fail", skew_line(reached.skew_s))
        elif abs(reached.skew_s) > SKEW_WARN_S:
            self.add("clock", "warn", skew_line(reached.skew_s))
        else:
            self.add("clock", "ok", f"within {abs(reached.skew_s):.0f} s of the server's")
        return True

    async def _token(self, profile: Profile, secret: str) -> None:
        async with MluviiClient(
            profile.base_url, profile.client_id, secret, timeout=10.0, max_retries=0
        ) as client:
            allowed: list[str] = []
            denied: list[str] = []
            probes = [
                ("sessions", lambda: _first_page(client)),
                ("users", client.get_users),
                ("operator states", client.get_operator_states),
                ("groups", client.get_groups),
            ]
            for label, call in probes:
                started = time.perf_counter()
                try:
                    await call()
                except AuthError as exc:
                    if exc.status != 403:
                        self.add("token", "fail", explain(exc, profile.base_url, profile.client_id))
                        return
                    denied.append(label)
                    continue
                except NotSupported:
                    continue
                except MluviiError as exc:
                    denied.append(f"{label} ({explain(exc, profile.base_url)})")
                    continue
                if label == "sessions":
                    ms = (time.perf_counter() - started) * 1000
                    self.add(
                        "token",
                        "ok",
                        f"client id {profile.client_id!r} signed in; "
                        f"token and first API call in {ms:.0f} ms",
                    )
                allowed.append(label)
        if not allowed:
            self.add("token", "ok", f"client id {profile.client_id!r} signed in")
        read = f"may read {', '.join(allowed) or 'nothing'}"
        if denied:
            self.add(
                "permissions",
                "warn",
                f"{read}; not {', '.join(denied)}",
                "ask a mluvii company administrator for these permissions",
            )
        else:
            self.add("permissions", "ok", read)

    def _relay(self, profile: Profile) -> None:
        if not profile.relay_url:
            self.add(
                "relay",
                "info",
                "none configured: the Live view polls the API",
                "set relay_url in the profile for live events",
            )
            return
        url = profile.relay_url.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
        started = time.perf_counter()
        try:
            with httpx.Client(timeout=5.0) as http:
                http.get(url)
        except httpx.HTTPError as exc:
            self.add(
                "relay",
                "fail",
                f"cannot reach the relay {origin(url)}: {type(exc).__name__}",
                "check relay_url, and that the relay runs",
            )
            return
        ms = (time.perf_counter() - started) * 1000
        self.add("relay", "ok", f"{origin(url)} answers in {ms:.0f} ms")
        try:
            token = get_secret(profile.name, RELAY_TOKEN, passphrase=self.passphrase)
        except SecretsError as exc:
            self.add("relay token", "fail", str(exc))
            return
        if token is None:
            self.add(
                "relay token",
                "warn",
                "none stored",
                f"run `mluvii-tui login --profile {profile.name}` to store it",
            )
        else:
            self.add("relay token", "ok", f"from {SOURCES[token.source]}")

    def _terminal(self) -> None:
        t = terminal.inspect()
        size = f"{t.columns}x{t.lines}" if t.columns else "size unknown (not a terminal)"
        mouse = "mouse" if t.mouse else "no mouse"
        line = f"TERM={t.term}, colours {t.colours}, {size}, {mouse}, OSC 52 {t.osc52}"
        self.add("terminal", "warn" if t.problems else "ok", line, "; ".join(t.problems))

    def _store(self, profile: str) -> None:
        path = paths.store_path(profile)
        if not path.exists():
            self.add("store", "info", f"{path}: not created yet (the first sync creates it)")
            return
        size = sum(
            Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
        )
        fix = f"quit mluvii-tui and delete {path}: the next sync rebuilds it"
        try:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            self.add("store", "fail", f"{path}: cannot read it ({exc})", fix)
            return
        summary = f"{path}: {size / 1_000_000:.1f} MB, schema {version}"
        if verdict != "ok":
            self.add("store", "fail", f"{summary}, damaged ({verdict[:80]})", fix)
        elif version > SCHEMA_VERSION:
            self.add(
                "store",
                "fail",
                f"{summary}: newer than this mluvii-tui ({SCHEMA_VERSION})",
                "upgrade mluvii-tui, or delete the store",
            )
        else:
            self.add("store", "ok", f"{summary}, integrity ok")


async def _first_page(client: MluviiClient) -> None:
    async for _page in client.iter_sessions(page_size=1):
        break


def report(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = []
    for check in checks:
        mark = {"ok": "ok", "warn": "warn", "fail": "FAIL", "info": "info"}[check.status]
        lines.append(f"  {mark:<4}  {check.name:<{width}}  {check.line}")
        if check.fix and check.status != "ok":
            lines.append(f"  {'':<4}  {'':<{width}}  → {check.fix}")
    failures = sum(c.status == "fail" for c in checks)
    lines.append(f"{failures} problem(s) found." if failures else "No problems found.")
    return "\n".join(lines)


def doctor_command(args: argparse.Namespace) -> int:
    from .account import passphrase

    doctor = Doctor(args.profile, args.base_url, passphrase=passphrase)
    checks = doctor.run()
    print(f"mluvii-tui doctor ({paths.config_file()})")
    print(report(checks))
    sys.stdout.flush()
    return 1 if doctor.failed else 0
