"""Render transcripts in worker processes while this one reads rows and writes the file.

A session's transcript (zlib + JSON + markup or text, ~70-180 µs) is the largest cost of an HTML
export and of a CSV export with transcripts; a small process pool renders the next windows while
the caller writes the current one. Workers start from a fork server (never a fork of the threaded
UI process) and run the caller's own renderers on the raw blobs; a session that needs the store
(no raw, or a damaged one) comes back as None and the caller renders it, exactly as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from multiprocessing import forkserver
from typing import Any

from mluvii_tui.config.zone import follow_zone
from mluvii_tui.domain.transcript_decode import Loader

from .csv_export import text_transcript
from .html_export import html_transcript

#: Below this many sessions a pool costs more (its start, ~0.3 s) than it saves.
PARALLEL_MIN = 20_000
#: Windows rendered ahead of the one being written.
AHEAD = 2
MAX_WORKERS = 4
#: What the fork server imports once, so that each worker starts in milliseconds, not ~0.35 s.
PRELOAD = ["mluvii_tui.export.parallel", "mluvii_tui.domain.transcript_decode"]
_warm = threading.Lock()
_warmed = False


@contextlib.contextmanager
def _usable_stderr() -> Iterator[None]:
    """multiprocessing starts its helper processes passing ``sys.stderr.fileno()``; under
    Textual, sys.stderr is a capture object whose fileno is -1 ("bad value(s) in fds_to_keep").
    For that moment it is /dev/null instead (the helpers keep the terminal's own fd 2)."""
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except Exception:
        usable = False
    if usable:
        yield
        return
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


def warm_up() -> None:
    """Start the fork server with the renderers imported (~0.7 s, once per process); exports
    that start later skip that wait. Safe to call from any thread, any number of times."""
    global _warmed
    with _warm:
        if _warmed:
            return
        _warmed = True
        context = multiprocessing.get_context("forkserver")
        with contextlib.suppress(Exception), _usable_stderr():  # else: render in-process
            context.set_forkserver_preload(PRELOAD)
            forkserver.ensure_running()


def warm_up_in_background() -> None:
    threading.Thread(target=warm_up, name="export-warm-up", daemon=True).start()


def with_transcripts(
    windows: Iterable[list[tuple[Any, ...]]],
    render: Callable[..., str],
    load: Loader,
    kind: str,
    total: int,
) -> Iterator[tuple[list[tuple[Any, ...]], list[str]]]:
    """Each window with its rows' transcripts: HTML ones of a big export rendered ahead in worker
    processes, the rest here. ``render(raw, session_id, load)`` is the exact renderer."""
    one = partial(_render_row, render, load)
    if kind in ("html", "text") and uses_workers(True, total):
        return rendered_windows(windows, one, kind)
    return ((rows, [one(r) for r in rows]) for rows in windows)


def uses_workers(transcripts: bool, total: int) -> bool:
    """Whether an export of ``total`` sessions renders in worker processes: only transcripts,
    and only when there are enough of them to pay for the pool's start (and its memory)."""
    return transcripts and total >= PARALLEL_MIN


def _render_row(render: Callable[..., str], load: Loader, row: tuple[Any, ...]) -> str:
    return render(row[-1], row[0], load)


class _NeedsStore(Exception):
    """The raw blob does not decode: only the caller's store can tell the transcript."""


def _needs_store(session_id: int) -> None:
    raise _NeedsStore


def worker_renders(
    kind: str, pairs: list[tuple[int, Any]], zone: str | None = None
) -> list[str | None]:
    """In a worker: each (session id, raw blob)'s transcript, by the caller's own renderer
    (``html_transcript`` / ``text_transcript``: decoded or read by pydantic, the same output); None
    where the session needs the store (no raw, or a raw that does not decode). ``zone``: the
    caller's ``TZ`` (the fork server kept the one of its start; a profile may have switched)."""
    follow_zone(zone)
    render = html_transcript if kind == "html" else text_transcript
    out: list[str | None] = []
    for sid, source in pairs:
        done = None
        if isinstance(source, bytes):
            with contextlib.suppress(_NeedsStore):
                done = render(source, sid, _needs_store)
        out.append(done)
    return out


def worker_count() -> int:
    """One worker per CPU this process may use, 2 to 4 (each holds ~50 MB)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 2
    return max(2, min(cpus, MAX_WORKERS))


def rendered_windows(
    windows: Iterable[list[tuple[Any, ...]]],
    render: Callable[[tuple[Any, ...]], str],
    kind: str = "html",
    workers: int | None = None,
) -> Iterator[tuple[list[tuple[Any, ...]], list[str]]]:
    """Yield each window with its ``kind`` transcripts, rendered ahead in ``workers`` processes
    (default: worker_count()).

    A pool that cannot start or breaks (no fork server here, a worker killed, a host program
    whose main module starts work on import) costs speed, never the export: the windows it
    did not render are rendered here."""
    warm_up()
    workers = workers or worker_count()
    ahead = max(AHEAD, workers)  # every worker has a window to go on with
    context = multiprocessing.get_context("forkserver")
    try:
        with _usable_stderr():  # the pool's queues start the resource tracker if it is not up
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    except Exception:  # no worker processes here: every window is rendered by the caller
        for rows in windows:
            yield rows, [render(r) for r in rows]
        return
    with pool:
        pending: deque[tuple[list[tuple[Any, ...]], Future[list[str | None]] | None]] = deque()
        broken = False
        try:
            for rows in windows:
                future = None
                # only kept JSON goes to a worker (a session read from the store is rendered
                # here): a window without any is not sent, and no worker starts for it
                pairs = [(r[0], r[-1] if isinstance(r[-1], bytes) else None) for r in rows]
                if not broken and any(source is not None for _, source in pairs):
                    try:
                        with _usable_stderr():  # the first submits start the workers
                            future = pool.submit(worker_renders, kind, pairs, os.environ.get("TZ"))
                    except Exception:  # BrokenProcessPool, RuntimeError, OSError
                        broken = True
                pending.append((rows, future))
                if len(pending) > ahead:
                    yield _finish(*pending.popleft(), render)
            while pending:
                yield _finish(*pending.popleft(), render)
        finally:
            for _, future in pending:
                if future is not None:
                    future.cancel()


def _finish(
    rows: list[tuple[Any, ...]],
    future: Future[list[str | None]] | None,
    render: Callable[[tuple[Any, ...]], str],
) -> tuple[list[tuple[Any, ...]], list[str]]:
    markups: list[str | None] = [None] * len(rows)
    if future is not None:
        # the worker or the pool failed: this window is rendered here
        with contextlib.suppress(Exception):
            markups = future.result()
    return rows, [m if m is not None else render(r) for r, m in zip(rows, markups, strict=True)]
