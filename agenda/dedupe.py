"""Deduplication of Dutch knowledge questions.

Method (see README / bench/dedupe_quality.py):

1. Normalise and stem every question (``agenda.text``); fit IDF on the corpus
   being clustered, so words every question in the domain shares weigh little.
2. Embed with multilingual USE v3 (``agenda.embed``).
3. Candidate pairs: each question's top-k neighbours by embedding cosine and by
   IDF-weighted word cosine (exact blocked search; an inverted-file index over
   k-means cells above ``EXACT_MAX`` rows), never a dense n×n matrix.
4. Score each candidate pair with a small logistic-regression model over
   embedding cosine, word TF-IDF cosine, IDF-weighted Jaccard, character n-gram
   cosine, rapidfuzz ratios and conflict indicators (different sector, different
   question type such as effect vs how vs measuring, negation, different target
   group).  Coefficients live in ``agenda/data/dedupe_model.json``, fitted on the
   development set with grouped cross-validation (bench/dedupe_quality.py).
5. Average-linkage agglomeration on the sparse pair graph (absent pairs count
   as probability 0), merging while the average merge probability ≥ the
   precision-oriented threshold in the model file.
"""

from __future__ import annotations

import heapq
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz
from rapidfuzz import process as rf_process

from agenda.embed import Embedder, default_embedder
from agenda.text import SECTORS, normalise, stem, stop_words

__all__ = ["cluster_texts", "candidate_pairs", "score_pairs", "PairModel", "load_model",
           "Corpus", "knn", "average_linkage", "FEATURES"]

EXACT_MAX = 25_000     # above this many rows, neighbour search uses the IVF index
WORD_KNN_MAX = 5_000   # up to this many rows, word TF-IDF neighbours are candidates too
K_CAND = 10            # neighbours per question scored for clustering

# --------------------------------------------------------------------------------------
# general question-type and target-group cues (general Dutch, not data-set specific)
_QTYPE = {
    # does it have an effect / is it worthwhile ("wat werkt bij X" is a how-question)
    "effect": {"effect", "effecten", "invloed", "impact", "hoeverre", "zinvol", "nut",
               "nuttig", "oplevert", "opleveren", "oplevering", "bijdraagt", "bijdragen",
               "gevolgen", "gevolg", "leidt", "leiden", "helpt", "helpen", "verband",
               "samenhang", "samenhangt"},
    # how to do / implement / approach
    "how": {"hoe", "aanpak", "aanpakken", "invoeren", "invoering", "implementeren",
            "implementatie", "inrichten", "organiseren", "manier", "stappen", "werkt",
            "didactiek", "strategieen", "tips"},
    # measuring / monitoring / signalling
    "measure": {"meten", "meet", "meting", "monitoren", "monitor", "signaleren", "signaleer",
                "peilen", "instrument", "instrumenten", "vragenlijst", "vragenlijsten",
                "betrouwbaar", "betrouwbare", "meetinstrument", "meetinstrumenten"},
    # why / causes
    "why": {"waarom", "oorzaak", "oorzaken", "verklaart", "verklaren", "redenen", "reden"},
}
_HOW = frozenset({"how"})
_NEG = {"niet", "geen", "zonder", "nooit", "niets", "minder"}
_GROUPS = {
    "leerling": {"leerling", "kind", "kinderen", "pubers", "puber", "jongeren", "student", "studenten"},
    "leraar": {"leraar"},
    "collega": {"collega", "collegiaal", "collegiale", "teamleden", "team"},
    "ouder": {"ouder", "gezin", "gezinnen", "thuis"},
    "schoolleider": {"schoolleider", "leidinggevende", "leidinggevenden"},
    "starter": {"starter", "starters", "startende", "beginnende", "zijinstromer", "zijinstromers"},
    "bestuurder": {"bestuurder"},
    "ib": {"ib"},
}

