"""Reading the vote exports in inputs/stemronde/ as the survey tools write them.

One row a respondent. Recognised shapes (found by content, several may mix in one file):

- **a list cell** — Microsoft Forms' ranking question: the chosen options in one cell,
  `;`-separated, in order (`V03 Hoe …;V01 Wat …;`);
- **rank columns** — Google Forms' "1e keuze" … "10e keuze" (also as a grid's columns:
  `Uw top 10 [1e keuze]`) and a plain sheet's `keuze_1` … `keuze_10`: the column names the
  rank, the cell holds the option;
- **option columns** — Qualtrics' Rank Order (`Q5_1`, `Q5_2` … with the option in its
  question-text row, `Rangschik … - V01 Hoe …`) and Google Forms' grid with the questions as
  rows (`Rangschik [V01 Hoe …]`): the column names the option, the cell holds its rank
  (`3`, `3e keuze`, `derde`).

Options are matched to the ballot by code (`V07`, also `V07 Hoe …`), by question id (`Q-…`)
or by their exact text (case, spacing and quote style aside). Qualtrics' extra header rows
(question text, ImportId) and Excel's `sep=;` line are handled by the survey reader's helpers.

The role column is found like other survey context (*rol, functie, role*, or a prompt such as
"Wat is uw rol?") and normalised like other roles; an empty role is the group "onbekend".
Names, e-mail addresses and other identifying columns are dropped while reading: a respondent is
kept only as a pseudonym (a hash), used to spot the same person voting twice.

Bad rows are never silently used: each gets a Dutch warning (one line per file and kind, with
the rows) and is counted — an option that is not on the ballot (that choice is left out), the
same question ranked twice (the better rank counts), more than 10 chosen (the first 10 count),
an empty role (group "onbekend"), the same respondent twice (the last answer counts), a row
without any valid choice (not counted).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from agenda.ingest import ROUND_DIR, discover
from agenda.context import ROLE_NAMES, role_key, role_values
from agenda.dedupe.ids import Resolver
from agenda.ingest.common import IngestError, collapse, file_sha256, relative_path
from agenda.ingest.safety import check_file_size
from agenda.ingest import survey_shapes as shapes
from agenda.ingest.survey import _cell_text, _role, csv_rows, sheet_rows, workbook
from agenda.models import Rejection
from agenda.privacy import EMAIL, identifying_column, mask_reason, pseudonym, pseudonym_key
from agenda.priority.ballot import ballot_from_rows
from agenda.priority.scoring import MAX_CHOICES, BallotQuestion, Vote
from agenda.settings import Limits

ARCHIVE_DIR = "archief"  # inputs/stemronde/archief/: earlier rounds' exports, not read
UNKNOWN_GROUP = "onbekend"
_NOTES = (".txt", ".md", ".docx", ".pdf")
_ANONYMOUS = {"anoniem", "anonymous", "anonieme gebruiker", "-", "n.v.t.", "nvt"}  # Forms' name cell when not asked

# the kinds of bad rows, as the report and the warnings name them
UNKNOWN_OPTION = "keuze niet op het stembiljet"
TWICE = "dezelfde vraag twee keer gekozen"
TOO_MANY = "meer dan 10 keuzes"
NO_ROLE = "geen rol ingevuld"
SAME_RESPONDENT = "dezelfde respondent opnieuw"
NO_CHOICE = "geen geldige keuze"
BAD_RANK = "onleesbare rangorde"

_ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7,
             "achtste": 8, "negende": 9, "tiende": 10, "first": 1, "second": 2, "third": 3, "fourth": 4,
             "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_RANK_WORD = r"(?:keuze|voorkeur|plaats|prioriteit|positie|rang|choice|rank|ranking|pick)"
_ORD = r"(\d{1,2})\s*(?:e|ste|de|st|nd|rd|th)?"
_RANK_HEADER = re.compile(rf"(?:\b{_ORD}\s*{_RANK_WORD}\b|\b{_RANK_WORD}[\s_#-]*(\d{{1,2}})\b"
                          rf"|\b({'|'.join(_ORDINALS)})\s+{_RANK_WORD}\b)", re.I)
_RANK_CELL = re.compile(rf"^\s*(?:{_ORD}\b|({'|'.join(_ORDINALS)})\b)", re.I)
_LEADING_CODE = re.compile(r"^\s*(V\d{2,3})\b[\s.:)\-–—]*(.*)$", re.I | re.S)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def _norm(text: str) -> str:
    return collapse(text.translate(_QUOTES)).casefold().strip()


class OptionMatcher:
    """Ballot option by code, question id or exact text (case, spacing and quote style aside)."""

    def __init__(self, ballot: list[BallotQuestion]):
        self.codes = {q.code.casefold(): q.code for q in ballot}
        self.ids = {q.cluster_id.casefold(): q.code for q in ballot}
        self.texts = {_norm(q.question): q.code for q in ballot}
        self.legacy = Resolver(q.cluster_id for q in ballot)  # an old 6-digit id names its 12-digit form

    def match(self, text: str) -> str | None:
        t = _norm(text)
        if not t:
            return None
        if t in self.codes:
            return self.codes[t]
        if t in self.ids:
            return self.ids[t]
        if t.startswith("q-") and (cid := self.legacy("Q-" + t[2:])) is not None:
            return self.ids[cid.casefold()]
        if t in self.texts:
            return self.texts[t]
        if (m := _LEADING_CODE.match(t)) and m[1].casefold() in self.codes:
            return self.codes[m[1].casefold()]
        return None

    def match_header(self, name: str) -> str | None:
        """An option named by a column: the whole name, Google's `[…]` part, or Qualtrics' part after ' - '."""
        for part in (name, *(re.findall(r"\[([^\]]+)\]\s*$", name)), *name.split(" - ")[1:]):
            if (code := self.match(part)) is not None:
                return code
        if " - " in name and (code := self.match(name.split(" - ", 1)[1])) is not None:
            return code
        return None


def _rank_of(text: str) -> int | None:
    m = _RANK_CELL.match(text)
    if not m:
        return None
    return int(m[1]) if m[1] else _ORDINALS[m[2].lower()]


_BRACKET_RANK = re.compile(r"(?:rang|rank|keuze|prioriteit|choice|top)\w*\b.*\[\s*(\d{1,2})\s*\]\s*$", re.I)


def _header_rank(name: str) -> int | None:
    """The rank a column holds: '3e keuze', 'keuze_3', 'Derde keuze', 'Choice 3', LimeSurvey's 'Rangschik … [3]'."""
    if (b := _BRACKET_RANK.search(name)) is not None:
        return int(b[1])
    m = _RANK_HEADER.search(name)
    if not m:
        return None
    value = m[1] or m[2]
    return int(value) if value else _ORDINALS[m[3].lower()]


