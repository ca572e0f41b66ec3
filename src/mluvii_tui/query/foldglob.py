"""Folded "contains" decided in SQLite's C code, without a folded copy of the text.

``fold`` (lower case, no diacritics) maps each character on its own (``fold(ab) ==
fold(a) + fold(b)``), so for a value of *regular* characters (U+0001..U+024F: ASCII, Latin-1,
Latin Extended-A/B, each folding to one character) "the fold contains the needle" is a GLOB
over the value itself, each needle character the class of every character that folds to it:
``"pe"`` -> ``*[Pp][EeÈ-Ëè-ëĒ-ě…]*``. Czech, Slovak, German, Polish... text is regular; the
few values that are not (Cyrillic, "ß", a combining accent, an emoji) are listed
with their fold by the quick index (``quick_rare``, store/quickindex.py). So a quick filter
never calls back into Python per row and never holds the GIL against the UI.
"""

from __future__ import annotations

import functools

from mluvii_tui.text import fold_value

#: The regular characters: code points FIRST..LAST whose fold is one character.
FIRST = 0x01
LAST = 0x24F


def _is_regular(char: str) -> bool:
    return FIRST <= ord(char) <= LAST and len(fold_value(char)) == 1


@functools.cache
def _classes() -> dict[str, frozenset[str]]:
    """Folded character -> the regular characters folding to it."""
    by_fold: dict[str, set[str]] = {}
    for code in range(FIRST, LAST + 1):
        char = chr(code)
        if _is_regular(char):
            by_fold.setdefault(fold_value(char), set()).add(char)
    return {k: frozenset(v) for k, v in by_fold.items()}


def glob_class(chars: set[str] | frozenset[str], *, negate: bool = False) -> str:
    """A GLOB item matching one character of ``chars`` (``negate``: any other character).
    Runs of consecutive code points become ranges; ``]``, ``-`` and ``^`` are placed where
    GLOB reads them literally."""
    if len(chars) == 1 and not negate:
        (char,) = chars
        return f"[{char}]" if char in "*?[" else char
    plain = sorted(ord(c) for c in chars if c not in "]-^")
    parts: list[str] = []
    i = 0
    while i < len(plain):
        j = i
        while j + 1 < len(plain) and plain[j + 1] == plain[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{chr(plain[i])}-{chr(plain[j])}")
        else:
            parts.extend(chr(c) for c in plain[i : j + 1])
        i = j + 1
    body = ("]" if "]" in chars else "") + "".join(parts)
    body += "^" if "^" in chars else ""
    body += "-" if "-" in chars else ""
    if body.startswith("^") and not negate:  # only "^" and "-": "^" first would negate
        body = body[1:] + "^"
    return "[" + ("^" if negate else "") + body + "]"


def needle_glob(needle: str) -> str | None:
    """GLOB pattern: a regular value whose fold contains the folded ``needle``; None when no
    regular value can (a needle character no regular character folds to)."""
    classes = _classes()
    items = []
    for char in needle:
        chars = classes.get(char)
        if not chars:
            return None
        items.append(glob_class(chars))
    return "*" + "".join(items) + "*"


@functools.cache
def irregular_glob() -> str:
    """GLOB pattern: a value with a character that is not regular (the quick index lists
    those values with their fold)."""
    regular = {chr(c) for c in range(FIRST, LAST + 1) if _is_regular(chr(c))}
    return "*" + glob_class(regular, negate=True) + "*"


def contains_glob_sql(
    expr: str, needle: str, params: list[object], *, ascii_text: bool = False
) -> str:
    """SQL: ``expr`` is regular text whose fold contains the folded, non-empty ``needle``
    (``"0"`` when no regular text can). An ASCII needle asks SQLite's LIKE first (ASCII case
    is its fold, and LIKE finds a first letter faster than a class) and the GLOB only for
    values with other characters; ``ascii_text``: ``expr`` is always ASCII (the session id)."""
    from mluvii_tui.query.filters import like_pattern  # filters builds on the quick index

    pattern = needle_glob(needle)
    if not (needle.isascii() and needle == needle.lower()):
        if pattern is None:
            return "0"
        params.append(pattern)
        return f"{expr} GLOB ?"
    params.append(like_pattern(needle))
    like = f"{expr} LIKE ? ESCAPE '\\'"
    if ascii_text or pattern is None:
        return like
    params.append(pattern)
    return f"({like} OR (length(CAST({expr} AS BLOB)) <> length({expr}) AND {expr} GLOB ?))"