FEATURES = ["cos", "cos2", "wcos", "wjac", "ccos", "tsr", "tsort", "partial",
            "sector_conflict", "qtype_conflict", "neg_mismatch", "group_diff",
            "len_ratio", "rank", "soft", "miss", "miss2"]


def _cues(words: list[str], table: dict[str, set[str]]) -> frozenset[str]:
    ws = set(words)
    return frozenset(k for k, vocab in table.items() if ws & vocab)


@dataclass
class Corpus:
    """Per-corpus text state: normalised forms, IDF-weighted matrices, cue sets."""

    texts: list[str]
    emb: np.ndarray
    embedder: Embedder | None = None
    norm: list[str] = field(init=False)
    toks: list[list[str]] = field(init=False)

    def __post_init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        sw = stop_words()
        self.norm = [normalise(t) for t in self.texts]
        words = [n.split() for n in self.norm]
        self.toks = [[stem(w) for w in ws if w not in sw] for ws in words]
        n = len(self.texts)
        # word TF-IDF, IDF fitted on this corpus
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, ts in enumerate(self.toks):
            for t in set(ts):
                rows.append(i)
                cols.append(vocab.setdefault(t, len(vocab)))
        b = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                          shape=(n, max(1, len(vocab))))
        df = np.asarray(b.sum(0)).ravel()
        self.idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
        self.vocab = vocab
        x = b.multiply(self.idf[None, :]).tocsr()
        self.wvec = _row_l2(x)
        self.wbin = b
        self.wsum = np.asarray(x.sum(1)).ravel()  # total IDF mass per row
        # character n-grams (within words) catch compounds and inflection
        cv = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                             dtype=np.float32, min_df=1)
        content = [" ".join(w for w in ws if w not in sw) or " " for ws in words]
        self.cvec = cv.fit_transform(content).tocsr()
        self.stripped = content
        self.sector = [frozenset(w for w in ws if w in SECTORS) for ws in words]
        self.qtype = [_cues(ws, _QTYPE) for ws in words]
        self.neg = np.array([bool(set(ws) & _NEG) for ws in words])
        self.groups = [_cues(ws, _GROUPS) for ws in words]
        self.nwords = np.array([max(1, len(t)) for t in self.toks], dtype=np.float32)
        # word vectors for soft matching of content words (synonyms, compounds):
        # one representative surface form per stem, embedded with the same model
        surface: dict[str, str] = {}
        for ws in words:
            for w in ws:
                if w not in sw:
                    surface.setdefault(stem(w), w)
        inv = sorted(vocab, key=vocab.get)
        emb_model = self.embedder or default_embedder()
        self.wordvec = emb_model.embed([surface.get(t, t) for t in inv]) if inv else \
            np.zeros((0, self.emb.shape[1]), np.float32)
        self.tok_ids = [np.array(sorted({vocab[t] for t in ts}), np.int64) for ts in self.toks]
        self.idf_rel = self.idf / max(float(self.idf.max()), 1e-6) if len(self.idf) else self.idf


def _row_l2(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms).dot(x).tocsr().astype(np.float32)


