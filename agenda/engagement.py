"""Who was heard: the James Lind Alliance's *engagement summary* for one agenda version.

From the formulations on the agenda (``AgendaItem.mentions``), counted per role group, sector,
kind of source and school:

- **sources**: distinct source documents (a meeting report, a case, a survey file);
- **respondents**: distinct voices, the unit the ranking counts (a survey respondent is one; a
  meeting or case document is one);
- **formulations**: the questions as written.

A formulation without a role (sector, school) counts under *niet genoemd*. Roles are the
normalised ones (``agenda.context``: 'Leerkracht' and 'leraar' are one group).

**Missing and under-represented groups** are judged against what the knowledge table meant to
hear: the settings ``expected_roles`` / ``expected_sectors``; when they are empty, the groups the
inputs show (then nothing can be missing, only thin). A group is *under-represented* when fewer
than ``MIN_VOICES`` voices, or under ``THIN_SHARE`` of all voices with a role (sector), come from it.

**Per question**: the role groups that raised it (``AgendaItem.groups``) and, per role group with
at least ``MIN_VOICES`` voices, that group's own top 5: its questions ordered by the number of
that group's distinct voices (then by the combined rank), as priority-setting partnerships
publish per constituency.

Shapes: ``engagement(items, answered, expected_roles, expected_sectors) -> Engagement``;
``fill_groups(items)`` sets ``item.groups`` in place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from agenda.context import SECTORS, normalise_roles
from agenda.models import AgendaItem, Engagement, EngagementRow, GroupTop

__all__ = ["engagement", "fill_groups", "role_plural", "NOT_NAMED", "MIN_VOICES", "THIN_SHARE", "TOP_PER_GROUP"]

NOT_NAMED = "niet genoemd"
MIN_VOICES = 3  # fewer voices than this: a group is thin, and gets no top 5 of its own
THIN_SHARE = 0.05  # under this share of the voices with a role (sector): under-represented
TOP_PER_GROUP = 5


_PLURAL = {"leraar": "leraren", "ib'er": "intern begeleiders", "ouder": "ouders", "leerling": "leerlingen",
           "onderzoeker": "onderzoekers", "schoolleider": "schoolleiders", "bestuurder": "bestuurders"}


def role_plural(role: str) -> str:
    """'leraar' → 'leraren', 'ict-coördinator' → 'ict-coördinatoren', "bovenschools ict'er" → "… ict'ers"."""
    if role in _PLURAL:
        return _PLURAL[role]
    if role.endswith("or"):
        return role + "en"
    if role.endswith(("er", "ent", "ist")):
        return role + "s" if role.endswith("er") else role + "en"
    return role


def _voice(m) -> tuple[str, str | None]:
    """The unit the ranking counts: a survey respondent, else the source document."""
    return (m.source_id, m.respondent if m.kind == "survey" or getattr(m.kind, "value", "") == "survey" else None)


def _kind(m) -> str:
    return getattr(m.kind, "value", None) or str(m.kind)


def fill_groups(items: Iterable[AgendaItem]) -> None:
    """``item.groups``: the role groups (normalised roles) among its formulations, sorted by how many
    voices of that group raised it, then by name; empty when no formulation names a role."""
    for item in items:
        voices: dict[str, set] = defaultdict(set)
        for m in item.mentions:
            for role in normalise_roles(m.roles):
                voices[role].add(_voice(m))
        item.groups = [r for r, _ in sorted(voices.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def _rows(mentions: Sequence, key) -> list[EngagementRow]:
    src: dict[str, set] = defaultdict(set)
    voice: dict[str, set] = defaultdict(set)
    forms: Counter = Counter()
    for m in mentions:
        for value in key(m) or [NOT_NAMED]:
            src[value].add(m.source_id)
            voice[value].add(_voice(m))
            forms[value] += 1
    rows = [EngagementRow(group=g, sources=len(src[g]), respondents=len(voice[g]), formulations=forms[g])
            for g in src]
    rows.sort(key=lambda r: (r.group == NOT_NAMED, -r.respondents, -r.formulations, r.group))
    return rows


def _judge(rows: list[EngagementRow], expected: Sequence[str]) -> tuple[list[str], list[str]]:
    named = {r.group: r for r in rows if r.group != NOT_NAMED}
    total = sum(r.respondents for r in named.values())
    wanted = list(expected) or list(named)
    missing = [g for g in wanted if g not in named]
    thin = [g for g in wanted if g in named and (named[g].respondents < MIN_VOICES
                                                 or named[g].respondents < THIN_SHARE * total)]
    return missing, thin


def engagement(items: Sequence[AgendaItem], answered: Sequence[AgendaItem] = (),
               expected_roles: Sequence[str] = (), expected_sectors: Sequence[str] = ()) -> Engagement:
    """The engagement summary of the questions on the agenda (ranked and answered ones)."""
    every = [*items, *answered]
    mentions = [m for i in every for m in i.mentions]
    roles = _rows(mentions, lambda m: normalise_roles(m.roles))
    sectors = _rows(mentions, lambda m: [s for s in m.sectors if s] if m.sectors else [])
    sectors.sort(key=lambda r: (r.group == NOT_NAMED, SECTORS.index(r.group) if r.group in SECTORS else 99, r.group))
    kinds = _rows(mentions, lambda m: [_kind(m)])
    schools = _rows(mentions, lambda m: [m.school] if m.school else [])
    exp_roles = normalise_roles(expected_roles)
    exp_sectors = [s.strip().lower() for s in expected_sectors if s.strip()]
    missing_roles, thin_roles = _judge(roles, exp_roles)
    missing_sectors, thin_sectors = _judge(sectors, exp_sectors)

    tops: list[GroupTop] = []
    for row in roles:
        if row.group == NOT_NAMED or row.respondents < MIN_VOICES:
            continue
        counted = []
        for item in items:
            voices = {_voice(m) for m in item.mentions if row.group in normalise_roles(m.roles)}
            if voices:
                counted.append((len(voices), item))
        counted.sort(key=lambda vi: (-vi[0], vi[1].rank))
        tops.append(GroupTop(group=row.group, respondents=row.respondents,
                             questions=[vi[1].cluster_id for vi in counted[:TOP_PER_GROUP]],
                             voices=[vi[0] for vi in counted[:TOP_PER_GROUP]]))
    single = [i.cluster_id for i in items if len(i.groups) == 1]
    return Engagement(
        sources=len({m.source_id for m in mentions}),
        respondents=len({_voice(m) for m in mentions}),
        formulations=len(mentions),
        roles=roles, sectors=sectors, kinds=kinds, schools=schools,
        expected_roles=exp_roles, expected_sectors=exp_sectors,
        missing_roles=missing_roles, thin_roles=thin_roles,
        missing_sectors=missing_sectors, thin_sectors=thin_sectors,
        top_per_group=tops, single_group=single,
    )
