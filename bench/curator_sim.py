"""An oracle curator working the real review queue, round after round.

    python bench/curator_sim.py [--data dev|theme|sample|both|all] [--round 200] [--per-question 3] [--choices 3|1]
    python bench/curator_sim.py --regroup [--data ...]    # the regroup sheet, one round
    python bench/curator_sim.py --held-out [--cache F] [--data ...]  # each dev set held out (below)

Each labelled set (the dev set ``../shared/data/dev_questions.csv`` and the sample-corpus
gold ``bench/data/sample_corpus_gold.csv``) is written as one survey export
(``inputs/surveys/vragen.csv``, one answer per row) and built into a fresh database with
the build's own stages (ingest, cluster, version; the report is not rendered). Then, as a
curator would with the command line: ``review_queue`` (the function behind
``kennisagenda review -o``) → the sheet written as CSV → every row answered correctly by
an oracle that knows the gold questions → ``apply_review`` (``kennisagenda review
--apply``) → build again. Rounds hold up to ``--round`` verdicts and are cut at the
milestones n/2, n, 2n, 3n verdicts (n = formulations), where B-cubed F1 is measured.

The oracle answers "ja" when both sides ask the same gold question: a ``Q-`` side stands
for its question's majority gold label (ties: the label of its shown formulation; for a
split proposal ``Q-…`` vs ``M-…`` the formulation itself is left out of its question's vote),
an ``M-`` side for its own gold label.

The baseline is an oracle going down the raw-cosine pair list (all pairs, most similar
first), starting from every question on its own: a "ja" joins two groups; pairs already
in one group, or between groups a "nee" already separated, are not asked.

``--held-out``: each dev set is built and queued with a pair model fitted on the other two dev
sets (threshold chosen there, as bench/dedupe_quality.py does), not the shipped model, which is
fitted on all three; the sample gold keeps the shipped model (it is never fitted on).

``--choices 3`` (the default, as ``kennisagenda review -o``): choice rows, a question beside its
three best candidates, the oracle writing the letter(s) of the candidates asking its gold question
or 'geen'; ``--choices 1``: pair rows only. **A verdict is one answered row** (a pair row's ja/nee,
a choice row's letters or 'geen'); **pairs read** counts the candidates shown (1 or up to 3).

Prints, per data set: F1 after each round, F1 at n/2, n, 2n verdicts and at 2q (q = gold
questions: "2 verdicts per question" read per question rather than per formulation), the pairs
read at 2n and 2q, and the verdicts (pairs read) needed to reach F1 0.80, 0.90 and 0.95 (at round
granularity for the queue; rounds are cut at those milestones).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATA, REPO, bcubed  # noqa: E402

from agenda import pipeline  # noqa: E402
from agenda.dedupe import review  # noqa: E402
from agenda.dedupe.clusters import embed_cached  # noqa: E402
from agenda.dedupe import pairs as dedupe_pairs  # noqa: E402
from agenda.dedupe.pairs import semantic_embedder  # noqa: E402
from _use import use_or_none  # noqa: E402
from agenda.ingest import discover, file_sha256, read_file, source_id  # noqa: E402
from agenda.settings import Settings  # noqa: E402
from agenda.store import Store  # noqa: E402

SAMPLE_GOLD = REPO / "bench" / "data" / "sample_corpus_gold.csv"
TARGETS = (0.80, 0.90, 0.95)


def load_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_survey(rows: list[dict[str, str]], inputs: Path) -> None:
    """The labelled questions as one survey export, one respondent per row (Dutch Excel CSV)."""
    (inputs / "surveys").mkdir(parents=True, exist_ok=True)
    with open(inputs / "surveys" / "vragen.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["respondent", "sector", "rol", "vraag"])
        for i, r in enumerate(rows, start=1):
            w.writerow([i, r.get("sector", ""), r.get("role", ""), r["text"]])


def build(inputs: Path, db: Path, settings: Settings) -> None:
    """The build flow's stages as plain calls, without rendering the report."""
    files, rejections = discover(inputs, settings.limits)
    build_id, known = pipeline.start_build(db, inputs)
    present, digests, results = [], {}, [pipeline.IngestResult(rejection=r) for r in rejections]
    for path in files:
        digests[path.relative_to(inputs).as_posix()] = digest = file_sha256(path)
        present.append(source_id(digest))
        if present[-1] not in known:
            results.append(read_file(path, inputs, settings.limits))
    pipeline.record_ingest(db, build_id, results, present)
    fingerprint = pipeline.input_fingerprint(digests, inputs, settings)
    curation, notes = pipeline.cluster_stage(db, build_id, inputs)
    pipeline.version_stage(db, build_id, settings, fingerprint, curation, notes)


