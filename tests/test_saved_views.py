"""Saved views: save filters + columns + sort per profile, recall from the list and the palette,
presets kept by name, broken state files survive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import load_state, profile_dir, update_state
from mluvii_tui.query.types import Filter, SortKey
from mluvii_tui.screens.saved_views import (
    SavedViewsScreen,
    filter_from_dict,
    filter_to_dict,
    load_views,
    save_view,
)
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable
from seeded import build_store, store_copy

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (120, 40)


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("views-db") / "seed.db", 80, 5, NOW)


@pytest.fixture
def store(seeded_db: Path, tmp_path: Path):
    yield from store_copy(seeded_db, tmp_path)


def test_filter_dict_round_trip() -> None:
    for flt in (
        Filter("channel", "in", values=("Chat", "AV")),
        Filter("ended", "range", label="last 7 days"),
        Filter("waited", "range", low="1:00", high=None),
        Filter("param:email", "empty"),
    ):
        data = filter_to_dict(flt)
        assert json.loads(json.dumps(data)) == data  # plain JSON
        assert filter_from_dict(data) == flt
    assert filter_to_dict(Filter("ended", "range", label="last 7 days")) == {
        "column": "ended",
        "op": "range",
        "label": "last 7 days",
    }
    for bad in (None, [], {"column": "x"}, {"column": "x", "op": "drop"}, {"op": "in"}):
        assert filter_from_dict(bad) is None
    assert filter_from_dict({"column": "x", "op": "in", "values": [{"a": 1}]}) is None


def test_broken_state_is_not_fatal() -> None:
    profile = "broken-views"
    update_state(profile, views="nonsense")
    views, warning = load_views(profile)
    assert views == [] and warning
    update_state(profile, views=[{"name": "ok", "filters": []}, 42, {"no": "name"}])
    views, warning = load_views(profile)
    assert [v["name"] for v in views] == ["ok"] and "2 unreadable" in warning
    (profile_dir(profile) / "state.json").write_text("{not json", encoding="utf-8")
    views, warning = load_views(profile)
    assert views == [] and "unreadable" in warning


async def test_save_and_recall(store: SessionStore) -> None:
    profile = "views-a"
    app = MluviiApp(store, None, profile=profile, now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen_stack[1]
        table = screen.query_one(SessionTable)
        screen.set_column_filter("channel", Filter("channel", "in", values=("Chat",)))
        screen.set_column_filter("ended", Filter("ended", "range", label="last 7 days"))
        table.sort_by("waited", descending=False)
        await pilot.pause()
        saved_query = table.query
        await pilot.press("W")
        await pilot.pause()
        await pilot.press(*"chat", "enter")
        await pilot.pause()
        state, _ = load_state(profile)
        (view,) = state["views"]
        assert view["name"] == "chat"
        assert {"column": "ended", "op": "range", "label": "last 7 days"} in view["filters"]
        assert view["sort"] == {"column": "waited", "descending": False}
        # change everything, then recall from the list
        screen.action_clear_filters()
        table.sort_by("created", descending=True)
        await pilot.pause()
        assert table.query.filters == ()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, SavedViewsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert table.query.filters == saved_query.filters
        assert table.query.sort == SortKey("waited", False)
        assert table.row_count == store.count(table.query)
        assert load_state(profile)[0]["sort"] == {"column": "waited", "descending": False}


async def test_recall_from_palette_with_unknown_parts(store: SessionStore) -> None:
    profile = "views-b"
    save_view(
        profile,
        {
            "name": "narrow",
            "filters": [
                {"column": "status", "op": "in", "values": ["CLOSED"]},
                {"column": "no_such_column", "op": "in", "values": ["x"]},
                "garbage",
            ],
            "columns": ["created", "status", "no_such_column"],
            "sort": {"column": "status", "descending": True},
        },
    )
    app = MluviiApp(store, None, profile=profile, now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen_stack[1].query_one(SessionTable)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"view: nar")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert table.query.filters == (Filter("status", "in", values=("CLOSED",)),)
        assert [c.id for c in table.columns] == ["created", "status"]
        assert table.query.sort == SortKey("status", True)
