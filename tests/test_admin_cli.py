"""Headless admin actions against the simulator: `sessions forward`, `ban`, `unban`,
`availability` with exit codes 0 / 1 (refused) / 2 (bad arguments, with close matches), the
audit log, read-only, operator credentials, and the runner's idempotency and unknown outcome."""

from __future__ import annotations

import json

import pytest

from mluvii_tui.actions.audit import AuditLog
from mluvii_tui.actions.permissions import Permissions
from mluvii_tui.actions.runner import ActionRunner, ForwardTarget
from mluvii_tui.api.client import MluviiClient
from mluvii_tui.cli.main import main
from mluvii_tui.config.paths import audit_log_path
from mluvii_tui.demo.runner import Simulator


@pytest.fixture(scope="module")
def sim():
    with Simulator(sessions=60, seed=5) as simulator:
        yield simulator


def run(sim, monkeypatch, capsys, *argv: str, who: str = "demo-admin") -> tuple[int, str, str]:
    monkeypatch.setenv("MLUVII_TUI_CLIENT_ID", who)
    monkeypatch.setenv("MLUVII_TUI_CLIENT_SECRET", f"{who}-secret")
    code = main([*argv, "--base-url", sim.base_url])
    out = capsys.readouterr()
    return code, out.out, out.err


def audit(sim) -> list[dict]:
    from mluvii_tui.cli.export import _profile_from_url

    path = audit_log_path(_profile_from_url(sim.base_url))
    return [json.loads(line) for line in path.read_text().splitlines()]


def live_session(ctl, **body) -> int:
    return ctl.post("/_sim/sessions", json={"operator": 101, "group": 11, **body}).json()["id"]


def test_forward_by_name_with_close_matches_and_mixed_outcomes(sim, ctl, monkeypatch, capsys):
    sid = live_session(ctl)
    ended = live_session(ctl)
    ctl.post(f"/_sim/sessions/{ended}/end", json={"acwSeconds": 0})
    code, _, err = run(
        sim, monkeypatch, capsys, "sessions", "forward", str(sid), "--group", "Obhcod"
    )
    assert code == 2 and "did you mean 'Obchod'" in err and "Traceback" not in err
    code, out, _ = run(
        sim, monkeypatch, capsys, "sessions", "forward", str(sid), str(ended), "99999999",
        "--group", "obchod", "--note", "VIP",
    )  # fmt: skip
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"done session {sid} → group Obchod (#12)")
    assert lines[1].startswith(f"refused session {ended}") and "has ended" in lines[1]
    assert "session 99999999 not found" in lines[2]
    entries = [e for e in audit(sim) if e["action"] == "forward"][-3:]
    assert [e["result"] for e in entries] == ["done", "refused", "refused"] or sorted(
        e["result"] for e in entries
    ) == ["done", "refused", "refused"]
    assert all(e["user"] == "demo-admin (administrator)" and e["request_id"] for e in entries)
    code, out, _ = run(
        sim, monkeypatch, capsys, "sessions", "forward", str(sid), "--operator", "jana novakova"
    )
    assert code == 0 and "operator Jana Nováková (#101)" in out


def test_operator_and_read_only_never_send(sim, ctl, monkeypatch, capsys):
    sid = live_session(ctl)
    before = (
        ctl.get("/_sim/stats").json()["requests"].get(f"POST /api/v1/Sessions/{sid}/forward", 0)
    )
    code, out, _ = run(
        sim, monkeypatch, capsys, "sessions", "forward", str(sid), "--group", "11",
        who="demo-operator",
    )  # fmt: skip
    assert code == 1 and "operator may not re-route" in out
    code, out, _ = run(sim, monkeypatch, capsys, "--read-only", "ban", "--session", str(sid),
                       "--reason", "x")  # fmt: skip
    assert code == 1 and "read-only mode" in out
    after = ctl.get("/_sim/stats").json()["requests"].get(f"POST /api/v1/Sessions/{sid}/forward", 0)
    assert after == before
    assert audit(sim)[-1]["reason"].startswith("not sent: read-only")


def test_ban_unban_and_availability(sim, ctl, monkeypatch, capsys):
    sid = live_session(ctl, source="Default")
    code, _, err = run(sim, monkeypatch, capsys, "ban", "--session", str(sid), "--reason", " ")
    assert code == 2 and "needs a reason" in err
    code, _, err = run(sim, monkeypatch, capsys, "ban", "--channel", "Phone", "--reason", "x")
    assert code == 2 and "identity" in err
    code, out, _ = run(
        sim,
        monkeypatch,
        capsys,
        "ban",
        "--session",
        str(sid),
        "--reason",
        "Spam",
        "--expires",
        "7d",
    )
    assert code == 0 and "as ban" in out
    ban_id = int(out.split("as ban ")[1].split()[0])
    code, out, _ = run(sim, monkeypatch, capsys, "unban", str(ban_id), "424242")
    assert code == 1 and f"done ban {ban_id}" in out and "ban 424242 not found" in out
    code, out, _ = run(sim, monkeypatch, capsys, "availability", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"groups", "operators"}
    assert {"id", "name", "operatorsOnline", "clientsWaiting"} <= set(data["groups"][0])
    code, out, _ = run(sim, monkeypatch, capsys, "availability")
    assert code == 0 and "Obchod" in out and "Operators" in out


async def test_runner_double_confirm_sends_once_and_unknown_outcome(sim, ctl, tmp_path):
    sid = live_session(ctl)
    async with MluviiClient(
        sim.base_url, "demo-admin", "demo-admin-secret", max_retries=0
    ) as client:
        runner = ActionRunner(
            client, AuditLog(tmp_path / "audit.log"), "t", Permissions(await client.get_me())
        )
        ctl.post("/_sim/reset")
        import asyncio

        target = ForwardTarget(group_id=12, name="Obchod")
        first, second = await asyncio.gather(
            runner.forward(sid, target, request_id="k1"),
            runner.forward(sid, target, request_id="k1"),
        )
        assert first is second and first.ok
        assert (
            ctl.get("/_sim/stats").json()["requests"][f"POST /api/v1/Sessions/{sid}/forward"] == 1
        )
        ctl.post("/_sim/faults", json={"path": f"/api/v1/Sessions/{sid}/forward", "method": "POST",
                                       "status": 0, "times": 1})  # fmt: skip
        lost = await runner.forward(sid, ForwardTarget(group_id=13))
        assert lost.result == "unknown" and "outcome unknown" in lost.reason
        again = await runner.forward(sid, ForwardTarget(group_id=13), request_id=lost.request_id)
        assert again.ok
    lines = (tmp_path / "audit.log").read_text().splitlines()
    assert [json.loads(x)["result"] for x in lines] == ["done", "unknown", "done"]
