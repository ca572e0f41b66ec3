"""MluviiClient against the simulator over loopback: paging, filters, detail calls, parsing.

Fault handling (auth, retries, malformed answers) is in test_client_faults.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from mluvii_tui.api.enums import SessionChannel, SessionSource, enum_text
from mluvii_tui.api.errors import MluviiError
from mluvii_tui.api.filters import (
    FILTER_FIELDS,
    DateTimeFilter,
    FilterError,
    SessionFilter,
    TextFilter,
    TimeSpanFilter,
    format_timespan,
    parse_timespan,
)
from mluvii_tui.api.models import SessionModel
from test_client_faults import (
    ADMIN_SECRET,
    Control,
    make_client,
    start_server,
)

TOTAL = 1234


@pytest.fixture(scope="module")
def sim() -> Any:
    server, base = start_server(sessions=TOTAL)
    yield base
    server.stop()


@pytest.fixture
def control(sim: str) -> Control:
    ctl = Control(sim)
    ctl.reset()
    return ctl


async def fetch(base: str, flt: SessionFilter | None = None, page_size: int = 500) -> list[Any]:
    async with make_client(base) as client:
        return [s async for page in client.iter_sessions(flt, page_size=page_size) for s in page]


class Fetched:
    """Every session, fetched once per module in pages of 500, with what paging cost."""

    def __init__(self, base: str) -> None:
        self.sizes: list[int] = []
        self.sessions: list[SessionModel] = []
        Control(base).reset()
        asyncio.run(self._run(base))
        self.requests = Control(base).stats()["requests"]["GET /api/v1/Sessions"]

    async def _run(self, base: str) -> None:
        async with make_client(base) as client:
            async for page in client.iter_sessions(page_size=500):
                self.sizes.append(len(page))
                self.sessions.extend(page)


@pytest.fixture(scope="module")
def fetched(sim: str) -> Fetched:
    return Fetched(sim)


@pytest.fixture(scope="module")
def everything(fetched: Fetched) -> list[SessionModel]:
    return fetched.sessions


# -- paging ------------------------------------------------------------------------------------


def test_paging_1234_sessions_in_pages_of_500(fetched: Fetched) -> None:
    assert fetched.sizes == [500, 500, 234]
    assert fetched.requests == 3
    assert len({s.id for s in fetched.sessions}) == TOTAL


async def test_channel_filter_and_a_page_size_that_divides_exactly(
    control: Control, everything: list[SessionModel]
) -> None:
    want = {s.id for s in everything if s.channel == SessionChannel.Chat}
    async with make_client(control.base_url) as client:
        flt = SessionFilter(channel=[SessionChannel.Chat])
        pages = [page async for page in client.iter_sessions(flt, page_size=len(want))]
    assert [len(p) for p in pages] == [len(want)]  # the empty second page is not yielded
    assert {s.id for s in pages[0]} == want
    assert all(s.channel == SessionChannel.Chat for s in pages[0])
    assert control.stats()["requests"]["GET /api/v1/Sessions"] == 2


# -- every filter on the wire ------------------------------------------------------------------


class RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.urls: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


FULL = SessionFilter(
    session_id=[1, 2],
    department_id=[3],
    channel_identity_id=[4],
    status=["CLOSED"],
    channel=["Chat"],
    source=[SessionSource.WhatsApp],
    landing_page=TextFilter("shop", exact=False),
    ip_address=TextFilter("10.0.0.1", exact=True),
    phone_callback_number=TextFilter(null=True),
    initial_message=TextFilter("hi"),
    language=TextFilter("cs"),
    gdpr_version=TextFilter("2"),
    operator_user_id=[5],
    chatbot_id=[6],
    client_stars=[4, 5],
    widget=["main"],
    result=["sold"],
    tags=["vip"],
    guest_identifications=["x@y.cz"],
    created=DateTimeFilter(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)),
    guest_joined=DateTimeFilter(null=False),
    accepted=DateTimeFilter(min=datetime(2025, 1, 2, tzinfo=UTC)),
    ended=DateTimeFilter(null=True),
    anonymized=DateTimeFilter(max=datetime(2025, 1, 3, tzinfo=UTC)),
    waiting_time=TimeSpanFilter(min=timedelta(seconds=30)),
    duration=TimeSpanFilter(max=timedelta(hours=1, minutes=2, seconds=3)),
    client_feedback_scale=["NPS"],
    client_id=[7],
    browser=["CHROME"],
    os=["LINUX"],
    guest_left_session=["LeftQueue"],
    auto_accepted=True,
    has_concurrent_operators=False,
    activity_texts_contain="refund",
    termination_reason=["GuestLeft"],
)


async def test_every_filter_param_is_on_the_wire(sim: str) -> None:
    transport = RecordingTransport()
    async with make_client(sim, transport=transport) as client:
        async for _ in client.iter_sessions(FULL, page_size=50):
            pass
    query = next(u for u in transport.urls if u.path == "/api/v1/Sessions").params
    sent = {key.split(".")[0] for key in query}
    assert sent >= {wire for wire, _ in FILTER_FIELDS.values()}
    assert query.get_list("SessionId") == ["1", "2"]
    assert query["Created.Min"] == "2025-01-01T00:00:00+00:00"
    assert query["Duration.Max"] == "01:02:03"
    assert query["LandingPage.Exact"] == "false"
    assert query["Ended.Null"] == "true"
    assert query["limit"] == "50" and query["offset"] == "0"


def test_filter_params_round_trip() -> None:
    assert SessionFilter.from_params(FULL.to_params()) == FULL
    assert SessionFilter.parse("channel=Chat&CREATED.MIN=2025-01-01Z").channel == ("Chat",)
    assert SessionFilter().to_params() == []


def test_filter_values_errors_are_one_line() -> None:
    for query in ("Created.Min=yesterday", "SessionId=abc", "AutoAccepted=maybe", "Channel.X=1"):
        with pytest.raises(FilterError) as info:
            SessionFilter.parse(query)
        assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(seconds=5), "00:00:05"),
        (timedelta(days=2, hours=3), "2.03:00:00"),
        (timedelta(milliseconds=1500), "00:00:01.5000000"),
    ],
)
def test_timespan_text(span: timedelta, text: str) -> None:
    assert format_timespan(span) == text
    assert parse_timespan(text) == span
    assert parse_timespan("PT1H30M") == timedelta(minutes=90)


# -- filters checked by their results ------------------------------------------------------------


def _text(value: object) -> str:
    return enum_text(value)


def _cases(data: list[SessionModel]) -> list[tuple[str, SessionFilter, Callable[[Any], bool]]]:
    """(name, filter, predicate) built from values that occur in the data."""
    first = data[len(data) // 3]
    with_ops = next(s for s in data if s.operators and s.operators[0].user_id)
    op_id = with_ops.operators[0].user_id
    created = sorted(s.created for s in data if s.created)
    low, high = created[len(created) // 4], created[len(created) // 2]
    cases: list[tuple[str, SessionFilter, Callable[[Any], bool]]] = [
        (
            "status",
            SessionFilter(status=[_text(first.status)]),
            lambda s: _text(s.status) == _text(first.status),
        ),
        (
            "source",
            SessionFilter(source=[_text(first.source)]),
            lambda s: _text(s.source) == _text(first.source),
        ),
        (
            "session_id",
            SessionFilter(session_id=[d.id for d in data[:3]]),
            lambda s: s.id in {d.id for d in data[:3]},
        ),
        (
            "operator",
            SessionFilter(operator_user_id=[op_id]),
            lambda s: any(o.user_id == op_id for o in s.operators),
        ),
        (
            "created",
            SessionFilter(created=DateTimeFilter(low, high)),
            lambda s: s.created is not None and low <= s.created <= high,
        ),
        ("ended_null", SessionFilter(ended=DateTimeFilter(null=True)), lambda s: s.ended is None),
        (
            "ended_not_null",
            SessionFilter(ended=DateTimeFilter(null=False)),
            lambda s: s.ended is not None,
        ),
    ]
    if first.department_id is not None:
        dep = first.department_id
        cases.append(
            ("department", SessionFilter(department_id=[dep]), lambda s: s.department_id == dep)
        )
    if first.widget:
        cases.append(
            ("widget", SessionFilter(widget=[first.widget]), lambda s: s.widget == first.widget)
        )
    tagged = next((s for s in data if s.tags and s.tags[0].name), None)
    if tagged:
        tag = tagged.tags[0].name
        cases.append(
            ("tags", SessionFilter(tags=[tag]), lambda s: any(t.name == tag for t in s.tags))
        )
    rated = next((s for s in data if s.guest_feedback_stars), None)
    if rated:
        stars = rated.guest_feedback_stars
        cases.append(
            (
                "stars",
                SessionFilter(client_stars=[stars]),
                lambda s: s.guest_feedback_stars == stars,
            )
        )
    ended = next((s for s in data if s.termination_reason), None)
    if ended:
        why = ended.termination_reason
        cases.append(
            (
                "termination",
                SessionFilter(termination_reason=[why]),
                lambda s: s.termination_reason == why,
            )
        )
    if first.guest.browser:
        br = _text(first.guest.browser)
        cases.append(
            ("browser", SessionFilter(browser=[br]), lambda s: _text(s.guest.browser) == br)
        )
    if first.guest.language:
        lang = first.guest.language
        cases.append(
            (
                "language",
                SessionFilter(language=TextFilter(lang, exact=True)),
                lambda s: s.guest.language == lang,
            )
        )
    cases.append(
        ("auto_accepted", SessionFilter(auto_accepted=True), lambda s: s.auto_accepted is True)
    )
    return cases


async def test_filters_select_what_they_say(sim: str, everything: list[SessionModel]) -> None:
    for name, flt, predicate in _cases(everything):
        got = {s.id for s in await fetch(sim, flt)}
        want = {s.id for s in everything if predicate(s)}
        assert got == want, f"filter {name}: {flt.to_params()}"


async def test_activity_text_filter(sim: str, everything: list[SessionModel]) -> None:
    text = next(a.text for s in everything for a in s.activities if a.text and len(a.text) > 8)
    word = max(text.split(), key=len).strip(".,!?")
    got = {s.id for s in await fetch(sim, SessionFilter(activity_texts_contain=word))}
    exact = {s.id for s in everything if any(word in (a.text or "") for a in s.activities)}
    loose = {
        s.id
        for s in everything
        if any(word.lower() in (a.text or "").lower() for a in s.activities)
    }
    assert exact <= got <= loose


# -- detail calls ------------------------------------------------------------------------------


async def test_get_session_matches_the_list(sim: str, everything: list[SessionModel]) -> None:
    wanted = everything[10]
    async with make_client(sim) as client:
        session = await client.get_session(wanted.id)
    assert session == wanted


async def test_unknown_enum_values_are_kept_as_raw_strings(control: Control) -> None:
    body = {
        "id": 5,
        "channel": "Hologram",
        "source": "Telepathy",
        "status": "CLOSED",
        "activities": [{"activityId": 1, "type": "BrandNewActivity", "text": "x"}],
    }
    control.fault("/api/v1/Sessions/5", 200, body=json.dumps(body))
    async with make_client(control.base_url) as client:
        session = await client.get_session(5)
    assert session.channel == "Hologram" and not isinstance(session.channel, SessionChannel)
    assert session.source == "Telepathy"
    assert session.activities[0].type == "BrandNewActivity"
    assert enum_text(session.status) == "CLOSED"


async def test_detail_calls(sim: str, everything: list[SessionModel]) -> None:
    sid = everything[-1].id
    async with make_client(sim) as client:
        params = await client.get_call_params(sid)
        await client.put_call_params(sid, {"crm_ticket": "T-42"})
        after = {p.name: p.value for p in await client.get_call_params(sid)}
        users = await client.get_users()
        states = await client.get_operator_states()
        groups = await client.get_groups()
        routing = await client.get_routing(sid)
        note = await client.add_note(sid, "call back", "5f0c2b4e-key")
        again = await client.add_note(sid, "call back", "5f0c2b4e-key")
        notes = await client.get_notes(sid)
    assert isinstance(params, list)
    assert after["crm_ticket"] == "T-42"
    assert users and states and groups
    assert isinstance(routing, list)
    assert note.id == again.id and [n.id for n in notes].count(note.id) == 1


async def test_secrets_never_in_messages(control: Control) -> None:
    errors: list[MluviiError] = []
    async with make_client(control.base_url, max_retries=0) as client:
        for status in (400, 401, 403, 404, 429, 500):
            control.fault("/api/v1/Sessions/1000", status, times=2, body=ADMIN_SECRET)
            try:
                await client.get_session(1000)
            except MluviiError as exc:
                errors.append(exc)
        assert ADMIN_SECRET not in repr(client) and ADMIN_SECRET not in repr(client.auth)
    assert len(errors) == 6
    for exc in errors:
        assert ADMIN_SECRET not in exc.message and "tok-" not in exc.message
