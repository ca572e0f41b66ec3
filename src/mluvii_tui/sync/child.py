"""The sync process itself: ``python -m mluvii_tui.sync.child FD`` (started by sync/process.py).

FD is its end of a socket pair. It reads the job and then the secret from it, opens the store,
starts the writing process (sync/writer.py: parsing here, writing there, on both cores), runs
``sync_history`` and answers with small messages (``process.py`` says which). Ctrl+C in the
terminal reaches the whole process group: the child ignores it, the parent decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import sys
from multiprocessing.connection import Connection

from mluvii_tui.heap import bound_heap, reuse_large_blocks, without_httpx_cli
from mluvii_tui.sync import quiet_gc
from mluvii_tui.sync.history import SyncProgress, SyncResult
from mluvii_tui.sync.process import SyncFailed, SyncJob, fields
from mluvii_tui.sync.writer import ProcessWriter


async def _run(conn: Connection, job: SyncJob, secret: str) -> None:
    from mluvii_tui.api.errors import MluviiError
    from mluvii_tui.api.transport import ApiTransport  # pages as bytes: no pydantic, no models
    from mluvii_tui.config.logs import register_secret
    from mluvii_tui.query.analysis import configure_languages
    from mluvii_tui.store.schema import StoreVersionError
    from mluvii_tui.store.store import SessionStore, StoreBusy, StoreDamaged, StoreFullError
    from mluvii_tui.sync.history import sync_history

    # before the store opens: a store whose index was analysed in other languages is re-indexed
    configure_languages(job.languages)
    quiet_gc()
    register_secret(secret)
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def heard() -> None:  # "stop", or the parent has gone away: cancel the sync
        try:
            if not conn.poll() or conn.recv()[0] != "stop":
                return
        except (EOFError, OSError):
            pass
        loop.remove_reader(conn.fileno())
        task.cancel()

    loop.add_reader(conn.fileno(), heard)

    def progress(p: SyncProgress) -> None:
        conn.send(("progress", fields(p)))

    try:
        with SessionStore(job.store_path, cache_kib=job.cache_kib) as store:
            # the other core writes, or this process's worker thread (sync_history's default)
            writer = (
                ProcessWriter(job.store_path, job.cache_kib, job.languages)
                if job.writing_process
                else None
            )
            try:
                if writer is not None:
                    await writer.start()
                async with ApiTransport(job.base_url, job.client_id, secret) as client:
                    result = await sync_history(
                        client,
                        store,
                        days=job.days,
                        filters=job.filters,
                        now=job.now,
                        progress=progress,
                        page_size=job.page_size,
                        full=job.full,
                        writer=writer,
                    )
            finally:
                if writer is not None:
                    await writer.close()
    except asyncio.CancelledError:
        return
    except SyncFailed as exc:  # the writing process's own line
        conn.send(("failed", exc.kind, exc.line))
    except MluviiError as exc:
        conn.send(("failed", "api", exc.message))
    except (StoreFullError, StoreVersionError, StoreDamaged, StoreBusy) as exc:
        conn.send(("failed", "store", str(exc)))
    except (OSError, sqlite3.Error) as exc:
        conn.send(("failed", "store", f"the local store: {exc}"))
    except Exception as exc:  # one line for the parent, never a traceback
        conn.send(("failed", "crash", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("done", fields(result, SyncResult)))
    finally:
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(conn.fileno())


def main(argv: list[str]) -> int:
    bound_heap()  # one arena, large blocks mapped: no heap kept as holes (heap.py)
    without_httpx_cli()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(argv[1]))
    try:
        job = conn.recv()
        secret = conn.recv()
    except EOFError:
        return 1
    if job.writing_process:  # headless (``mluvii-tui sync``): big pages, a process of its own
        reuse_large_blocks()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError, EOFError):
        asyncio.run(_run(conn, job, secret))
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
