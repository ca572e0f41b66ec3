"""Search by the root of a word: every form finds every other form (Czech + English).

Measured on tests/data/word_forms.txt through the real index, and on the real demo: the
simulator's generated sessions synced over loopback into a real store file.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mluvii_tui.api import client as client_mod
from mluvii_tui.demo import runner
from mluvii_tui.query import analysis
from mluvii_tui.query.search import INDEX_META_KEY, ensure_index
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.store import SessionStore
from mluvii_tui.sync.history import sync_history
from word_forms import load, measure

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return measure(load())


def test_word_list_is_large_enough() -> None:
    data = load()
    assert data.forms("cs") >= 300 and data.forms("en") >= 40
    assert {"faktura", "objednávka", "reklamace", "reklama", "platba", "vrátit", "vracet"} <= {
        g.lemma for g in data.groups
    }


def test_every_form_finds_the_others(figures: dict[str, Any]) -> None:
    assert figures["found_by_lemma"] >= 0.99, figures["misses"][:20]
    assert figures["pair_recall"] >= 0.99, figures["misses"][:20]


def test_few_false_matches_between_words(figures: dict[str, Any]) -> None:
    assert figures["false_match_rate"] <= 0.01, figures["false_group_pairs"]
    distinct = figures["distinct_false_match"]
    for pair in (
        "reklamace/reklama",
        "reklamace/reklamovat",
        "platba/platit",
        "platba/platební",
        "zákazník/zákaznický",
        "pay/payment",
    ):
        assert distinct[pair] == 0.0, pair


def _ids(store: SessionStore, search: str) -> set[int]:
    return {row.id for row in store.window(SessionQuery(search=search), 0, 10_000)}


def test_demo_forms_find_the_same_sessions(tmp_path: Path) -> None:
    """faktura / fakturu / faktuře in the demo: the same sessions (3001146 "Potřebuji fakturu
    k objednávce…" among them), after a real sync from the simulator."""
    import asyncio

    store = SessionStore(tmp_path / "demo.sqlite3")
    try:
        with runner.Simulator(sessions=5000, seed=7, now=NOW) as sim:
            client = client_mod.MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret")
            asyncio.run(sync_history(client, store, days=31, now=NOW, page_size=500))
        assert store.total() == 5000
        found = {}
        for word in ("faktura", "fakturu", "faktuře", "faktury", "fakturou"):
            found[word] = _ids(store, word)
        assert 3001146 in found["faktura"]
        first = found["faktura"]
        assert len(first) > 100 and all(ids == first for ids in found.values())
        objednavka = _ids(store, "objednávka")
        assert objednavka == _ids(store, "objednávce")
        complaints = _ids(store, "reklamace")
        assert complaints == _ids(store, "reklamacemi")
    finally:
        store.close()


def test_old_index_is_rebuilt_once_with_progress(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SessionStore(path)
    from mluvii_tui.demo.generator import generate_sessions

    store.upsert_sessions(generate_sessions(60, seed=3, now=NOW))
    store.close()
    # As an older mluvii-tui left it: two columns, no record of what built it.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE fts")
    conn.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(surface, lemmas,"
        " tokenize='unicode61 remove_diacritics 2', columnsize=0)"
    )
    conn.execute("DELETE FROM meta WHERE key = ?", (INDEX_META_KEY,))
    conn.close()
    seen: list[tuple[int, int]] = []
    store = SessionStore(path, index_progress=lambda done, total: seen.append((done, total)))
    assert seen and 0 < seen[-1][0] == seen[-1][1] <= 60  # the end: done == total
    assert store.count(SessionQuery(search="faktura")) > 0
    store.close()
    again: list[tuple[int, int]] = []
    store = SessionStore(path, index_progress=lambda done, total: again.append((done, total)))
    store.close()
    assert again == []  # current: not rebuilt on every start


def test_a_new_store_says_nothing_about_its_index(tmp_path: Path) -> None:
    # `mluvii-tui demo` starts on a new store each time: it printed "search index updated:
    # 0 sessions with messages" under the console for every user.
    seen: list[tuple[int, int]] = []
    path = tmp_path / "new.sqlite3"
    SessionStore(path, index_progress=lambda done, total: seen.append((done, total))).close()
    assert seen == []
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert ensure_index(conn) is None  # and it is current
    finally:
        conn.close()


def test_languages_are_configured_and_bounded(tmp_path: Path) -> None:
    assert analysis.configured_languages() == ("cs", "en")
    for bad, message in (("cs,en,de", "at most 2"), ("xx", "unknown"), ("", "no search")):
        with pytest.raises(ValueError, match=message):
            analysis.parse_languages(bad)
    path = tmp_path / "s.sqlite3"
    SessionStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert ensure_index(conn) is None
        analysis.configure_languages(["de", "en"])
        assert ensure_index(conn) == 0  # other languages: rebuilt (an empty store here)
        assert analysis.word_terms("häuser").lemmas  # German analysed now
    finally:
        analysis.configure_languages(analysis.DEFAULT_LANGUAGES)
        conn.close()
    assert analysis.word_terms("fakturu").lemmas == frozenset({"faktura"})


def test_bad_search_languages_are_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mluvii_tui.cli.main import main

    for value in ("cs,en,de", "klingon"):
        monkeypatch.setenv("MLUVII_TUI_SEARCH_LANGUAGES", value)
        assert main(["export", "--profile", "nothing-here"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "MLUVII_TUI_SEARCH_LANGUAGES" in err
    assert analysis.configured_languages() == ("cs", "en")


def test_search_alone_is_counted_in_the_index(tmp_path: Path) -> None:
    """The count of a search alone comes from the index (no join): the same numbers as the
    join, in every view, with live sessions among the matches."""
    from mluvii_tui.demo.generator import generate_sessions
    from mluvii_tui.query.search import compile_search, search_sql

    path = tmp_path / "s.sqlite3"
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(300, seed=5, now=NOW))
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE sessions SET is_live = 1 WHERE id % 7 = 0")
    store = SessionStore(path)
    try:
        for word in ("faktura", "objednávce", "reklamace OR platba", "nothing-here"):
            sql, args = search_sql(compile_search(word))
            for view, cond in (("history", "is_live = 0"), ("live", "is_live = 1"), ("all", "1")):
                want = conn.execute(
                    f"SELECT count(*) FROM sessions s WHERE {cond} AND {sql}", args
                ).fetchone()[0]
                assert store.count(SessionQuery(view=view, search=word)) == want, (word, view)
                assert want > 0 or word == "nothing-here" or view == "live"
    finally:
        store.close()
        conn.close()


def test_broad_search_windows_probe_the_index_and_agree(tmp_path: Path) -> None:
    """A word in most sessions: windows near the ends probe the index row by row, deep ones
    list the matches; every window is the same slice of the one true order."""
    from mluvii_tui.demo.generator import generate_sessions
    from mluvii_tui.query.search import compile_search, search_sql
    from mluvii_tui.query.types import SortKey

    path = tmp_path / "s.sqlite3"
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(1500, seed=9, now=NOW))
    conn = sqlite3.connect(path)
    try:
        for word, sort in (("den", SortKey()), ("den", SortKey("length", False))):
            sql, args = search_sql(compile_search(word))
            key = "created DESC" if sort.column == "created" else "length_s ASC NULLS LAST"
            tie = "DESC" if sort.descending else "ASC"
            want = [
                r[0]
                for r in conn.execute(
                    f"SELECT id FROM sessions s WHERE is_live = 0 AND {sql}"
                    f" ORDER BY {key}, id {tie}",
                    args,
                )
            ]
            assert len(want) > 1500 // 4  # broad: probed near the ends
            query = SessionQuery(search=word, sort=sort)
            assert store.count(query) == len(want)
            for offset in (0, 40, 1000 - 50, len(want) // 2, len(want) - 60):
                rows = store.window(query, offset, 60)
                assert [r.id for r in rows] == want[offset : offset + 60], (word, offset)
    finally:
        conn.close()
        store.close()


def test_cli_rebuilds_an_old_index_once_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mluvii_tui.cli.main import main
    from mluvii_tui.config.paths import store_path
    from mluvii_tui.demo.generator import generate_sessions

    path = store_path("search-upgrade")
    store = SessionStore(path)
    store.upsert_sessions(generate_sessions(80, seed=4, now=NOW))
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM meta WHERE key = ?", (INDEX_META_KEY,))  # as an older version left it
    conn.close()
    args = ["export", "--profile", "search-upgrade", "--no-sync", "--search", "faktura"]
    assert main([*args, "-o", str(tmp_path / "a.csv")]) == 0
    assert "search index updated" in capsys.readouterr().err
    assert main([*args, "-o", str(tmp_path / "b.csv")]) == 0
    assert "search index" not in capsys.readouterr().err


def test_the_c_stemmer_stems_as_the_snowball_algorithms_the_index_was_built_with() -> None:
    """PyStemmer (snowball's C code: ~0.03 MB per process instead of 2.6 MB of Python modules)
    is what ``snowballstemmer.stemmer`` gives when installed; its stems must be those of the
    pure-Python algorithms that indexes were built with (the analysis version is unchanged)."""
    import Stemmer
    from snowballstemmer.czech_stemmer import CzechStemmer
    from snowballstemmer.german_stemmer import GermanStemmer

    assert analysis._stemmer("cs").__class__ is Stemmer.Stemmer
    words = sorted({form for g in load().groups for form in g.forms})
    assert len(words) >= 300
    for lang, pure in (("cs", CzechStemmer()), ("de", GermanStemmer())):
        ours = Stemmer.Stemmer(analysis._SNOWBALL[lang])
        assert [ours.stemWord(w) for w in words] == [pure.stemWord(w) for w in words], lang


@pytest.mark.parametrize("writing_process", [True, False], ids=["writer", "one-process"])
async def test_the_sync_processes_analyse_in_the_consoles_languages(
    tmp_path: Path, writing_process: bool
) -> None:
    """MLUVII_TUI_SEARCH_LANGUAGES=de,en: the console's index is German + English, and so are
    the rows its sync writes (the sync's processes used the default Czech + English, and,
    opening the store, re-indexed it all in those)."""
    import json

    from mluvii_tui.demo.generator import generate_sessions
    from mluvii_tui.sync.process import SyncJob, sync_in_child

    sessions = generate_sessions(20, seed=4, now=NOW)
    target = next(s for s in sessions if any(a["type"] == "ChatMessage" for a in s["activities"]))
    message = next(a for a in target["activities"] if a["type"] == "ChatMessage")
    message["text"] = "Die Häuser sind teuer"
    data = tmp_path / "data.json"
    data.write_text(json.dumps(sessions), encoding="utf-8")
    path = tmp_path / "s.sqlite3"
    analysis.configure_languages(["de", "en"])
    try:
        store = SessionStore(path)  # the console's, open while its sync runs
        with runner.Simulator(data_file=data, now=NOW) as sim:
            job = SyncJob(
                sim.base_url,
                "demo-admin",
                str(path),
                days=36_500,
                now=NOW,
                writing_process=writing_process,
            )
            await sync_in_child(job, "demo-admin-secret")
        query = SessionQuery(search="haus")  # German: "Häuser" is a form of "Haus"
        assert target["id"] in [r.id for r in store.window(query, 0, 50)]
        assert str(store.get_meta(INDEX_META_KEY)).endswith(":de,en")
        store.close()
    finally:
        analysis.configure_languages(analysis.DEFAULT_LANGUAGES)


def test_words_analysed_by_the_parsing_process_index_as_the_writers_own(tmp_path: Path) -> None:
    """The sync's parsing process analyses words for the writing one while it would wait
    (``analyse_until``): the index it then gets is the one the writer builds itself, hostile
    texts included, and a stop flag set halfway leaves the rest to the writer; so with the
    records sent through the pipe as the writing process gets them (texts joined)."""
    import marshal
    import threading

    import orjson

    from mluvii_tui.demo.generator import generate_sessions
    from mluvii_tui.store.ingest import (
        analyse_until,
        build_batch,
        decode_page,
        prepare_batch,
        record_tuple,
    )
    from mluvii_tui.sync.writer import _write

    sessions = generate_sessions(200, seed=8, now=NOW)
    chats = [s for s in sessions if any(a.get("text") for a in s["activities"])]
    hostile = ["Häuser \x1b[31m[b]x[/b]", "Faktura č. 12 — fakturami", "\u200b\ud7ff 𝓤𝓷𝓲", ""]
    for n, text in enumerate(hostile):
        next(a for a in chats[n]["activities"] if a.get("text"))["text"] = text
    page = orjson.dumps(sessions)

    def index(path: Path, analysed: str, piped: bool = False) -> list[tuple[Any, ...]]:
        batch = prepare_batch(decode_page(page))
        build_batch(batch)
        if analysed == "half":  # the first half analysed, then the flag stops it
            half = len(batch.kept) // 2
            assert analyse_until(type(batch)(batch.kept[:half], []), threading.Event()) > 0
            stopped = threading.Event()
            stopped.set()
            assert analyse_until(batch, stopped) == 0
        elif analysed == "all":
            assert analyse_until(batch, threading.Event()) > 100
        terms = [k.item.terms for k in batch.kept if k.item.texts]
        assert (None in terms) == (analysed != "all")
        store = SessionStore(path)
        if piped:
            sent = [record_tuple(k.item) for k in batch.kept]  # type: ignore[arg-type]
            _write(store, marshal.loads(marshal.dumps(("write", None, batch.problems, sent))))
        else:
            store.write_batch(batch)
        with store.reading() as conn:
            conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, 'instance')")
            rows: list[tuple[Any, ...]] = conn.execute(
                "SELECT term, doc, col FROM temp.v ORDER BY 1, 2, 3"
            ).fetchall()
        store.close()
        return rows

    own = index(tmp_path / "own.sqlite3", "none")
    assert len(own) > 1000
    assert index(tmp_path / "all.sqlite3", "all") == own
    assert index(tmp_path / "half.sqlite3", "half") == own
    assert index(tmp_path / "piped.sqlite3", "half", piped=True) == own
