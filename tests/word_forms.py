"""Recall of search by the root of a word, measured through the real index (test + bench).

``load()`` reads tests/data/word_forms.txt (groups of inflected forms by lemma). ``measure()``
indexes every form as its own session in a real SQLite file (query/search.py ``index_texts``),
searches every form with ``compile_search`` + ``search_sql`` and counts:

* recall: of the ordered pairs (query form, other form of the same group, the lemma included),
  the share found; and the share of forms that find every other form of their group;
* false matches: of the pairs of forms from different groups (``related`` pairs excepted), the
  share found; and the same for each ``distinct`` pair of groups on its own.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mluvii_tui.query.search import FTS_SCHEMA, compile_search, index_texts, search_sql

DATA = Path(__file__).resolve().parent / "data" / "word_forms.txt"


@dataclass(frozen=True)
class Group:
    language: str
    lemma: str
    forms: tuple[str, ...]  # the lemma first


@dataclass
class WordForms:
    groups: list[Group] = field(default_factory=list)
    related: set[frozenset[str]] = field(default_factory=set)
    distinct: list[tuple[str, str]] = field(default_factory=list)

    def forms(self, language: str | None = None) -> int:
        return sum(len(g.forms) for g in self.groups if language in (None, g.language))


def load(path: Path = DATA) -> WordForms:
    out = WordForms()
    language = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            language = line[1:-1]
            continue
        key, _, rest = line.partition(":")
        words = rest.split()
        if key in ("related", "distinct"):
            if len(words) != 2:
                raise ValueError(f"{path}:{number}: {key} takes two lemmas")
            if key == "related":
                out.related.add(frozenset(words))
            else:
                out.distinct.append((words[0], words[1]))
            continue
        forms = tuple(dict.fromkeys([key.strip(), *words]))
        out.groups.append(Group(language, key.strip(), forms))
    lemmas = {g.lemma for g in out.groups}
    for pair in [*out.related, *out.distinct]:
        missing = set(pair) - lemmas
        if missing:
            raise ValueError(f"{path}: no group for {sorted(missing)}")
    return out


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def measure(data: WordForms, db_dir: str | None = None) -> dict[str, Any]:
    """Recall and false-match figures (see the module docstring) and the misses."""
    docs: list[tuple[int, Group, str]] = []
    for group in data.groups:
        for form in group.forms:
            docs.append((len(docs) + 1, group, form))
    with tempfile.TemporaryDirectory(dir=db_dir) as tmp:
        conn = sqlite3.connect(Path(tmp) / "recall.sqlite3")
        conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY)")
        for ddl in FTS_SCHEMA:
            conn.execute(ddl)
        conn.executemany("INSERT INTO sessions VALUES (?)", [(d[0],) for d in docs])
        index_texts(conn, [(sid, sid, group.language, form) for sid, group, form in docs])
        found: dict[int, set[int]] = {}
        for sid, _group, form in docs:
            sql, params = search_sql(compile_search(form))
            rows = conn.execute(f"SELECT s.id FROM sessions s WHERE {sql}", params)
            found[sid] = {r[0] for r in rows}
        conn.close()
    return _figures(data, docs, found)


def _figures(
    data: WordForms, docs: list[tuple[int, Group, str]], found: dict[int, set[int]]
) -> dict[str, Any]:
    by_group: dict[str, list[int]] = {}
    for sid, group, _form in docs:
        by_group.setdefault(group.lemma, []).append(sid)
    form_of = {sid: form for sid, _g, form in docs}
    group_of = {sid: group.lemma for sid, group, _f in docs}
    pairs = hits = complete = by_lemma = 0
    misses: list[tuple[str, str]] = []
    for sid, group, _form in docs:
        mates = [m for m in by_group[group.lemma] if m != sid]
        got = [m for m in mates if m in found[sid]]
        pairs += len(mates)
        hits += len(got)
        complete += len(got) == len(mates)
        misses += [(form_of[sid], form_of[m]) for m in mates if m not in found[sid]]
    lemma_ids = {group.lemma: sid for sid, group, form in docs if form == group.lemma}
    for sid, group, _form in docs:
        by_lemma += sid in found[lemma_ids[group.lemma]]
    cross = false = 0
    false_pairs: set[tuple[str, str]] = set()
    for sid, _group, _form in docs:
        for other, _g2, _f2 in docs:
            a, b = group_of[sid], group_of[other]
            if a == b or frozenset((a, b)) in data.related:
                continue
            cross += 1
            if other in found[sid]:
                false += 1
                false_pairs.add((a, b))
    distinct = {}
    for a, b in data.distinct:
        ids_a, ids_b = by_group[a], by_group[b]
        both = [(x, y) for x in ids_a for y in ids_b] + [(y, x) for x in ids_a for y in ids_b]
        distinct[f"{a}/{b}"] = _share(sum(y in found[x] for x, y in both), len(both))
    return {
        "groups": len(data.groups),
        "forms": len(docs),
        "forms_cs": data.forms("cs"),
        "forms_en": data.forms("en"),
        "pair_recall": _share(hits, pairs),
        "forms_finding_all": _share(complete, len(docs)),
        "found_by_lemma": _share(by_lemma, len(docs)),
        "false_match_rate": _share(false, cross),
        "distinct_false_match": distinct,
        "misses": misses,
        "false_group_pairs": sorted(false_pairs),
    }


def summary_lines(figures: dict[str, Any], targets: Iterable[tuple[str, str, float]]) -> list[str]:
    lines = []
    for key, how, target in targets:
        value = figures[key]
        ok = value >= target if how == ">=" else value <= target
        lines.append(f"{key:22} {value:8.2%}   target {how} {target:.0%}   {'ok' if ok else 'NO'}")
    return lines
