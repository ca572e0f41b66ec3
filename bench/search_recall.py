"""Benchmark: recall of search by the root of a word, false matches, analyser memory.

    python bench/search_recall.py [--languages cs,en] [--json out.json] [--misses]

Indexes every form of tests/data/word_forms.txt (Czech nouns of every gender and case, verbs,
adjectives; English forms) as its own session in a real SQLite file, searches each form through
``compile_search`` and prints, against the targets:
  * pair recall: the share of (form, other form of the same lemma) pairs found; found by lemma:
    the share of forms the lemma's search finds;
  * false matches: the share of pairs of forms of different lemmas found (aspect pairs such as
    vrátit/vracet excepted), overall and for each "distinct" pair of lemmas (reklamace/reklama);
  * the process RSS before and after the analysers load (configured languages only), and the
    time to analyse the list once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mluvii_tui.query import analysis
from word_forms import load, measure, summary_lines

TARGETS = (
    ("pair_recall", ">=", 0.99),
    ("found_by_lemma", ">=", 0.99),
    ("false_match_rate", "<=", 0.01),
)
DISTINCT_TARGET = 0.01


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--languages", default="cs,en", help="analysis languages (at most two)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--misses", action="store_true", help="list the pairs not found")
    args = ap.parse_args(argv)
    try:
        languages = analysis.configure_languages(analysis.parse_languages(args.languages))
    except ValueError as exc:
        print(f"search_recall: {exc}", file=sys.stderr)
        return 2
    data = load()
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    for group in data.groups:
        for form in group.forms:
            analysis.word_terms(form.lower())
    analyse_s = time.perf_counter() - t0
    rss_after = _rss_mb()
    figures = measure(data)
    figures.update(
        languages=list(languages),
        rss_mb_before_analysers=rss_before,
        rss_mb_after_analysers=rss_after,
        analysers_mb=round(rss_after - rss_before, 1),
        first_analysis_s=round(analyse_s, 2),
    )
    print(
        f"{figures['forms']} forms in {figures['groups']} groups"
        f" ({figures['forms_cs']} Czech, {figures['forms_en']} English), languages"
        f" {','.join(languages)}"
    )
    for line in summary_lines(figures, TARGETS):
        print(line)
    print(f"forms finding every other form of their lemma: {figures['forms_finding_all']:.2%}")
    print(f"false matches per distinct pair (target <= {DISTINCT_TARGET:.0%} each):")
    for pair, share in figures["distinct_false_match"].items():
        print(f"  {pair:28} {share:7.2%}  {'ok' if share <= DISTINCT_TARGET else 'NO'}")
    print(f"lemma pairs with a false match: {figures['false_group_pairs']}")
    print(
        f"RSS {rss_before} MB -> {rss_after} MB with the analysers loaded"
        f" (+{figures['analysers_mb']} MB; first analysis of the list {analyse_s:.2f} s)"
    )
    if args.misses:
        print("pairs not found:", figures["misses"])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
