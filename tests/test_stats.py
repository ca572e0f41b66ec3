"""Stats in SQL: the index-only overview equals the grouped scan on the same rows; filters give
the scan; the numbers agree with a count in Python over the same sessions."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mluvii_tui.query.stats import WAIT_BINS, overview_stats, scanned_stats
from mluvii_tui.query.types import Filter, SessionQuery
from mluvii_tui.store.store import SessionStore
from seeded import open_seeded

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    yield from open_seeded(tmp_path_factory.mktemp("stats"), 600, 4, NOW, store_now=True)


@pytest.mark.parametrize("view", ["history", "live", "all"])
@pytest.mark.parametrize("offset", [0, 3600, -5 * 3600 - 1800])
def test_overview_equals_the_scan(store: SessionStore, view: str, offset: int) -> None:
    query = SessionQuery(view=view)
    fast = store.stats(query, offset)  # creates the index, takes the overview path
    with store.reading() as conn:
        assert fast == overview_stats(
            conn,
            {"history": " AND +s.is_live = 0", "live": " AND +s.is_live = 1", "all": ""}[view],
            offset,
        )
        slow = scanned_stats(conn, query, NOW, offset)
    assert fast == slow
    assert fast.total == store.count(query)


def test_numbers_match_the_sessions(store: SessionStore) -> None:
    query = SessionQuery(view="history", filters=(Filter("channel", "in", ("Chat",)),))
    stats = store.stats(query, 3600)
    rows = store.window(query, 0, 10_000)
    assert stats.total == len(rows) == store.count(query)
    assert stats.channels == ["Chat"]
    assert sum(sum(c.values()) for _, c in stats.buckets) == stats.total
    waits = Counter()
    for row in rows:
        w = row["waited_s"]
        if w is None:
            continue
        waits[next(label for bound, label in WAIT_BINS if w < bound)] += 1
    assert dict(stats.waits) == {label: waits.get(label, 0) for _, label in WAIT_BINS}
    rated = [row["rating"] for row in rows if row["rating"] is not None]
    assert stats.rating_count == len(rated)
    if rated:
        assert stats.rating_avg == pytest.approx(sum(rated) / len(rated))
    reasons = Counter(row["end_reason"] or "(none)" for row in rows)
    top = dict(stats.end_reasons)
    for reason, n in reasons.most_common(3):
        assert top[reason] == n


def test_live_queues_count_the_waiting_clients(store: SessionStore) -> None:
    from mluvii_tui.query.layout import LIST_SEP
    from mluvii_tui.query.stats import QUEUED, WAITING

    rows = store.window(SessionQuery(view="live"), 0, 10_000)
    expected: dict[str, list[int]] = {}
    for row in rows:
        if row["status"] not in (QUEUED, WAITING):
            continue
        for group in (row["groups"] or "no group").split(LIST_SEP):
            counts = expected.setdefault(group, [0, 0])
            counts[0] += row["status"] == QUEUED
            counts[1] += 1
    assert store.live_queues() == {g: (q, w) for g, (q, w) in sorted(expected.items())}


def test_queue_history_keeps_the_last_samples() -> None:
    from mluvii_tui.query.stats import QUEUE_SAMPLES, QueueHistory

    history = QueueHistory()
    for i in range(QUEUE_SAMPLES + 5):
        history.add({"Podpora": (i, i + 1)} if i % 2 else {"Prodej": (1, 1)})
    series = history.series()
    assert len(history.samples) == QUEUE_SAMPLES
    assert set(series) == {"Podpora", "Prodej"}
    queued, waiting = series["Podpora"]
    assert len(queued) == QUEUE_SAMPLES and queued[-2] == QUEUE_SAMPLES + 3
    assert waiting[-2] == QUEUE_SAMPLES + 4 and queued[-1] == 0  # absent in a sample: 0


async def test_stats_view_in_live_shows_queue_sparklines(store: SessionStore) -> None:
    import sys

    from mluvii_tui.app import MluviiApp
    from mluvii_tui.screens.stats import StatsScreen

    sys.path.insert(0, str(Path(__file__).parent))
    from screen_text import screen_text

    app = MluviiApp(store, None, profile="st-live", now=lambda: NOW)
    app.queue_history.add({"Reklamace": (2, 3)})
    app.queue_history.add({"Reklamace": (1, 1), "Prodej": (0, 4)})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("colon", *"live", "enter", "S")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        text = screen_text(app)
        assert "Queues by group" in text and "last 2 polls" in text
        assert "Reklamace" in text and "queue 1" in text and "waiting 4" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


def test_a_large_selection_is_sampled_and_says_so(store: SessionStore) -> None:
    """Above ``exact_up_to`` sessions the pass reads one in k (by id): the total stays exact,
    the other counts are the sample's scaled by k, close to the exact ones."""
    query = SessionQuery(view="all", filters=(Filter("channel", "in", ("Chat",)),))
    with store.reading() as conn:
        exact = scanned_stats(conn, query, NOW, 0)
        sampled = scanned_stats(conn, query, NOW, 0, exact_up_to=100)
    assert exact.sample == 1 and exact.total > 100
    k = sampled.sample
    assert k == -(-exact.total // 100) and sampled.total == exact.total
    kept = sum(sum(c.values()) for _, c in sampled.buckets)
    assert kept % k == 0 and abs(kept - exact.total) < exact.total * 0.25
    assert sum(n for _, n in sampled.waits) + sampled.no_wait == kept
    assert sampled.channels == ["Chat"]


def test_the_sample_is_not_fooled_by_ids_in_steps(store: SessionStore) -> None:
    """Ratings in the generated data fall on ids in steps: a plain ``id % k`` sample missed
    every rated session; the hashed one keeps its share."""
    query = SessionQuery(view="all", filters=(Filter("rating", "range", low="4", high="5"),))
    with store.reading() as conn:
        exact = scanned_stats(conn, query, NOW, 0)
        for limit in (7, 10, 20, 40):
            sampled = scanned_stats(conn, query, NOW, 0, exact_up_to=limit)
            kept = sum(sum(c.values()) for _, c in sampled.buckets)
            assert sampled.sample > 1 and kept > 0, limit
            assert abs(kept - exact.total) < exact.total * 0.6, (limit, kept, exact.total)


def test_search_takes_the_pass(store: SessionStore) -> None:
    word = "dobrý"
    query = SessionQuery(view="all", search=word)
    stats = store.stats(query, 0)
    assert 0 < stats.total == store.count(query) < store.count(SessionQuery(view="all"))
    assert sum(sum(c.values()) for _, c in stats.buckets) == stats.total


async def test_stats_view_states_the_sample(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mluvii_tui.app import MluviiApp
    from mluvii_tui.query import stats as stats_module
    from mluvii_tui.screens.stats import StatsScreen
    from screen_text import screen_text

    monkeypatch.setattr(stats_module, "EXACT_UP_TO", 50)
    query = SessionQuery(view="all", filters=(Filter("channel", "in", ("Chat",)),))
    app = MluviiApp(store, None, profile="st-sample", now=lambda: NOW)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        app.push_screen(StatsScreen(query, "channel Chat"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        total = store.count(query)
        assert f"{total:,} sessions" in text
        assert f"a sample of 1 in {-(-total // 50)} sessions, counts scaled" in text
        assert "times in UTC (UTC+00:00)" in text
