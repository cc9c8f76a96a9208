"""The curator's spreadsheets (review queue, evidence sheet): write as .xlsx or .csv, read back.

CSV is written as Dutch Excel writes it (``;``, UTF-8 with BOM) and read with ``;`` or ``,``;
.xlsx gets a bold header, wrapped cells, frozen header row and a drop-down on the verdict
column. Every text cell is neutralised against formula injection (``safe_cell``); numbers
stay numbers. Files are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import csv
from pathlib import Path

from agenda.report.text_outputs import safe_cell

__all__ = ["write_sheet", "read_sheet", "read_sheet_lines"]


def write_sheet(rows: list[dict[str, object]], path: Path, columns: list[str], *, title: str,
                widths: list[float], verdict_column: str, verdicts: list[str], prompt: str) -> None:
    """Write `rows` (dicts keyed by `columns`) to `path` (.csv or .xlsx)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".csv":
        with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, delimiter=";")
            writer.writeheader()
            for r in rows:
                writer.writerow({k: safe_cell(r.get(k)) for k in columns})
        tmp.replace(path)
        return
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(columns)
    for r in rows:
        ws.append([safe_cell(r.get(c)) if isinstance(r.get(c), str) else r.get(c) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    validation = DataValidation(type="list", formula1='"' + ",".join(verdicts) + '"', allow_blank=True,
                                promptTitle="Oordeel", prompt=prompt)
    ws.add_data_validation(validation)
    col = get_column_letter(columns.index(verdict_column) + 1)
    validation.add(f"{col}2:{col}{max(len(rows) + 1, 2)}")
    ws.freeze_panes = "A2"
    wb.save(tmp)
    tmp.replace(path)


def read_sheet(path: Path, what: str = "bestand") -> list[dict[str, str]]:
    """Rows of a filled-in sheet (.csv with ``;`` or ``,``, or .xlsx), every value a string.

    A CSV is decoded as Excel saves it (UTF-8, UTF-16 or Windows-1252: Excel's 'CSV' on Windows
    wrote 'é' as one byte, which stopped `--apply` with "'utf-8' codec can't decode byte 0xe9").
    Raises FileNotFoundError, or ValueError (Dutch, naming the file) for a file that is no sheet."""
    return [row for _line, row in read_sheet_lines(path, what)]


def read_sheet_lines(path: Path, what: str = "bestand", header: str | None = None) -> list[tuple[int, dict[str, str]]]:
    """As :func:`read_sheet`, each row with its line number in the sheet (1-based, as Excel shows it).

    With ``header`` (a column name), the header row is the first row holding that name, so a
    sheet may carry instructions above its table (the regroup sheet does); else it is the first row."""
    import io
    import zipfile

    from agenda.ingest.common import IngestError, decode_bytes
    from agenda.ingest.safety import check_file_size
    from agenda.settings import Limits

    if path.is_dir():
        raise ValueError(f"{what} {path} is een map, geen bestand")
    if not path.is_file():
        raise FileNotFoundError(f"{what} niet gevonden: {path}")
    try:
        check_file_size(path, Limits())
    except IngestError as exc:
        raise ValueError(f"{what} {path}: {exc.reason}") from None
    if path.suffix.lower() == ".csv":
        try:
            text, _enc = decode_bytes(path.read_bytes())
        except IngestError as exc:
            raise ValueError(f"{what} {path}: {exc.reason}") from None
        lines = text.splitlines(keepends=True)
        skip = 0
        if header is not None:
            skip = next((n for n, line in enumerate(lines[:50]) if header in line), 0)
        sample = lines[skip] if lines else ""
        reader = csv.DictReader(io.StringIO("".join(lines[skip:]), newline=""),
                                delimiter=";" if sample.count(";") >= sample.count(",") else ",")
        return [(skip + reader.line_num, row) for row in reader]
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:  # openpyxl's InvalidFileException is an OSError
        raise ValueError(f"{what} {path} is geen leesbaar Excel-bestand ({type(exc).__name__}); open het in Excel en "
                         "sla het opnieuw op als .xlsx (of als .csv)") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        line = 1
        names = [str(h or "").strip() for h in next(rows, [])]
        while header is not None and header not in names and line < 50:
            nxt = next(rows, None)
            if nxt is None:
                break
            names = [str(h or "").strip() for h in nxt]
            line += 1
        return [(line + n, {h: ("" if v is None else str(v)) for h, v in zip(names, r, strict=False)})
                for n, r in enumerate(rows, start=1)]
    finally:
        wb.close()
