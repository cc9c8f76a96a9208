"""The agenda as an Excel workbook (openpyxl): one sheet a table, for a funder who filters and sorts.

Sheets: *Agenda* (one row per question, the CSV's columns), *Formuleringen* (every formulation
with its question and source) and *Bronnen* (every source document). Every text cell is written
as a string (never a formula: openpyxl would store '=…' as one), header rows are frozen and
filterable, and columns get readable widths. Written in openpyxl's write-only (streaming) mode.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agenda.models import Agenda

from . import common
from .common import atomic_path, clean, one_line
from .text_outputs import CSV_COLUMNS, agenda_rows

__all__ = ["write_xlsx"]

_HEADER_FILL = PatternFill("solid", fgColor="1F3B5A")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_WRAP = Alignment(vertical="top", wrap_text=True)
_TOP = Alignment(vertical="top")
_WIDE = {"Kennisvraag": 60, "Formulering": 60, "Waarom deze plaats": 50, "Wat is al bekend": 50,
         "Hoe maken we het toegankelijk": 50, "Welk onderzoek is nog nodig": 60, "Onderzoeksvraag (voorstel)": 60,
         "Titel": 50, "Bestand": 40, "Bron": 40}


def _sheet(wb: Workbook, title: str, header: tuple[str, ...] | list[str], rows: list[list[object]]) -> None:
    """One sheet, streamed (write-only mode: memory stays flat for 50,000 formulations)."""
    ws = wb.create_sheet(title)
    for n, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(n)].width = _WIDE.get(name, max(10, min(24, len(name) + 2)))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    head = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        head.append(cell)
    ws.append(head)
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, (int, float)) or v is None:
                cells.append(v)
                continue
            cell = WriteOnlyCell(ws, value=clean(v))
            cell.data_type = "s"  # text, never a formula
            cell.alignment = _WRAP if len(cell.value) > 40 else _TOP
            cells.append(cell)
        ws.append(cells)


def write_xlsx(agenda: Agenda, path: Path) -> Path:
    """Write the workbook atomically; returns ``path``."""
    wb = Workbook(write_only=True)
    _sheet(wb, "Agenda", CSV_COLUMNS, agenda_rows(agenda))
    forms = [[i.rank if i in agenda.items else None, i.cluster_id, one_line(i.question), m.id, one_line(m.text),
              one_line(m.source), common.KIND_SHORT.get(common.kind_value(m.kind), common.kind_value(m.kind)),
              m.date.isoformat() if m.date else "", "; ".join(m.sectors), "; ".join(m.roles), m.school or ""]
             for i in [*sorted(agenda.items, key=lambda i: i.rank), *agenda.answered] for m in i.mentions]
    _sheet(wb, "Formuleringen", ["Plaats", "Id vraag", "Kennisvraag", "Id", "Formulering", "Bron", "Soort bron",
                                 "Datum", "Sectoren", "Rollen", "School"], forms)
    srcs = [[s.id, one_line(s.title), common.KIND_SHORT.get(common.kind_value(s.kind), common.kind_value(s.kind)),
             s.date.isoformat() if s.date else "", s.path, s.n_mentions] for s in agenda.sources]
    _sheet(wb, "Bronnen", ["Id", "Titel", "Soort bron", "Datum", "Bestand", "Formuleringen"], srcs)
    with atomic_path(path) as tmp:
        wb.save(str(tmp))
    return path
