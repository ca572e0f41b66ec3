"""Render transcripts in worker processes while this one reads rows and writes the file.

A session's transcript (zlib + JSON + markup or text, ~70-180 µs) is the largest cost of an HTML
export and of a CSV export with transcripts; a small process pool renders the next windows while
the caller writes the current one. Workers start from a fork server (never a fork of the threaded
UI process) and only return the fast path's result for plain sessions; everything else (None) the
caller renders itself, exactly as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Any

#: Below this many sessions a pool costs more (its start, ~0.3 s) than it saves.
PARALLEL_MIN = 20_000
#: Windows rendered ahead of the one being written.
AHEAD = 2


def with_transcripts(
    windows: Iterable[list[tuple[Any, ...]]],
    render: Callable[..., str],
    load: Any,
    kind: str,
    total: int,
) -> Iterator[tuple[list[tuple[Any, ...]], list[str]]]:
    """Each window with its rows' transcripts: HTML ones of a big export rendered ahead in worker
    processes, the rest here. ``render(raw, session_id, load)`` is the exact renderer."""
    one = partial(_render_row, render, load)
    if kind in ("html", "text") and total >= PARALLEL_MIN:
        return rendered_windows(windows, one, kind)
    return ((rows, [one(r) for r in rows]) for rows in windows)


def _render_row(render: Callable[..., str], load: Any, row: tuple[Any, ...]) -> str:
    return render(row[-1], row[0], load)


def fast_renders(kind: str, sources: list[Any]) -> list[str | None]:
    """In a worker: the fast path's transcript of each raw blob, one-pass markup (``html``) or
    plain text (``text``); None where the session is not a plain one."""
    from .fasthtml import fast_html
    from .fastscript import fast_items
    from .transcripts import _BAD, _loads, _text

    out: list[str | None] = []
    for source in sources:
        done = None
        if isinstance(source, bytes):
            data = _loads(source)
            if data is not _BAD:
                if kind == "html":
                    done = fast_html(data)
                else:
                    items = fast_items(data)
                    done = _text(items) if items is not None else None
        out.append(done)
    return out


def rendered_windows(
    windows: Iterable[list[tuple[Any, ...]]],
    render: Callable[[tuple[Any, ...]], str],
    kind: str = "html",
    workers: int = 2,
) -> Iterator[tuple[list[tuple[Any, ...]], list[str]]]:
    """Yield each window with its ``kind`` transcripts, rendered ahead in ``workers`` processes.

    A pool that cannot start or breaks (no fork server here, a worker killed, a host program
    whose main module starts work on import) costs speed, never the export: the windows it
    did not render are rendered here."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[tuple[list[tuple[Any, ...]], Future[list[str | None]] | None]] = deque()
        broken = False
        try:
            for rows in windows:
                future = None
                if not broken:
                    try:
                        future = pool.submit(fast_renders, kind, [r[-1] for r in rows])
                    except Exception:  # BrokenProcessPool, RuntimeError, OSError
                        broken = True
                pending.append((rows, future))
                if len(pending) > AHEAD:
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
