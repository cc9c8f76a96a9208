"""How well does the evidence check find what is already known? Prints its figures.

Gold: ``bench/data/evidence_gold.csv`` (labelled before any tuning): for each question cluster
of the sample corpus (``bench/data/sample_corpus_gold.csv``, 107 questions in 32 clusters),
the library entries of ``inputs/kennis/`` that a curator would mark relevant (by title).
19 clusters have at least one relevant source; 13 have none (the library does not cover them).

Queries, as the build asks them: ``--mode cluster`` (default) searches with all formulations
of a gold cluster at once (the build searches with a question and its formulations);
``--mode mention`` with each formulation alone (harder: one survey answer).

Figures (ranking without the relevance floor): recall@1 and recall@3 (share of a question's
relevant sources in its top 1 / top 3, averaged over questions), pair R@3 (share of all
question–relevant-source pairs in the top 3: the held-out measure), and MRR (first relevant).
For BM25 alone, dense (e5) alone and their fusion. The fusion's k and weights are tuned on
training folds and measured on held-out folds (5-fold split by cluster, 4 repeats), so
the fusion figure is never measured on what it was tuned on. The relevance floor is
reported the same way: the share of suggestions shown that are relevant, and of questions
without a relevant source that get no suggestion at all. Last, **suggestion precision next to
recall** for what a build shows (``match.select``: the relative floor plus the absolute floors
on the raw cosine and the margin, the gap to the best and the mutual-neighbour rule), before
(relative floor only) and with the shipped rule, in-sample and cross-validated, and how many
questions were shown a deliberately off-topic source (DNA, prospect theory, transformers); what
is shown split by lexical support (a term shared with the question, or meaning only) and at
most 1 or 2 per question; and a **cross-theme check**: each one-theme dev set (``--dev-dir``,
``dev_theme_*.csv``, one agenda question per gold cluster) as the agenda of another knowledge
table against this library, where nearly every suggestion is off-theme by construction; and an
**off-topic Dutch notes check**: the sample agenda and those agendas against this library plus
five short Dutch notes on other subjects (``bench/data/offtopic_notes.csv``: wheat, parking,
pensions, mental-health waits, running injuries), with and without the shared-words rule.

``--build-json FILE`` scores a real build instead: the output of
``kennisagenda show --format json``; per agenda item, its gold cluster (majority of its
formulations) and whether each relevant source is among ``evidence[].title`` top 3.

Usage: ``.venv/bin/python bench/evidence_quality.py [--mode cluster|mention] [--build-json F] [--dev-dir D] [--verbose]``
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from agenda.evidence import stopwords  # noqa: E402
from agenda.evidence.library import _entry, read_library  # noqa: E402
from agenda.evidence.match import Params, Signals, fuse, fused_matrix, select, signals, standardise  # noqa: E402
from agenda.store import Store  # noqa: E402

DATA = REPO / "bench" / "data"
GRID_W = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
GRID_FLOOR = tuple(round(0.5 + 0.25 * i, 2) for i in range(13))


def load_gold() -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    with open(DATA / "sample_corpus_gold.csv", encoding="utf-8") as fh:
        questions: dict[str, list[str]] = defaultdict(list)
        for r in csv.DictReader(fh):
            questions[r["cluster"]].append(r["text"])
    with open(DATA / "evidence_gold.csv", encoding="utf-8") as fh:
        relevant: dict[str, set[str]] = defaultdict(set)
        for r in csv.DictReader(fh):
            relevant[r["cluster"]].add(r["source_title"])
    return dict(questions), dict(relevant)


def folds(qcluster: list[str], reps: int = 4, k: int = 5):
    """(train, test) query indices: k folds by cluster, `reps` shuffles (seeded)."""
    clusters = sorted(set(qcluster))
    for rep in range(reps):
        order = clusters[:]
        random.Random(rep).shuffle(order)
        fold = {c: i % k for i, c in enumerate(order)}
        for f in range(k):
            yield ([i for i, c in enumerate(qcluster) if fold[c] != f], [i for i, c in enumerate(qcluster) if fold[c] == f])


def metrics(ranked: list[list[str]], gold: list[set[str]]) -> dict[str, float]:
    """recall@1, recall@3, pair R@3 and MRR over the queries that have relevant sources."""
    r1 = r3 = mrr = 0.0
    pairs = pair_hits = 0
    n = 0
    for got, rel in zip(ranked, gold, strict=True):
        if not rel:
            continue
        n += 1
        r1 += len(rel & set(got[:1])) / len(rel)
        r3 += len(rel & set(got[:3])) / len(rel)
        pairs += len(rel)
        pair_hits += len(rel & set(got[:3]))
        mrr += next((1 / i for i, s in enumerate(got, start=1) if s in rel), 0.0)
    return {"R@1": r1 / n, "R@3": r3 / n, "pair R@3": pair_hits / pairs, "MRR": mrr / n} if n else {}


def ranked(sig: Signals, m, i: int) -> list[str]:
    """Sources of query i by their best passage in score matrix m, best first (no floor)."""
    return [s.source_id for s in fuse(sig, m, i, Params(), apply_floor=False)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=("cluster", "mention"), default="cluster")
    ap.add_argument("--build-json", type=Path, help="score `kennisagenda show --format json` output instead")
    ap.add_argument("--db", type=Path, help="DuckDB file for the embedding cache (default: a temporary file)")
    ap.add_argument("--dev-dir", type=Path, default=REPO.parent / "shared" / "data",
                    help="folder with the one-theme dev sets dev_theme_*.csv for the cross-theme check (skipped if absent)")
    ap.add_argument("--verbose", action="store_true", help="list what the cross-theme check suggests")
    args = ap.parse_args()
    questions, relevant = load_gold()
    if args.build_json:
        score_build(args.build_json, questions, relevant)
        return

    t0 = time.perf_counter()
    lib = read_library(REPO / "inputs")
    title_of = {s.id: s.title for s in lib.sources}
    db = args.db or Path(tempfile.mkdtemp()) / "evidence-bench.duckdb"
    from agenda.dedupe.embed import e5_embedder

    with Store(db) as store:
        store.save_library(0, lib.sources, stopwords())
        have_fts = store.load_fts()
        if have_fts:
            store.index_passages()
        cids = sorted(questions)
        if args.mode == "cluster":
            queries, qcluster = [questions[c] for c in cids], cids
        else:
            queries = [[t] for c in cids for t in questions[c]]
            qcluster = [c for c in cids for _ in questions[c]]
        sig = loaded(signals(store, queries, e5_embedder("query"), e5_embedder("passage"), use_bm25=have_fts))
        other = {path.stem.removeprefix("dev_theme_"): loaded(signals(store, list(load_clusters(path).values()),
                                                                    e5_embedder("query"), e5_embedder("passage"),
                                                                    use_bm25=have_fts))
                 for path in sorted(args.dev_dir.glob("dev_theme_*.csv"))} if args.dev_dir.is_dir() else {}
        # the same agendas against this library plus Dutch notes on other subjects (bench/data/offtopic_notes.csv)
        notes = [_entry(path=f"kennis/{r['title']}.md", kind="document", title=r["title"], authors=[], year=None,
                        paragraphs=[r["text"]]) for r in csv.DictReader(open(DATA / "offtopic_notes.csv", encoding="utf-8"))]
        store.save_library(0, lib.sources + notes, stopwords())
        if have_fts:
            store.index_passages()
        note_ids = {k.id for k in store.library() if k.title in {n.title for n in notes}}
        with_notes = {name: loaded(signals(store, qs, e5_embedder("query"), e5_embedder("passage"), use_bm25=have_fts))
                      for name, qs in [("sample", [questions[c] for c in sorted(questions)])]
                      + [(p.stem.removeprefix("dev_theme_"), list(load_clusters(p).values()))
                         for p in (sorted(args.dev_dir.glob("dev_theme_*.csv")) if args.dev_dir.is_dir() else [])]}
    gold = [{sid for sid, t in title_of.items() if t in relevant.get(c, set())} for c in qcluster]
    missing = {t for ts in relevant.values() for t in ts} - set(title_of.values())
    if missing:
        print(f"let op: {len(missing)} gold-titels niet in de bibliotheek: {sorted(missing)[:3]}")
    print(f"library: {len(lib.sources)} sources, {len(sig.pids)} passages; {len(queries)} queries ({args.mode}), "
          f"{sum(bool(g) for g in gold)} with a relevant source; BM25 {'on' if have_fts else 'OFF (no fts wheel)'}; "
          f"signals in {time.perf_counter() - t0:.1f} s")

    every = list(range(len(queries)))
    singles = {
        "BM25 alone, raw": (sig.bm25, 0 * sig.bm25), "e5 alone, raw": (sig.dense, 0 * sig.dense),
        "BM25 alone (hubness-corr.)": (standardise(np.log1p(sig.bm25)), 0 * sig.bm25),
        "e5 alone (hubness-corr.)": (standardise(sig.dense), 0 * sig.dense),
    }
    rank_of = {name: [ranked(sig, m, i) for i in every] for name, m in singles.items()}
    fused_by_w = {w: fused_matrix(sig, w) for w in GRID_W}
    fused_rank = {w: [ranked(sig, m, i) for i in every] for w, m in fused_by_w.items()}

    # cross-validation by cluster: tune w_bm25 and the floor on train folds, score the test fold
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    chosen: Counter = Counter()
    floors: Counter = Counter()
    floor_stats: Counter = Counter()
    for train, test in folds(qcluster):
        if not any(gold[i] for i in test):
            continue
        w = max(GRID_W, key=lambda w: (metrics([fused_rank[w][i] for i in train], [gold[i] for i in train])["MRR"], -w))
        chosen[w] += 1
        g = [gold[i] for i in test]
        for name in singles:
            rows[name].append(metrics([rank_of[name][i] for i in test], g))
        rows["fusion (tuned w_bm25)"].append(metrics([fused_rank[w][i] for i in test], g))
        floor = max(GRID_FLOOR, key=lambda fl: floor_f1(sig, fused_by_w[w], train, gold, fl))
        floors[floor] += 1
        floor_stats.update(floor_counts(sig, fused_by_w[w], test, gold, floor))
    names = ("R@1", "R@3", "pair R@3", "MRR")
    print(f"\n{'cross-validated (' + args.mode + ')':<30}" + "".join(f"{m:>10}" for m in names))
    for name, ms in rows.items():
        print(f"{name:<30}" + "".join(f"{sum(x[m] for x in ms) / len(ms):>10.3f}" for m in names))
    print(f"w_bm25 chosen on training folds: {dict(chosen.most_common())}; floor: {dict(floors.most_common())}")
    shown, good = floor_stats["shown"], floor_stats["relevant_shown"]
    print(f"relevance floor, held-out folds: {good}/{shown} suggestions shown are relevant "
          f"({good / max(shown, 1):.2f}); questions with a relevant source that get one: "
          f"{floor_stats['has_hit']}/{floor_stats['with_rel']}; questions without one left without "
          f"suggestions: {floor_stats['empty_ok']}/{floor_stats['no_rel']}")
    p = Params()
    full = metrics([ranked(sig, fused_matrix(sig, p.w_bm25), i) for i in every], gold)
    print(f"shipped defaults (w_bm25={p.w_bm25:g}, floor={p.floor:g}) in-sample: "
          + ", ".join(f"{m} {v:.3f}" for m, v in full.items()))
    print("\nsuggestion precision and recall of what a build shows (all queries; the rule's absolute floors are "
          "fixed, not fitted per fold):")
    old_rule = Params(floor=1.75, top=5, min_cosine=-1, min_margin=-1, max_gap=1e9, reverse_rank=10**6,
                      min_terms=0)
    for name, rule in (("relative floor only (before)", old_rule), ("shipped rule (relative + absolute)", p)):
        shown = select(sig, fused_matrix(sig, rule.w_bm25), rule)
        report_shown(name, shown, gold, title_of)
    # cross-validated: the relative floor tuned on training folds, with the shipped absolute floors
    cv: Counter = Counter()
    sel = {fl: select(sig, fused_matrix(sig, p.w_bm25), Params(floor=fl)) for fl in (1.25, 1.5, 1.75, 2.0)}
    for train, test in folds(qcluster):
        fl = max(sel, key=lambda fl: shown_f(sel[fl], gold, train))
        cv.update(shown_counts(sel[fl], gold, test))
    print(f"  cross-validated (floor tuned per fold, 5x4): {cv['good']}/{cv['shown']} shown are relevant "
          f"(precision {cv['good'] / max(cv['shown'], 1):.2f}); questions with a relevant source that get one "
          f"{cv['hit']}/{cv['with_rel']} (recall); without one left empty {cv['empty']}/{cv['no_rel']}")
    # cross-validated: the supporting-words rule's k and word cosine (and the relative floor) tuned per fold
    grid = {(fl, k, c, m): select(sig, fused_matrix(sig, p.w_bm25),
                                  replace(p, floor=fl, min_terms=k, word_cosine=c, word_mutual=m))
            for fl in (1.25, 1.5, 1.75) for k in (0, 1, 2, 3, 4) for c in (0.86, 0.87, 0.88, 0.9, 0.92)
            for m in (False, True)}
    cv = Counter()
    picked: Counter = Counter()
    for train, test in folds(qcluster):
        key = max(grid, key=lambda key: (shown_f(grid[key], gold, train), -key[1]))
        picked[key[1:]] += 1
        cv.update(shown_counts(grid[key], gold, test))
    print(f"  cross-validated (floor, min_terms, word_cosine and word_mutual tuned per fold, 5x4): {cv['good']}/{cv['shown']} "
          f"shown are relevant (precision {cv['good'] / max(cv['shown'], 1):.2f}); questions with a relevant source "
          f"that get one {cv['hit']}/{cv['with_rel']}; without one left empty {cv['empty']}/{cv['no_rel']}; "
          f"(min_terms, word_cosine, word_mutual) chosen: {dict(picked.most_common())}")
    report_shown("without the supporting-words rule", select(sig, fused_matrix(sig, p.w_bm25), replace(p, min_terms=0)),
                 gold, title_of)
    report_shown("translations not mutual (19:07 rule)", select(sig, fused_matrix(sig, p.w_bm25),
                                                                replace(p, word_mutual=False, word_cosine=0.9)), gold, title_of)
    shown = select(sig, fused_matrix(sig, p.w_bm25), p)
    by_term = term_split(shown, gold)
    print("  what the shipped rule shows, split by lexical support (a shared term: BM25 > 0 "
          "on one of the source's passages): " + "; ".join(f"{k} {g}/{n} relevant" for k, (g, n) in by_term.items()))
    for k in (1, 2):
        report_shown(f"shipped rule, at most {k} per question", select(sig, fused_matrix(sig, p.w_bm25),
                                                                        replace(p, top=k)), gold, title_of)
    if not other:
        print(f"\ncross-theme check skipped: no dev_theme_*.csv in {args.dev_dir} (--dev-dir)")
    for theme, osig in other.items():
        # another knowledge table's agenda (one theme) against this library: nearly every match is off-theme
        for label, rule in (("without the supporting-words rule", replace(p, min_terms=0)),
                            ("translations not mutual (19:07 rule)", replace(p, word_mutual=False, word_cosine=0.9)),
                            ("shipped rule", p)):
            oshown = select(osig, fused_matrix(osig, rule.w_bm25), rule)
            n = sum(map(len, oshown))
            off = sum(any(title_of[s.source_id].startswith(OFF_TOPIC) for s in row) for row in oshown)
            print(f"cross-theme check, agenda '{theme}' ({len(oshown)} questions) against this library, {label}: "
                  f"{n} suggestions for {sum(bool(r) for r in oshown)} questions; questions shown an off-topic paper {off}")
            if args.verbose and rule is p:
                for q, row in zip(load_clusters(args.dev_dir / f"dev_theme_{theme}.csv").values(), oshown, strict=True):
                    for s in row:
                        print(f"    {q[0][:70]} | {title_of[s.source_id][:60]}")
    for name, nsig in with_notes.items():
        counts = []
        for rule in (replace(p, min_terms=0), p):
            nshown = select(nsig, fused_matrix(nsig, rule.w_bm25), rule)
            counts.append(sum(s.source_id in note_ids for row in nshown for s in row))
        print(f"off-topic Dutch notes check, agenda '{name}' ({len(nsig.query_lang)} questions), library plus "
              f"{len(note_ids)} notes on other subjects: notes suggested {counts[0]} without the supporting-words rule, "
              f"{counts[1]} with it")


def loaded(sig: Signals) -> Signals:
    """`sig` with every source's word vectors embedded now, while the store is open (`select` runs later)."""
    sig.load_words(list(sig.source_words))
    sig.embed_words = None
    return sig


