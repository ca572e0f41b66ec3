"""Per-column filters: SQL equals Python on random data and filters; hostile text is inert."""

from __future__ import annotations

import sqlite3
import string
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mluvii_tui.query.columns import column_by_id
from mluvii_tui.query.filterdesc import describe_filter, to_session_filter, validate_filter
from mluvii_tui.query.filters import (
    FilterValueError,
    filters_sql,
    fold_sql,
    parse_duration,
    parse_id_list,
    register_functions,
)
from mluvii_tui.query.quicksql import quick_sql
from mluvii_tui.query.timeframes import parse_local_datetime, preset_range, resolve_preset
from mluvii_tui.query.types import Filter
from mluvii_tui.store.schema import migrate
from mluvii_tui.text import fold_value

NASTY = st.sampled_from(
    ["'; DROP TABLE sessions; --", "%", "_", "\\", '"', "''", "a%b", "x_y", "Ž", "ž", "é", " "]
)
TEXT = st.lists(
    st.one_of(NASTY, st.sampled_from(["shop", "Shop", "šop", "eshop.cz", "abc", "A", ""])),
    max_size=3,
).map("".join)
CHANNELS = ["Chat", "AV", "Phone", "chat"]
NAMES = ["Jana Nováková", "Petr", "Eva Jr."]

ROW = st.fixed_dictionaries(
    {
        "created": st.one_of(st.none(), st.integers(0, 100)),
        "waited_s": st.one_of(st.none(), st.integers(0, 600)),
        "channel": st.one_of(st.none(), st.sampled_from(CHANNELS)),
        "url": st.one_of(st.none(), TEXT),
        "operators": st.one_of(
            st.none(), st.lists(st.sampled_from(NAMES), max_size=2).map(", ".join)
        ),
        "rating": st.one_of(st.none(), st.integers(1, 5)),
        "email": st.one_of(st.none(), TEXT),
    }
)


def _filter_strategy() -> st.SearchStrategy[Filter]:
    bound = st.one_of(st.none(), st.integers(0, 100).map(str))
    return st.one_of(
        st.builds(
            lambda v: Filter("channel", "in", tuple(v)),
            st.lists(st.sampled_from(CHANNELS), min_size=1),
        ),
        st.builds(lambda lo, hi: Filter("created", "range", low=lo, high=hi), bound, bound),
        st.builds(
            lambda lo, hi: Filter("waited", "range", low=lo, high=hi),
            st.one_of(st.none(), st.sampled_from(["0:30", "60", "2m", "1:00"])),
            st.one_of(st.none(), st.sampled_from(["5:00", "300", "1:02:03"])),
        ),
        st.builds(
            lambda op, v: Filter("url", op, (v,)), st.sampled_from(["contains", "equals"]), TEXT
        ),
        st.builds(lambda op: Filter("url", op), st.sampled_from(["empty", "not_empty"])),
        st.builds(
            lambda v: Filter("operators", "in", tuple(v)),
            st.lists(st.sampled_from([*NAMES, "10", "11", "12", "99"]), min_size=1),
        ),
        st.builds(
            lambda v: Filter("rating", "in", tuple(v)),
            st.lists(st.sampled_from("12345"), min_size=1),
        ),
        st.builds(
            lambda op, v: Filter("param:email", op, (v,)),
            st.sampled_from(["contains", "equals", "in"]),
            TEXT,
        ),
        st.builds(lambda op: Filter("param:email", op), st.sampled_from(["empty", "not_empty"])),
    )


def _db(rows: list[dict]) -> sqlite3.Connection:
    """The store's real schema (migrations included), filled with the rows' columns."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    register_functions(conn)
    migrate(conn)
    for i, row in enumerate(rows, 1):
        conn.execute(
            "INSERT INTO sessions (id, created, waited_s, channel, url, operators, rating)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                i,
                row["created"],
                row["waited_s"],
                row["channel"],
                row["url"],
                row["operators"],
                row["rating"],
            ),
        )
        members = row["operators"].split(", ") if row["operators"] else []
        for seq, name in enumerate(members):
            conn.execute(
                "INSERT INTO operators (session_id, seq, user_id, name) VALUES (?, ?, ?, ?)",
                (i, seq, 10 + NAMES.index(name), name),
            )
        if row["email"] is not None:
            conn.execute(
                "INSERT INTO params (session_id, name, value, value_folded)"
                " VALUES (?, 'email', ?, ?)",
                (i, row["email"], fold_value(row["email"])),
            )
    return conn


def _nocase(text: str) -> str:
    """SQLite's NOCASE: ASCII letters only."""
    return text.translate(str.maketrans(string.ascii_uppercase, string.ascii_lowercase))


