"""The column registry: every column of the sessions table defined once (header, width, kind,
SQL expression for sort/filter, display and export form)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from time import localtime
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
from mluvii_tui.config.zone import on_zone_change
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
    """ISO 8601 with the local offset, whole seconds (the reference ``iso_time`` equals)."""
    if ts is None:
        return ""
    try:
        return datetime.fromtimestamp(ts, tz=UTC).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError, TypeError):
        return ""


#: quarter hour (UTC epoch // 900) -> its local "YYYY-MM-DDTHH:", first minute and offset
#: ("+01:00"), or None when the offset changes inside it (a few historic zones switch at odd
#: minutes). ~200 bytes an entry, at most BLOCKS_MAX entries (an export over two years of
#: sessions meets ~70,000 quarter hours: 15 strings each kept ~85 MB).
_blocks: dict[int, tuple[str, int, str] | None] = {}
BLOCKS_MAX = 16384
_MISSING: tuple[str, int, str] = ("", 0, "")
_MINUTES = [f"{m:02d}:" for m in range(60)]
_SECONDS = [f"{s:02d}" for s in range(60)]
_offsets: dict[int, str] = {}  # UTC offset (s) -> "+01:00": one string per offset
on_zone_change(_blocks.clear)  # a profile with another time_zone: its own quarter hours


def _block(key: int) -> tuple[str, int, str] | None:
    """The quarter hour's local hour, first minute and offset (time.localtime is what
    datetime.astimezone() reads too), or None when the offset changes inside it."""
    if len(_blocks) >= BLOCKS_MAX:
        _blocks.clear()
    try:
        start = localtime(key * 900)
        end = localtime(key * 900 + 899)
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
    zone = _offsets.get(off)
    if zone is None:
        hours, minutes = divmod(abs(off) // 60, 60)
        zone = _offsets[off] = f"{'-' if off < 0 else '+'}{hours:02d}:{minutes:02d}"
    hour = f"{start.tm_year:04d}-{start.tm_mon:02d}-{start.tm_mday:02d}T{start.tm_hour:02d}:"
    block = (hour, start.tm_min, zone)
    _blocks[key] = block
    return block


def iso_time(ts: float | None) -> str:
    """``format_time_iso``, fast: the date, hour and offset are formatted once per quarter
    hour (every UTC offset is a multiple of 15 minutes, so a quarter hour is one local hour
    and minute range), the rest is three lookups."""
    if ts is None:
        return ""
    if ts.__class__ is not float and ts.__class__ is not int:
        return format_time_iso(ts)
    whole = int(ts)
    if whole < 0 or ts - whole > 0.999999:  # negative, or microseconds that round up
        return format_time_iso(ts)
    key = whole // 900
    block = _blocks.get(key, _MISSING)
    if block is _MISSING:
        block = _block(key)
    if block is None:
        return format_time_iso(ts)
    minutes, seconds = divmod(whole - key * 900, 60)
    return block[0] + _MINUTES[block[1] + minutes] + _SECONDS[seconds] + block[2]


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


def format_hms(seconds: str | float | None) -> str:
    """``"3725"`` -> ``"1:02:05"`` (always with hours); empty for no value."""
    if seconds is None or seconds == "":
        return ""
    try:
        total = round(float(seconds))
    except (TypeError, ValueError):
        return ""
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def format_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_clean_short = lru_cache(maxsize=20_000)(clean)


def clean_cell(value: Any) -> str:
    """``text.clean`` (values up to 200 characters remembered: they repeat on many rows)."""
    if value.__class__ is str and len(value) <= 200:
        return _clean_short(value)
    return clean(value)


def format_local(ts: float | None) -> str:
    """``2026-11-30 14:05:09`` in the local zone: HTML for people (its header names the zone)."""
    iso = iso_time(ts)
    return f"{iso[:10]} {iso[11:19]}" if iso else ""


#: What the format expressions may call. The exporters' generated code runs in a copy of it.
FORMAT_ENV: dict[str, Any] = {
    "_time": format_time,
    "_dur": format_duration,
    "_iso": iso_time,
    "_local": format_local,
    "_hms": format_hms,
    # whole seconds, then the delimiter and h:mm:ss: the CSV fields of a duration (they repeat)
    "_s_hms": lru_cache(maxsize=65_536)(lambda t, d: f"{t}{d}{format_hms(t)}"),
    "_num": format_number,
    "_line": one_line,
    "_clean": clean_cell,
}


@dataclass(frozen=True)
class KindFormat:
    """A column kind's text forms, each a Python expression over the value ``v`` (never None:
    no value is "" everywhere) with the names of FORMAT_ENV. ``Column.text`` and
    ``Column.export`` are compiled from them and the exporters paste them into their generated
    code (export/rowcells.py, export/csvline.py), so all of them agree by construction.

    ``csv`` is the final CSV field (or fields, joined by ``_D``); besides FORMAT_ENV it may use
    what export/csvline.py binds: ``_D`` (the delimiter), ``sid`` (the row's session id),
    ``_text(v, sid)`` (an untrusted text: cleaned, neutralised, cut, quoted, remembered),
    ``_known`` (those remembered, by value) and ``_trusted(v, sid)`` (our own text: cut and
    quoted). Empty: the export text, which then never needs quoting."""

    display: str  # one line for the table (local time, m:ss durations, yes/'' booleans)
    export: str  # CSV/HTML cell: ISO 8601 times with offset, whole seconds, full cleaned text
    csv: str = ""
    html: str = ""  # HTML exports, for people ("" = the export form)
    csv_headers: tuple[str, ...] = ("{}",)  # one CSV column per entry, from the header
    trusted: bool = True  # our own digits and words: never a formula

    def compiled(self, form: str) -> Callable[[Any], str]:
        """``lambda v: <form>``."""
        code = compile(f"lambda v: {getattr(self, form)}", f"<{form} format>", "eval")
        format_of: Callable[[Any], str] = eval(code, dict(FORMAT_ENV))  # our own code, no data
        return format_of


#: Every kind's formats (``text`` also for param columns, enums, persons and ids).
KIND_FORMATS: dict[str, KindFormat] = {
    "time": KindFormat(display="_time(v)", export="_iso(v)", html="_local(v)"),
    "duration": KindFormat(
        display="_dur(v)",
        export="str(round(v))",
        html="_hms(v)",
        csv="_s_hms(round(v), _D)",
        csv_headers=("{} (s)", "{} (h:mm:ss)"),
    ),
    "bool": KindFormat(display="'yes' if v else ''", export="'yes' if v else 'no'"),
    "number": KindFormat(
        display="_num(v)",
        export="_num(v)",
        csv="str(v) if v.__class__ is int else _num(v) if v.__class__ is float"
        " else _trusted(v, sid)",
    ),
    "text": KindFormat(
        display="_line(v)",
        export="v if v.__class__ is str and v.isprintable() else _clean(v)",
        csv="(v.__class__ is str and _known.get(v)) or _text(v, sid)",
        trusted=False,
    ),
}
_DISPLAY = {kind: f.compiled("display") for kind, f in KIND_FORMATS.items()}
_EXPORT = {kind: f.compiled("export") for kind, f in KIND_FORMATS.items()}
_HTML = {kind: f.compiled("html" if f.html else "export") for kind, f in KIND_FORMATS.items()}


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

    @property
    def format_kind(self) -> str:
        """The KIND_FORMATS entry of the column."""
        return self.kind if self.kind in KIND_FORMATS else "text"

    @property
    def format(self) -> KindFormat:
        return KIND_FORMATS[self.format_kind]

    def value(self, row: Any) -> Any:
        if self.param is not None:
            return row.params.get(self.param)
        return row[self.field]

    def text(self, row: Any) -> str:
        """One line, display form (KindFormat.display)."""
        value = self.value(row)
        return "" if value is None else _DISPLAY[self.format_kind](value)

    def export(self, row: Any) -> str:
        """CSV form (KindFormat.export)."""
        value = self.value(row)
        return "" if value is None else _EXPORT[self.format_kind](value)

    def html(self, row: Any) -> str:
        """HTML summary form (KindFormat.html): local times without an offset, h:mm:ss."""
        value = self.value(row)
        return "" if value is None else _HTML[self.format_kind](value)


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
