"""Filters for people and for the server: validation messages, chip text, API narrowing.

``validate_filter`` and ``describe_filter`` give one-line texts for the UI; ``to_session_filter``
translates what ``GET /api/v1/Sessions`` can do itself into a ``SessionFilter`` so a sync fetches
only what the local filters could ever show (always a superset of the local result).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mluvii_tui.query.filters import (
    PARAM_PREFIX,
    TIME_KINDS,
    ColumnLike,
    _in_value,
    bound_value,
    clock_now,
    parse_duration,
)
from mluvii_tui.query.timeframes import is_preset, resolve_preset
from mluvii_tui.query.types import FILTER_OPS, Filter
from mluvii_tui.text import cut, one_line

if TYPE_CHECKING:  # the API's filters load with the first narrowed sync, not at start
    from mluvii_tui.api.filters import SessionFilter


def _header(flt: Filter, column: ColumnLike | None) -> str:
    if column is not None:
        return one_line(column.header, 40)
    if flt.column.startswith(PARAM_PREFIX):
        return one_line(flt.column[len(PARAM_PREFIX) :], 40)
    return one_line(flt.column, 40)


def validate_filter(flt: Filter, column: ColumnLike | None) -> str | None:
    """None when the filter can be used, else a one-line message naming the problem."""
    is_param = flt.column.startswith(PARAM_PREFIX)
    if column is None and not is_param:
        return f"unknown column {one_line(flt.column, 40)!r}"
    name = _header(flt, column)
    kind = column.kind if column is not None and not is_param else "text"
    if flt.op not in FILTER_OPS:
        return f"{name}: unknown filter operation {one_line(flt.op, 20)!r}"
    if flt.op in ("empty", "not_empty"):
        return None
    if flt.op == "in":
        if not flt.values:
            return f"{name}: choose at least one value"
        if kind in ("number", "duration", "bool"):
            for value in flt.values:
                try:
                    _in_value(kind, value)
                except ValueError as exc:
                    return f"{name}: {exc}"
        return None
    if flt.op in ("contains", "equals"):
        if not any(str(v).strip() for v in flt.values):
            return f"{name}: enter some text"
        return None
    # range
    if kind in TIME_KINDS and flt.label and is_preset(flt.label):
        return None
    if flt.low in (None, "") and flt.high in (None, ""):
        return f"{name}: enter a minimum, a maximum or both"
    bounds: list[Any] = []
    for label, raw in (("minimum", flt.low), ("maximum", flt.high)):
        if raw in (None, ""):
            bounds.append(None)
            continue
        try:
            bounds.append(bound_value(kind, raw))
        except ValueError as exc:
            return f"{name} {label}: {exc}"
    low, high = bounds
    if low is not None and high is not None and low > high:
        return f"{name}: the minimum is after the maximum"
    return None


def _time_text(raw: str) -> str:
    try:
        value = bound_value("time", raw)
    except ValueError:
        return one_line(raw, 30)
    moment = datetime.fromtimestamp(float(value), UTC).astimezone()
    if moment.hour == moment.minute == moment.second == 0:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


def _duration_text(raw: str) -> str:
    try:
        secs = round(parse_duration(raw))
    except ValueError:
        return one_line(raw, 20)
    hours, rest = divmod(secs, 3600)
    minutes, sec = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"


def _bound_text(kind: str, raw: str) -> str:
    if kind in TIME_KINDS:
        return _time_text(raw)
    if kind == "duration":
        return _duration_text(raw)
    return one_line(raw, 30)


def describe_filter(flt: Filter, column: ColumnLike | None, max_width: int = 60) -> str:
    """Chip text: "Channel: WhatsApp, Chat", "Ended: last 7 days", "Wait: 1:00–5:00",
    "URL contains shop", "Email is empty". Values are cleaned, one line, cut to ``max_width``."""
    name = _header(flt, column)
    is_param = flt.column.startswith(PARAM_PREFIX)
    kind = column.kind if column is not None and not is_param else "text"
    op = flt.op
    if op == "empty":
        text = f"{name} is empty"
    elif op == "not_empty":
        text = f"{name} is not empty"
    elif op in ("contains", "equals"):
        verb = "contains" if op == "contains" else "is"
        values = " or ".join(one_line(v, 40) for v in flt.values)
        text = f"{name} {verb} {values}"
    elif op == "in":
        shown = [one_line(v, 30) for v in flt.values[:4]]
        more = len(flt.values) - len(shown)
        text = f"{name}: {', '.join(shown)}" + (f" +{more}" if more > 0 else "")
    elif op == "range":
        if flt.label and (kind not in TIME_KINDS or is_preset(flt.label)):
            text = f"{name}: {one_line(flt.label, 30)}"
        else:
            low = _bound_text(kind, flt.low) if flt.low not in (None, "") else ""
            high = _bound_text(kind, flt.high) if flt.high not in (None, "") else ""
            if low and high:
                text = f"{name}: {low}–{high}"
            elif low:
                text = f"{name}: from {low}" if kind in TIME_KINDS else f"{name}: ≥ {low}"
            elif high:
                text = f"{name}: until {high}" if kind in TIME_KINDS else f"{name}: ≤ {high}"
            else:
                text = f"{name}: any"
    else:
        text = f"{name}: {one_line(op, 20)}"
    return cut(text, max_width)


# -- server-side narrowing ---------------------------------------------------------------------

_TIME_FIELDS = {
    "created": "created",
    "ended": "ended",
    "started": "accepted",
    "accepted": "accepted",
    "guest_joined": "guest_joined",
}
_DURATION_FIELDS = {"waited": "waiting_time", "length": "duration"}
_LIST_FIELDS = {
    "channel": "channel",
    "source": "source",
    "status": "status",
    "end_reason": "termination_reason",
    "browser": "browser",
    "os": "os",
    "guest_left": "guest_left_session",
}


def _stamp(raw: str | None) -> datetime | None:
    if raw in (None, ""):
        return None
    return datetime.fromtimestamp(float(bound_value("time", raw)), UTC)


def _one(flt: Filter, changes: dict[str, Any], now: datetime | None = None) -> None:
    from mluvii_tui.api.filters import DateTimeFilter, TextFilter, TimeSpanFilter

    col, op = flt.column, flt.op
    if col in _TIME_FIELDS:
        field = _TIME_FIELDS[col]
        if op == "range":
            when: tuple[datetime | None, datetime | None]
            if flt.label and is_preset(flt.label):
                when = resolve_preset(flt.label, now)
            else:
                when = _stamp(flt.low), _stamp(flt.high)
            changes[field] = DateTimeFilter(min=when[0], max=when[1])
        elif op in ("empty", "not_empty"):
            changes[field] = DateTimeFilter(null=op == "empty")
    elif col in _DURATION_FIELDS and op == "range":
        shortest = timedelta(seconds=parse_duration(flt.low)) if flt.low else None
        longest = timedelta(seconds=parse_duration(flt.high)) if flt.high else None
        changes[_DURATION_FIELDS[col]] = TimeSpanFilter(min=shortest, max=longest)
    elif col in _LIST_FIELDS and op == "in" and flt.values:
        changes[_LIST_FIELDS[col]] = tuple(flt.values)
    elif col == "id" and op == "in" and flt.values:
        changes["session_id"] = tuple(int(float(v)) for v in flt.values)
    elif col == "operators" and op == "in" and flt.values:
        if all(str(v).strip().isdigit() for v in flt.values):
            changes["operator_user_id"] = tuple(int(v) for v in flt.values)
    elif col == "url" and op == "contains" and len(flt.values) == 1:
        changes["landing_page"] = TextFilter(text=str(flt.values[0]))


def to_session_filter(
    filters: Iterable[Filter],
    search: str = "",
    base: SessionFilter | None = None,
    now: Any = None,
) -> SessionFilter:
    """The part of ``filters`` (and of a search) the API can apply, as a ``SessionFilter``.

    ``now`` is the clock time presets resolve against: a datetime, a callable returning one
    (e.g. ``MluviiApp.now``) or None for the real clock.

    Filters the API cannot express are left out (the result stays a superset). A search is sent
    as ``ActivityTextsContain`` only when it is a single plain word without diacritics-sensitive
    risk (the server knows no inflections, so anything more could drop real matches).
    Unusable filters are skipped (``validate_filter`` reports them to the user).
    """
    from mluvii_tui.api.filters import SessionFilter

    changes: dict[str, Any] = {}
    moment = clock_now(now)
    for flt in filters:
        try:
            probe: dict[str, Any] = {}
            _one(flt, probe, moment)
        except (ValueError, TypeError, OverflowError):
            continue
        for key, value in probe.items():
            changes.setdefault(key, value)  # a second filter on the same field only narrows more
    if search.strip():
        from mluvii_tui.query.search import SearchSyntaxError, compile_search

        try:
            compiled = compile_search(search)
        except SearchSyntaxError:
            compiled = None
        if compiled is not None and len(compiled.terms) == 1:
            term = compiled.terms[0]
            text = " ".join(term.words)
            if term.kind in ("prefix", "phrase") and text.isascii() and len(text) >= 3:
                changes["activity_texts_contain"] = text
    result = base or SessionFilter()
    return result.replace(**changes) if changes else result
