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
