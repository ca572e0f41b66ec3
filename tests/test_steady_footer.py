"""Submitting a search (issue 14): the bottom input takes the footer's line, so the table keeps
its size, and the footer shows the same keys again afterwards without mounting its keys anew;
keys that do change (the filter bar focused) are shown (real app, real store, Pilot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from mluvii_tui.app import MluviiApp
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable
from mluvii_tui.widgets.steady_footer import SteadyFooter
from reader_support import NOW, generated_store, settle


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_store(tmp_path_factory, "footer", 300)


def _keys(footer: SteadyFooter) -> list[str]:
    return [key.description for key in footer.query(FooterKey)]


async def test_a_search_keeps_the_table_size_and_the_footer_keys(store_path: Path) -> None:
    store = SessionStore(store_path)
    app = MluviiApp(store, None, profile="t-footer", now=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(SessionTable)
        footer = app.screen.query_one(SteadyFooter)
        keys, size, mounted = _keys(footer), table.size, list(footer.query(FooterKey))
        line = footer.region.y
        assert "Quit" in keys
        await pilot.press("s", *"dobrý den")
        await pilot.pause()
        bar = app.screen.query_one("#filter-input-bar")
        assert bar.display and not footer.display
        assert table.size == size and bar.region.y == line  # the input in the footer's line
        await pilot.press("enter")
        await settle(app, pilot)
        assert table.query.search == "dobrý den" and table.row_count > 0
        assert footer.display and not bar.display and table.size == size
        assert _keys(footer) == keys
        assert list(footer.query(FooterKey)) == mounted  # the same widgets: not recomposed
        # keys that change are shown: the filter bar focused, then the table again
        await pilot.press("F")
        await settle(app, pilot)
        assert "Remove" in _keys(footer)
        await pilot.press("escape")
        await settle(app, pilot)
        assert _keys(footer) == keys
        # the quick filter's input closes the same way
        await pilot.press("slash", "a", "escape")
        await settle(app, pilot)
        assert footer.display and _keys(footer) == keys and table.size == size
    store.close()