@dataclass
class Table:
    """One sheet of one file in inputs/stemronde/: rows of cell texts with their file row."""

    file: str  # relative to inputs/
    digest: str
    rows: list[tuple[int, list[str]]]
    key: bytes = b""  # the export's pseudonym key (agenda.privacy.pseudonym_key of its bytes)


@dataclass
class RoundFiles:
    """What inputs/stemronde/ holds: tables, a ballot sheet (if any), file digests, unreadable files."""

    tables: list[Table] = field(default_factory=list)
    ballot: list[BallotQuestion] | None = None
    ballot_file: str | None = None
    digests: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    errors: list[Rejection] = field(default_factory=list)


@dataclass
class VoteRead:
    """The votes of the files read against one ballot."""

    votes: list[Vote] = field(default_factory=list)  # one per respondent (the last answer)
    files: list[str] = field(default_factory=list)  # files that gave votes
    file_of: dict[str, str] = field(default_factory=dict)  # respondent pseudonym -> file
    warnings: list[Rejection] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # kind of bad row -> rows


def scan(inputs_dir: Path, limits: Limits | None = None) -> RoundFiles:
    """Read every .csv/.xlsx under inputs/stemronde/ (not its archief/) into tables."""
    limits = limits or Limits()
    folder = Path(inputs_dir) / ROUND_DIR
    out = RoundFiles()
    if not folder.is_dir():
        return out
    paths, refused = discover(folder, limits, suffixes=(".csv", ".xlsx", *_NOTES), exclude=(ARCHIVE_DIR,))
    out.errors += [r.model_copy(update={"file": f"{ROUND_DIR}/{r.file}"}) for r in refused]
    for path in paths:
        if path.suffix.lower() in _NOTES:  # the ballot's instruction, a secretary's notes: not votes
            continue
        rel = relative_path(path, Path(inputs_dir))
        try:
            # every file's digest counts in the input fingerprint, also one that does not read
            # (fixing it is a change; agenda/fingerprint.py hashes the folder without reading it)
            out.digests[rel] = digest = file_sha256(path)
            if check_file_size(path, limits) == 0:
                raise IngestError("leeg bestand")
            if path.suffix.lower() == ".csv":
                rows, key = csv_rows(path, limits)
                sheets = [rows]
            else:
                key = pseudonym_key(path.read_bytes())
                sheets = _xlsx_sheets(path, limits)
        except IngestError as exc:
            out.errors.append(Rejection(file=rel, line=exc.line, reason=mask_reason(exc.reason, True)))
            continue
        except OSError as exc:
            out.errors.append(Rejection(file=rel, reason=f"kan niet worden gelezen ({exc.strerror or type(exc).__name__})"))
            continue
        for rows in sheets:
            texts = [(line, [_cell_text(c) for c in cells]) for line, cells in rows]
            ballot = ballot_from_rows([cells for _, cells in texts])
            if ballot is not None:
                if out.ballot is not None and ballot != out.ballot:
                    out.errors.append(Rejection(file=rel, reason=(
                        f"tweede, ander stembiljet naast {out.ballot_file}: niet gebruikt; laat één stembiljet in "
                        f"{ROUND_DIR}/ staan")))
                elif out.ballot is None:
                    out.ballot, out.ballot_file = ballot, rel
                break  # a ballot file holds no votes
            out.tables.append(Table(rel, digest, texts, key))
    return out


