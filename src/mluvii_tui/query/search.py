"""Search in message content: SQLite FTS5 over surface words, lemmas and stems.

Index: one FTS5 row per session (``rowid`` = session id) in table ``fts`` with three columns:
``surface`` (the session's message texts; the unicode61 tokenizer folds case and diacritics),
``lemmas`` (the distinct folded lemmas of its words that differ from the word itself) and
``stems`` (the distinct stems of its words). query/analysis.py says where lemmas and stems come
from; every session is analysed in the configured languages, whatever its own language, so that
the index and the query always agree. The table is contentless (``content=''``): the texts are
kept once, in the sessions' kept JSON; replacing a session's row takes the texts it was indexed
with (``delete_session_texts``), read back from that JSON.

Query: ``compile_search`` parses the user's text into terms (word, ``prefix*``, ``"phrase"``)
joined by AND (default), OR, NOT and parentheses, and builds the MATCH string itself from quoted,
validated word tokens; raw user text never reaches MATCH. A word matches its fold or lemmas in
``surface``/``lemmas``, or its stems in ``stems``; prefixes and phrases match ``surface`` only.

``ensure_index`` rebuilds the index once when it was built by another analysis (an older
mluvii-tui, other languages) or keeps its own copy of the texts (before schema v5), reporting
progress; otherwise it does nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from mluvii_tui.query.analysis import WORD_RE, index_id, tokens_terms
from mluvii_tui.query.searchquery import (
    CompiledSearch,
    SearchSyntaxError,
    Term,
    check_syntax,
    compile_search,
    highlight_terms,
)

FTS_TABLE = "fts"
FTS_COLUMNS = ("surface", "lemmas", "stems")
#: The ``meta`` key holding the ``analysis.index_id()`` that built the index.
INDEX_META_KEY = "search_index"

CONTENTLESS = "content=''"
#: DDL the store's schema executes (idempotent).
FTS_SCHEMA: list[str] = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({', '.join(FTS_COLUMNS)},"
    f" {CONTENTLESS}, tokenize='unicode61 remove_diacritics 2', columnsize=0)",
]

#: ``progress(done, total)``: sessions indexed so far, and about how many there are.
Progress = Callable[[int, int], None]

# -- indexing ---------------------------------------------------------------------------------


def index_terms(texts: Sequence[str]) -> tuple[str, str]:
    """The session's lemma column and stem column: distinct terms, space-separated (the sync's
    parsing process may give them to ``index_sessions`` analysed already)."""
    lemmas, stems = tokens_terms(set("\n".join(texts).lower().split()))
    return " ".join(sorted(lemmas)), " ".join(sorted(stems))


def _row(session_id: int, texts: Sequence[str]) -> tuple[int, str, str, str]:
    """The index row of a session's message texts (what inserting and deleting it both take)."""
    return (session_id, "\n".join(texts), *index_terms(texts))


def _grouped(rows: Iterable[tuple[int, int, str | None, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for session_id, _rowid, _language, text in rows:
        if text:
            grouped.setdefault(int(session_id), []).append(str(text))
    return grouped


def index_texts(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, str | None, str]]) -> int:
    """Index message texts: rows are ``(session_id, activity_rowid, language, text)``, all the
    texts of each session in one call, in order. A session that is in the index already must be
    taken out first (``delete_session_texts``). Returns the number of sessions written."""
    return _index_new(conn, _grouped(rows))


def index_sessions(
    conn: sqlite3.Connection, sessions: Iterable[tuple[int, Sequence[str], tuple[str, str] | None]]
) -> int:
    """Index sessions that are absent from the index: ``(id, message texts, their index_terms
    or None to analyse them here)``; sessions without texts have no row. Returns how many rows
    were written."""
    rows = [
        (sid, "\n".join(texts), *(terms or index_terms(texts)))
        for sid, texts, terms in sessions
        if texts
    ]
    _insert(conn, rows)
    return len(rows)


def delete_session_texts(conn: sqlite3.Connection, indexed: Mapping[int, Sequence[str]]) -> None:
    """Take sessions out of the index (before re-indexing them): ``indexed`` maps each session
    to the message texts it was indexed with (a contentless index forgets a row only by its
    exact terms); sessions without texts have no row."""
    rows = [(sid, [str(t) for t in texts if t]) for sid, texts in indexed.items()]
    conn.executemany(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {', '.join(FTS_COLUMNS)})"
        " VALUES ('delete', ?, ?, ?, ?)",
        [_row(sid, texts) for sid, texts in rows if texts],
    )


