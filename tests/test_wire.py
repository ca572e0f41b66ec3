"""The sync's page decoder (msgspec: store/wire.py) against the exact path (pydantic), and the
page bytes it keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from mluvii_tui.api.models import parse_session
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.ingest import build, decode_page, prepare_batch
from mluvii_tui.store.rows import build_record
from mluvii_tui.store.wire import Session
from mluvii_tui.sync.pages import parse_page

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FIELDS = ("values", "params", "operators", "tags", "texts", "language")


def _same(a: Any, b: Any) -> None:
    for name in FIELDS:
        assert getattr(a, name) == getattr(b, name), (a.id, name)


def _page(items: list[Any]) -> bytes:
    return orjson.dumps(items)


def test_a_page_decodes_like_pydantic_and_keeps_each_sessions_bytes_as_received() -> None:
    data = generate_sessions(3000, seed=23, now=NOW)  # hostile texts included
    page = _page(data)
    batch = prepare_batch(decode_page(page))
    assert len(batch.kept) == len(data) and not batch.problems
    for kept, d in zip(batch.kept, data, strict=True):
        assert isinstance(kept.item, Session)  # the simulator's shapes all take the hot path
        assert kept.raw == orjson.dumps(d)  # as received: what the old path re-serialised
        assert kept.raw in page
        _same(build(kept), build_record(parse_session(orjson.loads(kept.raw))))


def test_odd_shapes_in_a_page_take_the_exact_path_with_the_same_result() -> None:
    base = orjson.loads(orjson.dumps(generate_sessions(5, seed=3, now=NOW)[2]))
    operator = base["operators"][0] if base["operators"] else {"userId": 7}
    odd = [
        {**base, "id": base["id"] + 1, "guestFeedbackStars": "4"},  # a number as text
        {**base, "id": base["id"] + 2, "created": "2026-11-30"},  # a date without time
        {**base, "id": base["id"] + 3, "waited": "00:01:05"},  # another duration spelling
        {**base, "id": base["id"] + 4, "status": 3},  # an enum as a number
        {**base, "id": base["id"] + 5, "guest_feedback_stars": 4},  # pydantic reads snake_case
        {**base, "id": base["id"] + 6, "operators": [{**operator, "first_name": "Ola"}]},
        {
            **base,
            "id": base["id"] + 7,
            "activities": [{"type": "SessionEnded", "termination_reason": "Timeout"}],
        },
        {**base, "id": base["id"] + 8, "guest": {**base["guest"], "callParams": {"name": 5}}},
        {**base, "id": base["id"] + 9, "autoAccepted": 1},  # a number for a boolean
        # seven digits of fraction: msgspec rounds into the next second, pydantic truncates
        {**base, "id": base["id"] + 10, "created": "2026-11-30T10:00:59.9999999+01:00"},
    ]
    batch = prepare_batch(decode_page(_page(odd)))
    assert len(batch.kept) == len(odd)
    # the right types: decoded, the record declined (a date alone is no time msgspec reads)
    formats = {base["id"] + 3, base["id"] + 10}
    for kept, d in zip(batch.kept, odd, strict=True):
        assert isinstance(kept.item, Session) == (kept.id in formats), d
        model = parse_session(d)
        assert model is not None
        _same(build(kept), build_record(model))


def test_a_session_whose_record_the_fast_path_declines_is_built_the_exact_way() -> None:
    base = orjson.loads(orjson.dumps(generate_sessions(5, seed=3, now=NOW)[2]))
    odd = {**base, "waited": "00:01:05"}  # the right type, a duration spelling it declines
    (kept,) = prepare_batch(decode_page(_page([odd]))).kept
    assert isinstance(kept.item, Session)  # decoded; its record is declined and built by pydantic
    model = parse_session(odd)
    assert model is not None
    _same(build(kept), build_record(model))


def test_pages_msgspec_refuses_are_decoded_as_before() -> None:
    base = orjson.loads(orjson.dumps(generate_sessions(3, seed=3, now=NOW)[0]))
    lone = b'[{"id": 5, "widget": "\\ud800"}, ' + orjson.dumps(base) + b"]"
    parsed = parse_page("k", lone, 0, build_all=True)
    assert parsed.page[2] == 2 and [k.id for k in parsed.batch.kept] == [5, base["id"]]
    huge = b'[{"id": 100000000000000000000000000000}, ' + orjson.dumps(base) + b"]"
    parsed = parse_page("k", huge, 0, build_all=True)
    assert [k.id for k in parsed.batch.kept] == [base["id"]]
    assert "too large" in parsed.batch.problems[0]
