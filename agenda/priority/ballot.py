"""The ballot of a priority round: the agenda's open questions with a stable code each.

`make_ballot(agenda, max_n)` takes every question on the agenda (answered and excluded ones
are not on it) in agenda order, at most `max_n` (80: the James Lind Alliance's interim limit),
and numbers them V01, V02, … (V001 … from 100 questions on). `write_ballot` writes the sheet a
secretary pastes into Microsoft Forms, Google Forms or Qualtrics: columns `code, vraag_id,
vraag` (CSV as Dutch Excel writes it: `;`, UTF-8 with BOM; .xlsx with a second sheet
*Toelichting*). `ballot_from_rows` recognises such a sheet again (in inputs/stemronde/).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from agenda.models import Agenda
from agenda.priority.scoring import MAX_CHOICES, BallotQuestion

MAX_BALLOT = 80
COLUMNS = ["code", "vraag_id", "vraag"]
CODE = re.compile(r"^V\d{2,3}$", re.I)


def instruction(n: int, label: str) -> list[str]:
    """The short Dutch instruction that goes with a ballot of `n` questions from version `label`."""
    k = min(MAX_CHOICES, n)
    return [
        f"Stembiljet prioriteringsronde: {n} kennisvragen uit versie {label} van de kennisagenda.",
        f"Vraag iedere deelnemer de {k} vragen te kiezen die hij of zij het belangrijkst vindt, en die te "
        f"rangschikken: 1 = het belangrijkst.",
        "Vraag ook naar de rol (leraar, schoolleider, ib'er, ict-coördinator, bestuurder, onderzoeker …): "
        "elke rolgroep weegt even zwaar.",
        "Microsoft Forms: een vraag van het type Rangschikking (kan alleen bij een korte lijst), of tien "
        "keuzevragen '1e keuze' … '10e keuze' met alle vragen als opties.",
        "Google Forms: tien vervolgkeuzevragen '1e keuze' … '10e keuze', of een raster met de vragen als "
        "rijen en '1e keuze' … '10e keuze' als kolommen (één antwoord per kolom).",
        "Qualtrics: een vraag van het type Rank Order met de vragen als opties.",
        "Plak als optie de code en de vraag ('V01 Hoe …'), alleen de code, of de vraag letterlijk zoals hier.",
        "Zet de export van de enquêtetool daarna in inputs/stemronde/ (met dit stembiljet erbij) en draai "
        "kennisagenda build.",
    ]


def make_ballot(agenda: Agenda, max_n: int = MAX_BALLOT) -> list[BallotQuestion]:
    """The agenda's questions in agenda order (at most `max_n`), coded V01, V02, …"""
    if max_n < 1:
        raise ValueError("--max moet minstens 1 zijn")
    items = sorted(agenda.items, key=lambda i: i.rank)[:max_n]
    width = 2 if len(items) < 100 else 3
    return [BallotQuestion(code=f"V{n:0{width}d}", cluster_id=i.cluster_id, question=i.question, position=n)
            for n, i in enumerate(items, start=1)]


def write_ballot(ballot: list[BallotQuestion], path: Path, label: str) -> Path:
    """Write the ballot to `path` (.csv or .xlsx); returns the path of the instruction for a CSV
    (a .txt beside it), else `path` itself. Written to a temporary name, then renamed."""
    from agenda.report.text_outputs import safe_cell

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    text = instruction(len(ballot), label)
    rows = [[q.code, q.cluster_id, q.question] for q in ballot]
    if path.suffix.lower() == ".csv":
        with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(COLUMNS)
            writer.writerows([[safe_cell(c) for c in r] for r in rows])
        tmp.replace(path)
        note = path.with_name(path.stem + "-toelichting.txt")
        note.write_text("\n".join(text) + "\n", encoding="utf-8")
        return note
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Stembiljet"
    ws.append(COLUMNS)
    for r in rows:
        ws.append([safe_cell(c) for c in r])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for col, width in zip("ABC", (8, 12, 100), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    info = wb.create_sheet("Toelichting")
    for line in text:
        info.append([line])
    info.append([])
    info.append(["versie", label])
    info.column_dimensions["A"].width = 120
    wb.save(tmp)
    tmp.replace(path)
    return path


def ballot_from_rows(rows: list[list[str]]) -> list[BallotQuestion] | None:
    """A ballot sheet's questions (header `code, vraag_id, vraag` in the first rows), else None."""
    for h, cells in enumerate(rows[:5]):
        keys = [c.strip().lower() for c in cells]
        if all(k in keys for k in COLUMNS):
            ci, ii, qi = (keys.index(k) for k in COLUMNS)
            out = []
            for cells in rows[h + 1:]:
                get = lambda i: cells[i].strip() if i < len(cells) else ""  # noqa: E731
                code, cid, question = get(ci), get(ii), get(qi)
                if not (code or cid or question):
                    continue
                if not CODE.match(code) or not cid.startswith("Q-") or not question:
                    return None  # not a ballot as `stemronde` writes it
                out.append(BallotQuestion(code=code.upper(), cluster_id=cid, question=question,
                                          position=len(out) + 1))
            return out or None
    return None
