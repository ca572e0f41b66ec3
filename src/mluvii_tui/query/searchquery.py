"""Search query language: parse the user's text, build the FTS5 MATCH string, find hit spans.

Grammar: terms are ``word``, ``prefix*`` and ``"exact phrase"``; terms side by side are ANDed;
``OR`` and ``NOT`` (upper case, as in FTS5: ``a NOT b``) and parentheses combine them. Precedence
NOT > AND > OR. Every word in the MATCH string is a folded ``[^\\W_]+`` token in double quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mluvii_tui.query.analysis import WORD_RE, configured_languages, fold_word, word_terms


class SearchSyntaxError(ValueError):
    """The search text cannot be read; ``str(exc)`` is one line for the status bar."""


def _roots(word: str) -> frozenset[str]:
    """The terms a word matches in the surface and lemma columns: its fold and its lemmas."""
    low = word.lower()
    return word_terms(low).lemmas | {fold_word(low)}


@dataclass(frozen=True)
class Term:
    kind: str  # "word" | "prefix" | "phrase"
    raw: str  # as the user typed it (for messages)
    words: tuple[str, ...]  # folded word tokens
    roots: frozenset[str] = frozenset()  # single word: its fold + folded lemmas
    stems: frozenset[str] = frozenset()  # single word: its stems (the ``stems`` column)
    negated: bool = False  # under the right side of NOT: not highlighted


@dataclass(frozen=True)
class CompiledSearch:
    text: str
    match: str  # the FTS5 MATCH string built from validated tokens
    terms: tuple[Term, ...] = field(default=())
    languages: tuple[str, ...] = ()  # the analysis languages it was compiled with


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


# -- parsing ----------------------------------------------------------------------------------

OPERATORS = ("AND", "OR", "NOT")
MAX_QUERY_CHARS = 1000
MAX_TERMS = 64


def _tokens(text: str) -> list[tuple[str, str]]:
    """Lexer: ("term", raw) | ("phrase", inner) | ("op", AND/OR/NOT) | ("(", ) | (")", )."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append((ch, ch))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise SearchSyntaxError('unclosed quote: add a closing " after the phrase')
            inner = text[i + 1 : end]
            i = end + 1
            if i < n and text[i] == "*":
                raise SearchSyntaxError('* works after a word (objedn*), not after a "phrase"')
            out.append(("phrase", inner))
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            raw = text[i:j]
            i = j
            out.append(("op", raw) if raw in OPERATORS else ("term", raw))
    return out


def _make_term(kind: str, raw: str, analyse: bool = True) -> Term | None:
    if kind == "phrase":
        words = tuple(fold_word(w.lower()) for w in WORD_RE.findall(raw))
        if not words:
            raise SearchSyntaxError('empty phrase: put words between the quotes, "like this"')
        return Term("phrase", raw, words)
    prefix = raw.endswith("*")
    body = raw.rstrip("*") if prefix else raw
    if "*" in body or raw.count("*") > 1:
        raise SearchSyntaxError(f"{_shown(raw)}: * only goes at the end of a word (objedn*)")
    words = tuple(fold_word(w.lower()) for w in WORD_RE.findall(body))
    if prefix:
        if not words:
            raise SearchSyntaxError("* needs the start of a word before it, e.g. objedn*")
        return Term("prefix", raw, words)
    if not words:
        return None  # punctuation only: ignored
    if len(words) == 1:
        if not analyse:  # the syntax alone (check_syntax): no lemmatiser
            return Term("word", raw, words)
        word = WORD_RE.findall(body)[0]
        return Term("word", raw, words, _roots(word), word_terms(word.lower()).stems)
    return Term("phrase", raw, words)  # e-mail, shop.cz: the parts in a row


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 30 else raw[:29] + "…")


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], analyse: bool = True) -> None:
        self.tokens = tokens
        self.analyse = analyse
        self.pos = 0
        self.terms: list[Term] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> str:
        expr = self.or_expr(negated=False)
        tok = self.peek()
        if tok is not None:
            if tok[0] == ")":
                raise SearchSyntaxError("unexpected ): it has no matching (")
            raise SearchSyntaxError(f"unexpected {tok[1]}")  # pragma: no cover - defensive
        if expr is None:
            raise SearchSyntaxError("nothing to search for: type a word")
        return expr

    def or_expr(self, negated: bool) -> str | None:
        parts = [self.and_expr(negated)]
        while (tok := self.peek()) is not None and tok == ("op", "OR"):
            self.take()
            if parts[-1] is None:
                raise SearchSyntaxError("OR needs a word on both sides: a OR b")
            nxt = self.and_expr(negated)
            if nxt is None:
                raise SearchSyntaxError("OR needs a word on both sides: a OR b")
            parts.append(nxt)
        if len(parts) == 1:
            return parts[0]
        return "(" + " OR ".join(p for p in parts if p) + ")"

    def and_expr(self, negated: bool) -> str | None:
        parts: list[str] = []
        while (tok := self.peek()) is not None and tok[0] != ")" and tok != ("op", "OR"):
            if tok == ("op", "AND"):
                self.take()
                if not parts:
                    raise SearchSyntaxError("AND needs a word on both sides: a AND b")
                nxt = self.not_expr(negated)
                if nxt is None:
                    raise SearchSyntaxError("AND needs a word on both sides: a AND b")
                parts.append(nxt)
                continue
            if tok == ("op", "NOT") and not parts:
                raise SearchSyntaxError("NOT needs a word before it: a NOT b")
            nxt = self.not_expr(negated)
            if nxt is not None:
                parts.append(nxt)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def not_expr(self, negated: bool) -> str | None:
        left = self.primary(negated)
        while (tok := self.peek()) is not None and tok == ("op", "NOT"):
            self.take()
            if left is None:
                raise SearchSyntaxError("NOT needs a word before it: a NOT b")
            right = self.primary(True)
            if right is None:
                raise SearchSyntaxError("NOT needs a word after it: a NOT b")
            left = f"({left} NOT {right})"
        return left

    def primary(self, negated: bool) -> str | None:
        tok = self.peek()
        if tok is None:
            return None
        kind, raw = tok
        if kind == "op":
            if raw == "NOT":
                raise SearchSyntaxError("NOT needs a word before it: a NOT b")
            raise SearchSyntaxError(f"{raw} needs a word on both sides: a {raw} b")
        if kind == ")":
            return None
        self.take()
        if kind == "(":
            inner = self.or_expr(negated)
            closing = self.peek()
            if closing is None or closing[0] != ")":
                raise SearchSyntaxError("missing ): every ( needs a closing )")
            self.take()
            if inner is None:
                raise SearchSyntaxError("empty parentheses: put words inside ( )")
            return inner
        term = _make_term("phrase" if kind == "phrase" else "term", raw, self.analyse)
        if term is None:
            return None
        if negated:
            term = Term(term.kind, term.raw, term.words, term.roots, term.stems, True)
        self.terms.append(term)
        if len(self.terms) > MAX_TERMS:
            raise SearchSyntaxError(f"too many search words (at most {MAX_TERMS})")
        return _term_match(term)


