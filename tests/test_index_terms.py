"""index_terms (the search index's lemma and stem columns of a session) against the plain
reading it replaced: the same two strings for every text, byte for byte (the FTS index's term
positions follow their order)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.query import analysis
from mluvii_tui.query.analysis import WORD_RE, word_terms
from mluvii_tui.query.search import index_terms
from mluvii_tui.store.ingest import build, prepare_batch

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def plain_index_terms(texts: Sequence[str]) -> tuple[str, str]:
    """index_terms as it was: every distinct word of the lowered texts, one look-up each."""
    lemmas: set[str] = set()
    stems: set[str] = set()
    for word in set(WORD_RE.findall("\n".join(texts).lower())):
        terms = word_terms(word)
        lemmas |= terms.lemmas
        stems |= terms.stems
    return " ".join(sorted(lemmas)), " ".join(sorted(stems))


def _same(texts: Sequence[str]) -> None:
    assert index_terms(texts) == plain_index_terms(texts), texts
    assert index_terms(texts) == plain_index_terms(texts), texts  # remembered tokens too


def test_white_space_splits_no_word() -> None:
    """The tokens index_terms looks up are ``str.split()``'s: no white space is a word
    character, and a word character is exactly an ``isalnum()`` one."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert (WORD_RE.fullmatch(ch) is not None) == ch.isalnum(), hex(code)
        assert not (ch.isspace() and ch.isalnum()), hex(code)


def test_simulator_texts() -> None:
    sessions = generate_sessions(1500, seed=31, now=NOW)  # hostile texts included
    for kept in prepare_batch(sessions).kept:
        texts = [text for _, text in build(kept).texts if text]
        _same(texts)


HOSTILE = [
    "",
    "_",
    "___",
    "a_b",
    "objednávka_123_faktuře",
    "__faktuře__ _reklamace_",
    "OBJ8581843, přišlo poškozené.",
    "hana.svobodova16@example.cz. https://example.cz/objednavka?id=5&x=faktura",
    "1 2 3 12.5 1,000 ½ ² ³ ⅷ Ⅻ ٣ ४२",
    "faktuře2 2faktuře fak2tuře",
    "STRASSE Straße straße ß ẞ",
    "İstanbul İİ ı I Σίσυφος ΣΑΣ ǅ ǈ ﬁle ﬀ",
    "e\u0301 cafe\u0301 zbo\u017ei\u0301 a\u0308\u0308",  # combining marks
    "fak\u200btuře ob\u200cjed\u200dnávka \ufeffreklamace \u2060x",  # zero-width
    "\u202eערבית\u202c עברית שלום مرحبا بالعالم",  # RTL
    "中文字符 日本語のテキスト 한국어 텍스트",  # CJK
    "\U0001d41a\U0001d41b \U0001f600 \U00010400\U00010428 𝔣𝔞𝔨𝔱𝔲𝔯𝔞",  # astral
    "tab\tseparated\nnew\rline\x0bvt\x0cff\x1cfs\x85nel\u2028ls\u3000ideo\u00a0nbsp",
    "a" * 40 + " " + "faktura" * 6 + " x",
    "Dobrý den, objednávky 123/2024: reklamace — vrácení (zboží)!!! ...",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings(text: str) -> None:
    _same([text])
    _same([text, text.upper(), "faktuře"])


_PIECES = st.one_of(
    st.sampled_from(list("_ \n\t.,-1aáčřžAÁČŘŽßİıΣ\u0301\u200b\u00a0")),
    st.sampled_from(["faktuře", "objednávka", "reklamace", "Dobrý", "den", "obj12", "__"]),
    st.characters(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=30).map("".join), max_size=4))
def test_any_texts(texts: list[str]) -> None:
    _same(texts)


def test_remembered_tokens_are_bounded_and_forgotten_with_the_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analysis, "_CACHED_WORDS", 8)
    analysis._TOKENS.clear()
    words = ["faktuře", "objednávka", "reklamace", "dobrý", "den", "zboží", "vrácení", "účet"]
    _same(words)
    assert 0 < len(analysis._TOKENS) <= 8
    _same(["objednávka 123 obj123, x1"])
    assert not any(ch.isdigit() for token in analysis._TOKENS for ch in token)
    languages = analysis.configured_languages()
    try:
        analysis.configure_languages(["en"])
        assert not analysis._TOKENS
        _same(words)
    finally:
        analysis.configure_languages(languages)
    assert not analysis._TOKENS


def test_a_missing_lemma_trie_is_built_by_a_child_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first use of a language on a machine builds its trie in a process of its own: the
    dictionary it is built from never becomes the caller's memory peak (a first sync's two
    processes each peaked ~30-40 MB higher). The caller then only opens the file."""
    from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieDictionaryFactory

    from mluvii_tui.config import paths

    def built_here(self: object, lang: str) -> None:
        raise AssertionError(f"the {lang} trie was built in the calling process")

    monkeypatch.setattr(TrieDictionaryFactory, "_create_trie_from_pickled_dict", built_here)
    monkeypatch.setattr(paths, "cache_dir", lambda: tmp_path)
    analysis._simplemma.cache_clear()
    analysis.word_terms.cache_clear()
    try:
        assert "faktura" in word_terms("fakturami").lemmas
        assert sorted(p.name for p in tmp_path.glob("lemma-tries/*/*.dic")) == ["cs.dic", "en.dic"]
        assert not list(tmp_path.glob("lemma-tries/*/tmp*"))  # written aside, then renamed
    finally:
        analysis._simplemma.cache_clear()
        analysis.word_terms.cache_clear()
