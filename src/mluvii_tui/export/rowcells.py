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
from time import localtime as _localtime
from typing import Any

from ..store.columns import Column
from ..text import clean
from .cells import MAX_CELL_CHARS, hms

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


def _block(key: int) -> tuple[str, int, str] | None:
    """The quarter hour's date, hour, first minute and offset in local time (time.localtime is
    what datetime.astimezone() reads too), or None when the offset changes inside it."""
    if len(_blocks) > 65536:
        _blocks.clear()
    try:
        start = _localtime(key * 900)
        end = _localtime(key * 900 + 899)
    except (OverflowError, OSError, ValueError):
        _blocks[key] = None
        return None
    off = start.tm_gmtoff
    if (
        off is None
        or off % 60
        or end.tm_gmtoff != off
        or end.tm_hour != start.tm_hour
        or not 1 <= start.tm_year <= 9999  # datetime's range (beyond: "")
    ):
        _blocks[key] = None
        return None
    sign = "-" if off < 0 else "+"
    hours, minutes = divmod(abs(off) // 60, 60)
    block = (
        f"{start.tm_year:04d}-{start.tm_mon:02d}-{start.tm_mday:02d}T{start.tm_hour:02d}:",
        start.tm_min,
        f"{sign}{hours:02d}:{minutes:02d}",
    )
    _blocks[key] = block
    return block


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
        block = _block(key)
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


class _CleanCache(dict):
    """text.clean of the non-ASCII values of one export: names and enum values repeat on almost
    every row. Bounded: cleared when it grows past ``limit`` entries."""

    def __init__(self, limit: int = 20000) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, value: Any) -> str:
        if len(self) >= self.limit:
            self.clear()
        out = self[value] = clean(value)
        return out


def _hms_int(total: int) -> str:
    """cells.hms of a value already rounded to whole seconds."""
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


#: text.clean of a value, skipped when it could change nothing (printable: clean changes only
#: unprintable characters) and cached for the rest up to 200 characters (``_cc``: a
#: _CleanCache, so at most ~20000 short values).
_TEXT = """    v = {src}
    if v is None:
        {out} = ""
    elif v.__class__ is str and v.isprintable():
        {out} = v
    elif v.__class__ is str and len(v) <= 200:
        {out} = _cc[v]
    else:
        {out} = _clean(v)
"""


def _statements(
    col: Column, index: dict[str, int], pidx: int, env: dict[str, Any], split: bool, n: int
) -> tuple[str, list[str]]:
    """(code, output variable names) computing one column's cells."""
    if col.param is not None:
        name = f"_P{len(env)}"
        env[name] = col.param
        return _TEXT.format(src=f"r[{pidx}].get({name})", out=f"c{n}"), [f"c{n}"]
    src = f"r[{index[col.field]}]"
    kind = col.kind
    out = f"c{n}"
    if kind == "time":
        return f"    {out} = _iso({src})\n", [out]
    if kind == "duration":
        if not split:
            code = f'    v = {src}\n    {out} = "" if v is None else str(round(v))\n'
            return code, [out]
        out2 = f"c{n + 1}"
        code = (
            f"    v = {src}\n"
            f'    if v is None:\n        {out} = {out2} = ""\n'
            f"    elif v.__class__ is float:\n"
            f"        t = round(v)\n        {out} = str(t)\n"
            f"        if t >= 0:\n"
            f'            {out2} = f"{{t // 3600}}:{{t % 3600 // 60:02d}}:{{t % 60:02d}}"\n'
            f"        else:\n            {out2} = _hms_int(t)\n"
            f"    else:\n        {out} = str(round(v))\n        {out2} = _hms(v)\n"
        )
        return code, [out, out2]
    if kind == "bool":
        return f'    v = {src}\n    {out} = "" if v is None else "yes" if v else "no"\n', [out]
    if kind == "number":
        return f"    {out} = _num({src})\n", [out]
    return _TEXT.format(src=src, out=out), [out]


def _compile(
    columns: Sequence[Column],
    fields: Sequence[str],
    split: bool,
    checks: Sequence[bool] | None,
) -> Callable[..., Any]:
    index = field_index(fields)
    pidx = len(fields) + 1
    env: dict[str, Any] = {
        "_clean": clean,
        "_cc": _CleanCache(),
        "_iso": iso_time,
        "_hms": hms,
        "_hms_int": _hms_int,
        "_num": number,
        "_MAX": MAX_CELL_CHARS,
        "_TRIGGERS": "=+-@\t\r",
    }
    body: list[str] = []
    names: list[str] = []
    short: list[bool] = []  # cells we format ourselves from numbers: never long
    for col in columns:
        code, outs = _statements(col, index, pidx, env, split, len(names))
        body.append(code)
        names += outs
        short += [col.param is None and col.kind in ("time", "duration", "bool")] * len(outs)
    result = "[" + ", ".join(names) + "]"
    if checks is not None:
        tests = [
            f"({c} and ({c}[0] in _TRIGGERS or len({c}) > _MAX))"
            if untrusted
            else f"len({c}) > _MAX"
            for c, untrusted, fixed in zip(names, checks, short, strict=True)
            if untrusted or not fixed
        ]
        result += ", " + (" or ".join(tests) or "False")
    src = "def cells(r):\n" + "".join(body) + f"    return {result}\n"
    exec(compile(src, "<export cells>", "exec"), env)  # our own generated code, no data in it
    return env["cells"]


def compile_cells(
    columns: Sequence[Column], fields: Sequence[str], *, split_durations: bool = False
) -> RowCells:
    """One function ``row tuple -> cells``; ``fields`` is the reader's field order."""
    return _compile(columns, fields, split_durations, None)


def compile_csv_cells(
    columns: Sequence[Column], fields: Sequence[str], untrusted: Sequence[bool]
) -> Callable[[tuple[Any, ...]], tuple[list[str], bool]]:
    """``row -> (cells, needs_fixing)`` with durations split; ``needs_fixing`` is true when an
    untrusted cell starts like a formula or any cell is longer than MAX_CELL_CHARS."""
    return _compile(columns, fields, True, untrusted)
