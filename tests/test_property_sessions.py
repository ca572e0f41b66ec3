"""Property tests: arbitrary JSON, and arbitrary mutations of valid sessions, thrown at session
parsing, the store's upsert and a real sync over loopback: nothing escapes as a crash, bad
records are skipped and counted, good ones stored."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.models import SessionModel, parse_session
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.query.types import SessionQuery, SortKey
from mluvii_tui.store.store import SessionStore
from mluvii_tui.sync.history import sync_history

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
VALID = generate_sessions(12, seed=5, now=NOW)

ODD_SCALARS = st.sampled_from(
    [
        10**30,
        -(10**30),
        2**63,
        -(2**63) - 1,
        1e308,
        -0.0,
        float("inf"),
        "\ud800",
        "a\udfffb",
        "\x00\x1b[2J",
        "x" * 5000,
        "",
        "2026-13-45T99:99:99",
        "9999-12-31T23:59:59+14:00",
        True,
        None,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    ODD_SCALARS,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=20,
)
# keys the API really uses, so that arbitrary dicts often look like (broken) sessions
KEYS = sorted({k for s in VALID for k in s})
SESSIONISH = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8).map(
    lambda d: {"id": d.pop("id", 1), **d}
)


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:6]):
            yield from _paths(value, (*prefix, i))


def _mutate(session: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    out = copy.deepcopy(session)
    for _ in range(data.draw(st.integers(1, 5))):
        paths = [p for p in _paths(out) if p]
        path = data.draw(st.sampled_from(paths))
        parent: Any = out
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[last]
        else:
            parent[last] = data.draw(st.one_of(ODD_SCALARS, JSON))
    return out


MUTATED = st.data()
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(JSON)
def test_parse_session_never_raises_on_any_json(value: Any) -> None:
    result = parse_session(value)
    assert result is None or isinstance(result, SessionModel)


@FAST
@given(SESSIONISH)
def test_parse_session_never_raises_on_sessionish_dicts(value: dict[str, Any]) -> None:
    result = parse_session(value)
    assert result is None or isinstance(result, SessionModel)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionStore]:
    s = SessionStore(tmp_path_factory.mktemp("prop") / "s.sqlite3")
    s.upsert_sessions(VALID)
    yield s
    s.close()


def _check_upsert(store: SessionStore, items: list[Any]) -> None:
    before = store.total()
    result = store.upsert_sessions(items)
    counted = result.inserted + result.updated + result.unchanged + result.skipped
    assert 0 < counted <= len(items) or not items  # repeated ids in one batch count once
    assert len(result.problems) <= 5
    assert result.skipped == 0 or result.problems
    assert store.total() >= before
    for item in items:  # what was stored reads back, whatever it held
        sid = item.get("id") if isinstance(item, dict) else None
        if isinstance(sid, int) and -(2**63) <= sid < 2**63:
            store.get_session(sid)
    for column in ("created", "waited", "channel", "operators"):
        store.window(SessionQuery(view="all", sort=SortKey(column, True)), 0, 30)


@settings(max_examples=120, deadline=None)
@given(data=MUTATED)
def test_mutated_sessions_upsert_without_crash(store: SessionStore, data: st.DataObject) -> None:
    items = [_mutate(s, data) for s in VALID[:3]]
    items.append(data.draw(st.one_of(JSON, SESSIONISH)))
    _check_upsert(store, items)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.one_of(JSON, SESSIONISH), max_size=6))
def test_arbitrary_items_upsert_without_crash(store: SessionStore, items: list[Any]) -> None:
    _check_upsert(store, items)


# -- through a real sync ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(sessions=20, seed=5, now=NOW) as s:
        yield s


def _sync_page(base_url: str, path: Path, page: list[Any]) -> Any:
    """One page of the given items served as the answer of the session list."""
    body = json.dumps(page)
    fault = {"path": "/api/v1/Sessions", "method": "GET", "status": 200, "body": body}
    httpx.post(base_url + "/_sim/reset").raise_for_status()
    httpx.post(base_url + "/_sim/faults", json=fault).raise_for_status()

    async def go() -> Any:
        store = SessionStore(path)
        try:
            async with MluviiClient(base_url, "demo-admin", "demo-admin-secret") as client:
                return await sync_history(client, store, days=3650, now=NOW, page_size=50)
        finally:
            store.close()

    return asyncio.run(go())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=MUTATED)
def test_sync_of_mutated_pages_skips_and_counts(
    sim: Simulator, tmp_path: Path, data: st.DataObject
) -> None:
    valid = VALID[:4]
    page: list[Any] = [_mutate(s, data) for s in VALID[4:7]]
    page += [data.draw(st.one_of(JSON, SESSIONISH)) for _ in range(data.draw(st.integers(0, 2)))]
    page += valid
    path = tmp_path / f"s-{len(list(tmp_path.iterdir()))}.sqlite3"  # a fresh store each time
    result = _sync_page(sim.base_url, path, page)
    assert result.sessions == len(page)
    counted = result.inserted + result.skipped + result.updated + result.unchanged
    assert len(valid) <= counted <= len(page)  # repeated ids in one page count once
    assert result.skipped == 0 or result.skipped_text.startswith(f"{result.skipped} session")
    store = SessionStore(path)
    try:
        for s in valid:  # the valid sessions of the page are all stored
            assert store.get_session(s["id"]) is not None
    finally:
        store.close()
