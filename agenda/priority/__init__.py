"""The stakeholder priority round: from "asked most often" to "what the field puts first".

Stage in the build, after evidence and ranking, before the version is stored:
gather → dedupe → evidence → rank → **priority round** → publish.

Public interface::

    make_ballot(agenda, max_n=80) -> list[BallotQuestion]        (ballot.py; `kennisagenda stemronde`)
    write_ballot(ballot, path, label) -> Path
    round_stage(store, build_id, inputs_dir, limits, role_names) -> digests    read inputs/stemronde/, store the votes
    apply_round(store, build_id, items, answered) -> (items, PriorityRound | None)
    score_round(ballot, votes) -> RoundScore                      (scoring.py: the JLA method, pure)

Which ballot the votes are counted on: a ballot sheet in inputs/stemronde/ (as `stemronde -o`
writes it), else the newest ballot stored by `kennisagenda stemronde`. An export whose bytes were
already counted in an earlier round is not counted again (a warning says to move it to
inputs/stemronde/archief/), so a new ballot for a later version never mixes rounds; the earlier
round's votes stay stored with their ballot, and its results stay in the versions built with it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from agenda.dedupe.ids import Resolver
from agenda.dedupe.text import agenda_text
from agenda.models import AgendaItem, Priority, PriorityRound, RoundEntry
from agenda.priority.ballot import MAX_BALLOT, make_ballot, write_ballot
from agenda.priority.scoring import TIE_RULE, BallotQuestion, RoundScore, Vote, score_round
from agenda.priority.votes import ROUND_DIR, read_votes, scan
from agenda.settings import Limits
from agenda.store import Store

__all__ = ["MAX_BALLOT", "ROUND_DIR", "TIE_RULE", "BallotQuestion", "RoundScore", "Vote", "apply_round",
           "make_ballot", "round_stage", "score_round", "store_ballot", "write_ballot"]


def store_ballot(store: Store, ballot: list[BallotQuestion], version_label: str, origin: str) -> tuple[str, bool]:
    """Store a ballot with the version it was made from; returns (ballot id, whether new)."""
    return store.save_ballot(version_label, [(q.code, q.cluster_id, q.question, q.position) for q in ballot], origin)


def _ballot(store: Store, ballot_id: str) -> list[BallotQuestion]:
    return [BallotQuestion(code=c, cluster_id=cid, question=q, position=p) for c, cid, q, p in store.ballot_items(ballot_id)]


def round_stage(store: Store, build_id: int, inputs_dir: Path, limits: Limits | None = None,
                role_names: dict[str, str] | None = None) -> dict[str, str]:
    """Read inputs/stemronde/ and store its votes on the round's ballot for this build
    (`role_names`: the settings' extension of the role vocabulary).

    Unreadable files become rejections (errors) of the build; bad rows become warnings. Returns
    {relative path: sha256} of the files in the folder, for the build's input fingerprint."""
    found = scan(Path(inputs_dir), limits)
    if found.errors:
        store.record_rejections(build_id, found.errors)
    if not found.tables:
        return found.digests
    ballots = store.ballots()
    if found.ballot is not None:
        latest = store.latest_version_info()
        ballot_id, _ = store.save_ballot(str(latest["label"]) if latest else "",
                                         [(q.code, q.cluster_id, q.question, q.position) for q in found.ballot],
                                         found.ballot_file or ROUND_DIR)
    elif ballots:
        ballot_id = str(ballots[-1]["id"])
    else:
        store.record_round_warnings(build_id, [(t.file, None, (
            "stemronde: er is nog geen stembiljet; maak het met `kennisagenda stemronde -o stembiljet.xlsx` "
            "(of zet het stembiljet in deze map): de stemmen tellen nog niet mee")) for t in found.tables])
        return found.digests
    ballot = _ballot(store, ballot_id)
    info = {str(b["id"]): b for b in store.ballots()}
    elsewhere = store.vote_files_elsewhere(ballot_id)
    tables, warnings = [], []
    for t in found.tables:
        if t.digest in elsewhere and elsewhere[t.digest] != ballot_id:
            old = info.get(elsewhere[t.digest], {})
            warnings.append((t.file, None, (
                f"stemronde: deze export is al geteld in ronde {elsewhere[t.digest]} (stembiljet van versie "
                f"{old.get('version_label') or '?'}); hij telt niet mee voor ronde {ballot_id}: verplaats hem naar "
                f"inputs/{ROUND_DIR}/archief/")))
            continue
        tables.append(t)
    read = read_votes(tables, ballot, role_names)
    warnings += [(w.file, w.line, w.reason) for w in read.warnings]
    digest_of = {t.file: t.digest for t in tables}
    rows = [(read.file_of[v.respondent], digest_of[read.file_of[v.respondent]], v.respondent, v.group, rank, code)
            for v in read.votes for code, rank in zip(v.choices, v.ranks, strict=True)]
    store.save_votes(ballot_id, build_id, rows, warnings)
    return found.digests


def load_round(store: Store, ballot_id: str) -> tuple[list[BallotQuestion], list[Vote], list[str]]:
    """A stored round: its ballot, one Vote per respondent, and the files the votes came from."""
    per: dict[str, list[tuple[int, str]]] = defaultdict(list)
    group: dict[str, str] = {}
    files: list[str] = []
    for file, _h, who, grp, choice, code in store.votes(ballot_id):
        per[who].append((choice, code))
        group[who] = grp
        if file not in files:
            files.append(file)
    votes = [Vote(respondent=w, group=group[w], choices=tuple(c for _, c in sorted(cs)),
                  ranks=tuple(r for r, _ in sorted(cs))) for w, cs in per.items()]
    return _ballot(store, ballot_id), votes, files


_COUNTED = re.compile(r"^stemronde: (\d+) rij(?:en)? met (.+?) \(rij")


def _warning_counts(store: Store, build_id: int) -> dict[str, int]:
    """Bad rows of this build's round, per kind (from the warnings round_stage stored)."""
    counts: dict[str, int] = defaultdict(int)
    for r in store.rejected(build_id):
        if r.severity == "warning" and (m := _COUNTED.match(r.reason)):
            counts[m[2]] += int(m[1])
    return dict(counts)


def _fates(store: Store, ballot: list[BallotQuestion], items: list[AgendaItem], answered: list[AgendaItem],
           current: Resolver, code_of: dict[str, str]) -> dict[str, str]:
    """Ballot code -> where a ballot question that is no longer on the agenda went, in Dutch.

    `current` resolves an id to the agenda question carrying it (None: not on the agenda);
    `code_of`: agenda question id -> its ballot code. "beantwoord" / "uitgesloten" by the
    curator; "opgegaan in V02" when its formulations now sit mostly in another question, named by
    that question's ballot code (else its place on the agenda): the formulations its id held when the database
    last saw it, or, in a database built afresh, the formulation the ballot showed (as the agenda
    writes a formulation, `agenda_text`) — a funder reading the round's top 10 sees which
    question carries it on."""
    if all(current(q.cluster_id) for q in ballot):
        return {}  # the usual case: every ballot question is still on the agenda
    on_agenda = {i.cluster_id for i in items}
    answered_ids = {i.cluster_id for i in answered}
    excluded = {c.id for c in store.clusters() if c.excluded is not None}
    known = Resolver(on_agenda | answered_ids | excluded)  # an old 6-digit ballot id: its long form
    holder = {m.id: i.cluster_id for i in (*items, *answered) for m in i.mentions}
    rank_of = {i.cluster_id: i.rank for i in items}
    history = store.id_history()
    out: dict[str, str] = {}
    for q in ballot:
        cid = known(q.cluster_id) or q.cluster_id
        if cid in on_agenda:
            continue
        if cid in answered_ids:
            out[q.code] = "beantwoord"
            continue
        if cid in excluded:
            out[q.code] = "uitgesloten"
            continue
        votes = Counter(holder[m] for m in history.get(q.cluster_id) or history.get(cid) or () if m in holder)
        if not votes:  # a database built afresh never saw the ballot's ids: its text is a formulation
            shown = " ".join(q.question.split())
            votes = Counter(i.cluster_id for i in (*items, *answered) for m in i.mentions
                            if " ".join(agenda_text(m.text).split()) == shown)
        if not votes:
            continue
        target = min(votes, key=lambda c: (-votes[c], c))
        if target in answered_ids:
            out[q.code] = "opgegaan in een vraag die beantwoord is"
        elif target in code_of:
            out[q.code] = f"opgegaan in {code_of[target]}"
        else:  # a question that was not on the ballot: its place, never a bare Q- id in the report's body
            out[q.code] = f"opgegaan in vraag {rank_of[target]} van de agenda"
    return out


def apply_round(store: Store, build_id: int, items: list[AgendaItem],
                answered: list[AgendaItem] | None = None) -> tuple[list[AgendaItem], PriorityRound | None]:
    """Order `items` by the round this build read (if any) and give each ballot question its `priority`.

    Questions on the ballot come first, in the round's combined order; agenda questions added
    after the ballot follow in their frequency order (no priority). A ballot question no longer
    on the agenda keeps its place in the round's ranking with `on_agenda` False and its `fate`
    (`answered`: the questions out of the ranking, to tell "beantwoord" from a merge). Without
    votes, `items` are returned unchanged with None."""
    ballot_id = store.round_of_build(build_id)
    if ballot_id is None:
        return items, None
    ballot, votes, files = load_round(store, ballot_id)
    score = score_round(ballot, votes)
    if not score.voters:
        return items, None
    by_code = {q.code: q for q in ballot}
    # a ballot of a database from before 2026-12 names 6-digit ids: each means the agenda question
    # carrying its 12-digit form (agenda.dedupe.ids), e.g. after the database was built afresh
    current = Resolver(i.cluster_id for i in items)
    code_of = {current(q.cluster_id) or q.cluster_id: q.code for q in ballot}
    on_agenda = {i.cluster_id for i in items}
    for item in items:
        code = code_of.get(item.cluster_id)
        if code is None:
            continue
        s = score.by_code[code]
        item.priority = Priority(rank=s.rank, combined=s.combined, positions=s.positions, points=s.points,
                                 voters=dict(score.voters), code=code, in_top10=s.in_top10,
                                 frequency_rank=item.rank, shortlist=code in score.shortlist)
    voted = sorted((i for i in items if i.priority), key=lambda i: i.priority.rank)
    rest = [i for i in items if not i.priority]
    ordered = voted + rest
    for n, item in enumerate(ordered, start=1):
        item.rank = n
    info = next(b for b in store.ballots() if b["id"] == ballot_id)
    fates = _fates(store, ballot, items, answered or [], current, code_of)
    result = PriorityRound(
        ballot=ballot_id, version=str(info["version_label"]), n_questions=score.n_questions, files=files,
        voters=dict(score.voters),
        ranking=[RoundEntry(code=s.code, cluster_id=by_code[s.code].cluster_id, question=by_code[s.code].question,
                            rank=s.rank, combined=s.combined, points=s.total_points, n_top10=len(s.in_top10),
                            on_agenda=current(by_code[s.code].cluster_id) in on_agenda,
                            fate=fates.get(s.code, "")) for s in score.ranking],
        group_top=score.group_top, shortlist_k=score.shortlist_k, shortlist=score.shortlist,
        warnings=_warning_counts(store, build_id), not_on_ballot=[i.cluster_id for i in rest], tie_rule=TIE_RULE,
    )
    return ordered, result
