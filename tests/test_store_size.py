"""The store's size measures: the compression dictionary of the kept JSON is trained even when
the sessions come in small pages, and what was stored before it is packed again with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import zstandard

from mluvii_tui.store.packing import TRAIN_MIN
from mluvii_tui.store.store import SessionStore
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


def test_too_few_sessions_stay_plain(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SessionStore(path)
    store.upsert_sessions(sample_dicts(TRAIN_MIN // 4))
    store.close()
    assert set(_dict_ids(path)) == {0}