def _rowdot(x: sp.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    out = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        xa, xb = x[a[s:s + chunk]], x[b[s:s + chunk]]
        out[s:s + chunk] = np.asarray(xa.multiply(xb).sum(1)).ravel()
    return out


def pair_features(c: Corpus, pairs: np.ndarray, rank: np.ndarray | None = None) -> np.ndarray:
    """(m, len(FEATURES)) float32 feature matrix for index pairs (m, 2)."""
    a, b = pairs[:, 0], pairs[:, 1]
    m = len(a)
    f = np.zeros((m, len(FEATURES)), dtype=np.float32)
    cos = np.einsum("ij,ij->i", c.emb[a], c.emb[b])
    f[:, 0] = cos
    f[:, 1] = cos * cos
    f[:, 2] = _rowdot(c.wvec, a, b)
    # IDF-weighted Jaccard: shared IDF mass / union IDF mass
    inter = _rowdot(c.wbin.multiply(np.sqrt(c.idf)[None, :]).tocsr(), a, b)
    f[:, 3] = inter / np.maximum(c.wsum[a] + c.wsum[b] - inter, 1e-6)
    f[:, 4] = _rowdot(c.cvec, a, b)
    sa = [c.stripped[i] for i in a]
    sb = [c.stripped[i] for i in b]
    f[:, 5] = rf_process.cpdist(sa, sb, scorer=fuzz.token_set_ratio, workers=1) / 100.0
    f[:, 6] = rf_process.cpdist(sa, sb, scorer=fuzz.token_sort_ratio, workers=1) / 100.0
    f[:, 7] = rf_process.cpdist(sa, sb, scorer=fuzz.partial_ratio, workers=1) / 100.0
    sec, qt, gr = c.sector, c.qtype, c.groups
    for r in range(m):
        i, j = a[r], b[r]
        if sec[i] and sec[j] and sec[i] != sec[j]:
            f[r, 8] = 1.0
        if (qt[i] ^ qt[j]) - _HOW:   # effect / measure / why asked on one side only
            f[r, 9] = 1.0
        g = gr[i] ^ gr[j]
        f[r, 11] = len(g)
    f[:, 10] = c.neg[a] != c.neg[b]
    f[:, 12] = np.minimum(c.nwords[a], c.nwords[b]) / np.maximum(c.nwords[a], c.nwords[b])
    if rank is not None:
        f[:, 13] = rank
    wv, idf, rel, ids = c.wordvec, c.idf, c.idf_rel, c.tok_ids
    for r in range(m):
        ia, ib = ids[a[r]], ids[b[r]]
        if len(ia) == 0 or len(ib) == 0:
            continue
        sim = wv[ia] @ wv[ib].T
        ma, mb = sim.max(1), sim.max(0)
        wa, wb = idf[ia], idf[ib]
        f[r, 14] = 0.5 * (float(wa @ ma) / float(wa.sum()) + float(wb @ mb) / float(wb.sum()))
        la = rel[ia] * (1.0 - ma)
        lb = rel[ib] * (1.0 - mb)
        both = np.sort(np.concatenate([la, lb]))
        f[r, 15] = both[-1]
        f[r, 16] = both[-2] if len(both) > 1 else 0.0
    return f


# --------------------------------------------------------------------------------------
# neighbour search

def _topk_block(q: np.ndarray, base: np.ndarray, k: int, exclude: np.ndarray | None):
    s = q @ base.T
    if exclude is not None:
        s[np.arange(len(q)), exclude] = -np.inf
    kk = min(k, s.shape[1] - 1) if exclude is not None else min(k, s.shape[1])
    if kk <= 0:
        return np.zeros((len(q), 0), np.int64), np.zeros((len(q), 0), np.float32)
    idx = np.argpartition(s, s.shape[1] - kk, axis=1)[:, -kk:]
    sims = np.take_along_axis(s, idx, 1)
    order = np.lexsort((idx, -sims), axis=1) if False else np.argsort(-sims, axis=1, kind="stable")
    return np.take_along_axis(idx, order, 1), np.take_along_axis(sims, order, 1)


def knn(emb: np.ndarray, k: int, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Top-k neighbours (excluding self) of every row by cosine: (idx, sims), (n, k)."""
    n = len(emb)
    k = min(k, max(0, n - 1))
    if n <= EXACT_MAX:
        idx = np.zeros((n, k), np.int64)
        sims = np.zeros((n, k), np.float32)
        for s in range(0, n, block):
            e = min(n, s + block)
            idx[s:e], sims[s:e] = _topk_block(emb[s:e], emb, k, np.arange(s, e))
        return idx, sims
    return _ivf_knn(emb, k)


def _ivf_knn(emb: np.ndarray, k: int, nprobe: int = 8, seed: int = 0):
    """Approximate top-k: spherical k-means cells, each cell searched against its
    ``nprobe`` nearest cells.  Cost ~ n * nprobe * n/C * d with C ~ sqrt(n)."""
    n, d = emb.shape
    c_n = int(max(16, round(math.sqrt(n))))
    rng = np.random.default_rng(seed)
    sample = emb[rng.choice(n, size=min(n, 40 * c_n), replace=False)]
    cent = sample[rng.choice(len(sample), size=c_n, replace=False)].copy()
    for _ in range(8):
        assign = np.argmax(sample @ cent.T, axis=1)
        for c in range(c_n):
            m = assign == c
            if m.any():
                v = sample[m].sum(0)
                cent[c] = v / max(np.linalg.norm(v), 1e-9)
    assign = np.empty(n, np.int64)
    for s in range(0, n, 8192):
        assign[s:s + 8192] = np.argmax(emb[s:s + 8192] @ cent.T, axis=1)
    cc = cent @ cent.T
    probe = np.argsort(-cc, axis=1, kind="stable")[:, :min(nprobe, c_n)]
    members = [np.flatnonzero(assign == c) for c in range(c_n)]
    idx = np.zeros((n, k), np.int64)
    sims = np.full((n, k), -1.0, np.float32)
    for c in range(c_n):
        q = members[c]
        if len(q) == 0:
            continue
        cand = np.sort(np.concatenate([members[p] for p in probe[c]]))
        pos = np.searchsorted(cand, q)
        for s in range(0, len(q), 1024):
            qq = q[s:s + 1024]
            kk = min(k, len(cand) - 1)
            ii, ss = _topk_block(emb[qq], emb[cand], kk, pos[s:s + 1024])
            idx[qq, :kk] = cand[ii]
            sims[qq, :kk] = ss
            if kk < k:  # tiny neighbourhood: pad with self-free duplicates
                idx[qq, kk:] = idx[qq, :1] if kk else 0
    return idx, sims


def _sparse_knn(x: sp.csr_matrix, k: int, block: int = 2048) -> np.ndarray:
    """Top-k neighbours by sparse cosine (rows of x are L2-normalised)."""
    n = x.shape[0]
    k = min(k, max(0, n - 1))
    out = np.zeros((n, k), np.int64)
    xt = x.T.tocsc()
    for s in range(0, n, block):
        e = min(n, s + block)
        sim = (x[s:e] @ xt).toarray()
        sim[np.arange(e - s), np.arange(s, e)] = -1.0
        ii = np.argpartition(sim, n - k, axis=1)[:, -k:]
        out[s:e] = ii
    return out


# --------------------------------------------------------------------------------------
# model

@dataclass
class PairModel:
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    k: int = K_CAND
    meta: dict = field(default_factory=dict)

    def predict(self, f: np.ndarray) -> np.ndarray:
        z = ((f - self.mean) / self.scale) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def to_json(self) -> dict:
        return {"features": self.features, "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(),
                "intercept": float(self.intercept), "threshold": float(self.threshold),
                "k": int(self.k), "meta": self.meta}

    @classmethod
    def from_json(cls, d: dict) -> "PairModel":
        return cls(list(d["features"]), np.asarray(d["mean"], np.float32),
                   np.asarray(d["scale"], np.float32), np.asarray(d["coef"], np.float32),
                   float(d["intercept"]), float(d["threshold"]), int(d.get("k", K_CAND)),
                   dict(d.get("meta", {})))


@lru_cache(maxsize=1)
def load_model() -> PairModel:
    text = resources.files("agenda").joinpath("data", "dedupe_model.json").read_text("utf-8")
    return PairModel.from_json(json.loads(text))


def candidate_index(c: Corpus, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique candidate pairs (i<j) from embedding and word neighbours, plus a rank
    feature: 1/(1+best rank of one in the other's embedding neighbour list)."""
    n = len(c.texts)
    if n < 2:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.float32)
    e_idx, _ = knn(c.emb, k)
    w_idx = (_sparse_knn(c.wvec, max(1, k // 2)) if n <= WORD_KNN_MAX
             else np.zeros((n, 0), np.int64))
    rows = [np.repeat(np.arange(n), e_idx.shape[1]), np.repeat(np.arange(n), w_idx.shape[1])]
    cols = [e_idx.ravel(), w_idx.ravel()]
    ranks = [np.tile(np.arange(e_idx.shape[1]), n), np.full(w_idx.size, k, np.int64)]
    r = np.concatenate(rows)
    cc = np.concatenate(cols)
    rk = np.concatenate(ranks)
    keep = r != cc
    r, cc, rk = r[keep], cc[keep], rk[keep]
    a, b = np.minimum(r, cc), np.maximum(r, cc)
    key = a * n + b
    order = np.lexsort((rk, key))
    key, rk = key[order], rk[order]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    key, rk = key[first], rk[first]
    pairs = np.stack([key // n, key % n], 1)
    return pairs, (1.0 / (1.0 + rk)).astype(np.float32)


def score_pairs(c: Corpus, model: PairModel | None = None, k: int | None = None):
    model = model or load_model()
    pairs, rank = candidate_index(c, k or model.k)
    if len(pairs) == 0:
        return pairs, np.zeros(0, np.float32)
    f = pair_features(c, pairs, rank)
    cols = [FEATURES.index(name) for name in model.features]
    probs = model.predict(f[:, cols])
    # precision-first rule: a different question type (effect / measuring / why vs
    # the other) or a different sector damps the merge probability
    damp = float(model.meta.get("conflict_damp", 1.0))
    if damp != 1.0:
        conflict = (f[:, FEATURES.index("qtype_conflict")] >= 1) | (f[:, FEATURES.index("sector_conflict")] >= 1)
        probs = np.where(conflict, probs * damp, probs).astype(np.float32)
    return pairs, probs


# --------------------------------------------------------------------------------------
# clustering

def average_linkage(n: int, pairs: np.ndarray, probs: np.ndarray, threshold: float) -> list[int]:
    """Average linkage on a sparse graph (absent pairs count as 0); merge while the
    average pair probability between two clusters is ≥ threshold.  Deterministic."""
    parent = list(range(n))
    size = [1] * n
    adj: list[dict[int, float]] = [dict() for _ in range(n)]
    for (i, j), p in zip(pairs.tolist(), probs.tolist()):
        if p <= 0:
            continue
        adj[i][j] = adj[i].get(j, 0.0) + p
        adj[j][i] = adj[j].get(i, 0.0) + p
    heap = []
    for i in range(n):
        for j, s in adj[i].items():
            if i < j and s >= threshold:
                heapq.heappush(heap, (-s, i, j))
    alive = [True] * n
    while heap:
        neg, i, j = heapq.heappop(heap)
        if not (alive[i] and alive[j]):
            continue
        s = adj[i].get(j)
        if s is None:
            continue
        avg = s / (size[i] * size[j])
        if abs(avg + neg) > 1e-9:  # stale entry
            if avg >= threshold:
                heapq.heappush(heap, (-avg, i, j))
            continue
        # merge smaller adjacency into the larger; keep the lower id as survivor
        keep, gone = (i, j) if len(adj[i]) >= len(adj[j]) else (j, i)
        alive[gone] = False
        parent[gone] = keep
        del adj[keep][gone]
        del adj[gone][keep]
        size[keep] += size[gone]
        for t, w in adj[gone].items():
            adj[t].pop(gone, None)
            adj[keep][t] = adj[keep].get(t, 0.0) + w
            adj[t][keep] = adj[keep][t]
        adj[gone] = {}
        for t, w in adj[keep].items():
            avg2 = w / (size[keep] * size[t])
            if avg2 >= threshold:
                heapq.heappush(heap, (-avg2, min(keep, t), max(keep, t)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    labels: dict[int, int] = {}
    out = []
    for i in range(n):
        out.append(labels.setdefault(find(i), len(labels)))
    return out


def _prepare(texts, embeddings, embedder) -> Corpus:
    texts = list(texts)
    if embeddings is None:
        emb_model = embedder or default_embedder()
        embeddings = emb_model.embed([normalise(t) for t in texts]) if texts else np.zeros((0, 512), np.float32)
    emb = np.asarray(embeddings, dtype=np.float32)
    if len(emb) != len(texts):
        raise ValueError(f"{len(emb)} embeddings for {len(texts)} texts")
    return Corpus(texts, emb, embedder)


def cluster_texts(texts: list[str], *, embeddings: np.ndarray | None = None,
                  embedder: Embedder | None = None, model: PairModel | None = None) -> list[int]:
    """One cluster label per text (0..k-1, numbered by first appearance)."""
    if not texts:
        return []
    model = model or load_model()
    c = _prepare(texts, embeddings, embedder)
    pairs, probs = score_pairs(c, model)
    return average_linkage(len(texts), pairs, probs, model.threshold)


def candidate_pairs(texts: list[str], *, embeddings: np.ndarray | None = None,
                    embedder: Embedder | None = None, k: int = 5,
                    model: PairModel | None = None,
                    labels: list[int] | None = None) -> list[tuple[int, int, float]]:
    """Review queue: pairs (i<j) not in the same cluster, with merge probability,
    most likely first.  Each question contributes its k most probable partners."""
    if len(texts) < 2:
        return []
    model = model or load_model()
    c = _prepare(texts, embeddings, embedder)
    pairs, probs = score_pairs(c, model, k=max(k, model.k))
    if labels is None:
        labels = average_linkage(len(texts), pairs, probs, model.threshold)
    return _review_pairs(len(texts), pairs, probs, labels, k)


def _review_pairs(n, pairs, probs, labels, k):
    lab = np.asarray(labels)
    per: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for r, ((i, j), p) in enumerate(zip(pairs.tolist(), probs.tolist())):
        per[i].append((p, r))
        per[j].append((p, r))
    chosen = set()
    for lst in per:
        lst.sort(key=lambda t: (-t[0], t[1]))
        chosen.update(r for _, r in lst[:k])
    out = [(int(pairs[r, 0]), int(pairs[r, 1]), float(probs[r])) for r in chosen
           if lab[pairs[r, 0]] != lab[pairs[r, 1]]]
    out.sort(key=lambda t: (-t[2], t[0], t[1]))
    return out


# --------------------------------------------------------------------------------------
# fitting (used by bench/dedupe_quality.py to produce agenda/data/dedupe_model.json)

def fit_pair_model(corpora: list[tuple[Corpus, list]], *, features: list[str] | None = None,
                   k: int = K_CAND, C: float = 1.0, threshold: float = 0.5) -> PairModel:
    """Logistic regression on candidate pairs of one or more labelled corpora."""
    from sklearn.linear_model import LogisticRegression

    features = features or list(FEATURES)
    cols = [FEATURES.index(f) for f in features]
    xs, ys = [], []
    for c, gold in corpora:
        pairs, rank = candidate_index(c, k)
        if not len(pairs):
            continue
        g = np.asarray(gold)
        xs.append(pair_features(c, pairs, rank)[:, cols])
        ys.append(g[pairs[:, 0]] == g[pairs[:, 1]])
    x = np.concatenate(xs)
    y = np.concatenate(ys).astype(int)
    mean = x.mean(0)
    scale = x.std(0)
    scale[scale < 1e-6] = 1.0
    lr = LogisticRegression(C=C, max_iter=2000)
    lr.fit((x - mean) / scale, y)
    return PairModel(features, mean.astype(np.float32), scale.astype(np.float32),
                     lr.coef_[0].astype(np.float32), float(lr.intercept_[0]), threshold, k)
