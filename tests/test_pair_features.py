"""The vectorised pair features equal a straightforward per-pair reference (the loops they
replaced, kept here), column by column, on the shipped dev set and on edge cases; and scoring
with only the model's features gives the same probabilities as scoring with all of them."""

import numpy as np
import pytest

from agenda.dedupe import pairs as dedupe
from agenda.dedupe.slots import slot_clashes, slot_matches


def reference_features(c: dedupe.Corpus, pairs: np.ndarray) -> np.ndarray:
    """pair_features as one loop per pair (the code before vectorisation, 2026-12-03)."""
    a, b = pairs[:, 0], pairs[:, 1]
    F = {name: i for i, name in enumerate(dedupe.FEATURES)}
    f = np.zeros((len(a), len(dedupe.FEATURES)), np.float32)
    for r, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
        f[r, F["cos"]] = c.emb[i] @ c.emb[j]
        cc = f[r, F["cosc"]] = c.embc[i] @ c.embc[j]
        f[r, F["cosc2"]] = max(cc, 0) ** 2
        if c.sector[i] and c.sector[j] and not (c.sector[i] & c.sector[j]):
            f[r, F["sector_conflict"]] = 1.0
        if c.qtype[i] and c.qtype[j] and not (c.qtype[i] & c.qtype[j]):
            f[r, F["qtype_clash"]] = 1.0
        f[r, F["group_diff"]] = len(c.groups[i] ^ c.groups[j])
        f[r, F["neg_mismatch"]] = c.neg[i] != c.neg[j]
        f[r, F["len_ratio"]] = min(c.nwords[i], c.nwords[j]) / max(c.nwords[i], c.nwords[j])
        f[r, F["res_sim"]] = 1.0
        ia, ib = c.tok_ids[i], c.tok_ids[j]
        if len(ia) and len(ib):
            idf, wvc, wv = c.idf, c.wordvec_c, c.wordvec
            sha, shb = np.isin(ia, ib), np.isin(ib, ia)
            ra, rb = ia[~sha], ib[~shb]
            tot = float(idf[ia].sum() + idf[ib].sum())
            shared = 2.0 * float(idf[ia[sha]].sum()) / tot if tot > 0 else 0.0
            rs = 1.0
            if len(ra) and len(rb):
                sr = wvc[ra] @ wvc[rb].T
                rs = 0.5 * (float(idf[ra] @ sr.max(1)) / float(idf[ra].sum())
                            + float(idf[rb] @ sr.max(0)) / float(idf[rb].sum()))
            f[r, F["res_sim"]] = rs
            f[r, F["slot"]] = shared * (1.0 - max(rs, 0.0))
            sim = wv[ia] @ wv[ib].T
            ma, mb = sim.max(1), sim.max(0)
            f[r, F["soft"]] = 0.5 * (float(idf[ia] @ ma) / float(idf[ia].sum())
                                     + float(idf[ib] @ mb) / float(idf[ib].sum()))
            both = np.sort(np.concatenate([c.idf_rel[ia] * np.clip(1.0 - ma, 0.0, 1.0),
                                           c.idf_rel[ib] * np.clip(1.0 - mb, 0.0, 1.0)]))
            f[r, F["miss"]] = both[-1]
            f[r, F["miss2"]] = both[-2] if len(both) > 1 else 0.0
        ccp = min(max(cc, 0.0), 1.0)
        f[r, F["slot_x"]] = f[r, F["slot"]] * ccp
        clash = slot_clashes(c.slots, np.array([i]), np.array([j]))[0]
        for s, name in enumerate(("kind_clash_x", "outcome_clash_x", "actor_clash_x")):
            f[r, F[name]] = clash[s] * ccp
        f[r, F["agree_x"]] = (not clash.any()) * ccp
        match = slot_matches(c.slots, np.array([i]), np.array([j]))[0]
        for s, name in enumerate(("kind_match_x", "outcome_match_x", "actor_match_x")):
            f[r, F[name]] = match[s] * ccp
    # sparse rows as dicts (column -> value), dotted pair by pair
    wbin = c.wbin.multiply(np.sqrt(c.idf)[None, :]).tocsr()
    rows = {name: [dict(zip(x.indices[x.indptr[k]:x.indptr[k + 1]].tolist(), x.data[x.indptr[k]:x.indptr[k + 1]].tolist()))
                   for k in range(x.shape[0])] for name, x in (("wcos", c.wvec), ("wjac", wbin), ("ccos", c.cvec))}
    for r, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
        dots = {name: sum(v * x[j].get(k, 0.0) for k, v in x[i].items()) for name, x in rows.items()}
        f[r, F["wcos"]], f[r, F["ccos"]] = dots["wcos"], dots["ccos"]
        f[r, F["wjac"]] = dots["wjac"] / max(c.wsum[i] + c.wsum[j] - dots["wjac"], 1e-6)
    from rapidfuzz import fuzz

    f[:, F["tsr"]] = [fuzz.token_set_ratio(c.stripped[i], c.stripped[j]) / 100.0
                      for i, j in zip(a.tolist(), b.tolist())]
    return f


@pytest.fixture(scope="module")
def dev():
    """The shipped dev set (217 questions) with its cached vectors, and its candidate pairs."""
    from agenda.dedupe import adapt, dev_cache

    embedder = dedupe.semantic_embedder()
    corpus, _ = adapt.dev_corpus(embedder, dev_cache.lookup(embedder))
    return corpus, dedupe.candidate_index(corpus, dedupe.load_model().k)


