"""Benchmark: per-column filters and full-text search at scale (issue: filters and search).

    python bench/filters.py --sessions 100000 [--activities 20] [--db FILE] [--json out.json]

Generates sessions, params and activities straight into a SQLite file with the store's real
schema (store/schema.py + the FTS schema of store/search.py), builds the search index with
``build_search_index`` and measures, warm:
  * channel + created range: count and the first window of 100 sorted by created desc
  * a parameter value (``param:state`` in ...): count + first window
  * a full-text word search: count + first window
  * a plain linear scan of the same texts in Python (``word in text.lower()``)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mluvii_tui.store.columns import column_by_id
from mluvii_tui.store.filters import filters_sql, register_functions
from mluvii_tui.store.querytypes import Filter
from mluvii_tui.store.schema import MIGRATIONS
from mluvii_tui.store.search import FTS_SCHEMA, build_search_index, compile_search, search_sql

NOW = 1_796_000_000  # fixed "now" (epoch seconds) for repeatable data
DAYS = 30
CS_WORDS = [
    "dobrý",
    "den",
    "prosím",
    "děkuji",
    "objednávka",
    "objednávky",
    "objednávku",
    "objednávkou",
    "faktura",
    "fakturu",
    "faktury",
    "platba",
    "platbu",
    "zaplatil",
    "zaplatila",
    "doprava",
    "dopravu",
    "zboží",
    "zásilka",
    "zásilku",
    "balík",
    "balíku",
    "vrácení",
    "peněz",
    "kdy",
    "dorazí",
    "kde",
    "je",
    "moje",
    "číslo",
    "stav",
    "chci",
    "potřebuji",
    "změnit",
    "adresu",
    "doručení",
    "kurýr",
    "zítra",
    "dnes",
    "pondělí",
    "heslo",
    "účet",
    "přihlásit",
    "nefunguje",
    "chyba",
    "stránka",
    "košík",
    "slevu",
    "kód",
    "dárkový",
    "poukaz",
    "velikost",
    "barva",
    "skladem",
    "termín",
]
EN_WORDS = [
    "hello",
    "please",
    "thanks",
    "order",
    "orders",
    "ordered",
    "invoice",
    "payment",
    "paid",
    "delivery",
    "shipping",
    "parcel",
    "refund",
    "return",
    "where",
    "is",
    "my",
    "number",
    "status",
    "want",
    "need",
    "change",
    "address",
    "courier",
    "tomorrow",
    "account",
    "login",
    "password",
    "error",
    "page",
    "cart",
    "discount",
    "code",
    "gift",
    "voucher",
    "size",
    "colour",
    "stock",
]
CHANNELS = ("Chat", "Chat", "Chat", "AV", "Phone")
SOURCES = ("Default", "WhatsApp", "Facebook", "Callback", "Invitation")
STATES = ("new", "paid", "shipped", "returned", "cancelled")


def _message(rng: random.Random, words: list[str]) -> str:
    n = rng.randint(4, 14)
    text = " ".join(rng.choice(words) for _ in range(n))
    if rng.random() < 0.2:
        text += f" {rng.randint(10000, 99999)}"
    if rng.random() < 0.002:  # the searched word: in ~3 % of Czech sessions, in inflected forms
        text += " " + rng.choice(("reklamace", "reklamaci", "reklamací", "Reklamace"))
    return text.capitalize() + rng.choice((".", "?", "!"))


def generate(conn: sqlite3.Connection, sessions: int, activities: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    pools = {
        "cs": [_message(rng, CS_WORDS) for _ in range(20_000)],
        "en": [_message(rng, EN_WORDS) for _ in range(5_000)],
    }
    batch_s, batch_p, batch_a = [], [], []
    rowid = 0
    conn.execute("BEGIN")
    for sid in range(1, sessions + 1):
        created = NOW - DAYS * 86400 + (sid * DAYS * 86400) // sessions
        waited = rng.randint(0, 300)
        length = rng.randint(30, 1800)
        lang = "cs" if rng.random() < 0.8 else "en"
        batch_s.append(
            (
                sid,
                created,
                created + waited,
                created + waited + length,
                waited,
                length,
                rng.choice(CHANNELS),
                rng.choice(SOURCES),
                "CLOSED",
                lang,
                0,
            )
        )
        batch_p.append((sid, "state", rng.choice(STATES)))
        batch_p.append((sid, "email", f"client{sid % 50000}@example.cz"))
        pool = pools[lang]
        for seq in range(activities):
            rowid += 1
            kind = "ChatMessage" if seq % 10 not in (0, 9) else "Joined"
            text = rng.choice(pool) if kind == "ChatMessage" else None
            batch_a.append((rowid, sid, seq, created + seq * 10, kind, text))
        if len(batch_a) >= 200_000:
            _flush(conn, batch_s, batch_p, batch_a)
    _flush(conn, batch_s, batch_p, batch_a)
    conn.execute("COMMIT")


def _flush(conn: sqlite3.Connection, s: list, p: list, a: list) -> None:
    conn.executemany(
        "INSERT INTO sessions(id, created, started, ended, waited_s, length_s, channel, source,"
        " status, language, is_live) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        s,
    )
    conn.executemany("INSERT INTO params VALUES (?,?,?)", p)
    conn.executemany(
        "INSERT INTO activities(rowid, session_id, seq, time, type, text) VALUES (?,?,?,?,?,?)", a
    )
    s.clear(), p.clear(), a.clear()


def _timed(fn, repeat: int = 5) -> tuple[float, object]:
    fn()  # warm
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _count_and_window(conn: sqlite3.Connection, where: str, params: list) -> tuple[int, int]:
    count = conn.execute(
        f"SELECT count(*) FROM sessions s WHERE s.is_live = 0 AND {where}", params
    ).fetchone()[0]
    rows = conn.execute(
        f"SELECT s.id, s.created, s.channel FROM sessions s WHERE s.is_live = 0 AND {where}"
        " ORDER BY s.created DESC, s.id DESC LIMIT 100",
        params,
    ).fetchall()
    return count, len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=1_000_000)
    ap.add_argument("--activities", type=int, default=20, help="activities per session")
    ap.add_argument("--db", type=Path, help="SQLite file (default: a temporary file, removed)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    tmp = None
    path = args.db
    if path is None:
        tmp = tempfile.mkdtemp(prefix="mluvii-bench-")
        path = Path(tmp) / "store.sqlite"
    if path.exists():
        path.unlink()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    register_functions(conn)
    for step in MIGRATIONS:
        for ddl in step:  # type: ignore[union-attr]
            conn.execute(ddl)
    for ddl in FTS_SCHEMA:
        conn.execute(ddl)

    t0 = time.perf_counter()
    generate(conn, args.sessions, args.activities)
    gen_s = time.perf_counter() - t0
    print(
        f"generated {args.sessions:,} sessions x {args.activities} activities in {gen_s:.1f} s",
        flush=True,
    )
    size_before = path.stat().st_size
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    indexed = build_search_index(conn)
    conn.execute("COMMIT")
    build_s = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    size_after = path.stat().st_size
    print(f"search index: {indexed:,} sessions in {build_s:.1f} s", flush=True)

    week = [
        Filter("channel", "in", ("Chat",)),
        Filter("created", "range", low=str(NOW - 7 * 86400), high=str(NOW)),
    ]
    where, params = filters_sql(week, column_by_id)
    filter_ms, (filter_count, _) = _timed(lambda: _count_and_window(conn, where, params))
    pwhere, pparams = filters_sql([Filter("param:state", "in", ("returned",))], column_by_id)
    param_ms, (param_count, _) = _timed(lambda: _count_and_window(conn, pwhere, pparams))
    ewhere, eparams = filters_sql([Filter("param:state", "equals", ("Returned",))], column_by_id)
    param_eq_ms, _ = _timed(lambda: _count_and_window(conn, ewhere, eparams), repeat=3)
    swhere, sparams = search_sql(compile_search("reklamace"))
    search_ms, (search_count, _) = _timed(lambda: _count_and_window(conn, swhere, sparams))
    both = f"{where} AND {swhere}"
    search_filter_ms, _ = _timed(lambda: _count_and_window(conn, both, params + sparams))

    t0 = time.perf_counter()
    texts = [r[0] for r in conn.execute("SELECT text FROM activities WHERE text IS NOT NULL")]
    load_s = time.perf_counter() - t0
    scan_ms, scan_hits = _timed(lambda: sum(1 for t in texts if "reklamace" in t.lower()), 3)

    per_100k = 100_000 / args.sessions
    figures = {
        "sessions": args.sessions,
        "activities_per_session": args.activities,
        "filter_ms": round(filter_ms, 1),
        "param_filter_ms": round(param_ms, 1),
        "param_equals_folded_ms": round(param_eq_ms, 1),
        "search_ms": round(search_ms, 1),
        "search_plus_filter_ms": round(search_filter_ms, 1),
        "linear_scan_ms": round(scan_ms, 1),
        "linear_scan_load_s": round(load_s, 1),
        "generate_s": round(gen_s, 1),
        "index_build_s": round(build_s, 1),
        "index_build_s_per_100k": round(build_s * per_100k, 1),
        "store_mb_per_100k": round(size_after * per_100k / 1e6, 1),
        "fts_mb_per_100k": round(max(0, size_after - size_before) * per_100k / 1e6, 1),
        "counts": {
            "filter": filter_count,
            "param": param_count,
            "search": search_count,
            "scan_texts_with_word": scan_hits,
        },
    }
    rows = [
        ("channel + created range (count + 100)", filter_ms, 150),
        ("param:state in (count + 100)", param_ms, 150),
        ("param:state equals, folded (count + 100)", param_eq_ms, 150),
        ("search 'reklamace' (count + 100)", search_ms, 200),
        ("search + channel/range (count + 100)", search_filter_ms, 200),
        ("linear scan in Python (word in text)", scan_ms, None),
    ]
    print(f"\n{args.sessions:,} sessions, {args.activities} activities each")
    print(f"{'measurement':45} {'ms':>9} {'target':>8}  ok")
    for name, ms, target in rows:
        ok = "" if target is None else ("yes" if ms <= target else "NO")
        tgt = "" if target is None else f"<= {target}"
        print(f"{name:45} {ms:9.1f} {tgt:>8}  {ok}")
    print(
        f"index build {build_s:.1f} s ({figures['index_build_s_per_100k']} s per 100k sessions);"
        f" store {figures['store_mb_per_100k']} MB per 100k sessions"
        f" (FTS {figures['fts_mb_per_100k']} MB)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    conn.close()
    if tmp:
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
