"""The curator's evidence sheet: `kennisagenda evidence -o FILE` and `--apply FILE`.

One row per (question, knowledge source) of the latest version: the machine's suggestions
and the sources already judged, with the best-matching fragment, a score and a column
*oordeel*: ``relevant`` (the source says something about the question: it goes under *Wat is
al bekend*), ``beantwoordt`` (it answers the question: the question leaves the ranking for
*Al beantwoorde vragen*) or ``nee`` (not relevant: never suggested again). A question without
any suggestion gets one row with an empty *bron*: type a ``K-`` id there to link a source
the machine missed. Columns: ``nr, vraag, vraagtekst, rang, bron, titel, auteurs, jaar,
fragment, score, status, oordeel, toelichting`` (CSV with ``;`` as Dutch Excel writes it).

`apply_evidence` writes the verdicts into curation.yaml under ``knowledge:`` (``sources``,
``answered_by``, ``rejected`` per question), keeping the file's comments and the curator's
hand-written ``known``/``accessible``/``research_needed`` text (ruamel.yaml round trip).
"""

from __future__ import annotations

import re
from pathlib import Path

from agenda.dedupe.curation import edit_curation, load_curation
from agenda.dedupe.ids import EXAMPLE as QID_EXAMPLE
from agenda.dedupe.ids import QID
from agenda.models import Agenda
from agenda.sheets import STAMP_COLUMN, contradictions, normalise_id, read_sheet, write_sheet

__all__ = ["COLUMNS", "VERDICTS", "evidence_rows", "write_evidence", "apply_evidence"]

COLUMNS = ["nr", "vraag", "vraagtekst", "rang", "bron", "titel", "auteurs", "jaar", "fragment", "score", "status",
           "oordeel", "toelichting", STAMP_COLUMN]
VERDICTS = {
    "relevant": "relevant", "r": "relevant", "ja": "relevant", "bekend": "relevant",
    "beantwoordt": "beantwoordt", "beantwoord": "beantwoordt", "antwoord": "beantwoordt", "b": "beantwoordt",
    "nee": "nee", "n": "nee", "niet relevant": "nee", "no": "nee",
}
STATUS_NL = {"suggested": "voorgesteld", "confirmed": "bevestigd", "answers": "beantwoordt"}
_STATUS_VERDICT = {"confirmed": "relevant", "answers": "beantwoordt"}
_QID = QID  # 12 hex digits, or 6 for a question from before 2026-12 (agenda.dedupe.ids)
_KID = re.compile(r"^K-(?:[0-9a-f]{6}|[0-9a-f]{12})$")  # 12 hex: an entry whose short id collided


def _authors(authors: list[str]) -> str:
    return "; ".join(authors[:6]) + (" e.a." if len(authors) > 6 else "")


def evidence_rows(agenda: Agenda) -> list[dict[str, object]]:
    """The sheet's rows for a stored version: ranked questions first, then answered ones."""
    rows: list[dict[str, object]] = []
    answered = {i.cluster_id for i in agenda.answered}
    for item in [*agenda.items, *agenda.answered]:
        rank = "beantwoord" if item.cluster_id in answered else item.rank
        base = {"vraag": item.cluster_id, "vraagtekst": item.question, "rang": rank}
        if not item.evidence:
            rows.append({**base, "bron": "", "titel": "(geen bron gevonden in de kennisbibliotheek)", "auteurs": "",
                         "jaar": "", "fragment": "", "score": "", "status": "", "oordeel": "", "toelichting": ""})
            continue
        for e in item.evidence:
            rows.append({**base, "bron": e.id, "titel": e.title, "auteurs": _authors(e.authors), "jaar": e.year or "",
                         "fragment": e.passage, "score": round(e.score, 3), "status": STATUS_NL.get(e.status, e.status),
                         "oordeel": _STATUS_VERDICT.get(e.status, ""), "toelichting": ""})
    for n, row in enumerate(rows, start=1):
        row["nr"] = n
    return rows


def write_evidence(rows: list[dict[str, object]], path: Path) -> None:
    """Write the sheet as .csv (``;``, UTF-8 with BOM) or .xlsx (a drop-down on *oordeel*)."""
    write_sheet(rows, path, COLUMNS, title="Bewijs", widths=[5, 10, 45, 9, 10, 45, 25, 6, 60, 7, 12, 13, 30, 21],
                verdict_column="oordeel", verdicts=["relevant", "beantwoordt", "nee"],
                prompt="relevant = zegt iets over de vraag; beantwoordt = beantwoordt de vraag; nee = niet relevant")