def load_clusters(path: Path) -> dict[str, list[str]]:
    """A labelled dev set (id,text,cluster,…) as cluster -> its formulations: one agenda question each."""
    out: dict[str, list[str]] = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out[r["cluster"]].append(r["text"])
    return dict(sorted(out.items()))


def term_split(shown: list[list], gold) -> dict[str, tuple[int, int]]:
    """(relevant, shown) for suggestions with and without a shared term (raw BM25 > 0 on any passage)."""
    out = {"with a shared term": [0, 0], "by meaning only": [0, 0]}
    for i, row in enumerate(shown):
        for s in row:
            c = out["with a shared term" if s.bm25 is not None else "by meaning only"]
            c[0] += s.source_id in gold[i]
            c[1] += 1
    return {k: (g, n) for k, (g, n) in out.items()}


OFF_TOPIC = ("Molecular structure of nucleic acids", "Prospect theory", "Attention is all you need")


def shown_counts(shown: list[list], gold, idx) -> Counter:
    c: Counter = Counter()
    for i in idx:
        ids = {s.source_id for s in shown[i]}
        c["shown"] += len(ids)
        c["good"] += len(ids & gold[i])
        if gold[i]:
            c["with_rel"] += 1
            c["hit"] += bool(ids & gold[i])
            c["pairs"] += len(gold[i])
        else:
            c["no_rel"] += 1
            c["empty"] += not ids
    return c