def _text_match(op: str, value: str | None, needles: tuple[str, ...]) -> bool:
    if op == "empty":
        return value is None or value == ""
    if op == "not_empty":
        return value is not None and value != ""
    wanted = [n for n in needles if n != ""]
    if not wanted:
        return True
    if value is None:
        return False
    if op == "contains":
        return any(fold_sql(n) in fold_sql(value) for n in wanted)
    if op == "equals":
        return any(fold_sql(n) == fold_sql(value) for n in wanted)
    return value in needles  # "in": exact


def _python_match(row: dict, flt: Filter) -> bool:
    col = flt.column
    if col == "param:email":
        if flt.op == "empty":
            return row["email"] in (None, "")
        if row["email"] is None:
            return False
        if flt.op == "in":  # params.value is COLLATE NOCASE
            return _nocase(row["email"]) in {_nocase(v) for v in flt.values}
        return _text_match(flt.op, row["email"], flt.values)
    if col == "url":
        return _text_match(flt.op, row["url"], flt.values)
    if col == "channel":
        return row["channel"] is not None and row["channel"].lower() in {
            v.lower() for v in flt.values
        }
    if col == "operators":
        members = (row["operators"] or "").split(", ") if row["operators"] else []
        ids = {str(10 + NAMES.index(m)) for m in members}
        return any(v in members or v in ids for v in flt.values)
    if col == "rating":
        return row["rating"] is not None and str(row["rating"]) in flt.values
    value = row["created"] if col == "created" else row["waited_s"]
    low = None if flt.low is None else parse_duration(flt.low)
    high = None if flt.high is None else parse_duration(flt.high)
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=12), st.lists(_filter_strategy(), max_size=4))
def test_sql_matches_python(rows: list[dict], filters: list[Filter]) -> None:
    conn = _db(rows)
    sql, params = filters_sql(filters, column_by_id)
    got = [
        r[0] for r in conn.execute(f"SELECT s.id FROM sessions s WHERE {sql} ORDER BY s.id", params)
    ]
    want = [i for i, row in enumerate(rows, 1) if all(_python_match(row, f) for f in filters)]
    assert got == want
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == len(rows)
    for flt in filters:
        message = validate_filter(flt, column_by_id(flt.column))
        assert message is None or "\n" not in message
        assert "\n" not in describe_filter(flt, column_by_id(flt.column))


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=8), TEXT)
def test_quick_filter_matches_python(rows: list[dict], text: str) -> None:
    conn = _db(rows)
    cols = [column_by_id("url"), column_by_id("channel"), "param:email"]
    sql, params = quick_sql(text, cols)
    got = [
        r[0] for r in conn.execute(f"SELECT s.id FROM sessions s WHERE {sql} ORDER BY s.id", params)
    ]
    words = [fold_sql(w) for w in text.split()]
    want = [
        i
        for i, row in enumerate(rows, 1)
        if all(any(w in fold_sql(row[k] or "") for k in ("url", "channel", "email")) for w in words)
    ]
    assert got == want


def test_user_text_never_in_sql() -> None:
    evil = "'; DROP TABLE sessions; --"
    sql, params = filters_sql(
        [Filter("url", "contains", (evil,)), Filter("param:x'y", "equals", (evil,))], column_by_id
    )
    assert evil not in sql and "x'y" not in sql
    assert evil.lower() in params and "x'y" in params
    assert filters_sql([], column_by_id) == ("1", [])


def test_diacritics_and_case_insensitive() -> None:
    conn = _db([{**ROW_DEFAULT, "url": "https://Obchod.cz/Objednávka"}])
    sql, params = filters_sql([Filter("url", "contains", ("OBJEDNAVKA",))], column_by_id)
    assert conn.execute(f"SELECT count(*) FROM sessions s WHERE {sql}", params).fetchone()[0] == 1


ROW_DEFAULT = {
    "created": 1,
    "waited_s": 1,
    "channel": "Chat",
    "url": None,
    "operators": None,
    "rating": None,
    "email": None,
}