def _insert(conn: sqlite3.Connection, rows: list[tuple[int, str, str, str]]) -> None:
    conn.executemany(
        f"INSERT INTO {FTS_TABLE}(rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?)", rows
    )


def in_schema(conn: sqlite3.Connection, name: str) -> bool:
    """A table or index of that name exists."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return row is not None


def build_search_index(
    conn: sqlite3.Connection, batch: int = 2000, progress: Progress | None = None
) -> int:
    """(Re)build the index from ``activities`` (message types only); returns sessions indexed.

    Does nothing (returns 0) when there is no ``activities`` table. Runs in the caller's
    transaction state; wrap it in BEGIN/COMMIT for speed. ``progress(done, total)`` is called
    after every batch (``total``: the sessions in the store, an upper bound) and once at the
    end with ``done == total``.
    """
    from mluvii_tui.api.enums import MESSAGE_ACTIVITY_TYPES

    if not in_schema(conn, "activities"):
        return 0
    for ddl in FTS_SCHEMA:
        conn.execute(ddl)
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    total = 0
    if progress is not None and in_schema(conn, "sessions"):
        total = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    types = sorted(MESSAGE_ACTIVITY_TYPES)
    marks = ",".join("?" for _ in types)
    cursor = conn.execute(
        f"SELECT a.session_id, a.text FROM activities a"
        f" WHERE a.type IN ({marks}) AND a.text IS NOT NULL AND a.text <> ''"
        " ORDER BY a.session_id, a.seq",
        types,
    )
    done = 0
    grouped: dict[int, list[str]] = {}
    for session_id, text in cursor:
        texts = grouped.get(session_id)
        if texts is None:
            if len(grouped) >= batch:
                done += _index_new(conn, grouped)
                grouped = {}
                if progress is not None:
                    progress(done, max(total, done))
            texts = grouped[session_id] = []
        texts.append(text)
    done += _index_new(conn, grouped)
    if progress is not None:
        progress(done, done)  # the end: every session with messages is in
    return done


def _index_new(conn: sqlite3.Connection, grouped: dict[int, list[str]]) -> int:
    """Index sessions that are absent from the index: {session id: its message texts}."""
    return index_sessions(conn, ((sid, texts, None) for sid, texts in grouped.items()))


def _columns(conn: sqlite3.Connection) -> tuple[str, ...]:
    return tuple(r[1] for r in conn.execute(f"PRAGMA table_info({FTS_TABLE})"))


def _contentless(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone()
    return row is not None and CONTENTLESS in (row[0] or "")


def _index_all(
    conn: sqlite3.Connection, texts: Iterable[tuple[int, list[str]]], progress: Progress | None
) -> int:
    """Index ``(session id, message texts)`` pairs, each session once, in batches."""
    total = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    done = 0
    grouped: dict[int, list[str]] = {}
    for session_id, found in texts:
        if found:
            grouped[session_id] = found
        if len(grouped) >= 2000:
            done += _index_new(conn, grouped)
            grouped = {}
            if progress is not None:
                progress(done, max(total, done))
    done += _index_new(conn, grouped)
    if progress is not None:
        progress(done, done)
    return done


def index_is_current(conn: sqlite3.Connection) -> bool:
    """Whether the index exists with today's columns, contentless, built by today's analysis."""
    if not in_schema(conn, "meta") or not in_schema(conn, FTS_TABLE):
        return False
    columns = _columns(conn)
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (INDEX_META_KEY,)).fetchone()
    current = columns == FTS_COLUMNS and row is not None and row[0] == index_id()
    return current and _contentless(conn)


def ensure_index(
    conn: sqlite3.Connection,
    progress: Progress | None = None,
    texts: Callable[[], Iterable[tuple[int, list[str]]]] | None = None,
) -> int | None:
    """Make the index current: rebuild it (once, in one transaction) when it was built by
    another analysis or has other columns. Returns the sessions re-indexed, None when it was
    current. ``texts()``: every session's message texts, for stores without ``activities``.
    ``conn`` is in autocommit mode; the store's schema (``meta``) exists."""
    if index_is_current(conn):
        return None
    conn.execute("BEGIN IMMEDIATE")
    try:
        if index_is_current(conn):  # another process rebuilt it meanwhile
            conn.execute("ROLLBACK")
            return None
        if conn.execute("SELECT 1 FROM sessions LIMIT 1").fetchone() is None:
            progress = None  # a new store: nothing to re-index, nothing to tell the user
        conn.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        for ddl in FTS_SCHEMA:
            conn.execute(ddl)
        if texts is not None and not in_schema(conn, "activities"):
            done = _index_all(conn, texts(), progress)  # from the sessions' kept JSON
        else:
            done = build_search_index(conn, progress=progress)
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (INDEX_META_KEY, index_id())
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return done


