"""Per-column filters -> a parameterised SQL WHERE fragment over ``sessions s``.

Every user value travels as a ``?`` parameter; only column expressions from the column registry
(``Column.sql``) and fixed keywords are written into the SQL text. Text matching is case- and
diacritics-insensitive: session columns through the SQL function ``fold`` (``register_functions``),
call parameters through their stored folded copy ``params.value_folded`` (no Python call per row).
Operator filters ("in") search the indexed child table ``operators`` (by user id or by name);
other list columns (groups, chatbots) test membership in the joined list (see schema.py).
Time presets ("last 7 days") resolve against ``now`` (a datetime or a clock callable; default:
the real clock). Readable chip text, validation messages and server-side narrowing live in
``filterdesc``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from mluvii_tui.query.layout import LIST_SEP
from mluvii_tui.query.quickindex import QUICK_FIELDS, contains_condition
from mluvii_tui.query.timeframes import is_preset, parse_local_datetime, preset_range, to_stored
from mluvii_tui.query.types import Filter
from mluvii_tui.text import fold_value

TIME_KINDS = frozenset({"time"})
LIST_KINDS = frozenset({"person", "ids"})  # ", "-joined lists: match any one member
NUMBER_KINDS = frozenset({"number", "duration", "bool"})
PARAM_PREFIX = "param:"
#: A person column whose members may also be given by id: the column holding the ","-joined ids.
ID_COMPANIONS = {"s.operators": "s.operator_ids"}
#: Column expressions with a folded copy in the quick index (query/quickindex.py).
QUICK_COLUMNS = {f"s.{field}": col for field, col in QUICK_FIELDS.items()}
#: Person columns with a child table (one row per member, indexed by user id and by name).
MEMBER_TABLES = {"s.operators": "operators"}


def clock_now(now: Any) -> datetime | None:
    """``now`` as a datetime: called when it is a clock callable; None stays None."""
    if now is None or isinstance(now, datetime):
        return now
    moment: datetime = now()
    return moment


class ColumnLike(Protocol):
    """What filters need of a column (``columns.Column`` is one; read-only, as it is frozen)."""

    @property
    def id(self) -> str: ...
    @property
    def header(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def sql(self) -> str: ...
    @property
    def enum_values(self) -> tuple[str, ...]: ...


ResolveColumn = Callable[[str], "ColumnLike | None"]


class FilterValueError(ValueError):
    """A filter value that cannot be used; ``str(exc)`` is one line for the UI."""


# -- SQL functions ---------------------------------------------------------------------------


def fold_sql(value: object) -> str | None:
    """``fold`` for SQLite: lower-case, no diacritics; ASCII takes a fast path. The same
    function fills ``params.value_folded`` (``schema.fold_value``)."""
    return fold_value(value)


def _non_ascii(expr: str) -> str:
    """SQL: the text has a non-ASCII character (its byte length differs from its length)."""
    return f"length(CAST({expr} AS BLOB)) <> length({expr})"


def like_pattern(text: str) -> str:
    """A LIKE pattern (ESCAPE '\\') matching ``text`` anywhere, wildcards escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def contains_sql(expr: str, needle: str, params: list[Any]) -> str:
    """fold(expr) contains the folded ``needle``. ASCII text is decided by SQLite's LIKE (ASCII
    case-insensitive, which equals folding there); only other text calls Python's ``fold``."""
    params.extend((like_pattern(needle), needle))
    return f"({expr} LIKE ? ESCAPE '\\' OR ({_non_ascii(expr)} AND instr(fold({expr}), ?) > 0))"


def equals_sql(expr: str, needle: str, params: list[Any]) -> str:
    """fold(expr) equals the folded ``needle`` (ASCII text: NOCASE comparison in SQLite)."""
    params.extend((needle, needle))
    return f"({expr} = ? COLLATE NOCASE OR ({_non_ascii(expr)} AND fold({expr}) = ?))"


def register_functions(conn: sqlite3.Connection) -> None:
    """Register ``fold(text)`` on a connection (the store calls this on connect)."""
    conn.create_function("fold", 1, fold_sql, deterministic=True)


# -- values ----------------------------------------------------------------------------------

_ID_SPLIT = re.compile(r"[\s,;]+")


def parse_id_list(text: str) -> tuple[int, ...]:
    """``"123, 456 789"`` -> ``(123, 456, 789)``; ValueError with a one-line message."""
    parts = [p for p in _ID_SPLIT.split(str(text).strip()) if p]
    if not parts:
        raise ValueError("enter one or more session ids, e.g. 123, 456")
    out: list[int] = []
    for part in parts:
        clean = part.lstrip("#")
        if not clean.isdigit() or not clean.isascii():
            shown = part if len(part) <= 20 else part[:19] + "…"
            raise ValueError(f"{shown!r} is not a session id (ids are whole numbers)")
        value = int(clean)
        if value <= 0 or value >= 2**63:
            raise ValueError(f"{part} is out of range for a session id")
        if value not in out:
            out.append(value)
    return tuple(out)


