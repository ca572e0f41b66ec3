"""Launch: the console's first frame needs no pydantic, httpx or keyring, nor the detail pane,
dialogs, palette providers or stats; the connect (the client, the keyring) runs only after the
first rows are on the screen.

A fresh interpreter (a subprocess: this one has loaded everything) imports what the console
command imports, opens a real store file and runs the real app under Pilot until the first rows
are painted; the connect callable records what was loaded when it was called."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from accounts import no_keyring, user_dirs
from child_json import child_json
from mluvii_tui.api.errors import MluviiError
from mluvii_tui.config.profiles import Profile
from mluvii_tui.config.secrets import CLIENT_SECRET, set_secret
from mluvii_tui.connect.opening import connect_later, secret_asks_terminal
from mluvii_tui.demo.generator import generate_sessions
from mluvii_tui.store.store import SessionStore

__all__ = ["no_keyring", "user_dirs"]

HEAVY = (
    "httpx",
    "pydantic",
    "keyring",
    "cryptography",
    "mluvii_tui.api.models",
    "mluvii_tui.widgets.detail",  # the detail pane: built when first opened
    "mluvii_tui.screens.download_dialog",
    "mluvii_tui.screens.keys",  # palette providers: when the palette opens
    "mluvii_tui.screens.profiles",
    "mluvii_tui.screens.stats",
    "mluvii_tui.actions.runner",
)

CHILD = r"""
import asyncio, json, sys
from pathlib import Path

HEAVY = tuple(sys.argv[2].split(","))

def heavy():
    return sorted({h for h in HEAVY for m in sys.modules if m == h or m.startswith(h + ".")})

import mluvii_tui.cli.main as cli_main  # what `mluvii-tui` imports first
cli_main.build_parser()
from mluvii_tui.cli.console import _open_console  # noqa: F401 - the command's own path
from mluvii_tui.cli.live import console_live  # noqa: F401
from mluvii_tui.cli.serve import console_settings  # noqa: F401
from mluvii_tui.connect.opening import open_healed  # noqa: F401
from mluvii_tui.app import MluviiApp
from mluvii_tui.store import recover

out = {"imported": heavy()}
store, _notice = recover.open_store(Path(sys.argv[1]))
out["store_opened"] = heavy()
calls = []

def connect():
    calls.append({"first_paint": app.first_paint_s is not None, "loaded": heavy()})
    raise ConnectionError("offline on purpose")

app = MluviiApp(store, None, profile="launch-test", connect=connect, base_url="https://x.test")

async def run():
    async with app.run_test(size=(160, 45)) as pilot:
        for _ in range(2000):
            if app.first_paint_s is not None:
                break
            await asyncio.sleep(0.005)
        await pilot.pause()
        out["first_rows"] = heavy()
        out["screen"] = app.export_screenshot()
        out["row_count"] = app.screen.query_one("#sessions-table").row_count
        for _ in range(400):  # the connect follows the first paint
            if calls:
                break
            await asyncio.sleep(0.005)
        await app.workers.wait_for_complete()
        await pilot.pause()
        out["status"] = str(app.screen.query_one("#status-line").render())

asyncio.run(run())
store.close()
out["connect_calls"] = calls
print(json.dumps(out))
"""


def test_first_frame_loads_no_models_client_keyring_or_detail(tmp_path: Path) -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    store = SessionStore(tmp_path / "launch.sqlite3")
    store.upsert_sessions(list(generate_sessions(300, seed=5, now=now)))
    store.close()
    out = child_json(CHILD, str(tmp_path / "launch.sqlite3"), ",".join(HEAVY), cwd=tmp_path)
    assert out["imported"] == []
    assert out["store_opened"] == []
    assert out["first_rows"] == []
    # the rows were really on the screen: rendered, not just loaded
    assert out["row_count"] > 0
    assert "Created" in out["screen"] and "2026-" in out["screen"]
    # the connect ran once, after the first paint, before anything heavy was loaded
    assert out["connect_calls"] == [{"first_paint": True, "loaded": []}]
    assert "offline on purpose" in out["status"]


def test_the_secret_is_read_before_the_console_only_for_a_passphrase_prompt(
    user_dirs: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keyring (and the client) wait for the connect worker; only an entry of the encrypted
    file with no passphrase in the environment is read before the console takes the terminal."""
    for var in ("MLUVII_TUI_CLIENT_SECRET", "MLUVII_TUI_SECRETS_PASSPHRASE"):
        monkeypatch.delenv(var, raising=False)
    acme = Profile(name="acme", base_url="https://acme.test", client_id="acme-id")
    assert not secret_asks_terminal(acme)  # nothing in the file: the keyring, after the paint
    with pytest.raises(MluviiError, match="no secret for profile 'acme'"):
        connect_later(acme)()  # the status line's one line, not a traceback
    set_secret("acme", CLIENT_SECRET, "s3cret", file_passphrase="correct horse")
    assert secret_asks_terminal(acme)
    monkeypatch.setenv("MLUVII_TUI_SECRETS_PASSPHRASE", "correct horse")
    assert not secret_asks_terminal(acme)
    client = connect_later(acme)()
    assert (client.base_url, client.client_id) == ("https://acme.test", "acme-id")
    monkeypatch.delenv("MLUVII_TUI_SECRETS_PASSPHRASE")
    monkeypatch.setenv("MLUVII_TUI_CLIENT_SECRET", "from-env")
    assert not secret_asks_terminal(acme)
