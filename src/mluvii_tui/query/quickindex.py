"""The quick-filter index: FTS5 trigram tables over the folded quick columns.

``quick_<column>`` (one table per column in ``QUICK_FIELDS``, rowid = session id; for the
fields of ``BY_VALUE``, the id of each distinct value in its values table) indexes the folded
text (lower case, no diacritics: ``fold_value``) of a column a quick filter usually looks at,
with the trigram tokenizer (case-sensitive: the text is folded already), so that "contains
<needle>" for a needle of three or more characters is an index lookup (a phrase of its
trigrams: exact) instead of a ``fold()`` per row. The tables are contentless (schema v6): the
text is a fold of the session's own columns, so it is not kept twice. Shorter needles (and the
first rows of a broad filter, ``scan``) test the session columns with a GLOB of the needle's
character classes (query/foldglob.py: SQLite's C code, no Python per row), and the folded
values of the rare sessions the classes cannot decide (``quick_rare``: a character outside
Latin, "ß"...). Triggers on ``sessions`` keep the tables in step with every writer
(store/quickindex.py creates them).
"""

from __future__ import annotations

import sqlite3

from mluvii_tui.query.foldglob import contains_glob_sql

#: Session fields copied (folded) into the quick index, by column id -> index column.
QUICK_FIELDS: dict[str, str] = {
    "id": "sid",
    "operators": "operators",
    "client_name": "client_name",
    "client_email": "client_email",
    "client_phone": "client_phone",
    "url": "url",
}

#: The index's table of each quick field: one single-column FTS5 table per field.
QUICK_TABLES: dict[str, str] = {field: f"quick_{col}" for field, col in QUICK_FIELDS.items()}
_TABLE_OF: dict[str, str] = {col: f"quick_{col}" for col in QUICK_FIELDS.values()}

#: Quick fields indexed by distinct value, not by session: field -> its table of values
#: (``id``, ``v``: each value once; the FTS5 table's rowid is the value's id). A tenant's
#: operators are a few dozen people, so their lists repeat from session to session: one index
#: row per session held each list ~100k times at 100k sessions (39 B per session, 20% of the
#: index build).
BY_VALUE: dict[str, str] = {"operators": "quick_operators_values"}
_VALUES_OF: dict[str, tuple[str, str]] = {  # index column -> (session field, values table)
    QUICK_FIELDS[field]: (field, table) for field, table in BY_VALUE.items()
}

#: The quick fields whose values may be irregular text (the session id is digits), and the
#: table listing their fold for the sessions where one is (store/quickindex.py).
RARE_FIELDS: list[str] = [f for f in QUICK_FIELDS if f != "id"]
RARE_TABLE = "quick_rare"
_RARE_COLUMNS = frozenset(QUICK_FIELDS[f] for f in RARE_FIELDS)

#: Shortest needle the trigram index answers.
TRIGRAM = 3

#: The triggers that keep the index in step with ``sessions`` and each values table
#: (store/quickindex.py).
TRIGGER_NAMES = (
    "quick_bi",
    "quick_ai",
    "quick_au",
    "quick_ad",
    *(f"{table}_{when}" for table in BY_VALUE.values() for when in ("ai", "ad")),
)

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


def fts_condition(columns: list[str], needles: list[str], params: list[object]) -> str:
    """SQL over ``sessions s``: every needle (folded, >= TRIGRAM characters) is contained in one
    of the index ``columns``: per needle, the sessions listed by the tables of those columns."""
    parts = []
    for needle in needles:
        lists = []
        for col in columns:
            table = _TABLE_OF[col]
            matched = f"SELECT rowid FROM {table} WHERE {table} MATCH ?"
            if col in _VALUES_OF:  # the sessions with one of the matching values
                field, values = _VALUES_OF[col]
                matched = (
                    f"SELECT id FROM sessions WHERE {field} IN"
                    f" (SELECT v FROM {values} WHERE id IN ({matched}))"
                )
            lists.append(matched)
            params.append(match_phrase(needle))
        parts.append(f"s.id IN ({' UNION ALL '.join(lists)})")
    return " AND ".join(parts)


def short_condition(columns: list[str], needle: str, params: list[object]) -> str:
    """SQL over ``sessions s``: the folded needle is contained in the fold of one of the
    session columns behind the index ``columns``: a GLOB on that session's row, or its folded
    values when the GLOB cannot decide them (``quick_rare``). No Python function per row."""
    tests = [
        contains_glob_sql(_SOURCES[col], needle, params, ascii_text=col == "sid") for col in columns
    ]
    tests = [t for t in tests if t != "0"]
    rare = [col for col in columns if col in _RARE_COLUMNS]
    if rare:
        tests.append(
            f"s.id IN (SELECT session_id FROM {RARE_TABLE} WHERE "
            + " OR ".join(f"instr({col}, ?) > 0" for col in rare)
            + ")"
        )
        params.extend(needle for _ in rare)
    if not tests:
        return "0"
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
