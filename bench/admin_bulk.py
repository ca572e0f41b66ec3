"""Bulk re-route benchmark: N live sessions re-routed in one step through the ActionRunner
(request ids, 4 at a time, one audit line each) against the simulator on loopback.

    python bench/admin_bulk.py [--sessions 200]

Figures: ``sessions_per_s`` and ``total_s`` of the bulk step, ``audit_lines``.
Target (an emergency on a large desk): 200 sessions re-routed in <= 5 s (>= 40/s).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mluvii_tui.actions.audit import AuditLog
from mluvii_tui.actions.permissions import Permissions
from mluvii_tui.actions.runner import ActionRunner, ForwardTarget
from mluvii_tui.api.client import MluviiClient
from mluvii_tui.demo.runner import Simulator
from sim_helpers import api_client

TARGET_PER_S = 40.0


async def bulk(base_url: str, ids: list[int], audit: Path) -> float:
    async with MluviiClient(base_url, "demo-admin", "demo-admin-secret") as client:
        runner = ActionRunner(client, AuditLog(audit), "bench", Permissions(await client.get_me()))
        started = time.perf_counter()
        outcomes = await runner.forward_many(ids, ForwardTarget(group_id=15, name="English Desk"))
        took = time.perf_counter() - started
    done = sum(o.ok for o in outcomes)
    if done != len(ids):
        print(f"warning: {len(ids) - done} not done", file=sys.stderr)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    args = parser.parse_args()
    with Simulator(sessions=50, seed=1) as sim, tempfile.TemporaryDirectory() as tmp:
        ctl = api_client(sim.base_url)
        ids = [
            ctl.post("/_sim/sessions", json={"group": 11}).json()["id"]
            for _ in range(args.sessions)
        ]
        audit = Path(tmp) / "audit.log"
        took = asyncio.run(bulk(sim.base_url, ids, audit))
        lines = len(audit.read_text().splitlines())
        ctl.close()
    rate = len(ids) / took
    verdict = "ok" if rate >= TARGET_PER_S else "BELOW TARGET"
    print(f"bulk re-route: {len(ids)} sessions in {took:.2f} s = {rate:.0f} sessions/s "
          f"(target >= {TARGET_PER_S:.0f}/s: {verdict}); audit lines {lines}")  # fmt: skip


if __name__ == "__main__":
    main()
