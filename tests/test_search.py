"""Search in content: diacritics, Czech/English inflections, prefix, phrase, errors, highlights."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mluvii_tui.query.search import (
    FTS_SCHEMA,
    SearchSyntaxError,
    build_search_index,
    check_syntax,
    compile_search,
    delete_session_texts,
    highlight_terms,
    index_texts,
    search_sql,
)

TEXTS = {
    1: ("cs", "Dobrý den, moje objednávka nedorazila."),
    2: ("cs", "Kde je moje OBJEDNÁVKY? Posílám číslo 12345."),
    3: ("en", "I ordered two shirts, but the orders were lost."),
    4: ("cs", "Prosím o fakturu za objednavku"),  # written without diacritics
    5: ("cs", "Reklamace zboží: rozbitý displej"),
    6: ("en", "Where is my order? Exact phrase here."),
}


@pytest.fixture(scope="module")
def conn() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, language TEXT)")
    for ddl in FTS_SCHEMA:
        db.execute(ddl)
    rows = []
    for sid, (lang, text) in TEXTS.items():
        db.execute("INSERT INTO sessions VALUES (?, ?)", (sid, lang))
        half = len(text) // 2
        cut = text.rfind(" ", 0, half)
        rows += [(sid, sid * 10, lang, text[:cut]), (sid, sid * 10 + 1, lang, text[cut:])]
    index_texts(db, rows[::2] + rows[1::2])  # a session's texts need not come side by side
    return db


def found(db: sqlite3.Connection, query: str) -> list[int]:
    sql, params = search_sql(compile_search(query))
    return [r[0] for r in db.execute(f"SELECT s.id FROM sessions s WHERE {sql} ORDER BY 1", params)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("objednavka", [1, 2, 4]),  # no diacritics finds diacritics and inflected forms
        ("objednávka", [1, 2, 4]),
        ("Objednávku", [1, 2, 4]),
        ("faktura", [4]),  # "fakturu" -> faktura
        ("order", [3, 6]),  # orders, ordered
        ("ORDERS", [3, 6]),
        ("objedn*", [1, 2, 4]),
        ("rekl*", [5]),
        ('"exact phrase"', [6]),
        ('"phrase exact"', []),
        ("objednávka faktura", [4]),  # AND by default
        ("objednávka AND faktura", [4]),
        ("faktura OR reklamace", [4, 5]),
        ("objednávka NOT faktura", [1, 2]),
        ("(faktura OR displej) zboží", [5]),
        ("12345", [2]),
        ("zbozi", [5]),
        ("nothing-here", []),
    ],
)
def test_search_semantics(conn: sqlite3.Connection, query: str, expected: list[int]) -> None:
    assert found(conn, query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unclosed', "unclosed quote"),
        ("AND AND", "AND needs a word"),
        ("*", "needs the start of a word"),
        ("", "nothing to search"),
        ("   ", "nothing to search"),
        ("OR", "OR needs a word"),
        ("NOT x", "NOT needs a word before"),
        ("x NOT", "NOT needs a word after"),
        ("a AND", "AND needs a word"),
        ("(a", "missing )"),
        ("a)", "unexpected )"),
        ('""', "empty phrase"),
        ("ob*d", "only goes at the end"),
        ("!!!", "nothing to search"),
    ],
)
def test_syntax_errors(query: str, message: str) -> None:
    pattern = message.replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(SearchSyntaxError, match=pattern):
        compile_search(query)
    with pytest.raises(SearchSyntaxError, match=pattern):  # the UI thread's check says the same
        check_syntax(query)


def test_check_syntax_analyses_no_word() -> None:
    """The UI thread's check parses only: no word reaches the lemmatiser."""
    from mluvii_tui.query.analysis import word_terms

    before = word_terms.cache_info()
    check_syntax('objednávkami OR "platba kartou" NOT fakt* AND vrácení')
    after = word_terms.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)


def test_warm_loads_the_analysers_and_keeps_the_terms() -> None:
    from mluvii_tui.query.analysis import _lemmagen, configured_languages, warm, word_terms

    warm()
    misses = _lemmagen.cache_info().misses
    for lang in configured_languages():  # loaded already: no miss
        _lemmagen(lang)
    assert _lemmagen.cache_info().misses == misses
    assert "faktura" in word_terms("faktuře").lemmas


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \"*()-_'%\\;:^{}+.NOTANDOR")), max_size=20))
def test_any_text_is_an_error_or_a_valid_match(conn: sqlite3.Connection, text: str) -> None:
    try:
        compiled = compile_search(text)
    except SearchSyntaxError as exc:
        assert "\n" not in str(exc)
        with pytest.raises(SearchSyntaxError):
            check_syntax(text)
        return
    check_syntax(text)
    sql, params = search_sql(compiled)
    conn.execute(f"SELECT count(*) FROM sessions s WHERE {sql}", params).fetchone()


def test_highlight_spans() -> None:
    text = "Moje Objednávky, objednavku a ORDERS; ordered. Objednat?"
    spans = highlight_terms(compile_search("objednávka order"), text)
    words = [text[a:b] for a, b in spans]
    assert words[:4] == ["Objednávky", "objednavku", "ORDERS", "ordered"]
    assert highlight_terms(compile_search('"moje objednavky"'), text) == [(0, 15)]
    assert [text[a:b] for a, b in highlight_terms(compile_search("ord*"), text)] == [
        "ORDERS",
        "ordered",
    ]
    assert highlight_terms(compile_search("ORDERS NOT objednávka"), text) == [
        (text.index("ORDERS"), text.index("ORDERS") + 6),
        (text.index("ordered"), text.index("ordered") + 7),
    ]
    assert highlight_terms(compile_search("xyz"), text) == []


def test_reindex_replaces_and_rebuild() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, language TEXT)")
    db.execute(
        "CREATE TABLE activities (rowid INTEGER PRIMARY KEY, session_id INTEGER, seq INTEGER,"
        " type TEXT, text TEXT)"
    )
    db.executemany("INSERT INTO sessions VALUES (?, 'cs')", [(1,), (2,)])
    db.executemany(
        "INSERT INTO activities(session_id, seq, type, text) VALUES (?, ?, ?, ?)",
        [
            (1, 0, "ChatMessage", "Faktura prosím"),
            (1, 1, "Joined", "not a message: objednávka"),
            (2, 0, "ChatbotMessage", "Vaše objednávka"),
        ],
    )
    assert build_search_index(db) == 2
    assert found(db, "faktura") == [1]
    assert found(db, "objednavka") == [2]
    delete_session_texts(db, {1: ["Faktura prosím"]})  # what it was indexed with
    index_texts(db, [(1, 9, "cs", "Reklamace")])
    assert found(db, "faktura") == [] and found(db, "reklamace") == [1]
    assert build_search_index(sqlite3.connect(":memory:")) == 0  # no activities table


def test_highlight_every_form_but_not_other_words() -> None:
    text = "Faktuře, fakturami i FAKTUR; reklamace není reklama."
    words = [text[a:b] for a, b in highlight_terms(compile_search("faktura"), text)]
    assert words == ["Faktuře", "fakturami", "FAKTUR"]
    words = [text[a:b] for a, b in highlight_terms(compile_search("reklamu"), text)]
    assert words == ["reklama"]
