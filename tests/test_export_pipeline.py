"""The one transcript pipeline: the decoder (transcript_decode.py, stored JSON straight to
items) gives exactly the items of the pydantic fallback (``parse_session`` +
``build_transcript``), and so the same HTML and text, on the demo generator's sessions and on odd
variations of them; what it is not sure of it declines, it never differs."""

from __future__ import annotations

import copy
import json
import random
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest

from export_helpers import session_dict
from mluvii_tui.api.models import parse_session
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.domain.transcript import build_transcript
from mluvii_tui.domain.transcript_decode import decode, session_items
from mluvii_tui.domain.transcript_text import transcript_text
from mluvii_tui.export import html_export as H
from mluvii_tui.export.csv_export import text_transcript
from mluvii_tui.export.html_export import html_transcript

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _exact_html(data: Any) -> str:
    model = parse_session(data)
    if model is None:
        return H.session_section(0, [], None).split("</dl>")[1].split("</section>")[0]
    items = build_transcript(model)
    if not items:
        return '<p class="empty">No activities.</p>'
    return '<ol class="transcript">' + "".join(map(H.render_item, items)) + "</ol>"


def _exact_text(data: Any) -> str:
    model = parse_session(data)
    return transcript_text(build_transcript(model)) if model is not None else ""


def _raw(data: Any) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode())


def _no_store(session_id: int) -> None:
    raise AssertionError("a decodable raw never needs the store")


def _check(data: Any) -> bool:
    """Both readings equal (items, HTML, text); True when the decoder took the session."""
    raw = _raw(data)
    assert html_transcript(raw, 1, _no_store) == _exact_html(data)
    assert text_transcript(raw, 1, _no_store) == _exact_text(data)
    items = decode(data)
    if items is None:
        return False
    assert items == build_transcript(parse_session(data))
    return True


@pytest.fixture(scope="module")
def demo() -> list[dict[str, Any]]:
    return generate_sessions(400, seed=11, now=NOW, days=3)


def test_demo_sessions_equal_and_decoded(demo: list[dict[str, Any]]) -> None:
    assert all(_check(d) for d in demo)  # forms too, one activity at a time
    assert all(_check(session_dict(sid)) for sid in range(1, 20))


def test_sessions_as_the_store_writes_them_are_decoded(demo: list[dict[str, Any]]) -> None:
    """The store keeps the model's dump (``to_api``): every activity has heroCard and
    callScript lists. Empty or null ones are decoded (pydantic drops a null: no fields); other
    values decline; all equal."""
    dumped = [parse_session(d).to_api() for d in demo]
    assert all("heroCard" in a for d in dumped for a in d.get("activities", []))
    assert all(_check(d) for d in dumped)
    plain = next(d for d in dumped if decode(d) is not None)
    for odd in (None, {}, "x", [{"key": "email", "label": "E-mail"}]):
        d = copy.deepcopy(plain)
        d["activities"][0]["heroCard"] = odd
        assert _check(d) is (odd is None)
        d["activities"][0]["heroCard"] = []
        d["activities"][0]["callScript"] = odd
        assert _check(d) is (odd is None)


