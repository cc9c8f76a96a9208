"""Ranking by frequency and context, with a plain-Dutch explanation of every score.

score = priority × ( w.sources × role-balanced distinct sources
                   + w.schools × distinct schools
                   + w.kinds   × (distinct source kinds − 1)
                   + w.sectors × distinct sectors
                   + w.roles   × distinct roles
                   + w.levels  × distinct levels )

Distinct sources: a meeting, a case school, a survey respondent, a publication; one
meeting repeating a question five times counts once. Sectors and roles are counted from a
question's own context (agenda.context normalises their names: "Leerkracht" and "leraar" are one
role): a case's school, a survey respondent, an inline note or table row. The sectors in a
meeting's or publication's front matter are its audience, not evidence that each of its
questions came from each of them, so a formulation that only inherits them adds no sector. Role balance (as the James Lind
Alliance's interim prioritisation keeps counts per constituency): sources are counted
per role group, and no role group contributes more than `role_cap` of the total, so forty
survey answers from one role cannot drown the other groups. Sources without a role
(meetings, cases) form no group and are never capped. Optional recency decay halves the
weight of a source every `recency_half_life_days`. Ties break on frequency, sector count,
mentions, then cluster id, so the order is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from agenda.context import normalise_roles
from agenda.dedupe.text import lead_in_of
from agenda.models import SECTORS, AgendaItem, Cluster, Curation, Mention, MentionRef, Source, SourceKind
from agenda.settings import RankWeights

# Kinds whose front-matter sectors describe who was there or who is addressed, not where a question came from
AUDIENCE_KINDS = frozenset({SourceKind.meeting, SourceKind.publication})

KIND_NL = {
    SourceKind.meeting: ("bijeenkomst", "bijeenkomsten"),
    SourceKind.case: ("casus", "casussen"),
    SourceKind.survey: ("enquêtereactie", "enquêtereacties"),
    SourceKind.publication: ("publicatie", "publicaties"),
}
LEVEL_ORDER = ("leerling", "leraar", "team", "school", "bestuur")


def _nl(x: float) -> str:
    """A number the Dutch way: 2,5 not 2.5; whole numbers without decimals."""
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.2f}".rstrip("0").replace(".", ",")


def _plural(n: float, one: str, many: str) -> str:
    """'1 school', '2,5 bronnen': counts may be fractional (role balance, recency)."""
    return f"{_nl(round(n, 2))} {one if n == 1 else many}"


def _ordered(values: set[str], order: Sequence[str]) -> list[str]:
    return sorted(values, key=lambda v: (order.index(v) if v in order else len(order), v))


def role_balanced(per_role: dict[str, float], unassigned: float, cap_share: float) -> float:
    """Distinct sources with no role group above `cap_share` of the total.

    A dominant group is capped at the share it would have if it were exactly `cap_share`
    of a total made of the other groups plus itself: cap = share/(1-share) × others.
    A lone group (no other voices at all) is not capped: there is nobody to drown.
    """
    total = 0.0
    for role, n in per_role.items():
        others = unassigned + sum(v for r, v in per_role.items() if r != role)
        if others > 0 and 0 < cap_share < 1:
            n = min(n, max(1.0, cap_share / (1 - cap_share) * others))
        total += n
    return total + unassigned


def own_sectors(m: Mention, src: Source) -> list[str]:
    """The sectors a formulation's own context names: a meeting's or publication's front-matter
    sectors (which every formulation in it inherits when it names none) are left out."""
    sectors = m.context.sectors or src.context.sectors
    if src.kind in AUDIENCE_KINDS and sectors == src.context.sectors:
        return []
    return list(sectors)


def rank_clusters(
    clusters: Sequence[Cluster],
    mentions: Sequence[Mention],
    sources: Sequence[Source],
    weights: RankWeights,
    curation: Curation | None = None,
    today: dt.date | None = None,
    role_names: Mapping[str, str] | None = None,
) -> list[AgendaItem]:
    """Score and order the clusters that are not excluded; every item explains its score.

    `role_names`: the settings' extension of the role vocabulary (written name → role, see
    agenda.context.normalise_role)."""
    curation = curation or Curation()
    today = today or dt.date.today()
    mention_by_id = {m.id: m for m in mentions}
    source_by_id = {s.id: s for s in sources}
    items = []
    for cluster in clusters:
        if cluster.excluded is not None:
            continue
        members = [mention_by_id[m] for m in cluster.mention_ids if m in mention_by_id]
        if not members:
            continue
        units: dict[tuple[str, str | None], float] = {}  # distinct source -> weight
        unit_role: dict[tuple[str, str | None], str] = {}  # the role group a source is balanced in
        unit_roles: dict[tuple[str, str | None], set[str]] = defaultdict(set)  # every role it names
        kinds: dict[str, set] = defaultdict(set)
        schools, sectors, roles, levels, titles = set(), set(), set(), set(), []
        refs = []
        for m in members:
            src = source_by_id.get(m.source_id)
            if src is None:
                continue
            unit = (src.id, m.respondent)
            date = m.date or src.date
            weight = 1.0
            if weights.recency_half_life_days and date:
                weight = 0.5 ** (max((today - date).days, 0) / weights.recency_half_life_days)
            units[unit] = max(units.get(unit, 0.0), weight)
            kinds[src.kind.value].add(unit)
            ctx_sectors = own_sectors(m, src)
            ctx_roles = normalise_roles(m.context.roles or src.context.roles, role_names)
            school = m.context.school or src.context.school
            level = m.context.level or src.context.level
            if ctx_roles and unit not in unit_role:
                unit_role[unit] = ctx_roles[0]
            unit_roles[unit].update(ctx_roles)
            sectors.update(ctx_sectors)
            roles.update(ctx_roles)
            if school:
                schools.add(school)
            if level:
                levels.add(level)
            if src.title not in titles:
                titles.append(src.title)
            refs.append(MentionRef(id=m.id, text=m.text, source=src.title, source_id=src.id, source_path=src.path,
                                   kind=src.kind, respondent=m.respondent, date=date, sectors=ctx_sectors, roles=ctx_roles, level=level,
                                   school=school, lead_in=lead_in_of(m.extra)))
        if not units:
            continue
        per_role: dict[str, float] = defaultdict(float)
        unassigned = 0.0
        for unit, w in units.items():
            role = unit_role.get(unit)
            if role is None:
                unassigned += w
            else:
                per_role[role] += w
        balanced = role_balanced(per_role, unassigned, weights.role_cap)
        parts = [
            (weights.sources, balanced, ("bron", "bronnen")),
            (weights.schools, len(schools), ("school", "scholen")),
            (weights.kinds, max(len(kinds) - 1, 0), ("extra soort bron", "extra soorten bron")),
            (weights.sectors, len(sectors), ("sector", "sectoren")),
            (weights.roles, len(roles), ("rol", "rollen")),
            (weights.levels, len(levels), ("niveau", "niveaus")),
        ]
        base = sum(w * n for w, n, _ in parts)
        priority = curation.priority.get(cluster.id, 1.0)
        score = round(base * priority, 4)

        kind_counts = {k: len(v) for k, v in sorted(kinds.items())}
        role_counts = dict(sorted(Counter(r for u in units for r in unit_roles[u]).items()))
        kind_text = ", ".join(
            _plural(n, *KIND_NL[SourceKind(k)]) for k, n in sorted(kind_counts.items(), key=lambda kv: -kv[1])
        )
        sector_list = _ordered(sectors, SECTORS)
        role_list = sorted(roles)
        level_list = _ordered(levels, LEVEL_ORDER)
        facts = [f"genoemd in {_plural(len(units), 'bron', 'bronnen')} ({kind_text})"]
        if schools:
            facts.append(_plural(len(schools), "school", "scholen"))
        if sectors:
            facts.append(f"{_plural(len(sectors), 'sector', 'sectoren')} ({', '.join(sector_list)})")
        if roles:
            facts.append(f"{_plural(len(roles), 'rol', 'rollen')} ({', '.join(f'{r} {n}' for r, n in role_counts.items())})")
        if levels:
            facts.append(f"{_plural(len(levels), 'niveau', 'niveaus')} ({', '.join(level_list)})")
        terms = " + ".join(f"{_nl(w)} × {_plural(n, *label)}" for w, n, label in parts if w and n)
        explanation = "; ".join(facts).capitalize() + f". Score {_nl(score)} = {terms or '0'}"
        if balanced < len(units) - 1e-9 and not weights.recency_half_life_days:
            explanation += f" (bronnen per rol begrensd: {_nl(round(balanced, 2))} van {len(units)} tellen mee)"
        if priority != 1.0:
            explanation += f", × {_nl(priority)} prioriteit van de curator"
        explanation += "."

        items.append(
            AgendaItem(
                rank=0, cluster_id=cluster.id, question=cluster.question, score=score, frequency=len(units),
                n_mentions=len(members), n_schools=len(schools), kinds=kind_counts, sources=titles,
                contexts={"sector": sector_list, "role": role_list, "level": level_list},
                role_counts=role_counts, explanation=explanation,
                theme=curation.theme.get(cluster.id), question_type=curation.question_type.get(cluster.id),
                knowledge=curation.knowledge.get(cluster.id) or AgendaItem.model_fields["knowledge"].default_factory(),
                mentions=sorted(refs, key=lambda r: (r.date or dt.date.max, r.source_path, r.id)),
            )
        )
    items.sort(key=lambda i: (-i.score, -i.frequency, -len(i.contexts["sector"]), -i.n_mentions, i.cluster_id))
    for rank, item in enumerate(items, start=1):
        item.rank = rank
    return items
