"""The quick-filter index: an FTS5 trigram index over the folded quick columns.

``quick_fts`` indexes, per session, the folded text (lower case, no diacritics: ``fold_value``)
of the columns a quick filter usually looks at, with the trigram tokenizer (case-sensitive: the
text is folded already), so that "contains <needle>" for a needle of three or more characters
is an index lookup instead of a ``fold()`` per row. The table is contentless and keeps no
positions (schema v6, ``detail=column``): the text is a fold of the session's own columns, so it
is not kept twice, and a needle longer than three characters is confirmed on those columns
for the sessions holding all its trigrams (``fts_condition``); shorter needles (and the
first rows of a broad filter, ``scan``) test the session columns (``filters.contains_sql``:
SQLite's LIKE for ASCII text, Python's fold only for the rest). Triggers on ``sessions`` keep
the index in step with every writer (store/quickindex.py creates them).
"""

from __future__ import annotations

import sqlite3

#: Session fields copied (folded) into the quick index, by column id -> index column.
QUICK_FIELDS: dict[str, str] = {
    "id": "sid",
    "operators": "operators",
    "client_name": "client_name",
    "client_email": "client_email",
    "client_phone": "client_phone",
    "url": "url",
}

#: Shortest needle the trigram index answers.
TRIGRAM = 3

#: The triggers that keep the index in step with ``sessions`` (store/quickindex.py).
TRIGGER_NAMES = ("quick_bi", "quick_ai", "quick_au", "quick_ad")

#: The session column each index column is the fold of.
_SOURCES: dict[str, str] = {
    col: ("CAST(s.id AS TEXT)" if field == "id" else f"s.{field}")
    for field, col in QUICK_FIELDS.items()
}


def follows(conn: sqlite3.Connection) -> bool:
    """The index describes every stored session: False while a first sync loads the store
    without the triggers (or after one was killed), until it is built in one pass. Queries then
    fold the session columns themselves (``quicksql``, ``filters``: ``indexed=False``)."""
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
        f" AND name IN ({', '.join('?' for _ in TRIGGER_NAMES)})",
        TRIGGER_NAMES,
    ).fetchone()
    return bool(found[0] == len(TRIGGER_NAMES))


def match_phrase(needle: str) -> str:
    """An FTS5 string literal for ``needle`` (any text: quotes doubled)."""
    return '"' + needle.replace('"', '""') + '"'


def trigrams(needle: str) -> list[str]:
    """The needle's distinct trigrams, in order (what the index holds of text containing it)."""
    return list(dict.fromkeys(needle[i : i + TRIGRAM] for i in range(len(needle) - TRIGRAM + 1)))


def match_expr(columns: list[str], needles: list[str]) -> str:
    """FTS5 query: every trigram of every needle is in one of ``columns`` (index columns). The
    index keeps no positions (``detail=column``: 106 B per session less), so a needle longer
    than a trigram is a candidate test, made exact by ``fts_condition``."""
    scope = "{" + " ".join(columns) + "}"
    parts = []
    for needle in needles:
        grams = " AND ".join(match_phrase(t) for t in trigrams(needle))
        parts.append(f"{scope} : ({grams})")
    return " AND ".join(parts)


def fts_condition(columns: list[str], needles: list[str], params: list[object]) -> str:
    """SQL over ``sessions s``: every needle (folded, >= TRIGRAM characters) is contained in one
    of the index ``columns``: the index lists the sessions holding its trigrams (exact for a
    needle of one trigram), the session's own columns confirm longer needles."""
    params.append(match_expr(columns, needles))
    listed = "s.id IN (SELECT rowid FROM quick_fts WHERE quick_fts MATCH ?)"
    confirm = [short_condition(columns, n, params) for n in needles if len(n) > TRIGRAM]
    return " AND ".join([listed, *confirm]) if confirm else listed


def short_condition(columns: list[str], needle: str, params: list[object]) -> str:
    """SQL over ``sessions s``: the folded needle is contained in the fold of one of the
    session columns behind the index ``columns``, tested on that session's row only."""
    from mluvii_tui.query.filters import contains_sql  # filters builds on this module

    tests = [contains_sql(_SOURCES[col], needle, params) for col in columns]
    return tests[0] if len(tests) == 1 else "(" + " OR ".join(tests) + ")"


def contains_condition(
    columns: list[str], needles: list[str], params: list[object], *, scan: bool = False
) -> str:
    """Any of ``needles`` (folded) is contained in one of the index ``columns``; ``scan``: tested
    on the session's own columns, never the trigram index (the same matches)."""
    parts = []
    long = [n for n in needles if len(n) >= TRIGRAM and not scan]
    for needle in long:
        parts.append(fts_condition(columns, [needle], params))
    for needle in needles:
        if needle not in long:
            parts.append(short_condition(columns, needle, params))
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
