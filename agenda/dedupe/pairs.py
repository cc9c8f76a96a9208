"""Deduplication of Dutch knowledge questions: candidate pairs, pair model, linkage.

Method (see README "Deduplication" / bench/dedupe_quality.py):

1. Normalise and stem every question (``agenda.dedupe.text``); content words are weighted
   by an IDF table shipped with the model (computed on the development set), never by
   statistics of the corpus being clustered.
2. Embed with multilingual-e5-small, ``query:`` side (``semantic_embedder()``; 384-d) and
   also compare the vectors centred on a fixed mean (the dev set's, shipped with the
   model), which removes the shared "education question" direction.
3. Candidate pairs: each question's top-k neighbours by centred and raw embedding cosine
   and by IDF-weighted word cosine (exact blocked search; an inverted-file index over
   k-means cells above ``EXACT_MAX`` rows), never a dense n×n matrix.
4. Score each candidate pair with a sign-constrained logistic regression over a few
   features of the two texts alone: similarity features (raw and centred cosine, soft
   word coverage, length ratio) may only raise the probability; conflict features
   (different sector, clashing question type such as effect vs invoeren or meten vs
   verbeteren, different target group, and a "slot" conflict — much shared wording whose
   remaining words differ, e.g. "effect van X op leerresultaten" vs "… op werkdruk",
   weighted by how close the sentence vectors are, and a clash on an explicit slot of
   ``agenda.dedupe.slots``: the kind of question, the outcome, the actor) may only lower it;
   the centred cosine of a pair where no slot clashes may raise it, and so may a kind or an
   outcome both texts name (``slot_matches``, weighted by the centred cosine).  Coefficients,
   threshold and the fixed reference statistics live in ``agenda/data/dedupe_model.json``,
   fitted on the three development sets (the many-theme set and two one-theme sets; the
   reference statistics from the many-theme set's texts) by bench/dedupe_quality.py.
5. Average-linkage agglomeration on the sparse pair graph (absent pairs count as
   probability 0), merging while the average merge probability ≥ the model's threshold,
   chosen precision first: the best held-out F1 on the one-theme sets among thresholds
   whose held-out B-cubed precision is ≥ 0.92 on each (a wrong merge hides a question).
   Connected parts of the pair graph are clustered independently, and no feature depends
   on other questions, so a new question can change only the clusters it is a candidate
   of.  The review queue ranks by the probability blended with centred cosine and soft
   word coverage (recall).
"""

from __future__ import annotations

import heapq
import json
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz
from rapidfuzz import process as rf_process

from collections.abc import Callable, Sequence

from agenda.dedupe.embed import Embedder, e5_embedder
from agenda.dedupe.slots import slot_clashes, slot_cues, slot_matches
from agenda.dedupe.text import SECTORS, normalise, stem, stop_words

__all__ = ["cluster_texts", "candidate_pairs", "score_pairs", "PairModel", "load_model", "model_summary",
           "Corpus", "knn", "average_linkage", "FEATURES", "FEATURE_SIGNS",
           "review_scores", "fit_pair_model", "model_features"]

EXACT_MAX = 25_000     # above this many rows, neighbour search uses the IVF index
WORD_KNN_MAX = 5_000   # up to this many rows, word TF-IDF neighbours are candidates too
K_CAND = 20            # neighbours per question scored for clustering
SECTOR_DAMP = 0.5      # merge-probability factor for pairs naming different sectors

# --------------------------------------------------------------------------------------
# general question-type and target-group cues (general Dutch, not data-set specific)
# Question types; a pair "clashes" when both sides name a type and share none
# (effect of X vs how to introduce X; measuring X vs improving X).  The generic
# "hoe" is deliberately not a type: almost every question uses it.
_QTYPE = {
    "effect": {"effect", "effecten", "effectief", "effectieve", "invloed", "impact", "hoeverre",
               "zinvol", "nut", "nuttig", "oplevert", "opleveren", "opbrengst", "opbrengsten",
               "bijdraagt", "bijdragen", "gevolgen", "gevolg", "leidt", "leiden", "verband",
               "samenhang", "samenhangt", "werkt", "werken", "helpt", "helpen", "beter", "loont"},
    "implement": {"invoeren", "invoering", "implementeren", "implementatie", "introduceren",
                  "introductie", "inrichten", "organiseren", "opzetten", "uitvoeren",
                  "draagvlak", "handhaven", "handhaving", "regels", "afspraken", "beleid"},
    "measure": {"meten", "meet", "meting", "metingen", "monitoren", "monitor", "signaleren",
                "signaleer", "peilen", "instrument", "instrumenten", "vragenlijst",
                "vragenlijsten", "betrouwbaar", "betrouwbare", "meetinstrument",
                "meetinstrumenten", "toetsen", "vaststellen", "brengen"},
    "improve": {"verbeteren", "verbeter", "verbetert", "bevorderen", "bevorder", "versterken",
                "versterk", "vergroten", "vergroot", "verhogen", "stimuleren", "stimuleer",
                "verminderen", "verminder", "verlagen", "voorkomen", "tegengaan"},
    "why": {"waarom", "oorzaak", "oorzaken", "verklaart", "verklaren", "redenen", "reden"},
}
_NEG = {"niet", "geen", "zonder", "nooit", "niets"}
_GROUPS = {
    "leerling": {"leerling", "kind", "kinderen", "pubers", "puber", "jongeren", "student",
                 "studenten", "kleuters", "kleuter", "tieners", "nieuwkomers"},
    "leraar": {"leraar"},
    "collega": {"collega", "collegiaal", "collegiale", "teamleden", "team", "elkaar"},
    "ouder": {"ouder", "gezin", "gezinnen", "thuis"},
    "schoolleider": {"schoolleider", "leidinggevende", "leidinggevenden", "management"},
    "starter": {"starter", "starters", "startende", "beginnende", "zijinstromer",
                "zijinstromers", "pabostudenten", "stagiairs", "stagiair"},
    "bestuurder": {"bestuurder"},
    "ib": {"ib"},
}
_SECTOR_GROUP = {"po": "po", "sbo": "po", "kinderopvang": "vve", "vo": "vo", "vmbo": "vo",
                 "havo": "vo", "vwo": "vo", "so": "so", "vso": "so", "mbo": "mbo",
                 "hbo": "ho", "wo": "ho", "pabo": "ho"}

