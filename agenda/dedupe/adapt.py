"""Learning from the curator's verdicts: the pair model adapted to this corpus.

Every verdict in ``curation.yaml`` labels formulation pairs of this corpus:

- ``merge [Q-a, Q-b]`` ("ja"): the formulations the machine had put in ``Q-a`` are the same
  question as those it had put in ``Q-b`` (positives);
- ``distinct [Q-a, Q-b]`` ("nee"): the formulations of the questions the two ids now stand
  for differ (negatives; a "nee" holds for whatever a question was merged into);
- ``split [M-x]``: ``M-x`` differs from the rest of the question the machine gave it;
- ``merge [Q-a, M-x]`` (a confirmed split proposal): ``M-x`` belongs with ``Q-a``'s formulations.

Of each decision at most ``PAIRS_PER_DECISION`` pairs are used, the most similar by raw
embedding cosine (the pairs the queue itself scores). ``adapt_model`` refits the
sign-constrained logistic pair model on them with the shipped dev-set model as prior: an
L2 pull toward the prior coefficients (strength ``PRIOR_STRENGTH``, in pairs' worth),
features standardised as the prior does, every feature kept to its sign (FEATURE_SIGNS).

Guard: the adapted model must cluster the dev set (``agenda/data/dev_questions.csv``, the
labelled set the prior was fitted on) at least as well as the prior (B-cubed F1 at the
prior's threshold) and, precision first, lose at most ``PRECISION_SLACK`` of its B-cubed
precision (a model that buys dev-set recall with wrong merges is refused; it also re-clustered
an unchanged corpus on every rebuild after a review round). If it does not, it is shrunk toward the prior (half, quarter of the
step) and, failing that, the prior itself is used — so learning can never make the
dev-set result worse.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from agenda.dedupe import pairs
from agenda.dedupe.embed import Embedder
from agenda.dedupe.ids import Resolver
from agenda.models import Curation

__all__ = ["labelled_pairs", "adapt_model", "guarded", "model_for", "dev_corpus", "dev_f1", "dev_scores"]

PAIRS_PER_DECISION = 16
PRIOR_STRENGTH = 30.0   # the prior weighs like this many labelled pairs per unit squared deviation
MIN_PAIRS = 10          # below this many labelled pairs (or without both labels) the prior is used
SHRINK = (1.0, 0.5, 0.25)
PRECISION_SLACK = 0.005  # how much dev-set B-cubed precision an adapted model may lose (half a point)


def labelled_pairs(curation: Curation, final: dict[str, list[str]], automatic: dict[str, list[str]],
                   emb_of: dict[str, np.ndarray], history: Mapping[str, Sequence[str]] | None = None
                   ) -> list[tuple[str, str, int]]:
    """Formulation pairs (mention id, mention id, 1 same / 0 different) from the verdicts.

    `final` and `automatic` are the last build's clusterings (cluster id -> mention ids:
    with the curator's decisions, and the machine's own); `emb_of` gives each mention's
    embedding (only mentions present are used); `history` (Store.id_history: every id the
    database produced -> the mention ids it held when last seen) finds an id that vanished
    before the last build (merged away rounds ago), whose verdict was otherwise not learnt from.
    Pairs are deduplicated; a pair labelled both ways keeps the later verdict.
    """
    history = history or {}
    final_of = {m: c for c, ms in final.items() for m in ms if m in emb_of}
    auto_of = {m: c for c, ms in automatic.items() for m in ms if m in emb_of}

    legacy = Resolver(automatic.keys() | final.keys())  # an old 6-digit id names its 12-digit form

    def members(cid: str, leave_out: frozenset[str] = frozenset()) -> list[str]:
        """A Q- id's formulations: the machine's cluster of that id, else the final one."""
        cid = legacy(cid) or cid
        ms = automatic.get(cid) or final.get(cid) or history.get(cid) or []
        return [m for m in ms if m in emb_of and m not in leave_out]

    def current(cid: str) -> str | None:
        cid = legacy(cid) or cid
        if cid in final:
            return cid
        votes = Counter(final_of[m] for m in (automatic.get(cid) or history.get(cid) or ()) if m in final_of)
        return min(votes, key=lambda c: (-votes[c], c)) if votes else None

    out: dict[tuple[str, str], int] = {}

    def add(left: Sequence[str], right: Sequence[str], label: int) -> None:
        left, right = [m for m in left if m not in right], list(right)
        if not left or not right:
            return
        sims = np.vstack([emb_of[m] for m in left]) @ np.vstack([emb_of[m] for m in right]).T
        for flat in np.argsort(-sims, axis=None, kind="stable")[:PAIRS_PER_DECISION]:
            a, b = left[flat // len(right)], right[flat % len(right)]
            if a != b:
                out[(min(a, b), max(a, b))] = label

    for group in curation.merge:
        qs = [g for g in group if g.startswith("Q-")]
        for m in (g for g in group if g.startswith("M-") and g in emb_of):
            if qs and (target := current(qs[0])) is not None:
                add([m], [x for x in final.get(target, []) if x in emb_of], 1)
        for a, b in zip(qs, qs[1:]):
            add(members(a), members(b), 1)
    for group in curation.distinct:
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                ca, cb = current(a), current(b)
                if ca is not None and cb is not None and ca != cb:
                    add([m for m in final[ca] if m in emb_of], [m for m in final[cb] if m in emb_of], 0)
    for group in curation.split:
        gone = frozenset(group)
        for m in group:
            if m in auto_of:
                add([m], members(auto_of[m], gone), 0)
    return [(a, b, y) for (a, b), y in sorted(out.items())]


def adapt_model(prior: pairs.PairModel, x: np.ndarray, y: np.ndarray,
                strength: float = PRIOR_STRENGTH) -> pairs.PairModel:
    """The prior refitted on labelled pairs: features `x` (m, len(FEATURES)), labels `y` (m,).

    Minimises the summed log loss + strength/2 · ‖w − w_prior‖² (intercept included), each
    weight within its FEATURE_SIGNS bound; standardisation and threshold are the prior's.
    """
    from scipy.optimize import minimize

    cols = [pairs.FEATURES.index(f) for f in prior.features]
    z = (x[:, cols].astype(np.float64) - prior.mean) / prior.scale
    y = y.astype(np.float64)
    w0 = np.append(prior.coef.astype(np.float64), prior.intercept)

    def loss(w):
        t = z @ w[:-1] + w[-1]
        p = 1.0 / (1.0 + np.exp(-t))
        d = w - w0
        g = np.append(z.T @ (p - y), np.sum(p - y)) + strength * d
        return float(np.sum(np.logaddexp(0.0, t) - y * t) + 0.5 * strength * d @ d), g

    bounds = [(0.0, None) if pairs.FEATURE_SIGNS[f] > 0 else (None, 0.0) for f in prior.features]
    start = np.clip(w0, [b[0] if b[0] is not None else -np.inf for b in bounds] + [-np.inf],
                    [b[1] if b[1] is not None else np.inf for b in bounds] + [np.inf])
    res = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds + [(None, None)],
                   options={"maxiter": 2000})
    meta = {**prior.meta, "adapted_on_pairs": int(len(y)), "adapted_positives": int(y.sum())}
    return pairs.PairModel(list(prior.features), prior.mean, prior.scale, res.x[:-1].astype(np.float32),
                           float(res.x[-1]), prior.threshold, prior.k, meta)


def _blend(prior: pairs.PairModel, model: pairs.PairModel, alpha: float) -> pairs.PairModel:
    coef = (prior.coef + alpha * (model.coef - prior.coef)).astype(np.float32)
    icpt = prior.intercept + alpha * (model.intercept - prior.intercept)
    return pairs.PairModel(list(prior.features), prior.mean, prior.scale, coef, float(icpt), prior.threshold,
                           prior.k, {**model.meta, "shrink": alpha})


def dev_corpus(embedder: Embedder, embed=None) -> tuple[pairs.Corpus, tuple[str, ...]]:
    """The dev set as a pair-feature corpus and its gold clusters. `embed` (texts -> vectors)
    answers both the questions and the content words; default `embedder.embed`."""
    text = resources.files("agenda").joinpath("data", "dev_questions.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    texts = [r["text"] for r in rows]
    embed = embed or embedder.embed
    from agenda.dedupe.text import normalise

    corpus = pairs.Corpus(texts, embed([normalise(t) for t in texts]), embedder, word_vectors=embed)
    return corpus, tuple(r["cluster"] for r in rows)


@lru_cache(maxsize=2)
def _dev(embedder_name: str) -> tuple[pairs.Corpus, np.ndarray, np.ndarray, tuple[str, ...]]:
    """The dev set's corpus, candidate pairs and their features (computed once per process; its
    vectors come from the install-time cache when it fits this embedder, agenda.dedupe.dev_cache)."""
    from agenda.dedupe import dev_cache

    embedder = _embedders[embedder_name]
    corpus, gold = dev_corpus(embedder, dev_cache.lookup(embedder))
    idx = pairs.candidate_index(corpus, pairs.load_model().k)
    return corpus, idx, pairs.pair_features(corpus, idx), gold


_embedders: dict[str, Embedder] = {}


def dev_scores(model: pairs.PairModel, embedder: Embedder | None = None) -> tuple[float, float]:
    """B-cubed (precision, F1) of clustering the dev set with `model` (at its own threshold)."""
    embedder = embedder or pairs.semantic_embedder()
    _embedders.setdefault(embedder.name, embedder)
    corpus, idx, f, gold = _dev(embedder.name)
    probs = model.predict(f[:, [pairs.FEATURES.index(n) for n in model.features]])
    damp = float(model.meta.get("sector_damp", pairs.SECTOR_DAMP))
    probs = np.where(f[:, pairs.FEATURES.index("sector_conflict")] > 0, probs * damp, probs)
    labels = pairs.average_linkage(len(corpus.texts), idx, probs, model.threshold)
    return _bcubed(labels, gold)


def dev_f1(model: pairs.PairModel, embedder: Embedder | None = None) -> float:
    """B-cubed F1 of clustering the dev set with `model` (at its own threshold)."""
    return dev_scores(model, embedder)[1]


def _bcubed(pred: Sequence, gold: Sequence) -> tuple[float, float]:
    joint = Counter(zip(pred, gold))
    pc, gc = Counter(pred), Counter(gold)
    n = len(pred)
    p = sum(v * v / pc[a] for (a, _), v in joint.items()) / n
    r = sum(v * v / gc[b] for (_, b), v in joint.items()) / n
    return p, (2 * p * r / (p + r) if p + r else 0.0)


def guarded(prior: pairs.PairModel, model: pairs.PairModel, embedder: Embedder | None = None) -> pairs.PairModel:
    """`model`, shrunk toward `prior` as far as needed to cluster the dev set at least as
    well as the prior does — F1 not lower and, precision first, B-cubed precision not more than
    PRECISION_SLACK lower (a model that buys recall with wrong merges is refused); the prior
    itself if no shrink step is good enough."""
    base_p, base = dev_scores(prior, embedder)
    for alpha in SHRINK:
        candidate = model if alpha == 1.0 else _blend(prior, model, alpha)
        p, score = dev_scores(candidate, embedder)
        if score >= base - 1e-9 and p >= base_p - PRECISION_SLACK:
            # a copy: `model` may be the cached shipped model (load_model), which every later
            # build and model_summary() in this process must see unchanged
            return dataclasses.replace(candidate, meta={
                **candidate.meta, "dev_f1": round(score, 4), "dev_f1_prior": round(base, 4),
                "dev_precision": round(p, 4), "dev_precision_prior": round(base_p, 4), "shrink": alpha})
    return prior


def model_for(corpus: pairs.Corpus, mention_ids: Sequence[str], curation: Curation,
              final: dict[str, list[str]], automatic: dict[str, list[str]],
              embedder: Embedder | None = None, prior: pairs.PairModel | None = None,
              history: Mapping[str, Sequence[str]] | None = None) -> pairs.PairModel:
    """The pair model for this corpus: the prior adapted to the verdicts, guarded on dev.

    `corpus` holds the texts of `mention_ids` (same order); `final`/`automatic` are the last
    build's clusterings. Without enough verdicts (MIN_PAIRS, both labels) the prior.
    """
    prior = prior or pairs.load_model()
    index = {m: i for i, m in enumerate(mention_ids)}
    emb_of = {m: corpus.emb[i] for m, i in index.items()}
    labelled = labelled_pairs(curation, final, automatic, emb_of, history)
    y = np.array([lab for _, _, lab in labelled], np.float64)
    if len(y) < MIN_PAIRS or y.min() == y.max():
        return prior
    idx = np.array([[index[a], index[b]] for a, b, _ in labelled], np.int64)
    model = adapt_model(prior, pairs.pair_features(corpus, idx), y)
    return guarded(prior, model, embedder)
