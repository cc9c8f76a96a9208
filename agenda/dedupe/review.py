"""The curator's review queue: the most useful questions to put to a curator next.

`review_queue` proposes two kinds of rows, each asking one thing — *are these the same
question?* (ja/nee):

- **merge proposals** (`Q-…` vs `Q-…`): two current questions that may be one. Candidates
  widen as verdicts accumulate: a question's formulations' nearest neighbours (the first
  ``k``, then ``k`` more for every verdict already given on that question) and the nearest
  questions of its whole cluster (centroid of its formulations), so the queue is never
  empty while questions remain apart that nobody judged.
- **split proposals** (`Q-…` vs `M-…`): a formulation that fits its own question worst,
  measured against the formulations the machine put with it (a membership a curator's
  "ja" created is not questioned again).
  "nee" takes it out (a `split` entry), "ja" confirms it (a `merge` entry `[Q, M]`: the
  formulation belongs to that question; never asked again).

**Choice rows** (the default, ``choices`` = 3): one question (``vraag_a``) beside its three most
probable undecided candidate questions (``vraag_b``, ``vraag_c``, ``vraag_d``); the curator writes
the letter of the one it asks the same as (``b``; several: ``b+c``) or ``geen``. Each candidate
shown is one merge proposal — named: ``merge``, not named: ``distinct`` — so one row settles up to
three pairs in one decision. In one theme a question's true partner is at place 0 of its own
candidate list only about a quarter of the time (median place 2-3), so a row of three finds a
partner far more often than a pair row (figures: README, bench/curator_sim.py). A question
with a single undecided candidate left, and every split proposal, is a pair row (ja/nee).
Choice rows are ordered by :func:`order_choices`; pair rows only (``choices`` = 1) by
:func:`order_rows`:

Rows are ordered **by rank, not by raw probability**: in one theme every pair of questions
looks alike and the pair model's probabilities are low and compressed, so a question's true
partner is often not among the most probable pairs of the whole corpus but is near the top
of that question's own list. Each candidate pair gets a depth: for each side, the place of
the other among its own undecided candidates (0 = its best) plus the "nee" verdicts it
already had; the pair's depth is the smaller of the two. Every question's best candidate is
asked before any question's second; among equal depths, by expected gain: the probability
times the formulation links the answer fixes (sizes a·b for a merge, s-1 for a split) to the
power SIZE_POWER. Split proposals are asked at depth SPLIT_DEPTH.

No row of a sheet is implied by its other rows: the rows form a forest over the questions
and formulations they name (with "ja" on A-B and B-C, A-C needs no verdict; with "ja" and
"nee", neither), and nothing decided in curation.yaml is asked again (a "nee" between A and
B also holds for whatever A was merged into). Probabilities come from the pair model
(`agenda.dedupe.pairs`), adapted to this corpus's own verdicts (`agenda.dedupe.adapt`);
figures in the README (bench/curator_sim.py).

`write_review` writes the rows to .xlsx or .csv (`;`, as Dutch Excel writes it);
`apply_review` turns the verdicts into curation.yaml entries (`merge` for "ja",
`distinct` for "nee" between two questions, `split` for "nee" on a formulation; on a choice row
a `merge` for each candidate named and a `distinct` for each one not named).
Verdicts are keyed by stable ids and resolved to today's clusters on every round
(`Decisions`), so they survive rebuilds and merges: a "nee" between A and B also holds
for whatever A was merged into.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from agenda.dedupe import pairs as dedupe
from agenda.dedupe.adapt import model_for
from agenda.dedupe.clusters import embed_cached, word_vectors
from agenda.dedupe.curation import edit_curation, load_curation
from agenda.dedupe.ids import Resolver
from agenda.models import Cluster, Curation
from agenda.sheets import (STAMP_COLUMN, contradictions, count, normalise_id, read_sheet_lines, sheet_stamp,
                           stamp_of_time, write_sheet)
from agenda.store import Store

COLUMNS = ["nr", "waarschijnlijkheid", "vraag_a", "tekst_a", "bronnen_a", "vraag_b", "tekst_b", "bronnen_b",
           "vraag_c", "tekst_c", "bronnen_c", "vraag_d", "tekst_d", "bronnen_d", "oordeel", "toelichting", STAMP_COLUMN]
LETTERS = ("b", "c", "d")  # a choice row's candidates, by the columns they stand in (vraag_b, vraag_c, vraag_d)
NONE_OF_THEM = {"geen", "geen van allen", "geen van alle", "nee", "n", "-"}
YES = {"ja", "j", "yes", "y", "zelfde", "dezelfde", "samenvoegen", "x"}
NOT_SAME = ("'verschillend'-oordeel", "'verschillend'-oordelen")  # the summary's words for a 'nee'
NO = {"nee", "n", "no", "verschillend", "anders", "niet"}

CROSS_PAIRS = 16    # formulation pairs scored per candidate pair of questions (most similar first)
SPLIT_PEERS = 15    # a formulation's fit is measured against at most this many fellow members
SPLIT_DEPTH = 2     # a split proposal is asked with the merge proposals at this depth (see module docstring)
WIDEN_MAX = 50      # a question's candidate list grows by one per verdict it had, up to this many
SIZE_POWER = 0.5    # gain ~ (links fixed) ** SIZE_POWER: favours large questions, not overwhelmingly
CHOICES = 3         # candidates shown on one choice row (the curator names the one(s) it belongs with, or "geen")


@dataclass
class Decisions:
    """The curator's verdicts resolved to today's clusters.

    ``groups_of`` maps a current cluster id to the indices of the decisions (merge,
    distinct, split) that name it, so "did the curator already judge A vs B" is a set
    intersection: linear in the size of curation.yaml, never quadratic in a group.
    ``confirmed`` holds (cluster id, mention id) pairs a curator said belong together.
    """

    groups_of: dict[str, set[int]] = field(default_factory=dict)
    confirmed: set[tuple[str, str]] = field(default_factory=set)
    split_off: set[str] = field(default_factory=set)  # formulations a curator took out of their question
    refused: Counter[str] = field(default_factory=Counter)  # "nee" verdicts (distinct, split) per question

    def decided(self, a: str, b: str) -> bool:
        ga, gb = self.groups_of.get(a), self.groups_of.get(b)
        if not ga or not gb:
            return False
        if len(ga) > len(gb):
            ga, gb = gb, ga
        return any(g in gb for g in ga)

    def count(self, cid: str) -> int:
        return len(self.groups_of.get(cid, ()))

    @classmethod
    def resolve(cls, curation: Curation, clusters: list[Cluster], automatic: dict[str, list[str]],
                history: dict[str, list[str]] | None = None) -> Decisions:
        """Resolve every id in the decisions to the cluster it now stands for.

        `automatic` is the last build's machine clustering (cluster id -> mention ids), `history`
        every id the database ever produced -> the mention ids it held when last seen
        (Store.id_history): a `Q-` id that a merge removed, however many builds ago, is found
        through the formulations it held.
        """
        history = history or {}
        cluster_of = {m: c.id for c in clusters for m in c.mention_ids}
        current = {c.id for c in clusters}
        legacy = Resolver(current)  # an old 6-digit id: the question carrying its 12-digit form
        memo: dict[tuple[str, frozenset[str]], str | None] = {}

        def resolve(x: str, leave_out: frozenset[str] = frozenset()) -> str | None:
            x = legacy(x) or x
            if x in current and not leave_out:
                return x
            if x.startswith("M-"):
                return cluster_of.get(x)
            key = (x, leave_out)
            if key not in memo:
                held = automatic.get(x) or history.get(x, ())
                votes = Counter(cluster_of[m] for m in held if m in cluster_of and m not in leave_out)
                memo[key] = min(votes, key=lambda c: (-votes[c], c)) if votes else (x if x in current else None)
            return memo[key]

        out = cls()
        gid = 0

        def add(ids: Iterable[str | None]) -> None:
            nonlocal gid
            for cid in {i for i in ids if i is not None}:
                out.groups_of.setdefault(cid, set()).add(gid)
            gid += 1

        for group in curation.merge:
            qs = [resolve(x) for x in group if not x.startswith("M-")]
            target = next((q for q in qs if q is not None), None)
            for m in (x for x in group if x.startswith("M-")):
                if target is not None:
                    out.confirmed.add((target, m))
            add(qs + [resolve(x) for x in group if x.startswith("M-")])
        for group in curation.distinct:
            named = {resolve(x) for x in group} - {None}
            out.refused.update(named)
            add(named)
        auto_of = {m: cid for cid, ms in automatic.items() for m in ms}
        for group in curation.split:
            gone = frozenset(group)
            for m in group:
                out.split_off.add(m)
                origin = resolve(auto_of[m], gone) if m in auto_of else None
                if origin is not None and origin != cluster_of.get(m):
                    out.refused.update({origin, cluster_of.get(m)} - {None})
                    add([origin, cluster_of.get(m)])  # taken out: do not propose to put it back
        return out


def _latest_curation(store: Store) -> Curation:
    """The decisions of the last build's inputs/curation.yaml (none if absent or unreadable)."""
    row = store.con.execute("SELECT inputs_dir FROM builds ORDER BY id DESC LIMIT 1").fetchone()
    if not row or not row[0]:
        return Curation()
    try:
        return load_curation(Path(row[0]) / "curation.yaml")
    except ValueError:
        return Curation()


