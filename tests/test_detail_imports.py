"""Offline, the detail pane loads no HTTP client: the client (httpx, its transport) is the app's,
imported when the console connects; the pane only names its type.

A fresh interpreter (this one has loaded everything) runs the real app on a real store file
under Pilot, opens the pane on a session and reports what it loaded and what it shows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from child_json import child_json
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore

CLIENT = ("httpx", "mluvii_tui.api.client", "mluvii_tui.api.transport")

CHILD = r"""
import asyncio, json, sys
from pathlib import Path
from mluvii_tui.app import MluviiApp
from mluvii_tui.store.store import SessionStore

CLIENT = tuple(sys.argv[2].split(","))
store = SessionStore(Path(sys.argv[1]))
app = MluviiApp(store, None, profile="detail-imports")
out = {}

async def run():
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.screen.query_one("#sessions-table")
        for _ in range(2000):
            if table.row_count:
                break
            await asyncio.sleep(0.005)
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        out["title"] = str(app.screen.query_one("#detail-title").render())
        out["session"] = table.current_session_id
        out["screen"] = app.export_screenshot()
        out["loaded"] = sorted(m for m in CLIENT if m in sys.modules)

asyncio.run(run())
store.close()
print(json.dumps(out))
"""


def test_the_detail_pane_offline_loads_no_http_client(tmp_path: Path) -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with SessionStore(tmp_path / "detail.sqlite3") as store:
        store.upsert_sessions(list(generate_sessions(50, seed=3, now=now)))
    out = child_json(CHILD, str(tmp_path / "detail.sqlite3"), ",".join(CLIENT), cwd=tmp_path)
    assert out["title"].startswith(f"Session {out['session']}")  # the pane shows the session
    assert "Transcript" in out["screen"]  # its tabs rendered
    assert out["loaded"] == []
