"""Folded "contains" as a GLOB of character classes (query/foldglob.py): for every value of
regular characters it answers exactly what Python's fold answers; the irregular pattern finds
exactly the values it cannot decide."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from mluvii_tui.query.foldglob import (
    FIRST,
    LAST,
    contains_glob_sql,
    glob_class,
    irregular_glob,
    needle_glob,
)
from mluvii_tui.text import fold_value

# Every Latin character the classes decide, the GLOB specials, and some they do not decide.
ALPHABET = st.one_of(
    st.characters(min_codepoint=FIRST, max_codepoint=LAST),
    st.sampled_from(list("[]^-*?\\ßĳǆ½Жσ\u0301ﬁ😀ｅ")),
)
TEXT = st.text(ALPHABET, max_size=12)
NEEDLE = st.text(ALPHABET, min_size=1, max_size=4).map(fold_value).filter(bool)


def _glob(conn: sqlite3.Connection, value: str, pattern: str) -> bool:
    return bool(conn.execute("SELECT ? GLOB ?", (value, pattern)).fetchone()[0])


def _regular(value: str) -> bool:
    return all(FIRST <= ord(c) <= LAST and len(fold_value(c)) == 1 for c in value)


@settings(max_examples=400, deadline=None)
@given(TEXT, NEEDLE)
def test_glob_equals_python_fold_for_regular_values(value: str, needle: str) -> None:
    conn = sqlite3.connect(":memory:")
    assert _glob(conn, value, irregular_glob()) == (not _regular(value))
    pattern = needle_glob(needle)
    found = pattern is not None and _glob(conn, value, pattern)
    if _regular(value):
        assert found == (needle in fold_value(value))
    else:
        assert not found or needle in fold_value(value)  # never a false match


@settings(max_examples=300, deadline=None)
@given(TEXT, NEEDLE)
def test_contains_sql_equals_python_fold_for_regular_values(value: str, needle: str) -> None:
    """LIKE for an ASCII needle, the GLOB for values with other characters: together exact."""
    conn = sqlite3.connect(":memory:")
    params: list[object] = []
    sql = contains_glob_sql("v", needle, params)
    found = bool(
        conn.execute(
            f"SELECT coalesce({sql}, 0) FROM (SELECT ? AS v)", [*params, value]
        ).fetchone()[0]
    )
    if _regular(value):
        assert found == (needle in fold_value(value))
    else:
        assert not found or needle in fold_value(value)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.characters(min_codepoint=FIRST, max_codepoint=0x17F), min_size=1, max_size=8))
def test_a_class_matches_its_characters_only(chars: set[str]) -> None:
    conn = sqlite3.connect(":memory:")
    item = glob_class(chars)
    for code in range(FIRST, 0x180):
        char = chr(code)
        assert _glob(conn, char, item) == (char in chars), (item, char)
        assert _glob(conn, char, glob_class(chars, negate=True)) == (char not in chars)


def test_a_czech_needle_finds_accented_and_upper_case_letters() -> None:
    conn = sqlite3.connect(":memory:")
    pattern = needle_glob("ce")
    assert pattern is not None
    assert _glob(conn, "ČERNÝ", pattern)
    assert _glob(conn, "Čeněk", pattern)
    assert not _glob(conn, "Cíle", pattern)
    assert needle_glob("ж") is None  # no Latin character folds to it: quick_rare answers


def test_glob_specials_in_every_position() -> None:
    conn = sqlite3.connect(":memory:")
    specials = "]-^[*?a"
    for mask in range(1, 2 ** len(specials)):
        chars = {c for i, c in enumerate(specials) if mask >> i & 1}
        for char in specials + "b\\":
            assert _glob(conn, char, glob_class(chars)) == (char in chars), (chars, char)
            negated = glob_class(chars, negate=True)
            assert _glob(conn, char, negated) == (char not in chars), (chars, char)