def shown_f(shown, gold, idx, beta: float = 0.5) -> float:
    """F0.5 of suggestion precision and answerable-question recall: precision weighs double now."""
    c = shown_counts(shown, gold, idx)
    prec, rec = c["good"] / max(c["shown"], 1), c["hit"] / max(c["with_rel"], 1)
    return (1 + beta**2) * prec * rec / (beta**2 * prec + rec) if prec + rec else 0.0


def report_shown(name: str, shown: list[list], gold, title_of) -> None:
    c = shown_counts(shown, gold, range(len(shown)))
    off = sum(any(title_of[s.source_id].startswith(OFF_TOPIC) for s in row) for row in shown)
    print(f"  {name:<36} {c['good']}/{c['shown']} shown are relevant (precision {c['good'] / max(c['shown'], 1):.2f}); "
          f"questions with a relevant source that get one {c['hit']}/{c['with_rel']} (recall); relevant pairs shown "
          f"{c['good']}/{c['pairs']}; without one left empty {c['empty']}/{c['no_rel']}; questions shown an "
          f"off-topic source {off}")


def floor_counts(sig: Signals, fused, idx, gold, floor: float) -> Counter:
    c: Counter = Counter()
    for i in idx:
        shown = [s.source_id for s in fuse(sig, fused, i, Params(floor=floor, top=5))]
        c["shown"] += len(shown)
        c["relevant_shown"] += len(set(shown) & gold[i])
        if gold[i]:
            c["with_rel"] += 1
            c["has_hit"] += bool(set(shown) & gold[i])
        else:
            c["no_rel"] += 1
            c["empty_ok"] += not shown
    return c