def _xlsx_sheets(path: Path, limits: Limits) -> list[list[tuple[int, list[object]]]]:
    with workbook(path, limits) as wb:
        return [sheet_rows(ws, limits) for ws in wb.worksheets]


@dataclass
class _Layout:
    header_line: int
    start: int
    roles: dict[int, str]  # column -> survey context role (roles, private, respondent, …)
    lists: list[int]  # MS Forms ranking cells
    ranks: dict[int, int]  # column -> the rank it holds
    options: dict[int, str]  # column -> the ballot code it holds a rank for


def _layout(rows: list[tuple[int, list[str]]], matcher: OptionMatcher) -> _Layout | None:
    for h, (line, header) in enumerate(rows[:20]):
        if sum(bool(c) for c in header) < 2:
            continue
        # the survey reader's extra header rows: Qualtrics' question text and ImportId, LimeSurvey, SurveyMonkey
        names, start = shapes.header_rows([collapse(c) for c in header], rows, h + 1)
        roles, lists, ranks, options = {}, [], {}, {}
        data = [cells for _, cells in rows[start:]]
        for i, name in enumerate(names):
            raw = header[i] if i < len(header) else ""
            if (code := matcher.match_header(name) or matcher.match_header(raw)) is not None:
                options[i] = code
                continue
            role = _role(name) or _role(raw)
            if (k := _header_rank(name)) is not None and role not in ("private", "roles"):
                ranks[i] = k
                continue
            values = [row[i] for row in data if i < len(row) and row[i]]
            if role not in ("roles", "respondent") and identifying_column(name, values):
                role = "private"  # a name or contact column, by its header or its content (agenda/privacy.py)
            if role is not None:
                roles[i] = role
                continue
            parts = [p for v in values if ";" in v for p in _split_list(v)]
            if parts and sum(matcher.match(p) is not None for p in parts) >= 0.5 * len(parts):
                lists.append(i)
        if lists or ranks or options:
            if "roles" not in roles.values():  # no role header: a column whose answers are roles ("Ik ben …")
                for i in _role_columns(names, data, roles, lists, ranks, options):
                    roles[i] = "roles"
                    break
            return _Layout(line, start, roles, lists, ranks, options)
    return None


def _role_columns(names: list[str], data: list[list[str]], *taken: dict | list) -> list[int]:
    """Columns, not otherwise used, whose answers are mostly (60%) role names the vocabulary knows."""
    out = []
    for i in range(len(names)):
        if any(i in t for t in taken):
            continue
        values = [row[i] for row in data if i < len(row) and row[i].strip()]
        if values and sum(role_key(v) in ROLE_NAMES for v in values) >= 0.6 * len(values):
            out.append(i)
    return out


def _split_list(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r";|\n", cell) if p.strip()]


def group_of(value: str, role_names: dict[str, str] | None = None) -> str:
    """A role cell → its group, normalised as every role is (agenda/context.py: "Leerkracht" → "leraar",
    "IB-er" → "ib'er"; `role_names`: the settings' [vocabulary] roles); several roles → the first;
    empty → onbekend."""
    roles = role_values(value, role_names)
    return roles[0] if roles else UNKNOWN_GROUP


