"""Search in message content: SQLite FTS5 + simplemma lemmas, diacritics- and case-insensitive.

Index: one FTS5 row per session (``rowid`` = session id) in table ``fts`` with two columns:
``surface`` (the session's message texts; the unicode61 tokenizer folds case and diacritics) and
``lemmas`` (the distinct folded lemmas of its words that differ from the word itself). A word's
lemmas are taken for the session's language and English, from the word as written and from its
folded form (customers often type without diacritics), so "objednavka", "objednávky" and
"objednávku" all meet at the root.

Query: ``compile_search`` parses the user's text into terms (word, ``prefix*``, ``"phrase"``)
joined by AND (default), OR, NOT and parentheses, and builds the MATCH string itself from quoted,
validated word tokens; raw user text never reaches MATCH.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from mluvii_tui.query.searchquery import (
    DEFAULT_LANGUAGES,
    WORD_RE,
    CompiledSearch,
    SearchSyntaxError,
    Term,
    compile_search,
    highlight_terms,
    session_languages,
    word_lemmas,
)

FTS_TABLE = "fts"

#: DDL the store's schema executes (idempotent).
FTS_SCHEMA: list[str] = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(surface, lemmas,"
    " tokenize='unicode61 remove_diacritics 2', columnsize=0)",
]

# -- indexing ---------------------------------------------------------------------------------


def _lemma_text(texts: Sequence[str], languages: tuple[str, ...]) -> str:
    lemmas: set[str] = set()
    for word in set(WORD_RE.findall("\n".join(texts).lower())):
        lemmas |= word_lemmas(word, languages)
    return " ".join(sorted(lemmas))


def _merge_lemmas(old: str, new: str) -> str:
    return " ".join(sorted(set(old.split()) | set(new.split())))


def index_texts(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, str | None, str]]) -> int:
    """Index message texts: rows are ``(session_id, activity_rowid, language, text)``.

    Texts of one session are added to that session's row (re-indexing a session: call
    ``delete_session_texts`` first). Returns the number of sessions written.
    """
    grouped: dict[int, tuple[str | None, list[str]]] = {}
    for session_id, _rowid, language, text in rows:
        if not text:
            continue
        entry = grouped.setdefault(int(session_id), (language, []))
        entry[1].append(str(text))
    if not grouped:
        return 0
    existing: dict[int, tuple[str, str]] = {}
    ids = list(grouped)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        for rowid, surface, lemmas in conn.execute(
            f"SELECT rowid, surface, lemmas FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk
        ):
            existing[rowid] = (surface or "", lemmas or "")
    if existing:
        delete_session_texts(conn, list(existing))
    out = []
    for session_id, (language, texts) in grouped.items():
        surface = "\n".join(texts)
        lemmas = _lemma_text(texts, session_languages(language))
        if session_id in existing:
            old_surface, old_lemmas = existing[session_id]
            surface = old_surface + "\n" + surface if old_surface else surface
            lemmas = _merge_lemmas(old_lemmas, lemmas)
        out.append((session_id, surface, lemmas))
    conn.executemany(f"INSERT INTO {FTS_TABLE}(rowid, surface, lemmas) VALUES (?, ?, ?)", out)
    return len(out)


def delete_session_texts(conn: sqlite3.Connection, session_ids: Iterable[int]) -> None:
    """Remove sessions from the index (before re-indexing them)."""
    ids = [int(i) for i in session_ids]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        conn.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return row is not None


def build_search_index(conn: sqlite3.Connection, batch: int = 2000) -> int:
    """(Re)build the index from ``activities`` (message types only); returns sessions indexed.

    Does nothing (returns 0) when there is no ``activities`` table. Runs in the caller's
    transaction state; wrap it in BEGIN/COMMIT for speed.
    """
    from mluvii_tui.api.enums import MESSAGE_ACTIVITY_TYPES

    if not _table_exists(conn, "activities"):
        return 0
    for ddl in FTS_SCHEMA:
        conn.execute(ddl)
    conn.execute(f"DELETE FROM {FTS_TABLE}")
    has_sessions = _table_exists(conn, "sessions")
    lang = "s.language" if has_sessions else "NULL"
    join = "LEFT JOIN sessions s ON s.id = a.session_id" if has_sessions else ""
    types = sorted(MESSAGE_ACTIVITY_TYPES)
    marks = ",".join("?" for _ in types)
    cursor = conn.execute(
        f"SELECT a.session_id, a.rowid, {lang}, a.text FROM activities a {join}"
        f" WHERE a.type IN ({marks}) AND a.text IS NOT NULL AND a.text <> ''"
        " ORDER BY a.session_id, a.seq",
        types,
    )
    total = 0
    pending: list[tuple[int, int, str | None, str]] = []
    last = None
    for row in cursor:
        if row[0] != last and len(pending) >= batch * 10:
            total += _index_new(conn, pending)
            pending = []
        last = row[0]
        pending.append(row)
    total += _index_new(conn, pending)
    return total


def _index_new(conn: sqlite3.Connection, rows: list[tuple[int, int, str | None, str]]) -> int:
    """``index_texts`` for sessions known to be absent from the index (no merge look-up)."""
    grouped: dict[int, tuple[str | None, list[str]]] = {}
    for session_id, _rowid, language, text in rows:
        grouped.setdefault(session_id, (language, []))[1].append(text)
    out = [
        (sid, "\n".join(texts), _lemma_text(texts, session_languages(language)))
        for sid, (language, texts) in grouped.items()
    ]
    conn.executemany(f"INSERT INTO {FTS_TABLE}(rowid, surface, lemmas) VALUES (?, ?, ?)", out)
    return len(out)


# -- query ------------------------------------------------------------------------------------


__all__ = [
    "DEFAULT_LANGUAGES",
    "FTS_SCHEMA",
    "CompiledSearch",
    "SearchSyntaxError",
    "Term",
    "build_search_index",
    "compile_search",
    "delete_session_texts",
    "highlight_terms",
    "index_texts",
    "search_sql",
]


def search_sql(compiled: CompiledSearch) -> tuple[str, list[str]]:
    """``s.id IN (...)`` over the FTS index for a compiled search, and its one parameter."""
    return f"s.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)", [compiled.match]


def iter_words(text: str) -> Iterator[re.Match[str]]:
    return WORD_RE.finditer(text)
