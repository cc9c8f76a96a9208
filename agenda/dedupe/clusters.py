"""From mentions to clusters: run the deduplication, keep ids stable, apply the curator.

Stable ids (documented in the README):
- The machine's clusters are matched to the previous build's machine clusters by shared
  mentions, largest overlap first (ties: the larger old cluster, then the smaller id).
  An old id passes only to a cluster that continues that question: it holds more than half
  of the old cluster's mentions still present and, while it is present, the mention whose
  text was the old agenda formulation (what the curator and the voters saw). A cluster that
  grows keeps its id; when two old clusters fuse, the fused cluster keeps the id of the one
  it shares most mentions with; when one splits, a part keeps the id only if it continues
  it; otherwise every part gets a new id and the build notes say the question was split and
  that its decisions and votes need a look (they are not applied to a part).
  Any other cluster gets a new id derived from its first mention id (agenda.dedupe.ids:
  12 hex digits, never an id the database gave out for other content), so a fresh database
  gives the same ids for the same inputs.
- Curator decisions then apply on those ids, in a fixed order: promote, split, distinct,
  merge (the first id of a merge list survives), exclude, rename. A decision naming an id the
  machine has since merged away (however many builds ago) applies to the question that
  continues it, judged on the formulations that id held when last seen (Store.id_history): a
  merge already made by the machine is satisfied, a "distinct" between questions the machine
  put together takes them apart again. Only a decision whose formulations left the inputs (or
  an unknown id) is reported in the build's notes and in the report, never dropped silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from agenda.dedupe import ids as qids
from agenda.dedupe import pairs
from agenda.dedupe.embed import Embedder
from agenda.models import Cluster, Curation, Mention
from agenda.store import Store
from agenda.dedupe.text import agenda_text, comparison_text, lead_in_of, dependence, normalise


# a decision's kind in the curator's words, for the build's notes and the report
DECISION_WORDS = {"merge": "samenvoegen met", "distinct": "oordeel 'verschillend' over", "exclude": "uitsluiten van",
                  "rename": "nieuwe formulering van", "knowledge": "kennis bij", "priority": "prioriteit van",
                  "theme": "thema van", "question_type": "soort vraag van"}
NO_MENTION = "die staat niet meer in de invoer (of is onbekend)"


@dataclass
class ClusterOutcome:
    clusters: list[Cluster]
    automatic: dict[str, str]  # mention id -> the machine's cluster id
    curation: Curation  # decisions with ids resolved to the clusters they now apply to
    notes: list[str] = field(default_factory=list)  # decisions that could not be applied
    seeds: dict[str, str] = field(default_factory=dict)  # ids new in this build -> what they were derived from
    split_up: dict[str, list[str]] = field(default_factory=dict)  # old id no part continues -> the parts' ids


def _new_id(seed: str, taken: Container[str], registry: Mapping[str, str | None] | None = None) -> str:
    return qids.new_id(seed, taken, registry)


def continues(group: Container[str], share: int, present: int, leads: Sequence[str] = ()) -> bool:
    """Whether a new group continues an old question: it holds `share` of the old question's
    `present` mentions, more than half, and one of `leads` (the present mentions that carried
    the old agenda formulation) when there are any."""
    return 2 * share > present and (not leads or any(m in group for m in leads))


def assign_ids(groups: Sequence[Sequence[str]], previous: dict[str, list[str]], *,
               leads: Mapping[str, Sequence[str]] | None = None,
               registry: Mapping[str, str | None] | None = None) -> list[str]:
    """A stable id for each group of mention ids, given the previous build's groups.

    `leads`: old id -> its mention ids whose text was the old agenda formulation (None or
    absent: not known, e.g. renamed by the curator). An old id goes to the group that
    `continues` it (largest overlap first); a group continuing none gets a new id from its
    smallest mention id, avoiding every id of the previous build and of `registry`
    (the database's every id ever -> its seed; see agenda.dedupe.ids.new_id)."""
    previous_of = {m: cid for cid, members in previous.items() for m in members}
    group_of = {m: gi for gi, group in enumerate(groups) for m in group}
    present = Counter(previous_of[m] for m in group_of if m in previous_of)
    leads = leads or {}
    overlaps = []
    for gi, group in enumerate(groups):
        members = set(group)
        for cid, n in Counter(previous_of[m] for m in group if m in previous_of).items():
            lead = [m for m in leads.get(cid, ()) if m in group_of]
            if continues(members, n, present[cid], lead):
                overlaps.append((-n, -len(previous[cid]), cid, gi))
    overlaps.sort()
    ids: list[str | None] = [None] * len(groups)
    used: set[str] = set()
    for _, _, cid, gi in overlaps:
        if ids[gi] is None and cid not in used:
            ids[gi] = cid
            used.add(cid)
    taken = used | set(previous)
    for gi, group in enumerate(groups):
        if ids[gi] is None:
            ids[gi] = _new_id(min(group), taken, registry)
            taken.add(ids[gi])
    return [i for i in ids if i is not None]


def broken_up(groups: Sequence[Sequence[str]], ids: Sequence[str], previous: dict[str, list[str]]) -> dict[str, list[str]]:
    """Old ids no group continues whose present mentions now lie in two or more groups: old id ->
    the ids of those groups, most shared mentions first (a question the machine split up)."""
    id_of = {m: cid for cid, group in zip(ids, groups, strict=True) for m in group}
    kept = set(ids)
    out = {}
    for cid, members in previous.items():
        if cid in kept:
            continue
        parts = Counter(id_of[m] for m in members if m in id_of)
        if len(parts) > 1:
            out[cid] = sorted(parts, key=lambda p: (-parts[p], p))
    return out


def lead_mentions(previous: dict[str, list[str]], questions: Mapping[str, str],
                  text_of: Mapping[str, str]) -> dict[str, list[str]]:
    """Old id -> its present mentions whose text reads as the old agenda formulation
    (`questions`: the previous build's id -> question; `text_of`: present mention id -> text).
    An id the curator renamed, or whose formulation left, has none."""
    out = {}
    for cid, members in previous.items():
        question = questions.get(cid)
        if not question:
            continue
        wanted = " ".join(question.split())
        found = [m for m in members if m in text_of and " ".join(agenda_text(text_of[m]).split()) == wanted]
        if found:
            out[cid] = found
    return out


def embed_cached(texts: Sequence[str], embedder: Embedder, store: Store | None = None) -> np.ndarray:
    """Embeddings for `texts`, computing only those whose normalised text is not cached."""
    # the normalised text is both the cache key and what is embedded, as in dedupe's calibration
    keys = [normalise(t) for t in texts]
    cached = store.cached_embeddings(embedder.name, keys) if store is not None else {}
    missing = list(dict.fromkeys(k for k in keys if k not in cached))
    if missing:
        vectors = embedder.embed(missing)
        fresh = dict(zip(missing, vectors, strict=True))
        if store is not None and not store.read_only:
            store.cache_embeddings(embedder.name, fresh)
        cached.update(fresh)
    if not keys:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([cached[k] for k in keys]).astype(np.float32)


def word_vectors(embedder: Embedder, store: Store | None):
    """Word lookup for the pair features' soft word matching, cached in DuckDB like the
    questions (a content word is embedded once per database, not once per build)."""
    return lambda words: embed_cached(words, embedder, store)


def representative(indices: Sequence[int], texts: Sequence[str], embeddings: np.ndarray) -> str:
    """The agenda formulation of a cluster: its most self-contained member.

    Members are ranked by ``dependence`` (agenda.dedupe.text: 0 = self-contained; a question
    leaning on the sentence before it, a pronoun or time word pointing outside, a survey's
    first person "ik"/"mijn klas"/"bij ons" cost more), so "Welke scholing is daarvoor
    nodig?" is never chosen while a self-contained formulation exists. Among the least
    dependent, the longest and the shortest are set aside when at least three remain (the
    one runs on with a local story, the other drops the specifics), then the member closest
    to all others (medoid); ties go to the shorter, then earlier text.

    Shown without a "who asks" opening (*Vraag vanuit het team:*; the mention keeps its own
    text) and with a capital first letter: survey answers are often typed in lower case.
    """
    indices = list(indices)
    pool = list(range(len(indices)))
    if len(indices) > 1:
        dep = [dependence(texts[i]) for i in indices]
        pool = [k for k in pool if dep[k] == min(dep)]
        if len(pool) >= 3:
            by_len = sorted(pool, key=lambda k: (len(texts[indices[k]]), k))
            drop = {by_len[0], by_len[-1]}
            pool = [k for k in pool if k not in drop]
    best = pool[0]
    if len(pool) > 1:
        sub = embeddings[indices]
        centrality = (sub @ sub.T).mean(axis=1)
        best = min(pool, key=lambda k: (-round(float(centrality[k]), 6), len(texts[indices[k]]), k))
    return agenda_text(texts[indices[best]])


def cluster_mentions(
    mentions: Sequence[Mention],
    previous: dict[str, list[str]],
    curation: Curation,
    *,
    embedder: Embedder | None = None,
    store: Store | None = None,
    final: dict[str, list[str]] | None = None,
    questions: Mapping[str, str] | None = None,
    registry: Mapping[str, str | None] | None = None,
    history: Mapping[str, list[str]] | None = None,
) -> ClusterOutcome:
    """Deduplicate mentions into clusters with stable ids and the curator's decisions applied.

    `previous` is the last build's machine clustering, `final` the same build's result with
    the decisions applied: with both, the pair model learns from the curator's verdicts
    (agenda.dedupe.adapt) before clustering. `questions` is the last build's id -> agenda
    formulation (an id stays with the part that still holds it), `registry` every question id
    the database ever gave out -> its seed (a new id never repeats one; see agenda.dedupe.ids).
    Decisions may name old 6-digit ids (`ids.Resolver`). `history` maps every question id ever
    produced to the mention ids it held when last seen (Store.id_history): a decision naming an
    id the machine merged away, however many builds ago, applies through those formulations.
    """
    history = history or {}
    notes: list[str] = []
    mentions = list(mentions)
    texts = [m.text for m in mentions]
    # a question leaning on the sentence before it is compared together with that sentence
    compared = [comparison_text(m.text, lead_in_of(m.extra)) for m in mentions]
    embedder = embedder or pairs.semantic_embedder()
    embeddings = embed_cached(compared, embedder, store)
    model = None
    words = word_vectors(embedder, store)
    if final is not None and (curation.merge or curation.distinct or curation.split) and len(mentions) > 2:
        from agenda.dedupe.adapt import model_for

        corpus = pairs.Corpus(compared, embeddings, embedder, word_vectors=words)
        model = model_for(corpus, [m.id for m in mentions], curation, final, previous, embedder,
                          history=history)
    labels = pairs.cluster_texts(compared, embeddings=embeddings, embedder=embedder, model=model,
                                 word_vectors=words) if mentions else []

    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    groups = list(by_label.values())
    group_ids = [[mentions[i].id for i in g] for g in groups]
    leads = lead_mentions(previous, questions or {}, {m.id: m.text for m in mentions})
    ids = assign_ids(group_ids, previous, leads=leads, registry=registry)
    automatic = {mentions[i].id: cid for cid, g in zip(ids, groups, strict=True) for i in g}
    seeds = {cid: min(g) for cid, g in zip(ids, group_ids, strict=True) if cid not in previous}
    split_up = broken_up(group_ids, ids, previous)
    legacy = qids.Resolver(ids)

    class InUse:  # this build's ids and the previous build's, without copying either (splits may be thousands)
        def __contains__(self, cid: object) -> bool:
            return cid in members or cid in previous

    def fresh(seed: str) -> str:
        cid = _new_id(seed, InUse(), registry)
        seeds[cid] = seed
        return cid

    members: dict[str, list[int]] = {cid: list(g) for cid, g in zip(ids, groups, strict=True)}
    index_of = {m.id: i for i, m in enumerate(mentions)}

    owner = {i: cid for cid, idx in members.items() for i in idx}
    alias: dict[str, str] = {}  # a question merged away by the curator -> the one it went into

    def formerly(cid: str) -> list[str]:
        """The formulations a question id held when last seen: the last build's machine
        clustering, else the newest build or stored version that had it."""
        return previous.get(cid) or list(history.get(cid, ()))

    def resolve(cid: str) -> str:
        path = []
        while cid in alias:
            path.append(cid)
            cid = alias[cid]
        for p in path:  # path compression: chains of merges stay short
            alias[p] = cid
        if cid.startswith("M-"):
            return owner.get(index_of.get(cid, -1), cid)
        if cid not in members and cid not in split_up and (held := formerly(cid)):
            # an id the machine no longer produces (its clustering moved, e.g. two questions
            # fused, now or builds ago): the question that continues it — more than half of that
            # id's present formulations and its agenda formulation (known for the last build) —
            # so a verdict is not lost; never a fragment
            votes = Counter(owner[index_of[m]] for m in held if m in index_of and index_of[m] in owner)
            lead = [owner[index_of[m]] for m in leads.get(cid, ()) if m in index_of and index_of[m] in owner]
            if votes:
                best = min(votes, key=lambda c: (-votes[c], c))
                if continues({best}, votes[best], sum(votes.values()), lead):
                    cid = best
        elif cid not in members and (now := legacy(cid)) is not None and now != cid:
            cid = resolve(now)  # an old 6-digit id: the question carrying its 12-digit form
        return cid

    def gone(decision: str, what: str, cid: str) -> str:
        if cid in split_up:
            return (f"{decision}: vraag {cid} is opgesplitst in {', '.join(split_up[cid])} (geen deel houdt de "
                    f"agendaformulering en de meeste formuleringen); besluit niet toegepast: bekijk het")
        if any(m in index_of for m in formerly(cid)):
            why = "de formuleringen van die vraag liggen nu verspreid over meerdere vragen (geen houdt er de meeste)"
        elif formerly(cid):
            why = "de formuleringen van die vraag staan niet meer in de invoer"
        else:
            why = "geen bekende vraag (typefout, of een id uit een andere database?)"
        return f"curation.yaml: {DECISION_WORDS.get(decision, decision)} {cid} {what}: {why}"

    # split: named mentions leave their cluster and form one of their own. Linear in the
    # decisions' size: only the clusters that hold a named mention are touched (a curator's
    # file may name thousands of ids; it must never stall a build)
    for group in curation.split:
        found = sorted({index_of[m] for m in group if m in index_of})
        for m in group:
            if m not in index_of:
                notes.append(f"curation.yaml: afsplitsen van formulering {m} niet uitgevoerd: {NO_MENTION}")
        if not found:
            continue
        hit = set(found)
        for cid in sorted({owner[i] for i in found}):
            members[cid] = [i for i in members[cid] if i not in hit]
            if not members[cid]:
                del members[cid]
        new_id = fresh("split:" + ",".join(sorted(mentions[i].id for i in found)))
        members[new_id] = found
        owner.update((i, new_id) for i in found)

    # distinct: the curator said these questions differ. When the machine has since put them
    # together (a bridging formulation, a refitted pair model), they are taken apart again along
    # the formulations each id held: the side whose id the question carries stays, the other
    # leaves under its own former id (or, if that is taken or retired, a new one). Before the
    # merges, so a curator's explicit merge or move (kennisagenda indeling) still wins over it.
    for group in curation.distinct:
        named = list(dict.fromkeys(group))
        for x in named:
            # a question the machine split up or spread has nothing to take apart: no note (the
            # verdict still keeps the review queue from asking again); gone or unknown: noted
            if resolve(x) not in members and not any(m in index_of for m in formerly(x)):
                notes.append(gone("distinct", "geldt niet meer", x))
        for ai, a in enumerate(named):
            for b in named[ai + 1:]:
                where = resolve(a)
                if where != resolve(b) or where not in members:
                    continue  # apart already (or not there: noted above)

                def side(x: str, where: str = where) -> set[int]:
                    ids = [x] if x.startswith("M-") else formerly(x)
                    return {index_of[m] for m in ids if m in index_of and owner.get(index_of[m]) == where}

                sa, sb = side(a), side(b)
                if where == b or (where != a and (len(sb), b) > (len(sa), a)):
                    a, b, sa, sb = b, a, sb, sa  # a's side stays under `where`, b's side leaves
                # the id the question carries keeps all but the other side's formulations (its own
                # history may already hold them: the machine merged them under it)
                leaving = sb if where == a else sb - sa
                if not leaving or leaving == set(members[where]):
                    notes.append(f"curation.yaml: oordeel 'verschillend' over {a} en {b} geldt niet meer: hun "
                                 f"formuleringen staan in één vraag ({where}) en zijn niet meer uit elkaar te houden")
                    continue
                members[where] = [i for i in members[where] if i not in leaving]
                own_id = (b.startswith("Q-") and b not in members and b not in split_up
                          and (registry is None or b not in registry or registry[b] is not None))
                new_id = b if own_id else fresh("distinct:" + ",".join(sorted(mentions[i].id for i in leaving)))
                members[new_id] = sorted(leaving)
                owner.update((i, new_id) for i in leaving)

    # merge: the first id that exists survives; later lists may name an id merged earlier. An id the
    # machine has since split up or spread (a refitted pair model, new input) brings the formulations
    # it held along (those still present and not taken out by a `split`): the curator judged that
    # question, and without them a review round's "ja" was lost on the next build (bench/curator_sim.py
    # on the sample corpus: dozens of merges per round, F1 0.95 -> 0.86)
    taken_out = {m for g in curation.split for m in g}
    for group in curation.merge:
        present: dict[str, None] = {}  # ordered set
        moved = []  # M- ids: that formulation belongs to the group's question (a confirmed split proposal)
        missing = False
        for cid in group:
            if cid.startswith("M-"):
                if cid in index_of:
                    moved.append(index_of[cid])
                else:
                    missing = True
                    notes.append(f"curation.yaml: formulering {cid} bij een vraag voegen niet uitgevoerd: "
                                 f"{NO_MENTION}")
                continue
            target = resolve(cid)
            if target in members:
                present.setdefault(target)
            elif held := [index_of[m] for m in formerly(cid) if m in index_of and m not in taken_out]:
                moved.extend(i for i in held if i not in moved)
            else:
                missing = True
                notes.append(gone("merge", "niet uitgevoerd", cid))
        if not present and moved and not missing:
            # only formulations (kennisagenda indeling, a label): together they become one new question,
            # applied in file order like every merge, so a later sheet overrides an earlier decision
            present[fresh("split:" + ",".join(sorted(mentions[i].id for i in moved)))] = None
            members[next(iter(present))] = []
        if present and moved:
            first = next(iter(present))
            for i in moved:
                src = owner.get(i)
                if src is not None and src != first and src in members:
                    members[src] = [j for j in members[src] if j != i]
                    if not members[src]:
                        del members[src]
                        alias[src] = first
                owner[i] = first
            members[first] = sorted(set(members[first]) | set(moved))
        if len(present) < 2:
            continue
        keep, *others = present
        merged = members[keep]
        for other in others:
            part = members.pop(other)
            merged.extend(part)
            owner.update((i, keep) for i in part)
            alias[other] = keep
        members[keep] = sorted(merged)

    def known(decision: str, cid: str) -> str | None:
        target = resolve(cid)
        if target in members:
            return target
        notes.append(gone(decision, "niet toegepast", cid))
        return None

    excluded: dict[str, str] = {}
    for ex in curation.exclude:
        if ex.cluster.startswith("M-"):  # one formulation off the agenda (indeling): out of its question
            i = index_of.get(ex.cluster)
            if i is None:
                notes.append(f"curation.yaml: uitsluiten van formulering {ex.cluster} niet uitgevoerd: "
                             f"{NO_MENTION}")
                continue
            src = owner.get(i)
            if src is not None and src in members and len(members[src]) > 1:
                members[src] = [j for j in members[src] if j != i]
                new_id = fresh("exclude:" + ex.cluster)
                members[new_id] = [i]
                owner[i] = new_id
            excluded[owner[i]] = ex.why or "buiten scope (geen reden opgegeven)"
            continue
        if (target := known("exclude", ex.cluster)) is not None:
            excluded[target] = ex.why or "buiten scope (geen reden opgegeven)"
    resolved = Curation(merge=curation.merge, split=curation.split, exclude=curation.exclude,
                        promote=curation.promote, reviewed_by=curation.reviewed_by)
    for attr in ("rename", "knowledge", "priority", "theme", "question_type"):
        mapping = {}
        for cid, value in getattr(curation, attr).items():
            if (target := known(attr, cid)) is not None:
                mapping[target] = value
        setattr(resolved, attr, mapping)

    clusters = []
    for cid in sorted(members):
        idx = members[cid]
        question = resolved.rename.get(cid) or representative(idx, texts, embeddings)
        clusters.append(
            Cluster(id=cid, question=question, mention_ids=[mentions[i].id for i in idx], excluded=excluded.get(cid))
        )
    # one note per unknown id: a question named in five merges was reported five times (report and console)
    return ClusterOutcome(clusters=clusters, automatic=automatic, curation=resolved, notes=list(dict.fromkeys(notes)),
                          seeds={cid: seed for cid, seed in seeds.items() if cid in members or cid in ids},
                          split_up=split_up)


def select_mentions(all_mentions: Sequence[Mention], curation: Curation) -> tuple[list[Mention], list[str]]:
    """Agenda questions plus the candidates the curator promoted; notes for unknown promotions."""
    by_id = {m.id: m for m in all_mentions}
    notes = [f"curation.yaml: formulering {m} opnemen (promote) niet uitgevoerd: {NO_MENTION}"
             for m in curation.promote if m not in by_id]
    promoted = set(curation.promote)
    chosen = [m for m in all_mentions if not m.is_candidate or m.id in promoted]
    return chosen, notes


def cluster_database(store: Store, build_id: int, curation: Curation, embedder: Embedder | None = None) -> ClusterOutcome:
    """The build's clustering stage: read active mentions, cluster, store the result.

    Notes name every question on a stored ballot that the machine split up: its votes count for
    none of the parts (the ballot's id no longer exists), and the secretary should look."""
    mentions, notes = select_mentions(store.mentions(include_candidates=True), curation)
    questions = store.cluster_questions()
    outcome = cluster_mentions(mentions, store.previous_clusters(automatic=True), curation, embedder=embedder,
                               store=store, final=store.previous_clusters(), questions=questions,
                               registry=store.question_id_registry(), history=store.id_history())
    outcome.notes[:0] = notes
    if outcome.split_up and (ballots := store.ballots()):
        ballot = str(ballots[-1]["id"])  # the round later builds count (earlier rounds stay in their versions)
        for code, cid, _question, _position in store.ballot_items(ballot):
            if cid in outcome.split_up:
                outcome.notes.append(
                    f"stemronde {ballot}: vraag {cid} ({code}) is opgesplitst in {', '.join(outcome.split_up[cid])}; "
                    f"de stemmen op {code} tellen voor geen van de delen: bekijk de stemronde")
    store.save_clusters(build_id, outcome.clusters, outcome.automatic, outcome.seeds, retired=outcome.split_up)
    return outcome
