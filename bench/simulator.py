"""The simulator's own costs: how soon it answers, how fast it makes sessions, what a page costs
at any offset and what memory it holds, each as `mluvii-tui simulator` in a child process.

    python bench/simulator.py [--sessions 100000 1000000] [--json bench/results/simulator.json]

For each size: a cold start (an empty cache directory) and a warm one (the data set the cold run
left in the cache). Figures (targets after the name):
  first_answer_s        start of the process to the first page of sessions (<= 2 s at any size)
  all_made_s, made_per_s  until every session is made (cold: generated; warm: loaded)
  page_ms               a 500-session page at offsets 0, 50 % and 99 %, once all are made
                        (the same at any offset), and a Status + Created filtered page
  rss_mb, bytes_per_session  resident memory once all are made and paged; per session beyond a
                        simulator with no sessions (<= 1,024 B)
  cpu_s                 CPU time of the simulator process
The machine's load average is printed and kept: the cores are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

NOW = "2025-03-20T14:00:00+00:00"
PAGE = 500
CREDENTIALS = ("demo-admin", "demo-admin-secret")  # (as Basic auth)
TARGET_FIRST_ANSWER_S = 2.0
TARGET_BYTES_PER_SESSION = 1024.0


def _proc_figures(pid: int) -> tuple[float, float]:
    """(resident MB, CPU seconds) of a process."""
    rss = 0.0
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return rss, cpu


class Run:
    """One simulator process: started, answered, made everything."""

    def __init__(self, sessions: int, cache_home: Path) -> None:
        env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
        cmd = [sys.executable, "-m", "mluvii_tui", "simulator", "--sessions", str(sessions)]
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [*cmd, "--seed", "1", "--port", "0", "--now", NOW],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.lines = iter(self.proc.stdout)
        self.url = self._line("Simulator: ")
        self.client = httpx.Client(base_url=self.url, timeout=3600)
        sign_in = {"grant_type": "client_credentials"}
        answer = self.client.post("/login/connect/token", data=sign_in, auth=CREDENTIALS)
        token = answer.json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.page(0)
        self.first_answer_s = time.perf_counter() - self.t0
        self._line("Ready: ")
        self.all_made_s = time.perf_counter() - self.t0

    def _line(self, prefix: str) -> str:
        for line in self.lines:
            if line.startswith(prefix):
                return line.split(": ", 1)[1].strip()
        raise SystemExit(f"the simulator stopped (exit {self.proc.wait()})")

    def page(self, offset: int, **filters: str) -> float:
        t = time.perf_counter()
        r = self.client.get("/api/v1/Sessions", params={"limit": PAGE, "offset": offset, **filters})
        r.raise_for_status()
        return (time.perf_counter() - t) * 1000

    def stop(self) -> tuple[float, float]:
        figures = _proc_figures(self.proc.pid)
        self.client.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)
        return figures


def measure(sessions: int, cache_home: Path, baseline_mb: float) -> dict:
    run = Run(sessions, cache_home)
    pages = {}
    for name, offset in (("0", 0), ("50%", sessions // 2), ("99%", sessions * 99 // 100)):
        pages[name] = round(statistics.median(run.page(offset) for _ in range(3)), 1)
    recent = {"Status": "Closed", "Created.Min": "2025-03-10T00:00:00Z"}
    pages["status+created"] = round(statistics.median(run.page(0, **recent) for _ in range(3)), 1)
    rss, cpu = run.stop()
    return {
        "first_answer_s": round(run.first_answer_s, 2),
        "all_made_s": round(run.all_made_s, 2),
        "made_per_s": round(sessions / run.all_made_s),
        "page_ms": pages,
        "rss_mb": round(rss, 1),
        "bytes_per_session": round((rss - baseline_mb) * 2**20 / max(sessions, 1)),
        "cpu_s": round(cpu, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[100_000])
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--dir", type=Path, default=None, help="where the cache goes (disk)")
    args = parser.parse_args()
    results: dict = {"load_before": list(os.getloadavg()), "sizes": {}}
    ok = True
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        baseline = Run(0, Path(tmp)).stop()[0]
        results["baseline_rss_mb"] = round(baseline, 1)
        print(f"simulator with no sessions: {baseline:.1f} MB resident")
        for n in args.sessions:
            cache_home = Path(tmp) / str(n)
            row = {
                "cold": measure(n, cache_home, baseline),
                "warm": measure(n, cache_home, baseline),
            }
            results["sizes"][str(n)] = row
            for kind, fig in row.items():
                good = (
                    fig["first_answer_s"] <= TARGET_FIRST_ANSWER_S
                    and fig["bytes_per_session"] <= TARGET_BYTES_PER_SESSION
                )
                ok = ok and good
                print(
                    f"{n:>9,} {kind}: first answer {fig['first_answer_s']:.2f} s "
                    f"(target <= {TARGET_FIRST_ANSWER_S:.0f} s), "
                    f"all made {fig['all_made_s']:.1f} s "
                    f"({fig['made_per_s']:,}/s), pages ms {fig['page_ms']}, RSS {fig['rss_mb']} MB "
                    f"= {fig['bytes_per_session']} B/session (target <= 1,024), "
                    f"CPU {fig['cpu_s']} s {'OK' if good else 'MISSED'}",
                    flush=True,
                )
    results["load_after"] = list(os.getloadavg())
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
