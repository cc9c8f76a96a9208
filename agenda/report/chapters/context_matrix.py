"""Chapter 'Contextmatrix': formulations per question and sector, as a heat map."""

from __future__ import annotations

from agenda.models import SECTORS

from .. import charts
from ..docx_base import Writer


HEADING = "Contextmatrix"
TOP_N_MATRIX = 25


def write(w: Writer) -> None:
    w.heading(HEADING, 1, new_page=True)
    items = w.items[:TOP_N_MATRIX]
    if not items:
        w.none_line("Er staan nog geen vragen op de agenda.")
        return
    text = ("De matrix laat per vraag zien in welke sectoren ze is gesteld: het getal is het aantal "
            f"formuleringen uit die sector ({', '.join(SECTORS)}). Een formulering zonder sector staat "
            "onder ‘geen’. Hoe donkerder het vak, hoe vaker de vraag daar is genoemd.")
    if len(w.items) > TOP_N_MATRIX:
        text += (f" Om de matrix leesbaar te houden staan alleen de {TOP_N_MATRIX} hoogst geplaatste vragen "
                 f"van de {len(w.items)} erin; de sectoren van alle vragen staan in hoofdstuk "
                 "‘De kennisvragen per thema’.")
    w.para(text)
    w.picture(charts.sector_heatmap(items), 16.0,
                 "Aantal formuleringen per vraag en sector"
                 + (f" (de {TOP_N_MATRIX} hoogst geplaatste vragen)." if len(w.items) > TOP_N_MATRIX else "."))