def apply_evidence(path: Path, curation_file: Path) -> str:
    """Write the verdicts of a filled-in evidence sheet into curation.yaml; returns a Dutch summary.

    A verdict replaces an earlier one on the same question and source (``relevant`` after
    ``beantwoordt`` takes the answer away; ``nee`` takes the source away) and the summary names
    the changes; one sheet with two different verdicts on the same pair is refused with its rows."""
    rows = read_sheet(path, "bewijslijst")
    if rows and not {"vraag", "bron", "oordeel"} <= set(rows[0]):
        raise ValueError(f"{path}: dit is geen bewijslijst (kolommen vraag, bron en oordeel ontbreken)")
    load_curation(curation_file)  # refuse to touch a decisions file that does not read
    wanted: dict[tuple[str, str], list[tuple[int, str]]] = {}
    skipped = 0
    for n, row in enumerate(rows, start=2):
        raw = (row.get("oordeel") or "").strip().lower()
        if not raw:
            skipped += 1
            continue
        verdict = VERDICTS.get(raw)
        if verdict is None:
            raise ValueError(f"{path}, regel {n}: onbekend oordeel '{raw}' (gebruik relevant, beantwoordt of nee)")
        qid, kid = normalise_id(row.get("vraag")), normalise_id(row.get("bron"))
        if not _QID.match(qid):
            raise ValueError(f"{path}, regel {n}: vraag moet een id als {QID_EXAMPLE} zijn, niet '{qid}'")
        if not _KID.match(kid):
            raise ValueError(f"{path}, regel {n}: bron moet een id als K-4f2a9c zijn, niet '{kid}'")
        wanted.setdefault((qid, kid), []).append((n, verdict))
    contradictions(path, wanted, lambda k: f"{k[0]} / {k[1]}")
    beantwoordt = [(q, rows_[0][0]) for (q, _k), rows_ in wanted.items() if rows_[0][1] == "beantwoordt"]
    per_q: dict[str, list[int]] = {}
    for q, n in beantwoordt:
        per_q.setdefault(q, []).append(n)
    if two := {q: ns for q, ns in per_q.items() if len(ns) > 1}:
        q, ns = next(iter(two.items()))
        raise ValueError(f"{path}: tegenstrijdige oordelen in één lijst, er is niets verwerkt: vraag {q} heeft "
                         f"'beantwoordt' bij meer dan één bron (regels {', '.join(map(str, ns))}); kies er één")
    verdicts = [(q, k, rows_[0][1], rows_[0][0]) for (q, k), rows_ in wanted.items()]
    counts, changed = _write_knowledge(curation_file, verdicts)
    text = (f"{counts['relevant']} relevant, {counts['beantwoordt']} beantwoordt en {counts['nee']} niet relevant "
            f"verwerkt in {curation_file}; {skipped} regels zonder oordeel overgeslagen")
    if changed:
        text += f"; {len(changed)} eerdere oordelen gewijzigd: {', '.join(changed[:10])}"
        text += f" (en nog {len(changed) - 10})" if len(changed) > 10 else ""
    return text


def _write_knowledge(path: Path, verdicts: list[tuple[str, str, str, int]]) -> tuple[dict[str, int], list[str]]:
    """Merge verdicts (question, source, verdict, sheet row) into ``knowledge:``, keeping comments and
    other fields (through the shared writer: locked, checked, backed up); returns the counts and
    the changes to earlier verdicts ("regel 5 (Q-… / K-…: beantwoordt → relevant)")."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    counts = {"relevant": 0, "beantwoordt": 0, "nee": 0}
    changed: list[str] = []

    def flow_list(entry: CommentedMap, key: str) -> CommentedSeq:
        if entry.get(key) is None:
            seq = CommentedSeq()
            seq.fa.set_flow_style()  # sources: [K-a, K-b] on one line
            entry[key] = seq
        return entry[key]

    def merge(data) -> None:
        counts.update(relevant=0, beantwoordt=0, nee=0)  # the writer may run this again on a newer file
        changed.clear()
        if data.get("knowledge") is None:
            data["knowledge"] = CommentedMap()
        knowledge = data["knowledge"]
        for qid, kid, verdict, line in verdicts:
            if knowledge.get(qid) is None:
                knowledge[qid] = CommentedMap()
            entry = knowledge[qid]
            sources, rejected = flow_list(entry, "sources"), flow_list(entry, "rejected")
            before = ("beantwoordt" if entry.get("answered_by") == kid else "nee" if kid in rejected
                      else "relevant" if kid in sources else None)
            if verdict == "nee":
                while kid in sources:
                    sources.remove(kid)
                if entry.get("answered_by") == kid:
                    del entry["answered_by"]
                if kid not in rejected:
                    rejected.append(kid)
            else:
                while kid in rejected:
                    rejected.remove(kid)
                if kid not in sources:
                    sources.append(kid)
                if verdict == "beantwoordt":
                    previous = entry.get("answered_by")
                    if previous and previous != kid:
                        changed.append(f"regel {line} ({qid}: beantwoord door {kid} in plaats van {previous})")
                    entry["answered_by"] = kid
                elif entry.get("answered_by") == kid:
                    del entry["answered_by"]  # relevant, no longer the answer
            if before is not None and before != verdict:
                changed.append(f"regel {line} ({qid} / {kid}: {before} → {verdict})")
            for key in ("sources", "rejected"):
                if not entry[key]:
                    del entry[key]
            counts[verdict] += 1

    edit_curation(path, merge)
    return counts, changed