def floor_f1(sig: Signals, fused, idx, gold, floor: float, beta: float = 2.0) -> float:
    """F2 of the precision of what is shown and the share of answerable questions that get a hit.

    Recall weighs double: a curator rejects a wrong suggestion in seconds, but never sees a
    relevant source the floor kept back."""
    c = floor_counts(sig, fused, idx, gold, floor)
    prec = c["relevant_shown"] / max(c["shown"], 1)
    rec = c["has_hit"] / max(c["with_rel"], 1)
    return (1 + beta**2) * prec * rec / (beta**2 * prec + rec) if prec + rec else 0.0


def score_build(path: Path, questions: dict[str, list[str]], relevant: dict[str, set[str]]) -> None:
    items = json.loads(path.read_text(encoding="utf-8"))
    cluster_of = {" ".join(t.casefold().split()): c for c, ts in questions.items() for t in ts}
    pairs = hits = n_items = 0
    for item in items:
        votes = Counter(cluster_of.get(" ".join(m["text"].casefold().split())) for m in item.get("mentions", []))
        votes.pop(None, None)
        if not votes:
            continue
        rel = relevant.get(votes.most_common(1)[0][0], set())
        if not rel:
            continue
        n_items += 1
        top3 = [e["title"] for e in item.get("evidence", [])[:3]]
        pairs += len(rel)
        hits += len(rel & set(top3))
    print(f"{n_items} agenda questions with a known relevant source; {hits}/{pairs} relevant sources among "
          f"their top 3 evidence titles (pair R@3 {hits / max(pairs, 1):.3f})")


if __name__ == "__main__":
    main()
