"""Running an asyncio server in a daemon thread and waiting until it listens (the simulator of
demo/, the relay of live/): a failure or a timeout is one ``RuntimeError`` line, never a hang.
The bottom layer beside config/ and text: no mluvii_tui imports, no Textual."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any


def run_in_thread(
    main: Callable[[], Coroutine[Any, Any, None]],
    name: str,
    failure: list[BaseException],
    *,
    after: Callable[[], None] | None = None,
) -> threading.Thread:
    """Start a daemon thread running ``asyncio.run(main())``; an exception lands in ``failure``
    (``wait_started`` reports it); ``after`` runs when the loop ends either way."""

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by wait_started
            failure.append(exc)
        finally:
            if after is not None:
                after()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def wait_started(
    ready: Callable[[], bool],
    thread: threading.Thread,
    failure: list[BaseException],
    what: str,
    *,
    on_failure: Callable[[], None] | None = None,
    on_timeout: Callable[[], None] | None = None,
    timeout: float = 10.0,
) -> None:
    """Wait until ``ready()``; raise ``RuntimeError("<what> did not start…")`` when the thread
    failed or died (after ``on_failure``) or after ``timeout`` seconds (after ``on_timeout``)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if failure or not thread.is_alive():
            if on_failure is not None:
                on_failure()
            raise RuntimeError(f"{what} did not start: {failure[0] if failure else '?'}")
        if time.monotonic() > deadline:
            if on_timeout is not None:
                on_timeout()
            raise RuntimeError(f"{what} did not start within {timeout:g} s")
        time.sleep(0.005)
