"""The column registry: every column of the sessions table defined once (header, width, kind,
SQL expression for sort/filter, display and export form)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from mluvii_tui.api.enums import (
    FeedbackScale,
    GuestBrowserType,
    GuestLeftSessionInState,
    GuestOSType,
    SessionChannel,
    SessionSource,
    SessionStatus,
    SessionTerminationReason,
)
from mluvii_tui.text import clean, one_line

PARAM_PREFIX = "param:"

#: "person": a ", "-joined list of names (operators, groups, chatbots); filters test membership.
KINDS = ("time", "duration", "enum", "text", "number", "bool", "person", "ids")


def _values(enum_cls: type[StrEnum]) -> tuple[str, ...]:
    return tuple(m.value for m in enum_cls)


def sql_literal(text: str) -> str:
    """A SQL string literal (for names that are part of an expression, never user input values)."""
    return "'" + text.replace("\x00", "").replace("'", "''") + "'"


def format_time(ts: float | None) -> str:
    if ts is None:
        return ""
    try:
        return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""


def format_time_iso(ts: float | None) -> str:
    if ts is None:
        return ""
    try:
        return datetime.fromtimestamp(ts, tz=UTC).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return ""


def format_duration(secs: float | None) -> str:
    if secs is None:
        return ""
    total = round(secs)
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, sec = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{sec:02d}"
    return f"{sign}{minutes}:{sec:02d}"


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Column:
    id: str  # "created", "channel", "param:email", ...
    header: str
    width: int
    kind: str  # time | duration | enum | text | number | bool | person | ids
    sql: str  # expression over table alias s (ORDER BY / WHERE)
    align: str = "left"
    basic: bool = False
    enum_values: tuple[str, ...] = ()
    field: str = ""  # SessionRow key ("" for param columns)
    param: str | None = None  # callParam name for "param:<name>" columns

    def value(self, row: Any) -> Any:
        if self.param is not None:
            return row.params.get(self.param)
        return row[self.field]

    def text(self, row: Any) -> str:
        """One line, display form (local time, m:ss durations, yes/'' booleans)."""
        value = self.value(row)
        if value is None:
            return ""
        kind = self.kind
        if kind == "time":
            return format_time(value)
        if kind == "duration":
            return format_duration(value)
        if kind == "bool":
            return "yes" if value else ""
        if kind == "number":
            return _number(value)
        return one_line(value)

    def export(self, row: Any) -> str:
        """CSV/HTML form: ISO 8601 times with offset, whole seconds, full cleaned text."""
        value = self.value(row)
        if value is None:
            return ""
        kind = self.kind
        if kind == "time":
            return format_time_iso(value)
        if kind == "duration":
            return str(round(value))
        if kind == "bool":
            return "yes" if value else "no"
        if kind == "number":
            return _number(value)
        return clean(value)


def _col(
    id: str,
    header: str,
    width: int,
    kind: str,
    field: str | None = None,
    *,
    basic: bool = False,
    enum_cls: type[StrEnum] | None = None,
    align: str | None = None,
) -> Column:
    f = field or id
    if align is None:
        align = "right" if kind in ("duration", "number") else "left"
    return Column(
        id=id,
        header=header,
        width=width,
        kind=kind,
        sql=f"s.{f}",
        align=align,
        basic=basic,
        enum_values=_values(enum_cls) if enum_cls else (),
        field=f,
    )


_ALL: list[Column] = [
    _col("id", "Session ID", 10, "number"),
    _col("created", "Created", 16, "time", basic=True),
    _col("guest_joined", "Guest joined", 16, "time"),
    _col("started", "Accepted", 16, "time"),
    _col("ended", "Ended", 16, "time"),
    _col("waited", "Waited", 7, "duration", "waited_s", basic=True),
    _col("length", "Length", 8, "duration", "length_s", basic=True),
    _col("channel", "Channel", 6, "enum", basic=True, enum_cls=SessionChannel),
    _col("source", "Source", 12, "enum", basic=True, enum_cls=SessionSource),
    _col("status", "Status", 9, "enum", basic=True, enum_cls=SessionStatus),
    _col("operators", "Operator", 18, "person", basic=True),
    _col("groups", "Group", 14, "person"),  # ", "-joined group names: "in" = membership
    _col("chatbot", "Chatbot", 12, "person"),
    _col("client_name", "Client", 18, "person", basic=True),
    _col("client_email", "E-mail", 22, "text"),
    _col("client_phone", "Phone", 14, "text"),
    _col("client_id", "Client ID", 12, "ids"),
    _col("ip", "IP", 15, "text"),
    _col("browser", "Browser", 10, "enum", enum_cls=GuestBrowserType),
    _col("os", "OS", 8, "enum", enum_cls=GuestOSType),
    _col("language", "Language", 8, "text"),
    _col("url", "URL", 30, "text"),
    _col("widget", "Widget", 12, "text"),
    _col("tags", "Tags", 16, "text"),
    _col("rating", "Rating", 6, "number"),
    _col("feedback_text", "Feedback", 24, "text"),
    _col("feedback_scale", "Scale", 6, "enum", enum_cls=FeedbackScale),
    _col("end_reason", "End reason", 16, "enum", basic=True, enum_cls=SessionTerminationReason),
    _col("guest_left", "Guest left", 14, "enum", enum_cls=GuestLeftSessionInState),
    _col("auto_accepted", "Auto-accepted", 5, "bool"),
    _col("blacklisted", "Blacklisted", 5, "bool"),
    _col("recordings_count", "Recordings", 5, "number"),
    _col("messages_count", "Messages", 5, "number"),
    _col("campaign", "Campaign", 8, "number", "campaign_id"),
]

COLUMNS: dict[str, Column] = {c.id: c for c in _ALL}

#: The issue's basic set, in default display order.
BASIC_COLUMNS: list[str] = [
    "created",
    "channel",
    "source",
    "status",
    "operators",
    "client_name",
    "waited",
    "length",
    "end_reason",
]


def param_column(name: str) -> Column:
    """The column of callParam ``name`` (its SQL is a lookup in ``params``)."""
    return Column(
        id=PARAM_PREFIX + name,
        header=one_line(name, 40),
        width=max(8, min(24, len(name) + 2)),
        kind="text",
        sql=(
            "(SELECT p.value FROM params p WHERE p.session_id = s.id"
            f" AND p.name = {sql_literal(name)})"
        ),
        param=name,
    )


def column_by_id(id: str, param_names: Iterable[str] = ()) -> Column | None:
    """A registry column, or ``param:<name>`` (any name; ``param_names`` is accepted for callers
    that want to check against the data themselves)."""
    col = COLUMNS.get(id)
    if col is not None:
        return col
    if id.startswith(PARAM_PREFIX) and len(id) > len(PARAM_PREFIX):
        return param_column(id[len(PARAM_PREFIX) :])
    return None


def all_columns(param_names: Iterable[str] = ()) -> list[Column]:
    """Every registry column followed by one column per callParam name."""
    return [*_ALL, *(param_column(n) for n in param_names)]
