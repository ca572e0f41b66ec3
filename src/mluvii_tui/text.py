"""Untrusted text made safe to show: no control sequences, no bidi tricks, one line when asked.

Everything a customer or operator typed passes through here before it reaches a screen or a file.
Rich markup is a separate layer: widgets get ``rich.text.Text`` objects, never markup strings.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import overload

# ESC sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (... ST),
# and two-character escapes. Matched first so their payload does not leak through as text.
_ESCAPE_SEQ = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?    # OSC ... BEL | ST (OSC 8 links, OSC 52 clipboard)
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?         # DCS, SOS, PM, APC
    | \x1b[@-Z\\-_]                         # other two-character escapes
    | \x9b[0-?]*[ -/]*[@-~]                 # 8-bit CSI
    | \x9d[^\x07\x9c]*(?:\x07|\x9c)?        # 8-bit OSC
    | [\x90\x98\x9e\x9f][^\x9c]*\x9c?         # 8-bit DCS, SOS, PM, APC
    """,
    re.VERBOSE,
)
# C0 (except tab/newline), DEL, C1 controls, and lone surrogates (no terminal or UTF-8 encoder
# takes them: a surrogate reaching the screen or the clipboard would be a crash, not a glyph).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi marks/embeddings/overrides/isolates and invisible characters that hide or reorder text.
# The zero-width joiner and non-joiner (U+200D, U+200C) stay: emoji sequences and Persian or
# Indic words need them, and they cannot reorder or hide anything.
_INVISIBLE = re.compile(r"[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
_WHITESPACE_RUN = re.compile(r"\s+")

#: A shown value never exceeds this many characters before layout cuts it further.
MAX_FIELD_CHARS = 4000


def clean(text: object, *, keep_newlines: bool = True) -> str:
    """Strip control sequences, control characters, bidi overrides and zero-width characters."""
    if text is None:
        return ""
    s = str(text)
    if not s.isprintable() or "\x1b" in s:
        s = _ESCAPE_SEQ.sub("", s)
        s = s.replace("\r\n", "\n").replace("\r", "\n")
        s = s.replace("\u2028", "\n").replace("\u2029", "\n")
        s = _CONTROL.sub("", s)
    s = _INVISIBLE.sub("", s)
    if not keep_newlines:
        s = _WHITESPACE_RUN.sub(" ", s).strip()
    return s


def one_line(text: object, limit: int = MAX_FIELD_CHARS) -> str:
    """A value for a table cell: cleaned, on one line, at most ``limit`` characters."""
    s = clean(text, keep_newlines=False)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def cut(text: str, width: int) -> str:
    """Fit already-clean one-line text into ``width`` terminal cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if len(text) <= width and text.isascii():
        return text
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


def fold(text: str) -> str:
    """Lower-case and strip diacritics: 'Objednávka' -> 'objednavka'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@overload
def fold_value(value: str) -> str: ...
@overload
def fold_value(value: object) -> str | None: ...


def fold_value(value: object) -> str | None:
    """The folded form of a parameter value (``params.value_folded``): lower case, no
    diacritics. The same function folds the user's text in filters, so both sides agree."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.lower() if text.isascii() else _fold_cached(text)


@functools.lru_cache(maxsize=16384)
def _fold_cached(text: str) -> str:
    """``text.fold`` remembered: names and other repeated values fold once per process (a
    filter scanning 1M rows with Czech names calls it per row)."""
    return fold(text)
