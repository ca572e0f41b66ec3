"""The sync's hot path (orjson dicts -> store records) against the exact one (pydantic)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from mluvii_tui.api.models import parse_session
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.fastrecord import Unsupported, fast_record
from mluvii_tui.store.ingest import build, prepare_batch
from mluvii_tui.store.rows import build_record

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FIELDS = ("values", "params", "operators", "tags", "texts", "language")


def _same(a: Any, b: Any) -> None:
    for name in FIELDS:
        assert getattr(a, name) == getattr(b, name), (a.id, name)


def test_fast_path_equals_pydantic_on_simulator_sessions() -> None:
    data = generate_sessions(3000, seed=23, now=NOW)  # hostile texts included
    fast = 0
    for d in data:
        d = orjson.loads(orjson.dumps(d))  # as received
        exact = build_record(parse_session(d))
        try:
            _same(fast_record(d, b"", 0), exact)
            fast += 1
        except Unsupported:
            pass
        _same(build(prepare_batch([d]).kept[0]), exact)
    assert fast == len(data)  # the simulator's shapes all take the hot path


def test_odd_shapes_take_the_exact_path_with_the_same_result() -> None:
    base = orjson.loads(orjson.dumps(generate_sessions(5, seed=3, now=NOW)[2]))
    odd = [
        {**base, "id": str(base["id"])},  # an id as text
        {**base, "guestFeedbackStars": "4"},  # a number as text
        {**base, "created": "2026-11-30"},  # a date without time
        {**base, "waited": "00:01:05"},  # another duration spelling
        {**base, "status": 3},  # an enum as a number
        {**base, "activities": [{"type": "SessionEnded", "termination_reason": "Timeout"}]},
        {**base, "guest": {**base["guest"], "callParams": {"name": 5}}},
    ]
    for d in odd:
        model = parse_session(d)
        assert model is not None
        kept = prepare_batch([d]).kept[0]
        got = build(kept)
        want = build_record(model)
        _same(got, want)
        if isinstance(kept.item, dict):
            try:
                fast_record(d, b"", 0)
            except Unsupported:
                continue
            raise AssertionError(f"fast path accepted {d!r:.80}")


def test_not_sessions_are_counted_and_duplicates_keep_the_last() -> None:
    one = orjson.loads(orjson.dumps(generate_sessions(2, seed=5, now=NOW)[0]))
    newer = {**one, "widget": "changed"}
    batch = prepare_batch([one, None, {"no": "id"}, "text", newer])
    assert batch.problems == ["not a session (no usable id)"] * 3
    assert [k.item for k in batch.kept] == [newer]


def test_spellings_and_unused_times_the_fast_path_still_checks() -> None:
    sessions = [orjson.loads(orjson.dumps(d)) for d in generate_sessions(40, seed=9, now=NOW)]
    base = next(d for d in sessions if d["operators"] and fast_record(d, b"", 0).texts)
    # an activity type in another case is read as its canonical spelling, as pydantic does
    lower = {**base, "activities": [{**a, "type": a["type"].lower()} for a in base["activities"]]}
    _same(fast_record(lower, b"", 0), build_record(parse_session(lower)))
    operator = base["operators"][0]
    for odd in (
        {**base, "guest_feedback_stars": 4},  # a snake_case key pydantic would also read
        {**base, "operators": [{**operator, "joined": "2026-02-30T10:00:00+01:00"}]},  # no date
        {**base, "operators": [{**operator, "left": "yesterday"}]},
    ):
        try:
            fast_record(odd, b"", 0)
        except Unsupported:
            continue
        raise AssertionError(f"fast path accepted {odd!r:.80}")


DURATIONS = ["PT20S", "PT0S", "P1D", "P1DT2H3M4.5S", "PT1.999999S", "PT59M", "PT2H", "P0D"]
ODD_DURATIONS = ["P", "PT", "P1DT", "PT-1S", "pt5s", "PT5S ", "PT1,5S", "PT5", "20", "PT٣S"]
TIMES = [
    "2026-11-06T20:06:02.878040+01:00",
    "2026-11-06T20:06:02+01:00",
    "2026-11-06T20:06:02.5-05:30",
    "2026-11-06T23:59:59.999999Z",
    "2026-11-06T00:00:00.000001+14:00",
    "1970-01-01T00:00:00Z",
    "2026-11-06T20:06:02.878040",  # no offset: local time, as pydantic reads it
    "2026-11-06T20:06:02.8780401+01:00",  # seven digits (.NET): pydantic truncates
]
ODD_TIMES = [
    "2026-02-30T10:00:00+01:00",
    "2026-11-06T24:00:00+01:00",
    "2026-11-06T20:60:02+01:00",
    "2026-11-06T20:06:60+01:00",
    "2026-11-06T20:06:02.1234567+01:00",
    "2026-11-06T23:59:59.9999999Z",  # msgspec would round it into the next day
    "2026-11-06T20:06:02.0000000Z",  # no microseconds after seven digits: may have carried
    "2026-11-06T20:06:02,5+01:00",
    "2026-11-06T20:06:02+24:00",
    "2026-11-06 20:06:02+01:00",
    "2026-11-06T20:06:02+0100",
    "2026-11-06T20:06+01:00",
    "2026-11-06t20:06:02z",
    "２026-11-06T20:06:02+01:00",
    "2026-11-06",
]


def test_durations_and_times_read_as_pydantic_reads_them_every_time() -> None:
    """Each spelling twice: what the fast path remembers of a value reads the same again."""
    base = orjson.loads(orjson.dumps(generate_sessions(5, seed=3, now=NOW)[2]))
    variants = [{**base, "waited": v, "length": v} for v in DURATIONS + ODD_DURATIONS]
    for t in TIMES + ODD_TIMES:
        variants += [{**base, "created": t, "ended": t}, {**base, "guestJoined": t}]
    for d in variants * 2:
        odd = {d["waited"], d["created"], d.get("guestJoined")} & {*ODD_DURATIONS, *ODD_TIMES}
        want = build_record(parse_session(d)) if _pydantic_reads(d) else None
        try:
            got = fast_record(d, b"", 0)
        except Unsupported:
            assert odd, d  # the usual spellings all take the fast path
            continue
        assert want is not None, d
        _same(got, want)


def _pydantic_reads(d: dict[str, Any]) -> bool:
    try:
        return parse_session(d) is not None
    except Exception:
        return False


def test_tags_chatbots_and_operators_without_names_or_ids() -> None:
    sessions = [orjson.loads(orjson.dumps(d)) for d in generate_sessions(40, seed=9, now=NOW)]
    base = next(d for d in sessions if d["operators"])
    operator = base["operators"][0]
    no_id = {**operator, "userId": None, "firstName": None, "lastName": None}
    for tags, bots, ops in (
        ([{"name": None}, {"name": "a"}, {"name": "a"}, {"name": ""}, {}], [], []),
        ([], [{"name": None}, {"name": "bot"}, {"name": ""}, {"name": "bot"}], [no_id]),
        (None, None, [no_id, operator, {**operator, "userName": None}]),
        ([{"name": ""}], [{}], [operator, operator]),
    ):
        d = {**base, "tags": tags, "chatbots": bots, "operators": ops}
        _same(fast_record(d, b"", 0), build_record(parse_session(d)))
