"""SQLite schema of the session store: DDL, ``PRAGMA user_version`` and the migration steps.

The store is a cache of what the API returned: when a file was written by a newer mluvii-tui the
user is told that the cache file can simply be deleted (it is rebuilt by the next sync).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable

from mluvii_tui.query.layout import INDEXED_FIELDS
from mluvii_tui.text import fold_value

from .children import CHILD_INDEXES

#: The denormalised, sortable columns of ``sessions`` in table order (``raw``/``hash`` excluded).
#: Times are UTC epoch seconds, durations seconds, both whole (floor; schema v5, stored as 4-byte
#: integers, the kept JSON has the exact values; REAL affinity: older floats compare alike);
#: text NULL when empty.
#:
#: List columns (one value per member, NULL when there is none), the one format every writer
#: (rows.py, bench/gen_store.py) and reader (filters.py, columns.py, distinct_values) uses:
#: * names (``operators``, ``groups``, ``chatbot``, ``tags``): joined by ``LIST_SEP`` (", ");
#: * ids (``operator_ids``): decimal user ids joined by ``ID_SEP`` (",", no space), in the same
#:   order as the names. Membership tests wrap both sides in the separator:
#:   ``instr(',' || operator_ids || ',', ',117,')``.
#: The child table ``operators`` (session_id, seq, user_id, name) holds the same members one per
#: row, indexed by user id and by name, and is what operator filters actually search.
SESSION_FIELDS: tuple[str, ...] = (
    "id",
    "created",
    "guest_joined",
    "started",
    "ended",
    "waited_s",
    "length_s",
    "channel",
    "source",
    "status",
    "operators",
    "operator_ids",
    "groups",
    "chatbot",
    "client_name",
    "client_email",
    "client_phone",
    "client_id",
    "ip",
    "browser",
    "os",
    "language",
    "url",
    "widget",
    "tags",
    "rating",
    "feedback_text",
    "feedback_scale",
    "end_reason",
    "guest_left",
    "auto_accepted",
    "blacklisted",
    "recordings_count",
    "messages_count",
    "campaign_id",
    "is_live",
)

_REAL = {"created", "guest_joined", "started", "ended", "waited_s", "length_s"}
_INT = {
    "rating",
    "auto_accepted",
    "blacklisted",
    "recordings_count",
    "messages_count",
    "campaign_id",
}


def _column_ddl(name: str) -> str:
    if name == "id":
        return "id INTEGER PRIMARY KEY"
    if name == "is_live":
        return "is_live INTEGER NOT NULL DEFAULT 0"
    if name in _REAL:
        return f"{name} REAL"
    if name in _INT:
        return f"{name} INTEGER"
    return f"{name} TEXT COLLATE NOCASE"


SCHEMA_VERSION = 7

_V1: list[str] = [
    "CREATE TABLE sessions ("
    + ", ".join(_column_ddl(n) for n in SESSION_FIELDS)
    + ", raw BLOB, hash INTEGER)",
    *[f"CREATE INDEX ix_sessions_{f} ON sessions({f}, id, is_live)" for f in INDEXED_FIELDS],
    "CREATE INDEX ix_sessions_id ON sessions(id, is_live)",  # id order without table reads
    "CREATE INDEX ix_sessions_live ON sessions(is_live)",
    "CREATE TABLE activities (rowid INTEGER PRIMARY KEY, session_id INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, activity_id INTEGER, time REAL, type TEXT, client TEXT,"
    " user_id INTEGER, text TEXT)",
    "CREATE INDEX ix_activities_session ON activities(session_id, seq)",
    "CREATE TABLE params (session_id INTEGER NOT NULL, name TEXT NOT NULL,"
    " value TEXT COLLATE NOCASE,"
    " PRIMARY KEY (session_id, name)) WITHOUT ROWID",
    "CREATE INDEX ix_params_name_value ON params(name, value, session_id)",
    "CREATE TABLE param_names (name TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE operators (session_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " user_id INTEGER, name TEXT, joined REAL, left REAL, concluded REAL,"
    " PRIMARY KEY (session_id, seq)) WITHOUT ROWID",
    "CREATE INDEX ix_operators_user ON operators(user_id, session_id)",
    "CREATE TABLE tags (session_id INTEGER NOT NULL, name TEXT NOT NULL,"
    " PRIMARY KEY (session_id, name)) WITHOUT ROWID",
    "CREATE INDEX ix_tags_name ON tags(name, session_id)",
    "CREATE TABLE notes (local_id INTEGER PRIMARY KEY, id TEXT, session_id INTEGER NOT NULL,"
    " note TEXT NOT NULL, author TEXT, user_id INTEGER, created REAL,"
    " state TEXT NOT NULL DEFAULT 'sent', idempotency_key TEXT UNIQUE)",
    "CREATE INDEX ix_notes_session ON notes(session_id, created)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
]


def _v2(conn: sqlite3.Connection) -> None:
    """v1 -> v2: ``params.value_folded`` (+ index) so text filters on parameters compare folded
    values without calling Python per row; operators indexed by name."""
    conn.execute("ALTER TABLE params ADD COLUMN value_folded TEXT")
    conn.create_function("mluvii_fold_v2", 1, fold_value, deterministic=True)
    conn.execute("UPDATE params SET value_folded = mluvii_fold_v2(value) WHERE value IS NOT NULL")
    conn.execute("CREATE INDEX ix_params_name_folded ON params(name, value_folded, session_id)")
    conn.execute("CREATE INDEX ix_operators_name ON operators(name, session_id)")


#: The secondary indexes of ``sessions`` and its child tables by name: a first sync into an
#: empty store drops them and builds them once at the end, dense (``ensure_indexes`` also
#: rebuilds any a killed sync left missing).
SESSION_INDEXES: dict[str, str] = {
    **{f"ix_sessions_{f}": f"sessions({f}, id, is_live)" for f in INDEXED_FIELDS},
    "ix_sessions_id": "sessions(id, is_live)",
    # Live sessions only (a few hundred): the live view and its count; every other count scans
    # ix_sessions_id (schema v5; the full is_live index was 9 B per session).
    "ix_sessions_live": "sessions(is_live) WHERE is_live = 1",
    **CHILD_INDEXES,
}


def ensure_indexes(conn: sqlite3.Connection) -> None:
    for name, target in SESSION_INDEXES.items():
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_indexes(conn: sqlite3.Connection) -> None:
    for name in SESSION_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


#: FTS5 merge settings (``automerge``, ``crisismerge``) while a first sync loads an empty store
#: page by page: merge 32 segments of a level at a time and block only at 64, where SQLite's
#: defaults (4, 16) rewrite each page's entries at every level of a growing index. Measured on
#: a trigram table of 400,000 rows written 500 a transaction: 7.9-8.9 -> 4.3-5.2 us a row of
#: CPU (one transaction for all: ~4.9), queries as quick. The defaults come back at the end.
BULK_MERGE = (32, 64)
DEFAULT_MERGE = (4, 16)


def fts_merging(conn: sqlite3.Connection, settings: tuple[int, int]) -> None:
    """Set the merge settings of every FTS5 table of the store (search and quick index)."""
    automerge, crisis = settings
    tables = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        " AND sql LIKE '%USING fts5(%'"
    ).fetchall()
    for (table,) in tables:
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', ?)", (automerge,))
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('crisismerge', ?)", (crisis,))


def _v3(conn: sqlite3.Connection) -> None:
    """v2 -> v3: one copy of each fact. ``activities`` repeated the kept JSON (``raw``) and the
    search index's text: it goes, and so does the index, which the store rebuilds from the kept
    JSON when it opens (``search.ensure_index``): the texts a contentless index is later asked
    to forget are read from there too.
    ``sync_pages``: a fingerprint of each page received, so that an unchanged page is not parsed.
    ``zstd_dicts``: the dictionaries the kept JSON is compressed with.
    """
    from mluvii_tui.query import search

    conn.execute(f"DROP TABLE IF EXISTS {search.FTS_TABLE}")
    conn.execute("DELETE FROM meta WHERE key = ?", (search.INDEX_META_KEY,))
    conn.execute("DROP TABLE activities")
    conn.execute(
        "CREATE TABLE sync_pages (key TEXT PRIMARY KEY, hash INTEGER NOT NULL,"
        " sessions INTEGER NOT NULL, reached REAL) WITHOUT ROWID"
    )
    conn.execute("CREATE TABLE zstd_dicts (data BLOB NOT NULL)")  # store/packing.py


def _v4(conn: sqlite3.Connection) -> None:
    """v3 -> v4: the quick-filter index (folded quick columns + FTS5 trigram, store/quickindex),
    built once over the stored sessions with progress on stderr for big stores."""
    from .quickindex import build

    build(conn)


def _v5(conn: sqlite3.Connection) -> None:
    """v4 -> v5: the store narrower (store/compact.py): parameter and operator names as small
    ints (store/children.py), operators without the times the kept JSON holds, times and
    durations in whole seconds. Done once, with progress on stderr for big stores."""
    from .compact import migrate as compact

    compact(conn, SESSION_INDEXES, None)


def _v6(conn: sqlite3.Connection) -> None:
    """v5 -> v6: the quick-filter index without its content table ``quick_text`` (79 B per
    session: a fold of the session's own columns), one contentless table per column instead
    of ``quick_fts`` (store/quickindex.py), rebuilt once with progress on stderr for big
    stores."""
    from .quickindex import build, drop, has_old_layout

    if has_old_layout(conn):
        drop(conn)
        build(conn)


def _v7(conn: sqlite3.Connection) -> None:
    """v6 -> v7: content hashes by XXH3 instead of blake2b (store/rehash.py), taken again from
    the kept JSON once; the quick-filter index with the operators by value (``BY_VALUE`` of
    query/quickindex.py), rebuilt once. Progress on stderr for big stores."""
    from .quickindex import build, drop, lacks_value_tables
    from .rehash import migrate as rehash

    rehash(conn)
    if lacks_value_tables(conn):
        drop(conn)
        build(conn)


#: MIGRATIONS[i] takes a store from version i to i + 1.
MIGRATIONS: list[list[str] | Callable[[sqlite3.Connection], None]] = [
    _V1,
    _v2,
    _v3,
    _v4,
    _v5,
    _v6,
    _v7,
]


class StoreVersionError(RuntimeError):
    """The store file was written by a newer mluvii-tui (one-line message for the user)."""


#: Bytes per database page of a new store. Sessions rows are ~700 B (most of it the kept JSON):
#: a 4 KB page holds five and wastes ~60 B per row at its end, a 16 KB page ~15 B (measured at
#: 100k synced sessions: 2,051 -> 2,001 B per session). Existing stores keep theirs.
PAGE_SIZE = 16384
#: How long a write waits for another connection's (process's) write to end before it fails
#: (``store.StoreBusy``: the console's live updates then wait and are applied later).
BUSY_TIMEOUT_MS = 10_000
#: SQLite's page cache per connection (KiB) unless its opener says otherwise.
CACHE_KIB = 4096


def configure(conn: sqlite3.Connection) -> None:
    """Per-connection settings: WAL, synchronous=NORMAL, foreign keys, a busy timeout (and the
    page size, which only a new, empty file takes)."""
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # Another connection may hold a lock; WAL is persistent once set.
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    # 4 MiB page cache per connection: each thread of the console has one (at 64 MiB an export
    # walking 25k filtered rows of 1M left the process +60 MB; issue 14: PSS <= 150 MB with a
    # sync running). Reads that miss it come from the OS's file cache.
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def migrate(conn: sqlite3.Connection, path: str = "", upto: int = SCHEMA_VERSION) -> int:
    """Bring the schema to SCHEMA_VERSION (tests: to ``upto``, an older one); returns the version
    found before migrating.

    ``conn`` must be in autocommit mode (``isolation_level=None``): each step is one transaction.
    """
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        where = f" ({path})" if path else ""
        raise StoreVersionError(
            f"the session cache{where} has schema version {found}, newer than this mluvii-tui "
            f"understands ({SCHEMA_VERSION}); it is only a cache: delete the file and sync again"
        )
    for version in range(found, upto):
        step = MIGRATIONS[version]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if callable(step):
                step(conn)
            else:
                for ddl in step:
                    conn.execute(ddl)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return found
