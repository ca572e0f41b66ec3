"""The quick-filter index: folded copies of the quick columns and an FTS5 trigram index over them.

``quick_text`` holds, per session, the folded text (lower case, no diacritics: ``fold_value``)
of the columns a quick filter usually looks at; ``quick_fts`` is an external-content FTS5 table
over it with the trigram tokenizer (case-sensitive: the text is folded already), so that
"contains <needle>" for a needle of three or more characters is an index lookup instead of a
Python ``fold()`` per row. Shorter needles test the stored folded text (no Python call either).
Triggers on ``sessions`` keep both in step with every writer (store/schema.py creates them).
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
TRIGGER_NAMES = ("quick_ai", "quick_au", "quick_ad")


def follows(conn: sqlite3.Connection) -> bool:
    """The index describes every stored session: False while a first sync loads the store
    without the triggers (or after one was killed), until it is built in one pass. Queries then
    fold the session columns themselves (``quicksql``, ``filters``: ``indexed=False``)."""
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)",
        TRIGGER_NAMES,
    ).fetchone()
    return bool(found[0] == len(TRIGGER_NAMES))


def match_phrase(needle: str) -> str:
    """An FTS5 string literal for ``needle`` (any text: quotes doubled)."""
    return '"' + needle.replace('"', '""') + '"'


def match_expr(columns: list[str], needles: list[str]) -> str:
    """FTS5 query: every needle is a substring of at least one of ``columns`` (index columns)."""
    scope = "{" + " ".join(columns) + "}"
    return " AND ".join(f"{scope} : {match_phrase(n)}" for n in needles)


def fts_condition(columns: list[str], needles: list[str], params: list[object]) -> str:
    """SQL over ``sessions s``: every needle (folded, >= TRIGRAM characters) is contained in one
    of the index ``columns``."""
    params.append(match_expr(columns, needles))
    return "s.id IN (SELECT rowid FROM quick_fts WHERE quick_fts MATCH ?)"


def short_condition(columns: list[str], needle: str, params: list[object]) -> str:
    """SQL over ``sessions s``: the (short) folded needle is contained in one of the index
    ``columns``, tested on the stored folded text of that session only."""
    tests = []
    for col in columns:
        tests.append(f"instr(q.{col}, ?) > 0")
        params.append(needle)
    return (
        "EXISTS (SELECT 1 FROM quick_text q WHERE q.session_id = s.id AND ("
        + " OR ".join(tests)
        + "))"
    )


def contains_condition(
    columns: list[str], needles: list[str], params: list[object], *, scan: bool = False
) -> str:
    """Any of ``needles`` (folded) is contained in one of the index ``columns``; ``scan``: tested
    on the session's stored folded text, never the trigram index (the same matches)."""
    parts = []
    long = [n for n in needles if len(n) >= TRIGRAM and not scan]
    for needle in long:
        parts.append(fts_condition(columns, [needle], params))
    for needle in needles:
        if needle not in long:
            parts.append(short_condition(columns, needle, params))
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
