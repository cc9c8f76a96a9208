"""Chapter 'Wat is er veranderd': this version against the previous one."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from ..common import one_line
from ..docx_base import Writer


HEADING = "Wat is er veranderd"


def write(w: Writer) -> None:
    c = w.agenda.changes
    w.heading(HEADING, 1, new_page=True)
    if not c.previous:
        w.para("Dit is de eerste versie van de kennisagenda. Er is nog geen eerdere versie om mee te "
                  "vergelijken; vanaf de volgende versie staat hier wat er is veranderd.")
        return
    if c.empty:
        w.para(f"Er is niets veranderd ten opzichte van versie {c.previous}.")
        return
    w.para(f"Vergeleken met de vorige versie ({c.previous}): {len(c.new)} nieuwe vragen, "
              f"{len(c.dropped)} vervallen vragen, {len(c.moves)} verschuivingen in de rangorde, "
              f"{len(c.merges)} samenvoegingen en {len(c.frequency)} vragen die vaker of minder vaak "
              "zijn genoemd.")
    center = WD_ALIGN_PARAGRAPH.CENTER

    w.heading("Nieuwe vragen", 2)
    if c.new:
        w.table(["Plaats", "Vraag", "Bronnen"],
                   [[i.rank, one_line(i.question), i.frequency] for i in sorted(c.new, key=lambda i: i.rank)],
                   [1.6, 12.6, 1.8], align={0: center, 2: center})
    else:
        w.none_line("Geen.")

    w.heading("Vervallen vragen", 2)
    if c.dropped:
        w.table(["Was", "Vraag", "Bronnen"],
                   [[i.rank, one_line(i.question), i.frequency] for i in sorted(c.dropped, key=lambda i: i.rank)],
                   [1.6, 12.6, 1.8], align={0: center, 2: center})
        w.para("Een vraag vervalt als geen enkele bron haar nog noemt, of als de curator haar heeft "
                  "samengevoegd of uitgesloten.", "Kleine tekst").paragraph_format.space_before = Pt(4)
    else:
        w.none_line("Geen.")

    w.heading("Verschuivingen in de rangorde", 2)
    if c.moves:
        rows = []
        for mv in sorted(c.moves, key=lambda m: m.new_rank):
            delta = mv.old_rank - mv.new_rank
            arrow = f"▲ {delta}" if delta > 0 else f"▼ {-delta}" if delta < 0 else "="
            rows.append([one_line(mv.question), f"{mv.old_rank} → {mv.new_rank}", arrow])
        w.table(["Vraag", "Plaats (oud → nieuw)", "Verschil"], rows, [10.6, 3.4, 2.0],
                   align={1: center, 2: center})
    else:
        w.none_line("Geen.")

    w.heading("Samengevoegde vragen", 2)
    if c.merges:
        w.table(["Vraag in deze versie", "Samengevoegd uit (vorige versie)"],
                   [[f"{one_line(m.question)} ({m.into})", ", ".join(m.merged)] for m in c.merges],
                   [11.0, 5.0])
    else:
        w.none_line("Geen.")

    if c.moved:  # regrouped formulations (kennisagenda indeling): only when there are any
        w.heading("Verplaatste formuleringen", 2)
        w.table(["Formulering", "Van (vorige versie)", "Naar de vraag"],
                [[one_line(m.text), m.from_id, f"{one_line(m.question)} ({m.into})"] for m in c.moved],
                [7.0, 2.6, 6.4])

    w.heading("Beantwoord door de kennisbibliotheek", 2)
    if c.answered:
        w.table(["Vraag", "Beantwoord door"],
                   [[f"{one_line(a.question)} ({a.cluster_id})", one_line(a.source)] for a in c.answered],
                   [8.6, 7.4])
    else:
        w.none_line("Geen.")

    w.heading("Vaker of minder vaak genoemd", 2)
    if c.frequency:
        w.table(["Vraag", "Bronnen (oud → nieuw)"],
                   [[one_line(f.question), f"{f.old} → {f.new}"] for f in c.frequency],
                   [12.4, 3.6], align={1: center})
    else:
        w.none_line("Geen.")
