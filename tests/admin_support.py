"""Shared pieces of the admin-action Pilot tests: a simulator, the real app on a real store,
sessions made through /_sim and copied into the store, and rendered toasts."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.widgets._toast import Toast

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.app import MluviiApp
from mluvii_tui.store.store import SessionStore
from mluvii_tui.widgets.session_table import SessionTable

MINUTE, HOUR, DAY = 60, 3600, 86400


def make_app(sim: Any, tmp_path: Path, who: str = "demo-admin", **kwargs: Any) -> MluviiApp:
    store = SessionStore(tmp_path / f"{who}.sqlite")
    client = MluviiClient(sim.base_url, who, f"{who}-secret", max_retries=0)
    return MluviiApp(store, client, profile=f"t-{tmp_path.name}", sync_days=1, **kwargs)


async def settle(pilot: Any, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def copy_in(app: MluviiApp, ctl: Any, *ids: int) -> None:
    app.store.upsert_sessions([ctl.get(f"/api/v1/Sessions/{sid}").json() for sid in ids])


async def select(pilot: Any, session_id: int) -> None:
    table = pilot.app.screen.query_one(SessionTable)
    table.set_query(replace(table.query, view="all"), keep=session_id)
    await pilot.pause()
    assert table.current_session_id == session_id
    table.focus()


def live(ctl: Any, **body: Any) -> int:
    return ctl.post("/_sim/sessions", json={"operator": 101, "group": 11, **body}).json()["id"]


def ended(ctl: Any, source: str, write: bool = True) -> int:
    sid = ctl.post("/_sim/sessions", json={"source": source, "operator": 103}).json()["id"]
    if write:
        ctl.post(f"/_sim/sessions/{sid}/message", json={"text": "Ahoj", "from": "Guest"})
    ctl.post(f"/_sim/sessions/{sid}/end", json={"by": "User", "acwSeconds": 0})
    return sid


def toasts(app: MluviiApp) -> list[str]:
    """The text of every toast on screen (rendered, not only queued)."""
    out = []
    for toast in app.screen.query(Toast):
        out.append(str(toast.render()))
    return out


async def has_toast(pilot: Any, text: str, timeout: float = 30.0) -> bool:
    """Whether a toast holding ``text`` shows, waiting for it: it renders some message hops
    after the worker that caused it has ended (a fixed number of pauses missed it on CI)."""
    deadline = time.monotonic() + timeout
    while not any(text in t for t in toasts(pilot.app)):
        if time.monotonic() > deadline:
            return False
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
    return True


def requests(ctl: Any, method: str, path: str) -> int:
    return ctl.get("/_sim/stats").json()["requests"].get(f"{method} {path}", 0)
