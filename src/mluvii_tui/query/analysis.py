"""Word analysis for search: the index terms a word stands for, in the configured languages.

A word stands for its fold (lower case, no diacritics), its *lemmas* and its *stems*:

* lemmas from two analysers side by side, each for every configured language and for the word
  as written and as folded (customers often type without diacritics): simplemma's dictionaries
  and LemmaGen's rule models (``lemmagen3``). Either alone misses many Czech forms (simplemma
  objednávkám, položku, operátorem; LemmaGen kolegovi, balíky, objednávko); together they
  meet at the root of most forms.
* stems from the Snowball stemmer of each configured language other than English (Czech:
  "faktuře" and "fakturami" -> "faktur"), kept in their own index column so that a stem never
  matches a surface word (the stem of "reklama" is "rekl", the fold of "řekl").

Measured on tests/data/word_forms.txt (bench/search_recall.py): see docs/ARCHITECTURE.md.

Only the configured languages are ever loaded (default Czech + English, at most two): simplemma's
dictionaries cost ~25-30 MB each in memory (Polish ~500 MB), LemmaGen's models and the stemmers
a few MB. The index records which analysis built it (``index_id``); a store built otherwise is
re-indexed once (query/search.py ``ensure_index``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from mluvii_tui.text import fold

#: Languages analysed when none are configured: Czech plus English.
DEFAULT_LANGUAGES: tuple[str, ...] = ("cs", "en")
MAX_LANGUAGES = 2

#: Names the analysis; part of ``index_id``. Change it when the terms a word gives change.
ANALYSIS_VERSION = "simplemma1+lemmagen3+snowball3/1"

#: Longer "words" (hashes, URLs run together, a customer's 100,000-character line) are not
#: analysed: no dictionary has them, and affix rules on them cost time for nothing.
MAX_ANALYSED_WORD = 32

#: ISO 639-1 code -> Snowball algorithm, for the languages with a stemmer (English has none
#: here: its lemmas already meet, and Porter stems join unrelated English words).
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish",
    "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian",
    "nl": "dutch", "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}  # fmt: skip

#: A word as the unicode61 tokenizer sees it (letters and digits; "_" separates): a maximal run
#: of characters for which ``str.isalnum()`` holds (no white space is one of them).
WORD_RE = re.compile(r"[^\W_]+")

_languages: tuple[str, ...] = DEFAULT_LANGUAGES
#: One analysis at a time: the analysers load their dictionaries lazily (simplemma writes a
#: language's trie file on its first use), and ``warm`` may run beside a search's worker.
_ANALYSING = threading.Lock()


@dataclass(frozen=True)
class WordTerms:
    """The folded lemmas (other than the word's own fold) and stems of one word."""

    lemmas: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()


_NONE = WordTerms()


def configured_languages() -> tuple[str, ...]:
    return _languages


@lru_cache(maxsize=1)
def supported_languages() -> frozenset[str]:
    """Languages at least one lemmatiser knows."""
    from lemmagen3 import Lemmatizer
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    return frozenset(SUPPORTED_LANGUAGES) | frozenset(Lemmatizer.list_supported_languages())


def parse_languages(text: str) -> tuple[str, ...]:
    """``"cs,en"`` -> ("cs", "en"); ValueError with one line for anything else."""
    codes = tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))
    if not codes:
        raise ValueError("no search language given (e.g. cs,en)")
    if len(codes) > MAX_LANGUAGES:
        raise ValueError(f"at most {MAX_LANGUAGES} search languages (each costs memory)")
    unknown = [c for c in codes if c not in supported_languages()]
    if unknown:
        raise ValueError(f"unknown search language {unknown[0][:10]!r} (ISO codes such as cs, en)")
    return codes


def configure_languages(languages: Iterable[str]) -> tuple[str, ...]:
    """Analyse in these languages from now on (validated; the analysers of others unload)."""
    global _languages
    codes = parse_languages(",".join(languages))
    if codes != _languages:
        _languages = codes
        word_terms.cache_clear()
        _TOKENS.clear()
        _simplemma.cache_clear()
        _lemmagen.cache_clear()
        _stemmer.cache_clear()
    return codes


def index_id() -> str:
    """What built an index: the analysis and its languages (stored with the index)."""
    return f"{ANALYSIS_VERSION}:{','.join(_languages)}"


#: Remembered analyses: the frequent words of a language (Zipf) fit in these, and they bound
#: what the caches hold in memory (~20 MB) when a sync indexes years of chats.
_CACHED_WORDS = 32_768


@lru_cache(maxsize=2 * _CACHED_WORDS)
def fold_word(word: str) -> str:
    return word.lower() if word.isascii() else fold(word)


@lru_cache(maxsize=1)
def _simplemma():  # type: ignore[no-untyped-def]
    # Dictionary look-up + rules without the greedy affix search: that took ~0.1 s per unknown
    # word (190 s to index 300 sessions), this ~0.1 ms. Dictionaries load lazily per language.
    # Its own result cache (10**6 words by default) is left small: word_terms remembers.
    # Dictionaries as MARISA tries saved in our cache dir (simplemma's own factory): cs + en
    # take ~2 MB and ~5 ms to open instead of ~60 MB and ~0.5 s as Python dicts; the first use
    # of a language builds its trie once (query/lemmatries.py).
    from simplemma import Lemmatizer
    from simplemma.__metadata__ import __version__
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieDictionaryFactory

    from mluvii_tui.config.paths import cache_dir
    from mluvii_tui.query.lemmatries import ensure_tries

    directory = cache_dir() / "lemma-tries" / __version__
    # a missing trie is built in a child process: the dict it is built from (~30-40 MB) would
    # otherwise stay this process's high-water mark
    ensure_tries(directory, [lang for lang in _languages if lang in _simplemma_languages()])
    tries = TrieDictionaryFactory(cache_max_size=MAX_LANGUAGES, disk_cache_dir=str(directory))
    strategy = DefaultStrategy(greedy=False, dictionary_factory=tries)
    return Lemmatizer(cache_max_size=1024, lemmatization_strategy=strategy)