def _mutate(d: dict[str, Any], rng: random.Random) -> None:
    acts = d.get("activities") or []
    if not acts:
        return
    a = rng.choice(acts)
    choice = rng.randrange(17)
    if choice == 0 and isinstance(a.get("type"), str):
        a["type"] = a["type"].lower()
    elif choice == 1 and isinstance(a.get("time"), str):
        a["time"] = a["time"][:19] + "Z"
    elif choice == 2 and isinstance(a.get("time"), str):
        a["time"] = a["time"][:19]  # naive
    elif choice == 3:
        a.pop("time", None)
    elif choice == 4:
        rng.shuffle(acts)
    elif choice == 5:
        a["userId"] = str(a.get("userId", 5))  # wrong type: pydantic coerces, we fall back
    elif choice == 6:
        a["user_id"] = 42  # snake_case: pydantic reads it too
    elif choice == 7:
        a["type"] = "SomethingNew"
        a["text"] = "new\x1b[31m red \u202e text"
    elif choice == 8:
        a["status"] = rng.choice(["Delivered", "read", "Failed", "Weird"])
    elif choice == 9:
        a["file"] = {
            "name": "a<b>.pdf",
            "downloadUrl": rng.choice(["javascript:alert(1)", "https://x.test/?a=1&b=2", None]),
            "isDeleted": rng.choice([None, True, False]),
            "isUploading": rng.choice([None, True]),
        }
    elif choice == 10:
        a["client"] = rng.choice(["guest", "CHATBOT", "User", "Nobody", None])
        a["chatbotId"] = rng.choice([None, 1, 99])
    elif choice == 11:
        a["text"] = ""
        a["chatbotMessageContent"] = rng.choice([{"text": "hi <there>"}, ["x", 1], "plain"])
    elif choice == 12:
        a["time"] = "2026-11-20 09:00:00"  # pydantic accepts a space; we fall back
    elif choice == 13:
        d["operators"] = [{"userId": 7, "userName": "u<7>"}, {"firstName": "Bez", "userId": 0}]
    elif choice == 14:
        a["terminationReason"] = rng.choice(["operatorended", "Odd", 3])
        a["type"] = "SessionEnded"
    elif choice == 15:
        a["time"] = rng.choice(
            [
                "2026-11-20T09:00:00.5-00:00",
                "2026-11-20T09:00:59.999999+05:30",
                "2026-11-19T23:59:59-08:00",
            ]
        )
    else:
        a["time"] = "2026-13-45T99:00:00+00:00"  # invalid: pydantic drops it


def _check_variations(samples: list[Any], mutate: Any, *, seed: int, count: int) -> None:
    """``count`` copies of the samples, each changed 1-3 times by ``mutate``: both paths equal."""
    rng = random.Random(seed)
    for i in range(count):
        d = copy.deepcopy(samples[i % len(samples)])
        for _ in range(rng.randint(1, 3)):
            mutate(d, rng)
        _check(d)


def test_variations_equal_the_exact_path(demo: list[dict[str, Any]]) -> None:
    _check_variations(demo, _mutate, seed=5, count=600)


def test_damaged_and_missing_sources_read_the_store() -> None:
    model = parse_session(session_dict(3))
    calls: list[int] = []

    def load(sid: int) -> Any:
        calls.append(sid)
        return model

    assert html_transcript(b"not zlib", 3, load) == _exact_html(session_dict(3))
    assert calls == [3]
    assert html_transcript(None, 4, load).startswith('<p class="empty">Transcript not')
    assert text_transcript(None, 4, load) == ""
    assert html_transcript(_raw([1, 2]), 5, load).startswith('<p class="empty">Transcript not')
    assert html_transcript(_raw({"id": 6}), 6, load) == '<p class="empty">No activities.</p>'


def test_html_export_equals_the_reference_markup(tmp_path, demo: list[dict[str, Any]]) -> None:
    """Every summary row and section of a run_export file is exactly what html_export's
    reference functions make of SessionStore rows and sessions (times local without offsets,
    durations h:mm:ss, the id column once)."""
    from mluvii_tui.export import ExportOptions, run_export
    from mluvii_tui.query.columns import BASIC_COLUMNS, column_by_id
    from mluvii_tui.query.types import SessionQuery
    from mluvii_tui.store.store import SessionStore

    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(demo[:150])
    ids = [*BASIC_COLUMNS, "id", "rating", "auto_accepted", "param:email"]
    cols = [column_by_id(c) for c in ids]
    out = tmp_path / "x.html"
    q = SessionQuery(view="all")
    run_export(store, q, ids, ExportOptions(format="html", path=out))
    html = out.read_text("utf-8")
    cols = [c for c in cols if c.id != "id"]  # the Session column shows it: not twice
    assert "<th>Session ID</th>" not in html
    for row in store.window(q, 0, 200):
        cells = [c.html(row) for c in cols]
        assert H.summary_row(row.id, cells) in html
        info = [
            (c.header if c.param is None else c.id, v) for c, v in zip(cols, cells, strict=True)
        ]
        section = H.session_section(row.id, info, build_transcript(store.get_session(row.id)))
        assert section in html
    store.close()


