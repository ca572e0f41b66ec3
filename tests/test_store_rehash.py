"""Schema v7: content hashes by XXH3. A v6 store (blake2b hashes) is hashed again once, from
its kept JSON, with progress; the next sync of the same sessions finds them unchanged, and a
session whose kept JSON does not unpack is written again."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from mluvii_tui.store import rehash
from mluvii_tui.store.packing import Packer
from mluvii_tui.store.rows import content_hash
from mluvii_tui.store.schema import SCHEMA_VERSION
from mluvii_tui.store.store import SessionStore
from store_samples import sample_dicts


def _blake2b(raw: bytes) -> int:  # v6's content hash
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big", signed=True)


def test_a_v6_store_is_hashed_again_once_and_its_sessions_stay_unchanged(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    sessions = sample_dicts(7)
    for session, sid in zip(sessions, (-(2**63), -5, 0, 1, 2, 3, 2**63 - 1), strict=True):
        session["id"] = sid  # the id range ends included
    path = tmp_path / "v6.sqlite3"
    with SessionStore(path) as store:
        assert store.upsert_sessions(sessions).inserted == 7
    conn = sqlite3.connect(path, isolation_level=None)
    packer = Packer()
    packer.load(conn)
    for sid, blob in conn.execute("SELECT id, raw FROM sessions").fetchall():
        conn.execute(
            "UPDATE sessions SET hash = ? WHERE id = ?", (_blake2b(packer.unpack(blob)), sid)
        )
    conn.execute("UPDATE sessions SET raw = x'00ff' WHERE id = 3")  # a damaged blob
    conn.execute("PRAGMA user_version = 6")
    conn.close()

    monkeypatch.setattr(rehash, "REPORT_FROM", 1)
    monkeypatch.setattr(rehash, "STEP", 3)
    with SessionStore(path) as store:
        err = capsys.readouterr().err
        assert "content hashes 3 of 7 sessions" in err and "content hashes 7 of 7 sessions" in err
        with store.reading() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            rows = conn.execute("SELECT id, raw, hash FROM sessions").fetchall()
        for sid, blob, stored in rows:
            assert stored == (0 if sid == 3 else content_hash(packer.unpack(blob)))
        again = store.upsert_sessions(sessions)
        assert (again.unchanged, again.updated, again.inserted) == (6, 1, 0)
    with SessionStore(path):  # opened again: nothing to do, nothing said
        assert capsys.readouterr().err == ""


def test_the_content_hash_is_a_signed_64_bit_integer() -> None:
    values = {content_hash(bytes([n]) * n) for n in range(256)}
    assert len(values) == 256
    assert all(-(2**63) <= v < 2**63 for v in values)
    assert any(v < 0 for v in values) and any(v > 0 for v in values)
