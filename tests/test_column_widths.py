"""Columns that fit: the recorded names are never cut while there is room; `<`/`>` resize the
column under the cursor and the width is remembered per profile."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mluvii_tui.api.models import parse_session
from mluvii_tui.app import MluviiApp
from mluvii_tui.config.settings import load_state, update_state
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.query.columns import column_by_id
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.column_widths import fit_widths, natural_widths
from mluvii_tui.widgets.session_table import SessionTable

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NAMES = ["Bartoloměj Kaprálek", "Ž. Nováková-Dvořáková", "李小龍", "Jan"]


class Row(dict):  # the store's rows are mappings too
    params: dict[str, str] = {}


def _rows(names: list[str]) -> list[Row]:
    return [Row(client_name=n, channel="Chat", operators="Eva") for n in names]


def test_names_fit_when_there_is_room() -> None:
    columns = [column_by_id(c) for c in ("client_name", "channel", "operators")]
    natural = natural_widths(columns, _rows(NAMES))
    widths = fit_widths(columns, natural, 180)
    name_width = widths[0]
    assert name_width >= len("Ž. Nováková-Dvořáková")  # the longest recorded name is whole
    assert name_width >= 6 and widths[0] == natural[0]


def test_narrow_view_shrinks_the_widest_towards_its_default() -> None:
    columns = [column_by_id(c) for c in ("client_name", "channel", "operators")]
    natural = natural_widths(columns, _rows(["x" * 50]))
    widths = fit_widths(columns, natural, 40)
    assert widths[0] < 50 and widths[0] >= columns[0].width
    assert widths[1:] == natural[1:]
    # a width the user set is kept as set
    assert fit_widths(columns, natural, 40, {"client_name": 7})[0] == 7


async def test_table_fits_names_and_resizes_from_the_keyboard(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    store.upsert_sessions([parse_session(d) for d in generate_sessions(120, seed=9, now=NOW)])
    update_state("w-fit", columns=["created", "client_name", "channel", "status"])
    app = MluviiApp(store, None, profile="w-fit", now=lambda: NOW)
    async with app.run_test(size=(180, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        lines = [table.render_line(y).text for y in range(1, table.size.height)]
        shown = [table.row_at(i) for i in range(len(lines))]
        column = table.columns[1]
        names = {column.text(r) for r in shown if r is not None and r["client_name"]}
        assert names
        for name in names:
            assert any(name in line for line in lines), name  # never cut with room to spare
        assert not any("…" in line for line in lines)
        before = table.column_widths[1]
        await pilot.press("l", "greater_than_sign", "greater_than_sign")
        await pilot.pause()
        assert table.column_widths[1] == before + 4
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert table.column_widths[1] == before + 2
        state, _ = load_state("w-fit")
        assert state["widths"] == {"client_name": before + 2}
    # remembered: a new session of the profile starts with that width
    app = MluviiApp(store, None, profile="w-fit", now=lambda: NOW)
    async with app.run_test(size=(180, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionTable)
        assert table.column_widths[1] == before + 2
        await pilot.press("equals_sign")  # fit again
        await pilot.pause()
        assert table.column_widths[1] == before
        assert load_state("w-fit")[0]["widths"] == {}
    store.close()
