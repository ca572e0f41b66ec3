"""``mluvii-tui sync [--days N]``: the history sync without the UI (rich progress on stderr).

The bar shows how far through the time window the sync is (the API pages oldest first), the
sessions so far, their rate and the time left. Exit codes: 0 done, 1 failure (connection, server,
store, disk full), 2 bad usage. A sync that is interrupted (Ctrl+C, kill -9) resumes where it
stopped on the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mluvii_tui.sync import SYNC_PAGE_SIZE

if TYPE_CHECKING:  # pragma: no cover
    from mluvii_tui.sync.history import SyncProgress, SyncResult


def add_sync_arguments(parser: argparse.ArgumentParser) -> None:
    s = argparse.SUPPRESS  # a subcommand's own default must not hide the global flags
    parser.add_argument("--days", type=int, default=s, help="history window to sync (days)")
    parser.add_argument("--profile", default=s, help="profile name")
    parser.add_argument("--base-url", default=s, help="mluvii server")
    parser.add_argument(
        "--page-size", type=int, default=SYNC_PAGE_SIZE, help="sessions per request"
    )
    parser.add_argument(
        "--full", action="store_true", help="re-read the whole window, not only what changed"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


class _Bar:
    """A rich progress bar over the time window: fraction, sessions, sessions/s, time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("syncing"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[line]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("sync", total=1000, line="")
        self.started = time.perf_counter()

    def __call__(self, p: SyncProgress) -> None:
        rate = p.sessions / max(time.perf_counter() - self.started, 1e-6)
        line = f"{p.sessions:,} sessions  {rate:,.0f}/s"
        self.progress.update(self.task, completed=round(p.fraction * 1000), line=line)


async def run_sync(
    base_url: str,
    client_id: str,
    secret: str,
    store_path: str | Path,
    *,
    days: int = 7,
    page_size: int = SYNC_PAGE_SIZE,
    full: bool = False,
    show: bool = True,
) -> SyncResult:
    """Sync ``days`` of history from ``base_url`` into the store at ``store_path``, in a
    process of its own (sync/process.py); SyncFailed: its one line."""
    from mluvii_tui.sync.process import SyncJob, sync_in_child

    job = SyncJob(
        base_url,
        client_id,
        str(store_path),
        days=days,
        page_size=page_size,
        full=full or None,
    )
    if not show:
        return await sync_in_child(job, secret)
    bar = _Bar()
    with bar.progress:
        return await sync_in_child(job, secret, bar)


def sync_command(args: argparse.Namespace) -> int:
    from mluvii_tui.api.errors import MluviiError
    from mluvii_tui.config.paths import config_file, private_file, store_path
    from mluvii_tui.config.profiles import ConfigError, ConfigFile, resolve
    from mluvii_tui.config.secrets import CLIENT_SECRET, SecretsError, get_secret
    from mluvii_tui.connect.account import passphrase
    from mluvii_tui.store.schema import StoreVersionError
    from mluvii_tui.store.store import StoreFullError
    from mluvii_tui.sync.process import SyncFailed

    try:
        profile = resolve(
            ConfigFile.load(config_file()),
            profile=getattr(args, "profile", None),
            base_url=getattr(args, "base_url", None),
        )
        if profile is None:
            return _fail("no server: give --base-url or --profile (see `mluvii-tui login`)", 2)
        if not profile.base_url or not profile.client_id:
            raise ConfigError(f"profile {profile.name!r} lacks base_url or client_id")
        found = get_secret(profile.name, CLIENT_SECRET, passphrase=passphrase)
        if found is None:
            raise ConfigError(f"no secret for profile {profile.name!r}")
    except (ConfigError, SecretsError) as exc:
        return _fail(str(exc), 2)
    days = getattr(args, "days", None)
    days = profile.history_days if days is None else days
    if days < 1:
        return _fail("--days must be at least 1", 2)
    started = time.perf_counter()
    try:
        result = asyncio.run(
            run_sync(
                profile.base_url,
                profile.client_id,
                found.value,
                private_file(store_path(profile.name)),
                days=days,
                page_size=args.page_size,
                full=args.full,
                show=not args.quiet and sys.stderr.isatty(),
            )
        )
    except SyncFailed as exc:
        return _fail(f"sync failed: {exc.line}" if exc.kind != "store" else exc.line)
    except MluviiError as exc:
        return _fail(f"sync failed: {exc.message}")
    except (StoreFullError, StoreVersionError) as exc:
        return _fail(str(exc))
    except (OSError, sqlite3.Error) as exc:
        return _fail(f"the local store: {exc}")
    except KeyboardInterrupt:
        return _fail("interrupted: the next sync resumes where this one stopped", 130)
    took = time.perf_counter() - started
    rate = result.sessions / max(took, 1e-6)
    print(f"{result.text} in {took:.1f} s ({rate:,.0f} sessions/s)", file=sys.stderr)
    return 0


def _fail(message: str, code: int = 1) -> int:
    print(f"mluvii-tui sync: {message}", file=sys.stderr)
    return code
