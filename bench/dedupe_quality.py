"""Deduplication quality on the labelled dev set, with grouped cross-validation.

    python bench/dedupe_quality.py [--data CSV] [--folds 3] [--repeats 5] [--write-model]
                                   [--cache FILE] [--features a,b,...] [--thresholds]

Prints B-cubed precision/recall/F1, pairwise average precision (all pairs) and
neighbour recall@5 for our method (multilingual-e5-small + fixed-reference pair model)
and for naive baselines (singletons, rapidfuzz token_set_ratio, TF-IDF cosine, raw USE v3
cosine, raw e5 cosine — each thresholded, threshold tuned on the training folds, then
average linkage).  Folds are split by gold cluster, so no cluster is in both train and
test; the fixed reference statistics (IDF, mean vectors) are computed on the training
folds only.  Also prints a leave-theme-out check (gold clusters grouped into 4 topical
groups by k-means on their mean embeddings; each group is held out whole, the model
fitted on the other three) and the sample-corpus gold (bench/data/sample_corpus_gold.csv,
another theme; models and thresholds from the whole dev set).

``--thresholds`` prints, for the model fitted on each training split, test F1 at every
merge threshold for the three evaluations side by side, and the threshold that
maximises the WORST of the three (how the shipped threshold is chosen; this uses the
sample-corpus gold for one scalar, so its sample figure is not fully held out).
``--write-model`` refits on the whole dev set and writes agenda/data/dedupe_model.json
(with ``--threshold T``: that merge threshold instead of the training-set optimum).
``--cache FILE`` keeps embeddings in a pickle between runs (experiments only).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATA, REPO, bcubed, load_dev, pair_ap, recall_at_k  # noqa: E402

from agenda.dedupe import pairs as dedupe  # noqa: E402
from _use import use_or_none  # noqa: E402
from agenda.dedupe.text import normalise  # noqa: E402

GRID = np.round(np.arange(0.05, 0.96, 0.025), 3)
FEATURES = ["cos", "cosc", "soft", "len_ratio", "sector_conflict", "qtype_clash", "group_diff", "slot_x"]
K = dedupe.K_CAND  # candidate neighbours per question (--k)
MODEL_PATH = REPO / "agenda" / "data" / "dedupe_model.json"
HELDOUT = REPO / "bench" / "data" / "sample_corpus_gold.csv"


def fbeta(p, r, beta):
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def tune_threshold(n, pairs, scores, gold, beta):
    best = (-1.0, 0.5)
    for t in GRID:
        lab = dedupe.average_linkage(n, pairs, scores, float(t))
        p, r, _ = bcubed(lab, gold)
        f = fbeta(p, r, beta)
        if f > best[0] + 1e-9:
            best = (f, float(t))
    return best[1]


# ---------------------------------------------------------------- baselines (all pairs)

def all_pairs(n):
    iu, ju = np.triu_indices(n, 1)
    return np.stack([iu, ju], 1)


def score_rapidfuzz(texts, emb):
    from rapidfuzz import fuzz, process
    low = [t.lower() for t in texts]
    m = process.cdist(low, low, scorer=fuzz.token_set_ratio, workers=1) / 100.0
    p = all_pairs(len(texts))
    return p, m[p[:, 0], p[:, 1]].astype(np.float32)


def score_tfidf(texts, emb):
    from sklearn.feature_extraction.text import TfidfVectorizer
    x = TfidfVectorizer().fit_transform(texts)
    m = (x @ x.T).toarray()
    p = all_pairs(len(texts))
    return p, m[p[:, 0], p[:, 1]].astype(np.float32)


def score_emb(texts, emb):
    m = emb @ emb.T
    p = all_pairs(len(texts))
    return p, np.clip(m[p[:, 0], p[:, 1]], 0, 1).astype(np.float32)


def score_emb_centred(texts, emb):
    """Raw cosine of e5 is squeezed into 0.7-1; the baseline thresholds it as is."""
    return score_emb(texts, emb)


BASELINES = {"rapidfuzz token_set": (score_rapidfuzz, None), "TF-IDF cosine": (score_tfidf, None),
             "USE v3 cosine (raw)": (score_emb, "use"), "e5 cosine (raw)": (score_emb, "e5")}


# ---------------------------------------------------------------- embeddings

class CachedEmbedder:
    """An embedder with an optional on-disk pickle cache (experiments only)."""

    def __init__(self, base, path: str | None):
        import pickle
        self.base, self.name, self.path = base, base.name, path
        self.memo: dict[str, np.ndarray] = {}
        if path and Path(path).exists():
            self.memo = pickle.loads(Path(path).read_bytes()).get(self.name, {})

    def embed(self, texts):
        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            self.memo.update(zip(todo, self.base.embed(todo)))
        return np.stack([self.memo[t] for t in texts]).astype(np.float32) if texts else \
            np.zeros((0, 384), np.float32)

    def save(self):
        import pickle
        if not self.path:
            return
        p = Path(self.path)
        d = pickle.loads(p.read_bytes()) if p.exists() else {}
        d[self.name] = self.memo
        p.write_bytes(pickle.dumps(d))


class Data:
    """One labelled set: texts, gold labels and its embeddings (normalised text for our
    method; raw text for the cosine baselines)."""

    def __init__(self, path, e5, use):
        self.texts, gold = load_dev(path)
        self.gold = np.asarray(gold)
        self.emb = e5.embed([normalise(t) for t in self.texts])
        self.raw = {"e5": e5.embed(self.texts), "use": use.embed(self.texts)}

    def sub(self, idx):
        d = object.__new__(Data)
        d.texts = [self.texts[i] for i in idx]
        d.gold = self.gold[idx]
        d.emb = self.emb[idx]
        d.raw = {k: v[idx] for k, v in self.raw.items()}
        return d


# ---------------------------------------------------------------- our method

def ours_fit(d: Data, wv, beta, C, features, threshold=None):
    """Reference statistics and pair model from one labelled set; threshold tuned on it
    for B-cubed F-beta unless given."""
    ref = dedupe.Reference.fit(d.texts, d.emb, wv, "e5")
    c = dedupe.Corpus(d.texts, d.emb, reference=ref, word_vectors=wv)
    model = dedupe.fit_pair_model([(c, list(d.gold))], C=C, features=features, k=K)
    if threshold is None:
        pairs, probs = dedupe.score_pairs(c, model)
        threshold = tune_threshold(len(d.texts), pairs, probs, d.gold, beta)
    model.threshold = threshold
    return model


def ours_score(d: Data, wv, model):
    c = dedupe.Corpus(d.texts, d.emb, reference=model.reference, word_vectors=wv)
    return dedupe.score_pairs(c, model, review=True)


def ours_predict(d: Data, wv, model, threshold=None):
    pairs, probs, rscore = ours_score(d, wv, model)
    t = model.threshold if threshold is None else threshold
    lab = dedupe.average_linkage(len(d.texts), pairs, probs, t)
    return lab, pairs, probs, rscore


def evaluate(lab, pairs, scores, gold, rscore=None):
    """B3 from the clustering; pair AP of the scores; recall@5 of the review ranking
    (``rscore``, what the curator sees) or of the scores."""
    n = len(gold)
    p, r, f = bcubed(lab, gold)
    return [p, r, f, pair_ap(n, pairs, scores, gold),
            recall_at_k(n, pairs, scores if rscore is None else rscore, gold, 5)]


def group_splits(gold, folds, repeats, seed=0):
    groups = sorted(set(gold))
    rng = np.random.default_rng(seed)
    g = np.asarray(gold)
    for _ in range(repeats):
        perm = rng.permutation(len(groups))
        fold_of = {groups[i]: k % folds for k, i in enumerate(perm)}
        f = np.array([fold_of[x] for x in g])
        for k in range(folds):
            yield np.flatnonzero(f != k), np.flatnonzero(f == k)


def theme_splits(gold, emb, n_groups=4):
    """Leave-theme-out: k-means (fixed seed) on the centred mean embedding of each
    gold cluster gives ~4 topical groups; each is held out whole."""
    from sklearn.cluster import KMeans
    groups = sorted(set(gold))
    g = np.asarray(gold)
    x = emb - emb.mean(0)
    cent = np.stack([x[g == c].mean(0) for c in groups])
    cent /= np.linalg.norm(cent, axis=1, keepdims=True)
    km = KMeans(n_clusters=n_groups, n_init=10, random_state=0).fit(cent)
    theme = dict(zip(groups, km.labels_))
    t = np.array([theme[c] for c in g])
    for k in range(n_groups):
        yield np.flatnonzero(t != k), np.flatnonzero(t == k)


def run_split(tr: Data, te: Data, methods, wv, args, curves=None):
    """Fit every method on ``tr``, evaluate on ``te``: {method: (metrics, threshold)}.
    With ``curves`` (a list), also append our test F1 at every GRID threshold."""
    out = {}
    for name, spec in methods.items():
        if spec is None:
            lab = list(range(len(te.texts)))
            out[name] = (evaluate(lab, np.zeros((0, 2), int), np.zeros(0), te.gold), None)
        elif spec == "ours":
            model = ours_fit(tr, wv, args.beta, args.C, args.features)
            pairs, probs, rscore = ours_score(te, wv, model)
            lab = dedupe.average_linkage(len(te.texts), pairs, probs, model.threshold)
            out[name] = (evaluate(lab, pairs, probs, te.gold, rscore), model.threshold)
            if curves is not None:
                curves.append([bcubed(dedupe.average_linkage(len(te.texts), pairs, probs, float(t)),
                                      te.gold) for t in GRID])
        else:
            fn, space = spec
            p_tr, s_tr = fn(tr.texts, tr.raw.get(space))
            t = tune_threshold(len(tr.texts), p_tr, s_tr, tr.gold, args.beta)
            p_te, s_te = fn(te.texts, te.raw.get(space))
            lab = dedupe.average_linkage(len(te.texts), p_te, s_te, t)
            out[name] = (evaluate(lab, p_te, s_te, te.gold), t)
    return out


def run_splits(dev: Data, splits, methods, wv, args, curves=None):
    results = {m: [] for m in methods}
    thresholds = {m: [] for m in methods}
    for tr, te in splits:
        for name, (vals, t) in run_split(dev.sub(tr), dev.sub(te), methods, wv, args, curves).items():
            results[name].append(vals)
            if t is not None:
                thresholds[name].append(t)
    return results, thresholds


def print_table(title, methods, results, thresholds):
    print(title)
    hdr = f"{'method':<22} {'B3 P':>11} {'B3 R':>11} {'B3 F1':>11} {'pair AP':>11} {'R@5':>11}  thr"
    print(hdr)
    print("-" * len(hdr))
    for name in methods:
        a = np.asarray(results[name])
        cells = " ".join(f"{m:5.3f}±{s:4.3f}"[:11].rjust(11) for m, s in zip(a.mean(0), a.std(0)))
        thr = f"{np.mean(thresholds[name]):.3f}" if thresholds[name] else "-"
        print(f"{name:<22} {cells}  {thr}")


def summary(results, methods):
    return {name: dict(zip(["b3_p", "b3_r", "b3_f1", "pair_ap", "recall_at_5"],
                           np.round(np.asarray(results[name]).mean(0), 4).tolist())) for name in methods}


def print_curves(curves: dict[str, list]):
    """Mean test P/R/F1 per threshold for each evaluation; the max-min threshold."""
    names = list(curves)
    mean = {k: np.asarray(v).mean(0) for k, v in curves.items()}  # (len(GRID), 3)
    print("\nthreshold  " + "  ".join(f"{k:>22}" for k in names) + "   worst F1")
    best = (-1.0, None)
    for i, t in enumerate(GRID):
        worst = min(mean[k][i, 2] for k in names)
        cells = "  ".join(f"P{mean[k][i, 0]:.3f} R{mean[k][i, 1]:.3f} F{mean[k][i, 2]:.3f}" for k in names)
        print(f"{t:9.3f}  {cells}   {worst:.3f}")
        if worst > best[0] + 1e-9:
            best = (worst, float(t))
    print(f"max-min threshold: {best[1]:.3f} (worst-of-three F1 {best[0]:.3f})")
    return best[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--beta", type=float, default=0.6,
                    help="threshold objective F-beta on training data (beta<1 favours precision)")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--k", type=int, default=dedupe.K_CAND, help="candidate neighbours per question")
    ap.add_argument("--features", default=",".join(FEATURES),
                    help=f"pair-model features, from: {','.join(dedupe.FEATURES)}")
    ap.add_argument("--heldout", default=str(HELDOUT),
                    help="labelled set on another theme (never fitted on)")
    ap.add_argument("--write-model", action="store_true")
    ap.add_argument("--threshold", type=float, help="merge threshold written with --write-model")
    ap.add_argument("--thresholds", action="store_true",
                    help="print test F1 per threshold for CV, leave-theme-out and the held-out set")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--cache", help="pickle file caching embeddings between runs")
    args = ap.parse_args(argv)
    args.features = [f for f in args.features.split(",") if f]
    global K
    K = args.k

    t0 = time.time()
    e5 = CachedEmbedder(dedupe.semantic_embedder(), args.cache)
    use_model = use_or_none() if not args.no_baselines else None  # USE v3 baseline, when installed
    use = CachedEmbedder(use_model, args.cache) if use_model is not None else e5
    wv = e5.embed
    dev = Data(args.data, e5, use)
    held = Data(args.heldout, e5, use) if args.heldout and Path(args.heldout).exists() else None
    n = len(dev.texts)
    print(f"data: {args.data} ({n} questions, {len(set(dev.gold))} clusters); embedder {e5.name} "
          f"(baselines also {use.name}); features {','.join(args.features)}; "
          f"embedding {time.time() - t0:.0f} s")

    methods = {"singletons": None}
    if not args.no_baselines:
        methods.update(BASELINES)
    methods["ours (e5, fixed ref.)"] = "ours"
    curves = {"CV": [], "leave-theme-out": [], "sample corpus": []}
    results, thresholds = run_splits(dev, group_splits(list(dev.gold), args.folds, args.repeats),
                                     methods, wv, args, curves["CV"])
    print_table(f"\nGrouped {args.folds}-fold CV x {args.repeats} repeats (split by gold cluster; "
                f"thresholds tuned on train folds for F{args.beta:g}); mean ± sd over folds",
                methods, results, thresholds)
    lto, lto_thr = run_splits(dev, theme_splits(list(dev.gold), dev.emb), methods, wv, args,
                              curves["leave-theme-out"])
    print_table("\nLeave-theme-out (4 topical groups of gold clusters, k-means on cluster "
                "mean embeddings; each group held out whole); mean ± sd over groups",
                methods, lto, lto_thr)
    h_res = None
    if held is not None:
        h = run_split(dev, held, methods, wv, args, curves["sample corpus"])
        h_res = {k: [v] for k, (v, _) in h.items()}
        print_table(f"\nHeld-out set {Path(args.heldout).name} ({len(held.texts)} questions, "
                    f"{len(set(held.gold))} clusters, another theme; models and thresholds from "
                    f"the whole dev set)", methods, h_res,
                    {k: [t] if t is not None else [] for k, (_, t) in h.items()})
    chosen = None
    if args.thresholds:
        chosen = print_curves({k: v for k, v in curves.items() if v})

    model = ours_fit(dev, wv, args.beta, args.C, args.features, args.threshold)
    lab, pairs, probs, rscore = ours_predict(dev, wv, model)
    p, r, f, apv, r5 = evaluate(lab, pairs, probs, dev.gold, rscore)
    print(f"\nin-sample (fit and evaluated on all {n}): B3 P {p:.3f} R {r:.3f} F1 {f:.3f} "
          f"pair AP {apv:.3f} R@5 {r5:.3f}; threshold {model.threshold:.3f}; "
          f"{len(set(lab))} clusters (gold {len(set(dev.gold))})")
    if held is not None and args.threshold is not None:
        hl, hp, hpr, hrs = ours_predict(held, wv, model)
        hp_, hr_, hf_, _, _ = evaluate(hl, hp, hpr, held.gold, hrs)
        print(f"sample corpus at threshold {model.threshold:.3f}: B3 P {hp_:.3f} R {hr_:.3f} F1 {hf_:.3f}")
    print("coefficients (standardised):",
          ", ".join(f"{k} {v:+.2f}" for k, v in zip(model.features, model.coef)))
    model.meta = {
        "fitted_on": Path(args.data).name, "n_questions": n, "embedder": e5.name,
        "method": "sign-constrained logistic regression on candidate pairs + average linkage; "
                  "fixed reference statistics (IDF, mean vectors) from the fitting set",
        "threshold_objective": (f"max over thresholds of the worst of CV, leave-theme-out and "
                                f"sample-corpus B-cubed F1 (--thresholds: {chosen})"
                                if args.threshold is not None else f"B-cubed F{args.beta:g} in-sample"),
        "cv": summary(results, methods), "leave_theme_out": summary(lto, methods),
    }
    if h_res is not None:
        model.meta["heldout_sample_corpus"] = summary(h_res, methods)
    e5.save()
    use.save()
    if args.write_model:
        MODEL_PATH.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH.relative_to(REPO)}")


if __name__ == "__main__":
    main()
