"""HTML export with files embedded (``--embed-files``, the export dialog): the simulator serves the
downloads; the bytes in the file are the bytes served; images inline, everything else (SVG, HTML)
a download link that never runs; hostile names escaped; the size cap leaves the rest as names
and says so."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.models import parse_session
from mluvii_tui.cli.main import main
from mluvii_tui.demo.extras import download_chunks, file_head, file_size
from mluvii_tui.demo.roster import SIM_ORIGIN
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.export import ExportOptions, run_export
from mluvii_tui.export.embed import ThreadFetch
from mluvii_tui.query.columns import BASIC_COLUMNS
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.store.store import SessionStore
from test_detail_support import NOW, rich_session

SID = 515151
HOSTILE = '"><img src=x onerror=alert(1)>.png'
NAMES = ["photo.png", "logo.svg", "page.html", HOSTILE, "faktura_2024_0815.pdf"]


def session_with_files() -> dict:
    session = rich_session(SID, base_url=SIM_ORIGIN)
    shared = next(a for a in session["activities"] if a.get("file"))
    acts = [a for a in session["activities"] if not a.get("file")]
    for i, name in enumerate(NAMES):
        act = copy.deepcopy(shared)
        act["activityId"] = 9000 + i
        act["file"].update(
            id=900 + i, name=name, downloadUrl=f"{SIM_ORIGIN}/api/v1/Sessions/{SID}/files/{900 + i}"
        )
        acts.append(act)
    session["activities"] = acts
    return session


def served(i: int) -> bytes:
    """The bytes the simulator serves for file ``900 + i``."""
    key, name = f"file/{SID}/{900 + i}", NAMES[i]
    return b"".join(download_chunks(key, file_size(key, name), head=file_head(name)))


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    path = tmp_path_factory.mktemp("embed") / "data.json"
    path.write_text(json.dumps([session_with_files()]))
    with Simulator(data_file=path, now=NOW) as running:
        yield running


@pytest.fixture
def store(tmp_path: Path, sim: Simulator) -> Iterator[SessionStore]:
    s = SessionStore(tmp_path / "store.sqlite3")
    data = json.loads(json.dumps(session_with_files()).replace(SIM_ORIGIN, sim.base_url))
    s.upsert_sessions([parse_session(data)])
    yield s
    s.close()


def export(store: SessionStore, sim: Simulator, out: Path, cap_mb: float = 20) -> tuple[str, str]:
    fetch = ThreadFetch(lambda: MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret"))
    try:
        options = ExportOptions(format="html", path=out, fetch_file=fetch, embed_cap_mb=cap_mb)
        result = run_export(store, SessionQuery(view="all"), list(BASIC_COLUMNS), options)
    finally:
        fetch.close()
    assert result.status == "done"
    return out.read_text("utf-8"), result.summary()


def data_urls(html: str) -> list[tuple[str, bytes]]:
    found = re.findall(r'(?:src|href)="data:([a-z/+-]+);base64,([A-Za-z0-9+/=]+)"', html)
    return [(kind, base64.b64decode(b64)) for kind, b64 in found]


def test_files_are_embedded_byte_for_byte_and_never_active(
    store: SessionStore, sim: Simulator, tmp_path: Path
) -> None:
    html, summary = export(store, sim, tmp_path / "out.html")
    assert "5 files embedded" in summary, summary
    urls = data_urls(html)
    assert sorted(data for _, data in urls) == sorted(served(i) for i in range(len(NAMES)))
    kinds = {data: kind for kind, data in urls}
    assert kinds[served(0)] == "image/png" and kinds[served(3)] == "image/png"  # shown inline
    for i in (1, 2, 4):  # svg, html, pdf: a download, never rendered
        assert kinds[served(i)] == "application/octet-stream"
    assert "data:image/svg" not in html and "data:text/html" not in html
    assert html.count('<img class="embedded"') == 2
    assert 'download="logo.svg"' in html and 'download="page.html"' in html
    # the hostile name is text everywhere: no tag or attribute of it survives
    assert "<img src=x" not in html and "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.png" in html
    assert len(re.findall(r"<script>", html)) == 1  # ours
    assert sim.base_url not in html  # no link back to the API host


def test_the_cap_leaves_the_rest_as_names_and_says_so(
    store: SessionStore, sim: Simulator, tmp_path: Path
) -> None:
    cap = 0.05  # MB: the first small files fit, the 1.2 MB screenshot-sized ones do not
    html, summary = export(store, sim, tmp_path / "capped.html", cap_mb=cap)
    embedded = data_urls(html)
    assert sum(len(d) for _, d in embedded) <= cap * 1e6
    left = len(NAMES) - len(embedded)
    assert left > 0 and html.count("— available in mluvii") == left
    assert f"the 0.05 MB cap was reached: {left} files are listed by name only" in summary


def test_cli_embed_files(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for kind in ("CONFIG", "CACHE", "DATA", "STATE"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    monkeypatch.setenv("MLUVII_TUI_CLIENT_ID", "demo-admin")
    monkeypatch.setenv("MLUVII_TUI_CLIENT_SECRET", "demo-admin-secret")
    out = tmp_path / "cli.html"
    argv = ["export", "--base-url", sim.base_url, "--days", "3650", "--quiet"]
    assert main([*argv, "--format", "csv", "--embed-files", "-o", str(tmp_path / "x.csv")]) != 0
    assert "--embed-files needs the HTML format" in capsys.readouterr().err
    assert main([*argv, "--format", "html", "--embed-files", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "5 files embedded" in err, err
    assert sorted(d for _, d in data_urls(out.read_text("utf-8"))) == sorted(
        served(i) for i in range(len(NAMES))
    )


async def test_export_dialog_embeds_when_asked(
    store: SessionStore, sim: Simulator, tmp_path: Path
) -> None:
    from textual.widgets import Checkbox, Input, Label

    from mluvii_tui.app import MluviiApp
    from mluvii_tui.screens.export_dialog import ExportDialog
    from screen_text import screen_text

    client = MluviiClient(sim.base_url, "demo-admin", "demo-admin-secret")
    app = MluviiApp(store, client, profile=f"t-embed-{tmp_path.name}", sync_days=36_500)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        dialog = ExportDialog(
            store, SessionQuery(view="all"), ["id", "channel"], directory=tmp_path, client=client
        )
        app.push_screen(dialog)
        await pilot.pause()
        embed = dialog.query_one("#export-embed", Checkbox)
        assert not embed.display  # CSV: nothing to embed into
        dialog.query_one("#fmt-html").value = True
        await pilot.pause()
        assert embed.display and "Embed shared files" in screen_text(app)
        embed.value = True
        out = tmp_path / "dialog.html"
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(dialog.query_one("#export-status", Label).render())
        assert "5 files embedded" in status, status
    assert sorted(d for _, d in data_urls(out.read_text("utf-8"))) == sorted(
        served(i) for i in range(len(NAMES))
    )
