"""``mluvii-tui export``: the export for scripts and cron (no Textual; rich progress on stderr).

Exit codes: 0 done (also when nothing matched: nothing is written and stderr says so),
1 failure (connection, sync, writing), 2 bad usage (options, filters, search, columns).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from mluvii_tui.cli import args as cliargs

ENV_CLIENT_ID = "MLUVII_TUI_CLIENT_ID"
ENV_CLIENT_SECRET = "MLUVII_TUI_CLIENT_SECRET"


class UsageError(Exception):
    pass


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """The export subcommand's options (connection options do not clobber the global ones)."""
    s = argparse.SUPPRESS
    parser.add_argument(
        "--format",
        choices=("csv", "html"),
        default=None,
        help="file format (default: from the -o extension, else csv)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="target file (default: sessions-<date>-<time>.<format> here)",
    )
    parser.add_argument(
        "--columns",
        default=None,
        help="column ids separated by commas, or 'all' (default: the basic ones)",
    )
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="SPEC",
        help="e.g. channel=Chat,WhatsApp  ended>=2026-11-01  status=CLOSED  "
        "param:email~@gmail.com  waited>60 (repeatable; all must hold)",
    )
    parser.add_argument("--search", default="", help="search in content, as in the console")
    parser.add_argument(
        "--view",
        choices=("history", "live", "all"),
        default="history",
        help="ended sessions (default), ongoing ones, or both",
    )
    parser.add_argument(
        "--sort",
        default="-created",
        help="column id to sort by; '-' first for descending (default -created)",
    )
    parser.add_argument(
        "--transcripts",
        action="store_true",
        help="CSV: add a Transcript column (HTML always has transcripts)",
    )
    parser.add_argument(
        "--transcripts-file",
        action="store_true",
        help="CSV: write transcripts longer than a cell to <name>-transcripts.txt",
    )
    parser.add_argument(
        "--delimiter",
        choices=(",", ";"),
        default=",",
        metavar="{',' | ';'}",
        help="CSV delimiter (default ',')",
    )
    parser.add_argument(
        "--encoding",
        choices=("utf-8-sig", "utf-8", "cp1250"),
        default="utf-8-sig",
        help="CSV encoding (default UTF-8 with BOM, for Excel)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing file")
    parser.add_argument(
        "--embed-files",
        action="store_true",
        help="HTML: download shared files into the export (images shown, others as links)",
    )
    parser.add_argument(
        "--embed-cap-mb",
        type=float,
        default=20.0,
        metavar="MB",
        help="most bytes of files to embed per export (default 20 MB); the rest stay names",
    )
    parser.add_argument(
        "--no-sync",
        action="store_true",
        help="export what the local store has, without syncing first",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--base-url",
        type=cliargs.base_url,
        default=s,
        help=f"mluvii server (credentials from {ENV_CLIENT_ID} / {ENV_CLIENT_SECRET})",
    )
    parser.add_argument("--profile", type=cliargs.profile, default=s, help="local store profile")
    parser.add_argument("--days", type=cliargs.days, default=s, help="history window (days)")


def _err(message: str) -> None:
    print(f"mluvii-tui export: {message}", file=sys.stderr)


def _profile_from_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else f"https://{url}")
    return (parts.hostname or "default") + (f"-{parts.port}" if parts.port else "")


def _columns(spec: str | None, store: Any) -> list[str]:
    from mluvii_tui.query.columns import BASIC_COLUMNS, COLUMNS, column_by_id

    if not spec:
        return list(BASIC_COLUMNS)
    if spec.strip().lower() == "all":
        return [*COLUMNS, *(f"param:{n}" for n in store.param_names())]
    ids = [c.strip() for c in spec.split(",") if c.strip()]
    from mluvii_tui.export.filterspec import find_column

    out: list[str] = []
    for cid in ids:
        col = column_by_id(cid) or find_column(cid)
        if col is None:
            raise UsageError(f"unknown column {cid!r} (known: {', '.join(COLUMNS)}, param:<name>)")
        out.append(col.id)
    if not out:
        raise UsageError("--columns names no column")
    return out


def _build_query(args: argparse.Namespace) -> Any:
    from mluvii_tui.export.filterspec import FilterSpecError, find_column, parse_filters
    from mluvii_tui.query.types import SessionQuery, SortKey

    try:
        filters = parse_filters(args.filter)
    except FilterSpecError as exc:
        raise UsageError(str(exc)) from None
    sort = args.sort.strip() or "-created"
    desc = sort.startswith("-")
    col = find_column(sort.lstrip("-+"))
    if col is None:
        raise UsageError(f"--sort: unknown column {sort.lstrip('-+')!r}")
    search = args.search.strip()
    if search:
        from mluvii_tui.query.searchquery import SearchSyntaxError, compile_search

        try:
            compile_search(search)
        except SearchSyntaxError as exc:
            raise UsageError(f"--search: {exc}") from None
    return SessionQuery(view=args.view, filters=filters, search=search, sort=SortKey(col.id, desc))


