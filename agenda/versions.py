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
from collections.abc import Sequence

from agenda.models import Agenda, AgendaItem, Answered, Changes, FrequencyChange, Merge, Moved, RankMove

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
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def diff(old: Agenda | None, new_items: Sequence[AgendaItem], new_answered: Sequence[AgendaItem] = ()) -> Changes:
    """New questions, dropped ones, merges, rank moves, frequency changes and questions that
    became answered (by a source of the evidence library) from old to new.

    Rank moves are listed only when they matter to a reader (see TOP and FAR)."""
    if old is None:
        return Changes()
    old_by_id = {i.cluster_id: i for i in old.items}
    new_by_id = {i.cluster_id: i for i in new_items}
    was_answered = {i.cluster_id for i in old.answered}
    now_answered = {i.cluster_id for i in new_answered}
    old_of_mention = {m.id: i.cluster_id for i in old.items for m in i.mentions}

    merges = []
    moved = []
    merged_away: set[str] = set()
    standing = new_by_id.keys() | now_answered  # old questions that still stand on their own
    for item in new_items:
        sources = sorted({old_of_mention[m.id] for m in item.mentions if m.id in old_of_mention})
        # a question that no longer stands was merged in; formulations from one that still stands moved
        merged = [s for s in sources if s == item.cluster_id or s not in standing]
        if len(merged) > 1:
            merges.append(Merge(into=item.cluster_id, question=item.question, merged=merged))
            merged_away.update(s for s in merged if s != item.cluster_id)
        for m in item.mentions:
            origin = old_of_mention.get(m.id)
            if origin is not None and origin != item.cluster_id and origin in standing:
                moved.append(Moved(mention_id=m.id, text=m.text, from_id=origin, into=item.cluster_id,
                                   question=item.question))

    changes = Changes(previous=old.label, merges=merges, moved=moved)
    changes.new = [i for i in new_items if i.cluster_id not in old_by_id and i.cluster_id not in was_answered]
    changes.dropped = [i for cid, i in old_by_id.items()
                       if cid not in new_by_id and cid not in merged_away and cid not in now_answered]
    for item in new_answered:
        if item.cluster_id in was_answered:
            continue
        ref = next((e for e in item.evidence if e.status == "answers"), None)
        if ref is not None:
            changes.answered.append(Answered(cluster_id=item.cluster_id, question=item.question, source_id=ref.id,
                                             source=cite(ref)))
    # A question only "moves" when its order relative to the questions in both versions changes:
    # shifting down one place because a new question entered above it is not news.
    both = old_by_id.keys() & new_by_id.keys()

    def places(items: Sequence[AgendaItem]) -> dict[str, int]:
        ordered = [i.cluster_id for i in sorted(items, key=lambda i: i.rank) if i.cluster_id in both]
        return {cid: n for n, cid in enumerate(ordered)}

    old_place, new_place = places(old.items), places(new_items)
    for item in new_items:
        before = old_by_id.get(item.cluster_id)
        if before is None:
            continue
        shift = new_place[item.cluster_id] - old_place[item.cluster_id]
        if shift and (abs(shift) >= FAR or (before.rank <= TOP) != (item.rank <= TOP)):
            changes.moves.append(
                RankMove(cluster_id=item.cluster_id, question=item.question, old_rank=before.rank, new_rank=item.rank)
            )
        if before.frequency != item.frequency:
            changes.frequency.append(
                FrequencyChange(cluster_id=item.cluster_id, question=item.question, old=before.frequency,
                                new=item.frequency)
            )
    changes.moves.sort(key=lambda m: (-abs(m.old_rank - m.new_rank), m.new_rank))
    return changes


def describe(changes: Changes) -> list[str]:
    """The changes as Dutch lines, for `kennisagenda diff` and the run summary."""
    if changes.previous is None:
        return ["Dit is de eerste versie: er is geen eerdere versie om mee te vergelijken."]
    if changes.empty:
        return [f"Geen verschillen met versie {changes.previous}."]
    lines = [f"Veranderd ten opzichte van versie {changes.previous}:"]
    lines += [f"+ nieuw (#{i.rank}): {i.question} [{i.cluster_id}]" for i in changes.new]
    lines += [f"- vervallen (was #{i.rank}): {i.question} [{i.cluster_id}]" for i in changes.dropped]
    lines += [f"= samengevoegd: {', '.join(m.merged)} → {m.into}: {m.question}" for m in changes.merges]
    lines += [f"→ verplaatst: formulering {m.mention_id} ‘{m.text}’ van {m.from_id} → {m.into}: {m.question}"
              for m in changes.moved]
    lines += [f"↕ rang {m.old_rank} → {m.new_rank}: {m.question} [{m.cluster_id}]" for m in changes.moves]
    lines += [f"# bronnen {f.old} → {f.new}: {f.question} [{f.cluster_id}]" for f in changes.frequency]
    lines += [f"✓ beantwoord door {a.source}: {a.question} [{a.cluster_id}]" for a in changes.answered]
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
