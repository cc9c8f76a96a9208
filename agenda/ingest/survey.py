"""Survey exports (.csv, .xlsx): Microsoft Forms, Google Forms, Qualtrics, LimeSurvey, Excel.

One row a respondent. What is found by content, not by position:

- **header row**: the first row with text in two or more cells (or the only column); an Excel
  ``sep=;`` first line sets the CSV delimiter and is skipped. Rows right under the header that
  are header rows too are skipped: Qualtrics' question-text row (the cell under ``StartDate``
  reads "Start Date") and its ``{"ImportId":"QID4_TEXT"}`` row; their question text names the
  column (so "Welke kennisvraag …?" under ``Q4`` is a prompt header).
- **question column(s)**: every column whose header names a question (*vraag, kennisvraag,
  vraagstuk, praktijkvraag, question*; a prompt such as Forms' "Welke kennisvraag wilt u aan de
  kennistafel voorleggen?" counts), else every prompt header ending in ``?`` whose answers are free
  text with question marks (at least 40% of its non-empty cells contain a ``?``). A column whose
  header names context (sector, rol, school …), an identity or metadata field, or *opmerking* is
  never a question column.
- **override** for the rare file that still needs one: a sidecar file beside it named after it
  plus ``.yaml`` (``peiling.csv.yaml``) with ``vraagkolom: <header>`` (or a list) and optionally
  ``kopregel: <row number>``. The global ``survey_question_column`` setting is used for a file
  only when that file has such a column.
- **context**: *sector(en)*, *rol/role/functie*, *niveau/level*, *school*, *organisatie/bestuur*
  (also as a prompt: "In welke sector werkt u?"). Sector values map to codes ("Primair onderwijs"
  → po, "(v)so" → so + vso); an unknown value is kept in ``Mention.extra`` with a warning, never
  as a sector. *datum/date* → ``Mention.date``, else the date part of the timestamp.
- **respondent**: *Id / respondent / ResponseId*, else the timestamp (*Tijdstempel*, *Begintijd*,
  *StartDate*), else ``r<row>``; a respondent value that is not a row number or a tool's response id
  (a name, an e-mail address) is stored as its pseudonym (agenda/privacy.py). Columns that identify
  someone — by header (*Naam (optioneel), E-mail, Telefoonnummer, RecipientEmail …*, IP address,
  location) or by content (mostly e-mail addresses, phone numbers or person names) — are dropped on
  reading: they never reach ``extra`` or any output; nor does any other cell with an e-mail address.
- **several questions in one answer** ("1. Hoe …? 2. Wie …?", "- Hoe …? - Hoe …?", two ``?``
  sentences) become separate formulations of the same respondent and row; a follow-up that only
  makes sense with its predecessor ("En hoe dan in groep 3?", "Zo ja, …?") stays attached.
- ``line`` is the file row (CSV: the record, counting the ``sep=`` line); a cell longer than
  ``max_cell_chars`` or more than ``max_rows`` rows rejects the file; .xlsx goes through the zip
  checks and is read in read-only mode with its real extent (``reset_dimensions``: WPS and some
  generators write ``<dimension ref="A1"/>``); the first sheet with a question column is used.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agenda.ingest.common import (
    IngestError,
    RawMention,
    build_mentions,
    clean_text,
    collapse,
    context_cells,
    date_from_filename,
    decode_bytes,
    normalise_for_id,
    normalise_qmarks,
    parse_date,
    source_id,
)
from agenda.ingest import survey_shapes as shapes
from agenda.ingest.safety import check_size, check_zip, load_yaml
from agenda.models import Context, IngestResult, Rejection, Rule, Source, SourceKind
from agenda.privacy import identifying_column, identifying_header, pseudonym_key, respondent_id
from agenda.settings import Limits

MAX_COLUMNS = 2000
HEADER_SCAN = 20  # rows searched for the header
QUESTION_WORDS = shapes.QUESTION_WORDS  # vraag, vragen, vraagstuk, question(s), Q&A
NO_COLUMN = "geen kolom met vragen gevonden"
_NO_COLUMN_HINT = (
    " (verwacht een kop als vraag, kennisvraag of vraagstuk, of een vraag als kop met open antwoorden; "
    "of noem de kolom in een bestand '{name}.yaml' ernaast: vraagkolom: <kop>)"
)
_CONTEXT_WORDS = [
    (re.compile(r"\bsector(en)?\b|\bonderwijssoort\b|\btype onderwijs\b", re.I), "sectors"),
    (re.compile(r"\brol(len)?\b|\brole\b|\bfunctie\b", re.I), "roles"),
    (re.compile(r"\bniveau\b|\blevel\b", re.I), "level"),
    (re.compile(r"\bschool\b|\bschoolnaam\b", re.I), "school"),
    (re.compile(r"\borganisatie\b|\borganisation\b|\borganization\b|\bbestuur\b|\bstichting\b", re.I), "organisation"),
]
_DATE = {"datum", "date"}
_RESPONDENT = {"respondent", "respondent_id", "respondentid", "respondent id", "respondentnummer", "id", "responseid",
               "response id", "antwoord-id", "nr", "nummer"}
_TIMESTAMP = {"tijdstempel", "timestamp", "begintijd", "starttijd", "startdate", "start date", "recordeddate",
              "recorded date", "tijd van voltooien", "voltooiingstijd", "enddate", "end date", "datum ingediend",
              "submitdate", "datestamp", "laatst gewijzigd", "last modified time", "tijdstip van laatste wijziging",
              "tijd van laatste wijziging"}
_PRIVATE = re.compile(
    r"^(?:e-?mail(?:adres)?|mail(?:adres)?|e-?mail address|naam|name|volledige naam|full name|voornaam|achternaam|"
    r"first ?name|last ?name|recipient ?(?:last|first) ?name|recipient ?e-?mail|ip ?address|ipadres|ip-adres|"
    r"location ?(?:latitude|longitude)|telefoon(?:nummer)?|phone|mobiel|uw naam|je naam|wat is uw naam\??|"
    r"wat is je naam\??|e-?mailadres \(optioneel\)|contactpersoon|contactgegevens|adres|woonplaats|"
    r"author|auteur|gemaakt door|created by|asked by|gesteld door|vraagsteller|participant name|naam deelnemer)$",
    re.I,
)
_METADATA = {"status", "progress", "duration (in seconds)", "duration", "finished", "distributionchannel",
             "distribution channel", "userlanguage", "user language", "externalreference", "external data reference",
             "response type", "tijd", "lastpage", "startlanguage", "seed", "refurl", "ipaddr", "last page",
             "laatste pagina", "start language", "starttaal", "verwijzende url", "referrer url", "collector id",
             "attachment", "bijlage", "attachment url", "post url", "link", "highlighted", "gemarkeerd",
             "archived", "gearchiveerd", "voter id", "participant id", "deelnemer-id", "verzamelaar-id",
             "updated at", "bijgewerkt op", "einddatum"}
_RESPONDENT |= {"respondent id", "respondent-id", "antwoord id", "response id"}
_TIMESTAMP |= {"date submitted", "datum verstuurd", "created at", "gemaakt op", "submitted at", "ingediend op",
               "date created", "datum gemaakt"}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Override:
    question_columns: list[str] = field(default_factory=list)
    header_row: int | None = None
    source: str = ""  # where the override came from, for messages


def sidecar_path(path: Path) -> Path:
    """``peiling.csv`` → ``peiling.csv.yaml`` (the per-file override)."""
    return path.with_name(path.name + ".yaml")


def read_override(path: Path, limits: Limits, global_column: str | None) -> Override:
    side = sidecar_path(path)
    if not side.is_file():
        alt = path.with_name(path.name + ".yml")
        side = alt if alt.is_file() else side
    if side.is_file():
        text, _ = decode_bytes(side.read_bytes()[: 64 * 1024])
        data, lines = load_yaml(clean_text(text), limits, what=f"het instellingenbestand {side.name}")
        if not isinstance(data, dict):
            raise IngestError(f"{side.name} moet velden bevatten, bijvoorbeeld: vraagkolom: Welke vraag heeft u?", 1)
        cols = data.get("vraagkolom", data.get("vraagkolommen", data.get("question_column", data.get("question_columns"))))
        if isinstance(cols, str):
            cols = [cols]
        if cols is not None and not (isinstance(cols, list) and all(isinstance(c, str) for c in cols)):
            raise IngestError(f"{side.name}: 'vraagkolom' moet de kop van een kolom zijn (tekst) of een lijst met koppen")
        header_row = data.get("kopregel", data.get("header_row"))
        if header_row is not None and (not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1):
            raise IngestError(f"{side.name}: 'kopregel' moet een regelnummer zijn (1, 2, …)", lines.get("kopregel"))
        return Override(list(cols or []), header_row, side.name)
    if global_column:
        return Override([global_column], None, "")
    return Override()


# --- cells ------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def _col_name(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _key(header: str) -> str:
    return " ".join(header.lower().replace("\u00a0", " ").strip(" :*").split())


def _check_cells(texts: list[str], line: int, header: list[str] | None, limits: Limits) -> None:
    for i, t in enumerate(texts):
        if len(t) > limits.max_cell_chars:
            col = header[i] if header and i < len(header) and header[i] else _col_name(i)
            raise IngestError(
                f"cel in rij {line}, kolom '{col}' heeft {len(t)} tekens (grens {limits.max_cell_chars}): "
                "bestand niet gelezen",
                line,
            )


# --- several questions in one answer --------------------------------------------------------------

_MARKER = re.compile(r"(?:^|(?<=\s))(?:\d{1,2}[.)]|[-•*–▪]|\([a-z]\)|[a-z]\))\s+(?=\S)")
_LINE_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•*–▪]|\([a-z]\)|[a-z]\))\s+")
_FOLLOW_UP = re.compile(r"^(?:en|of|maar|zo ja|zo nee|zo niet|waarom|hoe dan|en hoe|en wat|en wie|en waarom|ook)\b", re.I)
_Q_SPLIT = re.compile(r"(?<=\?)[\s\"'’”»)]*(?=\S)")
# a short question that points back at the one before it ("Hoe regelen andere scholen dat?", "Wat
# zegt de inspectie daarover?") asks nothing on its own: it stays attached, as a follow-up does
_POINTS_BACK = re.compile(
    r"\b(?:dat|dit)(?:\s+(?:dan|eigenlijk|precies|wel|nu|zo|op school|bij jullie|bij hen))?\s*\?$"
    r"|\b(?:daar|hier)(?:aan|bij|door|in|mee|na|naar|om|op|over|toe|uit|van|voor)\b|\ber(?:aan|mee|over|van|voor)\b", re.I)
_POINTS_BACK_WORDS = 10


def split_answer(text: str) -> list[str]:
    """One answer → its questions. A numbered or bulleted list (one item a line, or inline
    "1. …? 2. …?" / "- …? - …?") gives one part per item; otherwise two or more ``?`` sentences give
    one part per question, a sentence without ``?`` staying with the question after it. A follow-up
    that starts with *En, Of, Maar, Zo ja, Waarom …*, or a short one that points back ('… dat?',
    '… daarover?'), stays attached to its predecessor. An answer
    with at most one question is returned whole."""
    text = text.strip()
    if text.count("?") < 2:
        return [collapse(_LINE_MARKER.sub("", text, count=1)) if _single_item(text) else collapse(text)]
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) > 1 and sum(bool(_LINE_MARKER.match(ln)) for ln in lines) >= 2:
        items: list[str] = []
        for ln in lines:
            if _LINE_MARKER.match(ln) or not items:
                items.append(_LINE_MARKER.sub("", ln, count=1))
            else:
                items[-1] += " " + ln.strip()
        parts = items
    else:
        flat = collapse(text)
        markers = [m for m in _MARKER.finditer(flat)]
        if len(markers) >= 2 and markers[0].start() == 0:
            cuts = [m.start() for m in markers] + [len(flat)]
            parts = [flat[a:b] for a, b in zip(cuts, cuts[1:])]
            parts = [_MARKER.sub("", p, count=1) if _MARKER.match(p) else p for p in parts]
        else:
            parts = _Q_SPLIT.split(flat)
    out: list[str] = []
    pending = ""
    for part in (collapse(p) for p in parts):
        if not part:
            continue
        if "?" not in part:  # a statement: context for the question after it
            pending = f"{pending} {part}".strip()
            continue
        part = f"{pending} {part}".strip()
        pending = ""
        if out and (_FOLLOW_UP.match(part) or (len(part.split()) <= _POINTS_BACK_WORDS and _POINTS_BACK.search(part))):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    if pending:
        if out:
            out[-1] = f"{out[-1]} {pending}"
        else:
            out.append(pending)
    return out or [collapse(text)]


def _single_item(text: str) -> bool:
    return bool(_LINE_MARKER.match(text)) and "\n" not in text.strip()


# --- header and columns ---------------------------------------------------------------------------


@dataclass
class Layout:
    header: list[str]  # the column names (Qualtrics: the question-text row where it has text)
    header_line: int
    data_start: int  # index into rows of the first data row
    question_cols: list[int]
    roles: dict[int, str]  # context target / "date" / "respondent" / "timestamp" / "private" / "meta" / "votes"
    options: dict[int, shapes.Option] = field(default_factory=dict)  # a multiple-choice question's option columns
    post: bool = False  # Padlet: the question columns are a post's subject and body, one formulation
    tool: str = ""  # "padlet", "slido", "mentimeter" or "" (survey_shapes.tool_of)
    title: str = ""  # a board/event title above the header


def _role(name: str) -> str | None:
    key = _key(name)
    if not key:
        return None
    if _PRIVATE.match(key) or "e-mail" in key or key.startswith("email") or identifying_header(name):
        return "private"
    if key in shapes.VOTES:
        return "votes"
    if key in _DATE:
        return "date"
    if key in _RESPONDENT:
        return "respondent"
    if key in _TIMESTAMP:
        return "timestamp"
    if key in _METADATA:
        return "meta"
    if QUESTION_WORDS.search(key) and "opmerking" not in key:
        return None  # a question column, decided by the caller
    for rx, target in _CONTEXT_WORDS:
        if rx.search(key):
            return target
    return None


def _is_header_like(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 2 or (len(cells) == 1 and len(filled) == 1)


def find_layout(rows: list[tuple[int, list[str]]], override: Override, name: str) -> Layout:
    if not rows:
        raise IngestError("leeg bestand (geen kopregel gevonden)")
    h = None
    if override.header_row is not None:
        h = next((i for i, (ln, _) in enumerate(rows) if ln == override.header_row), None)
        if h is None:
            raise IngestError(f"kopregel {override.header_row} (uit {override.source}) bestaat niet in dit bestand")
    else:
        # a title row above the header (a Padlet board, an export's name) is one cell: a row with
        # two or more filled cells is the header when there is one
        h = next((i for i, (_ln, cells) in enumerate(rows[:HEADER_SCAN]) if sum(bool(c) for c in cells) >= 2), None)
        if h is not None and h > 0:
            # ... when the rows under it are a table too (in a one-column file an answer with a stray
            # comma is no header)
            below = [cells for _ln, cells in rows[h + 1:h + 51] if any(cells)]
            if sum(sum(bool(c) for c in cells) >= 2 for cells in below) < 0.5 * len(below):
                h = None
        for i, (_ln, cells) in enumerate(rows[:HEADER_SCAN] if h is None else ()):
            if _is_header_like(cells):
                h = i
                break
        if h is None:
            h = next((i for i, (_ln, cells) in enumerate(rows) if any(cells)), None)
        if h is None:
            raise IngestError("leeg bestand (geen kopregel gevonden)")
    header_line, header = rows[h][0], [collapse(c) for c in rows[h][1]]
    # extra header rows (Qualtrics, LimeSurvey, SurveyMonkey) name the columns
    names, start = shapes.header_rows(header, rows, h + 1)
    data = [cells for _ln, cells in rows[start:]]
    options = {i: opt for i, opt in shapes.option_columns(names).items() if shapes.ticks(opt, _column(data, i))}
    for i, opt in options.items():
        names[i] = opt.question
    roles: dict[int, str] = {}
    for i, n in enumerate(names):
        r = _role(n) or (_role(header[i]) if names[i] != header[i] and i not in options else None)
        if r is not None:
            roles[i] = r
    keys = [_key(n) for n in names]
    post = shapes.post_columns(keys)
    qcols: list[int] = []
    if override.question_columns:
        lower = [_key(n) for n in names] + [_key(x) for x in header]
        for want in override.question_columns:
            k = _key(want)
            if k in lower:
                qcols.append(lower.index(k) % len(names))
            elif override.source:
                raise IngestError(
                    f"kolom '{want}' (vraagkolom in {override.source}) niet gevonden in de kopregel", header_line
                )
    if not qcols and post is not None:
        qcols = list(post)
    else:
        post = None
    if not qcols:
        qcols = _question_columns(names, roles, options, data)
    if not qcols:
        raise IngestError(NO_COLUMN + _NO_COLUMN_HINT.format(name=name), header_line)
    for i in qcols:
        roles.pop(i, None)
        options.pop(i, None)
    return Layout(names, header_line, start, sorted(set(qcols)), roles, options, post is not None,
                  shapes.tool_of(keys, post is not None), shapes.title_above(rows, h))


def _question_columns(names: list[str], roles: dict[int, str], options: dict, data: list[list[str]]) -> list[int]:
    """The columns that hold the questions, decided by what they hold.

    A column whose header names a question (*vraag*, *kennisvraag*, "Welke vraag …?") counts when its
    answers are free text (not a choice: "Over welk thema gaat uw vraag?" answered with a few themes);
    else a prompt column whose answers ask (free text, 40% with a ``?``) or any other column (a tool's code
    such as ``G01Q03``) with three or more answers, 60% of them with a ``?``; else the named columns as they are (an empty one gives the file's "no question" warning)."""
    free = [i for i, n in enumerate(names) if i not in roles and i not in options]
    named = [i for i in free if QUESTION_WORDS.search(names[i]) and "opmerking" not in names[i].lower()]
    holding = [i for i in named if _holds_text(data, i)]
    asking = [i for i in holding if _asks(data, i)]
    if asking and len(asking) < len(holding) and all(_share_asking(data, i) < 0.1 for i in holding if i not in asking):
        return asking  # a named column that never asks beside one that does ("Toelichting bij uw vraag") is not one
    asks = [i for i in free if i not in named and _asks(data, i) and not _choice(data, i) and (
        names[i].rstrip().endswith("?")  # a prompt with open answers
        or (len(_column(data, i)) >= 3 and _share_asking(data, i) >= 0.6))]  # a code such as G01Q03: mostly asking
    if holding and (asking or not asks or any(_share_asking(data, i) >= 0.1 for i in holding)):
        return holding
    if asks:
        return asks  # the named columns hold no questions ("Over welk thema gaat uw vraag?"): the asking ones do
    named = [i for i in named if not _choice(data, i)]  # a choice among a few options is never the questions
    if len(named) > 1:
        # several named columns: keep the ones that hold free text ("Vraagnummer" does not)
        named = [i for i in named if _free_text(data, i) or not names[i].rstrip().endswith("?")] or named
    return named


def _column(data: list[list[str]], i: int) -> list[str]:
    return [row[i] for row in data if i < len(row) and row[i]]


def _free_text(data: list[list[str]], i: int) -> bool:
    values = _column(data, i)
    if not values:
        return False
    return sum(len(v.split()) >= 3 for v in values) >= 0.5 * len(values)


def _asks(data: list[list[str]], i: int) -> bool:
    """A prompt column holds questions: free text, and at least 40% of its answers contain a '?'."""
    values = _column(data, i)
    return bool(values) and _free_text(data, i) and _share_asking(data, i) >= 0.4


def _share_asking(data: list[list[str]], i: int) -> float:
    values = _column(data, i)
    return sum("?" in v for v in values) / len(values) if values else 0.0


def _choice(data: list[list[str]], i: int) -> bool:
    """A choice column: four or more answers, at most half of them different (a poll's question repeated
    on each option row counts too); or Forms' multiple choice, options each closed by ';' ("Lezen;Rekenen;")."""
    values = [v.casefold().strip() for v in _column(data, i)]
    if values and sum(v.endswith(";") for v in values) >= 0.5 * len(values):
        return True
    return len(values) >= 4 and len(set(values)) <= 0.5 * len(values)  # the same few texts: offered, not written


def _holds_text(data: list[list[str]], i: int) -> bool:
    """Answers written by the respondents: free text (or asking), not a choice among a few options."""
    values = _column(data, i)
    if not values or _choice(data, i):
        return False
    return _free_text(data, i) or (_share_asking(data, i) >= 0.4 and sum(len(v.split()) >= 2 for v in values)
                                   >= 0.5 * len(values))


def not_a_question(text: str) -> bool:
    """An answer that is only digits/punctuation or a single word ("12", "nvt", "Rekenen", "-"): no question."""
    words = [w for w in re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", text) if len(w) > 1]  # "n.v.t.": no words
    return len(words) <= 1


# --- rows → result ----------------------------------------------------------------------------------


@dataclass
class SheetRead:
    """What one table (a CSV file, a worksheet) gave, before mention ids are assigned."""

    raws: list[RawMention]
    warnings: list[Rejection]
    title: str = ""  # a board/event/presentation title found in it


def _rows_to_result(
    rows: list[tuple[int, list[object]]], rel: str, content_hash: str, limits: Limits, override: Override,
    key: bytes,
) -> IngestResult:
    """`key`: the export's pseudonym key (agenda.privacy.pseudonym_key of its bytes)."""
    read = _read_rows(rows, rel, limits, override, key)
    return _result(read.raws, read.warnings, rel, content_hash, limits, read.title)


def _read_rows(rows: list[tuple[int, list[object]]], rel: str, limits: Limits, override: Override,
               key: bytes) -> SheetRead:
    texts_rows = [(line, [normalise_qmarks(_cell_text(c)) for c in row]) for line, row in rows]
    name = PurePosixPath(rel).name
    if not override.question_columns and (blocks := shapes.slide_blocks(texts_rows)) is not None:
        for line, texts in texts_rows:
            _check_cells(texts, line, None, limits)
        return _blocks_read(blocks, texts_rows, rel)
    try:
        layout = find_layout(texts_rows, override, name)
    except IngestError:
        for line, texts in texts_rows:  # an oversized cell is the better reason
            _check_cells(texts, line, None, limits)
        raise
    header = layout.header
    for line, texts in texts_rows:
        _check_cells(texts, line, header if line > layout.header_line else None, limits)
    data = [texts for _line, texts in texts_rows[layout.data_start:]]
    for i, name in enumerate(header):  # a column that holds names, e-mail addresses or phone numbers
        if i not in layout.question_cols and layout.roles.get(i) not in ("private", "respondent", "timestamp", "date"):
            if identifying_column(name, _column(data, i)):
                layout.roles[i] = "private"
    raws: list[RawMention] = []
    warnings: list[Rejection] = []
    skipped: list[int] = []
    n_rows = 0
    title_key = shapes.TITLE_KEY[layout.tool]
    for line, texts in texts_rows[layout.data_start:]:
        n_rows += 1
        if n_rows > limits.max_rows:
            raise IngestError(f"meer dan {limits.max_rows} rijen: te groot om te lezen", line)
        answers = [(i, texts[i]) for i in layout.question_cols if i < len(texts) and texts[i].strip()]
        if layout.post:  # a Padlet post: subject and body are one formulation
            subject, body = (texts[i] if i < len(texts) else "" for i in layout.question_cols[:2])
            answers = [(answers[0][0], shapes.join_post(subject, body))] if answers else []
        if not answers:
            continue
        cells: dict[str, str] = {}
        extra: dict[str, list[str] | str] = {}
        if layout.title:
            extra[title_key] = layout.title
        date = stamp_date = None
        respondent = stamp = None
        for i, value in enumerate(texts):
            if i in layout.question_cols or not value:
                continue
            if i in layout.options:
                value = shapes.option_value(layout.options[i], value)
                if not value:
                    continue
            role = layout.roles.get(i)
            col = header[i] if i < len(header) and header[i] else f"kolom {_col_name(i)}"
            if role in ("private", "meta"):
                continue
            if role in ("sectors", "roles", "level", "school", "organisation"):
                cells[role] = f"{cells[role]}, {value}" if role in cells else value
            elif role == "date":
                try:
                    date = parse_date(value, col)
                except IngestError as exc:
                    raise IngestError(f"rij {line}, kolom '{col}': {exc.reason}", line) from None
            elif role == "respondent":
                respondent = respondent or value
            elif role == "timestamp":
                stamp = stamp or value
                stamp_date = stamp_date or _stamp_date(value)
            elif role == "votes":
                extra["stemmen"] = value  # likes/upvotes: metadata, never sources
            elif _EMAIL.search(value):
                continue  # an e-mail address in any other column never reaches an output
            elif i in layout.options and col in extra:
                extra[col] = f"{extra[col]}, {value}"
            else:
                extra[col] = value
        ctx, meta, found = context_cells(cells, f"rij {line}")
        extra.update(meta)
        warnings.extend(Rejection(file=rel, line=line, reason=w, severity="warning") for w in found)
        for col, answer in answers:
            for question in split_answer(answer):
                if question and not_a_question(question):
                    skipped.append(line)
                elif question:
                    q_extra = dict(extra)
                    if layout.tool == "mentimeter":
                        q_extra["dia"] = header[col]  # the slide's title: the context of its answers
                    raws.append(RawMention(
                        question, Rule.survey, line, ctx, q_extra,
                        respondent=respondent_id(respondent, key) if respondent else (stamp or f"r{line}"),
                        date=date or stamp_date,
                    ))
    warnings.extend(_skipped_warning(rel, skipped))
    return SheetRead(raws, warnings, layout.title)


def _skipped_warning(rel: str, skipped: list[int]) -> list[Rejection]:
    """One warning for the answers that are a number or a single word ("nvt", "12", "Rekenen")."""
    if not skipped:
        return []
    rows = ", ".join(str(n) for n in skipped[:5]) + (" …" if len(skipped) > 5 else "")
    return [Rejection(file=rel, line=skipped[0], severity="warning",
                      reason=f"{len(skipped)} antwoord(en) overgeslagen: alleen een getal of één woord, geen vraag "
                             f"(rij {rows})")]


def _result(raws: list[RawMention], warnings: list[Rejection], rel: str, content_hash: str, limits: Limits,
            title: str = "") -> IngestResult:
    sid = source_id(content_hash)
    name = PurePosixPath(rel).name
    date = date_from_filename(name)
    source = Source(
        id=sid, path=rel, kind=SourceKind.survey, title=title or PurePosixPath(rel).stem, date=date,
        content_hash=content_hash,
    )
    mentions = build_mentions(raws, rel, sid, Context(), date, limits.max_cell_chars)
    return IngestResult(source=source, mentions=mentions, warnings=warnings)


def _blocks_read(blocks: list[shapes.Block], rows: list[tuple[int, list[str]]], rel: str) -> SheetRead:
    """Mentimeter's results sheet: each response of an open-ended or Q&A slide is a formulation, the
    slide title kept as ``extra["dia"]`` and a Q&A question's upvotes as ``extra["stemmen"]``."""
    raws: list[RawMention] = []
    skipped: list[int] = []
    title = shapes.title_in_summary(rows)
    if not blocks[0].responses:  # the presentation's title on the first row, a blank row under it
        title, blocks = title or blocks[0].title, blocks[1:]
    for block in blocks:
        if not shapes.open_block(block, lambda t: not not_a_question(t)):
            continue
        for line, text, votes in block.responses:
            extra: dict[str, list[str] | str] = {"dia": block.title}
            if title:
                extra["presentatie"] = title
            if votes:
                extra["stemmen"] = votes
            if _EMAIL.search(text):
                continue
            for question in split_answer(text):
                if question and not_a_question(question):
                    skipped.append(line)
                elif question:
                    raws.append(RawMention(question, Rule.survey, line, None, extra, respondent=f"r{line}"))
    if not any(shapes.open_block(b, lambda t: True) for b in blocks):
        raise IngestError(NO_COLUMN + " (een Mentimeter-export zonder dia met open antwoorden of vragen)")
    return SheetRead(raws, _skipped_warning(rel, skipped), title)


def _stamp_date(value: str) -> dt.date | None:
    """The date part of a timestamp as Forms/Google/Qualtrics write it (ISO, or d-m-yyyy h:mm)."""
    m = re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})", value) or None
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.match(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value)
        if not m:
            return None
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        if re.search(r"\d\s*[AP]M\s*$", value, re.I):  # SurveyMonkey's US "03/07/2022 09:12:05 AM" is month first
            d, mo = mo, d
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