class Oracle:
    """Knows each formulation's gold question (by survey row)."""

    def __init__(self, store: Store, gold_of_row: dict[int, str]):
        self.gold = {}
        for m in store.mentions(include_candidates=True):
            if m.respondent is None and m.line is None:
                continue
            row = int(m.respondent) if m.respondent and str(m.respondent).isdigit() else int(m.line) - 1
            self.gold[m.id] = gold_of_row[row]

    def state(self, store: Store) -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
        clusters = [c for c in store.clusters() if c.excluded is None]
        members = {c.id: [m for m in c.mention_ids if m in self.gold] for c in clusters}
        texts = {m.id: m.text for m in store.mentions(include_candidates=True)}
        shown = {c.id: c.question for c in clusters}
        return members, texts, shown

    def label(self, members: list[str], shown: str, texts: dict[str, str]) -> str | None:
        votes = Counter(self.gold[m] for m in members)
        if not votes:
            return None
        top = max(votes.values())
        tied = {g for g, v in votes.items() if v == top}
        for m in members:  # ties: the formulation shown on the agenda decides
            if texts[m].strip().lower() == shown.strip().lower() and self.gold[m] in tied:
                return self.gold[m]
        return min(tied)

    def answer(self, row: dict, members, texts, shown) -> str:
        """ja/nee on a pair row; on a choice row the letters of the candidates asking the anchor's
        gold question, joined by '+', or 'geen'."""
        a = str(row["vraag_a"])
        shown_ids = review.candidates_of(row)
        left_out = {x for x in (a, *shown_ids) if x.startswith("M-")}

        def side(x: str) -> str | None:
            if x.startswith("M-"):
                return self.gold.get(x)
            return self.label([m for m in members.get(x, []) if m not in left_out], shown.get(x, ""), texts)

        la = side(a)
        same = [letter for letter, x in zip(review.LETTERS, shown_ids) if la is not None and side(x) == la]
        if len(shown_ids) == 1:
            return "ja" if same else "nee"
        return "+".join(same) or "geen"

    def f1(self, store: Store) -> tuple[float, float, float]:
        assign = {m: c.id for c in store.clusters() for m in c.mention_ids}
        ids = sorted(self.gold)
        return bcubed([assign.get(m, m) for m in ids], [self.gold[m] for m in ids])


def held_out_models(data_dir: Path, cache: str | None) -> dict[str, object]:
    """Pair models for ``--held-out``, keyed by dev-set file name: each dev set's model is fitted on
    the other two dev sets with its threshold chosen there (bench/dedupe_quality.py's rule), so the
    build and the queue never saw that set's labels. The sample gold keeps the shipped model (fitted
    on the three dev sets, never on the sample)."""
    import dedupe_quality as dq

    e5 = dq.CachedEmbedder(semantic_embedder(), cache)
    data = {k: dq.Data(k, data_dir / f, e5) for k, f in dq.SET_FILES.items()}
    out = {}
    for held in dq.DEV:
        train = [data[x] for x in dq.DEV if x != held]
        method = dq.Ours(e5.embed, data["mixed"])
        model = method.fit(train)
        model.threshold = dq.ours_threshold(method, train, 0.92)
        model.meta = {"fitted_on": [dq.SET_FILES[x] for x in dq.DEV if x != held]}
        out[dq.SET_FILES[held]] = model
        print(f"held-out model for {dq.SET_FILES[held]}: fitted on {', '.join(model.meta['fitted_on'])}, "
              f"threshold {model.threshold:.3f}", flush=True)
    e5.save()
    return out


