"""Render HTML transcripts in a second process while this one reads rows and writes the file.

The one-pass HTML of a session (zlib + JSON + markup, ~70 µs) is the largest cost of an HTML export;
a small process pool does it for the next windows while the caller writes the current one. Workers
start from a fork server (never a fork of the threaded UI process) and only return markup for the
plain sessions; everything else (None) the caller renders itself, exactly as before.
"""

from __future__ import annotations

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
    if kind == "html" and total >= PARALLEL_MIN:
        return rendered_windows(windows, one)
    return ((rows, [one(r) for r in rows]) for rows in windows)


def _render_row(render: Callable[..., str], load: Any, row: tuple[Any, ...]) -> str:
    return render(row[-1], row[0], load)


def fast_markups(sources: list[Any]) -> list[str | None]:
    """In a worker: the one-pass transcript markup of each raw blob (None: not a plain one)."""
    from .fasthtml import fast_html
    from .transcripts import _BAD, _loads

    out: list[str | None] = []
    for source in sources:
        markup = None
        if isinstance(source, bytes):
            data = _loads(source)
            if data is not _BAD:
                markup = fast_html(data)
        out.append(markup)
    return out


def rendered_windows(
    windows: Iterable[list[tuple[Any, ...]]],
    render: Callable[[tuple[Any, ...]], str],
    workers: int = 2,
) -> Iterator[tuple[list[tuple[Any, ...]], list[str]]]:
    """Yield each window with its transcripts, rendered ahead in ``workers`` processes."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[tuple[list[tuple[Any, ...]], Future[list[str | None]]]] = deque()
        try:
            for rows in windows:
                pending.append((rows, pool.submit(fast_markups, [r[-1] for r in rows])))
                if len(pending) > AHEAD:
                    yield _finish(*pending.popleft(), render)
            while pending:
                yield _finish(*pending.popleft(), render)
        finally:
            for _, future in pending:
                future.cancel()


def _finish(
    rows: list[tuple[Any, ...]],
    future: Future[list[str | None]],
    render: Callable[[tuple[Any, ...]], str],
) -> tuple[list[tuple[Any, ...]], list[str]]:
    markups = future.result()
    return rows, [m if m is not None else render(r) for r, m in zip(rows, markups, strict=True)]
