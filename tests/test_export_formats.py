"""One definition of a column's formats (store/columns.py KIND_FORMATS): ``Column.text`` and
``Column.export`` are the plain reference formatters of each kind, and the exporters' generated
code (rowcells.compile_cells for HTML, csvline.compile_csv_line for CSV) gives exactly
``Column.export`` of every column, whatever the values (property test over every column)."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mluvii_tui.export.cells import MAX_CELL_CHARS, cut_cell, neutralise
from mluvii_tui.export.csv_export import CsvWriter, csv_plan
from mluvii_tui.export.rowcells import compile_cells, needed_fields
from mluvii_tui.query.columns import (
    KIND_FORMATS,
    all_columns,
    format_duration,
    format_hms,
    format_number,
    format_time,
    format_time_iso,
)
from mluvii_tui.text import clean, one_line

COLUMNS = all_columns(["email", "note"])
FIELDS = needed_fields(COLUMNS)
PARAMS = [c.param for c in COLUMNS if c.param is not None]

_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["=SUM(A1)", "-12", 'a "b", c', "x\r\ny", "\x1b[31mred", "\u202etxt", "  a "]),
    st.just("y" * (MAX_CELL_CHARS + 3)),
)
#: Values by kind, plus values of other types (SQLite keeps whatever was written).
_VALUES = {
    "time": st.one_of(st.floats(0, 4e9), st.integers(0, 4 * 10**9)),
    "duration": st.one_of(st.floats(-1e5, 1e7), st.integers(-(10**5), 10**7)),
    "bool": st.one_of(st.integers(0, 1), st.booleans()),
    "number": st.one_of(
        st.integers(-(10**9), 10**9), st.floats(-1e9, 1e9), st.sampled_from(["12", "=1+1"])
    ),
    "text": _text,
}


def _value(col: Any) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), _VALUES[col.format_kind])


_rows = st.lists(st.tuples(*(_value(c) for c in COLUMNS)), min_size=1, max_size=5)


class _Row(dict):
    """Column values seen as a store row (``row[field]``, ``row.params``)."""

    def __init__(self, sid: int, values: tuple[Any, ...]) -> None:
        super().__init__()
        self.params: dict[str, Any] = {}
        for col, value in zip(COLUMNS, values, strict=True):
            if col.param is not None:
                if value is not None:
                    self.params[col.param] = value
            else:
                self[col.field] = value
        self["id"] = sid  # a reader row's first item


def _reader_tuple(sid: int, row: _Row) -> tuple[Any, ...]:
    return (sid, *(row[f] for f in FIELDS), row.params, None)


def test_the_table_is_the_reference_formatters() -> None:
    """Each kind's expressions are the plain formatters the app has always used."""
    by_kind = {c.format_kind: c for c in COLUMNS if c.param is None}
    samples = {
        "time": [0, 1.7e9, 1.7e9 + 0.9999996],
        "duration": [0, 59.5, 61, 3725, -90],
        "bool": [0, 1, True],
        "number": [3, 3.0, 2.5, "x"],
        "text": ["a\x1b[31m b\n c", "\u200bok", 5],
    }
    display = {
        "time": format_time,
        "duration": format_duration,
        "bool": lambda v: "yes" if v else "",
        "number": format_number,
        "text": one_line,
    }
    export = {
        "time": format_time_iso,
        "duration": lambda v: str(round(v)),
        "bool": lambda v: "yes" if v else "no",
        "number": format_number,
        "text": clean,
    }
    assert set(KIND_FORMATS) == set(samples)
    for kind, values in samples.items():
        col = by_kind[kind]
        for v in values:
            row = {col.field: v}
            assert col.text(row) == display[kind](v)
            assert col.export(row) == export[kind](v)
        assert col.text({col.field: None}) == col.export({col.field: None}) == ""


@settings(max_examples=60, deadline=None)
@given(_rows)
def test_html_cells_are_column_export(rows: list[tuple[Any, ...]]) -> None:
    cells = compile_cells(COLUMNS, FIELDS)
    for sid, values in enumerate(rows, start=1):
        row = _Row(sid, values)
        assert cells(_reader_tuple(sid, row)) == [c.export(row) for c in COLUMNS]


@settings(max_examples=60, deadline=None)
@given(_rows, st.sampled_from([",", ";", "\t"]))
def test_csv_fields_read_back_as_column_export(rows: list[tuple[Any, ...]], delim: str) -> None:
    """Read back with the csv module, every field is ``Column.export`` (a duration also as
    h:mm:ss), neutralised when untrusted and cut when too long."""
    out = io.StringIO()
    writer = CsvWriter(out, COLUMNS, FIELDS, delimiter=delim)
    writer.write_window([_reader_tuple(i, _Row(i, v)) for i, v in enumerate(rows, start=1)])
    headers, sources, untrusted = csv_plan(COLUMNS)
    parsed = list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=delim))
    assert parsed[0] == headers
    assert len(parsed) == len(rows) + 1
    for sid, (values, line) in enumerate(zip(rows, parsed[1:], strict=True), start=1):
        row = _Row(sid, values)
        assert len(line) == len(sources)
        for i, (col, field) in enumerate(zip(sources, line, strict=True)):
            expected = col.export(row)
            if col.format_kind == "duration" and i and sources[i - 1] is col:
                expected = format_hms(col.value(row))
            assert field == cut_cell(neutralise(expected) if untrusted[i] else expected)[0]