# --- readers --------------------------------------------------------------------------------------

_SEP_LINE = re.compile(r"^\ufeff?\"?sep=(.)\"?\s*$", re.I)


def _delimiter(lines: list[str]) -> str:
    first = next((ln for ln in lines[:50] if ln.strip()), "")
    counts = {d: 0 for d in (",", ";", "\t")}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, rel: str, content_hash: str, limits: Limits, question_column: str | None) -> IngestResult:
    override = read_override(path, limits, question_column)
    rows, key = csv_rows(path, limits)
    return _rows_to_result(rows, rel, content_hash, limits, override, key)


def csv_rows(path: Path, limits: Limits) -> tuple[list[tuple[int, list[object]]], bytes]:
    """A CSV export's records as (file row, cells), as Excel and the survey tools write them:
    any of the encodings of `decode_bytes`, `,`/`;`/tab found from the first line or Excel's
    `sep=` line; and the export's pseudonym key (of the bytes parsed). Raises IngestError
    (Dutch, with the row) for a file that cannot be read."""
    data = path.read_bytes()
    check_size(len(data), limits)  # it may have grown after the size check
    text, _enc = decode_bytes(data)
    key = pseudonym_key(data)
    del data
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    head = text.split("\n", 50)[:50]
    skip = 0
    if head and (m := _SEP_LINE.match(head[0])):
        delim, skip = m[1], 1  # Excel's "sep=;" line names the delimiter
    else:
        delim = _delimiter(head)
    for n, physical in enumerate(io.StringIO(text), start=1):
        if physical.count(delim) >= MAX_COLUMNS:
            raise IngestError(f"regel {n} heeft meer dan {MAX_COLUMNS} kolommen: geen enquête-export, niet gelezen", n)
    csv.field_size_limit(max(csv.field_size_limit(), int(limits.max_file_mb * 1024 * 1024) + 1))
    body = text.split("\n", skip)[skip] if skip else text
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim)
    rows: list[tuple[int, list[object]]] = []
    n = skip
    try:
        for row in reader:
            n += 1
            rows.append((n, list(row)))
            if len(rows) > limits.max_rows + HEADER_SCAN:
                raise IngestError(f"meer dan {limits.max_rows} rijen: te groot om te lezen", n)
    except csv.Error as exc:
        raise IngestError(f"CSV kan niet worden gelezen bij rij {n + 1}: {_csv_reason(exc)}", n + 1) from None
    return rows, key


