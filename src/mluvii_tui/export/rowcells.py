"""Per-column cell exporters compiled once per export into one function per row.

A row is a reader tuple ``(id, *fields, params, source)`` (reader.py). ``compile_cells`` turns
the chosen columns into a single Python function that returns the row's cells as a list of
strings: no per-cell call chain, no mapping lookups. Every cell equals ``Column.export`` of the
same value (ISO 8601 times with the local offset, whole seconds, yes/no, ``text.clean``ed text);
for CSV a duration becomes two cells, seconds and h:mm:ss (csv_export.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..store.columns import Column
from ..text import clean
from .cells import hms

RowCells = Callable[[tuple[Any, ...]], list[str]]


def _iso_exact(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, tz=UTC).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError, TypeError):
        return ""


#: quarter hour (UTC epoch // 900) -> ("YYYY-MM-DDTHH:", local minute at its start, "+01:00"),
#: or None when the offset changes inside it (a few historic zones switch at odd minutes).
_blocks: dict[int, tuple[str, int, str] | None] = {}
_MISSING: tuple[str, int, str] = ("", 0, "")


def iso_time(ts: float | None) -> str:
    """``Column.export`` of a time: ISO 8601 with the local offset, whole seconds.

    Equal to ``datetime.fromtimestamp(ts, local).isoformat(timespec="seconds")``; the date, hour
    and offset are formatted once per quarter hour (every UTC offset is a multiple of 15 minutes,
    so a quarter hour is one local hour and minute range), the rest is arithmetic."""
    if ts is None:
        return ""
    if ts.__class__ is not float and ts.__class__ is not int:
        return _iso_exact(ts)
    whole = int(ts)
    if whole < 0 or ts - whole > 0.999999:  # negative, or microseconds that round up
        return _iso_exact(ts)
    key = whole // 900
    block = _blocks.get(key, _MISSING)
    if block is _MISSING:
        start = _iso_exact(key * 900)
        end = _iso_exact(key * 900 + 899)
        if len(_blocks) > 65536:
            _blocks.clear()
        ok = len(start) == 25 and end[19:] == start[19:] and end[11:13] == start[11:13]
        block = _blocks[key] = (start[:14], int(start[14:16]), start[19:]) if ok else None
    if block is None:
        return _iso_exact(ts)
    prefix, minute, offset = block
    into = whole - key * 900
    return f"{prefix}{minute + into // 60:02d}:{into % 60:02d}{offset}"


def number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


#: text.clean of a value, skipped when it could change nothing: printable ASCII.
_TEXT = (
    '("" if (v := {src}) is None else v if v.__class__ is str and v.isascii() and v.isprintable()'
    " else _clean(v))"
)


def _exprs(col: Column, index: dict[str, int], pidx: int, env: dict[str, Any], split: bool):
    if col.param is not None:
        name = f"_P{len(env)}"
        env[name] = col.param
        return [_TEXT.format(src=f"r[{pidx}].get({name})")]
    src = f"r[{index[col.field]}]"
    kind = col.kind
    if kind == "time":
        return [f"_iso({src})"]
    if kind == "duration":
        secs = f'("" if (v := {src}) is None else str(round(v)))'
        return [secs, f"_hms({src})"] if split else [secs]
    if kind == "bool":
        return [f'("" if (v := {src}) is None else "yes" if v else "no")']
    if kind == "number":
        return [f"_num({src})"]
    return [_TEXT.format(src=src)]


def compile_cells(
    columns: Sequence[Column], fields: Sequence[str], *, split_durations: bool = False
) -> RowCells:
    """One function ``row tuple -> cells``; ``fields`` is the reader's field order."""
    index = field_index(fields)
    pidx = len(fields) + 1
    env: dict[str, Any] = {"_clean": clean, "_iso": iso_time, "_hms": hms, "_num": number}
    parts: list[str] = []
    for col in columns:
        parts += _exprs(col, index, pidx, env, split_durations)
    src = "def cells(r):\n    return [" + ", ".join(parts) + "]\n"
    exec(compile(src, "<export cells>", "exec"), env)  # our own generated code, no data in it
    return env["cells"]
