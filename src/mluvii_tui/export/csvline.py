"""One compiled function per CSV export: reader row -> the row's CSV line, ready to write.

The cells are those of ``Column.export`` (rowcells.py), then made safe for spreadsheets
(cells.py: formulas neutralised, cells over 32,000 characters cut) and quoted the way
``csv.writer`` quotes them (QUOTE_MINIMAL, RFC 4180). Two shortcuts make it cheap:

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

from mluvii_tui.query.columns import Column
from mluvii_tui.text import clean

from .cells import MAX_CELL_CHARS, Memo, cut_cell, hms, neutralise
from .rowcells import CELL_CODE, column_code, field_index, iso_time, number

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


def _duration_fields(seconds: int) -> tuple[str, str]:
    return str(seconds), hms(seconds)


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
        return self.finish(number(value), session_id, untrusted=False)


_TEXT = """    v = {src}
    if v is None:
        {a} = ""
    else:
        {a} = _known.get(v) if v.__class__ is str else None
        if {a} is None:
            {a} = _text(v, r[0])
"""

_DURATION = """    v = {src}
    if v is None:
        {a} = {b} = ""
    else:
        t = round(v)
        {a}, {b} = _durations[t]
"""

_NUMBER = """    v = {src}
    if v is None:
        {a} = ""
    elif v.__class__ is int:
        {a} = str(v)
    elif v.__class__ is float:
        {a} = _num(v)
    else:
        {a} = _trusted(v, r[0])
"""


#: CELL_CODE (rowcells.py) for CSV fields; a duration gives two (seconds, h:mm:ss). Times are
#: ISO digits, dashes, colons, T and +: never quoted, never long.
_CSV_CODE = {
    **CELL_CODE,
    "duration": _DURATION,
    "number": _NUMBER,
    "text": _TEXT,
}


def compile_csv_line(
    columns: Sequence[Column],
    fields: Sequence[str],
    maker: FieldMaker,
) -> CsvLine:
    """``row -> "field,field,...,field"`` (no line terminator); ``fields`` is the reader's
    field order. Durations give two fields (seconds, h:mm:ss), as in ``csv_plan``."""
    index = field_index(fields)
    pidx = len(fields) + 1
    env: dict[str, Any] = {
        "_known": maker.known,
        "_text": maker.text,
        "_trusted": maker.trusted,
        "_iso": iso_time,
        "_durations": Memo(_duration_fields),  # whole seconds -> both fields
        "_num": number,
        "_D": maker.quoter.delimiter,
    }
    body: list[str] = []
    n = 0
    for col in columns:
        body.append(column_code(col, index, pidx, env, n, _CSV_CODE))
        n += 2 if col.kind == "duration" and col.param is None else 1
    names = ", ".join(f"c{i}" for i in range(n))
    src = "def line(r):\n" + "".join(body) + f"    return _D.join(({names},))\n"
    exec(compile(src, "<csv line>", "exec"), env)  # our own generated code, no data in it
    return env["line"]