def _response_sheets(read: list[tuple[bool, str, SheetRead]], summary_title: str,
                     ) -> tuple[list[RawMention], list[Rejection], str]:
    """The sheets that hold the responses: first the best — not a pivot table or summary ("Rijlabels",
    "Eindtotaal") when another sheet has questions, then the most formulations, the first on a tie — and
    with it every other such sheet whose formulations are not mostly the same (a slide or round a sheet,
    as Mentimeter and a secretary's rounds write them; a cleaned copy of the answers is not read twice).
    A summary sheet's event/presentation title (Slido, Mentimeter) names the source when no sheet does."""
    def rank(n: int) -> tuple[bool, int, int]:
        pivot, _name, sheet = read[n]
        return (not pivot and bool(sheet.raws), len(sheet.raws), -n)

    best = max(range(len(read)), key=rank)
    chosen = [best]
    seen = {normalise_for_id(r.text) for r in read[best][2].raws}
    for n, (pivot, _name, sheet) in enumerate(read):
        texts = {normalise_for_id(r.text) for r in sheet.raws}
        if n == best or pivot or not texts or read[best][0] or len(texts & seen) > 0.2 * len(texts):
            continue
        chosen.append(n)
        seen |= texts
    chosen.sort()
    raws: list[RawMention] = []
    warnings: list[Rejection] = []
    for n in chosen:
        _pivot, name, sheet = read[n]
        for r in sheet.raws:
            if len(chosen) > 1:
                r.extra = {**r.extra, "werkblad": name}  # line numbers are per sheet
            raws.append(r)
        warnings.extend(sheet.warnings)
    title = read[best][2].title
    if not title and summary_title:
        title = summary_title
        key = shapes.TITLE_KEY["mentimeter" if any("dia" in r.extra for r in raws) else "slido"]
        for r in raws:
            if not any(k in r.extra for k in shapes.TITLE_KEY.values()):
                r.extra = {**r.extra, key: title}
    return raws, warnings, title


