"""Suggestions + the curator's verdicts → each agenda item's ``evidence``; answered questions out.

Order of an item's evidence, best first: the source that answers it (``answers``), the
sources a curator confirmed (``confirmed``, in suggestion order, then the rest), then the
machine's other suggestions (``suggested``). A source the curator judged not relevant
(``knowledge.rejected``) is never suggested again. A confirmed or answering id that is not
in the library (any more) is kept off the report and named in the method section's notes.

A question with ``answered_by`` leaves the ranking (it no longer competes for a research
slot) and is listed under *Al beantwoorde vragen* with its frequency; the remaining items
are renumbered 1..n.
"""

from __future__ import annotations

from collections.abc import Sequence

from agenda.models import AgendaItem, EvidenceRef, KnowledgeRef, KnowledgeSource

__all__ = ["attach_evidence"]


def _ref(source: KnowledgeRef, status: str, score: float, passage: str = "") -> EvidenceRef:
    return EvidenceRef(id=source.id, title=source.title, authors=source.authors, year=source.year, url=source.url,
                       score=round(score, 4), status=status, passage=passage)


def attach_evidence(
    items: Sequence[AgendaItem],
    suggestions: dict[str, list[dict[str, object]]],
    library: Sequence[KnowledgeSource],
) -> tuple[list[AgendaItem], list[AgendaItem], list[str]]:
    """Fill ``item.evidence``; return (ranked items renumbered, answered items, notes)."""
    by_id = {s.id: s for s in library}
    notes: list[str] = []
    ranked: list[AgendaItem] = []
    answered: list[AgendaItem] = []
    for item in items:
        k = item.knowledge
        found = {str(s["source_id"]): s for s in suggestions.get(item.cluster_id, [])}
        refs: list[EvidenceRef] = []
        used: set[str] = set()

        def add(sid: str, status: str) -> None:
            if sid in used:
                return
            if sid not in by_id:
                notes.append(f"knowledge: bron {sid} bij vraag {item.cluster_id} staat niet (meer) in de "
                             "kennisbibliotheek; niet in het rapport opgenomen")
                used.add(sid)
                return
            s = found.get(sid, {})
            refs.append(_ref(by_id[sid], status, float(s.get("score") or 1.0), str(s.get("passage") or "")))
            used.add(sid)

        if k.answered_by:
            add(k.answered_by, "answers")
        confirmed = set(k.sources)
        for sid in [s for s in found if s in confirmed] + [s for s in k.sources if s not in found]:
            add(sid, "confirmed")
        rejected = set(k.rejected)
        for sid in found:
            if sid not in rejected and sid not in used:
                add(sid, "suggested")
        item.evidence = refs
        if k.answered_by and any(r.status == "answers" for r in refs):
            answered.append(item)
        else:
            ranked.append(item)
    for rank, item in enumerate(ranked, start=1):
        item.rank = rank
    for rank, item in enumerate(answered, start=1):
        item.rank = rank
    return ranked, answered, notes
