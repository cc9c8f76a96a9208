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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from agenda.store import Store

log = logging.getLogger("agenda.evidence")

__all__ = ["Params", "Signals", "Suggestion", "content_terms", "content_words", "embed_texts", "language", "signals",
           "fuse", "select", "support", "match_questions"]

# Words of almost any school question (as the question writes them): alone they are no evidence that a
# source is about a question ("Hoe regelen andere scholen dat?" met a note on the school canteen through
# *scholen*; a question on larger groups in the vo a note on hybrid teachers through *voortgezet,
# onderwijs, docent, werken*). `select` wants at least one supported word outside them.
SCHOOL_WORDS = frozenset((
    "school", "scholen", "basisschool", "basisscholen", "onderwijs", "leerling", "leerlingen", "kind", "kinderen",
    "leraar", "leraren", "leerkracht", "leerkrachten", "docent", "docenten", "klas", "klassen", "groep", "groepen",
    "les", "lessen", "voortgezet", "primair", "basisonderwijs", "werken", "werk"))

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

    ``min_terms``: a source must **support** at least this many of the question's content words
    (Snowball stems of 3+ letters, stop words left out; half of them, rounded up, for a question
    with fewer, and one per ``source_words_per_term`` of the source's own content words for a
    short source: a title without abstract cannot carry three), so that meaning alone is never
    enough (the more words a source has, the more of them land near a question word by chance).
    A word is supported by the same stem in the source or, when the source is in another language
    than the question (or either cannot be told), by a **translation**: a word of the source whose
    e5 vector (``query:`` side, one word) reaches ``word_cosine`` with it and (``word_mutual``) has
    no nearer word among all the agenda's questions than one of that stem — mutual nearest
    neighbours at word level, the hubness correction of bilingual lexicon induction: a hub such as
    *learners* (near *leerlingen*, *leraren*, *leerkrachten* alike) supports only its nearest.
    Translations score 0.86-0.98 (*leerling/pupil*, *rekenen/mathematics*), unrelated pairs
    0.80-0.88 (README, evidence library); with the mutual test the sample's figures are the same
    for any ``word_cosine`` from 0.86 to 0.88, without it they swing between 0.89 and 0.91.
    Within one language only the same stem
    counts: there e5 cosines run high whatever the subject (Dutch words 0.90-0.93 apart:
    *zomaar/zorgvuldig*; an off-topic Dutch note reached sentence cosine 0.85-0.87 on school
    questions, above the relevant English abstracts' 0.80-0.82). Theme words do not count: a stem
    in at least ``theme_share`` of the agenda's questions (*gepersonaliseerd, leren, ict*: what
    the whole agenda is about says nothing about one question) or in more than
    ``library_share`` of the library's sources (*learning*, *school*); a question made of theme
    words only is about them, so there they count. Each share applies from
    MIN_QUESTIONS_FOR_Z questions or sources on. At least one supported word must be outside
    SCHOOL_WORDS (*scholen*, *docenten*, *voortgezet onderwijs*: any school question has them), unless
    the question has no other words. 0 switches the rule off, as does a store without the BM25 index
    (no stemmer)."""

    w_bm25: float = 0.1  # weight of standardised BM25 next to standardised e5 cosine
    floor: float = 1.5  # fused score (in standard deviations) a suggestion needs
    top: int = 3  # suggestions per question
    min_cosine: float = 0.795  # raw e5 cosine of the best passage (absolute floor)
    min_margin: float = 0.02  # cosine above the source's mean over the agenda's questions (absolute)
    max_gap: float = 0.4  # fused score within this of the question's best suggestion
    reverse_rank: int = 3  # the question is among the source's best `reverse_rank` questions
    min_terms: int = 3  # content words of the question the source must support (half, for a shorter question)
    word_cosine: float = 0.87  # e5 cosine of two words in different languages that counts as a translation
    source_words_per_term: int = 8  # ... and at most one per this many content words of the source
    theme_share: float = 0.3  # a stem in at least this share of the agenda's questions is a theme word
    library_share: float = 0.5  # a stem in more than this share of the library's sources is a theme word
    word_mutual: bool = True  # a translation must also be the source word's nearest among the agenda's words


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
    query_words: list[dict[str, str]] = field(default_factory=list)  # `content_words` of each query
    source_words: dict[str, dict[str, str]] = field(default_factory=dict)  # `content_words` of each source
    word_vectors: dict[str, np.ndarray] = field(default_factory=dict)  # e5 vector of each word above (L2-normalised)
    # embeds word forms not yet in `word_vectors` (the store's cache behind it; None: all are there)
    embed_words: "Callable[[list[str]], np.ndarray] | None" = field(default=None, repr=False, compare=False)

    def load_words(self, sids) -> None:
        """Make sure the word vectors of these sources are in `word_vectors` (one batch for all)."""
        missing = sorted({w for sid in sids for w in self.source_words.get(sid, {}).values()} - set(self.word_vectors))
        if missing and self.embed_words is not None:
            self.word_vectors.update(zip(missing, self.embed_words(missing), strict=True))


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


def content_words(texts: Sequence[str], store: Store) -> list[dict[str, str]]:
    """Per text, its distinct content words as the BM25 index stems them, stem -> the first word
    form in the text with that stem: lower-cased, stop words and words or stems under
    MIN_TERM_LETTERS letters left out. Needs `store.load_fts()`."""
    from agenda.evidence import stopwords

    stop = stopwords()
    words = [list(dict.fromkeys(w for w in (t.lower() for t in _WORD.findall(text))
                                if len(w) >= MIN_TERM_LETTERS and w not in stop)) for text in texts]
    stem = store.stems(sorted(set().union(*map(set, words)))) if words else {}
    out = []
    for ws in words:
        d: dict[str, str] = {}
        for w in ws:
            if len(stem[w]) >= MIN_TERM_LETTERS:
                d.setdefault(stem[w], w)
        out.append(d)
    return out


def content_terms(texts: Sequence[str], store: Store) -> list[frozenset[str]]:
    """Per text, its distinct content stems (`content_words` without the word forms)."""
    return [frozenset(d) for d in content_words(texts, store)]


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
        out.query_words = content_words([" ".join(q) for q in queries], store)
        sids = list(text_of)
        out.source_words = dict(zip(sids, content_words([" ".join(text_of[sid]) for sid in sids], store), strict=True))
        # one vector per word form, cached in DuckDB like the texts': the questions' now (all of them make
        # the agenda's vocabulary), a source's only once it reaches the supporting-words test (`select`)
        forms = sorted({w for d in out.query_words for w in d.values()})
        out.word_vectors = dict(zip(forms, embed_texts(forms, query_embedder, store), strict=True))
        out.embed_words = lambda words: embed_texts(words, query_embedder, store)
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
    themes = theme_stems(sig, params)
    vocab = _agenda_vocabulary(sig) if params.word_mutual else None
    word_sets: dict[str, tuple] = {}  # per source that reaches this test, filled on first use

    def supported(i: int, sid: str) -> bool:
        if not (params.min_terms and i < len(sig.query_words) and sid in sig.source_words):
            return True
        own = [st for st in sig.query_words[i] if st not in themes[0]]
        # a question made of theme words only ("Wat is gepersonaliseerd leren met ict?") is about them
        mine = themes if own else (frozenset(), themes[1])
        need = min(params.min_terms, math.ceil(len(own or sig.query_words[i]) / 2),
                   math.ceil(len(sig.source_words[sid]) / max(params.source_words_per_term, 1)))
        if sid not in word_sets:
            word_sets[sid] = _source_words(sig, sig.source_words[sid], vocab)
        got = support(sig, i, sid, params, mine, word_sets[sid])
        if any(w not in SCHOOL_WORDS for st, w in sig.query_words[i].items() if st in own):
            # at least one supported word must be one that not every school question has: 'voortgezet
            # onderwijs', 'docenten' and 'werken' alone do not make a source about a question
            if all(w in SCHOOL_WORDS for w, _ in got):
                return False
        return len(got) >= need

    passed = []
    for i, sugg in enumerate(ranked):
        best = sugg[0].fused if sugg else 0.0
        passed.append([s for s in sugg if s.fused >= params.floor and s.cosine >= params.min_cosine
                       and s.margin >= params.min_margin and best - s.fused <= params.max_gap
                       and i in mutual[s.source_id]])
    if params.min_terms:
        sig.load_words({s.source_id for keep in passed for s in keep})
    return [[s for s in keep if supported(i, s.source_id)][:params.top] for i, keep in enumerate(passed)]


def theme_stems(sig: Signals, params: Params) -> tuple[frozenset[str], frozenset[str]]:
    """(agenda theme stems, library theme stems): in at least ``theme_share`` of the queries, in more
    than ``library_share`` of the sources; each empty below MIN_QUESTIONS_FOR_Z queries or sources."""
    from collections import Counter

    q = Counter(st for words in sig.query_words for st in words)
    n = len(sig.query_words)
    agenda = frozenset(st for st, c in q.items() if c >= params.theme_share * n) if n >= MIN_QUESTIONS_FOR_Z else frozenset()
    s = Counter(st for words in sig.source_words.values() for st in words)
    m = len(sig.source_words)
    library = frozenset(st for st, c in s.items() if c > params.library_share * m) if m >= MIN_QUESTIONS_FOR_Z else frozenset()
    return agenda, library


def _word_matrix(sig: Signals, words) -> np.ndarray:
    words = list(words)
    if not words or not sig.word_vectors:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack([sig.word_vectors[w] for w in words]).astype(np.float32)


def _agenda_vocabulary(sig: Signals) -> tuple[list[str], np.ndarray]:
    """(stem of each distinct word form of all the queries, their vectors), for the mutual test."""
    pairs = sorted({(w, st) for words in sig.query_words for st, w in words.items()})
    return [st for _, st in pairs], _word_matrix(sig, [w for w, _ in pairs])


def _source_words(sig: Signals, words: dict[str, str], vocab: tuple[list[str], np.ndarray] | None):
    """(stems, vectors, stem of the nearest agenda word of each, or None) of one source's words."""
    stems, mat = list(words), _word_matrix(sig, words.values())
    if vocab is None or not mat.size or not vocab[1].size:
        return stems, mat, None
    nearest = np.argmax(mat @ vocab[1].T, axis=1)
    return stems, mat, [vocab[0][k] for k in nearest]