_DURATION = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2})$")
_DURATION_UNITS = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?$")


def parse_duration(text: str) -> float:
    """Seconds from "90", "1:30", "1:02:03", "2m", "1h 5m", "45s". ValueError when unreadable."""
    raw = str(text).strip().lower()
    if not raw:
        raise ValueError("enter a duration, e.g. 1:30 or 90")
    try:
        value = float(raw)
    except ValueError:
        pass
    else:
        if value < 0 or value != value or value in (float("inf"),):
            raise ValueError(f"{raw!r} is not a duration")
        return value
    m = _DURATION.match(raw)
    if m:
        hours, minutes, seconds = int(m[1] or 0), int(m[2]), int(m[3])
        if seconds >= 60 or (m[1] and minutes >= 60):
            raise ValueError(f"{raw!r}: minutes and seconds go up to 59")
        return float(hours * 3600 + minutes * 60 + seconds)
    m = _DURATION_UNITS.match(raw)
    if m and any(m.groups()):
        return float(int(m[1] or 0) * 3600 + int(m[2] or 0) * 60 + int(m[3] or 0))
    shown = raw if len(raw) <= 20 else raw[:19] + "…"
    raise ValueError(f"{shown!r} is not a duration (use 1:30, 90 or 2m)")


def parse_number(text: str) -> float:
    raw = str(text).strip()
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        shown = raw if len(raw) <= 20 else raw[:19] + "…"
        raise ValueError(f"{shown!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{raw!r} is not a number")
    return value


def parse_time_bound(text: str) -> float:
    """A time bound as epoch seconds: a number (already stored form) or a local date/time."""
    raw = str(text).strip()
    try:
        return float(raw)
    except ValueError:
        pass
    moment: datetime = parse_local_datetime(raw)
    return float(to_stored(moment))


def bound_value(kind: str, text: str) -> float | str:
    """A range bound in the stored representation for a column kind."""
    if kind in TIME_KINDS:
        return parse_time_bound(text)
    if kind == "duration":
        return parse_duration(text)
    if kind in ("number", "bool", "ids"):
        return parse_number(text)
    return str(text)


def _in_value(kind: str, text: str) -> Any:
    if kind == "bool":
        low = str(text).strip().lower()
        if low in ("1", "true", "yes", "ano"):
            return 1
        if low in ("0", "false", "no", "ne"):
            return 0
        raise ValueError(f"{text!r} is not yes/no")
    if kind in ("number", "duration"):
        value = parse_number(text)
        return int(value) if value.is_integer() else value
    return str(text)


# -- SQL -------------------------------------------------------------------------------------


def _param_name(column_id: str) -> str | None:
    return column_id[len(PARAM_PREFIX) :] if column_id.startswith(PARAM_PREFIX) else None


def _range_bounds(flt: Filter, kind: str, now: datetime | None = None) -> tuple[Any, Any]:
    if kind in TIME_KINDS and flt.label and is_preset(flt.label):
        return preset_range(flt.label, now)
    low = bound_value(kind, flt.low) if flt.low not in (None, "") else None
    high = bound_value(kind, flt.high) if flt.high not in (None, "") else None
    return low, high


def _members_condition(expr: str, values: list[Any], params: list[Any]) -> str:
    """ "in" on a list column: any member equal to one of ``values`` (digits on a person
    column with ids mean a user id)."""
    members = [str(v).strip() for v in values]
    table = MEMBER_TABLES.get(expr)
    if table is not None:
        ids = [int(m) for m in members if m.isdigit() and m.isascii() and len(m) < 19]
        names = [m for m in members if not (m.isdigit() and m.isascii() and len(m) < 19)]
        parts = []
        if ids:
            parts.append(f"o.user_id IN ({', '.join('?' for _ in ids)})")
            params.extend(ids)
        if names:
            parts.append(f"o.name IN ({', '.join('?' for _ in names)})")
            params.extend(names)
        return f"s.id IN (SELECT o.session_id FROM {table} o WHERE ({' OR '.join(parts)}))"
    parts = []
    for member in members:
        parts.append(f"instr('{LIST_SEP}' || {expr} || '{LIST_SEP}', ?) > 0")
        params.append(f"{LIST_SEP}{member}{LIST_SEP}")
    return "(" + " OR ".join(parts) + ")"


