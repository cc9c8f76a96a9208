"""Survey exports (.csv, .xlsx): one row a respondent or a question.

- question column: ``survey_question_column`` from the settings, else the first header equal
  (case-insensitive, trimmed) to vraag, kennisvraag, vraagstuk, praktijkvraag, question;
- context columns: sector(en), rol/role, niveau/level, school, organisatie/organisation;
  datum/date → ``Mention.date``; respondent/respondent_id/id → ``Mention.respondent`` (else
  ``r<row>``); every other non-empty cell → ``Mention.extra[header]``;
- empty question cells are skipped; a cell need not end in ``?`` (it answers "what is your
  question");
- ``line`` is the file row (header row = 1; for CSV, records — a quoted cell may span lines);
- CSV encodings: UTF-8 with or without BOM, UTF-16 (BOM, or BOM-less detected by NUL
  pattern), Windows-1252; delimiter ``,`` ``;`` or tab, counted on the header line;
- a cell longer than ``max_cell_chars`` rejects the file (naming row and column); more than
  ``max_rows`` rows rejects it too; xlsx goes through the zip checks first and is read with
  openpyxl in read-only mode (streaming); the first sheet with a question column is used.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from agenda.ingest.common import (
    IngestError,
    RawMention,
    build_mentions,
    clean_text,
    collapse,
    date_from_filename,
    decode_bytes,
    parse_date,
    source_id,
    split_values,
)
from agenda.ingest.safety import check_zip
from agenda.models import Context, IngestResult, Rule, Source, SourceKind
from agenda.settings import Limits

MAX_COLUMNS = 2000
QUESTION_HEADERS = ("vraag", "kennisvraag", "vraagstuk", "praktijkvraag", "question")
NO_COLUMN = "geen kolom met vragen gevonden (verwacht: vraag, kennisvraag, vraagstuk of question)"
_CONTEXT = {
    "sector": "sectors", "sectoren": "sectors",
    "rol": "roles", "role": "roles", "rollen": "roles", "functie": "roles",
    "niveau": "level", "level": "level",
    "school": "school",
    "organisatie": "organisation", "organisation": "organisation", "organization": "organisation", "bestuur": "organisation",
}
_DATE = ("datum", "date")
_RESPONDENT = ("respondent", "respondent_id", "respondentid", "respondent id", "respondentnummer", "id")


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


def _rows_to_result(
    rows: Iterable[tuple[int, list[object]]],
    rel: str,
    content_hash: str,
    limits: Limits,
    question_column: str | None,
) -> IngestResult:
    it: Iterator[tuple[int, list[object]]] = iter(rows)
    header: list[str] | None = None
    header_line = 1
    for line, row in it:
        texts = [_cell_text(c) for c in row]
        _check_cells(texts, line, None, limits)
        if any(texts):
            header, header_line = [collapse(t) for t in texts], line
            break
    if header is None:
        raise IngestError("leeg bestand (geen kopregel gevonden)")
    lower = [h.strip().lower() for h in header]
    qcol: int | None = None
    if question_column:
        want = question_column.strip().lower()
        qcol = lower.index(want) if want in lower else None
        if qcol is None:
            raise IngestError(
                f"kolom '{question_column}' (ingesteld als vragenkolom) niet gevonden in de kopregel", header_line
            )
    else:
        for i, h in enumerate(lower):
            if h in QUESTION_HEADERS:
                qcol = i
                break
    if qcol is None:
        raise IngestError(NO_COLUMN, header_line)

    roles: dict[int, str] = {}
    for i, h in enumerate(lower):
        if i == qcol or not h:
            continue
        if h in _CONTEXT:
            roles[i] = _CONTEXT[h]
        elif h in _DATE:
            roles[i] = "date"
        elif h in _RESPONDENT and "respondent" not in roles.values():
            roles[i] = "respondent"

    raws: list[RawMention] = []
    n_rows = 0
    for line, row in it:
        n_rows += 1
        if n_rows > limits.max_rows:
            raise IngestError(f"meer dan {limits.max_rows} rijen: te groot om te lezen", line)
        texts = [_cell_text(c) for c in row]
        _check_cells(texts, line, header, limits)
        question = collapse(texts[qcol]) if qcol < len(texts) else ""
        if not question:
            continue
        ctx: dict[str, object] = {}
        extra: dict[str, list[str] | str] = {}
        date = None
        respondent = None
        for i, value in enumerate(texts):
            if i == qcol or not value:
                continue
            role = roles.get(i)
            if role in ("sectors", "roles"):
                ctx[role] = [v.lower() for v in split_values(value)]
            elif role == "level":
                ctx[role] = value.lower()
            elif role in ("school", "organisation"):
                ctx[role] = value
            elif role == "date":
                try:
                    date = parse_date(value, header[i])
                except IngestError as exc:
                    raise IngestError(f"rij {line}, kolom '{header[i]}': {exc.reason}", line) from None
            elif role == "respondent":
                respondent = value
            else:
                key = header[i] if i < len(header) and header[i] else f"kolom {_col_name(i)}"
                extra[key] = value
        raws.append(
            RawMention(
                question, Rule.survey, line, Context(**ctx), extra,  # type: ignore[arg-type]
                respondent=respondent or f"r{line}", date=date,
            )
        )
    name = PurePosixPath(rel).name
    sid = source_id(content_hash)
    date = date_from_filename(name)
    source = Source(
        id=sid, path=rel, kind=SourceKind.survey, title=PurePosixPath(rel).stem, date=date,
        content_hash=content_hash,
    )
    return IngestResult(source=source, mentions=build_mentions(raws, rel, sid, Context(), date, limits.max_cell_chars))


def _check_cells(texts: list[str], line: int, header: list[str] | None, limits: Limits) -> None:
    for i, t in enumerate(texts):
        if len(t) > limits.max_cell_chars:
            col = header[i] if header and i < len(header) and header[i] else _col_name(i)
            raise IngestError(
                f"cel in rij {line}, kolom '{col}' heeft {len(t)} tekens (grens {limits.max_cell_chars}): "
                "bestand niet gelezen",
                line,
            )


def _delimiter(text: str) -> str:
    first = next((ln for ln in text.split("\n", 50)[:50] if ln.strip()), "")
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
    data = path.read_bytes()
    if len(data) > limits.max_file_mb * 1024 * 1024:  # grew after the size check
        raise IngestError(f"bestand is te groot (de grens is {limits.max_file_mb:g} MB)")
    text, _enc = decode_bytes(data)
    del data
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delim = _delimiter(text)
    for n, physical in enumerate(io.StringIO(text), start=1):
        if physical.count(delim) >= MAX_COLUMNS:
            raise IngestError(f"regel {n} heeft meer dan {MAX_COLUMNS} kolommen: geen enquête-export, niet gelezen", n)
    csv.field_size_limit(max(csv.field_size_limit(), int(limits.max_file_mb * 1024 * 1024) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)

    def rows() -> Iterator[tuple[int, list[object]]]:
        n = 0
        try:
            for row in reader:
                n += 1
                yield n, list(row)
        except csv.Error as exc:
            raise IngestError(f"CSV kan niet worden gelezen bij rij {n + 1}: {exc}", n + 1) from None

    return _rows_to_result(rows(), rel, content_hash, limits, question_column)


def read_xlsx(path: Path, rel: str, content_hash: str, limits: Limits, question_column: str | None) -> IngestResult:
    check_zip(path, limits, "Excel-bestand")
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
        for ws in wb.worksheets:
            def rows(ws=ws) -> Iterator[tuple[int, list[object]]]:
                for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
                    yield n, list(row)
                    if n > limits.max_rows + 10:
                        break

            try:
                return _rows_to_result(rows(), rel, content_hash, limits, question_column)
            except IngestError as exc:
                if exc.reason.startswith(NO_COLUMN) or exc.reason.startswith("leeg bestand"):
                    last_error = exc
                    continue
                raise
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
