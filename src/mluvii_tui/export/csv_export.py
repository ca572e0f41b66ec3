"""CSV from store rows: RFC 4180 quoting (csv module, CRLF), formulas neutralised, long cells cut.

One row per session. Times are ISO 8601 with offset; each duration column becomes two: seconds and
h:mm:ss; call parameters are ``param:<name>`` columns; ``Transcript`` (optional) holds the whole
transcript as plain text. See cells.py for the neutralisation and cutting rules.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import IO, Any

from ..store.columns import Column
from ..text import clean
from .cells import MAX_CELL_CHARS, cut_cell, hms, neutralise

#: Column kinds whose cells we generate ourselves (numbers, ISO times, yes/no): never formulas.
_TRUSTED_KINDS = frozenset({"time", "duration", "number", "bool"})
TRANSCRIPT_HEADER = "Transcript"

Cell = Callable[[Any], str]


def column_header(col: Column) -> str:
    return col.id if col.param is not None else col.header


_tz_cache: dict[int, timezone] = {}


def _local_tz(ts: float) -> timezone:
    """The local UTC offset at ``ts`` (cached per quarter hour: offsets change on those)."""
    key = int(ts // 900)
    tz = _tz_cache.get(key)
    if tz is None:
        offset = datetime.fromtimestamp(key * 900, tz=UTC).astimezone().utcoffset()
        tz = _tz_cache[key] = timezone(offset or timedelta(0))
    return tz


def fast_cell(col: Column) -> Cell:
    """A cell function equal to ``col.export`` but cheaper (it runs for every row)."""
    if col.param is not None:
        name = col.param

        def param(row: Any) -> str:
            v = row.params.get(name)
            if v is None:
                return ""
            return v if v.isascii() and v.isprintable() else clean(v)

        return param
    key = col.field
    if col.kind == "time":

        def when(row: Any) -> str:
            ts = row[key]
            if ts is None:
                return ""
            try:
                return datetime.fromtimestamp(ts, _local_tz(ts)).isoformat(timespec="seconds")
            except (OverflowError, OSError, ValueError):
                return ""

        return when
    if col.kind in ("text", "person", "ids", "enum"):

        def text(row: Any) -> str:
            v = row[key]
            if v is None:
                return ""
            if isinstance(v, str) and v.isascii() and v.isprintable():
                return v
            return clean(v)

        return text
    return col.export


def _seconds(col: Column) -> Cell:
    key = col.field

    def cell(row: Any) -> str:
        v = row[key]
        return "" if v is None else str(round(v))

    return cell


def _hms(col: Column) -> Cell:
    key = col.field

    def cell(row: Any) -> str:
        v = row[key]
        return "" if v is None else hms(v)

    return cell


def csv_plan(columns: Sequence[Column]) -> tuple[list[str], list[Cell], list[bool]]:
    """(headers, cell functions, needs-neutralising flags), one entry per output column."""
    headers: list[str] = []
    cells: list[Cell] = []
    untrusted: list[bool] = []
    for col in columns:
        if col.kind == "duration":
            headers += [f"{col.header} (s)", f"{col.header} (h:mm:ss)"]
            cells += [_seconds(col), _hms(col)]
            untrusted += [False, False]
        else:
            headers.append(column_header(col))
            cells.append(fast_cell(col))
            untrusted.append(col.kind not in _TRUSTED_KINDS or col.param is not None)
    return headers, cells, untrusted


class CsvWriter:
    """Writes the header and one row per session; counts the cells it had to cut."""

    def __init__(
        self,
        out: IO[str],
        columns: Sequence[Column],
        *,
        delimiter: str = ",",
        include_transcripts: bool = False,
        side_file: IO[str] | None = None,
        side_name: str = "",
    ) -> None:
        self._writer = csv.writer(
            out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
        )
        headers, self._cells, untrusted = csv_plan(columns)
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

    def _fix(self, value: str, session_id: int, transcript: bool = False) -> tuple[str, int]:
        value = neutralise(value)
        if len(value) <= MAX_CELL_CHARS:
            return value, 0
        where = self._side_name if transcript and self._side is not None else ""
        cut, _ = cut_cell(value, MAX_CELL_CHARS, where)
        if where and self._side is not None:
            self._side.write(f"=== Session {session_id} ===\n{value}\n\n")
        return cut, 1

    def row(self, row: Any, transcript: str | None = None) -> list[str]:
        """The CSV cells of one session (also counts cut cells)."""
        values = [fn(row) for fn in self._cells]
        cut = 0
        for i in self._untrusted:
            v = values[i]
            if v and (v[0] in "=+-@\t\r" or len(v) > MAX_CELL_CHARS):
                values[i], n = self._fix(v, row.id)
                cut += n
        for i in self._trusted:  # our own values are short, but a text in them is still text
            v = values[i]
            if len(v) > MAX_CELL_CHARS:
                values[i], n = self._fix(v, row.id)
                cut += n
        if self.include_transcripts:
            t = transcript or ""
            if t and (t[0] in "=+-@\t\r" or len(t) > MAX_CELL_CHARS):
                t, n = self._fix(t, row.id, transcript=True)
                cut += n
            values.append(t)
        if cut:
            self.cut_cells += cut
            self.cut_sessions.append(row.id)
        return values

    def write_rows(self, rows: list[list[str]]) -> None:
        self._writer.writerows(rows)
