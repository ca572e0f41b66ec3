"""Per-column cell exporters compiled once per export into one function per row.

A row is a reader tuple ``(id, *fields, params, source)`` (reader.py). ``compile_cells`` turns
the chosen columns into a single Python function that returns the row's cells as a list of
strings: no per-cell call chain, no mapping lookups. Every cell equals ``Column.export`` of the
same value (ISO 8601 times with the local offset, whole seconds, yes/no, ``text.clean``ed text).
CSV lines have their own compiled function (csvline.py), built on the same pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from time import localtime as _localtime
from typing import Any

from mluvii_tui.query.columns import Column
from mluvii_tui.text import clean

from .cells import Memo

RowCells = Callable[[tuple[Any, ...]], list[str]]


def _iso_exact(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, tz=UTC).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError, TypeError):
        return ""


#: quarter hour (UTC epoch // 900) -> (its 15 minutes as "YYYY-MM-DDTHH:MM:", "+01:00"), or None
#: when the offset changes inside it (a few historic zones switch at odd minutes).
_blocks: dict[int, tuple[list[str], str] | None] = {}
_MISSING: tuple[list[str], str] = ([], "")
_SECONDS = [f"{s:02d}" for s in range(60)]


def _block(key: int) -> tuple[list[str], str] | None:
    """The quarter hour's minutes and offset in local time (time.localtime is what
    datetime.astimezone() reads too), or None when the offset changes inside it."""
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
    hour = f"{start.tm_year:04d}-{start.tm_mon:02d}-{start.tm_mday:02d}T{start.tm_hour:02d}:"
    block = (
        [f"{hour}{start.tm_min + k:02d}:" for k in range(15)],
        f"{sign}{hours:02d}:{minutes:02d}",
    )
    _blocks[key] = block
    return block


def iso_time(ts: float | None) -> str:
    """``Column.export`` of a time: ISO 8601 with the local offset, whole seconds.

    Equal to ``datetime.fromtimestamp(ts, local).isoformat(timespec="seconds")``; the date, hour,
    minutes and offset are formatted once per quarter hour (every UTC offset is a multiple of 15
    minutes, so a quarter hour is one local hour and minute range), the rest is two lookups."""
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
    minutes, seconds = divmod(whole - key * 900, 60)
    return block[0][minutes] + _SECONDS[seconds] + block[1]


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


#: text.clean of a value, skipped when it could change nothing (printable: clean changes only
#: unprintable characters) and cached for the rest up to 200 characters (``_cc``: a Memo).
_TEXT = """    v = {src}
    if v is None:
        {a} = ""
    elif v.__class__ is str and v.isprintable():
        {a} = v
    elif v.__class__ is str and len(v) <= 200:
        {a} = _cc[v]
    else:
        {a} = _clean(v)
"""


def column_source(col: Column, index: dict[str, int], pidx: int, env: dict[str, Any]) -> str:
    """The expression that reads the column's value from a reader row ``r`` (a parameter: from
    the row's params dict at ``pidx``, its name bound in the generated code's ``env``)."""
    if col.param is not None:
        name = f"_P{len(env)}"
        env[name] = col.param
        return f"r[{pidx}].get({name})"
    return f"r[{index[col.field]}]"


#: Code per column kind (``text``: parameters and every other kind); ``{src}`` reads the value,
#: ``{a}`` (and ``{b}``, a second cell) receive the cells.
CELL_CODE = {
    "time": "    {a} = _iso({src})\n",
    "duration": '    v = {src}\n    {a} = "" if v is None else str(round(v))\n',
    "bool": '    v = {src}\n    {a} = "" if v is None else "yes" if v else "no"\n',
    "number": "    {a} = _num({src})\n",
    "text": _TEXT,
}


def column_code(
    col: Column,
    index: dict[str, int],
    pidx: int,
    env: dict[str, Any],
    n: int,
    code: dict[str, str],
) -> str:
    """The ``code`` template of the column's kind, setting ``c<n>`` (and ``c<n+1>``)."""
    src = column_source(col, index, pidx, env)
    kind = "text" if col.param is not None else col.kind
    return code.get(kind, code["text"]).format(src=src, a=f"c{n}", b=f"c{n + 1}")


def compile_cells(columns: Sequence[Column], fields: Sequence[str]) -> RowCells:
    """One function ``row tuple -> cells``; ``fields`` is the reader's field order."""
    index = field_index(fields)
    pidx = len(fields) + 1
    env: dict[str, Any] = {"_clean": clean, "_cc": Memo(clean), "_iso": iso_time, "_num": number}
    body = [column_code(col, index, pidx, env, n, CELL_CODE) for n, col in enumerate(columns)]
    names = ", ".join(f"c{n}" for n in range(len(columns)))
    src = "def cells(r):\n" + "".join(body) + f"    return [{names}]\n"
    exec(compile(src, "<export cells>", "exec"), env)  # our own generated code, no data in it
    return env["cells"]
