"""SessionStore on real SQLite files: round trip, idempotence, sort windows, positions, notes."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from mluvii_tui.api.enums import MESSAGE_ACTIVITY_TYPES
from mluvii_tui.api.models import SessionModel, SessionNote, parse_session
from mluvii_tui.query.columns import BASIC_COLUMNS, COLUMNS, column_by_id, format_duration
from mluvii_tui.query.runner import QueryError
from mluvii_tui.query.types import Filter, SessionQuery, SortKey
from mluvii_tui.store.schema import SCHEMA_VERSION, StoreVersionError
from mluvii_tui.store.store import SessionStore
from store_samples import sample_dicts, sample_models

N = 300


GEN_NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def generator_models(n: int) -> list[SessionModel]:
    """Sessions of the simulator's generator (realistic shapes), when it is there."""
    try:
        from mluvii_tui.demo.generator import generate_sessions
    except ImportError:  # pragma: no cover
        return []
    return [m for m in map(parse_session, generate_sessions(n, seed=7, now=GEN_NOW)) if m]


@pytest.fixture(scope="module")
def models() -> list[SessionModel]:
    return sample_models(N) + generator_models(N)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, models: list[SessionModel]) -> SessionStore:
    s = SessionStore(tmp_path_factory.mktemp("store") / "cache" / "s.sqlite3")
    s.upsert_sessions(models)
    yield s
    s.close()


def _nocase(v: Any) -> Any:
    if isinstance(v, str):
        return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in v)
    return v


def expected_ids(store: SessionStore, query: SessionQuery) -> list[int]:
    """The query's order computed in Python from every row the store has."""
    view = {"history": 0, "live": 1}.get(query.view)
    all_ids = [r[0] for r in store._conn().execute("SELECT id FROM sessions")]
    rows = [r for r in store.rows(all_ids) if view is None or r.is_live == view]
    col = column_by_id(query.sort.column)
    assert col is not None
    desc = query.sort.descending
    valued = [r for r in rows if col.value(r) is not None]
    empty = [r for r in rows if col.value(r) is None]
    valued.sort(key=lambda r: (_nocase(col.value(r)), r.id), reverse=desc)
    empty.sort(key=lambda r: r.id, reverse=desc)
    return [r.id for r in valued + empty]


def test_round_trip_equals_input(store: SessionStore, models: list[SessionModel]) -> None:
    for model in models:
        assert store.get_session(model.id) == model
    assert store.get_session(1) is None
    assert store.total() == len(models)


def test_reupsert_is_idempotent_and_updates_children(
    tmp_path: Any, models: list[SessionModel]
) -> None:
    s = SessionStore(tmp_path / "s.sqlite3")
    first = s.upsert_sessions(models[:50])
    assert (first.inserted, first.updated, first.unchanged) == (50, 0, 0)
    again = s.upsert_sessions(models[:60])
    assert (again.inserted, again.updated, again.unchanged) == (10, 0, 50)
    changed = models[0].model_copy(deep=True)
    changed.guest.call_params = {"name": "Renamed", "extra": "x"}
    changed.status = "CLOSED"
    res = s.upsert_sessions([changed])
    assert (res.inserted, res.updated, res.unchanged) == (0, 1, 0)
    row = s.rows([changed.id])[0]
    assert row.client_name == "Renamed"
    assert row.params == {"name": "Renamed", "extra": "x"}
    assert s.get_session(changed.id) == changed
    assert "extra" in s.param_names()
    # One copy of each fact: activities live in the kept JSON only.
    tables = {r[0] for r in s._conn().execute("SELECT name FROM sqlite_master")}
    assert "activities" not in tables
    s.close()


def test_bad_items_are_kept_or_skipped_never_raise(tmp_path: Any) -> None:
    s = SessionStore(tmp_path / "s.sqlite3")
    res = s.upsert_sessions(
        [
            {"id": 5, "created": "not a date", "channel": 42, "waited": "forever", "guest": 3},
            {"id": 6, "status": "SOMETHING_NEW", "activities": [{"type": "Brand", "text": 1}]},
            {"no": "id"},
            "junk",
        ]
    )
    assert (res.inserted, res.skipped) == (2, 2)
    rows = {r.id: r for r in s.window(SessionQuery(view="all"), 0, 10)}
    assert rows[5].channel == "42" and rows[5].created is None
    assert rows[6].status == "SOMETHING_NEW" and rows[6].is_live == 0
    s.close()