def _condition(
    flt: Filter,
    expr: str,
    kind: str,
    params: list[Any],
    now: datetime | None = None,
    folded: str | None = None,
    scan: bool = False,
    indexed: bool = True,
) -> str:
    """SQL condition on ``expr`` (a trusted column expression) for one filter; ``folded``: an
    expression holding the folded value already (params.value_folded); ``indexed``: the quick
    index describes every session (``quickindex.follows``)."""
    op = flt.op
    if op == "empty":
        return f"({expr} IS NULL OR {expr} = '')"
    if op == "not_empty":
        return f"({expr} IS NOT NULL AND {expr} <> '')"
    if op == "in":
        values = [v for v in flt.values]
        if not values:
            return "1"
        if kind in LIST_KINDS:
            return _members_condition(expr, values, params)
        converted = [_in_value(kind, v) for v in values]
        params.extend(converted)
        return f"{expr} IN ({', '.join('?' for _ in converted)})"
    if op == "range":
        low, high = _range_bounds(flt, kind, now)
        parts = []
        if low is not None:
            parts.append(f"{expr} >= ?")
            params.append(low)
        if high is not None:
            parts.append(f"{expr} <= ?")
            params.append(high)
        return "(" + " AND ".join(parts) + ")" if parts else "1"
    if op in ("contains", "equals"):
        needles = [fold_value(str(v)) for v in flt.values if str(v) != ""]
        if not needles:
            return "1"
        quick_col = QUICK_COLUMNS.get(expr) if indexed else None
        if op == "contains" and quick_col is not None:
            return contains_condition([quick_col], needles, params, scan=scan)
        if folded is None:
            build = equals_sql if op == "equals" else contains_sql
            return "(" + " OR ".join(build(expr, n, params) for n in needles) + ")"
        if op == "equals":
            params.extend(needles)
            if len(needles) == 1:
                return f"{folded} = ?"
            return f"{folded} IN ({', '.join('?' for _ in needles)})"
        parts = []
        for needle in needles:
            parts.append(f"instr({folded}, ?) > 0")
            params.append(needle)
        return "(" + " OR ".join(parts) + ")"
    raise FilterValueError(f"unknown filter operation {op!r}")


def filter_sql(
    flt: Filter,
    resolve_column: ResolveColumn,
    *,
    now: Any = None,
    scan: bool = False,
    indexed: bool = True,
) -> tuple[str, list[Any]]:
    """One filter -> ``(sql, params)``. Raises FilterValueError for an unusable filter.
    ``now``: the clock for time presets (a datetime, a callable returning one, or None).
    ``scan``: a "contains" on a quick-index column tests the row's stored folded text instead
    of asking the trigram index (the same matches; cheaper for the first rows of a broad one).
    ``indexed=False``: the quick index lags behind the sessions (a first sync is loading them):
    a "contains" folds the session column itself."""
    now = clock_now(now)
    params: list[Any] = []
    name = _param_name(flt.column)
    if name is not None:
        if flt.op == "empty":
            params.append(name)
            return (
                "s.id NOT IN (SELECT p.session_id FROM params p WHERE p.name = ?"
                " AND p.value IS NOT NULL AND p.value <> '')",
                params,
            )
        params.append(name)
        try:
            cond = _condition(flt, "p.value", "text", params, now, folded="p.value_folded")
        except ValueError as exc:
            raise FilterValueError(f"{name}: {exc}") from None
        return (f"s.id IN (SELECT p.session_id FROM params p WHERE p.name = ? AND {cond})", params)
    column = resolve_column(flt.column)
    if column is None:
        raise FilterValueError(f"unknown column {flt.column!r}")
    try:
        cond = _condition(flt, column.sql, column.kind, params, now, scan=scan, indexed=indexed)
    except FilterValueError:
        raise
    except ValueError as exc:
        raise FilterValueError(f"{column.header}: {exc}") from None
    return cond, params


def filters_sql(
    filters: Iterable[Filter],
    resolve_column: ResolveColumn,
    *,
    now: Any = None,
    scan: bool = False,
    indexed: bool = True,
) -> tuple[str, list[Any]]:
    """AND of all filters as a WHERE fragment (``"1"`` when there are none) and its parameters.
    ``now``: the clock for time presets (a datetime, a callable returning one, or None);
    ``scan``, ``indexed``: see ``filter_sql``."""
    now = clock_now(now)
    parts: list[str] = []
    params: list[Any] = []
    for flt in filters:
        sql, values = filter_sql(flt, resolve_column, now=now, scan=scan, indexed=indexed)
        if sql != "1":
            parts.append(sql)
            params.extend(values)
    if not parts:
        return "1", []
    return " AND ".join(parts), params