def test_vectorised_features_equal_the_per_pair_reference(dev):
    c, pairs = dev
    assert len(pairs) > 2000
    got, want = dedupe.pair_features(c, pairs), reference_features(c, pairs)
    for k, name in enumerate(dedupe.FEATURES):
        assert np.allclose(got[:, k], want[:, k], rtol=0, atol=1e-6), name


def test_edge_cases_equal_the_reference():
    """Texts without content words, one word, one inside the other (nothing left over), repeats."""
    from agenda.dedupe import adapt, dev_cache

    texts = ["Hoe?", "Waarom niet?", "Werkdruk?", "Hoe verminder je werkdruk?",
             "Hoe verminder je werkdruk van leraren in het po?", "Werkdruk werkdruk werkdruk leraren?",
             "Wat is het effect van huiswerk op leerresultaten in het vo en mbo bij kleuters en ouders?",
             "Wat is het effect van huiswerk op werkdruk in het po?"]
    embedder = dedupe.semantic_embedder()
    embed = dev_cache.lookup(embedder)
    from agenda.dedupe.text import normalise

    c = dedupe.Corpus(texts, embed([normalise(t) for t in texts]), embedder, word_vectors=embed)
    iu = np.array(np.triu_indices(len(texts), 1)).T
    got, want = dedupe.pair_features(c, iu), reference_features(c, iu)
    assert np.allclose(got, want, rtol=0, atol=1e-6)
    assert adapt is not None


def test_only_the_models_features_give_the_same_probabilities(dev):
    c, pairs = dev
    model = dedupe.load_model()
    need = dedupe.model_features(model)
    assert len(need) < len(dedupe.FEATURES)  # what scoring skips: char n-grams, token-set ratio, ...
    full, part = dedupe.pair_features(c, pairs), dedupe.pair_features(c, pairs, features=need)
    cols = [dedupe.FEATURES.index(n) for n in need]
    assert np.array_equal(full[:, cols], part[:, cols])
    _, probs = dedupe.score_pairs(c, model)
    assert np.allclose(probs, dedupe.PairModel.predict(model, full[:, [dedupe.FEATURES.index(n)
                                                                         for n in model.features]])
                       * np.where(full[:, dedupe.FEATURES.index("sector_conflict")] > 0,
                                  model.meta.get("sector_damp", dedupe.SECTOR_DAMP), 1.0), atol=1e-7)
    with pytest.raises(ValueError):
        dedupe.pair_features(c, pairs, features=["cos", "no such feature"])


def reference_linkage(n, pairs, probs, threshold, weights=None):
    """average_linkage as it was before its graph was built with numpy and only the merged
    node's neighbours were pushed again (2026-12-03)."""
    import heapq

    parent, size = list(range(n)), list(weights) if weights is not None else [1] * n
    adj = [dict() for _ in range(n)]
    for (i, j), p in zip(pairs.tolist(), probs.tolist()):
        if p > 0:
            p *= size[i] * size[j]
            adj[i][j] = adj[i].get(j, 0.0) + p
            adj[j][i] = adj[j].get(i, 0.0) + p
    heap = []
    for i in range(n):
        for j, s in adj[i].items():
            if i < j and s / (size[i] * size[j]) >= threshold:
                heapq.heappush(heap, (-s / (size[i] * size[j]), i, j))
    alive = [True] * n
    while heap:
        neg, i, j = heapq.heappop(heap)
        if not (alive[i] and alive[j]) or adj[i].get(j) is None:
            continue
        avg = adj[i][j] / (size[i] * size[j])
        if abs(avg + neg) > 1e-9:
            if avg >= threshold:
                heapq.heappush(heap, (-avg, i, j))
            continue
        keep, gone = (i, j) if len(adj[i]) >= len(adj[j]) else (j, i)
        alive[gone], parent[gone] = False, keep
        del adj[keep][gone], adj[gone][keep]
        size[keep] += size[gone]
        for t, w in adj[gone].items():
            adj[t].pop(gone, None)
            adj[keep][t] = adj[keep].get(t, 0.0) + w
            adj[t][keep] = adj[keep][t]
        adj[gone] = {}
        for t, w in adj[keep].items():
            if w / (size[keep] * size[t]) >= threshold:
                heapq.heappush(heap, (-w / (size[keep] * size[t]), min(keep, t), max(keep, t)))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    labels = {}
    return [labels.setdefault(find(i), len(labels)) for i in range(n)]


def test_linkage_equals_the_reference(dev):
    """The same clusters as the reference linkage: the dev set's scored pairs, and a random graph
    with chains, tied probabilities, weights and a pair given twice."""
    c, pairs = dev
    _, probs = dedupe.score_pairs(c)
    thr = dedupe.load_model().threshold
    assert dedupe.average_linkage(len(c.texts), pairs, probs, thr) == reference_linkage(len(c.texts), pairs, probs, thr)
    rng = np.random.default_rng(7)
    n = 600
    a = rng.integers(0, n, 6000)
    b = (a + rng.integers(1, 12, 6000)) % n  # local: long chains of near neighbours
    key = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
    g = np.stack([key // n, key % n], 1)
    p = np.round(rng.beta(2, 2, len(g)), 2).astype(np.float32)  # many exact ties
    weights = rng.integers(1, 4, n).tolist()
    for w in (None, weights):
        got = dedupe.average_linkage(n, g, p, 0.5, w)
        assert got == reference_linkage(n, g, p, 0.5, w)
        assert 50 < len(set(got)) < n - 50  # merges and leftovers both happen
    assert dedupe.average_linkage(n, g[:0], p[:0], 0.5) == list(range(n))  # no pairs
    twice = np.concatenate([g, g[:50]])
    pt = np.concatenate([p, p[:50]])
    assert dedupe.average_linkage(n, twice, pt, 0.5) == reference_linkage(n, twice, pt, 0.5)
