"""HTML export: self-contained, escaped, CSP-locked; opened in headless Chromium its search works
and a customer's <script> or <img onerror> runs nothing."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from export_helpers import session_model
from mluvii_tui.export import ExportOptions, export_session_html, run_export
from mluvii_tui.query.columns import BASIC_COLUMNS
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.store import SessionStore

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
SCRIPT_PAYLOAD = "<script>document.body.setAttribute('data-pwned','script')</script>"
IMG_PAYLOAD = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"


@pytest.fixture
def html_file(tmp_path: Path) -> Path:
    store = SessionStore(tmp_path / "store.sqlite3")
    models = [
        session_model(
            1,
            messages=[
                ("Guest", "Dobrý den, kde je moje objednávka?"),
                ("User", "Hned se podívám."),
            ],
        ),
        session_model(
            2,
            messages=[("Guest", SCRIPT_PAYLOAD), ("User", IMG_PAYLOAD)],
            params={"name": '"><script>alert(1)</script>', "email": "x@example.test"},
        ),
        *(
            session_model(sid, messages=[("Guest", "hello there"), ("User", "hi")])
            for sid in range(3, 8)
        ),
    ]
    store.upsert_sessions(models)
    out = tmp_path / "export.html"
    result = run_export(
        store,
        SessionQuery(),
        [*BASIC_COLUMNS, "param:name"],
        ExportOptions(format="html", path=out),
    )
    store.close()
    assert result.status == "done" and result.sessions == 7
    return out


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_self_contained_escaped_and_csp(html_file: Path) -> None:
    html = html_file.read_text("utf-8")
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1  # ours only; the customer's is text
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp
    assert f"style-src '{_hash(style)}'" in csp and f"script-src '{_hash(scripts[0])}'" in csp
    assert "&lt;script&gt;document.body.setAttribute" in html
    assert "&lt;img src=x onerror=" in html
    assert "&quot;&gt;&lt;script&gt;alert(1)" in html
    assert not re.search(r"<(link|img|iframe)\b", html)
    assert not re.search(r"<[a-z][^>]*\ssrc=", html)  # nothing is fetched
    # files: named and "available in mluvii", no link a reader without a login could not open
    assert "files.example.test" not in html
    assert "faktura-1.pdf</span> — available in mluvii" in html
    assert html.count('<section class="session"') == 7 and html.count("<tr data-sid=") == 7


def test_single_session_html(tmp_path: Path) -> None:
    path = export_session_html(
        session_model(9, messages=[("Guest", SCRIPT_PAYLOAD)]), tmp_path / "one.html"
    )
    html = path.read_text("utf-8")
    assert "Session 9" in html and "&lt;script&gt;" in html and html.count("<script>") == 1


def _dump_dom(url: str, tmp_path: Path) -> str:
    profile = tmp_path / "chromium-profile"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--dump-dom",
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (/usr/bin/chromium); "
    "install it with `apt-get install -y chromium` (.ci/run does)",
)
def test_in_chromium_search_finds_and_payloads_do_not_run(html_file: Path, tmp_path: Path) -> None:
    dom = _dump_dom(html_file.as_uri() + "?q=objednavka", tmp_path)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert 'data-ready="1"' in body  # our script ran under the CSP
    assert "data-pwned" not in body  # neither payload did
    assert 'data-matches="1"' in body  # diacritics-insensitive: objednavka finds objednávka
    assert "<mark>objednávk" in dom
    assert re.search(r'<section class="session" id="s-1" data-sid="1">', dom)
    assert re.search(r'<section class="session" id="s-3" data-sid="3" hidden="">', dom)
    assert "1 of 7 sessions match" in dom
    assert "&lt;script&gt;document.body.setAttribute" in dom  # shown as text
    assert not re.search(r"<img[^>]*onerror", dom)
    # without a query everything is shown and the payload still runs nothing
    dom = _dump_dom(html_file.as_uri(), tmp_path)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert 'data-ready="1"' in body and "data-pwned" not in body and " hidden" not in dom


def test_html_is_for_people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Durations h:mm:ss, times in one zone stated in the header (no offsets in the text), the
    session id once, in Prague time across the DST switch."""
    import time

    from mluvii_tui.query import columns as rowcells  # iso_time's quarter-hour cache

    monkeypatch.setenv("TZ", "Europe/Prague")
    time.tzset()
    rowcells._blocks.clear()
    try:
        store = SessionStore(tmp_path / "store.sqlite3")
        store.upsert_sessions([session_model(sid, messages=[("Guest", "ahoj")]) for sid in (1, 2)])
        out = tmp_path / "people.html"
        columns = ["id", "created", "waited", "length", "channel"]
        run_export(store, SessionQuery(), columns, ExportOptions(format="html", path=out))
        store.close()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        rowcells._blocks.clear()
    html = out.read_text("utf-8")
    head = re.search(r'<p class="meta">(.*?)</p>', html).group(1)
    assert re.search(r"times in Europe/Prague \(UTC\+0[12]:00\)", head), head
    assert "Session ID" not in html and html.count("<th>Session</th>") == 1
    visible = re.sub(r'datetime="[^"]*"', "", html)  # the machine-readable attribute aside
    assert not re.search(r"\d\d:\d\d:\d\d[+-]\d\d:\d\d", visible)  # no offset in any text
    durations = re.findall(r"<td>(\d+:\d\d:\d\d)</td>", html)
    assert len(durations) >= 2
    assert "<dt>Waited</dt><dd>" in html
