"""The regroup sheet (`kennisagenda indeling`): a curator fixes the agenda's grouping in one pass.

As priority-setting partnerships work their data sheet: one row per formulation, its question
beside it, grouped by question in agenda order. The curator fills in one column, ``hoort_bij``:

- empty: the formulation stays where it is;
- a ``Q-`` id (of this sheet or the agenda): the formulation moves to that question;
- any other label (``nieuw-1``, ``A``): every row with that label becomes one new question;
- ``uitsluiten``: the formulation is left off the agenda, ``toelichting`` the reason.

`apply_regroup` turns that into the decisions the build already knows (curation.yaml, keyed by
stable ids, so they survive every later build):

- a move → ``merge: [Q-target, M-x]``; every row of a question moved to one target → ``merge:
  [Q-target, Q-source]`` (later formulations of that question follow it);
- a label → ``merge: [M-…, M-…]`` (only formulations: they leave their questions and form one new
  question); a label holding every row of a question keeps that question (and its id):
  ``merge: [Q, …]``;
- ``uitsluiten`` on every row of a question → ``exclude: {cluster: Q, why}``; on some rows →
  ``exclude: {cluster: M-x, why}`` per formulation (it leaves its question, off the agenda).

Merges and exclusions are applied in file order after the machine's clustering and any split
(agenda.dedupe.clusters), so a later sheet overrides what an earlier decision said about the same
formulation. Decisions already in the file are not written twice: applying a sheet twice changes
nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from agenda.dedupe.curation import append_groups, edit_curation, load_curation
from agenda.models import Agenda, AgendaItem, MentionRef
from agenda.sheets import count, read_sheet_lines

COLUMNS = ["vraag_id", "vraag", "formulering_id", "formulering", "bron", "context", "hoort_bij", "toelichting"]
EXCLUDE = {"uitsluiten", "uitgesloten", "uitsluit", "exclude", "buiten scope", "weg", "verwijderen"}
NEW_LABELS = [f"nieuw-{n}" for n in range(1, 11)]
DEFAULT_WHY = "buiten scope (indeling)"

INSTRUCTIONS = [
    "Indeling van de kennisagenda: één rij per formulering, gegroepeerd per vraag in de volgorde van de agenda.",
    "Vul alleen de kolom hoort_bij in, en alleen waar een formulering niet bij haar vraag hoort:",
    "  • leeg = blijft bij haar vraag;",
    "  • een vraag-id (Q-…, uit de kolom vraag_id of het tabblad Vragen) = de formulering gaat naar die vraag;",
    "  • een eigen label (nieuw-1, A, …) = alle rijen met hetzelfde label worden samen één nieuwe vraag;",
    "  • uitsluiten = de formulering gaat van de agenda af; zet de reden in toelichting.",
    "Verwerk de lijst met: kennisagenda indeling --apply BESTAND. De besluiten komen in inputs/curation.yaml "
    "en gelden bij elke volgende build.",
]

_Q_ID = re.compile(r"^Q-[0-9a-f]{6,}$", re.I)
_M_ID = re.compile(r"^M-[0-9a-f]{6,}$", re.I)
_LOOKS_LIKE_Q = re.compile(r"^q\W*[0-9a-f]{4,}\W*$", re.I)  # Q/1a2b3c, Q-1a2b3, "Q-1a2b3c."


def context_text(m: MentionRef) -> str:
    """'sector: po, so; rol: leraar; niveau: team; school: De Verwondering' (empty parts left out)."""
    parts = []
    if m.sectors:
        parts.append("sector: " + ", ".join(m.sectors))
    if m.roles:
        parts.append("rol: " + ", ".join(m.roles))
    if m.level:
        parts.append("niveau: " + m.level)
    if m.school:
        parts.append("school: " + m.school)
    return "; ".join(parts)


def regroup_rows(agenda: Agenda, limit: int | None = None) -> list[dict[str, object]]:
    """One row (a dict keyed by COLUMNS) per formulation of the agenda's questions, grouped by
    question in agenda order (ranked questions, then those answered by the library); at most
    `limit` questions (None or 0: all). ``hoort_bij`` and ``toelichting`` are empty."""
    items: list[AgendaItem] = [*agenda.items, *agenda.answered]
    if limit:
        items = items[:limit]
    rows: list[dict[str, object]] = []
    for item in items:
        for m in item.mentions:
            source = m.source + (f" (respondent {m.respondent})" if m.respondent else "")
            rows.append({"vraag_id": item.cluster_id, "vraag": item.question, "formulering_id": m.id,
                         "formulering": m.text, "bron": source, "context": context_text(m),
                         "hoort_bij": "", "toelichting": ""})
    return rows


def write_regroup(rows: list[dict[str, object]], path: Path) -> None:
    """The sheet as .csv (`;`, UTF-8 with BOM, as Dutch Excel writes it; header first) or .xlsx
    (instructions at the top, the table below them, a drop-down on ``hoort_bij`` fed by a
    second tab *Vragen* listing every question; other labels are allowed with a note)."""
    import csv
    import os
    import threading

    from agenda.report.text_outputs import safe_cell

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # two writers never share one
    try:
        if path.suffix.lower() == ".csv":  # exactly COLUMNS: the contract a secretary's own tools read
            with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
                writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=";")
                writer.writeheader()
                for r in rows:
                    writer.writerow({k: safe_cell(r.get(k)) for k in COLUMNS})
        else:
            _workbook(rows).save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _workbook(rows: list[dict[str, object]]):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from agenda.report.text_outputs import safe_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "Indeling"
    for line in INSTRUCTIONS:
        ws.append([line])
        ws.cell(ws.max_row, 1).font = Font(italic=not line.startswith("Indeling"), bold=line.startswith("Indeling"))
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(COLUMNS)
    for r in rows:
        ws.append([safe_cell(r.get(c)) for c in COLUMNS])
    for cell in ws[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for n, w in enumerate([11, 45, 13, 55, 30, 28, 14, 30], start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    shade = PatternFill("solid", fgColor="EAF1F8")
    band, previous = False, None
    for row in ws.iter_rows(min_row=header_row + 1):
        if row[0].value != previous:
            band, previous = not band, row[0].value
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if band:
                cell.fill = shade  # one band per question: the groups stay visible while scrolling
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(COLUMNS))}{header_row + max(len(rows), 1)}"

    questions = wb.create_sheet("Vragen")
    questions.append(["vraag_id", "vraag"])
    seen: dict[str, str] = {}
    for r in rows:
        seen.setdefault(str(r["vraag_id"]), str(r["vraag"]))
    for cid, text in seen.items():
        questions.append([safe_cell(cid), safe_cell(text)])
    for label in ["uitsluiten", *NEW_LABELS]:
        questions.append([label, "" if label != "uitsluiten" else "niet op de agenda (reden in toelichting)"])
    questions.column_dimensions["A"].width = 12
    questions.column_dimensions["B"].width = 90
    last = questions.max_row
    validation = DataValidation(
        type="list", formula1=f"Vragen!$A$2:$A${last}", allow_blank=True, showErrorMessage=True,
        errorStyle="information", errorTitle="Eigen label",
        error="Geen vraag-id uit de lijst: rijen met hetzelfde label worden samen één nieuwe vraag.",
        promptTitle="hoort_bij", showInputMessage=True,
        prompt="Leeg = blijft; Q-… = naar die vraag; eigen label = nieuwe vraag; uitsluiten = van de agenda af")
    ws.add_data_validation(validation)
    col = get_column_letter(COLUMNS.index("hoort_bij") + 1)
    validation.add(f"{col}{header_row + 1}:{col}{header_row + max(len(rows), 1)}")
    return wb


def _label(value: str) -> str:
    from agenda.sheets import normalise_id

    return normalise_id(value)


def apply_regroup(path: Path, curation_file: Path, known_questions: Iterable[str] = (),
                  known_mentions: Iterable[str] | None = None) -> str:
    """Turn a filled-in regroup sheet into curation.yaml decisions (see the module docstring).

    `known_questions`: Q- ids of the current agenda besides those in the sheet (a move may name
    any); `known_mentions`: when given, every formulering_id must be one of them. Returns a Dutch
    summary line. Raises FileNotFoundError, or ValueError (Dutch, with file and line) on an
    unusable sheet: missing columns, an id that is no id, an unknown Q- id, a formulation twice."""
    rows = read_sheet_lines(path, "indelingslijst", header="formulering_id")
    if rows and not {"vraag_id", "formulering_id", "hoort_bij"} <= set(rows[0][1]):
        raise ValueError(f"{path}: dit is geen indelingslijst (kolommen vraag_id, formulering_id en hoort_bij ontbreken)")
    mention_set = set(known_mentions) if known_mentions is not None else None
    members: dict[str, list[str]] = defaultdict(list)  # question -> its formulations, as in the sheet
    wish: dict[str, tuple[str, str, int]] = {}  # formulation -> (kind, target, line); kind: move/label/exclude
    why_of: dict[str, str] = {}
    seen: set[str] = set()
    for line, row in rows:
        q = _label(row.get("vraag_id") or "")
        m = _label(row.get("formulering_id") or "")
        value = _label(row.get("hoort_bij") or "")
        if not q and not m and not value:
            continue  # an empty line in the sheet
        if not _Q_ID.match(q) or not _M_ID.match(m):
            raise ValueError(f"{path}, regel {line}: vraag_id en formulering_id moeten ids als Q-1a2b3c en "
                             f"M-1a2b3c4d zijn (gevonden: '{q}', '{m}')")
        q, m = "Q-" + q[2:].lower(), "M-" + m[2:].lower()
        if m in seen:
            raise ValueError(f"{path}, regel {line}: formulering {m} staat twee keer in de lijst")
        if mention_set is not None and m not in mention_set:
            raise ValueError(f"{path}, regel {line}: formulering {m} bestaat niet (meer) in de database; "
                             "maak een nieuwe lijst met kennisagenda indeling -o")
        members[q].append(m)
        seen.add(m)
        if not value:
            continue
        if value.casefold() in EXCLUDE:
            wish[m] = ("exclude", "", line)
            why_of[m] = _label(row.get("toelichting") or "") or DEFAULT_WHY
        elif value[:2].upper() == "Q-":
            wish[m] = ("move", "Q-" + value[2:].lower(), line)
        elif _M_ID.match(value):
            raise ValueError(f"{path}, regel {line}: hoort_bij '{value}' is een formulering; gebruik een vraag-id "
                             "(Q-…), een eigen label (zoals nieuw-1) of uitsluiten")
        elif value[:1] in "=+@" or value.upper().startswith(("Q-", "Q–")) or _LOOKS_LIKE_Q.match(value):
            # a formula (=C7, an export's text of one) or a mistyped id must not quietly become a new question
            raise ValueError(f"{path}, regel {line}: hoort_bij '{value}' is geen vraag-id, label of uitsluiten "
                             "(een formule of een verkeerd getypt id?); typ het id (Q-…) of een eigen label")
        else:
            wish[m] = ("label", value.casefold(), line)
    questions = set(members) | set(known_questions)
    for m, (kind, target, line) in wish.items():
        if kind == "move" and target not in questions:
            raise ValueError(f"{path}, regel {line}: hoort_bij '{target}' is geen vraag uit deze lijst of de agenda "
                             "(een eigen label mag geen Q- ervoor hebben)")
    question_of = {m: q for q, ms in members.items() for m in ms}
    # a move to the question it is already in changes nothing
    wish = {m: w for m, w in wish.items() if not (w[0] == "move" and w[1] == question_of[m])}

    merges: list[list[str]] = []
    excludes: list[dict[str, str]] = []
    # moves: a whole question to one target is a merge of questions, else formulations move one by one
    moving: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))  # target -> source -> Ms
    for m, (kind, target, _) in wish.items():
        if kind == "move":
            moving[target][question_of[m]].append(m)
    whole_moved: set[str] = set()
    for target in sorted(moving):
        group = [target]
        for source in sorted(moving[target]):
            ms = moving[target][source]
            if len(ms) == len(members[source]) and source not in moving:
                group.append(source)
                whole_moved.add(source)
            else:
                group.extend(ms)
        merges.append(group)
    # labels: one new question per label, kept under an existing id when it holds a whole question
    labelled: dict[str, list[str]] = defaultdict(list)
    for m, (kind, target, _) in wish.items():
        if kind == "label":
            labelled[target].append(m)
    for label in sorted(labelled):
        ms = labelled[label]
        whole = [q for q in members if q not in whole_moved and set(members[q]) <= set(ms)]
        if whole:
            anchor = max(whole, key=lambda q: (len(members[q]), q))
            rest_q = sorted(q for q in whole if q != anchor)
            covered = {x for q in whole for x in members[q]}
            group = [anchor, *rest_q, *sorted(m for m in ms if m not in covered)]
            if len(group) > 1:
                merges.append(group)
        else:
            merges.append(sorted(ms))
    # exclusions, per question and reason
    leaving: dict[tuple[str, str], list[str]] = defaultdict(list)
    for m, (kind, _, _) in wish.items():
        if kind == "exclude":
            leaving[(question_of[m], why_of[m])].append(m)
    for (q, why), ms in sorted(leaving.items()):
        if len(ms) == len(members[q]) and q not in moving:
            excludes.append({"cluster": q, "why": why})
        else:
            excludes.extend({"cluster": m, "why": why} for m in sorted(ms))

    curation = load_curation(curation_file)
    have_merge = {tuple(g) for g in curation.merge}
    have_exclude = {(e.cluster, e.why) for e in curation.exclude}
    merges = [g for g in merges if tuple(g) not in have_merge]
    excludes = [e for e in excludes if (e["cluster"], e["why"]) not in have_exclude]
    # the later decision wins: a formulation this sheet places is no longer split off or excluded, two
    # questions it joins are no longer 'distinct' (on main both stayed in the file, the contradiction
    # silent, and the build chose one)
    placed = {m for m, w in wish.items() if w[0] in ("move", "label")}
    together = [set(g) for g in merges]
    replaced: list[str] = []
    if merges or excludes:
        replaced = _write_regroup(curation_file, merges, excludes, placed, together)
    n_moved = sum(1 for w in wish.values() if w[0] == "move")
    n_new = len(labelled)
    n_out = sum(1 for w in wish.values() if w[0] == "exclude")
    n_rows = sum(len(ms) for ms in members.values())
    written = len(merges) + len(excludes)
    return (f"{count(n_moved, 'formulering', 'formuleringen')} verplaatst, {count(n_new, 'nieuwe vraag', 'nieuwe vragen')}, "
            f"{count(n_out, 'formulering', 'formuleringen')} uitgesloten ({n_rows - len(wish)} van "
            f"{count(n_rows, 'rij', 'rijen')} ongewijzigd); {count(written, 'besluit', 'besluiten')} toegevoegd aan "
            f"{curation_file}"
            + ("" if written else " (alles stond er al)")
            + (f"; {count(len(replaced), 'eerder besluit', 'eerdere besluiten')} vervangen: {', '.join(replaced[:10])}"
               + (f" (en nog {len(replaced) - 10})" if len(replaced) > 10 else "") if replaced else ""))


def _write_regroup(path: Path, merges: list[list[str]], excludes: list[dict[str, str]], placed: set[str],
                   together: list[set[str]]) -> list[str]:
    """Append the sheet's merges and exclusions and take away what they contradict: a split or an
    exclusion of a formulation the sheet places, a 'distinct' pair the sheet joins. Returns the
    replaced decisions, described ("afsplitsing M-…", "uitsluiting M-…", "verschillend Q-… / Q-…")."""
    replaced: list[str] = []

    def edit(data) -> None:
        replaced.clear()
        for g in list(data.get("split") or []):
            if isinstance(g, list) and (gone := [m for m in g if m in placed]):
                replaced.extend(f"afsplitsing {m}" for m in gone)
                for m in gone:
                    g.remove(m)
                if not g:
                    data["split"].remove(g)
        for e in list(data.get("exclude") or []):
            if isinstance(e, dict) and e.get("cluster") in placed:
                replaced.append(f"uitsluiting {e['cluster']}")
                data["exclude"].remove(e)
        for g in list(data.get("distinct") or []):
            if isinstance(g, list) and any(set(g) <= t for t in together):
                replaced.append(f"verschillend {' / '.join(map(str, g))}")
                data["distinct"].remove(g)
        append_groups(data, {"merge": merges, "exclude": excludes})

    edit_curation(path, edit)
    return list(replaced)
