"""CSV from store rows: RFC 4180 quoting (csv module, CRLF), formulas neutralised, long cells cut.

One row per session. Times are ISO 8601 with offset; each duration column becomes two: seconds and
h:mm:ss; call parameters are ``param:<name>`` columns; ``Transcript`` (optional) holds the whole
transcript as plain text. See cells.py for the neutralisation and cutting rules.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import IO, Any

from ..store.columns import Column
from .cells import MAX_CELL_CHARS, cut_cell, neutralise
from .rowcells import compile_csv_cells

#: Column kinds whose cells we generate ourselves (numbers, ISO times, yes/no): never formulas.
_TRUSTED_KINDS = frozenset({"time", "duration", "number", "bool"})
TRANSCRIPT_HEADER = "Transcript"


def column_header(col: Column) -> str:
    return col.id if col.param is not None else col.header


def csv_plan(columns: Sequence[Column]) -> tuple[list[str], list[Column], list[bool]]:
    """(headers, source column, needs-neutralising flag), one entry per output column."""
    headers: list[str] = []
    sources: list[Column] = []
    untrusted: list[bool] = []
    for col in columns:
        if col.kind == "duration":
            headers += [f"{col.header} (s)", f"{col.header} (h:mm:ss)"]
            sources += [col, col]
            untrusted += [False, False]
        else:
            headers.append(column_header(col))
            sources.append(col)
            untrusted.append(col.kind not in _TRUSTED_KINDS or col.param is not None)
    return headers, sources, untrusted


class CsvWriter:
    """Writes the header and one row per session; counts the cells it had to cut.

    Rows are reader tuples (reader.py) whose fields are ``fields`` in that order."""

    def __init__(
        self,
        out: IO[str],
        columns: Sequence[Column],
        fields: Sequence[str],
        *,
        delimiter: str = ",",
        include_transcripts: bool = False,
        side_file: IO[str] | None = None,
        side_name: str = "",
    ) -> None:
        self._out = out
        #: rows are formatted into this buffer and written to ``out`` once per window (one
        #: encoder call instead of one per row)
        self._buf = io.StringIO()
        self._writer = csv.writer(
            self._buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
        )
        headers, _, untrusted = csv_plan(columns)
        self._cells = compile_csv_cells(columns, fields, untrusted)
        self._untrusted = [i for i, flag in enumerate(untrusted) if flag]
        self._trusted = [i for i, flag in enumerate(untrusted) if not flag]
        self.include_transcripts = include_transcripts
        if include_transcripts:
            headers.append(TRANSCRIPT_HEADER)
        self.headers = headers
        self._side = side_file
        self._side_name = side_name
        self.cut_cells = 0
        self.cut_sessions: list[int] = []
        self._writer.writerow(headers)
        self._flush()

    def _flush(self) -> None:
        buf = self._buf
        self._out.write(buf.getvalue())
        buf.seek(0)
        buf.truncate()

    def _fix(self, value: str, session_id: int, transcript: bool = False) -> tuple[str, int]:
        value = neutralise(value)
        if len(value) <= MAX_CELL_CHARS:
            return value, 0
        where = self._side_name if transcript and self._side is not None else ""
        cut, _ = cut_cell(value, MAX_CELL_CHARS, where)
        if where and self._side is not None:
            self._side.write(f"=== Session {session_id} ===\n{value}\n\n")
        return cut, 1

    def row(self, row: tuple[Any, ...], transcript: str | None = None) -> list[str]:
        """The CSV cells of one session (also counts cut cells)."""
        values, fix = self._cells(row)
        if not fix and not self.include_transcripts:
            return values
        sid = row[0]
        cut = 0
        for i in self._untrusted if fix else ():
            v = values[i]
            if v and (v[0] in "=+-@\t\r" or len(v) > MAX_CELL_CHARS):
                values[i], n = self._fix(v, sid)
                cut += n
        for i in self._trusted if fix else ():  # our values are short; a text in them is text
            v = values[i]
            if len(v) > MAX_CELL_CHARS:
                values[i], n = self._fix(v, sid)
                cut += n
        if self.include_transcripts:
            t = transcript or ""
            if t and (t[0] in "=+-@\t\r" or len(t) > MAX_CELL_CHARS):
                t, n = self._fix(t, sid, transcript=True)
                cut += n
            values.append(t)
        if cut:
            self.cut_cells += cut
            self.cut_sessions.append(sid)
        return values

    def write_rows(self, rows: list[list[str]]) -> None:
        self._writer.writerows(rows)
        self._flush()