SORT_COLUMNS = [*COLUMNS, "param:name", "param:order", "param:missing"]


@pytest.mark.parametrize("column", SORT_COLUMNS)
def test_window_count_position_match_python_sort(store: SessionStore, column: str) -> None:
    for view in ("all", "history"):
        for desc in (True, False):
            q = SessionQuery(view=view, sort=SortKey(column, desc))
            want = expected_ids(store, q)
            assert store.count(q) == len(want)
            got: list[int] = []
            for offset in range(0, len(want) + 40, 37):  # both the forward and reverse paths
                window = store.window(q, offset, 37)
                assert [r.id for r in window] == want[offset : offset + 37], (view, desc, offset)
                got.extend(r.id for r in window)
            assert got == want
            assert store.window(q, len(want) - 3, 10) == store.rows(want[-3:])
            for pos in range(0, len(want), 17):
                assert store.position_of(q, want[pos]) == pos
            assert store.position_of(q, 999_999) is None


def test_nulls_last_both_directions(store: SessionStore) -> None:
    for desc in (True, False):
        q = SessionQuery(view="all", sort=SortKey("ended", desc))
        rows = store.window(q, 0, 10 * N)
        ends = [r.ended for r in rows]
        first_null = ends.index(None)
        assert all(e is None for e in ends[first_null:])
        assert all(e is not None for e in ends[:first_null])


def test_views_and_filters(store: SessionStore) -> None:
    all_n = store.count(SessionQuery(view="all"))
    live = store.count(SessionQuery(view="live"))
    assert live > 0 and store.count(SessionQuery()) == all_n - live
    chat = SessionQuery(view="all", filters=(Filter("channel", "in", ("Chat",)),))
    assert all(r.channel == "Chat" for r in store.window(chat, 0, 10 * N))
    assert store.count(chat) == len(store.window(chat, 0, 10 * N)) > 0
    live_q = SessionQuery(view="live", sort=SortKey("created", True))
    assert all(r.is_live == 1 for r in store.window(live_q, 0, 10 * N))
    quick = SessionQuery(view="all", quick="example.com", quick_columns=("client_email",))
    assert 0 < store.count(quick) < all_n
    with pytest.raises(QueryError):
        store.count(SessionQuery(filters=(Filter("nope", "in", ("x",)),)))
    with pytest.raises(QueryError):
        store.window(SessionQuery(sort=SortKey("nope")), 0, 5)


def test_search_finds_word_roots(store: SessionStore, models: list[SessionModel]) -> None:
    q = SessionQuery(view="all", search="objednávky")
    ids = {r.id for r in store.window(q, 0, 10 * N)}
    want = {
        m.id
        for m in models
        if any(
            "objednávka" in (a.text or "") and a.type in MESSAGE_ACTIVITY_TYPES
            for a in m.activities
        )
    }
    assert want <= ids and store.count(q) == len(ids)
    texts = {m.id: " ".join(a.text or "" for a in m.activities).lower() for m in models}
    assert all("objedn" in texts[i] for i in ids)


def test_count_cache_invalidated_by_write(tmp_path: Any, models: list[SessionModel]) -> None:
    s = SessionStore(tmp_path / "s.sqlite3")
    s.upsert_sessions(models[:10])
    q = SessionQuery(view="all")
    assert s.count(q) == 10
    s.upsert_sessions(models[10:20])
    assert s.count(q) == 20 and s.total() == 20
    s.close()


def test_reads_from_another_thread(store: SessionStore) -> None:
    out: list[int] = []
    t = threading.Thread(target=lambda: out.append(store.count(SessionQuery(view="all"))))
    t.start()
    t.join()
    assert out == [store.total()]


def test_memory_store(models: list[SessionModel]) -> None:
    with SessionStore(":memory:") as s:
        s.upsert_sessions(models[:5])
        assert s.total() == 5


def test_migration_from_empty_file_and_refusal_of_newer(tmp_path: Any) -> None:
    path = tmp_path / "empty.sqlite3"
    path.write_bytes(b"")
    s = SessionStore(path)
    s.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreVersionError) as exc:
        SessionStore(path)
    msg = str(exc.value)
    assert "delete" in msg and "\n" not in msg