def _sync(args: argparse.Namespace, store: Any, query: Any, quiet: bool) -> None:
    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.query.filterdesc import to_session_filter
    from mluvii_tui.sync.history import sync_history

    client_id = os.environ.get(ENV_CLIENT_ID, "")
    secret = os.environ.get(ENV_CLIENT_SECRET, "")
    if not client_id or not secret:
        raise UsageError(f"set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} to use --base-url")
    server_filter = to_session_filter(query.filters, query.search)
    days = getattr(args, "days", 7)

    def report(p: Any) -> None:
        if not quiet:
            print(f"\r{p.text}", end="", file=sys.stderr, flush=True)

    async def go() -> None:
        async with MluviiClient(args.base_url, client_id, secret) as client:
            await sync_history(client, store, days=days, filters=server_filter, progress=report)

    asyncio.run(go())
    if not quiet:
        print(file=sys.stderr)


def export_command(args: argparse.Namespace) -> int:
    """Run the export subcommand; returns the process exit code."""
    try:
        return _export(args)
    except UsageError as exc:
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        _err("cancelled: nothing was written")
        return 130


def _export(args: argparse.Namespace) -> int:
    from mluvii_tui.api.errors import MluviiError
    from mluvii_tui.cli.console import index_progress
    from mluvii_tui.config.paths import store_path
    from mluvii_tui.export.files import ExportError
    from mluvii_tui.export.runner import ExportOptions, default_filename, run_export
    from mluvii_tui.store.recover import open_store

    base_url = getattr(args, "base_url", None)
    profile = getattr(args, "profile", None)
    if not base_url and not profile:
        raise UsageError("give --base-url (with credentials in the environment) or --profile")
    fmt = args.format
    if fmt is None:
        fmt = "html" if args.output and args.output.suffix.lower() in (".html", ".htm") else "csv"
    output = args.output or Path(default_filename(fmt))
    if args.transcripts_file and not args.transcripts:
        raise UsageError("--transcripts-file needs --transcripts")
    if args.embed_files and fmt != "html":
        raise UsageError("--embed-files needs the HTML format (--format html)")
    if not args.embed_cap_mb > 0:
        raise UsageError("--embed-cap-mb must be a positive number of megabytes")
    query = _build_query(args)
    try:
        store, notice = open_store(
            store_path(profile or _profile_from_url(base_url)), index_progress=index_progress
        )
    except Exception as exc:
        _err(f"cannot open the local store: {exc}")
        return 1
    if notice:
        _err(notice)
    try:
        columns = _columns(args.columns, store)
        options = ExportOptions(
            format=fmt,
            path=output,
            delimiter=args.delimiter,
            encoding=args.encoding,
            include_transcripts=args.transcripts,
            transcripts_side_file=args.transcripts_file,
            overwrite=args.overwrite,
            description=_describe(args),
            embed_cap_mb=args.embed_cap_mb,
        )
        from mluvii_tui.export.files import check_target

        try:
            check_target(output, args.overwrite)  # fail before a long sync
        except ExportError as exc:
            _err(exc.message + (" (pass --overwrite)" if "exists" in exc.message else ""))
            return 1
        if fmt == "html" or args.transcripts:  # big transcript exports use worker processes:
            from mluvii_tui.export.parallel import PARALLEL_MIN, warm_up_in_background

            if store.count(query) >= PARALLEL_MIN:  # (as far as the store knows before the sync)
                warm_up_in_background()  # start them while the sync runs
        if base_url and not args.no_sync:
            try:
                _sync(args, store, query, args.quiet)
            except MluviiError as exc:
                _err(f"sync failed: {exc.message}")
                return 1
        elif not base_url and not args.quiet:
            _err("no --base-url: exporting the local store as it is")
        fetch = _file_fetch(args) if args.embed_files else None
        options.fetch_file = fetch
        try:
            result = _run_with_progress(store, query, columns, options, args.quiet, run_export)
        except ExportError as exc:
            _err(exc.message)
            return 1
        finally:
            if fetch is not None:
                fetch.close()
        print(result.summary(), file=sys.stderr)
        return 0
    finally:
        store.close()


def _file_fetch(args: argparse.Namespace) -> Any:
    """Downloads for ``--embed-files``: the --base-url with the environment's credentials, or
    the profile's (keyring)."""
    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.export.embed import ThreadFetch

    if getattr(args, "base_url", None):
        client_id = os.environ.get(ENV_CLIENT_ID, "")
        secret = os.environ.get(ENV_CLIENT_SECRET, "")
        if not client_id or not secret:
            raise UsageError(f"set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} to embed files")
        return ThreadFetch(lambda: MluviiClient(args.base_url, client_id, secret))
    from mluvii_tui.connect.opening import client_for, load_profile

    try:
        profile = load_profile(getattr(args, "profile", None) or "")
        client = client_for(profile)
    except Exception as exc:  # ConfigError / SecretsError: one line
        raise UsageError(f"--embed-files: {exc}") from None
    return ThreadFetch(lambda: client)


def _describe(args: argparse.Namespace) -> str:
    parts = [f"filter {f}" for f in args.filter]
    if args.search:
        parts.append(f"search {args.search!r}")
    return " · ".join(parts)


def _run_with_progress(
    store: Any, query: Any, columns: list[str], options: Any, quiet: bool, run_export: Any
) -> Any:
    if quiet:
        return run_export(store, query, columns, options)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("export", total=None, rate="")

        def progress(p: Any) -> None:
            bar.update(task, completed=p.done, total=p.total, rate=f"{p.rate:,.0f} sessions/s")

        return run_export(store, query, columns, options, progress)
