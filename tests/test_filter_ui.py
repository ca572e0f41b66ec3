"""Filter UI on the real app: each popup editor, bad input, the filter bar, quick filter,
search in content, the command palette and server-side narrowing (real SQLite store, Pilot)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.app import MluviiApp
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.screens.filter_popup import FilterPopup
from mluvii_tui.screens.sessions_filters import server_filter_for
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.filter_bar import FilterBar
from mluvii_tui.widgets.session_table import SessionTable
from seeded import build_store, store_copy

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (120, 40)


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("filters-db") / "seed.db", 200, 11, NOW)


@pytest.fixture
def store(seeded_db: Path, tmp_path: Path):
    yield from store_copy(seeded_db, tmp_path)


def make_app(store: SessionStore, profile: str = "filters") -> MluviiApp:
    return MluviiApp(store, None, profile=profile, now=lambda: NOW)


def table_of(app: MluviiApp) -> SessionTable:
    return app.screen_stack[1].query_one(SessionTable)


async def open_popup(app: MluviiApp, pilot, column_id: str) -> FilterPopup:
    """Move the column cursor to ``column_id`` when visible and press f; else use the action."""
    table = table_of(app)
    ids = [c.id for c in table.columns]
    if column_id in ids:
        table.cursor_col = ids.index(column_id)
        await pilot.press("f")
    else:
        app.screen_stack[1].action_filter_column(column_id)
    await pilot.pause()
    assert isinstance(app.screen, FilterPopup)
    return app.screen


async def settle(app: MluviiApp, pilot) -> None:
    """Let the table's query workers land their rows and the screen render them."""
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


def count(store: SessionStore, *filters: Filter) -> int:
    return store.count(SessionQuery(view="history", filters=filters))


def chips(app: MluviiApp) -> list[str]:
    return [c.text for c in app.screen_stack[1].query_one(FilterBar).chips]


