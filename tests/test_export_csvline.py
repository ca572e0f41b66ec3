"""The compiled CSV lines (csvline.py) equal the plain definition of a CSV export row:
``Column.export`` of every cell (durations as seconds and h:mm:ss), formulas neutralised in
untrusted cells, cells over 32,000 characters cut, then ``csv.writer`` with QUOTE_MINIMAL."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mluvii_tui.export.cells import MAX_CELL_CHARS, cut_cell, neutralise
from mluvii_tui.export.csv_export import CsvWriter, csv_plan
from mluvii_tui.export.rowcells import needed_fields
from mluvii_tui.query.columns import column_by_id
from mluvii_tui.query.columns import format_hms as hms

COLUMNS = [
    column_by_id(c)
    for c in (
        "created",
        "channel",
        "client_name",
        "waited",
        "rating",
        "auto_accepted",
        "param:email",
    )
]
FIELDS = needed_fields(COLUMNS)
PARAMS = [c.param for c in COLUMNS if c.param is not None]

_tricky = st.sampled_from(
    ['"', ",", ";", "\t", "\r", "\n", "\r\n", "=", "+", "-", "@", " ", "'", "\x1b[31m", "\u202e"]
)
_text = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.lists(st.one_of(_tricky, st.text(max_size=4)), max_size=6).map("".join),
    st.sampled_from(["-12", "=SUM(A1)", "Chat", "Chat", "", "x" * (MAX_CELL_CHARS + 5)]),
)
_number = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from(["12", "=1+1", "a,b"]),  # text in a number column (SQLite is dynamic)
)
_row = st.tuples(
    st.integers(1, 10**9),
    st.one_of(st.none(), st.floats(0, 2e9)),  # created
    _text,  # channel
    _text,  # client_name
    st.one_of(st.none(), st.floats(-5000, 1e6, allow_nan=False)),  # waited_s
    _number,  # rating
    st.one_of(st.none(), st.integers(0, 1)),  # auto_accepted
    _text,  # param:email
)


class _Row(dict):
    """A reader tuple seen as a store row (``row[field]``, ``row.params``)."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        super().__init__(zip(["id", *FIELDS], values[: len(FIELDS) + 1], strict=True))
        self.params: dict[str, Any] = values[len(FIELDS) + 1]


def _reader_tuple(values: tuple[Any, ...]) -> tuple[Any, ...]:
    *plain, email = values
    params = {PARAMS[0]: email} if email is not None else {}
    return (*plain, params, None)


def _reference(rows: list[tuple[Any, ...]], delimiter: str) -> tuple[str, int]:
    headers, _, untrusted = csv_plan(COLUMNS)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    cut = 0
    for values in rows:
        row = _Row(_reader_tuple(values))
        cells: list[str] = []
        for col in COLUMNS:
            if col.kind == "duration":
                value = col.value(row)
                cells += [col.export(row), hms(value)] if value is not None else ["", ""]
            elif col.kind == "number" and isinstance(col.value(row), str):
                cells.append(col.value(row))  # str(value), as Column.export's _number does
            else:
                cells.append(col.export(row))
        for i, flag in enumerate(untrusted):
            value = neutralise(cells[i]) if flag else cells[i]
            cells[i], was_cut = cut_cell(value)
            cut += was_cut
        writer.writerow(cells)
    return buf.getvalue(), cut


@settings(max_examples=300, deadline=None)
@given(st.lists(_row, max_size=8), st.sampled_from([",", ";", "\t"]))
def test_lines_equal_column_export_and_csv_writer(rows: list[tuple[Any, ...]], delim: str) -> None:
    out = io.StringIO()
    writer = CsvWriter(out, COLUMNS, FIELDS, delimiter=delim)
    tuples = [_reader_tuple(r) for r in rows]
    writer.write_window(tuples[:3])
    writer.write_window(tuples[3:])  # the caches carry over between windows
    expected, cut = _reference(rows, delim)
    assert out.getvalue() == expected
    assert writer.cut_cells == cut
    assert len(writer.cut_sessions) <= cut


def test_repeated_values_are_formatted_once_and_stay_equal() -> None:
    rows = [(i, 1.7e9 + i, "=cmd|' /C calc'!A0", "Ann", 61.0, 3, 1, "a@b.cz") for i in range(1, 50)]
    out = io.StringIO()
    writer = CsvWriter(out, COLUMNS, FIELDS)
    writer.write_window([_reader_tuple(r) for r in rows])
    assert out.getvalue() == _reference(rows, ",")[0]
    parsed = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert parsed[1][1] == "'=cmd|' /C calc'!A0"
    assert parsed[1][3:5] == ["61", "0:01:01"]
