"""Scoring a priority round exactly as the James Lind Alliance's interim priority setting.

Source: JLA Guidebook (version 10, 2021), ch. 7 "Interim priority setting" and the page
"Collating and scoring interim priorities": each respondent chooses and ranks their 10 most
important questions; rank 1 earns 10 points … rank 10 earns 1; points are totalled per
stakeholder group; each group's totals become *position scores* (with N questions on the ballot
a group's first question gets N, its last 1); the groups' position scores are summed, so every
group weighs the same whatever its size.

Choices the guidebook leaves open, fixed here (and stated in the report):

- **ties inside a group**: questions with equal points share the average of the positions they
  occupy (fractional ranking: two questions tied for first of N both get N − 0.5). Every group's
  position scores therefore add up to N(N+1)/2, exactly the same weight for every group.
- **questions a group did not vote for** (0 points) are one tie at the bottom: they share the
  average of the remaining positions (with 3 of 5 voted: 1.5 each).
- **tie rule for the combined ranking**: a higher combined position score first; on equal scores,
  the question in more groups' top 10 first; then the higher raw point total (all groups
  together); then the agenda order the ballot was made in (the frequency ranking).
- **a group's top 10**: its questions with points, by points, equal points in ballot order.
- **shortlist**: the union of the groups' top k (k = 10 by default), in combined order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_CHOICES = 10
TIE_RULE = ("bij gelijke totaalscore gaat de vraag voor die in de top 10 van meer groepen staat, "
            "dan de vraag met meer punten (alle groepen samen), dan de volgorde van het stembiljet "
            "(de rangorde naar hoe vaak de vraag is genoemd)")


@dataclass(frozen=True)
class BallotQuestion:
    code: str  # V01
    cluster_id: str  # Q-…
    question: str
    position: int  # 1-based place on the ballot (= agenda order when it was made)


@dataclass(frozen=True)
class Vote:
    respondent: str  # a pseudonymous key, never a name or e-mail address
    group: str  # the normalised role group ('onbekend' for an empty role)
    choices: tuple[str, ...]  # ballot codes, first choice first; at most MAX_CHOICES, no repeats
    ranks: tuple[int, ...] = ()  # the rank each choice was given (1 = first); empty: 1, 2, 3, …


@dataclass
class Scored:
    code: str
    rank: int
    combined: float
    points: dict[str, int]
    positions: dict[str, float]
    total_points: int
    in_top10: list[str]


@dataclass
class RoundScore:
    n_questions: int
    voters: dict[str, int]  # group -> voters, largest group first (then by name)
    ranking: list[Scored]  # every ballot question, combined order
    group_top: dict[str, list[str]]  # group -> its top 10 codes, best first
    shortlist: list[str]  # union of the groups' top k, combined order
    shortlist_k: int = 10
    by_code: dict[str, Scored] = field(default_factory=dict)


def points_for(rank: int) -> int:
    """Rank 1 → 10 points … rank 10 → 1; anything past 10 earns nothing."""
    return max(MAX_CHOICES + 1 - rank, 0)


def position_scores(points: dict[str, int], order: Sequence[str]) -> dict[str, float]:
    """One group's position scores: with N = len(order), the most points get N, the fewest 1.

    Equal points (including the unvoted questions' 0) share the average of their positions."""
    n = len(order)
    ranked = sorted(order, key=lambda c: -points.get(c, 0))
    out: dict[str, float] = {}
    i = 0
    while i < n:
        j = i
        while j + 1 < n and points.get(ranked[j + 1], 0) == points.get(ranked[i], 0):
            j += 1
        # places i..j (0-based) hold positions n-i … n-j: their mean
        share = ((n - i) + (n - j)) / 2
        for c in ranked[i:j + 1]:
            out[c] = share
        i = j + 1
    return out


def score_round(ballot: Sequence[BallotQuestion], votes: Sequence[Vote], shortlist_k: int = MAX_CHOICES) -> RoundScore:
    """Score the votes on `ballot` (see the module docstring for the method and its tie rules).

    Choices not on the ballot must have been removed by the reader. A vote with no choices
    counts for nothing (and is not a voter)."""
    order = [q.code for q in sorted(ballot, key=lambda q: q.position)]
    place = {c: n for n, c in enumerate(order)}
    group_points: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    voters: dict[str, int] = defaultdict(int)
    for vote in votes:
        choices = [c for c in vote.choices if c in place]
        if not choices:
            continue
        voters[vote.group] += 1
        ranks = vote.ranks or tuple(range(1, len(vote.choices) + 1))
        for code, rank in zip(vote.choices, ranks, strict=True):
            if code in place:
                group_points[vote.group][code] += points_for(rank)
    groups = sorted(voters, key=lambda g: (-voters[g], g))
    positions = {g: position_scores(group_points[g], order) for g in groups}
    group_order = {  # each group's questions with points: by points, equal points in ballot order
        g: [c for c in sorted(order, key=lambda c: (-group_points[g].get(c, 0), place[c]))
            if group_points[g].get(c, 0) > 0]
        for g in groups
    }
    group_top = {g: group_order[g][:MAX_CHOICES] for g in groups}
    scored = []
    for c in order:
        scored.append(Scored(
            code=c, rank=0,
            combined=sum(positions[g][c] for g in groups),
            points={g: group_points[g].get(c, 0) for g in groups},
            positions={g: positions[g][c] for g in groups},
            total_points=sum(group_points[g].get(c, 0) for g in groups),
            in_top10=[g for g in groups if c in group_top[g]],
        ))
    scored.sort(key=lambda s: (-s.combined, -len(s.in_top10), -s.total_points, place[s.code]))
    for n, s in enumerate(scored, start=1):
        s.rank = n
    tops_k = {g: group_order[g][:shortlist_k] for g in groups}
    chosen = {c for top in tops_k.values() for c in top}
    shortlist = [s.code for s in scored if s.code in chosen]
    return RoundScore(n_questions=len(order), voters={g: voters[g] for g in groups}, ranking=scored,
                      group_top=group_top, shortlist=shortlist, shortlist_k=shortlist_k,
                      by_code={s.code: s for s in scored})