def test_store_directory_is_private(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    from mluvii_tui.config import paths as config

    path = config.store_path("demo/../x")
    assert path.parent.is_relative_to(tmp_path / "xdg")
    assert ".." not in path.name and "/" not in path.name
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    SessionStore(path).close()


def test_notes_queue(tmp_path: Any) -> None:
    s = SessionStore(tmp_path / "s.sqlite3")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    key = s.add_pending_note(7, "call back", author="me", now=t0)  # as older versions did
    assert [n.idempotency_key for n in s.pending_notes()] == [key]
    s.cache_notes(7, [SessionNote(id=1, note="old", author="Jana", created=datetime(2025, 1, 1))])
    notes = s.notes_for(7)
    assert [(n.note, n.state) for n in notes] == [("old", "sent"), ("call back", "pending")]
    s.forget_pending_notes([key])  # the outbox file adopted it
    s.cache_sent_note(7, key, SessionNote(id=2, note="call back", author="me", created=t0))
    assert s.pending_notes(7) == []
    assert {n.id for n in s.notes_for(7)} == {"1", "2"}
    s.cache_notes(7, [SessionNote(id=1, note="old"), SessionNote(id=2, note="call back")])
    assert len(s.notes_for(7)) == 2
    s.set_meta("k", "v")
    assert s.get_meta("k") == "v" and s.get_meta("missing") is None
    s.close()


def test_columns_registry_and_formats(store: SessionStore) -> None:
    assert set(BASIC_COLUMNS) <= set(COLUMNS)
    assert all(COLUMNS[c].basic for c in BASIC_COLUMNS)
    col = column_by_id("param:email")
    assert col is not None and col.param == "email" and col.id == "param:email"
    assert column_by_id("nope") is None
    assert COLUMNS["channel"].enum_values[:3] == ("Chat", "AV", "Phone")
    assert format_duration(65) == "1:05" and format_duration(3725) == "1:02:05"
    q = SessionQuery(view="all", sort=SortKey("created", True))
    row = store.window(q, 0, 1)[0]
    created = COLUMNS["created"]
    assert len(created.text(row)) == 16 and created.text(row)[4] == "-"
    assert datetime.fromisoformat(created.export(row)).timestamp() == int(row.created)
    for c in COLUMNS.values():
        for r in store.window(q, 0, 50):
            assert "\n" not in c.text(r)
            c.export(r)
    r = next(r for r in store.window(q, 0, 10 * N) if r.waited_s is not None)
    assert COLUMNS["waited"].export(r) == str(round(r.waited_s))


def test_sample_dicts_upsert_as_json(tmp_path: Any) -> None:
    s = SessionStore(tmp_path / "s.sqlite3")
    res = s.upsert_sessions(sample_dicts(20))
    assert res.inserted == 20
    s.close()


@pytest.mark.parametrize("column", ["created", "ended", "operators", "param:name", "id"])
def test_random_jumps_use_remembered_rows_correctly(store: SessionStore, column: str) -> None:
    import random

    rng = random.Random(4)
    for desc in (True, False):
        q = SessionQuery(view="history", sort=SortKey(column, desc))
        want = expected_ids(store, q)
        for _ in range(60):
            offset = rng.randrange(0, len(want))
            size = rng.randint(1, 50)
            assert [r.id for r in store.window(q, offset, size)] == want[offset : offset + size]


def test_a_bulk_load_builds_its_indexes_in_threads_and_the_connection_goes_back(
    tmp_path: Any,
) -> None:
    """A first sync drops the indexes and builds them at the end: sorted in runs by helper
    threads, after which the connection's page cache, temporary store and threads are what
    they were (the sync goes on reading with them)."""
    from mluvii_tui.store.bulk import SORT_THREADS
    from mluvii_tui.store.schema import SESSION_INDEXES
    from store_samples import sample_dicts

    store = SessionStore(tmp_path / "bulk.sqlite3", cache_kib=8192)
    assert store.drop_indexes_if_empty()
    store.upsert_sessions(sample_dicts(50))
    with store.reading() as conn:
        before = [conn.execute(f"PRAGMA {p}").fetchone()[0] for p in _PRAGMAS]
        assert not {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} & set(
            SESSION_INDEXES
        )
    store.ensure_indexes()
    with store.reading() as conn:
        assert [conn.execute(f"PRAGMA {p}").fetchone()[0] for p in _PRAGMAS] == before
        assert before[1] == -8192 and before[2] != SORT_THREADS
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert set(SESSION_INDEXES) <= names
    store.close()


_PRAGMAS = ("temp_store", "cache_size", "threads")
