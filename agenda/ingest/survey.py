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

import csv
import datetime as dt
import io
import re
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
    normalise_qmarks,
    parse_date,
    source_id,
)
from agenda.ingest.safety import check_size, check_zip, load_yaml
from agenda.models import Context, IngestResult, Rejection, Rule, Source, SourceKind
from agenda.privacy import identifying_column, identifying_header, pseudonym_key, respondent_id
from agenda.settings import Limits

MAX_COLUMNS = 2000
HEADER_SCAN = 20  # rows searched for the header
QUESTION_WORDS = re.compile(r"vraag|vragen|vraagstuk|\bquestions?\b", re.I)
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
    r"wat is je naam\??|e-?mailadres \(optioneel\)|contactpersoon|contactgegevens|adres|woonplaats)$",
    re.I,
)
_METADATA = {"status", "progress", "duration (in seconds)", "duration", "finished", "distributionchannel",
             "distribution channel", "userlanguage", "user language", "externalreference", "external data reference",
             "response type", "tijd", "lastpage", "startlanguage", "seed", "refurl", "ipaddr"}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:', re.I)


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


def split_answer(text: str) -> list[str]:
    """One answer → its questions. A numbered or bulleted list (one item a line, or inline
    "1. …? 2. …?" / "- …? - …?") gives one part per item; otherwise two or more ``?`` sentences give
    one part per question, a sentence without ``?`` staying with the question after it. A follow-up
    that starts with *En, Of, Maar, Zo ja, Waarom …* stays attached to its predecessor. An answer
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
        if out and _FOLLOW_UP.match(part):
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
    roles: dict[int, str]  # context target / "date" / "respondent" / "timestamp" / "private" / "meta"


def _role(name: str) -> str | None:
    key = _key(name)
    if not key:
        return None
    if _PRIVATE.match(key) or "e-mail" in key or key.startswith("email") or identifying_header(name):
        return "private"
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
        for i, (_ln, cells) in enumerate(rows[:HEADER_SCAN]):
            if _is_header_like(cells):
                h = i
                break
        if h is None:
            h = next((i for i, (_ln, cells) in enumerate(rows) if any(cells)), None)
        if h is None:
            raise IngestError("leeg bestand (geen kopregel gevonden)")
    header_line, header = rows[h][0], [collapse(c) for c in rows[h][1]]
    names = list(header)
    start = h + 1
    # Qualtrics: a question-text row ("Start Date" under StartDate) and an ImportId row
    keys = [_key(x) for x in header]
    while start < len(rows):
        cells = rows[start][1]
        filled = [c for c in cells if c]
        if filled and all(_IMPORT_ID.match(c) for c in filled):
            start += 1
            continue
        if "startdate" in keys and keys.index("startdate") < len(cells) and _key(cells[keys.index("startdate")]) == "start date":
            for i, c in enumerate(cells):
                if c and i < len(names):
                    names[i] = collapse(c)
            start += 1
            continue
        break
    roles: dict[int, str] = {}
    for i, n in enumerate(names):
        r = _role(n) or (_role(header[i]) if names[i] != header[i] else None)
        if r is not None:
            roles[i] = r
    data = [cells for _ln, cells in rows[start:]]
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
    if not qcols:
        named = [i for i, n in enumerate(names) if i not in roles and QUESTION_WORDS.search(n) and "opmerking" not in n.lower()]
        if len(named) > 1:
            # several named columns: keep the ones that hold free text ("Vraagnummer" does not)
            named = [i for i in named if _free_text(data, i) or not names[i].rstrip().endswith("?")] or named
        qcols = named
    if not qcols:
        qcols = [i for i, n in enumerate(names) if i not in roles and n.rstrip().endswith("?") and _asks(data, i)]
    if not qcols:
        raise IngestError(NO_COLUMN + _NO_COLUMN_HINT.format(name=name), header_line)
    for i in qcols:
        roles.pop(i, None)
    return Layout(names, header_line, start, sorted(set(qcols)), roles)


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
    return bool(values) and _free_text(data, i) and sum("?" in v for v in values) >= 0.4 * len(values)


# --- rows → result ----------------------------------------------------------------------------------


def _rows_to_result(
    rows: list[tuple[int, list[object]]], rel: str, content_hash: str, limits: Limits, override: Override,
    key: bytes,
) -> IngestResult:
    """`key`: the export's pseudonym key (agenda.privacy.pseudonym_key of its bytes)."""
    texts_rows = [(line, [normalise_qmarks(_cell_text(c)) for c in row]) for line, row in rows]
    name = PurePosixPath(rel).name
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
    n_rows = 0
    for line, texts in texts_rows[layout.data_start:]:
        n_rows += 1
        if n_rows > limits.max_rows:
            raise IngestError(f"meer dan {limits.max_rows} rijen: te groot om te lezen", line)
        answers = [texts[i] for i in layout.question_cols if i < len(texts) and texts[i].strip()]
        if not answers:
            continue
        cells: dict[str, str] = {}
        extra: dict[str, list[str] | str] = {}
        date = stamp_date = None
        respondent = stamp = None
        for i, value in enumerate(texts):
            if i in layout.question_cols or not value:
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
            elif _EMAIL.search(value):
                continue  # an e-mail address in any other column never reaches an output
            else:
                extra[col] = value
        ctx, meta, found = context_cells(cells, f"rij {line}")
        extra.update(meta)
        warnings.extend(Rejection(file=rel, line=line, reason=w, severity="warning") for w in found)
        for answer in answers:
            for question in split_answer(answer):
                if question:
                    raws.append(RawMention(
                        question, Rule.survey, line, ctx, dict(extra),
                        respondent=respondent_id(respondent, key) if respondent else (stamp or f"r{line}"),
                        date=date or stamp_date,
                    ))
    sid = source_id(content_hash)
    date = date_from_filename(name)
    source = Source(
        id=sid, path=rel, kind=SourceKind.survey, title=PurePosixPath(rel).stem, date=date,
        content_hash=content_hash,
    )
    mentions = build_mentions(raws, rel, sid, Context(), date, limits.max_cell_chars)
    return IngestResult(source=source, mentions=mentions, warnings=warnings)


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
    return _rows_to_result(rows, rel, content_hash, limits, override, key)