def _predict(corpus: dedupe.Corpus, model: dedupe.PairModel, idx: np.ndarray) -> np.ndarray:
    """Merge probability of formulation index pairs (m, 2), as the build scores them."""
    if len(idx) == 0:
        return np.zeros(0, np.float32)
    f = dedupe.pair_features(corpus, idx, features=dedupe.model_features(model))
    probs = model.predict(f[:, [dedupe.FEATURES.index(n) for n in model.features]])
    damp = float(model.meta.get("sector_damp", dedupe.SECTOR_DAMP))
    probs = np.where(f[:, dedupe.FEATURES.index("sector_conflict")] > 0, probs * damp, probs).astype(np.float32)
    return probs


def order_rows(merges: list[tuple[str, str, float, int]], splits: list[tuple[str, str, float, int]],
               refused: Counter[str] | dict[str, int], limit: int) -> list[tuple[float, str, str]]:
    """The rows of one sheet, in the order asked: at most `limit` (p_same, a, b).

    `merges`: undecided candidate pairs of questions (Q-a, Q-b, p_same, formulation links a·b);
    `splits`: split proposals (Q, M, p that M belongs to Q, links s-1); `refused`: the "nee"
    verdicts each question already had. Order by depth, then expected gain (module docstring):
    for each side of a merge proposal, the place of the other among its own candidates by
    p_same (0 = its best) plus its "nee" verdicts; the smaller of the two. A split proposal has
    depth SPLIT_DEPTH. A row that would close a cycle over the ids the sheet's rows already
    name is left out (its answer would follow from theirs).
    """
    per: dict[str, list[int]] = {}
    for t, (a, b, _, _) in enumerate(merges):
        per.setdefault(a, []).append(t)
        per.setdefault(b, []).append(t)
    depth = [float("inf")] * len(merges)
    for c, ts in per.items():
        for r, t in enumerate(sorted(ts, key=lambda t: (-merges[t][2], t))):
            depth[t] = min(depth[t], r + refused.get(c, 0))
    proposals = [(depth[t], -p * links ** SIZE_POWER, t, p, a, b) for t, (a, b, p, links) in enumerate(merges)]
    proposals += [(SPLIT_DEPTH, -(1.0 - p) * links ** SIZE_POWER, len(merges) + t, p, q, m)
                  for t, (q, m, p, links) in enumerate(splits)]
    proposals.sort(key=lambda r: r[:3])
    join = _forest()
    chosen: list[tuple[float, str, str]] = []
    for *_, p, a, b in proposals:
        if len(chosen) >= limit:
            break
        if join(a, b):
            chosen.append((p, a, b))
    return chosen