def support(sig: Signals, i: int, sid: str, params: Params, themes: tuple[frozenset[str], frozenset[str]] | None = None,
            source: tuple | None = None) -> list[tuple[str, str]]:
    """The content words of query i that source `sid` supports, as (question word, source word):
    the same stem, or (source and query not known to share a language) a source word at e5 word
    cosine >= ``params.word_cosine`` that, with ``params.word_mutual``, has no nearer word among all
    the agenda's questions than one of this stem (mutual nearest neighbours, so a hub such as
    *learners* supports *leerlingen* and not *leraren* as well); theme stems of the agenda and the
    library left out (Params)."""
    agenda_themes, library_themes = themes if themes is not None else theme_stems(sig, params)
    words = sig.source_words.get(sid, {})
    if source is None:
        sig.load_words([sid])
        source = _source_words(sig, words, _agenda_vocabulary(sig) if params.word_mutual else None)
    stems, mat, nearest = source
    lang = sig.query_lang[i] if i < len(sig.query_lang) else None
    soft = lang is None or sig.source_lang.get(sid) != lang
    keep = np.array([st not in library_themes for st in stems], dtype=bool)
    out = []
    for st, w in sig.query_words[i].items():
        if st in agenda_themes:
            continue
        if st in words:
            if st not in library_themes:
                out.append((w, words[st]))
            continue
        if soft and mat.size and w in sig.word_vectors:
            ok = keep if nearest is None else keep & np.array([n == st for n in nearest], dtype=bool)
            cos = np.where(ok, mat @ sig.word_vectors[w], -1.0)
            j = int(np.argmax(cos))
            if cos[j] >= params.word_cosine:
                out.append((w, words[stems[j]]))
    return out