def _csv_reason(exc: csv.Error) -> str:
    msg = str(exc)
    if "NUL" in msg or "null byte" in msg:
        return "het bestand bevat NUL-tekens (geen tekstbestand?)"
    if "field larger" in msg:
        return "een cel is te groot"
    if "quote" in msg or "EOF" in msg:
        return "een aanhalingsteken wordt niet gesloten; controleer de cel op die rij"
    return "onleesbare regel"


def read_xlsx(path: Path, rel: str, content_hash: str, limits: Limits, question_column: str | None) -> IngestResult:
    override = read_override(path, limits, question_column)
    check_zip(path, limits, "Excel-bestand")
    key = pseudonym_key(path.read_bytes())
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover
        raise IngestError(f"openpyxl is niet geïnstalleerd ({exc})") from None
    try:
        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError(f"beschadigd of ongeldig Excel-bestand: {exc.__class__.__name__}: {str(exc)[:150]}") from None
    try:
        last_error: IngestError | None = None
        first_read: IngestResult | None = None  # a sheet with a question column but no answers
        for ws in wb.worksheets:
            # read-only mode trusts <dimension>; WPS and some generators write "A1": read the real extent
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            rows: list[tuple[int, list[object]]] = []
            for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
                rows.append((n, list(row)))
                if n > limits.max_rows + HEADER_SCAN:
                    break
            try:
                result = _rows_to_result(rows, rel, content_hash, limits, override, key)
            except IngestError as exc:
                if exc.reason.startswith(NO_COLUMN) or exc.reason.startswith("leeg bestand"):
                    last_error = last_error or exc
                    continue
                raise
            if result.mentions:
                return result
            first_read = first_read or result
        if first_read is not None:
            return first_read
        raise last_error or IngestError("leeg Excel-bestand (geen werkbladen)")
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(f"beschadigd of ongeldig Excel-bestand: {exc.__class__.__name__}: {str(exc)[:150]}") from None
    finally:
        try:
            wb.close()
        except Exception:
            pass