#: features and the sign their weight is constrained to (+1 similarity, -1 conflict).
#: Every feature is a function of the two texts and the model's fixed reference
#: statistics only — nothing depends on which other questions are in the corpus.
FEATURE_SIGNS = {
    "cos": +1, "cosc": +1, "cosc2": +1, "wcos": +1, "wjac": +1, "ccos": +1, "tsr": +1, "soft": +1,
    "len_ratio": +1, "res_sim": +1,
    "miss": -1, "miss2": -1, "sector_conflict": -1, "qtype_clash": -1, "group_diff": -1,
    "neg_mismatch": -1, "slot": -1, "slot_x": -1,
    # explicit slots (agenda.dedupe.slots): a clash on the kind of question, the outcome or the
    # actor, each weighted by the centred cosine (a high cosine cannot outvote it); "agree_x" is
    # the centred cosine of pairs where no slot clashes (there a merge is safer)
    "kind_clash_x": -1, "outcome_clash_x": -1, "actor_clash_x": -1, "agree_x": +1,
    # ... and a value both name on a slot (the same kind of question, the same outcome, the same
    # actor), weighted by the centred cosine: positive evidence that the two ask one thing
    "kind_match_x": +1, "outcome_match_x": +1, "actor_match_x": +1,
}
FEATURES = list(FEATURE_SIGNS)


_SECTOR_VALUES = sorted({_SECTOR_GROUP.get(w, w) for w in SECTORS})


def _bits(sets: list[frozenset[str]], values: list[str]) -> np.ndarray:
    """(n,) int64 bitmask per set: bit v set when the set holds ``values[v]``."""
    if len(values) > 63:
        raise ValueError(f"{len(values)} cue values do not fit one int64 bitmask")
    bit = {v: 1 << i for i, v in enumerate(values)}
    return np.array([sum(bit[v] for v in s) for s in sets], np.int64)


def _cues(words: list[str], table: dict[str, set[str]]) -> frozenset[str]:
    ws = set(words)
    return frozenset(k for k, vocab in table.items() if ws & vocab)


def _centre(emb: np.ndarray, mean: np.ndarray | None) -> np.ndarray:
    """Subtract a fixed mean vector (the shared "education question" direction, computed
    on the model's fitting set, never on the corpus being clustered) and re-normalise."""
    if mean is None or len(emb) == 0:
        return emb
    if emb.shape[1] != len(mean):
        raise ValueError(f"{emb.shape[1]}-d vectors for a model fitted on {len(mean)}-d vectors")
    x = emb - mean[None, :]
    nrm = np.linalg.norm(x, axis=1, keepdims=True)
    nrm[nrm < 1e-9] = 1.0
    return (x / nrm).astype(np.float32)


def _content(text: str, sw: frozenset[str]) -> tuple[list[str], list[str]]:
    words = normalise(text).split()
    return words, [stem(w) for w in words if w not in sw]


@dataclass
class Reference:
    """Fixed statistics shipped with the pair model, computed once on its fitting set.

    ``idf``: stem -> inverse document frequency ``ln((1+N)/(1+df)) + 1`` over the N
    fitting questions; a stem never seen there gets ``idf_default`` (the rarest).
    ``mean`` / ``word_mean``: mean sentence / word vector of the fitting set (the shared
    direction removed before centred cosines), in the space of ``embedder``.
    Because they are fixed, adding a question to a corpus changes no other pair's features.
    """

    idf: dict[str, float]
    idf_default: float
    mean: np.ndarray | None = None
    word_mean: np.ndarray | None = None
    embedder: str = ""

    @classmethod
    def fit(cls, texts: list[str], emb: np.ndarray | None = None,
            word_vectors: "Callable[[list[str]], np.ndarray] | None" = None,
            embedder: str = "") -> "Reference":
        sw = stop_words()
        n = len(texts)
        df: dict[str, int] = {}
        surface: dict[str, str] = {}
        for t in texts:
            words, toks = _content(t, sw)
            for w in words:
                if w not in sw:
                    surface.setdefault(stem(w), w)
            for s in set(toks):
                df[s] = df.get(s, 0) + 1
        idf = {s: float(math.log((1 + n) / (1 + d)) + 1.0) for s, d in sorted(df.items())}
        mean = np.asarray(emb, np.float32).mean(0) if emb is not None and len(emb) else None
        word_mean = None
        if word_vectors is not None and surface:
            word_mean = np.asarray(word_vectors([surface[s] for s in sorted(surface)]), np.float32).mean(0)
        return cls(idf, float(math.log(1 + n) + 1.0), mean, word_mean, embedder)

    def to_json(self) -> dict:
        return {"idf": {k: round(v, 4) for k, v in self.idf.items()}, "idf_default": self.idf_default,
                "mean": None if self.mean is None else [round(float(x), 6) for x in self.mean],
                "word_mean": None if self.word_mean is None else [round(float(x), 6) for x in self.word_mean],
                "embedder": self.embedder}

    @classmethod
    def from_json(cls, d: dict) -> "Reference":
        def vec(x):
            return None if x is None else np.asarray(x, np.float32)
        return cls({k: float(v) for k, v in d["idf"].items()}, float(d["idf_default"]),
                   vec(d.get("mean")), vec(d.get("word_mean")), str(d.get("embedder", "")))


