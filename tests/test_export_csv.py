"""CSV export: read back with the csv module it equals the store; formulas, long cells, files."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest

from export_helpers import session_model
from mluvii_tui.export import (
    ExportError,
    ExportOptions,
    TargetExists,
    default_filename,
    export_session_json,
    run_export,
)
from mluvii_tui.export.cells import MAX_CELL_CHARS, cut_cell, neutralise
from mluvii_tui.export.csv_export import csv_plan
from mluvii_tui.query.columns import BASIC_COLUMNS, COLUMNS, column_by_id
from mluvii_tui.query.columns import format_hms as hms
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.store.store import SessionStore

FORMULAS = {
    1: '=HYPERLINK("http://evil.test","x")',
    2: "+420 777 123 456",
    3: "-2+3+cmd|' /C calc'!A0",
    4: "@SUM(A1:A2)",
    5: "\tTAB",
    6: "\rCR",
}


@pytest.fixture
def store(tmp_path: Path):
    s = SessionStore(tmp_path / "store.sqlite3")
    models = []
    for sid in range(1, 41):
        params = {"name": f"Zákazník {sid}", "email": f"c{sid}@example.test"}
        if sid in FORMULAS:
            params["note"] = FORMULAS[sid]
        if sid == 7:
            params["note"] = "-12.5"
        if sid == 8:
            params["note"] = "x" * 40_000
        models.append(session_model(sid, params=params, channel="WhatsApp" if sid % 3 else "Chat"))
    s.upsert_sessions(models)
    yield s
    s.close()


def _read(path: Path, delimiter: str = ",", encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def test_csv_reads_back_equal_to_the_store(store: SessionStore, tmp_path: Path) -> None:
    ids = [*COLUMNS, "param:name", "param:email"]
    out = tmp_path / "all.csv"
    result = run_export(store, SessionQuery(), ids, ExportOptions(path=out))
    assert result.status == "done" and result.sessions == 40
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM by default, for Excel
    assert b"\r\n" in raw
    rows = _read(out)
    cols = [column_by_id(c) for c in ids]
    headers, _, _ = csv_plan(cols)
    assert rows[0] == headers
    assert "param:email" in headers and "Waited (s)" in headers and "Waited (h:mm:ss)" in headers
    store_rows = store.window(SessionQuery(), 0, 100)
    assert len(rows) - 1 == len(store_rows)
    for got, row in zip(rows[1:], store_rows, strict=True):
        expected: list[str] = []
        for col in cols:
            value = col.export(row)
            if col.kind == "duration":
                expected += [value, hms(value)]
            elif row.id == 8 and col.id == "param:note":
                expected.append(cut_cell(value)[0])
            else:
                untrusted = col.kind not in ("time", "duration", "number", "bool")
                expected.append(neutralise(value) if untrusted else value)
        assert got == expected
    created = rows[1][headers.index("Created (UTC)")]
    assert datetime.fromisoformat(created).utcoffset() is not None


def test_formula_cells_are_neutralised(store: SessionStore, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    run_export(store, SessionQuery(), ["id", "param:note"], ExportOptions(path=out, delimiter=";"))
    rows = {int(r[0]): r[1] for r in _read(out, ";")[1:]}
    for sid, value in FORMULAS.items():
        if sid == 6:  # the store's text.clean already made the CR a newline: harmless
            assert rows[sid] == "\nCR"
            continue
        assert rows[sid] == "'" + value
    assert rows[7] == "-12.5"  # a plain number stays a number
    assert rows[9] == ""


def test_long_cells_are_cut_and_counted(store: SessionStore, tmp_path: Path) -> None:
    out = tmp_path / "long.csv"
    result = run_export(store, SessionQuery(), ["id", "param:note"], ExportOptions(path=out))
    rows = {int(r[0]): r[1] for r in _read(out)[1:]}
    assert len(rows[8]) <= MAX_CELL_CHARS
    assert rows[8].endswith("…[cut: 8007 characters]") or "…[cut: " in rows[8]
    assert len(rows[8].split("…[cut: ")[0]) + int(rows[8].split("…[cut: ")[1].split()[0]) == 40_000
    assert result.cut_cells == 1 and result.cut_sessions == [8]
    assert "1 cell longer than 32,000 characters cut in 1 session (8)" in result.summary()


def test_transcripts_column_and_side_file(tmp_path: Path) -> None:
    s = SessionStore(tmp_path / "t.sqlite3")
    long_text = "dlouhá zpráva " * 3000  # 42,000 characters
    s.upsert_sessions(
        [
            session_model(1, messages=[("Guest", "=1+1 objednávka"), ("User", "Dobrý den")]),
            session_model(2, messages=[("Guest", long_text)]),
        ]
    )
    out = tmp_path / "t.csv"
    opts = ExportOptions(path=out, include_transcripts=True, transcripts_side_file=True)
    result = run_export(s, SessionQuery(), ["id"], opts)
    rows = {int(r[0]): r[1] for r in _read(out)[1:]}
    assert "objednávka" in rows[1] and "Dobrý den" in rows[1] and "Jana Nováková" in rows[1]
    assert "faktura-1.pdf" in rows[1]
    assert len(rows[2]) <= MAX_CELL_CHARS and "full text in t-transcripts.txt" in rows[2]
    assert result.side_file == tmp_path / "t-transcripts.txt"
    side = result.side_file.read_text("utf-8")
    assert "=== Session 2 ===" in side and long_text.strip() in side
    assert "Session 1 " not in side
    s.close()


def test_filtered_list_and_empty_result(store: SessionStore, tmp_path: Path) -> None:
    q = SessionQuery(filters=(Filter("channel", "in", ("Chat",)),))
    out = tmp_path / "chat.csv"
    result = run_export(store, q, BASIC_COLUMNS, ExportOptions(path=out))
    assert result.sessions == store.count(q) == len(_read(out)) - 1
    assert {r[1] for r in _read(out)[1:]} == {"Chat"}
    nothing = SessionQuery(filters=(Filter("channel", "in", ("Email",)),))
    empty = tmp_path / "empty.csv"
    result = run_export(store, nothing, BASIC_COLUMNS, ExportOptions(path=empty))
    assert result.status == "empty" and not empty.exists()
    assert result.summary() == "No sessions match: nothing was written"
    assert os.listdir(tmp_path) == ["store.sqlite3", "chat.csv"] or not any(
        n.startswith(".") for n in os.listdir(tmp_path)
    )


def test_existing_file_missing_dir_and_overwrite(store: SessionStore, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    out.write_text("keep me")
    with pytest.raises(TargetExists):
        run_export(store, SessionQuery(), ["id"], ExportOptions(path=out))
    assert out.read_text() == "keep me"
    run_export(store, SessionQuery(), ["id"], ExportOptions(path=out, overwrite=True))
    assert out.read_bytes().startswith(b"\xef\xbb\xbfSession ID\r\n40\r\n")
    with pytest.raises(ExportError, match="does not exist"):
        run_export(store, SessionQuery(), ["id"], ExportOptions(path=tmp_path / "no" / "x.csv"))
    with pytest.raises(ExportError, match="Unknown column"):
        run_export(store, SessionQuery(), ["nope"], ExportOptions(path=tmp_path / "y.csv"))


def test_cancel_leaves_no_file(store: SessionStore, tmp_path: Path) -> None:
    cancel = threading.Event()
    out = tmp_path / "c.csv"

    def progress(p) -> None:
        if p.done:
            cancel.set()

    import mluvii_tui.export.runner as runner

    old = runner.WINDOW
    runner.WINDOW = 10
    try:
        result = run_export(
            store, SessionQuery(), ["id"], ExportOptions(path=out), progress, cancel
        )
    finally:
        runner.WINDOW = old
    assert result.status == "cancelled" and result.sessions == 10
    assert sorted(os.listdir(tmp_path)) == sorted(
        n for n in os.listdir(tmp_path) if n.startswith("store")
    )


def test_write_failure_leaves_no_partial_file(store: SessionStore, tmp_path: Path) -> None:
    """A real OS write error (file size limit, like a full disk) mid-export: nothing is left."""
    script = f"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
from mluvii_tui.export import run_export, ExportOptions, ExportError
from mluvii_tui.store.store import SessionStore
from mluvii_tui.query.types import SessionQuery
s = SessionStore({str(tmp_path / "store.sqlite3")!r})
try:
    opts = ExportOptions(path={str(tmp_path / "big.csv")!r})
    run_export(s, SessionQuery(), ["id", "param:note"], opts)
except ExportError as e:
    print(e.message); sys.exit(1)
"""
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1, proc.stderr
    assert "File too large" in proc.stdout and "nothing was written" in proc.stdout
    assert not [n for n in os.listdir(tmp_path) if "big" in n]