def test_bad_values_raise_one_line() -> None:
    with pytest.raises(FilterValueError, match="Rating"):
        filters_sql([Filter("rating", "in", ("five",))], column_by_id)
    with pytest.raises(FilterValueError, match="unknown column"):
        filters_sql([Filter("nope", "in", ("x",))], column_by_id)
    col = column_by_id("created")
    assert "does not exist" in validate_filter(Filter("created", "range", low="2026-02-30"), col)
    assert "after" in validate_filter(
        Filter("created", "range", low="2026-12-01", high="2026-11-01"), col
    )
    assert "not a number" in validate_filter(
        Filter("rating", "range", low="x"), column_by_id("rating")
    )
    assert validate_filter(Filter("channel", "in"), column_by_id("channel")).endswith("value")


def test_parse_id_list() -> None:
    assert parse_id_list("123, 456 789;123") == (123, 456, 789)
    assert parse_id_list("#5") == (5,)
    for bad, msg in [("", "enter"), ("12a", "not a session id"), ("0", "out of range")]:
        with pytest.raises(ValueError, match=msg):
            parse_id_list(bad)


def test_describe() -> None:
    cases = [
        (Filter("channel", "in", ("WhatsApp", "Chat")), "Channel: WhatsApp, Chat"),
        (Filter("ended", "range", label="last 7 days"), "Ended: last 7 days"),
        (Filter("waited", "range", low="60", high="300"), "Waited: 1:00–5:00"),
        (Filter("url", "contains", ("shop",)), "URL contains shop"),
        (Filter("client_email", "empty"), "E-mail is empty"),
        (Filter("param:email", "not_empty"), "email is not empty"),
        (Filter("url", "contains", ("a\x1b[31mb\nc",)), "URL contains ab c"),
    ]
    for flt, text in cases:
        assert describe_filter(flt, column_by_id(flt.column)) == text


def test_timeframes() -> None:
    tz = ZoneInfo("Europe/Prague")
    now = datetime(2026, 11, 30, 14, 5, tzinfo=tz)
    low, high = resolve_preset("today", now)
    assert (low.hour, high.hour, high.minute) == (0, 23, 59)
    low, high = resolve_preset("yesterday", now)
    assert low.day == 29 and high.day == 29
    assert resolve_preset("last 7 days", now)[0].day == 24
    assert resolve_preset("this month", now)[0].day == 1
    assert resolve_preset("last hour", now)[0].hour == 13
    lo, hi = preset_range("today", now)
    assert hi - lo == 86399
    with pytest.raises(ValueError, match="unknown time frame"):
        resolve_preset("fortnight", now)
    a = parse_local_datetime("2026-11-30 14:05", tz)
    assert a == parse_local_datetime("30.11.2026 14:05", tz) == now
    assert parse_local_datetime("2026-11-30", tz).hour == 0
    assert parse_local_datetime("2026-11-30T13:05:00Z").astimezone(UTC).hour == 13
    for bad, msg in [
        ("2026-13-01", "month 13"),
        ("31.4.2026", "day 31"),
        ("2026-11-30 25:00", "time"),
        ("tomorrow", "not a date"),
        ("", "enter a date"),
    ]:
        with pytest.raises(ValueError, match=msg):
            parse_local_datetime(bad, tz)


def test_preset_filter_reresolves() -> None:
    conn = _db([ROW_DEFAULT])
    sql, params = filters_sql([Filter("created", "range", label="last hour")], column_by_id)
    assert len(params) == 2 and params[1] - params[0] == 3600
    assert conn.execute(f"SELECT count(*) FROM sessions s WHERE {sql}", params).fetchone() == (0,)


def test_to_session_filter() -> None:
    sf = to_session_filter(
        [
            Filter("channel", "in", ("Chat",)),
            Filter("created", "range", low="2026-11-01", high="2026-11-30 23:59"),
            Filter("operators", "in", ("12", "13")),
            Filter("id", "in", ("5",)),
            Filter("url", "contains", ("shop",)),
            Filter("end_reason", "in", ("GuestLeft",)),
            Filter("param:x", "equals", ("y",)),  # not expressible: left out
        ],
        search='"moje objednavka"',
    )
    params = dict(sf.to_params())
    assert params["Channel"] == "Chat"
    assert ("OperatorUserId", "12") in sf.to_params() and params["OperatorUserId"] == "13"
    assert params["SessionId"] == "5"
    assert params["LandingPage.Text"] == "shop"
    assert params["TerminationReason"] == "GuestLeft"
    assert params["ActivityTextsContain"] == "moje objednavka"
    assert "Created.Min" in params and "Created.Max" in params
    # a plain word is not sent: the server knows no inflections
    assert to_session_filter([], search="objednávka").activity_texts_contain is None