# -- query ------------------------------------------------------------------------------------


__all__ = [
    "FTS_SCHEMA",
    "CompiledSearch",
    "SearchSyntaxError",
    "Term",
    "build_search_index",
    "check_syntax",
    "compile_search",
    "count_matches",
    "delete_session_texts",
    "ensure_index",
    "highlight_terms",
    "index_sessions",
    "index_terms",
    "index_texts",
    "search_sql",
]


#: The condition ``search_sql`` writes, and its per-row form: probing the index for one session
#: (~0.3 ms at 1M) beats listing every match first (800k matches: ~0.4 s) when most rows match
#: and only a page of them is read (query/runner.py ``FTS_PROBE_SHARE``).
def sampled(id_sql: str, k: int) -> str:
    """True for about one id in ``k``, spread evenly whatever pattern the ids follow (Fibonacci
    hashing: ``id`` times 2^32/phi, modulo 2^32, falls in the first 1/k of the range). Ids in
    steps (every 7th session rated, say) would defeat a plain ``id % k``."""
    return f"({id_sql} * 2654435769) % 4294967296 < {(1 << 32) // int(k)}"


SEARCH_LISTED = f"s.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
SEARCH_PROBED = f"EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND rowid = s.id)"
#: The probe when the matches from the highest id down to some id (the "head", listed while
#: learning that a search is broad) are known: ids from that one up are looked up in the list
#: (one lookup instead of a probe of ~0.25 ms: the newest sessions come first in the default
#: order), lower ids probe the index. Parameters: the lowest listed id, the ids (JSON), the
#: MATCH string.
SEARCH_HEAD = (
    f"(CASE WHEN s.id >= ? THEN s.id IN (SELECT value FROM json_each(?)) ELSE {SEARCH_PROBED} END)"
)


def search_sql(compiled: CompiledSearch, sample: int = 1) -> tuple[str, list[str]]:
    """``s.id IN (...)`` over the FTS index for a compiled search, and its one parameter;
    ``sample`` k > 1: about one match in k (``sampled``), the stats view's sample."""
    if sample > 1:
        return SEARCH_LISTED[:-1] + f" AND {sampled('rowid', sample)})", [compiled.match]
    return SEARCH_LISTED, [compiled.match]


def count_matches(conn: sqlite3.Connection, compiled: CompiledSearch, view: str) -> int:
    """Sessions of a view (``history``/``live``/anything else: all) that a search alone
    matches, counted in the index without joining ``sessions``: a word in 80% of 1M sessions
    costs a doclist walk instead of a million-row join. Every index row is a stored session
    (rows are written with their session and sessions are never deleted)."""
    match = [compiled.match]
    live_sql = (
        f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
        " AND rowid IN (SELECT id FROM sessions WHERE is_live = 1)"
    )
    if view == "live":
        return int(conn.execute(live_sql, match).fetchone()[0])
    total = int(
        conn.execute(
            f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", match
        ).fetchone()[0]
    )
    if view == "history":
        total -= int(conn.execute(live_sql, match).fetchone()[0])
    return total


def iter_words(text: str) -> Iterator[re.Match[str]]:
    return WORD_RE.finditer(text)
