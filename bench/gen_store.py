"""Fast synthetic session store for benchmarks: N sessions written straight into the schema.

    python bench/gen_store.py /tmp/bench.sqlite3 1000000 [--seed 1] [--activities 20]
                              [--fts] [--raw]

``generate_store(path, n, seed)`` builds the denormalised ``sessions`` rows column by column with
realistic value distributions (a daily rhythm of arrivals, mostly Chat, exponential waits,
log-normal lengths, a few live sessions at the end), loads them with ``executemany`` in one
transaction with the sort indexes dropped and no journal (PRAGMA journal_mode=OFF,
synchronous=OFF), then rebuilds the indexes (sorting once is far faster than a million B-tree
inserts per index). Params carry their folded value and operators their child rows, as the store
writes them. With ``raw=True`` each row gets a small valid session
JSON; without it ``SessionStore.get_session`` rebuilds a session from the row's columns.
With ``fts``, ``activities`` message texts per session go into the search index chunk by chunk
(the texts themselves are not kept): memory stays flat at any size (chunks of 50,000 sessions).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import sys
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from mluvii_tui.query import search
from mluvii_tui.query.layout import ID_SEP, LIST_SEP
from mluvii_tui.store import quickindex
from mluvii_tui.store.children import write_children
from mluvii_tui.store.rows import whole
from mluvii_tui.store.schema import SESSION_FIELDS
from mluvii_tui.store.store import SessionStore
from mluvii_tui.text import fold_value

FIRST = [
    "Jan",
    "Petr",
    "Jana",
    "Eva",
    "Tomáš",
    "Lucie",
    "Martin",
    "Kateřina",
    "Pavel",
    "Anna",
    "Jiří",
    "Tereza",
    "Lukáš",
    "Veronika",
    "David",
    "Markéta",
    "Ondřej",
    "Zuzana",
    "Jakub",
    "Barbora",
    "Michal",
    "Alena",
    "Karel",
    "Hana",
    "Filip",
    "Monika",
    "Adam",
    "Ivana",
]
LAST = [
    "Novák",
    "Svoboda",
    "Novotná",
    "Dvořák",
    "Černá",
    "Procházka",
    "Kučerová",
    "Veselý",
    "Horáková",
    "Němec",
    "Marková",
    "Pokorný",
    "Pospíšilová",
    "Hájek",
    "Jelínková",
    "Král",
    "Růžičková",
    "Beneš",
    "Fialová",
    "Sedláček",
    "Doležalová",
    "Zeman",
    "Kolářová",
    "Navrátil",
]
CHANNELS = (["Chat", "AV", "Phone"], [70, 8, 22])
SOURCES = (
    [
        "Default",
        "WhatsApp",
        "Facebook",
        "Invitation",
        "Callback",
        "IncomingCall",
        "Campaign",
        "API",
    ],
    [55, 12, 8, 5, 4, 10, 4, 2],
)
REASONS = (
    [
        "GuestLeft",
        "OperatorLeft",
        "GuestAbandoned",
        "ChatbotLeft",
        "FailedRouting",
        "ExternalSessionExpired",
        None,
    ],
    [40, 35, 10, 4, 3, 3, 5],
)
LEFT = (["LeftSession", "LeftAfterSession", "LeftQueue", "LeftBeforeQueue"], [60, 25, 12, 3])
BROWSERS = (["CHROME", "SAFARI", "FF", "CHROMIUM_EDGE", "OTHER", None], [50, 22, 8, 10, 5, 5])
OSES = (["WINDOWS", "ANDROID", "IOS", "OSX", "LINUX", None], [40, 25, 20, 8, 2, 5])
URLS = [
    "https://www.example-shop.cz/",
    "https://www.example-shop.cz/kosik",
    "https://www.example-shop.cz/reklamace",
    "https://www.example-shop.cz/doprava",
    "https://help.example.cz/faq",
    None,
]
WIDGETS = (["web", "mobilni-aplikace", "reklamace", None], [60, 20, 10, 10])
GROUPS = ["Podpora", "Obchod", "Reklamace", "VIP", "Technici"]
TAGS = [None, None, None, "vip", "reklamace", "spam", "vip, reklamace"]
WORDS = [
    "dobrý",
    "den",
    "potřebuji",
    "pomoc",
    "s",
    "objednávkou",
    "faktura",
    "doprava",
    "reklamace",
    "zboží",
    "platba",
    "kartou",
    "vrácení",
    "peněz",
    "děkuji",
    "moc",
    "hezký",
    "den",
    "order",
    "refund",
    "delivery",
    "invoice",
    "help",
]


@dataclass
class GenResult:
    rows: int
    seconds: float
    bytes: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def mb_per_100k(self) -> float:
        return self.bytes / 1e6 * 100_000 / max(self.rows, 1)


def _operators(rng: random.Random, count: int = 60) -> list[tuple[int, str]]:
    return [(100 + i, f"{rng.choice(FIRST)} {rng.choice(LAST)}") for i in range(count)]


def _weighted(rng: random.Random, spec: tuple[list, list], n: int) -> list:
    return rng.choices(spec[0], spec[1], k=n)


def _whole(*values: float | None) -> tuple[int | None, ...]:
    """Times and durations as the store keeps them (store/rows.py ``whole``)."""
    return tuple(whole(v) for v in values)


def _raw(sid: int, channel: str, source: str, status: str, created: float, name, email) -> bytes:
    data = {
        "id": sid,
        "channel": channel,
        "source": source,
        "status": status,
        "created": datetime.fromtimestamp(created, UTC).isoformat(),
        "guest": {"callParams": {"name": name, "email": email}},
    }
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def generate_store(
    path: str | Path,
    n: int,
    seed: int = 1,
    *,
    activities: int = 0,
    fts: bool = False,
    now: datetime | None = None,
    days: int = 90,
    live: int = 300,
    raw: bool = False,
) -> GenResult:
    """Write ``n`` synthetic sessions into a new store at ``path`` (replaced if it exists)."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    SessionStore(path).close()  # schema
    rng = random.Random(seed)
    now_ts = (now or datetime(2026, 11, 30, 12, tzinfo=UTC)).timestamp()
    conn = sqlite3.connect(path, isolation_level=None)
    # A throw-away bulk load: no journal (a WAL would write every page twice), no fsync.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA threads = 2")  # parallel sorter for CREATE INDEX
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN"
        " ('sessions', 'param_values', 'operator_rows') AND sql IS NOT NULL"
    ).fetchall()
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    quickindex.drop(conn)  # built once at the end, not by a trigger per row
    ops = _operators(rng)
    span = days * 86400.0
    chunk = 50_000
    placeholders = ", ".join("?" for _ in range(len(SESSION_FIELDS) + 2))
    insert = (
        f"INSERT INTO sessions ({', '.join(SESSION_FIELDS)}, raw, hash) VALUES ({placeholders})"
    )
    next_id = 5_000_000
    rnd = rng.random
    expo = rng.expovariate
    lognorm = rng.lognormvariate
    live_status = ("ACTIVE", "IN_QUEUE", "ACW")
    ratings = (1, 2, 3, 4, 5, 5, 5)
    names = [f"{f} {la}" for f in FIRST for la in LAST]
    folded_names = [fold_value(nm) for nm in names]
    emails = [
        f"{f.lower()}.{la.lower()}".encode("ascii", "ignore").decode() for f in FIRST for la in LAST
    ]
    op_pairs = [(a, b) for a in ops for b in ops if a != b][:400]
    for base in range(0, n, chunk):
        m = min(chunk, n - base)
        step = span / n
        first = now_ts - span + base * step
        # arrival times: evenly spread with jitter, bent towards a daily rhythm
        created = [
            first + (i + rnd()) * step + 3600 * math.sin((base + i) * 0.37) for i in range(m)
        ]
        created.sort()
        channel = _weighted(rng, CHANNELS, m)
        source = _weighted(rng, SOURCES, m)
        reason = _weighted(rng, REASONS, m)
        left = _weighted(rng, LEFT, m)
        browser = _weighted(rng, BROWSERS, m)
        os_ = _weighted(rng, OSES, m)
        widget = _weighted(rng, WIDGETS, m)
        url = rng.choices(URLS, k=m)
        tags = rng.choices(TAGS, k=m)
        who = rng.choices(range(len(names)), k=m)
        op1 = rng.choices(ops, k=m)
        op2 = rng.choices(op_pairs, k=m)
        rows = []
        params = []
        acts = []
        members = []
        for i in range(m):
            sid = next_id + i
            c = created[i]
            is_live = 1 if base + i >= n - live else 0
            r = reason[i]
            waited = expo(0.022)
            if r == "GuestAbandoned":
                started_ts = length = op_names = op_ids = None
                msgs = 0
            else:
                started_ts = c + waited
                length = None if is_live else lognorm(5.6, 0.9)
                if rnd() < 0.92:
                    op = op1[i]
                    op_names, op_ids = op[1], str(op[0])
                    members.append((sid, 0, op[0], op[1]))
                else:
                    a, b = op2[i]
                    op_names = f"{a[1]}{LIST_SEP}{b[1]}"
                    op_ids = f"{a[0]}{ID_SEP}{b[0]}"
                    members.append((sid, 0, a[0], a[1]))
                    members.append((sid, 1, b[0], b[1]))
                msgs = int(expo(0.08)) + 1
            if is_live:
                ended = None
                status = live_status[sid % 3]
                r = leftv = None
            else:
                ended = c + waited + (length or 0.0) + 1.0
                status = "CLOSED"
                leftv = left[i]
            x = rnd()
            name = names[who[i]] if x < 0.6 else None
            email = f"{emails[who[i]]}{sid % 997}@example.cz" if x < 0.5 else None
            ch = channel[i]
            phone = (
                f"+420 6{sid % 100:02d} {sid % 1000:03d} {sid % 999:03d}" if ch == "Phone" else None
            )
            rating = ratings[sid % 7] if x > 0.7 else None
            rows.append(
                (
                    sid,
                    *_whole(c, c + 0.5, started_ts, ended, waited, length),
                    ch,
                    source[i],
                    status,
                    op_names,
                    op_ids,
                    GROUPS[sid % 5] if x > 0.85 else None,
                    None,
                    name,
                    email,
                    phone,
                    f"ident-{sid % 50000}" if x < 0.2 else None,
                    f"10.{sid % 256}.{(sid >> 8) % 256}.{sid % 250}",
                    browser[i],
                    os_[i],
                    "cs" if x < 0.85 else "en",
                    url[i],
                    widget[i],
                    tags[i],
                    rating,
                    "Díky za pomoc" if rating and x > 0.95 else None,
                    "Likert" if rating else None,
                    r,
                    leftv,
                    1 if x < 0.1 else 0,
                    1 if x > 0.998 else 0,
                    1 if ch != "Chat" and x < 0.5 else 0,
                    msgs,
                    7 if source[i] == "Campaign" else None,
                    is_live,
                    _raw(sid, ch, source[i], status, c, name, email) if raw else None,
                    sid,
                )
            )
            if name:
                params.append((sid, "name", name, folded_names[who[i]]))
            if email:
                params.append((sid, "email", email, email))  # ASCII lower case already
            if x > 0.7:
                order = f"OBJ{sid * 7919 % 9_000_000 + 1_000_000}"
                params.append((sid, "order_number", order, order.lower()))
            if fts:
                for seq in range(activities):
                    acts.append((sid, seq, None, " ".join(rng.choices(WORDS, k=6))))
        next_id += m
        conn.executemany(insert, rows)
        write_children(conn, params, members)
        if acts:  # indexed chunk by chunk: no copy of the texts is kept
            search.index_texts(conn, acts)
    for _, sql in indexes:
        conn.execute(sql)
    quickindex.build(conn, lambda done, total: None)
    conn.execute("COMMIT")
    conn.execute("PRAGMA analysis_limit = 400")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")  # what the store uses
    conn.close()
    add_compression_dict(path)
    seconds = time.perf_counter() - started
    return GenResult(n, seconds, path.stat().st_size)