@dataclass
class Corpus:
    """Per-text state of a set of questions: normalised forms, fixed-IDF word vectors,
    character n-grams, cue sets, word vectors.  Each row depends on its own text and the
    fixed ``reference`` only (default: the shipped model's), never on the other rows.

    ``embedder`` embeds the content words for soft word matching (default: the semantic
    embedder); ``word_vectors`` may replace it with a cached lookup (list of words ->
    (n, d) float32, L2-normalised).
    """

    texts: list[str]
    emb: np.ndarray
    embedder: Embedder | None = None
    reference: Reference | None = None
    word_vectors: "Callable[[list[str]], np.ndarray] | None" = None
    norm: list[str] = field(init=False)
    toks: list[list[str]] = field(init=False)

    def __post_init__(self) -> None:
        ref = self.reference = self.reference or load_model().reference
        sw = stop_words()
        self.emb = np.asarray(self.emb, np.float32)
        self.embc = _centre(self.emb, ref.mean)
        self.norm = [normalise(t) for t in self.texts]
        words = [n.split() for n in self.norm]
        self.toks = [[stem(w) for w in ws if w not in sw] for ws in words]
        n = len(self.texts)
        # word vectors over the corpus's own stems, weighted by the fixed IDF
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, ts in enumerate(self.toks):
            for t in dict.fromkeys(ts):
                rows.append(i)
                cols.append(vocab.setdefault(t, len(vocab)))
        inv = sorted(vocab, key=vocab.get)
        self.idf = np.array([ref.idf.get(t, ref.idf_default) for t in inv], np.float32)
        b = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                          shape=(n, max(1, len(vocab))))
        if not len(self.idf):
            self.idf = np.ones(1, np.float32)
        self.vocab = vocab
        x = b.multiply(self.idf[None, :]).tocsr()
        self.wvec = _row_l2(x)
        self.wbin = b
        self.wsum = np.asarray(x.sum(1)).ravel()  # total IDF mass per row
        self.stripped = [" ".join(w for w in ws if w not in sw) or " " for ws in words]
        self.sector = [frozenset(_SECTOR_GROUP.get(w, w) for w in ws if w in SECTORS)
                       for ws in words]
        self.qtype = [_cues(ws, _QTYPE) for ws in words]
        self.neg = np.array([bool(set(ws) & _NEG) for ws in words])
        self.groups = [_cues(ws, _GROUPS) for ws in words]
        self.slots = slot_cues(self.texts)  # (n, 3) bitmasks: kind, outcome, actor
        self.nwords = np.array([max(1, len(t)) for t in self.toks], dtype=np.float32)
        # word vectors for soft matching of content words (synonyms, compounds):
        # one representative surface form per stem, embedded with the same model
        surface: dict[str, str] = {}
        for ws in words:
            for w in ws:
                if w not in sw:
                    surface.setdefault(stem(w), w)
        embed_words = self.word_vectors or (self.embedder or semantic_embedder()).embed
        self.wordvec = (np.asarray(embed_words([surface.get(t, t) for t in inv]), np.float32) if inv
                        else np.zeros((0, self.emb.shape[1] if self.emb.ndim == 2 else 1), np.float32))
        self.tok_ids = [np.array(sorted({vocab[t] for t in ts}), np.int64) for ts in self.toks]
        # the same, flat (row i's ids are tok_flat[tok_ptr[i]:tok_ptr[i] + tok_len[i]]), for
        # the vectorised pair features
        self.tok_len = np.array([len(t) for t in self.tok_ids], np.int64)
        self.tok_ptr = np.concatenate([[0], np.cumsum(self.tok_len)[:-1]]).astype(np.int64)
        self.tok_flat = (np.concatenate(self.tok_ids) if n else np.zeros(0, np.int64)).astype(np.int64)
        self.sector_bits = _bits(self.sector, _SECTOR_VALUES)
        self.qtype_bits = _bits(self.qtype, list(_QTYPE))
        self.group_bits = _bits(self.groups, list(_GROUPS))
        self.idf_rel = self.idf / max(ref.idf_default, 1e-6)
        # centred word vectors: the shared "education word" direction removed, so
        # two different content words (leerresultaten vs werkdruk) look different
        wm = ref.word_mean if ref.word_mean is not None and len(self.wordvec) and \
            self.wordvec.shape[1] == len(ref.word_mean) else None
        self.wordvec_c = _centre(self.wordvec, wm)

    @cached_property
    def cvec(self) -> sp.csr_matrix:
        """Character 3-5-grams within words of the content words (catch compounds and
        inflection), log-scaled counts, L2-normalised rows; hashed, no IDF, so a row depends on
        its own text only. Computed when first asked for (the "ccos" feature; scoring with the
        shipped model does not read it: 100,000 texts took ~10 s)."""
        from sklearn.feature_extraction.text import HashingVectorizer

        hv = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), alternate_sign=False,
                               norm=None, n_features=2 ** 20, dtype=np.float32)
        cx = hv.transform(self.stripped).tocsr()
        cx.data = 1.0 + np.log(cx.data)
        return _row_l2(cx)


