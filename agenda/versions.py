"""Versions: labels a funder understands, immutable snapshots, and what changed.

A label names the quarter the version was built in: `2026-Q4`; a second, different build
in the same quarter is `2026-Q4.2`, and so on. A build whose ranked content equals the
latest version's makes no new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence

from agenda.models import (Agenda, AgendaItem, Answered, Changes, ExcludedChange, ExcludedItem, FrequencyChange, Merge,
                           Moved, PriorityRound, RankMove, Renamed, RoundChange, Split, TopChange)

#: A rank move is news to a reader when a question enters or leaves the top TOP, or moves
#: FAR or more places among the questions present in both versions; one- and two-place
#: shuffles further down are not listed (they still show in the ranked list itself).
TOP = 10
FAR = 3


# A label becomes part of file names (kennisagenda-<label>.docx) on any file system, so one
# safe pattern: letters, digits, '.', '_' and '-', starting and ending with a letter or digit.
LABEL_PATTERN = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z._-]{0,38}[0-9A-Za-z])?")
LABEL_MAX = 40


def check_label(label: str) -> str:
    """The label itself when it is safe as a version label and file name; else ValueError (Dutch)."""
    if not isinstance(label, str) or not LABEL_PATTERN.fullmatch(label):
        shown = label if isinstance(label, str) and len(label) <= 60 else f"{str(label)[:57]}..."
        raise ValueError(
            f"ongeldig versielabel '{shown}': gebruik hooguit {LABEL_MAX} letters, cijfers, '.', '_' of '-', "
            "beginnend en eindigend met een letter of cijfer (bijvoorbeeld 2026-Q4 of 2026-Q4-extra)"
        )
    return label


def label_taken(label: str, existing: Sequence[str]) -> str | None:
    """The existing label whose report files `label` would overwrite (case-insensitive file systems too)."""
    from agenda.report import output_stem

    stem = output_stem(label).casefold()
    return next((e for e in existing if output_stem(e).casefold() == stem), None)


def quarter_label(when: dt.datetime | dt.date) -> str:
    return f"{when.year}-Q{(when.month - 1) // 3 + 1}"


def next_label(when: dt.datetime | dt.date, existing: Sequence[str]) -> str:
    """The quarter label, with `.2`, `.3`, ... when that quarter already has versions."""
    base = quarter_label(when)
    taken = set(existing)
    if base not in taken:
        return base
    n = 2
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def content_hash(agenda: Agenda) -> str:
    """Hash of what a reader sees; build time, label and the change section are left out."""
    data = agenda.model_dump(
        mode="json", exclude={"label", "built_at", "content_hash", "changes", "input_fingerprint", "build_info"}
    )
    # without a priority round an agenda hashes as it did before the round existed: an unchanged
    # agenda must not become a new version only because the fields were added
    if data.get("priority_round") is None:
        data.pop("priority_round", None)
    else:  # a ballot read from a file before the first version learns that version's label afterwards
        data["priority_round"].pop("version", None)
    for item in (*data.get("items", []), *data.get("answered", [])):
        if item.get("priority") is None:
            item.pop("priority", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def diff(old: Agenda | None, new_items: Sequence[AgendaItem], new_answered: Sequence[AgendaItem] = (),
         excluded: Sequence[ExcludedItem] = (), new_round: PriorityRound | None = None) -> Changes:
    """What changed from ``old`` to the new ranking: new questions, dropped ones (and, apart, the ones
    the curator excluded, with the reason), merges, renames, rank moves, frequency changes, questions
    that became answered and questions that are no longer answered (back in the ranking), and every
    entry into or exit from the top TOP, whatever its cause.
    When `new_round` (the priority round behind the new items) is new or changed, what the round
    moved is listed apart, and rank moves compare the frequency rankings.

    Rank moves are listed only when they matter to a reader (see TOP and FAR)."""
    if old is None:
        return Changes()
    old_by_id = {i.cluster_id: i for i in old.items}
    new_by_id = {i.cluster_id: i for i in new_items}
    was_answered = {i.cluster_id: i for i in old.answered}
    now_answered = {i.cluster_id for i in new_answered}
    excluded_now = {e.cluster_id: e for e in excluded}
    was_excluded = {e.cluster_id for e in old.excluded}
    # answered questions too: one merged into a ranked question is a merge, not silence
    old_of_mention = {m.id: i.cluster_id for i in [*old.items, *old.answered] for m in i.mentions}

    merges = []
    moved = []
    merged_away: set[str] = set()
    merged_into: dict[str, str] = {}
    standing = new_by_id.keys() | now_answered  # old questions that still stand on their own
    # an old question no part continues, its formulations now in two or more questions: split up
    new_of_mention = {m.id: i.cluster_id for i in new_items for m in i.mentions}
    splits = []
    for before in old.items:
        if before.cluster_id in standing or before.cluster_id in excluded_now:
            continue
        parts = Counter(new_of_mention[m.id] for m in before.mentions if m.id in new_of_mention)
        if len(parts) > 1:
            splits.append(Split(cluster_id=before.cluster_id, question=before.question, old_rank=before.rank,
                                into=sorted(parts, key=lambda p: (-parts[p], p))))
    split_up = {s.cluster_id for s in splits}
    for item in new_items:
        sources = sorted({old_of_mention[m.id] for m in item.mentions if m.id in old_of_mention})
        # a question that no longer stands was merged in; formulations from one that still stands moved
        merged = [s for s in sources if s == item.cluster_id or (s not in standing and s not in split_up)]
        if len(merged) > 1:
            merges.append(Merge(into=item.cluster_id, question=item.question, merged=merged))
            merged_away.update(s for s in merged if s != item.cluster_id)
            merged_into.update({s: item.cluster_id for s in merged if s != item.cluster_id})
        for m in item.mentions:
            origin = old_of_mention.get(m.id)
            if origin is not None and origin != item.cluster_id and origin in standing:
                moved.append(Moved(mention_id=m.id, text=m.text, from_id=origin, into=item.cluster_id,
                                   question=item.question))

    changes = Changes(previous=old.label, merges=merges, moved=moved, splits=splits)
    changes.priority_round = round_change(old.priority_round, new_round, new_items)
    if changes.priority_round is not None:
        # the round's effect is listed on its own: rank moves then compare the frequency rankings
        def rank_of(i: AgendaItem) -> int:
            return i.priority.frequency_rank if i.priority and i.priority.frequency_rank else i.rank
    else:
        def rank_of(i: AgendaItem) -> int:
            return i.rank
    changes.new = [i for i in new_items if i.cluster_id not in old_by_id and i.cluster_id not in was_answered
                   and i.cluster_id not in was_excluded]
    # excluded by the curator in the previous version and back now: not a new question
    changes.readmitted = [i for i in new_items if i.cluster_id not in old_by_id and i.cluster_id in was_excluded]
    gone = [i for cid, i in old_by_id.items()
            if cid not in new_by_id and cid not in merged_away and cid not in now_answered and cid not in split_up]
    changes.excluded = [ExcludedChange(cluster_id=i.cluster_id, question=i.question, old_rank=i.rank,
                                       why=excluded_now[i.cluster_id].why)
                        for i in gone if i.cluster_id in excluded_now and i.cluster_id not in was_excluded]
    changes.dropped = [i for i in gone if i.cluster_id not in excluded_now]
    # an answered question that no longer stands anywhere (its sources gone, excluded, merged away)
    changes.dropped_answered = [i for cid, i in was_answered.items()
                                if cid not in new_by_id and cid not in now_answered and cid not in merged_away]
    for item in new_answered:
        if item.cluster_id in was_answered:
            continue
        ref = next((e for e in item.evidence if e.status == "answers"), None)
        if ref is not None:
            changes.answered.append(Answered(cluster_id=item.cluster_id, question=item.question, source_id=ref.id,
                                             source=cite(ref)))
    changes.unanswered = [RankMove(cluster_id=i.cluster_id, question=i.question,
                                   old_rank=was_answered[i.cluster_id].rank, new_rank=i.rank)
                          for i in sorted(new_items, key=lambda i: i.rank) if i.cluster_id in was_answered]
    for item in sorted(new_items, key=lambda i: i.rank):
        before = old_by_id.get(item.cluster_id) or was_answered.get(item.cluster_id)
        if before is not None and " ".join(before.question.split()) != " ".join(item.question.split()):
            changes.renamed.append(Renamed(cluster_id=item.cluster_id, old=before.question, new=item.question))
    # A question only "moves" when its order relative to the questions in both versions changes:
    # shifting down one place because a new question entered above it is not news.
    both = old_by_id.keys() & new_by_id.keys()

    def places(items: Sequence[AgendaItem]) -> dict[str, int]:
        ordered = [i.cluster_id for i in sorted(items, key=rank_of) if i.cluster_id in both]
        return {cid: n for n, cid in enumerate(ordered)}

    old_place, new_place = places(old.items), places(new_items)
    for item in new_items:
        before = old_by_id.get(item.cluster_id)
        if before is None:
            continue
        shift = new_place[item.cluster_id] - old_place[item.cluster_id]
        if shift and (abs(shift) >= FAR or (rank_of(before) <= TOP) != (rank_of(item) <= TOP)):
            changes.moves.append(RankMove(cluster_id=item.cluster_id, question=item.question,
                                          old_rank=rank_of(before), new_rank=rank_of(item)))
        if before.frequency != item.frequency:
            changes.frequency.append(
                FrequencyChange(cluster_id=item.cluster_id, question=item.question, old=before.frequency,
                                new=item.frequency)
            )
    changes.moves.sort(key=lambda m: (-abs(m.old_rank - m.new_rank), m.new_rank))

    # the top TOP by absolute place: every entry and exit, whatever moved it (answered questions
    # leaving the ranking lift others in without any relative move)
    for item in sorted(new_items, key=lambda i: i.rank):
        before = old_by_id.get(item.cluster_id)
        if item.rank <= TOP and (before is None or before.rank > TOP):
            how = ("niet langer beantwoord" if item.cluster_id in was_answered
                   else "niet langer uitgesloten" if item.cluster_id in was_excluded and before is None
                   else "nieuw" if before is None
                   else "door de prioriteringsronde" if changes.priority_round and rank_of(item) > TOP
                   else "gestegen")
            changes.top_in.append(TopChange(cluster_id=item.cluster_id, question=item.question,
                                            old_rank=before.rank if before else None, new_rank=item.rank, how=how))
    for before in sorted(old.items, key=lambda i: i.rank):
        if before.rank > TOP:
            continue
        now = new_by_id.get(before.cluster_id)
        if now is not None and now.rank <= TOP:
            continue
        cid = before.cluster_id
        how = ("door de prioriteringsronde" if now is not None and changes.priority_round and rank_of(now) <= TOP
               else "gedaald" if now is not None else "beantwoord" if cid in now_answered
               else "uitgesloten" if cid in excluded_now else "samengevoegd" if cid in merged_into
               else "opgesplitst" if cid in split_up else "vervallen")
        changes.top_out.append(TopChange(cluster_id=cid, question=before.question, old_rank=before.rank,
                                         new_rank=now.rank if now else None, how=how))
    return changes


def round_change(old: PriorityRound | None, new: PriorityRound | None,
                 items: Sequence[AgendaItem]) -> RoundChange | None:
    """What a new or changed priority round moved: every question whose place after the round
    differs from its place on the frequency ranking, when either place is in the top TOP (so what
    entered, left or moved within the top). None when the round is the same as the old version's
    (or there is none)."""
    if new is None:
        return None
    if old is not None and (old.ballot, old.voters, [e.code for e in old.ranking]) == (
            new.ballot, new.voters, [e.code for e in new.ranking]):
        return None
    moved = [RankMove(cluster_id=i.cluster_id, question=i.question, old_rank=i.priority.frequency_rank,
                      new_rank=i.rank)
             for i in items if i.priority and i.priority.frequency_rank and i.priority.frequency_rank != i.rank
             and min(i.rank, i.priority.frequency_rank) <= TOP]
    moved.sort(key=lambda m: m.new_rank)
    return RoundChange(ballot=new.ballot, version=new.version, n_voters=sum(new.voters.values()),
                       groups=dict(new.voters), moved=moved)


def describe(changes: Changes) -> list[str]:
    """The changes as Dutch lines, for `kennisagenda diff` and the run summary."""
    if changes.previous is None:
        return ["Dit is de eerste versie: er is geen eerdere versie om mee te vergelijken."]
    if changes.empty:
        return [f"Geen verschillen met versie {changes.previous}."]
    lines = [f"Veranderd ten opzichte van versie {changes.previous}:"]
    lines += [f"+ nieuw (#{i.rank}): {i.question} [{i.cluster_id}]" for i in changes.new]
    lines += [f"+ niet langer uitgesloten, weer in de rangorde (#{i.rank}): {i.question} [{i.cluster_id}]"
              for i in changes.readmitted]
    lines += [f"- vervallen (was #{i.rank}): {i.question} [{i.cluster_id}]" for i in changes.dropped]
    lines += [f"- vervallen (was beantwoord): {i.question} [{i.cluster_id}]" for i in changes.dropped_answered]
    lines += [f"- uitgesloten door de curator (was #{e.old_rank}): {e.question} [{e.cluster_id}]; reden: "
              f"{e.why or 'geen reden opgegeven'}" for e in changes.excluded]
    lines += [f"= samengevoegd: {', '.join(m.merged)} → {m.into}: {m.question}" for m in changes.merges]
    lines += [f"⑂ opgesplitst (was #{s.old_rank}): {s.question} [{s.cluster_id}] → {', '.join(s.into)}; besluiten en "
              f"stemmen over {s.cluster_id} gelden voor geen van de delen: bekijk ze" for s in changes.splits]
    lines += [f"→ verplaatst: formulering {m.mention_id} ‘{m.text}’ van {m.from_id} → {m.into}: {m.question}"
              for m in changes.moved]
    lines += [f"✎ herformuleerd: {r.old} → {r.new} [{r.cluster_id}]" for r in changes.renamed]
    lines += [f"↕ rang {m.old_rank} → {m.new_rank}: {m.question} [{m.cluster_id}]" for m in changes.moves]
    lines += [f"# bronnen {f.old} → {f.new}: {f.question} [{f.cluster_id}]" for f in changes.frequency]
    lines += [f"✓ beantwoord door {a.source}: {a.question} [{a.cluster_id}]" for a in changes.answered]
    lines += [f"↩ niet langer beantwoord, terug in de rangorde op #{m.new_rank}: {m.question} [{m.cluster_id}]"
              for m in changes.unanswered]
    lines += [f"▲ in de top {TOP} (#{c.new_rank}, {c.how}): {c.question} [{c.cluster_id}]" for c in changes.top_in]
    lines += [f"▼ uit de top {TOP} (was #{c.old_rank}, {c.how}"
              f"{f', nu #{c.new_rank}' if c.new_rank else ''}): {c.question} [{c.cluster_id}]" for c in changes.top_out]
    if (r := changes.priority_round) is not None:
        groups = ", ".join(f"{g} {n}" for g, n in r.groups.items())
        lines.append(f"★ prioriteringsronde {r.ballot} (stembiljet van versie {r.version}): {r.n_voters} stemmers "
                     f"({groups}); de volgorde volgt nu de ronde")
        lines += [f"★ door de ronde naar plaats {m.new_rank} (naar hoe vaak genoemd: {m.old_rank}): "
                  f"{m.question} [{m.cluster_id}]" for m in r.moved]
    return lines


def cite(ref) -> str:
    """'Molenaar & Knoop-van Campen (2019), How teachers make …' from an EvidenceRef/KnowledgeRef."""
    families = [a.split(",")[0].strip() for a in ref.authors if a.strip()]
    if not families:
        who = ""
    elif len(families) == 1:
        who = families[0]
    elif len(families) == 2:
        who = f"{families[0]} & {families[1]}"
    else:
        who = f"{families[0]} e.a."
    year = f" ({ref.year})" if ref.year else ""
    return f"{who}{year}, {ref.title}" if who else f"{ref.title}{year}"
