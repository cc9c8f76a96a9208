"""The curator's spreadsheets (review queue, evidence sheet): write as .xlsx or .csv, read back.

CSV is written as Dutch Excel writes it (``;``, UTF-8 with BOM) and read with ``;`` or ``,``;
.xlsx gets a bold header, wrapped cells, frozen header row and a drop-down on the verdict
column. Every text cell is neutralised against formula injection (``safe_cell``); numbers
stay numbers. Files are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import csv
import os
import threading
from pathlib import Path

from agenda.report.text_outputs import safe_cell

__all__ = ["write_sheet", "read_sheet", "read_sheet_lines", "STAMP_COLUMN", "now_stamp", "sheet_stamp", "contradictions",
           "normalise_id"]

# Every sheet says when it was made (UTC, ISO, one value on every row): a verdict from an older
# sheet never undoes a decision that a newer sheet wrote (agenda/dedupe/review.py).
STAMP_COLUMN = "gemaakt"


# invisible characters a copy from a mail, a web page or Word brings along (zero-width, bidi controls,
# soft hyphen, BOM), and every dash Word's autocorrect or a keyboard layout writes
_INVISIBLE = "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_ID_SHAPE = None


def normalise_id(value: object) -> str:
    """A cell as a curator typed it, with an id in its one spelling: ``q-1A2B3C``, ``Q–1a2b3c`` (an en
    dash, as Word's autocorrect writes it), ``Q 1a2b3c``, ``Q-1a2b3c`` with a zero-width space or a
    no-break space → ``Q-1a2b3c`` (likewise ``M-`` and ``K-``). Anything else comes back with its
    spaces collapsed, invisible characters dropped and the ``'`` that neutralised a formula removed."""
    import re

    global _ID_SHAPE
    if _ID_SHAPE is None:
        _ID_SHAPE = re.compile(r"^([QMKqmk])\s*(?:[-_\u2010-\u2015\u2212]\s*|(?=[0-9a-fA-F]*\d))([0-9a-fA-F]{6,})$")
    text = re.sub(f"[{_INVISIBLE}]", "", str(value or "").replace("\u00a0", " "))
    text = " ".join(text.split()).lstrip("'")
    m = _ID_SHAPE.match(text)
    return f"{m.group(1).upper()}-{m.group(2).lower()}" if m else text


def now_stamp() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp_of_time(seconds: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sheet_stamp(rows: list[dict[str, str]], path: Path) -> str:
    """When the sheet was made: its ``gemaakt`` column, else (a sheet from before that column) the
    time the file was last saved."""
    import re

    for r in rows:
        value = (r.get(STAMP_COLUMN) or "").strip()
        if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value):
            return value
    return stamp_of_time(path.stat().st_mtime)


def contradictions(path: Path, verdicts: dict[object, list[tuple[int, str]]], describe) -> None:
    """Refuse a sheet that says two things about one pair: `verdicts` maps a key to its
    (row, verdict) list; raises ValueError naming the rows (Dutch), `describe(key)` naming the pair."""
    bad = [(key, rows) for key, rows in verdicts.items() if len({v for _n, v in rows}) > 1]
    if not bad:
        return
    lines = [f"{describe(key)}: " + ", ".join(f"regel {n} '{v}'" for n, v in rows) for key, rows in bad[:10]]
    more = f" (en nog {len(bad) - 10})" if len(bad) > 10 else ""
    raise ValueError(f"{path}: tegenstrijdige oordelen in één lijst, er is niets verwerkt; kies per paar één oordeel: "
                     + "; ".join(lines) + more)


def count(n: int, one: str, many: str) -> str:
    """'1 formulering', '3 formuleringen': a count in a Dutch summary line."""
    return f"{n} {one if n == 1 else many}"


def write_sheet(rows: list[dict[str, object]], path: Path, columns: list[str], *, title: str,
                widths: list[float], verdict_column: str, verdicts: list[str], prompt: str,
                row_verdicts=None, instructions: list[str] | None = None) -> None:
    """Write `rows` (dicts keyed by `columns`) to `path` (.csv or .xlsx), plus a last column
    ``gemaakt`` with when the sheet was made (the same on every row).

    `instructions` (.xlsx only; the first line is the title): lines above the table, then an empty
    row, then the header; read back with ``read_sheet_lines(..., header=...)``. A CSV is always
    header first.

    In the .xlsx the verdict column gets a drop-down of `verdicts` with `prompt`; `row_verdicts`
    (row -> (verdicts, prompt) or None) gives a row its own drop-down instead (the review sheet's
    choice rows)."""
    if STAMP_COLUMN not in columns:
        columns, widths = [*columns, STAMP_COLUMN], ([*widths, 21] if len(widths) == len(columns) else widths)
    stamp = now_stamp()
    rows = [{**r, STAMP_COLUMN: stamp} for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # two writers never share one
    if path.suffix.lower() == ".csv":
        with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, delimiter=";")
            writer.writeheader()
            for r in rows:  # a decimal comma, as in the agenda's CSV: Dutch Excel reads '0.453' as 453
                writer.writerow({k: str(v).replace(".", ",") if isinstance(v := r.get(k), float) else safe_cell(v)
                                 for k in columns})
        tmp.replace(path)
        return
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for n, line in enumerate(instructions or []):
        ws.append([line])
        ws.cell(ws.max_row, 1).font = Font(bold=n == 0, italic=n > 0)
    if instructions:
        ws.append([])
    top = len(instructions) + 1 if instructions else 0  # rows above the header (an empty one below the text)
    ws.append(columns)
    for r in rows:
        ws.append([safe_cell(r.get(c)) if isinstance(r.get(c), str) else r.get(c) for c in columns])
    for cell in ws[top + 1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    for row in ws.iter_rows(min_row=top + 2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    col = get_column_letter(columns.index(verdict_column) + 1)
    if row_verdicts is None:
        validation = DataValidation(type="list", formula1='"' + ",".join(verdicts) + '"', allow_blank=True,
                                    promptTitle="Oordeel", prompt=prompt)
        ws.add_data_validation(validation)
        validation.add(f"{col}{top + 2}:{col}{top + max(len(rows) + 1, 2)}")
    else:  # one validation per kind of row, each over the cells of its rows
        kinds: dict[tuple[tuple[str, ...], str], list[int]] = {}
        for n, r in enumerate(rows, start=top + 2):
            own = row_verdicts(r) or (verdicts, prompt)
            kinds.setdefault((tuple(own[0]), own[1]), []).append(n)
        for (options, text), lines in kinds.items():
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                                        promptTitle="Oordeel", prompt=text, showErrorMessage=list(options) != list(verdicts),
                                        errorTitle="Oordeel", error="Kies een waarde uit de lijst.")
            ws.add_data_validation(validation)
            start = lines[0]
            for prev, n in zip(lines, [*lines[1:], None]):  # one range per run of adjacent rows
                if n != prev + 1:
                    validation.add(f"{col}{start}:{col}{prev}")
                    start = n
    ws.freeze_panes = f"A{top + 2}"
    if instructions:  # sorting and filtering the table leaves the lines above it alone
        ws.auto_filter.ref = f"A{top + 1}:{get_column_letter(len(columns))}{top + max(len(rows), 1) + 1}"
    wb.save(tmp)
    tmp.replace(path)


def read_sheet(path: Path, what: str = "bestand", limits=None) -> list[dict[str, str]]:
    """Rows of a filled-in sheet (.csv with ``;`` or ``,``, or .xlsx), every value a string.

    A CSV is decoded as Excel saves it (UTF-8, UTF-16 or Windows-1252: Excel's 'CSV' on Windows
    wrote 'é' as one byte, which stopped `--apply` with "'utf-8' codec can't decode byte 0xe9").
    Raises FileNotFoundError, or ValueError (Dutch, naming the file) for a file that is no sheet."""
    return [row for _line, row in read_sheet_lines(path, what, limits=limits)]


def read_sheet_lines(path: Path, what: str = "bestand", header: str | None = None,
                     limits=None) -> list[tuple[int, dict[str, str]]]:
    """As :func:`read_sheet`, each row with its line number in the sheet (1-based, as Excel shows it).

    With ``header`` (a column name), the header row is the first row holding that name, so a
    sheet may carry instructions above its table (the regroup sheet does); else it is the first row.

    Guarded like every input (`limits`, default Limits()): the file size, for .xlsx the zip checks
    (a 2 MB sheet that unpacks to 434 MB took 190 s), and at most ``max_rows`` rows; .xlsx is read
    by its real extent, not its ``<dimension>`` (WPS writes ``A1``: every verdict was lost)."""
    import io
    import re
    import zipfile

    from agenda.ingest.common import IngestError, decode_bytes
    from agenda.ingest.safety import check_size, check_zip
    from agenda.settings import Limits

    limits = limits or Limits()
    if path.is_dir():
        raise ValueError(f"{what} {path} is een map, geen bestand")
    if not path.is_file():
        raise FileNotFoundError(f"{what} niet gevonden: {path}")
    unreadable = (f"{what} {path} is geen leesbaar Excel-bestand ({{}}); open het in Excel en "
                  "sla het opnieuw op als .xlsx (of als .csv)")
    if path.suffix.lower() != ".csv" and not zipfile.is_zipfile(path):
        raise ValueError(unreadable.format("BadZipFile"))
    try:
        check_size(path.stat().st_size, limits)
        if path.suffix.lower() != ".csv":
            check_zip(path, limits, "Excel-bestand")
    except IngestError as exc:
        raise ValueError(f"{what} {path} niet gelezen: {exc.reason}") from None
    too_many = f"{what} {path} heeft meer dan {limits.max_rows} regels: verdeel de lijst"
    if path.suffix.lower() == ".csv":
        try:
            text, _enc = decode_bytes(path.read_bytes())
        except IngestError as exc:
            raise ValueError(f"{what} {path}: {exc.reason}") from None
        lines = text.splitlines(keepends=True)
        skip = 0
        if header is not None:  # a field named so, not a line mentioning it (an instruction may)
            skip = next((n for n, line in enumerate(lines[:50])
                         if header in line and header in {f.strip().strip('"') for f in re.split(r"[;,]", line)}), 0)
        sample = lines[skip] if lines else ""
        csv.field_size_limit(max(csv.field_size_limit(), int(limits.max_file_mb * 1024 * 1024) + 1))
        reader = csv.DictReader(io.StringIO("".join(lines[skip:]), newline=""),
                                delimiter=";" if sample.count(";") >= sample.count(",") else ",")
        out: list[tuple[int, dict[str, str]]] = []
        try:
            for row in reader:
                out.append((skip + reader.line_num, row))
                if len(out) > limits.max_rows:
                    raise ValueError(too_many)
        except csv.Error as exc:
            raise ValueError(f"{what} {path}: onleesbare CSV bij regel {skip + reader.line_num} ({exc})") from None
        return out
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:  # openpyxl's InvalidFileException is an OSError
        raise ValueError(unreadable.format(type(exc).__name__)) from None
    try:
        ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # read-only mode trusts <dimension>; WPS writes "A1"
        rows = ws.iter_rows(values_only=True)
        line = 1
        names = [str(h or "").strip() for h in next(rows, [])]
        while header is not None and header not in names and line < 50:
            nxt = next(rows, None)
            if nxt is None:
                break
            names = [str(h or "").strip() for h in nxt]
            line += 1
        result: list[tuple[int, dict[str, str]]] = []
        for n, r in enumerate(rows, start=1):
            result.append((line + n, {h: ("" if v is None else str(v)) for h, v in zip(names, r, strict=False)}))
            if len(result) > limits.max_rows:
                raise ValueError(too_many)
    finally:
        wb.close()
    _refuse_formulas_without_value(path, what, result, line)
    return result


def _refuse_formulas_without_value(path: Path, what: str, rows: list[tuple[int, dict[str, str]]],
                                   header_line: int) -> None:
    """A formula in a filled-in sheet (``=C7`` in hoort_bij, ``=IF(…)`` in oordeel) reads as its last
    computed value; a workbook saved by a program that never computed it (a script, some exports)
    has none, and the cell read as empty: the decision was skipped without a word. Refused instead,
    naming the cell."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(b"<f" in z.read(n) for n in sheets):
            return
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        values = {line: row for line, row in rows}
        for n, r in enumerate(ws.iter_rows(values_only=True), start=1):
            if n <= header_line:
                continue
            shown = values.get(n, {})
            names = list(shown)
            for i, v in enumerate(r):
                if isinstance(v, str) and v.startswith("=") and i < len(names) and not shown[names[i]]:
                    raise ValueError(f"{what} {path}, regel {n}, kolom {names[i]} ({get_column_letter(i + 1)}{n}): "
                                     f"een formule zonder berekende waarde ({v[:40]}); er is niets verwerkt. Typ de "
                                     "waarde zelf in, of open de lijst in Excel of LibreOffice en sla hem opnieuw op")
    finally:
        wb.close()