@pytest.mark.parametrize("zone", ["Europe/Prague", "America/St_Johns", "Asia/Kathmandu"])
def test_iso_time_equals_column_export(zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quarter-hour shortcut of iso_time equals the plain conversion, across DST
    switches (St John's switched at 00:01 local time) and with fractions of a second."""
    import time

    from mluvii_tui.query import columns
    from mluvii_tui.query.columns import format_time_iso

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    columns._blocks.clear()
    try:
        rng = random.Random(2)
        values: list[float] = [rng.uniform(0, 2.1e9) for _ in range(20000)]
        values += [t + d for t in (607491354.0, 1711846800.0) for d in range(-3700, 3700, 13)]
        values += [1711846799.9999999, 1711846799.5, 0.0, 1e12]
        assert [columns.iso_time(v) for v in values] == [format_time_iso(v) for v in values]
        assert 0 < len(columns._blocks) <= columns.BLOCKS_MAX  # bounded (20,000 quarter hours)
    finally:
        monkeypatch.undo()
        time.tzset()
        columns._blocks.clear()


def test_time_spellings_are_decoded_and_equal(demo: list[dict[str, Any]]) -> None:
    """Fractions of seconds, "Z" and "-00:00" offsets, mixed offsets (ordered by instant) and
    text that needs escaping: decoded, and equal to the pydantic reading."""
    rng = random.Random(9)
    for i in range(200):
        d = copy.deepcopy(demo[i % len(demo)])
        acts = d["activities"]
        when = acts[0]["time"][:19]
        for other in acts:  # one instant everywhere, the last one spelled otherwise: in order
            other["time"] = when + "+00:00"
        acts[-1]["time"] = when + rng.choice(["Z", "-00:00", ".25+00:00", ".123456Z"])
        a = rng.choice(acts)
        if a.get("text"):
            a["text"] = rng.choice(["<b>&'\"</b>", "a  b", "tab\there", "\u200bx", a["text"]])
        assert _check(d)
    mixed = copy.deepcopy(demo[0])
    mixed["activities"][0]["time"] = mixed["activities"][0]["time"][:19] + "+05:30"
    mixed["activities"][-1]["time"] = mixed["activities"][-1]["time"][:19] + "-03:00"
    assert _check(mixed)


def test_session_items_reads_what_the_decoder_declines(demo: list[dict[str, Any]]) -> None:
    """``session_items`` (the detail pane's reading) takes the decoder's items, and the pydantic
    reading for a session it declines; names known from elsewhere fill in unknown operators."""
    d = copy.deepcopy(demo[0])
    assert session_items(d) == decode(d)
    d["activities"][0]["userId"] = "7"  # pydantic reads it as 7, the decoder declines
    assert decode(d) is None
    assert session_items(d) == build_transcript(parse_session(d))
    assert session_items([1]) is None
    names = {424242: "Known Elsewhere"}
    d = session_dict(1)
    d["activities"][1]["userId"] = 424242
    d["activities"][1]["client"] = "User"
    items = session_items(d, names)
    assert items == build_transcript(parse_session(d), user_names=names)
    assert items[1].sender_name == "Known Elsewhere"


def test_raw_decoding_equals_json_loads() -> None:
    """loads_raw takes a shortcut for plain UTF-8 JSON; other encodings and surrounding
    whitespace read as json.loads reads them, damage is BAD."""
    from mluvii_tui.domain.transcript_decode import BAD as _BAD
    from mluvii_tui.domain.transcript_decode import loads_raw as _loads

    value = {"id": 1, "a": ["č", 1.5, None]}
    plain = json.dumps(value, ensure_ascii=False)
    for raw in (
        plain.encode(),
        f" {plain}\n".encode(),
        plain.encode("utf-8-sig"),
        plain.encode("utf-16"),
        plain.encode("utf-32-le"),
    ):
        assert _loads(zlib.compress(raw)) == json.loads(raw) == value
    assert _loads(zlib.compress(plain.encode() + b" x")) is _BAD
    assert _loads(b"not zlib") is _BAD
    assert _loads(zlib.compress(b'"\\ud800"')) == json.loads(b'"\\ud800"')


def _lines_but_date(path: Any) -> list[str]:
    """An export's lines without the "exported at" one (the minute differs between runs)."""
    return [line for line in path.read_text("utf-8").splitlines() if "exported" not in line]


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_parallel_export_equals_the_sequential_one(
    fmt: str, tmp_path, demo: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Transcripts (HTML sections, CSV's Transcript column) rendered ahead in worker processes
    give the same file, byte for byte (but the "exported at" minute), including sessions the
    workers hand back to the caller."""
    from mluvii_tui.export import ExportOptions, parallel, run_export
    from mluvii_tui.query.types import SessionQuery
    from mluvii_tui.store.store import SessionStore

    odd = copy.deepcopy(demo[:5])
    for d in odd:  # mixed offsets: not a plain session, rendered by the caller
        d["activities"][0]["time"] = "2026-11-19T10:00:00+05:00"
    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(odd + demo[5:200])
    q = SessionQuery(view="all")
    monkeypatch.setattr("mluvii_tui.export.runner.SESSION_WINDOW", 40)
    cols = ["created", "channel"]
    for name in ("a", "b"):
        if name == "b":
            monkeypatch.setattr(parallel, "PARALLEL_MIN", 0)
        options = ExportOptions(format=fmt, path=tmp_path / name, include_transcripts=True)
        run_export(store, q, cols, options)
    store.close()

    assert _lines_but_date(tmp_path / "a") == _lines_but_date(tmp_path / "b")


def test_a_broken_worker_pool_costs_speed_not_the_export(
    monkeypatch: pytest.MonkeyPatch, demo: list[dict[str, Any]]
) -> None:
    """A pool that fails on submit, or whose workers die, leaves the rendering to the caller:
    every window still comes out whole and in order."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from mluvii_tui.export import parallel

    rows = [(d["id"], _raw(d)) for d in demo[:30]]
    windows = [rows[i : i + 7] for i in range(0, len(rows), 7)]
    expected = [html_transcript(raw, sid, _no_store) for sid, raw in rows]

    def render(row: tuple[Any, ...]) -> str:
        return html_transcript(row[-1], row[0], _no_store)

    class Pool:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.calls = 0

        def __enter__(self) -> Pool:
            return self

        def __exit__(self, *exc: Any) -> None:
            return None

        def submit(self, *args: Any) -> Future:
            self.calls += 1
            if self.calls == 3:
                raise BrokenProcessPool("gone")
            future: Future = Future()
            future.set_exception(BrokenProcessPool("worker died"))
            return future

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Pool)
    out = list(parallel.rendered_windows(windows, render, "html"))
    assert [r for w, _ in out for r in w] == rows
    assert [t for _, ts in out for t in ts] == expected


_FORM_KINDS = ("HeroCard", "CallScript", "HeroCardSubmission", "CallScriptSubmission")


def _mutate_form(d: dict[str, Any], rng: random.Random) -> None:
    acts = d["activities"]
    forms = [a for a in acts if a.get("type") in _FORM_KINDS]
    a = rng.choice(forms)
    choice = rng.randrange(11)
    if choice == 0:
        a["submissionOfActivityId"] = 999_999_999  # answers nothing here
    elif choice == 1:
        a["submissionOfActivityId"] = rng.choice(acts).get("activityId")  # any activity
    elif choice == 2:
        twin = copy.deepcopy(rng.choice(forms))
        acts.insert(rng.randrange(len(acts) + 1), twin)  # a repeated activity id: last wins
    elif choice == 3:
        other = rng.choice(acts)
        other["activityId"] = str(other.get("activityId"))  # pydantic reads "12" as 12
    elif choice == 4:
        a["heroCard"] = [{"key": 5, "label": None}, {"key": "x", "choiceOptions": "bad"}]
    elif choice == 5:
        a["submissionParams"] = rng.choice([None, [], {"a": [1, {"b": None}]}, {"x": "<b>"}])
    elif choice == 6:
        a["submissionByOperatorId"] = rng.choice([None, 9999, "7"])
    elif choice == 7:
        a["submissionResult"] = rng.choice(["Odd", "submitted", 3, None])
    elif choice == 8:
        a["callScript"] = None
    elif choice == 9:
        a["text"] = rng.choice(["<script>x</script>", "\x1b[31mred", None, 5])
    else:
        a["time"] = rng.choice([None, "2026-11-20T09:00:00", "bad"])


def test_form_variations_equal_the_exact_path(demo: list[dict[str, Any]]) -> None:
    """The decoder reads forms one activity at a time through pydantic; any odd form, answer or
    id is declined or gives exactly the pydantic reading's transcript."""
    with_forms = [
        parse_session(d).to_api()
        for d in demo
        if any(a.get("type") in _FORM_KINDS for a in d.get("activities", []))
    ]
    assert len(with_forms) >= 20
    assert all(_check(d) for d in with_forms)  # as generated: all decoded
    _check_variations(with_forms, _mutate_form, seed=17, count=400)


def test_workers_start_under_a_captured_stderr(tmp_path, demo: list[dict[str, Any]]) -> None:
    """Under Textual sys.stderr is a capture object whose fileno() is -1, which made starting
    the worker processes fail ("bad value(s) in fds_to_keep") and the export with it. In a fresh
    process (no fork server yet) with such a stderr, a parallel export works and equals the
    sequential one; a pool that cannot even be created falls back to the caller."""
    import subprocess
    import sys

    from mluvii_tui.store.store import SessionStore

    store = SessionStore(tmp_path / "s.sqlite3")
    store.upsert_sessions(demo[:120])
    store.close()
    script = f"""
import io, sys
from pathlib import Path
from mluvii_tui.export import ExportOptions, parallel, run_export
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.store import SessionStore

class Captured(io.StringIO):
    def fileno(self):
        return -1

def main():
    store = SessionStore({str(tmp_path / "s.sqlite3")!r})
    q = SessionQuery(view="all")
    out = Path({str(tmp_path)!r})
    run_export(store, q, ["created"], ExportOptions(format="html", path=out / "a"))
    parallel.PARALLEL_MIN = 0
    sys.stderr = Captured()
    run_export(store, q, ["created"], ExportOptions(format="html", path=out / "b"))
    print("parallel ok")

if __name__ == "__main__":
    main()
"""
    (tmp_path / "run.py").write_text(script)
    proc = subprocess.run(
        [sys.executable, str(tmp_path / "run.py")], capture_output=True, text=True, timeout=120
    )
    assert "parallel ok" in proc.stdout, proc.stderr[-2000:]

    assert _lines_but_date(tmp_path / "a") == _lines_but_date(tmp_path / "b")


def test_a_pool_that_cannot_start_falls_back(monkeypatch: pytest.MonkeyPatch, demo) -> None:
    from mluvii_tui.export import parallel

    def no_pool(*args: Any, **kwargs: Any) -> None:
        raise ValueError("bad value(s) in fds_to_keep")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    rows = [(d["id"], _raw(d)) for d in demo[:10]]
    out = list(parallel.rendered_windows([rows[:6], rows[6:]], lambda r: str(r[0]), "html"))
    assert [ts for _, ts in out] == [[str(r[0]) for r in rows[:6]], [str(r[0]) for r in rows[6:]]]
