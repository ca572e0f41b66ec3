"""One compiled function per CSV export: reader row -> the row's CSV line, ready to write.

The cells are the ``csv`` forms of store/columns.py's KIND_FORMATS (``Column.export``'s text),
made safe for spreadsheets (cells.py: formulas neutralised, cells over 32,000 characters cut) and
quoted the way ``csv.writer`` quotes them (QUOTE_MINIMAL, RFC 4180). Two shortcuts make it cheap:

- Text values repeat (channels, statuses, operators, end reasons, parameter values): the final
  field of each distinct short value is computed once per export and remembered.
- A field without the delimiter, a double quote or a line break is written as it is, which is
  exactly what ``csv.writer`` does with it; the others are quoted by ``csv.writer`` itself.

Cut cells are reported through ``on_cut(session_id)``, once per cut cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from mluvii_tui.query.columns import Column, format_number
from mluvii_tui.text import clean

from .cells import MAX_CELL_CHARS, cut_cell, neutralise
from .rowcells import compile_row

CsvLine = Callable[[tuple[Any, ...]], str]
#: Distinct short text values remembered per export (the cache starts over when full).
CACHE_LIMIT = 20_000
#: Longest value remembered (longer ones are rarely repeated).
CACHE_MAX_CHARS = 200


class CsvQuoter:
    """``csv.writer``'s own quoting of a single field, for one delimiter."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self._buf = io.StringIO()
        self._writer = csv.writer(
            self._buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )
        #: the characters that make csv.writer quote a field (QUOTE_MINIMAL)
        self._special = re.compile("[" + re.escape(delimiter) + '"\r\n]').search

    def quote(self, value: str) -> str:
        """The field as csv.writer writes it (an empty value stays empty)."""
        if not value or self._special(value) is None:
            return value
        buf = self._buf
        buf.seek(0)
        buf.truncate()
        self._writer.writerow([value])
        return buf.getvalue()[:-1]


class FieldMaker:
    """Final CSV fields of text values: cleaned, neutralised (untrusted), cut, quoted."""

    def __init__(self, quoter: CsvQuoter, on_cut: Callable[[int], None]) -> None:
        self.quoter = quoter
        self.on_cut = on_cut
        #: raw str value -> final field (untrusted text only)
        self.known: dict[str, str] = {}

    def finish(self, text: str, session_id: int, *, untrusted: bool = True, where: str = "") -> str:
        """Neutralise (when untrusted), cut (counted) and quote an already clean value."""
        if untrusted:
            text = neutralise(text)
        if len(text) > MAX_CELL_CHARS:
            text, _ = cut_cell(text, MAX_CELL_CHARS, where)
            self.on_cut(session_id)
        return self.quoter.quote(text)

    def text(self, value: Any, session_id: int) -> str:
        """An untrusted text value (cache miss): its final field, remembered when short."""
        plain = value.__class__ is str
        s = value if plain and value.isprintable() else clean(value)
        out = self.finish(s, session_id)
        if plain and len(value) <= CACHE_MAX_CHARS:
            known = self.known
            if len(known) >= CACHE_LIMIT:
                known.clear()
            known[value] = out
        return out

    def trusted(self, value: Any, session_id: int) -> str:
        """A number column holding something else than a number: cut and quoted, as text."""
        return self.finish(format_number(value), session_id, untrusted=False)


def compile_csv_line(
    columns: Sequence[Column],
    fields: Sequence[str],
    maker: FieldMaker,
) -> CsvLine:
    """``row -> "field,field,...,field"`` (no line terminator): each column's ``csv`` format
    (store/columns.py KIND_FORMATS; a duration gives two fields, as in ``csv_plan``);
    ``fields`` is the reader's field order."""
    delimiter = maker.quoter.delimiter
    env = {
        "_known": maker.known,
        "_text": maker.text,
        "_trusted": maker.trusted,
        "_D": delimiter,
    }

    def cell(col: Column) -> tuple[str, str]:
        f = col.format
        return repr(delimiter * (len(f.csv_headers) - 1)), f.csv or f.export

    return compile_row(columns, fields, env, cell, "_D.join(({cells},))")
