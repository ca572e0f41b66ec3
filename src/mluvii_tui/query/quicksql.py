"""The quick filter (``/``) as SQL: every typed word is contained (folded: case and diacritics
ignored) in at least one of the visible columns.

Text columns in the quick index (client name, e-mail, phone, operators, URL, session id) are
answered by its FTS5 trigram tables for words of three or more characters and by a GLOB of
their character classes for shorter ones (query/foldglob.py); enum columns by the enum values
that contain the word (an ``IN`` over their index); call parameters by their stored folded
value; other text columns by a scan (``contains_sql``). Times, durations, numbers and yes/no
columns are not matched: their stored form is not what the table shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mluvii_tui.query.filters import contains_sql, fold_sql
from mluvii_tui.query.quickindex import (
    QUICK_FIELDS,
    TRIGRAM,
    fts_condition,
    short_condition,
)
from mluvii_tui.text import fold_value

PARAM_PREFIX = "param:"
_SKIPPED_KINDS = frozenset({"time", "duration", "number", "bool"})


def _plan(
    columns: Iterable[Any], index_current: bool = True
) -> tuple[list[str], list[Any], list[str], list[str]]:
    """(index columns, enum columns, other text expressions, parameter names);
    ``index_current`` False: the quick fields are scanned like other text columns."""
    indexed: list[str] = []
    enums: list[Any] = []
    scans: list[str] = []
    names: list[str] = []
    for col in columns:
        col_id = col if isinstance(col, str) else col.id
        if col_id.startswith(PARAM_PREFIX):
            names.append(col_id[len(PARAM_PREFIX) :])
            continue
        if isinstance(col, str):
            continue
        field = col.field or col_id
        if field in QUICK_FIELDS and col.sql == f"s.{field}":
            if not index_current:
                scans.append("CAST(s.id AS TEXT)" if field == "id" else col.sql)
            elif QUICK_FIELDS[field] not in indexed:
                indexed.append(QUICK_FIELDS[field])
        elif col.kind == "enum":
            enums.append(col)
        elif col.kind not in _SKIPPED_KINDS:
            scans.append(col.sql)
    return indexed, enums, scans, names


def quick_sql(
    text: str, columns: Iterable[Any], *, scan: bool = False, indexed: bool = True
) -> tuple[str, list[Any]]:
    """``(sql, params)`` over ``sessions s``; ``"1"`` when there is nothing to match.

    ``columns`` are Column objects (or ``"param:<name>"`` ids for parameters). ``scan``: test
    each row (a GLOB, ``quickindex.short_condition``), never the trigram index (same matches).
    ``indexed`` False: the quick index lags behind the sessions (a first sync is loading them, see
    ``quickindex.follows``): the quick fields are folded from the session columns instead."""
    words = [w for w in (fold_sql(w) for w in str(text).split()) if w]
    if not words:
        return "1", []
    index_cols, enums, scans, names = _plan(columns, indexed)
    if not (index_cols or enums or scans or names):
        return "1", []
    parts: list[str] = []
    params: list[Any] = []
    merged: list[str] = []  # long words only the index can match: one MATCH for all of them
    for word in words:
        others, other_params = _other_alternatives(word, enums, scans, names)
        long = len(word) >= TRIGRAM and not scan
        if index_cols and long and not others:
            merged.append(word)
            continue
        alts: list[str] = []
        if index_cols:
            if long:
                alts.append(fts_condition(index_cols, [word], params))
            else:
                alts.append(short_condition(index_cols, word, params))
        alts.extend(others)
        params.extend(other_params)
        parts.append("(" + " OR ".join(alts) + ")" if alts else "0")
    if merged:
        match_params: list[Any] = []
        parts.insert(0, fts_condition(index_cols, merged, match_params))
        params[:0] = match_params
    return " AND ".join(parts), params


def _other_alternatives(
    word: str, enums: list[Any], scans: list[str], names: list[str]
) -> tuple[list[str], list[Any]]:
    """Conditions for ``word`` outside the quick index (enum values, scans, parameters)."""
    alts: list[str] = []
    params: list[Any] = []
    for col in enums:
        hits = [v for v in col.enum_values if word in (fold_value(v) or "")]
        if hits:
            alts.append(f"{col.sql} IN ({', '.join('?' for _ in hits)})")
            params.extend(hits)
    for expr in scans:
        alts.append(contains_sql(expr, word, params))
    if names:
        marks = ", ".join("?" for _ in names)
        alts.append(
            f"s.id IN (SELECT p.session_id FROM params p WHERE p.name IN ({marks})"
            " AND instr(p.value_folded, ?) > 0)"
        )
        params.extend([*names, word])
    return alts, params
