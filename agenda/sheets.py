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

__all__ = ["write_sheet", "read_sheet"]


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
    import io
    import zipfile

    from agenda.ingest.common import IngestError, decode_bytes

    if path.is_dir():
        raise ValueError(f"{what} {path} is een map, geen bestand")
    if not path.is_file():
        raise FileNotFoundError(f"{what} niet gevonden: {path}")
    if path.suffix.lower() == ".csv":
        try:
            text, _enc = decode_bytes(path.read_bytes())
        except IngestError as exc:
            raise ValueError(f"{what} {path}: {exc.reason}") from None
        sample = text.split("\n", 1)[0]
        return list(csv.DictReader(io.StringIO(text, newline=""),
                                   delimiter=";" if sample.count(";") >= sample.count(",") else ","))
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:  # openpyxl's InvalidFileException is an OSError
        raise ValueError(f"{what} {path} is geen leesbaar Excel-bestand ({type(exc).__name__}); open het in Excel en "
                         "sla het opnieuw op als .xlsx (of als .csv)") from None
    try:
        rows = wb.active.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        return [{h: ("" if v is None else str(v)) for h, v in zip(header, r, strict=False)} for r in rows]
    finally:
        wb.close()
