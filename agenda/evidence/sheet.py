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

import csv
import re
from pathlib import Path

from agenda.dedupe.curation import load_curation
from agenda.models import Agenda
from agenda.report.text_outputs import safe_cell

__all__ = ["COLUMNS", "VERDICTS", "evidence_rows", "write_evidence", "read_sheet", "apply_evidence"]

COLUMNS = ["nr", "vraag", "vraagtekst", "rang", "bron", "titel", "auteurs", "jaar", "fragment", "score", "status",
           "oordeel", "toelichting"]
VERDICTS = {
    "relevant": "relevant", "r": "relevant", "ja": "relevant", "bekend": "relevant",
    "beantwoordt": "beantwoordt", "beantwoord": "beantwoordt", "antwoord": "beantwoordt", "b": "beantwoordt",
    "nee": "nee", "n": "nee", "niet relevant": "nee", "no": "nee",
}
STATUS_NL = {"suggested": "voorgesteld", "confirmed": "bevestigd", "answers": "beantwoordt"}
_STATUS_VERDICT = {"confirmed": "relevant", "answers": "beantwoordt"}
_QID = re.compile(r"^Q-[0-9a-f]{6}$")
_KID = re.compile(r"^K-[0-9a-f]{6}$")


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
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=";")
            writer.writeheader()
            for r in rows:
                writer.writerow({k: safe_cell(r[k]) for k in COLUMNS})
        tmp.replace(path)
        return
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Bewijs"
    ws.append(COLUMNS)
    for r in rows:
        ws.append([safe_cell(r[c]) if isinstance(r[c], str) else r[c] for c in COLUMNS])  # numbers stay numbers
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    widths = dict(zip("ABCDEFGHIJKLM", (5, 10, 45, 9, 10, 45, 25, 6, 60, 7, 12, 13, 30), strict=True))
    for col, w in widths.items():
        ws.column_dimensions[col].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    verdict = DataValidation(type="list", formula1='"relevant,beantwoordt,nee"', allow_blank=True,
                             promptTitle="Oordeel",
                             prompt="relevant = zegt iets over de vraag; beantwoordt = beantwoordt de vraag; nee = niet relevant")
    ws.add_data_validation(verdict)
    verdict.add(f"L2:L{max(len(rows) + 1, 2)}")
    ws.freeze_panes = "A2"
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)


def read_sheet(path: Path) -> list[dict[str, str]]:
    """Rows of a filled-in sheet (.csv with ; or , — or .xlsx), every value a string."""
    if not path.is_file():
        raise FileNotFoundError(f"bestand niet gevonden: {path}")
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            sample = fh.readline()
            fh.seek(0)
            return list(csv.DictReader(fh, delimiter=";" if sample.count(";") >= sample.count(",") else ","))
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = wb.active.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        return [{h: ("" if v is None else str(v)) for h, v in zip(header, r, strict=False)} for r in rows]
    finally:
        wb.close()


def apply_evidence(path: Path, curation_file: Path) -> str:
    """Write the verdicts of a filled-in evidence sheet into curation.yaml; returns a Dutch summary."""
    rows = read_sheet(path)
    if rows and not {"vraag", "bron", "oordeel"} <= set(rows[0]):
        raise ValueError(f"{path}: dit is geen bewijslijst (kolommen vraag, bron en oordeel ontbreken)")
    load_curation(curation_file)  # refuse to touch a decisions file that does not read
    verdicts: list[tuple[str, str, str]] = []
    skipped = 0
    for n, row in enumerate(rows, start=2):
        raw = (row.get("oordeel") or "").strip().lower()
        if not raw:
            skipped += 1
            continue
        verdict = VERDICTS.get(raw)
        if verdict is None:
            raise ValueError(f"{path}, regel {n}: onbekend oordeel '{raw}' (gebruik relevant, beantwoordt of nee)")
        qid, kid = (row.get("vraag") or "").strip(), (row.get("bron") or "").strip()
        if not _QID.match(qid):
            raise ValueError(f"{path}, regel {n}: vraag moet een id als Q-1a2b3c zijn, niet '{qid}'")
        if not _KID.match(kid):
            raise ValueError(f"{path}, regel {n}: bron moet een id als K-4f2a9c zijn, niet '{kid}'")
        verdicts.append((qid, kid, verdict))
    counts = _write_knowledge(curation_file, verdicts)
    return (f"{counts['relevant']} relevant, {counts['beantwoordt']} beantwoordt en {counts['nee']} niet relevant "
            f"verwerkt in {curation_file}; {skipped} regels zonder oordeel overgeslagen")


def _write_knowledge(path: Path, verdicts: list[tuple[str, str, str]]) -> dict[str, int]:
    """Merge verdicts into ``knowledge:``, keeping comments and other fields (atomic write)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from agenda.dedupe.curation import HEADER

    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 100
    data = rt.load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if data is None:
        data = CommentedMap()
    if data.get("knowledge") is None:
        data["knowledge"] = CommentedMap()
    counts = {"relevant": 0, "beantwoordt": 0, "nee": 0}

    def flow_list(entry: CommentedMap, key: str) -> CommentedSeq:
        if entry.get(key) is None:
            seq = CommentedSeq()
            seq.fa.set_flow_style()  # sources: [K-a, K-b] on one line
            entry[key] = seq
        return entry[key]

    for qid, kid, verdict in verdicts:
        knowledge = data["knowledge"]
        if knowledge.get(qid) is None:
            knowledge[qid] = CommentedMap()
        entry = knowledge[qid]
        sources, rejected = flow_list(entry, "sources"), flow_list(entry, "rejected")
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
                entry["answered_by"] = kid
        for key in ("sources", "rejected"):
            if not entry[key]:
                del entry[key]
        counts[verdict] += 1
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        if not path.is_file():
            fh.write(HEADER)
        rt.dump(data, fh)
    tmp.replace(path)
    load_curation(path)  # what was written must read back
    return counts
