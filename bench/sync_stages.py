"""Where a sync's CPU goes, stage by stage: pages of the simulator as HTTP bytes, then each stage
of writing them timed on its own (CPU seconds of this process, so the figures hold under load).

    python bench/sync_stages.py --sessions 20000 [--json out.json]

Stages (per session, µs of CPU): fetch (the client's side of the HTTP requests), fingerprint,
decode (orjson), prepare (kept JSON + hash), build (the columns, fast_record), pipe (records to
tuples, marshalled and read back: what crosses to the writing process), analyse (the search
index's lemmas and stems), pack (zstd with the store's dictionary), write (everything
``write_batch`` does beyond those: SQLite inserts, the search index, commits, the sort and
quick indexes built at the end of a first sync). The store is a fresh file; the analyser's
dictionaries are loaded once before (reported apart). The sync process does fetch..pipe, the
writing process pipe..write (sync/writer.py): ``two_core_sessions_per_s`` is what the slower
of the two allows when each has a core of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import marshal
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.filters import SessionFilter
from mluvii_tui.query import search
from mluvii_tui.store.ingest import build, prepare_batch, record_tuple
from mluvii_tui.store.store import SessionStore
from mluvii_tui.sync import quiet_gc
from mluvii_tui.sync.pages import fingerprint

sys.path.insert(0, str(Path(__file__).parent))
from sync import load, start_simulator


async def fetch_all(url: str, page: int) -> tuple[list[bytes], float]:
    since = SessionFilter()
    pages: list[bytes] = []
    fetch = 0.0
    async with MluviiClient(url, "demo-admin", "demo-admin-secret") as client:
        while True:
            c0 = time.process_time()
            data = await client.session_page(since, limit=page, offset=page * len(pages))
            fetch += time.process_time() - c0
            pages.append(data)
            if len(orjson.loads(data)) < page:  # (not the client's work: not counted)
                break
    return pages, fetch


def stages(pages: list[bytes], store_path: Path) -> tuple[dict[str, float], float]:
    cpu: dict[str, float] = dict.fromkeys(
        ("fingerprint", "decode", "prepare", "build", "pipe", "analyse", "pack", "write"), 0.0
    )

    def timed(stage: str, fn, *args):  # type: ignore[no-untyped-def]
        c0 = time.process_time()
        out = fn(*args)
        cpu[stage] += time.process_time() - c0
        return out

    store = SessionStore(store_path)
    packer = store._packer
    quiet_gc()  # as both sync processes do
    c0 = time.process_time()
    search._terms_text(["objednávka faktura", "order refund"])  # the analyser loads once
    once = time.process_time() - c0
    store.drop_indexes_if_empty()  # as a first sync does: the sort indexes are built at the end
    for n, data in enumerate(pages):
        mark = timed("fingerprint", fingerprint, data)
        items = timed("decode", orjson.loads, data)
        batch = timed("prepare", prepare_batch, items)
        records = timed("build", lambda b: [build(k) for k in b.kept], batch)
        timed(
            "pipe", lambda rs: marshal.loads(marshal.dumps([record_tuple(r) for r in rs])), records
        )
        timed(
            "analyse",
            lambda rs: [search._terms_text([t for _, t in r.texts]) for r in rs if r.texts],
            records,
        )
        if packer.has_dict:
            timed("pack", lambda rs: [packer.pack(r.raw) for r in rs], records)
        c0 = time.process_time()
        store.write_batch(batch, page=(f"stages|{n}", mark, len(items), None))
        cpu["write"] += time.process_time() - c0  # all of it again, minus the parts below
    c0 = time.process_time()
    store.ensure_indexes()
    cpu["write"] += time.process_time() - c0
    store.close()
    cpu["write"] -= cpu["build"] + cpu["analyse"] + cpu["pack"]
    return cpu, once


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20_000)
    ap.add_argument("--page-size", type=int, default=500)  # the sync's SYNC_PAGE_SIZE
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    sim, url, _ = start_simulator(args.sessions, 7)
    try:
        load_before = load()
        pages, fetch_cpu = asyncio.run(fetch_all(url, args.page_size))
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    n = sum(len(orjson.loads(p)) for p in pages)
    with tempfile.TemporaryDirectory() as tmp:
        cpu, once = stages(pages, Path(tmp) / "s.sqlite3")
    cpu = {"fetch": fetch_cpu, **cpu}
    per = {k: round(v / max(n, 1) * 1e6, 1) for k, v in cpu.items()}
    total = sum(per.values())
    parser = sum(per[k] for k in ("fetch", "fingerprint", "decode", "prepare", "build"))
    writer = sum(per[k] for k in ("analyse", "pack", "write"))
    parser, writer = parser + per["pipe"] / 2, writer + per["pipe"] / 2
    figures = {
        "sessions": n,
        "cpu_us_per_session": per,
        "total_cpu_us_per_session": round(total, 1),
        "analyser_load_cpu_s": round(once, 2),
        "sessions_per_cpu_s": round(1e6 / total) if total else None,
        "sync_process_us_per_session": round(parser, 1),
        "writer_process_us_per_session": round(writer, 1),
        "two_core_sessions_per_s": round(1e6 / max(parser, writer, 1e-9)),
        "load_before": load_before,
        "load_after": load(),
        "cpus": os.cpu_count(),
    }
    for stage, us in per.items():
        print(f"{stage:12} {us:8.1f} µs/session  {us / total:5.1%}")
    print(f"{'total':12} {total:8.1f} µs/session  ({1e6 / total:,.0f} sessions per CPU second)")
    print(f"sync process {parser:.1f} µs/session, writing process {writer:.1f}: two free cores")
    print(f"  allow {1e6 / max(parser, writer, 1e-9):,.0f} sessions/s")
    print(f"analyser load (once) {once:.2f} s CPU")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
