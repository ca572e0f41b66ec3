"""What an export leaves behind: no connection of its own open (its page cache freed), no
connection of a thread that ended, no worker processes for an export that renders no
transcripts (issue 14: the whole process tree <= 150 MB PSS)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, RadioButton

from export_helpers import session_dict
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.export import ExportOptions, parallel, run_export
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.store.store import SessionStore
from test_export_dialog import DialogApp
from test_export_pipeline import NOW, _no_store, _raw


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    """30 sessions, 15 of them chats."""
    with SessionStore(tmp_path / "store.sqlite3") as s:
        s.upsert_sessions(session_dict(i, channel=("WhatsApp", "Chat")[i % 2]) for i in range(30))
        yield s


def _in_thread(fn) -> None:  # type: ignore[no-untyped-def]
    failed: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # reported by the test
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failed, failed


@pytest.mark.parametrize("fmt", ["csv", "html"])
def test_export_closes_its_connection(store: SessionStore, tmp_path: Path, fmt: str) -> None:
    """Every read of an export (count, window ids, rows, transcripts) is on one connection of
    its own, closed when it ends: the store has the connections it had before."""
    before = list(store._conns)
    query = SessionQuery(filters=(Filter("channel", "in", ("Chat",)),))
    seen: list[int] = []

    def export() -> None:
        options = ExportOptions(format=fmt, path=tmp_path / f"out.{fmt}")
        result = run_export(store, query, ["id", "channel"], options, lambda p: seen.append(p.done))
        assert result.status == "done" and result.sessions == 15
        assert len(store._conns) == len(before)  # the export's own one is closed already

    _in_thread(export)
    assert store._conns == before
    assert seen[-1] == 15
    # the thread's own connection was never opened, and the store still reads
    assert store.count(query) == 15


def test_connection_of_an_ended_thread_is_closed(store: SessionStore) -> None:
    """A thread that read has its connection (and page cache) closed once it has ended, when
    the next thread opens one: worker threads come and go, their connections do not pile up."""
    opened: list[sqlite3.Connection] = []

    def read() -> None:
        with store.reading() as conn:
            opened.append(conn)
            assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 30

    _in_thread(read)
    assert opened[0] in store._conns
    _in_thread(read)
    assert opened[0] not in store._conns and opened[1] in store._conns
    with pytest.raises(sqlite3.ProgrammingError):
        opened[0].execute("SELECT 1")  # closed
    assert len(store._conns) == 2  # this thread's and the last reader's


async def test_a_csv_of_rows_starts_no_worker_processes(
    store: SessionStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog starts the fork server early only for an export that renders transcripts in
    workers (HTML, or CSV with transcripts, of PARALLEL_MIN sessions or more)."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 10)
    monkeypatch.setattr(parallel, "_warmed", False)
    app = DialogApp(store, SessionQuery(), tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "rows.csv")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (tmp_path / "rows.csv").exists()
        assert not parallel._warmed
        conns = len(store._conns)
        await pilot.press("ctrl+s")  # close
        await pilot.pause()

        for choose in ("transcripts", "html"):
            app.push_screen(DialogApp.dialog(store, SessionQuery(), tmp_path))
            await pilot.pause()
            if choose == "transcripts":
                app.screen.query_one("#export-transcripts", Checkbox).value = True
            else:
                app.screen.query_one("#fmt-html", RadioButton).value = True
            for _ in range(100):
                await pilot.pause(0.01)
                if parallel._warmed:
                    break
            assert parallel._warmed  # the fork server starts while the user chooses
            parallel._warmed = False
            await pilot.press("escape")
            await pilot.pause()
        assert len(store._conns) == conns  # the dialogs' counts left no connection open


def test_windows_without_kept_json_start_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only kept JSON is sent to a worker: a window of sessions read from the store (no kept
    JSON: an HTML export of such a store) is rendered here, and no worker starts for it (each
    held ~80 MB PSS for nothing); a mixed window comes back whole and in order."""
    from concurrent.futures import ProcessPoolExecutor

    from mluvii_tui.export.html_export import html_transcript

    demo = generate_sessions(20, seed=11, now=NOW, days=3)
    submitted: list[int] = []

    class Counting(ProcessPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            submitted.append(len(args[2]))
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Counting)
    rows: list[tuple[Any, ...]] = [(d["id"], None) for d in demo[:10]]
    mixed = [(d["id"], _raw(d) if i % 2 else None) for i, d in enumerate(demo[10:20])]

    def render(row: tuple[Any, ...]) -> str:
        return html_transcript(row[-1], row[0], _no_store)

    out = list(parallel.rendered_windows([rows[:5], rows[5:]], render, "html", workers=1))
    assert submitted == []
    assert [t for _, ts in out for t in ts] == [render(r) for r in rows]
    out = list(parallel.rendered_windows([rows[:5], mixed], render, "html", workers=1))
    assert submitted == [10]
    assert [r for w, _ in out for r in w] == rows[:5] + mixed
    assert [t for _, ts in out for t in ts] == [render(r) for r in rows[:5] + mixed]


def test_release_memory_closes_what_ended_threads_left(store: SessionStore) -> None:
    """After a big job: the connections of threads that ended are closed without waiting for
    the next thread, and the heap is trimmed (glibc; elsewhere nothing happens)."""
    opened: list[sqlite3.Connection] = []

    def read() -> None:
        with store.reading() as conn:
            opened.append(conn)
            conn.execute("SELECT count(*) FROM sessions").fetchone()

    _in_thread(read)
    assert opened[0] in store._conns
    store.release_memory()
    assert opened[0] not in store._conns
    assert store.count(SessionQuery()) == 30  # this thread reads on
