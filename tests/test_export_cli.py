"""`mluvii-tui export`: syncs from the simulator over loopback, then writes the file."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mluvii_tui.cli.main import main
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.export.filterspec import FilterSpecError, parse_filter


@pytest.fixture(scope="module")
def sim_url():
    with Simulator(sessions=300, seed=11) as sim:
        yield sim.base_url


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("MLUVII_TUI_CLIENT_ID", "demo-admin")
    monkeypatch.setenv("MLUVII_TUI_CLIENT_SECRET", "demo-admin-secret")
    return tmp_path


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_export_csv_with_filter_and_columns(sim_url: str, env: Path, capsys) -> None:
    out = env / "chat.csv"
    code = main(
        [
            "export",
            "--base-url",
            sim_url,
            "--columns",
            "id,channel,status,waited",
            "--filter",
            "channel=Chat",
            "--filter",
            "waited>=0",
            "-o",
            str(out),
            "--quiet",
            "--transcripts",
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    rows = _rows(out)
    assert rows[0] == [
        "Session ID",
        "Channel",
        "Status",
        "Waited (s)",
        "Waited (h:mm:ss)",
        "Transcript",
    ]
    assert len(rows) > 1 and {r[1] for r in rows[1:]} == {"Chat"}
    assert "Exported" in err
    # HTML of everything, from the store just synced, without syncing again
    html = env / "all.html"
    code = main(
        [
            "export",
            "--profile",
            _profile(sim_url),
            "--no-sync",
            "-o",
            str(html),
            "--columns",
            "all",
            "--quiet",
        ]
    )
    assert code == 0 and html.read_text("utf-8").count('<section class="session"') >= len(rows) - 1


def _profile(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}-{parts.port}"


def test_bad_usage_exits_2(sim_url: str, env: Path, capsys) -> None:
    assert main(["export", "--base-url", sim_url, "--filter", "nope=1", "-o", "x.csv"]) == 2
    assert "unknown column 'nope'" in capsys.readouterr().err
    assert main(["export", "--base-url", sim_url, "--columns", "created,bogus"]) == 2
    assert "unknown column 'bogus'" in capsys.readouterr().err
    assert main(["export"]) == 2
    os.environ.pop("MLUVII_TUI_CLIENT_SECRET")
    assert main(["export", "--base-url", sim_url, "-o", str(env / "a.csv")]) == 2
    assert "MLUVII_TUI_CLIENT_SECRET" in capsys.readouterr().err


def test_failures_exit_1_and_leave_nothing(sim_url: str, env: Path, capsys) -> None:
    existing = env / "exists.csv"
    existing.write_text("old")
    assert main(["export", "--base-url", sim_url, "-o", str(existing), "--quiet"]) == 1
    assert "already exists" in capsys.readouterr().err and existing.read_text() == "old"
    assert main(["export", "--base-url", sim_url, "-o", str(env / "no/dir/x.csv")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert (
        main(["export", "--base-url", "http://127.0.0.1:9", "-o", str(env / "y.csv"), "--quiet"])
        == 1
    )
    assert "sync failed" in capsys.readouterr().err and not (env / "y.csv").exists()


def test_empty_result_writes_nothing(sim_url: str, env: Path, capsys) -> None:
    out = env / "none.csv"
    code = main(
        [
            "export",
            "--base-url",
            sim_url,
            "--filter",
            "param:email~no-such-address-xyz",
            "-o",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0 and not out.exists()
    assert "nothing was written" in capsys.readouterr().err


def test_subprocess_with_progress_bar(sim_url: str, env: Path) -> None:
    out = env / "p.html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mluvii_tui.cli.main",
            "export",
            "--base-url",
            sim_url,
            "--search",
            "dobrý",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists() or "nothing was written" in proc.stderr
    assert "textual" not in proc.stderr


def test_filter_syntax() -> None:
    assert parse_filter("channel=chat,av").values == ("Chat", "AV")
    assert parse_filter("waited>60").low == "60.001"
    assert parse_filter("param:email~@gmail.com").op == "contains"
    with pytest.raises(FilterSpecError, match="cannot read filter"):
        parse_filter("channel")
    with pytest.raises(FilterSpecError, match="not a number"):
        parse_filter("rating>=lots")