def add_compression_dict(path: str | Path) -> bool:
    """Give a store without one the compression dictionary a synced store has (the app trains
    it on its first sync's sessions: store/packing.py), here from the simulator's sessions.
    Without it, the first sync into a generated store of any size trains one then (a second of
    CPU and ~12 MB more for that moment) where a user's store never would. False: it had one."""
    from mluvii_tui.demo.generator import generate_sessions
    from mluvii_tui.store.packing import TRAIN_MAX, train

    with sqlite3.connect(path) as conn:
        if conn.execute("SELECT count(*) FROM zstd_dicts").fetchone()[0]:
            return False
        samples = [orjson.dumps(s) for s in generate_sessions(TRAIN_MAX, seed=99)]
        conn.execute("INSERT INTO zstd_dicts (data) VALUES (?)", (train(samples),))
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--activities", type=int, default=0, help="activities per session")
    ap.add_argument("--fts", action="store_true", help="build the full-text index too")
    ap.add_argument("--raw", action="store_true", help="store a small session JSON per row")
    args = ap.parse_args(argv)
    res = generate_store(
        args.path, args.n, args.seed, activities=args.activities, fts=args.fts, raw=args.raw
    )
    print(
        f"{res.rows} sessions in {res.seconds:.1f} s ({res.rows_per_s:,.0f} rows/s), "
        f"{res.bytes / 1e6:.0f} MB ({res.mb_per_100k:.1f} MB per 100k)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
