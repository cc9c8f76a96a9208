"""The agenda as an Excel workbook (openpyxl): one sheet a table, for a funder who filters and sorts.

Sheets: *Agenda* (one row per question, the CSV's columns), *Formuleringen* (every formulation
with its question and source) and *Bronnen* (every source document). Every text cell is written
as a string (never a formula: openpyxl would store '=…' as one), header rows are frozen and
filterable, and columns get readable widths.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agenda.models import Agenda

from . import common
from .common import atomic_path, clean, one_line
from .text_outputs import CSV_COLUMNS, agenda_rows

__all__ = ["write_xlsx"]

_HEADER_FILL = PatternFill("solid", fgColor="1F3B5A")
_WIDE = {"Kennisvraag": 60, "Formulering": 60, "Waarom deze plaats": 50, "Wat is al bekend": 50,
         "Hoe maken we het toegankelijk": 50, "Welk onderzoek is nog nodig": 60, "Onderzoeksvraag (voorstel)": 60,
         "Titel": 50, "Bestand": 40, "Bron": 40}


def _sheet(wb: Workbook, title: str, header: tuple[str, ...] | list[str], rows: list[list[object]], first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append([v if isinstance(v, (int, float)) or v is None else clean(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
                cell.alignment = Alignment(vertical="top", wrap_text=len(cell.value) > 40)
    for n, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(n)].width = _WIDE.get(name, max(10, min(24, len(name) + 2)))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write_xlsx(agenda: Agenda, path: Path) -> Path:
    """Write the workbook atomically; returns ``path``."""
    wb = Workbook()
    _sheet(wb, "Agenda", CSV_COLUMNS, agenda_rows(agenda), True)
    forms = [[i.rank if i in agenda.items else None, i.cluster_id, one_line(i.question), m.id, one_line(m.text),
              one_line(m.source), common.KIND_SHORT.get(common.kind_value(m.kind), common.kind_value(m.kind)),
              m.date.isoformat() if m.date else "", "; ".join(m.sectors), "; ".join(m.roles), m.school or ""]
             for i in [*sorted(agenda.items, key=lambda i: i.rank), *agenda.answered] for m in i.mentions]
    _sheet(wb, "Formuleringen", ["Plaats", "Id vraag", "Kennisvraag", "Id", "Formulering", "Bron", "Soort bron",
                                 "Datum", "Sectoren", "Rollen", "School"], forms, False)
    srcs = [[s.id, one_line(s.title), common.KIND_SHORT.get(common.kind_value(s.kind), common.kind_value(s.kind)),
             s.date.isoformat() if s.date else "", s.path, s.n_mentions] for s in agenda.sources]
    _sheet(wb, "Bronnen", ["Id", "Titel", "Soort bron", "Datum", "Bestand", "Formuleringen"], srcs, False)
    with atomic_path(path) as tmp:
        wb.save(str(tmp))
    return path