def _term_match(term: Term) -> str:
    if term.kind == "prefix":
        return "surface:" + _quote(" ".join(term.words)) + " *"
    if term.kind == "phrase":
        return "surface:" + _quote(" ".join(term.words))
    alts = [term.words[0], *sorted(term.roots - {term.words[0]})]
    match = "{surface lemmas}: (" + " OR ".join(_quote(a) for a in alts) + ")"
    if term.stems:
        stems = " OR ".join(_quote(s) for s in sorted(term.stems))
        match = f"({match} OR stems: ({stems}))"
    return match


def _parsed(text: str, analyse: bool) -> tuple[str, str, tuple[Term, ...]]:
    """The text, its MATCH string and its terms."""
    raw = str(text)
    if not raw.strip():
        raise SearchSyntaxError("nothing to search for: type a word")
    if len(raw) > MAX_QUERY_CHARS:
        raise SearchSyntaxError(f"search is too long (at most {MAX_QUERY_CHARS} characters)")
    parser = _Parser(_tokens(raw), analyse)
    match = parser.parse()
    return raw, match, tuple(parser.terms)


def compile_search(text: str) -> CompiledSearch:
    """Parse a search; raises SearchSyntaxError (one line) for text that cannot be searched."""
    raw, match, terms = _parsed(text, analyse=True)
    return CompiledSearch(raw, match, terms, configured_languages())


def check_syntax(text: str) -> None:
    """Raises SearchSyntaxError exactly when ``compile_search`` would, without analysing the
    words (no lemmatiser is loaded: the UI thread checks a search with this, the worker that
    runs it compiles it)."""
    _parsed(text, analyse=False)


# -- highlighting -----------------------------------------------------------------------------


def _word_hit(term: Term, folded: str, token: str) -> bool:
    if folded == term.words[0]:
        return True
    if _roots(token) & term.roots:
        return True
    return bool(term.stems and word_terms(token.lower()).stems & term.stems)


def highlight_terms(compiled: CompiledSearch, text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``(start, end)`` character spans of the hits in ``text``."""
    tokens = [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text)]
    folded = [fold_word(tok.lower()) for _, _, tok in tokens]
    spans: list[tuple[int, int]] = []
    for term in compiled.terms:
        if term.negated:
            continue
        size = len(term.words)
        for i in range(len(tokens) - size + 1):
            if term.kind == "word":
                if _word_hit(term, folded[i], tokens[i][2]):
                    spans.append((tokens[i][0], tokens[i][1]))
                continue
            window = folded[i : i + size]
            if term.kind == "prefix":
                ok = window[:-1] == list(term.words[:-1]) and window[-1].startswith(term.words[-1])
            else:
                ok = window == list(term.words)
            if ok:
                spans.append((tokens[i][0], tokens[i + size - 1][1]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
