"""Hybrid retrieval: for every agenda question, the knowledge sources most likely to answer it.

Two signals per (question, passage), fused per source:

- **BM25** over DuckDB's full-text index (Dutch Snowball stemmer, Dutch + English stop words),
  loaded offline from the ``duckdb-extension-fts`` wheel: exact terms (*dashboard*, *privacy*,
  *gamification*). Optional: without the wheel the dense signal alone is used, with a log line.
- **Dense**: multilingual-e5-small, ``query:`` side for questions and ``passage:`` side for
  passages, so a Dutch question finds an English abstract. Vectors are cached in DuckDB's
  ``embeddings`` table by the exact text (library and questions alike), so a rebuild only
  embeds new text. A question is searched with its formulations: the mean cosine over them.

**Hubness correction.** Raw scores favour passages that resemble *every* question: a Dutch
note scores higher than an English abstract on any Dutch question (e5 cosines are higher
within one language; Dutch words are rare, so high-IDF, in a mostly English library), and so
does boilerplate ("geschreven voor de kennistafel gepersonaliseerd leren met ict"). Each
passage's scores are therefore standardised over all questions of the agenda (z-scores per
passage, as CSLS does for cross-lingual retrieval: Conneau et al., ICLR 2018): a passage
counts for a question by how much more it matches that question than it matches the others.
On the sample library this lifts MRR from 0.50 to 0.83 for e5 alone (bench/evidence_quality.py).

**Fusion.** A source scores ``max z_dense + w_bm25 · max z_log(1+bm25)`` over its passages (CombSUM
over normalised scores: Fox & Shaw 1994; Montague & Aslam 2001). Reciprocal rank
fusion was measured too and lost to it (it throws away how far a source stands out). A
source is suggested when its fused score reaches ``floor``; the reported ``score`` is a
logistic of the distance to that floor (0.5 at the floor). ``w_bm25`` and ``floor`` were
tuned on the sample library's gold labels, cross-validated by question; see README. The
absolute floors of ``Params`` come on top, among them shared content words for a source in
the question's own language (``language``: by stop words of one language only).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from agenda.store import Store

log = logging.getLogger("agenda.evidence")

__all__ = ["Params", "Signals", "Suggestion", "content_terms", "embed_texts", "language", "signals", "fuse", "select", "match_questions"]

MIN_QUESTIONS_FOR_Z = 8  # fewer questions than this: standardise over all scores, not per passage


@dataclass(frozen=True)
class Params:
    """Fusion and relevance settings; defaults chosen with bench/evidence_quality.py (README).

    A suggestion must clear a relative floor (``floor``: how far the question stands out among
    the agenda's questions for this source) AND absolute ones, so that the best of a weak lot is
    not shown: the raw e5 cosine (``min_cosine``) and the cosine above the source's mean over
    the agenda's questions (``min_margin``, unscaled: a source about nothing on the agenda has a
    flat, tiny spread that the z-score would blow up — measured: DNA, prospect theory and
    transformer papers reached z 1.8-2.3 on school questions, all under cosine 0.795). Per
    question only sources within ``max_gap`` of its best are kept, and only for questions that
    are among the ``reverse_rank`` questions the source is most about (mutual nearest neighbours).

    ``same_language_terms``: a source written in the question's own language must share at least
    this many distinct content words with it (Snowball stems of 3+ letters, stop words left out),
    or half of them for a question with fewer.
    Between two Dutch texts e5 cosines run high whatever the subject (an off-topic Dutch note
    reached 0.85-0.87 on school questions, above the relevant English abstracts' 0.80-0.82), so
    there meaning alone is no evidence, nor is one shared everyday word (off-topic notes on
    pensions, waiting lists or running injuries reached school questions through *nieuwe* or
    *week* alone; the sample's relevant notes share 4-18). Across languages no shared word can
    be asked for. 0 (or no BM25 index, hence no stemmer) switches it off."""

    w_bm25: float = 0.1  # weight of standardised BM25 next to standardised e5 cosine
    floor: float = 1.5  # fused score (in standard deviations) a suggestion needs
    top: int = 3  # suggestions per question
    min_cosine: float = 0.795  # raw e5 cosine of the best passage (absolute floor)
    min_margin: float = 0.02  # cosine above the source's mean over the agenda's questions (absolute)
    max_gap: float = 0.4  # fused score within this of the question's best suggestion
    reverse_rank: int = 3  # the question is among the source's best `reverse_rank` questions
    same_language_terms: int = 2  # same language as the question: distinct content stems it must share


@dataclass
class Signals:
    """Scores per (query, passage): dense cosines and BM25 (0 where no term is shared)."""

    dense: np.ndarray  # (n_queries, n_passages)
    bm25: np.ndarray  # (n_queries, n_passages)
    pids: list[int]
    sources: list[str]  # source id per passage
    has_bm25: bool
    query_lang: list[str | None] = field(default_factory=list)  # `language` of each query's texts
    source_lang: dict[str, str | None] = field(default_factory=dict)  # `language` of each source's passages
    query_terms: list[frozenset[str]] = field(default_factory=list)  # `content_terms` of each query
    source_terms: dict[str, frozenset[str]] = field(default_factory=dict)  # `content_terms` of each source


@dataclass
class Suggestion:
    source_id: str
    score: float  # in (0, 1): 0.5 at the relevance floor
    fused: float  # standardised fused score of the best passage
    cosine: float  # raw e5 cosine of the best passage
    bm25: float | None  # raw BM25 of the best passage (None: no shared term)
    passage_id: int
    margin: float = 0.0  # raw cosine above the passage's mean over the questions


def embed_texts(texts: Sequence[str], embedder, store: Store | None = None) -> np.ndarray:
    """Embeddings of `texts` (n, d), cached in the store by exact text under the embedder's name."""
    keys = [" ".join(t.split()) for t in texts]
    cached = store.cached_embeddings(embedder.name, keys) if store is not None else {}
    missing = list(dict.fromkeys(k for k in keys if k not in cached))
    if missing:
        fresh = dict(zip(missing, embedder.embed(missing), strict=True))
        if store is not None and not store.read_only:
            store.cache_embeddings(embedder.name, fresh)
        cached.update(fresh)
    dim = next(iter(cached.values())).shape[0] if cached else 384
    if not keys:
        return np.zeros((0, dim), dtype=np.float32)
    return np.vstack([cached[k] for k in keys]).astype(np.float32)


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
MIN_LANGUAGE_WORDS = 3  # stop words of one language only, needed to name a text's language


def language(text: str) -> str | None:
    """'nl' or 'en': the language whose own stop words (not shared with the other's list) occur
    at least MIN_LANGUAGE_WORDS times and at least twice as often as the other's; None when a
    text is too short to tell or mixed. A paragraph of either language clears this by far."""
    from agenda.evidence import stopword_lists

    lists = stopword_lists()
    only = {lang: words - frozenset().union(*(w for other, w in lists.items() if other != lang))
            for lang, words in lists.items()}
    tokens = [t.lower() for t in _WORD.findall(text)]
    counts = {lang: sum(t in words for t in tokens) for lang, words in only.items()}
    best = max(counts, key=lambda lang: (counts[lang], lang))
    rest = max((n for lang, n in counts.items() if lang != best), default=0)
    return best if counts[best] >= MIN_LANGUAGE_WORDS and counts[best] >= 2 * rest else None


MIN_TERM_LETTERS = 3  # shorter words and stems ("'s" in "risico's") are no evidence of a shared subject


def content_terms(texts: Sequence[str], store: Store) -> list[frozenset[str]]:
    """Per text, its distinct content words as the BM25 index stems them: lower-cased, stop words
    and words or stems under MIN_TERM_LETTERS letters left out. Needs `store.load_fts()`."""
    from agenda.evidence import stopwords

    stop = stopwords()
    words = [{w for w in (t.lower() for t in _WORD.findall(text)) if len(w) >= MIN_TERM_LETTERS and w not in stop}
             for text in texts]
    stem = store.stems(sorted(set().union(*words))) if words else {}
    return [frozenset(stem[w] for w in ws if len(stem[w]) >= MIN_TERM_LETTERS) for ws in words]


def signals(
    store: Store,
    queries: Sequence[Sequence[str]],
    query_embedder,
    passage_embedder,
    *,
    use_bm25: bool = True,
) -> Signals:
    """Both signals for each query (one question's texts: its formulation(s)) against every passage.

    Dense: the mean cosine over the query's texts. BM25: the texts joined, scored by the
    index (needs `store.load_fts()` and `store.index_passages()` first when `use_bm25`).
    """
    rows = store.passages()
    pids = [r[0] for r in rows]
    col = {pid: j for j, pid in enumerate(pids)}
    dense = np.zeros((len(queries), len(pids)), dtype=np.float32)
    bm25 = np.zeros((len(queries), len(pids)), dtype=np.float32)
    if rows and queries:
        pv = embed_texts([r[2] for r in rows], passage_embedder, store)
        qv = embed_texts([t for q in queries for t in q], query_embedder, store)
        at = 0
        for i, q in enumerate(queries):
            if q:
                dense[i] = (qv[at:at + len(q)] @ pv.T).mean(axis=0)
            at += len(q)
            if use_bm25:
                for pid, score in store.bm25(" ".join(q), limit=len(pids)):
                    bm25[i, col[pid]] = score
    text_of: dict[str, list[str]] = {}
    for r in rows:
        text_of.setdefault(r[1], []).append(r[2])
    # a question too short to tell ("Hoe richt je leerpleinen in?") is in the agenda's language
    agenda_lang = language(" ".join(t for q in queries for t in q))
    query_lang = [language(" ".join(q)) or agenda_lang for q in queries]
    out = Signals(dense, bm25, pids, [r[1] for r in rows], use_bm25 and bool(rows),
                  query_lang, {sid: language(" ".join(t)) for sid, t in text_of.items()})
    if out.has_bm25:  # the stemmer comes with the fts extension
        out.query_terms = content_terms([" ".join(q) for q in queries], store)
        sids = list(text_of)
        out.source_terms = dict(zip(sids, content_terms([" ".join(text_of[sid]) for sid in sids], store), strict=True))
    return out


def standardise(scores: np.ndarray) -> np.ndarray:
    """z-scores per passage (column) over the questions: the hubness correction (module docstring).

    With fewer than MIN_QUESTIONS_FOR_Z questions a column mean is not an estimate of
    anything, so the whole matrix is standardised at once (order within a question kept).
    """
    if scores.size == 0:
        return scores
    scores = scores.astype(np.float64)
    # spreads below 1e-4 are rounding noise (a column every question scores alike): never amplify them
    if scores.shape[0] >= MIN_QUESTIONS_FOR_Z:
        return (scores - scores.mean(axis=0)) / np.maximum(scores.std(axis=0), 1e-4)
    return (scores - scores.mean()) / max(float(scores.std()), 1e-4)


def fused_matrix(sig: Signals, w_bm25: float) -> tuple[np.ndarray, np.ndarray]:
    """The two standardised signals, BM25 already weighted: (z_dense, w_bm25 · z_log(1+bm25))."""
    zd = standardise(sig.dense)
    # log1p first: one rare Dutch term in a mostly English library gives a huge raw BM25 (measured: plain
    # z-scores of BM25 let such single hits dominate; log-damped ones do not)
    zb = w_bm25 * standardise(np.log1p(sig.bm25)) if sig.has_bm25 and w_bm25 else np.zeros_like(zd)
    return zd, zb


def fuse(sig: Signals, fused: tuple[np.ndarray, np.ndarray], i: int, params: Params, *,
         apply_floor: bool = True) -> list[Suggestion]:
    """Query i's sources, best first: a source's score is its best passage's z_dense plus its best
    passage's weighted z_bm25 (a term match anywhere in a source counts). Above the floor only
    and at most `params.top` with `apply_floor`; the shown passage is the best on both together."""
    zd, zb = fused[0][i], fused[1][i]
    dense = sig.dense
    col_mean = dense.mean(axis=0) if dense.shape[0] >= MIN_QUESTIONS_FOR_Z else np.full(dense.shape[1], dense.mean())
    both = zd + zb
    best_d: dict[str, int] = {}
    best_b: dict[str, int] = {}
    best_p: dict[str, int] = {}
    for j, sid in enumerate(sig.sources):
        if sid not in best_d or zd[j] > zd[best_d[sid]]:
            best_d[sid] = j
        if sid not in best_b or zb[j] > zb[best_b[sid]]:
            best_b[sid] = j
        if sid not in best_p or both[j] > both[best_p[sid]]:
            best_p[sid] = j
    out = []
    for sid, jd in best_d.items():
        f = float(zd[jd] + zb[best_b[sid]])
        if apply_floor and f < params.floor:
            continue
        j = best_p[sid]
        b = float(sig.bm25[i, best_b[sid]])
        out.append(Suggestion(sid, 1 / (1 + math.exp(-(f - params.floor))), f, float(sig.dense[i, jd]),
                              b if b > 0 else None, sig.pids[j], float(dense[i, jd] - col_mean[jd])))
    out.sort(key=lambda s: (-s.fused, s.source_id))
    return out[:params.top] if apply_floor else out


def match_questions(store: Store, questions: dict[str, Sequence[str]], params: Params | None = None,
                    *, query_embedder=None, passage_embedder=None) -> dict[str, list[Suggestion]]:
    """question id -> its suggestions (at most `params.top`, best first) from the stored library.

    Loads the offline fts extension and (re)builds the BM25 index; without the extension the
    dense signal alone is used (logged). Embedders default to multilingual-e5-small.
    """
    params = params or Params()
    if query_embedder is None or passage_embedder is None:
        from agenda.dedupe.embed import e5_embedder

        query_embedder = query_embedder or e5_embedder("query")
        passage_embedder = passage_embedder or e5_embedder("passage")
    ids = list(questions)
    have_passages = bool(store.passages())
    use_bm25 = have_passages and store.load_fts()
    if use_bm25:
        store.index_passages()
    elif have_passages:
        log.warning("DuckDB-extensie fts niet beschikbaar (pakket duckdb-extension-fts): "
                    "bronnen worden alleen op betekenis (e5) gezocht, zonder BM25")
    sig = signals(store, [list(questions[i]) for i in ids], query_embedder, passage_embedder, use_bm25=use_bm25)
    fused = fused_matrix(sig, params.w_bm25)
    return dict(zip(ids, select(sig, fused, params), strict=True))


def select(sig: Signals, fused: tuple[np.ndarray, np.ndarray], params: Params) -> list[list[Suggestion]]:
    """Per query (in order), the suggestions that clear every floor of ``params`` (see Params)."""
    ranked = [fuse(sig, fused, i, params, apply_floor=False) for i in range(sig.dense.shape[0])]
    by_source: dict[str, list[tuple[float, int]]] = {}
    for i, sugg in enumerate(ranked):
        for s in sugg:
            by_source.setdefault(s.source_id, []).append((s.fused, i))
    mutual = {sid: {i for _, i in sorted(pairs, key=lambda p: (-p[0], p[1]))[:params.reverse_rank]}
              for sid, pairs in by_source.items()}
    def foreign_or_shares_terms(i: int, sid: str) -> bool:
        """True unless the source is in the query's language and shares too few content words with it."""
        if not (params.same_language_terms and i < len(sig.query_terms) and i < len(sig.query_lang)):
            return True
        lang = sig.query_lang[i]
        if lang is None or sig.source_lang.get(sid) != lang:
            return True
        # a question of few words ("Hoe richt je leerpleinen in?": richt, leerplein) needs half of them
        need = min(params.same_language_terms, math.ceil(len(sig.query_terms[i]) / 2))
        return len(sig.query_terms[i] & sig.source_terms.get(sid, frozenset())) >= need

    out = []
    for i, sugg in enumerate(ranked):
        best = sugg[0].fused if sugg else 0.0
        keep = [s for s in sugg if s.fused >= params.floor and s.cosine >= params.min_cosine
                and s.margin >= params.min_margin and best - s.fused <= params.max_gap and i in mutual[s.source_id]
                and foreign_or_shares_terms(i, s.source_id)]
        out.append(keep[:params.top])
    return out
