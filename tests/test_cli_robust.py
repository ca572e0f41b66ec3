"""The command line never shows a traceback: bad arguments are one line and exit 2, a damaged
cache is moved aside and named in one line, unforeseen failures exit non-zero."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.cli.main import main
from mluvii_tui.config import paths as config
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.recover import open_store
from mluvii_tui.store.store import SessionStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

BAD_ARGS = [
    ["--base-url", "app.mluvii.com"],
    ["--base-url", "ftp://x"],
    ["--base-url", "http://[::1"],
    ["--base-url", "http://host:99999"],
    ["--base-url", "https://"],
    ["--base-url", "http://exa mple.com"],
    ["simulator", "--port", "80000"],
    ["simulator", "--port", "-1"],
    ["simulator", "--port", "http"],
    ["simulator", "--sessions", "-5"],
    ["demo", "--seed", "-1"],
    ["demo", "--days", "0"],
    ["--days", "-3"],
    ["--days", "1e9"],
    ["--profile", "../etc"],
    ["--profile", "a/b"],
    ["--profile", ""],
    ["--profile", "x" * 65],
    ["export", "--profile", "p", "--base-url", "app.mluvii.com"],
    ["export", "--profile", "p", "--days", "-1"],
    ["export", "--profile", "bad name"],
    ["no-such-command"],
]


@pytest.mark.parametrize("argv", BAD_ARGS, ids=lambda a: " ".join(a)[:40])
def test_bad_arguments_are_one_line_and_exit_2(argv: list[str], capsys) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (argv, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("mluvii-tui"), err
    assert "Traceback" not in out + err


def test_help_still_exits_0(capsys) -> None:
    assert main(["--help"]) == 0
    assert "mluvii-tui" in capsys.readouterr().out


# -- a damaged cache ---------------------------------------------------------------------------


def _fill(path: Path, count: int = 300) -> None:
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(count, seed=3, now=NOW))
    store.close()  # checkpoints the WAL into the file


def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(50_000))


def _truncated(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 3)


def _damaged_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(2)
    page = 4096
    pages = len(data) // page
    for n in rng.sample(range(2, pages), max(4, pages // 6)):  # keep the header page
        data[n * page : n * page + page] = rng.randbytes(page)
    path.write_bytes(bytes(data))


DAMAGE = {"garbage": _garbage, "truncated": _truncated, "damaged pages": _damaged_pages}


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("MLUVII_TUI_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_export_no_sync_on_a_damaged_cache_moves_it_aside(kind: str, dirs: Path, capsys) -> None:
    path = config.store_path("hurt")
    _fill(path)
    DAMAGE[kind](path)
    out = dirs / "out.csv"
    code = main(["export", "--profile", "hurt", "--no-sync", "--quiet", "-o", str(out)])
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == 0, err
    moved = [
        p for p in path.parent.glob("hurt.sqlite3.corrupt-*") if p.name[-4:] not in ("-wal", "-shm")
    ]
    assert len(moved) == 1, list(path.parent.iterdir())
    notice = [line for line in err.splitlines() if "corrupt-" in line]
    assert len(notice) == 1 and str(moved[0]) in notice[0], err
    # a fresh, sound cache is in its place; the next open needs no moving
    store, again = open_store(path)
    assert again is None and store.total() == 0
    store.close()


def test_damage_found_while_running_is_reported_once_and_moved_at_next_start(dirs: Path) -> None:
    path = dirs / "c" / "s.sqlite3"
    _fill(path, 400)
    store, notice = open_store(path)
    assert notice is None
    told: list[str] = []
    store.on_damage = told.append
    _damaged_pages(path)
    from mluvii_tui.query.types import SessionQuery, SortKey

    errors: list[BaseException] = []

    def read_all() -> None:  # a new thread: its own connection, reading the damaged file
        try:
            read()
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        for column in ("created", "channel", "waited", "id", "operators", "ended"):
            query = SessionQuery(view="all", sort=SortKey(column, False), search="objednávka")
            store.count(query)  # never raises
            store.window(query, 0, 500)
        for sid in range(0, 1_000_000, 997):
            store.get_session(sid)

    reader = threading.Thread(target=read_all)
    reader.start()
    reader.join()
    assert not errors, errors
    assert len(told) == 1 and str(path) in told[0], told
    assert os.path.exists(f"{path}.damaged")
    store.close()
    store, notice = open_store(path)
    assert notice is not None and "corrupt-" in notice
    assert store.total() == 0
    store.close()


def test_store_errors_are_not_damage(dirs: Path) -> None:
    """A newer schema is not damage: the file is left alone and the error raised."""
    from mluvii_tui.store.schema import StoreVersionError

    path = dirs / "v" / "s.sqlite3"
    _fill(path, 5)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreVersionError):
        open_store(path)
    assert path.exists() and not list(path.parent.glob("*.corrupt-*"))