def test_default_filename_and_cells() -> None:
    now = datetime(2026, 11, 30, 14, 5)
    assert default_filename("csv", now) == "sessions-2026-11-30-1405.csv"
    assert default_filename("html", now) == "sessions-2026-11-30-1405.html"
    assert hms(3725) == "1:02:05" and hms("") == ""
    assert neutralise("=1") == "'=1" and neutralise("-5") == "-5" and neutralise("a=1") == "a=1"
    text, was_cut = cut_cell("y" * 50_000)
    assert was_cut and len(text) == MAX_CELL_CHARS


def test_single_session_json(tmp_path: Path) -> None:
    model = session_model(5)
    path = export_session_json(model, tmp_path / "s.json")
    data = json.loads(path.read_text("utf-8"))
    assert data["id"] == 5 and data["guest"]["callParams"]["name"] == "Zákazník 5"
    with pytest.raises(TargetExists):
        export_session_json(model, path)


def test_reader_queries_are_driven_by_the_window(store: SessionStore) -> None:
    """Both bulk reads loop over the window's ids and look rows up by primary key: no scan of
    the sessions or params table, no temporary B-tree (a plain JOIN on params once walked
    the name index and rescanned the ids for every row: 114 s for 24k sessions)."""
    import sqlite3

    from mluvii_tui.export.reader import SessionReader

    reader = SessionReader(store, SessionQuery(), ["created", "channel"], ["email", "note", "name"])
    conn = sqlite3.connect(store.path)
    try:
        for sql, args in (
            (reader._select, ("[1]",)),
            (reader._params_sql, ("[1]", *reader.params)),
        ):
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
            # the only scan is the window's ids (params: after a lookup of the asked names in
            # param_names, schema v5); every table is searched by key
            scans = [step for step in plan if not step.startswith("SEARCH")]
            assert len(scans) == 1 and scans[0].startswith("SCAN j"), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
    finally:
        conn.close()
    rows = SessionReader(store, SessionQuery(), ["channel"], ["email"]).window(0, 5)
    assert [r[2] for r in rows] == [{"email": f"c{r[0]}@example.test"} for r in rows]
