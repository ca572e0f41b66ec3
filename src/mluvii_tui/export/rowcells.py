"""Per-column cell exporters compiled once per export into one function per row.

A row is a reader tuple ``(id, *fields, params, source)`` (reader.py). ``compile_cells`` turns
the chosen columns into a single Python function that returns the row's cells as a list of
strings: no per-cell call chain, no mapping lookups. Each cell is its kind's ``export``
expression (store/columns.py KIND_FORMATS), the very one ``Column.export`` is compiled from.
CSV lines have their own compiled function (csvline.py), built on the same pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mluvii_tui.query.columns import FORMAT_ENV, Column

RowCells = Callable[[tuple[Any, ...]], list[str]]


def field_index(fields: Sequence[str]) -> dict[str, int]:
    """Tuple index of each field in a reader row (``id`` is always 0)."""
    index = {"id": 0}
    for i, f in enumerate(fields, start=1):
        index.setdefault(f, i)
    return index


def needed_fields(columns: Sequence[Column]) -> list[str]:
    """The sessions-table fields the columns read (``id`` excluded: it is always there)."""
    out: list[str] = []
    for c in columns:
        if c.param is None and c.field and c.field != "id" and c.field not in out:
            out.append(c.field)
    return out


def column_source(col: Column, index: dict[str, int], pidx: int, env: dict[str, Any]) -> str:
    """The expression that reads the column's value from a reader row ``r`` (a parameter: from
    the row's params dict at ``pidx``, its name bound in the generated code's ``env``)."""
    if col.param is not None:
        name = f"_P{len(env)}"
        env[name] = col.param
        return f"r[{pidx}].get({name})"
    return f"r[{index[col.field]}]"


def compile_row(
    columns: Sequence[Column],
    fields: Sequence[str],
    env: dict[str, Any],
    cell: Callable[[Column], tuple[str, str]],
    result: str,
) -> Callable[[tuple[Any, ...]], Any]:
    """``def row(r)`` setting one variable per column to ``empty if v is None else expr``
    (``cell(col)`` gives both), returning ``result`` of ``cells`` (their names, comma-joined);
    ``env``: FORMAT_ENV and the names the expressions use besides."""
    index = field_index(fields)
    pidx = len(fields) + 1
    env = {**FORMAT_ENV, **env}
    body = ["def row(r):\n    sid = r[0]\n"]
    for n, col in enumerate(columns):
        empty, expr = cell(col)
        src = column_source(col, index, pidx, env)
        body.append(f"    v = {src}\n    c{n} = {empty} if v is None else ({expr})\n")
    cells = ", ".join(f"c{n}" for n in range(len(columns)))
    body.append(f"    return {result.format(cells=cells)}\n")
    exec(compile("".join(body), "<export row>", "exec"), env)  # our own code, no data in it
    row: Callable[[tuple[Any, ...]], Any] = env["row"]
    return row


def compile_cells(
    columns: Sequence[Column], fields: Sequence[str], *, human: bool = False
) -> RowCells:
    """One function ``row tuple -> cells`` (``Column.export`` of each column, or with ``human``
    ``Column.html``); ``fields`` is the reader's field order."""

    def form(c: Column) -> tuple[str, str]:
        return '""', (c.format.html or c.format.export) if human else c.format.export

    return compile_row(columns, fields, {}, form, "[{cells}]")