def run_queue(rows: list[dict[str, str]], name: str, round_size: int, per_question: float, model=None,
              choices: int = review.CHOICES) -> dict:
    """The oracle's rounds on one set; `model`: a pair model to build and queue with instead of the
    shipped one (``--held-out``); `choices`: candidates per row (1: pair rows only).

    A verdict is one answered row of the sheet (a pair row's ja/nee, a choice row's letter(s) or
    'geen'); the pairs read are the candidates shown (1 on a pair row, up to `choices` on a choice row)."""
    if model is not None:
        shipped = dedupe_pairs.load_model
        dedupe_pairs.load_model = lambda: model  # every caller reads the module attribute
        try:
            return run_queue(rows, name, round_size, per_question, choices=choices)
        finally:
            dedupe_pairs.load_model = shipped
    settings = Settings()
    n = len(rows)
    q = len({r["cluster"] for r in rows})
    milestones = sorted({n // 2, n, 2 * n, 2 * q, int(per_question * n)})
    budget = milestones[-1]
    with tempfile.TemporaryDirectory(prefix="curator-sim-") as tmp:
        inputs, db = Path(tmp) / "inputs", Path(tmp) / "k.duckdb"
        write_survey(rows, inputs)
        t0 = time.perf_counter()
        build(inputs, db, settings)
        with Store(db, read_only=True) as store:
            oracle = Oracle(store, {i: r["cluster"] for i, r in enumerate(rows, start=1)})
            curve = [(0, *oracle.f1(store), 0)]
        print(f"\n== {name}: {n} formulations, {q} gold questions; first build {time.perf_counter() - t0:.1f} s; "
              f"{choices} candidate(s) per row")
        print(f"   {'verdicts':>8} {'pairs':>6} {'ja':>4} {'nee':>4} {'split':>5} {'choice':>6}   B3 P    R     F1   (round s)")
        print(f"   {0:>8} {0:>6} {'':>4} {'':>4} {'':>5} {'':>6}   {curve[0][1]:.3f} {curve[0][2]:.3f} {curve[0][3]:.3f}")
        verdicts = read = 0
        while verdicts < budget:
            t1 = time.perf_counter()
            nxt = next(m for m in milestones if m > verdicts)
            with Store(db, read_only=True) as store:
                queue = review.review_queue(store, limit=min(round_size, nxt - verdicts), choices=choices)
                members, texts, shown = oracle.state(store)
            if not queue:
                print(f"   the queue is empty after {verdicts} verdicts")
                break
            counts = Counter()
            for row in queue:
                row["oordeel"] = oracle.answer(row, members, texts, shown)
                cands = review.candidates_of(row)
                read += len(cands)
                if len(cands) > 1:
                    counts["choice"] += 1
                    counts["ja"] += row["oordeel"] != "geen"
                else:
                    counts["split" if cands[0].startswith("M-") else row["oordeel"]] += 1
            sheet = Path(tmp) / f"review-{verdicts}.csv"
            review.write_review(queue, sheet)
            review.apply_review(sheet, inputs / "curation.yaml")
            verdicts += len(queue)
            build(inputs, db, settings)
            with Store(db, read_only=True) as store:
                p, r, f = oracle.f1(store)
            curve.append((verdicts, p, r, f, read))
            print(f"   {verdicts:>8} {read:>6} {counts['ja']:>4} {counts['nee']:>4} {counts['split']:>5} {counts['choice']:>6}   "
                  f"{p:.3f} {r:.3f} {f:.3f}   ({time.perf_counter() - t1:.1f})", flush=True)
    return {"n": n, "q": q, "curve": curve, "milestones": milestones}


def regroup_answers(rows: list[dict[str, str]], gold: dict[str, str]) -> int:
    """The oracle fills `hoort_bij` of a regroup sheet's rows (dicts, in place) only where a
    formulation is in the wrong question; returns the number of cells filled (the edits).

    Which question stands for which gold question: a greedy one-to-one assignment by overlap
    (the pair (question, gold) with most formulations first), which keeps the most rows where
    they are. A formulation goes to the question standing for its gold question; a gold
    question no question stands for gets a label of its own (a new question)."""
    count: Counter = Counter()
    order: dict[str, int] = {}
    for r in rows:
        order.setdefault(r["vraag_id"], len(order))
        count[(r["vraag_id"], gold[r["formulering_id"]])] += 1
    home: dict[str, str] = {}
    taken: set[str] = set()
    for (q, g), _n in sorted(count.items(), key=lambda kv: (-kv[1], order[kv[0][0]], kv[0][1])):
        if g not in home and q not in taken:
            home[g] = q
            taken.add(q)
    edits = 0
    for r in rows:
        g = gold[r["formulering_id"]]
        target = home.get(g)
        if target == r["vraag_id"]:
            continue
        r["hoort_bij"] = target or f"nieuw-{g}"
        edits += 1
    return edits


def run_regroup(rows: list[dict[str, str]], name: str) -> dict:
    """One round of the regroup sheet through the command line, as a curator would:
    `kennisagenda indeling -o` → the oracle fills hoort_bij → `indeling --apply` → build."""
    from typer.testing import CliRunner

    from agenda.cli import app
    from agenda.dedupe.regroup import COLUMNS

    runner = CliRunner()
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="curator-regroup-") as tmp:
        inputs, db = Path(tmp) / "inputs", Path(tmp) / "k.duckdb"
        write_survey(rows, inputs)
        build(inputs, db, settings)
        with Store(db, read_only=True) as store:
            oracle = Oracle(store, {i: r["cluster"] for i, r in enumerate(rows, start=1)})
            before = oracle.f1(store)
        sheet = Path(tmp) / "indeling.csv"
        res = runner.invoke(app, ["indeling", "-o", str(sheet), "--db", str(db)])
        assert res.exit_code == 0, res.output
        with open(sheet, encoding="utf-8-sig", newline="") as fh:
            filled = list(csv.DictReader(fh, delimiter=";"))
        edits = regroup_answers(filled, oracle.gold)
        with open(sheet, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=";")
            w.writeheader()
            w.writerows(filled)
        res = runner.invoke(app, ["indeling", "--apply", str(sheet), "--db", str(db),
                                  "--curation", str(inputs / "curation.yaml")])
        assert res.exit_code == 0, res.output
        build(inputs, db, settings)
        with Store(db, read_only=True) as store:
            after = oracle.f1(store)
    n = len(rows)
    print(f"== regroup sheet, {name}: {n} formulations, {edits} edits ({edits / n:.0%}); "
          f"B3 P/R/F1 {before[0]:.3f}/{before[1]:.3f}/{before[2]:.3f} → {after[0]:.3f}/{after[1]:.3f}/{after[2]:.3f}",
          flush=True)
    return {"n": n, "edits": edits, "before": before, "after": after}


def run_cosine(rows: list[dict[str, str]], budget: int) -> list[tuple[int, float, float, float]]:
    """Oracle down the raw-cosine list of all pairs, from singletons (union-find of "ja")."""
    texts = [r["text"] for r in rows]
    gold = [r["cluster"] for r in rows]
    emb = embed_cached(texts, use_or_none() or semantic_embedder())  # USE v3 when installed, else e5
    n = len(texts)
    sims = emb @ emb.T
    iu, ju = np.triu_indices(n, 1)
    order = np.argsort(-sims[iu, ju], kind="stable")
    parent = list(range(n))
    apart: set[tuple[int, int]] = set()

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def f1() -> tuple[float, float, float]:
        return bcubed([find(i) for i in range(n)], gold)

    curve = [(0, *f1(), 0)]
    verdicts = 0
    for k in order:
        if verdicts >= budget:
            break
        a, b = find(int(iu[k])), find(int(ju[k]))
        if a == b or (min(a, b), max(a, b)) in apart:
            continue
        verdicts += 1
        if gold[iu[k]] == gold[ju[k]]:
            parent[b] = a
            apart = {(min(find(x), find(y)), max(find(x), find(y))) for x, y in apart}
        else:
            apart.add((min(a, b), max(a, b)))
        curve.append((verdicts, *f1(), verdicts))
    return curve


def at(curve, v: int, what: int = 3) -> float:
    """F1 (what=3; pairs read: what=4) after v verdicts: the last measurement at or before v."""
    return max((c for c in curve if c[0] <= v), key=lambda c: c[0])[what]


def needed(curve, target: float) -> tuple[str, str]:
    """Verdicts and pairs read at the first measurement reaching F1 `target` ('—' if none)."""
    hit = next((c for c in curve if c[3] >= target), None)
    return ("—", "—") if hit is None else (str(hit[0]), str(hit[4]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="with --data theme/all: only the set whose name contains this")
    parser.add_argument("--data", choices=["dev", "theme", "sample", "both", "all"], default="both",
                        help="dev: the mixed dev set; theme: the two one-theme dev sets; sample: the "
                             "sample-corpus gold; both: dev + sample; all: every set")
    parser.add_argument("--dev", default=str(DEFAULT_DATA))
    parser.add_argument("--size-power", type=float, default=None,
                        help="experiment: the queue's gain ~ p × links ** this (default: review.SIZE_POWER)")
    parser.add_argument("--regroup", action="store_true",
                        help="only the regroup sheet (kennisagenda indeling), one round, instead of the review queue")
    parser.add_argument("--held-out", action="store_true",
                        help="each dev set built and queued with a pair model fitted on the other two dev sets "
                             "(the shipped model is fitted on all three); the sample gold keeps the shipped model")
    parser.add_argument("--cache", default=None, help="with --held-out: pickle file caching e5 vectors between runs")
    parser.add_argument("--round", type=int, default=200, help="verdicts per round (at most)")
    parser.add_argument("--per-question", type=float, default=3.0, help="verdict budget per formulation")
    parser.add_argument("--choices", type=int, default=review.CHOICES,
                        help="candidates per row of the review sheet (1: pair rows only, the sheet before choice rows)")
    args = parser.parse_args()
    if args.size_power is not None:
        review.SIZE_POWER = args.size_power
    sets = []
    if args.data in ("dev", "both", "all"):
        sets.append(("dev set", load_rows(Path(args.dev)), Path(args.dev)))
    if args.data in ("theme", "all"):
        for path in sorted(Path(args.dev).parent.glob("dev_theme_*.csv")):
            sets.append((path.stem.removeprefix("dev_theme_").replace("_", " "), load_rows(path), path))
    if args.data in ("sample", "both", "all"):
        sets.append(("sample-corpus gold", load_rows(SAMPLE_GOLD), SAMPLE_GOLD))
    if args.only:
        sets = [s for s in sets if args.only in s[0]]
    if args.regroup:
        results = [(name, run_regroup(rows, name)) for name, rows, _ in sets]
        print("\nRegroup sheet, one round (oracle fills hoort_bij only where a formulation is in the wrong question)")
        print(f"{'data':<28} {'n':>5} {'edits':>6} {'share':>6} {'F1 before':>10} {'F1 after':>9} {'P after':>8}")
        for name, r in results:
            print(f"{name:<28} {r['n']:>5} {r['edits']:>6} {r['edits'] / r['n']:>6.0%} {r['before'][2]:>10.3f} "
                  f"{r['after'][2]:>9.3f} {r['after'][0]:>8.3f}")
        return
    models = held_out_models(Path(args.dev).parent, args.cache) if args.held_out else {}
    summary = []
    for name, rows, path in sets:
        res = run_queue(rows, name, args.round, args.per_question, models.get(path.name), args.choices)
        n, q = res["n"], res["q"]
        base = run_cosine(rows, int(args.per_question * n))
        summary.append((name, n, q, res["curve"], base))
    print("\nB3 F1 after v verdicts (n = formulations, q = gold questions; a verdict is one answered row: ja/nee "
          "on a pair row, the letter(s) or 'geen' on a choice row)\nand the verdicts (pairs read) needed to reach "
          "F1 0.80 / 0.90 / 0.95" + (" — held out" if args.held_out else ""))
    print(f"{'data':<30} {'method':<22} {'start':>6} {'n/2':>6} {'n':>6} {'2n':>6} {'2q':>6}   "
          f"{'pairs@2n':>8} {'pairs@2q':>8}   {'0.80':>11} {'0.90':>11} {'0.95':>11}")
    for name, n, q, curve, base in summary:
        for method, c in ((f"review queue ({args.choices}/row)", curve), ("raw-cosine pair list", base)):
            f = [at(c, v) for v in (0, n // 2, n, 2 * n, 2 * q)]
            print(f"{name + f' (n={n}, q={q})':<30} {method:<22} " + " ".join(f"{x:>6.3f}" for x in f) + "   "
                  f"{at(c, 2 * n, 4):>8} {at(c, 2 * q, 4):>8}   "
                  + " ".join(f"{'%s (%s)' % needed(c, t):>11}" for t in TARGETS))

if __name__ == "__main__":
    main()