def _row_l2(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms).dot(x).tocsr().astype(np.float32)


def _rowdot(x: sp.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    out = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        xa, xb = x[a[s:s + chunk]], x[b[s:s + chunk]]
        out[s:s + chunk] = np.asarray(xa.multiply(xb).sum(1)).ravel()
    return out


def _pairdot(emb: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 4_096) -> np.ndarray:
    """Row-wise dot products emb[a[r]] . emb[b[r]], in chunks: gathering both sides whole for the
    ~2 million candidate pairs of 100,000 questions took 2 x 3 GB (bench/dedupe_scale.py)."""
    out = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        out[s:s + chunk] = np.einsum("ij,ij->i", emb[a[s:s + chunk]], emb[b[s:s + chunk]])
    return out


#: what each group of pair features needs computed first (a feature outside the model's
#: list is skipped when scoring; fitting asks for all)
_NEEDS = {"cosc2": {"cosc"}, "slot_x": {"slot", "cosc"}, "slot": {"res_sim"}, "res_sim": {"slot"},
          "kind_clash_x": {"cosc"}, "outcome_clash_x": {"cosc"}, "actor_clash_x": {"cosc"},
          "agree_x": {"cosc"}, "kind_match_x": {"cosc"}, "outcome_match_x": {"cosc"},
          "actor_match_x": {"cosc"}, "miss": {"soft"}, "miss2": {"soft"}}
_WORD_FLOATS = 1 << 20  # gathered word-vector floats per side and chunk (32 MB): bounds the memory


def _wanted(features) -> set[str]:
    want = set(FEATURES if features is None else features)
    unknown = want - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown pair features: {sorted(unknown)}")
    while True:
        more = set().union(*(_NEEDS.get(name, set()) for name in want)) - want
        if not more:
            return want
        want |= more


def pair_features(c: Corpus, pairs: np.ndarray, features: Sequence[str] | None = None) -> np.ndarray:
    """(m, len(FEATURES)) float32 feature matrix for index pairs (m, 2) of ``c``.

    Row r depends only on the two texts of pair r and the fixed reference statistics.
    ``features``: the names to compute (default: all, as fitting needs); the columns of the
    others are 0 (scoring asks for the model's own, ``model_features``). Vectorised over
    the pairs: the word-level comparisons run as batched matrix products over pairs of
    similar word counts (``_word_features``).
    """
    want = _wanted(features)
    a, b = pairs[:, 0], pairs[:, 1]
    m = len(a)
    F = {name: i for i, name in enumerate(FEATURES)}
    f = np.zeros((m, len(FEATURES)), dtype=np.float32)
    if m == 0:
        return f
    if "cos" in want:
        f[:, F["cos"]] = _pairdot(c.emb, a, b)
    cc = _pairdot(c.embc, a, b) if "cosc" in want else None
    if cc is not None:
        f[:, F["cosc"]] = cc
        f[:, F["cosc2"]] = np.maximum(cc, 0) ** 2
    if "wcos" in want:
        f[:, F["wcos"]] = _rowdot(c.wvec, a, b)
    if "wjac" in want:
        # IDF-weighted Jaccard: shared IDF mass / union IDF mass
        inter = _rowdot(c.wbin.multiply(np.sqrt(c.idf)[None, :]).tocsr(), a, b)
        f[:, F["wjac"]] = inter / np.maximum(c.wsum[a] + c.wsum[b] - inter, 1e-6)
    if "ccos" in want:
        f[:, F["ccos"]] = _rowdot(c.cvec, a, b)
    if "tsr" in want:
        sa = [c.stripped[i] for i in a]
        sb = [c.stripped[i] for i in b]
        f[:, F["tsr"]] = rf_process.cpdist(sa, sb, scorer=fuzz.token_set_ratio, workers=1) / 100.0
    # cue sets as bitmasks: "both name one and they share none" is a clash, as on the slots
    for name, bits in (("sector_conflict", c.sector_bits), ("qtype_clash", c.qtype_bits)):
        f[:, F[name]] = slot_clashes(bits, a, b)
    f[:, F["group_diff"]] = np.bitwise_count(c.group_bits[a] ^ c.group_bits[b])
    f[:, F["neg_mismatch"]] = c.neg[a] != c.neg[b]
    f[:, F["len_ratio"]] = np.minimum(c.nwords[a], c.nwords[b]) / np.maximum(c.nwords[a], c.nwords[b])
    f[:, F["res_sim"]] = 1.0
    if want & {"soft", "slot"}:
        _word_features(c, a, b, f, F, soft="soft" in want, slot="slot" in want)
    if cc is not None:
        # the slot conflict matters most where the sentence vectors say "same": an
        # interaction, so a high cosine cannot simply outvote it (effect op X vs op Y)
        ccp = np.clip(cc, 0.0, 1.0)
        f[:, F["slot_x"]] = f[:, F["slot"]] * ccp
        clash = slot_clashes(c.slots, a, b)
        for s, name in enumerate(("kind_clash_x", "outcome_clash_x", "actor_clash_x")):
            f[:, F[name]] = clash[:, s] * ccp
        f[:, F["agree_x"]] = ~clash.any(1) * ccp
        match = slot_matches(c.slots, a, b)
        for s, name in enumerate(("kind_match_x", "outcome_match_x", "actor_match_x")):
            f[:, F[name]] = match[:, s] * ccp
    return f


def _word_features(c: Corpus, a: np.ndarray, b: np.ndarray, f: np.ndarray, F: dict[str, int], *,
                   soft: bool, slot: bool) -> None:
    """Fill the word-level columns of ``f`` in place, for pairs whose texts both have content words.

    soft:  IDF-weighted mean over each text's words of the best word-vector cosine to the
           other text's words, averaged over both directions; miss / miss2: the largest two
           IDF-weighted (relative to the rarest) shortfalls ``1 - best cosine`` over both texts.
    slot:  "slot" conflict — the share of IDF mass the two texts have in common (exact stems)
           times how different their remaining words are (``res_sim``: the soft score over the
           remaining words with centred word vectors): same template, different slot filler
           => different question; res_sim is 1 when one side has no remaining word.
    Pairs are taken in groups of equal word counts (la, lb), one batched matrix product per
    group (in chunks of at most _WORD_FLOATS gathered floats): nothing is padded, so a pair's
    values depend on its two texts only, never on which other pairs share its chunk."""
    lens = c.tok_len
    ok = np.flatnonzero((lens[a] > 0) & (lens[b] > 0))
    if not len(ok):
        return
    la_all, lb_all = lens[a[ok]], lens[b[ok]]
    o = np.lexsort((lb_all, la_all))
    order, la_all, lb_all = ok[o], la_all[o], lb_all[o]
    starts = np.flatnonzero(np.r_[True, (la_all[1:] != la_all[:-1]) | (lb_all[1:] != lb_all[:-1])])
    ends = np.r_[starts[1:], len(order)]
    d = max(1, c.wordvec.shape[1])
    idf, rel, ptr, flat = c.idf, c.idf_rel, c.tok_ptr, c.tok_flat
    for g0, g1 in zip(starts.tolist(), ends.tolist()):
        la, lb = int(la_all[g0]), int(lb_all[g0])
        step = max(16, _WORD_FLOATS // (d * max(la, lb)))
        for s0 in range(g0, g1, step):
            rows = order[s0:min(g1, s0 + step)]
            ia = flat[ptr[a[rows]][:, None] + np.arange(la)[None, :]]  # (C, la) token ids
            ib = flat[ptr[b[rows]][:, None] + np.arange(lb)[None, :]]
            wa, wb = idf[ia], idf[ib]
            if soft:
                sim = c.wordvec[ia] @ c.wordvec[ib].transpose(0, 2, 1)  # (C, la, lb)
                ma, mb = sim.max(2), sim.max(1)
                f[rows, F["soft"]] = 0.5 * ((wa * ma).sum(1) / wa.sum(1) + (wb * mb).sum(1) / wb.sum(1))
                # asymmetric content-word difference: IDF-weighted words of one question that
                # have no (soft) counterpart in the other; both sides have >= 1 word
                loss = np.concatenate([rel[ia] * np.clip(1.0 - ma, 0.0, 1.0),
                                       rel[ib] * np.clip(1.0 - mb, 0.0, 1.0)], 1)
                top = np.sort(loss, axis=1)[:, -2:]
                f[rows, F["miss"]] = top[:, 1]
                f[rows, F["miss2"]] = top[:, 0]
            if slot:
                eq = ia[:, :, None] == ib[:, None, :]
                sha, shb = eq.any(2), eq.any(1)
                tot = wa.sum(1) + wb.sum(1)
                shared = np.where(tot > 0, 2.0 * (wa * sha).sum(1) / np.where(tot > 0, tot, 1.0), 0.0)
                ra, rb = ~sha, ~shb
                has = ra.any(1) & rb.any(1)
                simc = c.wordvec_c[ia] @ c.wordvec_c[ib].transpose(0, 2, 1)
                simc = np.where(ra[:, :, None] & rb[:, None, :], simc, -np.inf)
                wra, wrb = wa * ra, wb * rb
                mra = np.where(ra, simc.max(2), 0.0)
                mrb = np.where(rb, simc.max(1), 0.0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    rs = 0.5 * ((wra * mra).sum(1) / wra.sum(1) + (wrb * mrb).sum(1) / wrb.sum(1))
                rs = np.where(has, rs, 1.0)
                f[rows, F["res_sim"]] = rs
                f[rows, F["slot"]] = shared * (1.0 - np.maximum(rs, 0.0))


def model_features(model: "PairModel") -> list[str]:
    """The pair features scoring with ``model`` reads: its own, the sector damping's and the
    review ranking's (``review_scores``)."""
    return sorted(set(model.features) | {"sector_conflict", "cosc", "soft"}, key=FEATURES.index)


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
    """Sign-constrained logistic regression over ``features`` (a subset of FEATURES, in
    that order): p = sigmoid(((f - mean) / scale) @ coef + intercept); ``threshold`` is the
    average-linkage merge threshold; ``reference`` the fixed corpus statistics the
    features were computed with (shipped inside agenda/data/dedupe_model.json)."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    k: int = K_CAND
    meta: dict = field(default_factory=dict)
    reference: Reference | None = None

    def predict(self, f: np.ndarray) -> np.ndarray:
        """Merge probabilities (m,) for a feature matrix (m, len(self.features))."""
        z = ((f - self.mean) / self.scale) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def predict_proba(self, f: np.ndarray) -> np.ndarray:
        """Merge probabilities (m,) for a full feature matrix (m, len(FEATURES)) as
        ``pair_features`` returns it (the model picks its own columns)."""
        return self.predict(f[:, [FEATURES.index(name) for name in self.features]])

    def to_json(self) -> dict:
        return {"features": self.features, "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(),
                "intercept": float(self.intercept), "threshold": float(self.threshold),
                "k": int(self.k), "meta": self.meta,
                "reference": None if self.reference is None else self.reference.to_json()}

    @classmethod
    def from_json(cls, d: dict) -> "PairModel":
        return cls(list(d["features"]), np.asarray(d["mean"], np.float32),
                   np.asarray(d["scale"], np.float32), np.asarray(d["coef"], np.float32),
                   float(d["intercept"]), float(d["threshold"]), int(d.get("k", K_CAND)),
                   dict(d.get("meta", {})),
                   Reference.from_json(d["reference"]) if d.get("reference") else None)


@lru_cache(maxsize=1)
def load_model() -> PairModel:
    text = resources.files("agenda").joinpath("data", "dedupe_model.json").read_text("utf-8")
    return PairModel.from_json(json.loads(text))


def model_summary(model: PairModel | None = None) -> dict[str, object]:
    """What a version records of the deduplication it was built with (Agenda.settings
    ["deduplication"]): a short fingerprint of the pair model, its merge threshold and the sets
    it was fitted on — so "Wat is er veranderd" can say when the method itself changed (a new
    model re-clusters every question, not only what new input touches)."""
    import hashlib

    model = model or load_model()
    digest = hashlib.sha256(json.dumps(model.to_json(), sort_keys=True).encode()).hexdigest()[:12]
    fitted = model.meta.get("fitted_on", [])
    return {"model": digest, "threshold": float(model.threshold),
            "fitted_on": list(fitted) if isinstance(fitted, list) else [str(fitted)]}


def semantic_embedder() -> Embedder:
    """The embedder the shipped pair model is fitted for: multilingual-e5-small, the
    ``query:`` side for every question (384-d)."""
    return e5_embedder("query")


def candidate_index(c: Corpus, k: int) -> np.ndarray:
    """Unique candidate pairs (i<j), (m, 2): each question's top-k neighbours by centred
    embedding cosine, its top-k/2 by raw embedding cosine and by IDF-weighted word
    cosine.  A new question can only change the candidates of questions it is itself
    a top-k neighbour of."""
    n = len(c.texts)
    if n < 2:
        return np.zeros((0, 2), np.int64)
    e_idx = knn(c.embc, k)[0]
    r_idx = knn(c.emb, max(1, k // 2))[0]
    w_idx = (_sparse_knn(c.wvec, max(1, k // 2)) if n <= WORD_KNN_MAX
             else np.zeros((n, 0), np.int64))
    rows = np.concatenate([np.repeat(np.arange(n), x.shape[1]) for x in (e_idx, r_idx, w_idx)])
    cols = np.concatenate([x.ravel() for x in (e_idx, r_idx, w_idx)])
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    key = np.unique(np.minimum(rows, cols) * n + np.maximum(rows, cols))
    return np.stack([key // n, key % n], 1)


def score_pairs(c: Corpus, model: PairModel | None = None, k: int | None = None, *,
                review: bool = False):
    """Candidate pairs and their merge probabilities (and, with ``review``, the
    review-queue ranking scores as a third element)."""
    model = model or load_model()
    pairs = candidate_index(c, k or model.k)
    if len(pairs) == 0:
        z = np.zeros(0, np.float32)
        return (pairs, z, z) if review else (pairs, z)
    f = pair_features(c, pairs, features=model_features(model))
    cols = [FEATURES.index(name) for name in model.features]
    probs = model.predict(f[:, cols])
    # precision-first rule: two questions naming different sectors (po vs vo) are
    # different questions unless everything else says otherwise
    damp = float(model.meta.get("sector_damp", SECTOR_DAMP))
    probs = np.where(f[:, FEATURES.index("sector_conflict")] > 0, probs * damp, probs).astype(np.float32)
    return (pairs, probs, review_scores(f, probs)) if review else (pairs, probs)


# --------------------------------------------------------------------------------------
# clustering

def average_linkage(n: int, pairs: np.ndarray, probs: np.ndarray, threshold: float,
                    weights: Sequence[int] | None = None) -> list[int]:
    """Average linkage on a sparse graph (absent pairs count as 0); merge while the
    average pair probability between two clusters is ≥ threshold.  Deterministic.

    ``weights``: how many identical texts each node stands for (default 1 each); the
    averages are then those over all the texts, as if every copy were its own node
    linked to the copies of the other text with the same probability."""
    parent = list(range(n))
    size = list(weights) if weights is not None else [1] * n
    adj, heap = _linkage_graph(n, np.asarray(pairs, np.int64).reshape(-1, 2), np.asarray(probs), size, threshold)
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
        # Only a neighbour of `gone` can now be closer to `keep` than its heap entry says (or
        # have none): push those. Every other neighbour's average only fell (keep grew); its
        # old entry pops first, is found stale and is pushed again at its true value, so the
        # merges come in the same order as when all of keep's neighbours were pushed anew
        # (which cost as many pushes as keep, a large cluster, has neighbours).
        for t, w in adj[gone].items():
            adj[t].pop(gone, None)
            adj[keep][t] = w2 = adj[keep].get(t, 0.0) + w
            adj[t][keep] = w2
            avg2 = w2 / (size[keep] * size[t])
            if avg2 >= threshold:
                heapq.heappush(heap, (-avg2, min(keep, t), max(keep, t)))
        adj[gone] = {}

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


def _linkage_graph(n: int, pairs: np.ndarray, probs: np.ndarray, size: list[int], threshold: float):
    """The weighted adjacency of ``average_linkage`` (node -> {neighbour: p * size_i * size_j}, pairs
    with p <= 0 left out) and its first heap (-average, i, j) of the pairs at or above
    ``threshold`` (i < j). Built with numpy from pairs sorted by node: the same floats as summing
    pair by pair (a repeated pair is summed in order), and one Python dict per node at once
    (at 100,000 questions the linkage took 31 CPU s, now 26)."""
    keep = probs > 0
    a, b, p = pairs[keep, 0], pairs[keep, 1], probs[keep].astype(np.float64)
    adj: list[dict[int, float]] = [dict() for _ in range(n)]
    if not len(a):
        return adj, []
    key = np.minimum(a, b) * n + np.maximum(a, b)
    if len(key) and (len(np.unique(key)) < len(key) or (a == b).any()):
        # a pair given twice (or a self-pair): the plain loop sums them in order
        for i, j, w in zip(a.tolist(), b.tolist(), p.tolist()):
            w *= size[i] * size[j]
            adj[i][j] = adj[i].get(j, 0.0) + w
            adj[j][i] = adj[j].get(i, 0.0) + w
        heap = [(-s / (size[i] * size[j]), i, j) for i in range(n) for j, s in adj[i].items()
                if i < j and s / (size[i] * size[j]) >= threshold]
        heapq.heapify(heap)
        return adj, heap
    sz = np.asarray(size, np.int64)
    w = p * (sz[a] * sz[b])  # Python's p * (size_i * size_j), in float64
    node, nbr, ww = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([w, w])
    order = np.argsort(node, kind="stable")
    node, nbr, ww = node[order], nbr[order], ww[order]
    bounds = np.flatnonzero(np.r_[True, node[1:] != node[:-1], True]).tolist()
    step = 256  # nodes per slice turned into Python lists at once (all 3.7 million entries: +150 MB)
    for k in range(0, len(bounds) - 1, step):
        part = bounds[k:k + step + 1]
        base = part[0]
        nbr_l, ww_l = nbr[base:part[-1]].tolist(), ww[base:part[-1]].tolist()
        for s0, s1 in zip(part[:-1], part[1:]):
            adj[int(node[s0])] = dict(zip(nbr_l[s0 - base:s1 - base], ww_l[s0 - base:s1 - base]))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    avg = w / (sz[lo] * sz[hi])
    up = avg >= threshold
    heap = list(zip((-avg[up]).tolist(), lo[up].tolist(), hi[up].tolist()))
    heapq.heapify(heap)
    return adj, heap


def _prepare(texts, embeddings, embedder, model=None, word_vectors=None) -> Corpus:
    texts = list(texts)
    if embeddings is None:
        emb_model = embedder or semantic_embedder()
        embeddings = emb_model.embed([normalise(t) for t in texts]) if texts else np.zeros((0, 384), np.float32)
    emb = np.asarray(embeddings, dtype=np.float32)
    if len(emb) != len(texts):
        raise ValueError(f"{len(emb)} embeddings for {len(texts)} texts")
    return Corpus(texts, emb, embedder, (model or load_model()).reference, word_vectors)


def cluster_texts(texts: list[str], *, embeddings: np.ndarray | None = None,
                  embedder: Embedder | None = None, model: PairModel | None = None,
                  word_vectors: Callable[[list[str]], np.ndarray] | None = None) -> list[int]:
    """One cluster label per text (0..k-1, numbered by first appearance).

    ``embeddings``: (n, 384) vectors of the normalised texts from ``embedder`` (default
    ``semantic_embedder()``); ``word_vectors``: optional cached word lookup (see Corpus).

    Identical texts are one question by definition: they are scored once, as one node
    weighted by how often it occurs. Otherwise a question typed identically by many survey
    respondents fills its own nearest-neighbour list with copies (no paraphrase left to
    link to) and costs a pair-feature row per copy (5,000 survey answers with 106 distinct
    texts: 172 s of clustering, bench/build_scale.py).
    """
    if not texts:
        return []
    model = model or load_model()
    first: dict[str, int] = {}  # distinct text -> index of its first occurrence
    for i, t in enumerate(texts):
        first.setdefault(t, i)
    if embeddings is not None and len(embeddings) != len(texts):
        raise ValueError(f"{len(embeddings)} embeddings for {len(texts)} texts")
    if len(first) < len(texts):
        node_of = {t: k for k, t in enumerate(first)}
        node = [node_of[t] for t in texts]
        weights = np.bincount(node, minlength=len(first)).tolist()
        emb = None if embeddings is None else np.asarray(embeddings)[list(first.values())]
        labels = _cluster_distinct(list(first), weights, emb, embedder, model, word_vectors)
        return [labels[k] for k in node]
    return _cluster_distinct(texts, None, embeddings, embedder, model, word_vectors)


def _cluster_distinct(texts, weights, embeddings, embedder, model, word_vectors) -> list[int]:
    """``cluster_texts`` for distinct texts, each standing for ``weights[i]`` identical ones."""
    c = _prepare(texts, embeddings, embedder, model, word_vectors)
    pairs, probs = score_pairs(c, model)
    return average_linkage(len(texts), pairs, probs, model.threshold, weights)


def candidate_pairs(texts: list[str], *, embeddings: np.ndarray | None = None,
                    embedder: Embedder | None = None, k: int = 5,
                    model: PairModel | None = None,
                    labels: list[int] | None = None,
                    word_vectors: Callable[[list[str]], np.ndarray] | None = None,
                    ) -> list[tuple[int, int, float]]:
    """Review queue: pairs (i<j) not in the same cluster, with a review score in
    [0, 1] (``review_scores``), most likely first.  Each question contributes its k most probable partners."""
    if len(texts) < 2:
        return []
    model = model or load_model()
    c = _prepare(texts, embeddings, embedder, model, word_vectors)
    pairs, probs, rscore = score_pairs(c, model, k=max(k, model.k), review=True)
    if labels is None:
        labels = average_linkage(len(texts), pairs, probs, model.threshold)
    return _review_pairs(len(texts), pairs, rscore, labels, k)


def review_scores(f: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Ranking score for the review queue (favours recall): the merge probability
    blended with raw embedding cosine and soft word coverage, which do not carry the
    conflict penalties, so a true duplicate with a spurious conflict still ranks."""
    cos = np.clip(f[:, FEATURES.index("cosc")], 0.0, 1.0)  # centred: e5's raw cosines sit in 0.7-1
    soft = f[:, FEATURES.index("soft")]
    s = (2.0 * probs + cos + 0.5 * soft) / 3.5
    return np.clip(s, 0.0, 1.0).astype(np.float32)


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
    """Sign-constrained, L2-regularised logistic regression on candidate pairs of one
    or more labelled corpora: similarity features may only raise the merge
    probability and conflict features only lower it (FEATURE_SIGNS), so the model
    cannot learn data-set artefacts such as "near-identical wording ⇒ different"."""
    from scipy.optimize import minimize

    features = features or list(FEATURES)
    refs = {id(c.reference) for c, _ in corpora}
    if len(refs) != 1:
        raise ValueError("all corpora of one fit must share one Reference")
    cols = [FEATURES.index(f) for f in features]
    xs, ys = [], []
    for c, gold in corpora:
        pairs = candidate_index(c, k)
        if not len(pairs):
            continue
        g = np.asarray(gold)
        xs.append(pair_features(c, pairs, features=features)[:, cols])
        ys.append(g[pairs[:, 0]] == g[pairs[:, 1]])
    x = np.concatenate(xs).astype(np.float64)
    y = np.concatenate(ys).astype(np.float64)
    mean = x.mean(0)
    scale = x.std(0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    lam = 1.0 / (C * len(y))

    def loss(w):
        t = z @ w[:-1] + w[-1]
        p = 1.0 / (1.0 + np.exp(-t))
        ll = np.mean(np.logaddexp(0.0, t) - y * t)
        grad = np.append(z.T @ (p - y) / len(y) + 2 * lam * w[:-1], np.mean(p - y))
        return ll + lam * float(w[:-1] @ w[:-1]), grad

    bounds = [(0.0, None) if FEATURE_SIGNS[f] > 0 else (None, 0.0) for f in features]
    res = minimize(loss, np.zeros(len(features) + 1), jac=True, method="L-BFGS-B",
                   bounds=bounds + [(None, None)], options={"maxiter": 5000})
    w = res.x
    return PairModel(features, mean.astype(np.float32), scale.astype(np.float32),
                     w[:-1].astype(np.float32), float(w[-1]), threshold, k,
                     reference=corpora[0][0].reference)