def _forest():
    """`join(a, b)`: link two ids unless already connected (then False). The pairs a sheet shows form
    a forest over the ids they name, so no answer follows from the others ("ja" on A-B and B-C
    answers A-C; "ja" on A-B and "nee" on B-C answers it too)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def join(a: str, b: str) -> bool:
        ra, rb = root(a), root(b)
        if ra == rb:
            return False
        parent[ra] = rb
        return True

    return join


def order_choices(merges: list[tuple[str, str, float, int]], splits: list[tuple[str, str, float, int]],
                  refused: Counter[str] | dict[str, int], sizes: dict[str, int], limit: int,
                  show: int = CHOICES) -> list[tuple[str, list[tuple[str, float]]]]:
    """The rows of one sheet of choice rows, in the order asked: at most `limit` (anchor, [(candidate,
    p_same), …]) with 1..`show` candidates, most probable first. A row with one candidate is a pair
    row (ja/nee); a split proposal is always one (anchor Q, candidate M, p that M belongs to Q).

    `merges`, `splits` and `refused` as for :func:`order_rows`; `sizes`: formulations per question.
    Every question anchors at most one row, showing its `show` most probable undecided candidates
    (each candidate is one merge proposal; the curator names the one(s) the anchor belongs with).
    Order by level — the "nee" verdicts the anchor already had, divided by `show` (every question's
    first row before any question's second) — then by expected gain: the sum over its candidates of
    p_same times √(formulations linked). Split proposals come at level SPLIT_DEPTH / `show`. As in
    :func:`order_rows`, no candidate is shown whose answer the other rows could settle (the pairs
    shown form a forest over the ids named).
    """
    per: dict[str, list[tuple[float, str]]] = {}
    for a, b, p, _links in merges:
        per.setdefault(a, []).append((p, b))
        per.setdefault(b, []).append((p, a))
    for lst in per.values():
        lst.sort(key=lambda pc: (-pc[0], pc[1]))
    proposals: list[tuple[float, float, int, str, str | None, float]] = []
    for q, lst in per.items():
        gain = sum(p * (sizes.get(q, 1) * sizes.get(c, 1)) ** SIZE_POWER for p, c in lst[:show])
        proposals.append((refused.get(q, 0) // show, -gain, len(proposals), q, None, 0.0))
    for q, m, p, links in splits:
        proposals.append((SPLIT_DEPTH / show, -(1.0 - p) * links ** SIZE_POWER, len(proposals), q, m, p))
    proposals.sort(key=lambda r: r[:3])
    join = _forest()
    chosen: list[tuple[str, list[tuple[str, float]]]] = []
    for *_, q, m, p in proposals:
        if len(chosen) >= limit:
            break
        options = [(m, p)] if m is not None else [(c, pc) for pc, c in per[q]]
        shown: list[tuple[str, float]] = []
        for c, pc in options:
            if len(shown) >= (1 if m is not None else show):
                break
            if join(c, q):
                shown.append((c, pc))
        if shown:
            chosen.append((q, shown))
    return chosen


def review_queue(store: Store, limit: int = 200, k: int = 5, model: dedupe.PairModel | None = None,
                 choices: int = CHOICES) -> list[dict[str, object]]:
    """The next review sheet: at most `limit` rows, most useful first (see module docstring).

    Each row is a dict with the sheet's COLUMNS; ``waarschijnlijkheid`` is the estimated
    probability (0..1) that both sides ask the same question (on a choice row: that the anchor and
    its most probable candidate, ``vraag_b``, do). `choices` > 1: choice rows (:func:`order_choices`),
    up to that many candidates in ``vraag_b``, ``vraag_c``, ``vraag_d``; 1: pair rows only
    (:func:`order_rows`, the sheet before 2026-12-03 evening).
    """
    if not 1 <= choices <= len(LETTERS):
        raise ValueError(f"choices must be 1..{len(LETTERS)}, not {choices}")
    clusters = [c for c in store.clusters() if c.excluded is None]
    mentions = {m.id: m for m in store.mentions(include_candidates=True)}
    sources = {s.id: s.title for s in store.sources(active_only=False)}
    clusters = [c.model_copy(update={"mention_ids": [m for m in c.mention_ids if m in mentions]}) for c in clusters]
    clusters = [c for c in clusters if c.mention_ids]
    ordered = [mentions[mid] for c in clusters for mid in c.mention_ids]
    if len(ordered) < 2 or limit <= 0:
        return []
    curation = _latest_curation(store)
    automatic = store.previous_clusters(automatic=True)
    history = store.id_history()
    decisions = Decisions.resolve(curation, clusters, automatic, history)
    texts = [m.text for m in ordered]
    embedder = dedupe.semantic_embedder()
    embeddings = embed_cached(texts, embedder, store)  # the build cached them
    corpus = dedupe.Corpus(texts, embeddings, embedder, word_vectors=word_vectors(embedder, store))
    if model is None:  # the model the build used: the prior adapted to this corpus's verdicts
        model = model_for(corpus, [m.id for m in ordered], curation, store.previous_clusters(), automatic, embedder,
                          history=history)
    n = len(ordered)
    label = np.empty(n, np.int64)
    start = 0
    spans = []
    for ci, c in enumerate(clusters):
        label[start:start + len(c.mention_ids)] = ci
        spans.append(np.arange(start, start + len(c.mention_ids)))
        start += len(c.mention_ids)
    cid = [c.id for c in clusters]
    emb = corpus.emb

    # 1. candidate pairs of questions, widening with the verdicts each question already had
    widen = np.array([decisions.count(c) for c in cid], np.int64)
    widen = np.minimum(widen, WIDEN_MAX)
    kmax = int(min(n - 1, k + widen.max() + k))
    nominated: set[tuple[int, int]] = set()
    raw_idx = dedupe.knn(emb, kmax)[0]
    cen_idx = dedupe.knn(corpus.embc, kmax)[0]
    for i in range(n):
        kk = k + widen[label[i]]
        for j in np.concatenate([raw_idx[i, :kk], cen_idx[i, :kk]]):
            a, b = label[i], label[j]
            if a != b:
                nominated.add((min(a, b), max(a, b)))
    centroid = np.vstack([emb[s].mean(0) for s in spans])
    centroid /= np.maximum(np.linalg.norm(centroid, axis=1, keepdims=True), 1e-9)
    ccount = len(clusters)
    if ccount > 1:
        c_idx = dedupe.knn(centroid.astype(np.float32), int(min(ccount - 1, k + widen.max() + k)))[0]
        for a in range(ccount):
            for b in c_idx[a, :k + widen[a]]:
                nominated.add((min(a, b), max(a, b)))
    cand = sorted((a, b) for a, b in nominated if not decisions.decided(cid[a], cid[b]))

    # 2. score them on their most similar formulation pairs
    rows_idx: list[np.ndarray] = []
    owner: list[int] = []
    for t, (a, b) in enumerate(cand):
        sa, sb = spans[a], spans[b]
        sims = emb[sa] @ emb[sb].T
        flat = np.argsort(-sims, axis=None, kind="stable")[:CROSS_PAIRS]
        ia, ib = np.unravel_index(flat, sims.shape)
        rows_idx.append(np.stack([sa[ia], sb[ib]], 1))
        owner += [t] * len(flat)

    # 3. split proposals: a formulation against the fellow members the MACHINE put with it
    # (membership a curator's "ja" created is not asked again)
    auto_of = {m: a for a, ms in automatic.items() for m in ms}
    split_pairs: list[np.ndarray] = []
    split_owner: list[int] = []
    split_members: list[tuple[int, int]] = []
    for ci, s in enumerate(spans):
        if len(s) < 2:
            continue
        shown = next((i for i in s if texts[i][:1].upper() + texts[i][1:] == clusters[ci].question), None)
        central = s[np.argsort(-(emb[s] @ centroid[ci]), kind="stable")]
        for i in s:
            mid = ordered[i].id
            if i == shown or (cid[ci], mid) in decisions.confirmed:
                continue
            peers = [j for j in central if j != i and auto_of.get(ordered[j].id) == auto_of.get(mid)][:SPLIT_PEERS]
            if not peers or (len(peers) == 1 and peers[0] != shown and peers[0] > i):
                continue  # no machine-made membership, or a pair of two: ask about one of them
            split_pairs.append(np.array([[i, j] for j in peers]))
            split_owner += [len(split_members)] * len(peers)
            split_members.append((ci, i))

    all_idx = rows_idx + split_pairs
    probs = _predict(corpus, model, np.concatenate(all_idx) if all_idx else np.zeros((0, 2), np.int64))
    m_probs, s_probs = probs[:len(owner)], probs[len(owner):]

    merges: list[tuple[str, str, float, int]] = []
    if cand:
        own = np.asarray(owner)
        mx = np.full(len(cand), 0.0)
        np.maximum.at(mx, own, m_probs)
        mean = np.bincount(own, weights=m_probs, minlength=len(cand)) / np.maximum(np.bincount(own, minlength=len(cand)), 1)
        merges = [(cid[a], cid[b], float(0.5 * (mx[t] + mean[t])), len(spans[a]) * len(spans[b]))
                  for t, (a, b) in enumerate(cand)]
    splits: list[tuple[str, str, float, int]] = []
    if split_members:
        own = np.asarray(split_owner)
        fit = np.bincount(own, weights=s_probs, minlength=len(split_members)) / np.maximum(
            np.bincount(own, minlength=len(split_members)), 1)
        splits = [(cid[ci], ordered[i].id, float(fit[t]), len(spans[ci]) - 1)
                  for t, (ci, i) in enumerate(split_members)]
    if choices > 1:
        sizes = {c: len(s) for c, s in zip(cid, spans)}
        picked = order_choices(merges, splits, decisions.refused, sizes, limit, choices)
    else:
        picked = [(a, [(b, p)]) for p, a, b in order_rows(merges, splits, decisions.refused, limit)]

    by_id = {c.id: c for c in clusters}

    def src(ids: list[str]) -> str:
        return "; ".join(sorted({sources.get(mentions[m].source_id, "?") for m in ids}))

    rows: list[dict[str, object]] = []
    for a, shown in picked:
        sides: dict[str, object] = {}
        for letter, (b, _p) in zip(LETTERS, shown):
            if b.startswith("M-"):
                sides.update({f"vraag_{letter}": b, f"tekst_{letter}": mentions[b].text, f"bronnen_{letter}": src([b])})
            else:
                sides.update({f"vraag_{letter}": b, f"tekst_{letter}": by_id[b].question,
                              f"bronnen_{letter}": src(by_id[b].mention_ids)})
        rows.append({"nr": len(rows) + 1, "waarschijnlijkheid": round(float(shown[0][1]), 3),
                     "vraag_a": a, "tekst_a": by_id[a].question, "bronnen_a": src(by_id[a].mention_ids),
                     **sides, "oordeel": "", "toelichting": ""})
    return rows


def candidates_of(row: dict[str, object]) -> list[str]:
    """The ids a sheet row puts beside its ``vraag_a``: one for a pair row, 2..3 for a choice row."""
    return [x for x in (normalise_id(row.get(f"vraag_{letter}")) for letter in LETTERS) if x]


PAIR_PROMPT = "ja = dezelfde vraag, nee = verschillende vragen"


def choice_verdicts(n: int) -> list[str]:
    """What a curator may write on a choice row with `n` candidates: one letter, several joined by
    '+' (the anchor asks the same as each named one), or 'geen'."""
    from itertools import combinations

    letters = LETTERS[:n]
    return ["+".join(c) for k in range(1, n + 1) for c in combinations(letters, k)] + ["geen"]


def _row_verdicts(row: dict[str, object]) -> tuple[list[str], str] | None:
    n = len(candidates_of(row))
    if n < 2:
        return None
    letters = ", ".join(LETTERS[:n])
    return choice_verdicts(n), (f"Welke vraag ({letters}) stelt hetzelfde als vraag_a? Meer mogen: b+c. "
                                "geen = geen van deze")


# what the .xlsx says above its table: a secretary fills it in without the README
INSTRUCTIONS = [
    "Reviewlijst kennisagenda: welke vragen zijn dezelfde vraag?",
    "Vul per rij de kolom 'oordeel' in (klik op de cel voor de keuzelijst). Een rij zonder oordeel wordt overgeslagen.",
    "Rij met vraag_b, vraag_c en vraag_d: vraagt vraag_a hetzelfde als een van die vragen? Schrijf de letter van "
    "die kolom (b, c of d); meer mogen, zoals b+c. Geen van deze: geen.",
    "Rij met alleen vraag_b: ja = dezelfde vraag, nee = verschillende vragen. Staat in vraag_b een formulering "
    "(M-…): ja = die hoort bij vraag_a, nee = haal haar eruit.",
    "Sorteren, rijen weglaten en opslaan als .csv mag. Verwerken: kennisagenda review --apply <dit bestand>.",
]


def write_review(rows: list[dict[str, object]], path: Path) -> None:
    """The review sheet as .xlsx or .csv: pair rows (oordeel ja/nee) and choice rows (oordeel: the
    letter(s) of the candidate column(s) that ask the same as vraag_a, or 'geen'), each with its own
    drop-down in the .xlsx, below the instructions (INSTRUCTIONS; the CSV is header first)."""
    write_sheet(rows, path, COLUMNS, title="Review",
                widths=[5, 10, 11, 45, 25, 11, 45, 25, 11, 45, 25, 11, 45, 25, 12, 30, 21],
                verdict_column="oordeel", verdicts=["ja", "nee"], prompt=PAIR_PROMPT, row_verdicts=_row_verdicts,
                instructions=INSTRUCTIONS)


def read_review(path: Path) -> list[dict[str, str]]:
    return [row for _line, row in read_review_lines(path)]


def read_review_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a review sheet, each with the row number Excel shows (the header is found
    below the instructions; a sheet without them, header first, reads too)."""
    return read_sheet_lines(path, "reviewlijst", header="vraag_a")


def _picked(verdict: str, shown: list[str], path: Path, line: int) -> set[str]:
    """The candidates a choice row's verdict names: letters of their columns (``b``, ``b+c``, ``b, d``)
    or their ids; ``geen`` (or ``nee``) names none. Raises ValueError (Dutch, with the line)."""
    if verdict in NONE_OF_THEM:
        return set()
    letters = LETTERS[:len(shown)]
    picked = set()
    for token in re.split(r"[\s,;+/&]+|\ben\b", verdict):
        if not token:
            continue
        if token in letters:
            picked.add(shown[letters.index(token)])
        elif (x := normalise_id(token)) in shown:
            picked.add(x)
        else:
            raise ValueError(f"{path}, regel {line}: onbekend oordeel '{verdict}' op een keuzerij: schrijf de letter van "
                             f"de kolom met dezelfde vraag ({', '.join(letters)}; meer mogen, zoals b+c) of geen")
    return picked


_STAMP_COMMENT = re.compile(r"lijst (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")


def _stamp_of(seq, i: int) -> str | None:
    """The ``# lijst <time>`` comment a sheet writer left on item `i` of a decisions list."""
    tokens = []
    entry = seq.ca.items.get(i) if hasattr(seq, "ca") else None
    tokens.extend(entry or [])
    item = seq[i]
    if hasattr(item, "ca"):
        tokens.append(item.ca.comment)
        for v in item.ca.items.values():
            tokens.extend(v or [])
    for t in tokens:
        for tok in (t if isinstance(t, list) else [t]):
            m = _STAMP_COMMENT.search(getattr(tok, "value", "") or "")
            if m:
                return m.group(1)
    return None


def apply_review(path: Path, curation_file: Path, known_ids: set[str] | None = None) -> str:
    """Turn the verdicts of a filled-in review list into curation.yaml entries; returns a Dutch summary.

    Two questions (`Q-`, `Q-`): "ja" → `merge`, "nee" → `distinct`. A question and a
    formulation (`Q-`, `M-`, a split proposal): "ja" → `merge [Q, M]` (it belongs there),
    "nee" → `split [M]`. Rows without a verdict are skipped.

    - Ids must exist (`known_ids`, the clusters and formulations in the database; None: not checked).
    - One sheet saying "ja" and "nee" for the same pair is refused, naming the rows; nothing is written.
    - A verdict that differs from an earlier decision on the same pair replaces it (ja, later nee:
      the merge goes, the distinct comes) and the summary says so — unless that decision is newer
      than this sheet: written from a sheet made later (each decision carries ``# lijst <time>``,
      the time its sheet was made), or by hand after this sheet was made (an unmarked decision
      counts as of the file's last change). Those are kept and counted as such.
    Raises ValueError (Dutch, with file and line) on an unusable sheet, CurationError on a decisions
    file that cannot be used (it is then left as it was).
    """
    lines = read_review_lines(path)
    rows = [row for _n, row in lines]
    if rows and not {"vraag_a", "vraag_b", "oordeel"} <= set(rows[0]):
        raise ValueError(f"{path}: dit is geen reviewlijst (kolommen vraag_a, vraag_b en oordeel ontbreken)")
    stamp = sheet_stamp(rows, path)
    wanted: dict[tuple[str, str], list[tuple[int, str]]] = {}
    skipped = choice_rows = 0
    unknown: list[str] = []
    for n, row in lines:
        verdict = (row.get("oordeel") or "").strip().lower()
        a, b = normalise_id(row.get("vraag_a")), normalise_id(row.get("vraag_b"))
        if not verdict:
            skipped += 1
            continue
        shown = candidates_of(row)
        if len(shown) > 1:  # a choice row: the named candidates are the same question, the others not
            picked = _picked(verdict, shown, path, n)
            if not a.startswith("Q-") or not all(x.startswith("Q-") for x in shown):
                raise ValueError(f"{path}, regel {n}: vraag_a tot en met vraag_{LETTERS[len(shown) - 1]} moeten "
                                 f"ids van vragen zijn (Q-1a2b3c)")
            if known_ids is not None:
                unknown.extend(f"regel {n}: {x}" for x in (a, *shown) if x not in known_ids)
            choice_rows += 1
            for x in shown:
                wanted.setdefault(tuple(sorted((a, x))), []).append((n, "ja" if x in picked else "nee"))
            continue
        if not (a.startswith("Q-") and b[:2] in ("Q-", "M-")) and not (a.startswith("M-") and b.startswith("Q-")):
            raise ValueError(f"{path}, regel {n}: vraag_a en vraag_b moeten ids als Q-1a2b3c zijn "
                             f"(één van beide mag een formulering M-… zijn)")
        if a.startswith("M-"):
            a, b = b, a  # the question first, as in a merge list
        if verdict not in YES and verdict not in NO:
            raise ValueError(f"{path}, regel {n}: onbekend oordeel '{verdict}' (gebruik ja of nee)")
        if known_ids is not None:
            unknown.extend(f"regel {n}: {x}" for x in (a, b) if x not in known_ids)
        key = (a, b) if b.startswith("M-") else tuple(sorted((a, b)))
        wanted.setdefault(key, []).append((n, "ja" if verdict in YES else "nee"))
    if unknown:
        raise ValueError(f"{path}: onbekende id's (niet in de database; een lijst van een andere kennistafel of "
                         f"een typefout?), er is niets verwerkt: {'; '.join(unknown[:10])}"
                         + (f" (en nog {len(unknown) - 10})" if len(unknown) > 10 else ""))
    contradictions(path, wanted, lambda k: f"{k[0]} / {k[1]}")
    result: dict[str, list] = {}

    def apply(data) -> None:
        from ruamel.yaml.comments import CommentedSeq

        result.clear()
        result.update(added=Counter(), changed=[], kept=[], same=0)
        file_stamp = stamp_of_time(curation_file.stat().st_mtime) if curation_file.is_file() else ""
        # one pass over what is there (a sheet of 34,000 rows against a file of as many decisions)
        pairs: dict[tuple[str, frozenset], list[int]] = {}  # ("merge"|"distinct", pair) -> indices
        exact: dict[tuple[str, str], list[int]] = {}  # merge [Q, M] as written
        splits: dict[str, list[int]] = {}  # M -> split groups holding it
        in_big_merge: dict[str, set[int]] = {}  # id -> merge groups of 3 or more
        for kind in ("merge", "distinct", "split"):
            for i, g in enumerate(data.get(kind) or []):
                if not isinstance(g, list):
                    continue
                g = [str(x) for x in g]
                if kind == "split":
                    for m in g:
                        splits.setdefault(m, []).append(i)
                    continue
                if len(g) == 2:
                    pairs.setdefault((kind, frozenset(g)), []).append(i)
                    if kind == "merge":
                        exact.setdefault((g[0], g[1]), []).append(i)
                elif kind == "merge":
                    for x in g:
                        in_big_merge.setdefault(x, set()).add(i)
        drop: set[tuple[str, int]] = set()
        unsplit: list[tuple[int, str]] = []
        new: list[tuple[str, list[str]]] = []

        def newer(kind: str, i: int) -> bool:
            return (_stamp_of(data[kind], i) or file_stamp) > stamp

        for (a, b), votes in wanted.items():
            verdict, line = votes[-1][1], votes[0][0]
            if b.startswith("M-"):
                has_merge = [("merge", i) for i in exact.get((a, b), [])]
                has_split = [("split", i) for i in splits.get(b, [])]
                same, other = (has_merge, has_split) if verdict == "ja" else (has_split, has_merge)
            else:
                key = frozenset((a, b))
                has_merge = [("merge", i) for i in pairs.get(("merge", key), [])]
                has_distinct = [("distinct", i) for i in pairs.get(("distinct", key), [])]
                same, other = (has_merge, has_distinct) if verdict == "ja" else (has_distinct, has_merge)
                if verdict == "nee" and not other and in_big_merge.get(a, set()) & in_big_merge.get(b, set()):
                    result["kept"].append(f"regel {line} ({a} / {b} staan samen in een grotere samenvoeging: "
                                          "pas die met de hand aan)")
                    continue
            same = [ki for ki in same if ki not in drop]
            other = [ki for ki in other if ki not in drop]
            if same and not other:
                result["same"] += 1
                continue
            if other and any(newer(kind, i) for kind, i in other):
                result["kept"].append(f"regel {line} ({a} / {b})")
                continue
            for kind, i in other:
                if kind == "split" and len(data[kind][i]) > 1:
                    unsplit.append((i, b))  # only this formulation goes back
                else:
                    drop.add((kind, i))
            if other:
                result["changed"].append(f"regel {line} ({a} / {b}: nu {verdict})")
            if not same:
                new.append(("merge" if verdict == "ja" else ("split" if b.startswith("M-") else "distinct"),
                            [a, b] if verdict == "ja" or not b.startswith("M-") else [b]))
        for i, m in unsplit:
            if ("split", i) not in drop:
                data["split"][i].remove(m)
        for kind, i in sorted(drop, key=lambda ki: -ki[1]):
            del data[kind][i]
        for kind, group in new:
            if data.get(kind) is None:
                data[kind] = CommentedSeq()
            row = CommentedSeq(group)
            row.fa.set_flow_style()  # one decision per line: - [Q-a, Q-b]
            data[kind].append(row)
            data[kind].yaml_add_eol_comment(f"lijst {stamp}", len(data[kind]) - 1)
            result["added"][kind] += 1

    edit_curation(curation_file, apply)
    added = result["added"]
    text = (f"{count(added['merge'], 'samenvoeging', 'samenvoegingen')}, "
            f"{count(added['distinct'], NOT_SAME[0], NOT_SAME[1])} en "
            f"{count(added['split'], 'afsplitsing', 'afsplitsingen')} toegevoegd aan {curation_file}; "
            f"{count(skipped, 'paar', 'paren')} zonder oordeel overgeslagen")
    if choice_rows:
        text += f" ({count(choice_rows, 'keuzerij', 'keuzerijen')}: elke getoonde vraag is één oordeel)"
    if result["same"]:
        text += f"; {result['same']} oordelen stonden er al"
    if result["changed"]:
        text += f"; {len(result['changed'])} eerdere oordelen gewijzigd: {', '.join(result['changed'][:10])}"
    if result["kept"]:
        text += (f"; {len(result['kept'])} niet verwerkt omdat er daarna anders over is besloten (een nieuwere lijst "
                 f"of een handmatige wijziging): {', '.join(result['kept'][:10])}")
    return text