def read_votes(tables: list[Table], ballot: list[BallotQuestion], role_names: dict[str, str] | None = None) -> VoteRead:
    """The votes in `tables` against `ballot`, one per respondent (see the module docstring)."""
    matcher = OptionMatcher(ballot)
    out = VoteRead()
    by_key: dict[str, Vote] = {}
    bad: dict[tuple[str, str], list[int]] = defaultdict(list)  # (file, kind) -> rows
    unknown_values: dict[str, Counter] = defaultdict(Counter)  # file -> unmatched option texts
    for table in tables:
        layout = _layout(table.rows, matcher)
        if layout is None:
            out.warnings.append(Rejection(file=table.file, severity="warning", reason=(
                "geen stemmen gevonden: geen kolom met gerangschikte keuzes (Forms-rangschikking, '1e keuze' … "
                "'10e keuze', keuze_1 …, of een kolom per vraag met haar rangnummer) die bij het stembiljet past")))
            continue
        used = False
        for line, cells in table.rows[layout.start:]:
            if not any(cells):
                continue
            got: list[tuple[int, int, str]] = []  # (rank, order in the row, raw option)
            role_cells, key = [], None
            respondent = None
            for i, value in enumerate(cells):
                if not value:
                    continue
                role = layout.roles.get(i)
                if role == "roles":
                    role_cells.append(value)
                elif role == "private":
                    if _norm(value) not in _ANONYMOUS:  # the same name or address twice: the same person
                        key = key or f"p:{_norm(value)}"
                elif role == "respondent":
                    respondent = respondent or value
                elif i in layout.lists:
                    got += [(n, n, p) for n, p in enumerate(_split_list(value), start=1)]
                elif i in layout.ranks:
                    got.append((layout.ranks[i], i, value))
                elif i in layout.options:
                    rank = _rank_of(value)
                    if rank is None or rank < 1:
                        bad[(table.file, BAD_RANK)].append(line)
                        continue
                    got.append((rank, i, layout.options[i]))
                elif (m := EMAIL.search(value)) is not None:
                    key = key or f"p:{_norm(m[0])}"
            if not got and not role_cells:
                continue
            got.sort()
            choices: list[str] = []
            ranks: list[int] = []
            row_bad: set[str] = set()
            n_listed = 0
            for rank, _order, raw in got:
                n_listed += 1
                if n_listed > MAX_CHOICES:
                    row_bad.add(TOO_MANY)
                    break
                code = matcher.match(raw)
                if code is None:
                    row_bad.add(UNKNOWN_OPTION)
                    unknown_values[table.file][raw[:60]] += 1
                    continue
                if code in choices:
                    row_bad.add(TWICE)
                    continue
                choices.append(code)
                ranks.append(rank)
            group = group_of(", ".join(role_cells), role_names) if role_cells else UNKNOWN_GROUP
            if group == UNKNOWN_GROUP:
                row_bad.add(NO_ROLE)
            for kind in row_bad:
                bad[(table.file, kind)].append(line)
            if not choices:
                bad[(table.file, NO_CHOICE)].append(line)
                continue
            # the same person: by name or address across files, by a respondent id within one file;
            # only a keyed pseudonym (agenda/privacy.py) is kept
            same = key or (f"r:{table.file}:{respondent}" if respondent else f"row:{table.file}:{line}")
            if same in by_key:
                bad[(table.file, SAME_RESPONDENT)].append(line)
                del by_key[same]  # re-inserted: the last answer counts, in file order
            who = pseudonym(same, table.key)
            by_key[same] = Vote(respondent=who, group=group, choices=tuple(choices), ranks=tuple(ranks))
            out.file_of[who] = table.file
            used = True
        if used and table.file not in out.files:
            out.files.append(table.file)
    out.votes = list(by_key.values())
    for (file, kind), lines in sorted(bad.items()):
        out.counts[kind] += len(lines)
        out.warnings.append(Rejection(file=file, line=lines[0], severity="warning",
                                      reason=mask_reason(_warning(kind, lines, unknown_values.get(file)), True)))
    return out


_CONSEQUENCE = {
    UNKNOWN_OPTION: "die keuze telt niet mee (de andere keuzes wel); kies opties zoals op het stembiljet",
    TWICE: "alleen de hoogste plaats telt",
    TOO_MANY: "alleen de eerste 10 tellen",
    NO_ROLE: "geteld in de groep 'onbekend'",
    SAME_RESPONDENT: "alleen het laatste antwoord telt",
    NO_CHOICE: "niet meegeteld",
    BAD_RANK: "die keuze telt niet mee; verwacht een rangnummer (1, 2, … of '1e keuze')",
}


def _warning(kind: str, lines: list[int], unknown: Counter | None) -> str:
    where = ", ".join(str(n) for n in lines[:8]) + (f" en nog {len(lines) - 8}" if len(lines) > 8 else "")
    text = f"stemronde: {len(lines)} {'rij' if len(lines) == 1 else 'rijen'} met {kind} (rij {where}): {_CONSEQUENCE[kind]}"
    if kind == UNKNOWN_OPTION and unknown:
        text += " — niet herkend: " + "; ".join(f"'{v}'" for v, _ in unknown.most_common(3))
    return text