async def test_enum_checklist(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_popup(app, pilot, "channel")
        await pilot.press("space", "down", "space", "enter")  # Chat and AV
        await pilot.pause()
        table = table_of(app)
        assert table.query.filters == (Filter("channel", "in", values=("Chat", "AV")),)
        assert chips(app) == ["Channel: Chat, AV"]
        assert table.row_count == count(store, *table.query.filters) > 0
        # reopening shows the current choice; unchecking all is refused inline
        await open_popup(app, pilot, "channel")
        await pilot.press("space", "down", "space", "enter")
        await pilot.pause()
        popup = app.screen
        assert isinstance(popup, FilterPopup)
        assert "at least one" in popup.error_text
        await pilot.press("escape")
        await pilot.pause()
        assert table.query.filters == (Filter("channel", "in", values=("Chat", "AV")),)


async def test_time_presets_and_absolute_range(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        popup = await open_popup(app, pilot, "created")
        assert "UTC" in str(popup.query_one("#time-zone").render())  # the zone is shown
        await pilot.press("down", "down", "down", "space", "enter")  # 4th preset: last 7 days
        await pilot.pause()
        table = table_of(app)
        assert table.query.filters[0].label == "last 7 days"
        assert chips(app) == ["Created: last 7 days"]
        # enter on a highlighted preset applies it (no space needed)
        popup = await open_popup(app, pilot, "created")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, FilterPopup)
        assert table.query.filters[0].label != "last 7 days"
        assert chips(app) == [f"Created: {table.query.filters[0].label}"]
        # absolute from/to, a date alone for "to" means the whole day
        popup = await open_popup(app, pilot, "created")
        popup.query_one("#time-from").value = "2026-11-20"
        popup.query_one("#time-to").value = "25.11.2026"
        await pilot.press("enter")
        await pilot.pause()
        flt = table.query.filters[0]
        low = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
        high = datetime(2026, 11, 25, 23, 59, 59, tzinfo=UTC).timestamp()
        assert (float(flt.low), float(flt.high)) == (low, high)
        assert chips(app) == ["Created: 2026-11-20–2026-11-25 23:59"]
        assert table.row_count == count(store, flt) > 0


BAD_TIMES = [
    ("2026-02-30", "", "day 30 does not exist"),
    ("yesterday-ish", "", "not a date"),
    ("2026-11-25", "2026-11-20", "after"),
]


async def test_time_bad_input_keeps_previous(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        popup = await open_popup(app, pilot, "created")
        await pilot.press("space", "enter")  # last hour
        await pilot.pause()
        before = table_of(app).query
        popup = await open_popup(app, pilot, "created")
        for low, high, message in BAD_TIMES:
            popup.query_one("#time-from").value = low
            popup.query_one("#time-to").value = high
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is popup
            assert message in popup.error_text, (low, high)
        await pilot.press("escape")
        await pilot.pause()
        assert table_of(app).query == before


async def test_range_min_max(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        popup = await open_popup(app, pilot, "waited")
        await pilot.press(*"0:30", "tab", *"2m", "enter")
        await pilot.pause()
        table = table_of(app)
        flt = Filter("waited", "range", low="0:30", high="2m")
        assert table.query.filters == (flt,)
        assert chips(app) == ["Waited: 0:30–2:00"]
        assert table.row_count == count(store, flt) > 0
        # min > max: inline message, previous filter kept
        popup = await open_popup(app, pilot, "waited")
        popup.query_one("#range-min").value = "5:00"
        popup.query_one("#range-max").value = "1:00"
        await pilot.press("enter")
        await pilot.pause()
        assert "minimum is after the maximum" in popup.error_text
        popup.query_one("#range-max").value = "not a time"
        await pilot.press("enter")
        await pilot.pause()
        assert "not a duration" in popup.error_text
        await pilot.press("escape")
        await pilot.pause()
        assert table.query.filters == (flt,)


async def test_text_ops_and_markup_safety(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        popup = await open_popup(app, pilot, "client_email")
        await pilot.press(*"EXAMPLE.CZ"[:3])
        popup.query_one("#text-value").value = "EXAMPLE.CZ"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        table = table_of(app)
        flt = Filter("client_email", "contains", values=("EXAMPLE.CZ",))
        assert table.query.filters == (flt,)
        assert table.row_count == count(store, flt) > 0
        # is empty
        popup = await open_popup(app, pilot, "client_email")
        popup.query_one("#text-op").query("RadioButton")[2].value = True
        await pilot.press("enter")
        await pilot.pause()
        assert table.query.filters == (Filter("client_email", "empty"),)
        assert chips(app) == ["E-mail is empty"]
        # markup-looking text is data: no crash, shown literally, no rows
        popup = await open_popup(app, pilot, "client_name")
        popup.query_one("#text-value").value = "[/b] x [bold]"
        await pilot.press("enter")
        await pilot.pause()
        assert "Client contains [/b] x [bold]" in chips(app)
        assert table.row_count == 0


async def test_session_id_list(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        await settle(app, pilot)  # the first rows arrive from a worker
        ids = [table.row_at(i).id for i in range(3)]
        popup = await open_popup(app, pilot, "id")
        popup.query_one("#ids-value").value = f"{ids[0]}, {ids[1]} {ids[2]}"
        await pilot.press("enter")
        await settle(app, pilot)
        assert table.query.filters[0].values == tuple(str(i) for i in ids)
        assert table.row_count == 3
        popup = await open_popup(app, pilot, "id")
        popup.query_one("#ids-value").value = "12, abc"
        await pilot.press("enter")
        await pilot.pause()
        assert "'abc' is not a session id" in popup.error_text
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 3


async def test_operator_pick_list_offline(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        popup = await open_popup(app, pilot, "operators")
        await app.workers.wait_for_complete()
        await pilot.pause()
        names = popup.query_one("#pick-list").option_count
        assert names > 3
        first = popup.query_one("#pick-list").get_option_at_index(0).value
        await pilot.press(*first[:4])  # type-ahead narrows the list
        await pilot.pause()
        listing = popup.query_one("#pick-list")
        assert 0 < listing.option_count < names
        assert all(first[:4].lower() in o.value.lower() for o in listing._options)
        await pilot.press("tab", "space", "enter")
        await pilot.pause()
        table = table_of(app)
        flt = table.query.filters[0]
        assert flt.column == "operators" and flt.op == "in" and len(flt.values) == 1
        assert table.row_count == count(store, flt) > 0


async def test_filter_bar_remove_and_clear(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen_stack[1]
        screen.set_column_filter("channel", Filter("channel", "in", values=("Chat",)))
        screen.set_column_filter("status", Filter("status", "in", values=("CLOSED",)))
        screen.set_column_filter("waited", Filter("waited", "range", low="10"))
        await pilot.pause()
        assert chips(app) == ["Channel: Chat", "Status: CLOSED", "Waited: ≥ 0:10"]
        await pilot.press("F", "right", "delete")
        await pilot.pause()
        assert chips(app) == ["Channel: Chat", "Waited: ≥ 0:10"]
        table = table_of(app)
        assert table.row_count == count(store, *table.query.filters)
        await pilot.press("x")
        await pilot.pause()
        assert chips(app) == [] and table.query.filters == ()
        assert table.row_count == store.count(SessionQuery(view="history"))
        assert app.focused is table


async def test_quick_filter_and_bindings_inside_input(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        await settle(app, pilot)
        full = table.row_count
        await pilot.press("slash", *"fsw")  # letters bound on the screen go to the input
        await pilot.pause()
        assert not isinstance(app.screen, FilterPopup)
        assert table.query.quick == "fsw"
        assert table.query.quick_columns == tuple(c.id for c in table.columns)
        await pilot.press("backspace", "backspace", "backspace", *"chat")
        await pilot.pause(0.3)  # past the typing debounce
        await settle(app, pilot)
        assert 0 < table.row_count < full
        await pilot.press("escape")
        await pilot.pause(0.3)
        await settle(app, pilot)
        assert table.query.quick == "" and table.row_count == full
        assert app.focused is table


async def test_search_in_content_errors_keep_previous(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        await pilot.press("s", *"objedn*", "enter")
        await pilot.pause()
        assert table.query.search == "objedn*"
        hits = table.row_count
        assert hits == store.count(SessionQuery(view="history", search="objedn*")) > 0
        assert "Search: objedn*" in chips(app)
        await pilot.press("s")
        field = app.screen.query_one("#filter-input")
        error = app.screen.query_one("#filter-input-error")
        for bad in ('"unclosed', "AND AND", "*"):
            field.value = bad
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert error.display and str(error.render()).startswith("⚠"), bad
            assert table.query.search == "objedn*" and table.row_count == hits
        await pilot.press("escape")
        await pilot.pause()
        assert table.query.search == "objedn*"


async def test_command_palette(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Filter: Stat")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterPopup)
        assert app.screen.column.id == "status"


def test_server_filter_for() -> None:
    assert server_filter_for(SessionQuery()) is None
    query = SessionQuery(
        filters=(
            Filter("channel", "in", values=("Chat", "AV")),
            Filter("client_name", "contains", values=("x",)),  # not an API filter
        )
    )
    result = server_filter_for(query)
    assert result is not None
    assert ("Channel", "Chat") in result.to_params() and ("Channel", "AV") in result.to_params()


async def test_search_hits_highlighted_in_transcript(store: SessionStore) -> None:
    from mluvii_tui.widgets.detail.transcript import TranscriptView

    app = make_app(store)
    async with app.run_test(size=(160, 40)) as pilot:
        table = table_of(app)
        await pilot.press("s", *"objedn*", "enter")
        await pilot.pause()
        assert table.row_count > 0
        await pilot.press("enter")  # open the first matching session
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        hit_entries = [e.index for e in view.entries if e.hits]
        assert hit_entries, "the transcript marks the search hits"
        view.focus()
        view.cursor = 0
        await pilot.press("n")  # the next hit after the cursor (wrapping)
        later = [i for i in hit_entries if i > 0]
        assert view.cursor == (later[0] if later else hit_entries[0])
        expected = hit_entries[hit_entries.index(view.cursor) - 1]
        await pilot.press("N")
        assert view.cursor == expected


async def test_pick_list_falls_back_when_server_unreachable(store: SessionStore) -> None:
    from mluvii_tui.api.client import MluviiClient

    client = MluviiClient("http://127.0.0.1:9", "id", "secret", timeout=2.0, max_retries=0)
    app = MluviiApp(store, client, profile="filters-offline", now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()  # the start-up sync fails: that is fine here
        popup = await open_popup(app, pilot, "operators")
        await app.workers.wait_for_complete()
        await pilot.pause()
        note = str(popup.query_one("#pick-note").render())
        assert "could not load users" in note and "synced sessions" in note
        assert popup.query_one("#pick-list").option_count > 3


async def test_long_chips_keep_the_selected_one_visible(store: SessionStore) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 30)) as pilot:
        screen = app.screen_stack[1]
        for i, column in enumerate(("client_email", "client_phone", "url", "ip", "language")):
            value = f"value-{i}-" + "x" * 20
            screen.set_column_filter(column, Filter(column, "contains", values=(value,)))
        await pilot.press("F", "right", "right", "right", "right")
        await pilot.pause()
        bar = screen.query_one(FilterBar)
        rendered = str(bar.render())
        assert "value-4-" in rendered and "‹" in rendered


async def test_search_words_are_analysed_off_the_ui_thread(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the search warms the analysers in a worker; enter checks the syntax only; the
    table's worker analyses the words; the rows land and the transcript marks the hits."""
    import threading

    from mluvii_tui.query import analysis

    threads: list[str] = []
    analysed = analysis._analysed

    def recorded(word: str) -> analysis.WordTerms:
        threads.append(threading.current_thread().name)
        return analysed(word)

    monkeypatch.setattr(analysis, "_analysed", recorded)  # records the thread, analyses
    analysis.word_terms.cache_clear()
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        await pilot.press("s", *"objednávkami", "enter")
        await settle(app, pilot)
        assert table.query.search == "objednávkami"
        hits = store.count(SessionQuery(view="history", search="objednávkami"))
        assert table.row_count == hits > 0
        assert "Search: objednávkami" in chips(app)
    assert threads and threading.main_thread().name not in threads
    analysis.word_terms.cache_clear()


async def test_slash_and_a_name_in_one_burst_all_go_to_the_quick_filter(
    store: SessionStore,
) -> None:
    """ "/nov" typed fast or pasted (over SSH often one burst): every key after "/" is the
    input's, none the table's ("o" sorts there, "v" switches the view). The keys are queued at
    once, as a terminal delivers a burst, before any of them is handled."""
    from textual import events

    app = make_app(store, "filters-burst")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        table = table_of(app)
        sort, view = table.query.sort, table.query.view
        for key, char in (("slash", "/"), ("n", "n"), ("o", "o"), ("v", "v")):
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#filter-input").value == "nov"
        assert table.query.quick == "nov"
        assert (table.query.sort, table.query.view) == (sort, view)
        await pilot.press("escape")
        for key, char in (("s", "s"), ("d", "d"), ("e", "e"), ("n", "n")):  # search, the same
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]
        await pilot.pause(0.3)
        assert app.screen.query_one("#filter-input").value == "den"
        assert (table.query.sort, table.query.view) == (sort, view)
