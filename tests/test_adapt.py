"""Learning from the curator's verdicts: labelled pairs, the refit with the dev-set prior, the guard."""

import csv

import numpy as np

from agenda.dedupe import adapt, pairs
from agenda.dedupe.pairs import semantic_embedder as default_embedder
from agenda.dedupe.text import normalise
from agenda.models import Curation
from tests.conftest import ROOT


def test_verdicts_label_formulation_pairs():
    final = {"Q-a": ["M-1", "M-2", "M-3", "M-4"], "Q-c": ["M-5"], "Q-s": ["M-6"]}
    automatic = {"Q-a": ["M-1", "M-2"], "Q-b": ["M-3", "M-4"], "Q-c": ["M-5", "M-6"]}
    emb_of = {f"M-{i}": np.eye(6, dtype=np.float32)[i - 1] for i in range(1, 7)}
    curation = Curation(merge=[["Q-a", "Q-b"], ["Q-c", "M-5"]], distinct=[["Q-b", "Q-c"]], split=[["M-6"]])
    labelled = {(a, b): y for a, b, y in adapt.labelled_pairs(curation, final, automatic, emb_of)}
    # ja between the machine's Q-a and Q-b: their formulations are the same question
    assert all(labelled[(a, b)] == 1 for a in ("M-1", "M-2") for b in ("M-3", "M-4"))
    # nee between Q-b (now inside Q-a) and Q-c: everything in Q-a differs from Q-c
    assert labelled[("M-1", "M-5")] == 0 and labelled[("M-4", "M-5")] == 0
    # M-6 taken out of the machine's Q-c
    assert labelled[("M-5", "M-6")] == 0
    assert ("M-1", "M-2") not in labelled  # nobody judged that pair


def test_a_verdict_on_an_id_gone_for_builds_is_learnt_through_the_id_history():
    """Q-old was merged away two rounds ago: neither the last build's final nor its machine
    clustering has it; Store.id_history still knows its formulations."""
    final = {"Q-a": ["M-1", "M-2"], "Q-c": ["M-3"]}
    automatic = {"Q-a": ["M-1", "M-2"], "Q-c": ["M-3"]}
    emb_of = {f"M-{i}": np.eye(3, dtype=np.float32)[i - 1] for i in range(1, 4)}
    curation = Curation(distinct=[["Q-old", "Q-c"]])
    assert adapt.labelled_pairs(curation, final, automatic, emb_of) == []
    labelled = adapt.labelled_pairs(curation, final, automatic, emb_of, history={"Q-old": ["M-2"]})
    assert labelled == [("M-1", "M-3", 0), ("M-2", "M-3", 0)]  # Q-old now stands for Q-a


def _dev_sample():
    with open(ROOT / "agenda" / "data" / "dev_questions.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["cluster"] in {"c001", "c002", "c003", "c006", "c011"}]
    texts = [r["text"] for r in rows]
    embedder = default_embedder()
    corpus = pairs.Corpus(texts, embedder.embed([normalise(t) for t in texts]), embedder)
    idx = pairs.candidate_index(corpus, 10)
    gold = np.array([r["cluster"] for r in rows])
    return corpus, idx, (gold[idx[:, 0]] == gold[idx[:, 1]]).astype(float)


def test_refit_keeps_signs_and_fits_the_verdicts_better():
    corpus, idx, y = _dev_sample()
    x = pairs.pair_features(corpus, idx)
    prior = pairs.load_model()
    model = adapt.adapt_model(prior, x, y)
    for name, w in zip(model.features, model.coef):
        assert w * pairs.FEATURE_SIGNS[name] >= 0, name

    def logloss(m):
        p = np.clip(m.predict(x[:, [pairs.FEATURES.index(f) for f in m.features]]), 1e-6, 1 - 1e-6)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert logloss(model) < logloss(prior)
    # the prior pulls: a stronger prior stays closer to the shipped coefficients
    strong = adapt.adapt_model(prior, x, y, strength=1e4)
    assert np.abs(strong.coef - prior.coef).sum() < np.abs(model.coef - prior.coef).sum()


def test_the_guard_never_does_worse_than_the_prior_on_dev():
    prior = pairs.load_model()
    base = adapt.dev_f1(prior)
    # verdicts that contradict the dev set (every pair "ja") would merge far too much
    corpus, idx, y = _dev_sample()
    bad = adapt.adapt_model(prior, pairs.pair_features(corpus, idx), np.ones_like(y), strength=0.1)
    assert adapt.dev_f1(bad) < base
    kept = adapt.guarded(prior, bad)
    assert adapt.dev_f1(kept) >= base - 1e-9
    assert adapt.guarded(prior, prior).meta["shrink"] == 1.0  # an equal model passes unchanged
