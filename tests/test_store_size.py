"""The store's size measures: the compression dictionary of the kept JSON is trained even when
the sessions come in small pages (what was stored before it is packed again with it); the search
index keeps no copy of the texts (contentless) yet forgets a changed session's old words, and an
older store's index is rebuilt that way once."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import orjson
import zstandard

from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.packing import TRAIN_MIN
from mluvii_tui.store.schema import migrate
from mluvii_tui.store.store import SessionStore
from mluvii_tui.text import fold_value
from store_samples import sample_dicts


def _dict_ids(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        blobs = [b for (b,) in conn.execute("SELECT raw FROM sessions ORDER BY id")]
    finally:
        conn.close()
    return [zstandard.get_frame_parameters(b).dict_id for b in blobs]


def test_small_pages_add_up_to_a_dictionary(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    sessions = sample_dicts(TRAIN_MIN + 100)
    store = SessionStore(path)
    step = 70  # day pages far smaller than TRAIN_MIN
    for start in range(0, len(sessions), step):
        assert store.upsert_sessions(sessions[start : start + step]).inserted > 0
    store.close()
    ids = _dict_ids(path)
    assert len(ids) == len(sessions) and set(ids) != {0}
    assert len(set(ids)) == 1  # the sessions stored before the dictionary were packed again

    again = SessionStore(path)  # the dictionary is loaded from the file
    for item in sessions[:: len(sessions) // 7]:
        blob = again._conn().execute("SELECT raw FROM sessions WHERE id = ?", (item["id"],))
        assert orjson.loads(again.unpack(blob.fetchone()[0]) or b"null") == item
    assert again.upsert_sessions(sessions).unchanged == len(sessions)
    again.close()


def test_a_dictionary_another_process_trained_is_read_when_met(tmp_path: Path) -> None:
    """The console's store is open before the sync's writing process trains the dictionary:
    the detail pane and exports still read what was written with it (they said "not in the
    local store" for every synced session)."""
    path = tmp_path / "s.sqlite3"
    sessions = sample_dicts(TRAIN_MIN + 100)
    console = SessionStore(path)  # open first, as the console is
    assert console.session_json(sessions[0]["id"]) is None  # nothing synced yet
    writer = SessionStore(path)  # the sync's writer, trains the dictionary
    writer.upsert_sessions(sessions)
    writer.close()
    assert set(_dict_ids(path)) != {0}
    for item in sessions[:: len(sessions) // 7]:
        assert console.session_json(item["id"]) == item
    console.close()


def test_too_few_sessions_stay_plain(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SessionStore(path)
    store.upsert_sessions(sample_dicts(TRAIN_MIN // 4))
    store.close()
    assert set(_dict_ids(path)) == {0}


def _with_text(item: dict, text: str) -> dict:
    return {**item, "activities": [{"activityId": 1, "type": "ChatMessage", "text": text}]}


def _found(store: SessionStore, words: str) -> set[int]:
    q = SessionQuery(view="all", search=words)
    return {row.id for row in store.window(q, 0, 1000)}


def test_a_changed_session_loses_its_old_words(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite3")
    first, second = sample_dicts(2)
    store.upsert_sessions([_with_text(first, "faktura za zboží"), _with_text(second, "faktura")])
    assert _found(store, "faktura") == {first["id"], second["id"]}
    res = store.upsert_sessions([_with_text(first, "reklamace displeje")])
    assert res.updated == 1
    assert _found(store, "faktura") == {second["id"]}
    assert _found(store, "reklamace") == {first["id"]}
    store.upsert_sessions([{**first, "activities": []}])  # no messages any more: no index row
    assert _found(store, "reklamace") == set() and _found(store, "faktura") == {second["id"]}
    store.upsert_sessions([_with_text(first, "faktura znovu")])
    assert _found(store, "faktura") == {first["id"], second["id"]}
    store.close()


def test_an_index_with_its_own_copy_of_the_texts_is_rebuilt_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    items = [_with_text(item, f"faktura číslo {n}") for n, item in enumerate(sample_dicts(30))]
    SessionStore(path).upsert_sessions(items)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE fts")  # as schema v4 left it: the texts stored in the index too
    conn.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(surface, lemmas, stems,"
        " tokenize='unicode61 remove_diacritics 2', columnsize=0)"
    )
    conn.execute("INSERT INTO fts(rowid, surface) VALUES (?, 'reklamace')", (items[0]["id"],))
    conn.close()
    seen: list[tuple[int, int]] = []
    store = SessionStore(path, index_progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (30, 30)
    assert _found(store, "faktura") == {item["id"] for item in items}
    assert _found(store, "reklamace") == set()
    store.upsert_sessions([_with_text(items[1], "reklamace")])
    assert _found(store, "reklamace") == {items[1]["id"]} and len(_found(store, "faktura")) == 29
    store.close()
    conn = sqlite3.connect(path)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'fts'").fetchone()[0]
    assert (
        "content=''" in sql
        and conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fts_content'").fetchone()
        is None
    )
    conn.close()
    again: list[tuple[int, int]] = []
    SessionStore(path, index_progress=lambda done, total: again.append((done, total))).close()
    assert again == []  # rebuilt once, not on every start


def test_a_v2_store_is_indexed_from_its_kept_json(tmp_path: Path) -> None:
    """Schema v2 kept activities apart (zlib JSON in ``raw``): the index is rebuilt from the
    kept JSON, and a later change of the session forgets the words that were indexed."""
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("fold", 1, fold_value, deterministic=True)
    migrate(conn, upto=2)  # the real steps, up to version 2
    item = _with_text(sample_dicts(1)[0], "Posílám fakturu")
    conn.execute(
        "INSERT INTO sessions (id, raw, hash, is_live) VALUES (?, ?, 1, 0)",
        (item["id"], zlib.compress(orjson.dumps(item))),
    )
    conn.execute(
        "INSERT INTO activities (session_id, seq, type, text) VALUES (?, 0, 'ChatMessage', ?)",
        (item["id"], "an older copy: reklamace"),
    )
    conn.close()
    store = SessionStore(path)
    assert _found(store, "faktura") == {item["id"]} and _found(store, "reklamace") == set()
    assert store.upsert_sessions([_with_text(item, "reklamace")]).updated == 1
    assert _found(store, "faktura") == set() and _found(store, "reklamace") == {item["id"]}
    store.close()