@lru_cache(maxsize=MAX_LANGUAGES)
def _lemmagen(lang: str):  # type: ignore[no-untyped-def]
    from lemmagen3 import Lemmatizer

    if lang not in Lemmatizer.list_supported_languages():
        return None
    return Lemmatizer(lang)


@lru_cache(maxsize=MAX_LANGUAGES)
def _stemmer(lang: str):  # type: ignore[no-untyped-def]
    name = _SNOWBALL.get(lang)
    if name is None:
        return None
    import snowballstemmer  # PyStemmer's C stemmers (installed with us): 2.6 MB less per process

    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=1)
def _simplemma_languages() -> frozenset[str]:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    return frozenset(SUPPORTED_LANGUAGES)


_VOWELS = frozenset("aeiouy")


def _lemmas(word: str, lang: str) -> list[str]:
    """The folded lemmas of a word by both analysers (those that know the language).

    When simplemma's lemma is a base word that LemmaGen's longer lemma derives from (same
    start, the base's final vowel aside: reklama -> reklamace, reklama -> reklamovat), the
    form belongs to the derived word: simplemma's dictionary files some derived words under
    their base, which would make "reklama" find every "reklamace". LemmaGen's lemma wins.
    Not for English, whose lemmas are short stems of longer forms (pay -> paying)."""
    base = ""
    if lang in _simplemma_languages():
        base = fold_word(_simplemma().lemmatize(word, lang=lang).lower())
    lemmatizer = _lemmagen(lang)
    derived = fold_word(lemmatizer.lemmatize(word).lower()) if lemmatizer is not None else ""
    if (
        lang != "en"
        and len(base) >= 3
        and base[-1] in _VOWELS
        and len(derived) > len(base)
        and derived.startswith(base[:-1])
    ):
        base = ""
    return [x for x in (base, derived) if x]


@lru_cache(maxsize=_CACHED_WORDS)
def word_terms(word: str) -> WordTerms:
    """Lemmas and stems of a lower-case word in the configured languages, all folded."""
    if len(word) < 2 or len(word) > MAX_ANALYSED_WORD or any(ch.isdigit() for ch in word):
        return _NONE
    with _ANALYSING:
        return _analysed(word)


def _analysed(word: str) -> WordTerms:
    folded = fold_word(word)
    forms = (word, folded) if folded != word else (word,)
    lemmas: set[str] = set()
    stems: set[str] = set()
    for lang in _languages:
        for form in forms:
            lemmas.update(_lemmas(form, lang))
        stemmer = _stemmer(lang)
        if stemmer is not None:
            stems.update(fold_word(stemmer.stemWord(form)) for form in forms)
    lemmas.discard(folded)
    lemmas.discard("")
    stems.discard("")
    return WordTerms(frozenset(lemmas), frozenset(stems))


Terms = tuple[frozenset[str], frozenset[str]]
_NO_TERMS: Terms = (frozenset(), frozenset())
#: What the index remembers of the white-space separated tokens of lower-case texts
#: ("objednávky,", "dobrý"): the lemmas and stems of each token's words, in one look-up. Tokens
#: with a digit (order numbers, e-mail addresses, phone numbers: mostly seen once) are not kept.
#: Emptied when full (a few MB; the terms themselves are word_terms' frozensets).
_TOKENS: dict[str, Terms] = {}
_DIGIT = re.compile(r"\d").search


def tokens_terms(tokens: Iterable[str]) -> tuple[set[str], set[str]]:
    """The lemmas and the stems of the words (``WORD_RE``) in white-space free lower-case
    tokens. The words of a text's ``text.split()`` tokens are its ``WORD_RE.findall(text)``
    (tests/test_index_terms.py), and most tokens are one word or one with a comma."""
    lemmas: list[frozenset[str]] = []
    stems: list[frozenset[str]] = []
    remembered = _TOKENS.get
    for token in tokens:
        terms = remembered(token) or _token_terms(token)
        lemmas.append(terms[0])
        stems.append(terms[1])
    return set().union(*lemmas), set().union(*stems)


def _token_terms(token: str) -> Terms:
    if token.isalnum():
        one = word_terms(token)
        terms = (one.lemmas, one.stems)
    else:
        found = [word_terms(word) for word in WORD_RE.findall(token)]
        terms = (
            frozenset().union(*(t.lemmas for t in found)),
            frozenset().union(*(t.stems for t in found)),
        )
    if not (terms[0] or terms[1]):
        terms = _NO_TERMS
    if _DIGIT(token) is None:
        if len(_TOKENS) >= _CACHED_WORDS:
            _TOKENS.clear()
        _TOKENS[token] = terms
    return terms


def warm() -> None:
    """Load the analysers of the configured languages (off the UI thread: ~35-80 ms, more the
    first time a language's trie is built), so that the first search compiles at once."""
    with _ANALYSING:
        for lang in _languages:
            _lemmas("mluvii", lang)
            _stemmer(lang)