def _csv_reason(exc: csv.Error) -> str:
    msg = str(exc)
    if "NUL" in msg or "null byte" in msg:
        return "het bestand bevat NUL-tekens (geen tekstbestand?)"
    if "field larger" in msg:
        return "een cel is te groot"
    if "quote" in msg or "EOF" in msg:
        return "een aanhalingsteken wordt niet gesloten; controleer de cel op die rij"
    return "onleesbare regel"


def open_workbook(path: Path, limits: Limits):
    """An .xlsx opened read-only (values, not formulas) after the zip checks; IngestError (Dutch) if damaged."""
    check_zip(path, limits, "Excel-bestand")
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover
        raise IngestError(f"openpyxl is niet geïnstalleerd ({exc})") from None
    try:
        return openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError(f"beschadigd of ongeldig Excel-bestand: {exc.__class__.__name__}: {str(exc)[:150]}") from None


def sheet_rows(ws, limits: Limits) -> list[tuple[int, list[object]]]:
    """A worksheet's rows as (row number, values), up to the row limit (plus room for the header)."""
    # read-only mode trusts <dimension>; WPS and some generators write "A1": read the real extent
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    rows: list[tuple[int, list[object]]] = []
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        rows.append((n, list(row)))
        if n > limits.max_rows + HEADER_SCAN:
            break
    return rows


def read_xlsx(path: Path, rel: str, content_hash: str, limits: Limits, question_column: str | None) -> IngestResult:
    override = read_override(path, limits, question_column)
    key = pseudonym_key(path.read_bytes())
    with workbook(path, limits) as wb:
        last_error: IngestError | None = None
        read: list[tuple[bool, str, SheetRead]] = []  # (pivot/summary sheet, sheet name, what it gave)
        summary_title = ""
        for ws in wb.worksheets:
            rows = sheet_rows(ws, limits)
            texts = [(n, [_cell_text(c) for c in row]) for n, row in rows[:40]]
            summary_title = summary_title or shapes.title_in_summary(texts)
            try:
                sheet = _read_rows(rows, rel, limits, override, key)
            except IngestError as exc:
                if exc.reason.startswith(NO_COLUMN) or exc.reason.startswith("leeg bestand"):
                    if len(rows) > limits.max_rows + HEADER_SCAN:  # cut at the limit: that is the reason to give
                        last_error = IngestError(f"werkblad '{ws.title}' heeft meer dan {limits.max_rows} rijen: te "
                                                 "groot om te lezen", limits.max_rows + HEADER_SCAN)
                    last_error = last_error or exc
                    continue
                raise
            read.append((shapes.looks_like_pivot(texts), str(ws.title), sheet))
        if not read:
            raise last_error or IngestError("leeg Excel-bestand (geen werkbladen)")
        raws, warnings, title = _response_sheets(read, summary_title)
        return _result(raws, warnings, rel, content_hash, limits, title)


@contextlib.contextmanager
def workbook(path: Path, limits: Limits) -> Iterator:
    """`open_workbook`, closed afterwards; any error while reading it becomes one Dutch IngestError."""
    wb = open_workbook(path, limits)
    try:
        yield wb
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(f"beschadigd of ongeldig Excel-bestand: {exc.__class__.__name__}: {str(exc)[:150]}") from None
    finally:
        try:
            wb.close()
        except Exception:
            pass
