"""Chapter 'Wat is er veranderd': this version against the previous one."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from agenda.versions import TOP

from ..common import one_line, plural
from ..docx_base import Writer, join_and
from . import priority


HEADING = "Wat is er veranderd"


def summary_line(c) -> str:
    """'2 nieuwe vragen, 1 vervallen, 3 in of uit de top 10, …': every kind of change, counted."""
    parts = [(len(c.new), "nieuwe vraag", "nieuwe vragen"),
             (len(c.readmitted), "vraag niet langer uitgesloten", "vragen niet langer uitgesloten"),
             (len(c.dropped) + len(c.dropped_answered), "vervallen vraag", "vervallen vragen"),
             (len(c.excluded), "door de curator uitgesloten vraag", "door de curator uitgesloten vragen"),
             (len(c.answered), "vraag nu beantwoord", "vragen nu beantwoord"),
             (len(c.unanswered), "vraag niet langer beantwoord", "vragen niet langer beantwoord"),
             (len(c.top_in) + len(c.top_out), f"wisseling in de top {TOP}", f"wisselingen in de top {TOP}"),
             (len(c.moves), "verschuiving in de rangorde", "verschuivingen in de rangorde"),
             (len(c.merges), "samenvoeging", "samenvoegingen"),
             (len(c.splits), "opgesplitste vraag", "opgesplitste vragen"),
             (len(c.renamed), "andere formulering", "andere formuleringen"),
             (len(c.frequency), "vraag vaker of minder vaak genoemd", "vragen vaker of minder vaak genoemd")]
    shown = [plural(n, one, many) for n, one, many in parts if n]
    return join_and(shown) if shown else "geen verschillen"


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
    w.para(f"Vergeleken met de vorige versie ({c.previous}): {summary_line(c)}.")
    priority.write_changes(w, c)  # what a new or changed priority round moved
    center = WD_ALIGN_PARAGRAPH.CENTER

    w.heading(f"In en uit de top {TOP}", 2)
    if c.top_in or c.top_out:
        rows = [[f"#{t.new_rank}", one_line(t.question), f"in ({t.how}"
                 + (f", was #{t.old_rank}" if t.old_rank else "") + ")"] for t in c.top_in]
        rows += [[f"was #{t.old_rank}", one_line(t.question), f"uit ({t.how}"
                  + (f", nu #{t.new_rank}" if t.new_rank else "") + ")"] for t in c.top_out]
        w.table(["Plaats", "Vraag", "Wat er gebeurde"], rows, [2.0, 10.0, 4.0], align={0: center})
    else:
        w.none_line(f"Geen: de top {TOP} bestaat uit dezelfde vragen.")

    if c.excluded:
        w.heading("Uitgesloten door de curator", 2)
        w.table(["Was", "Vraag", "Reden"],
                [[e.old_rank, one_line(e.question), one_line(e.why) or "geen reden opgegeven"] for e in c.excluded],
                [1.6, 9.4, 5.0], align={0: center})

    # back in the ranking: no longer answered, no longer excluded (a curator withdrew that decision)
    for heading, why, rows in (
            ("Niet langer beantwoord", "stonden in de vorige versie als beantwoord buiten de rangorde; de curator "
             "heeft dat oordeel ingetrokken", [(m.new_rank, m.question) for m in c.unanswered]),
            ("Niet langer uitgesloten", "had de curator in de vorige versie uitgesloten; dat besluit is ingetrokken",
             [(i.rank, i.question) for i in c.readmitted])):
        if rows:
            w.heading(heading, 2)
            w.para(f"Deze vragen {why}, dus ze dingen weer mee.")
            w.table(["Plaats", "Vraag"], [[rank, one_line(q)] for rank, q in rows], [1.6, 14.4], align={0: center})

    if c.renamed:
        w.heading("Anders geformuleerd", 2)
        w.table(["Was", "Nu"], [[one_line(r.old), one_line(r.new)] for r in c.renamed], [8.0, 8.0])

    w.heading("Nieuwe vragen", 2)
    if c.new:
        w.table(["Plaats", "Vraag", "Bronnen"],
                   [[i.rank, one_line(i.question), i.frequency] for i in sorted(c.new, key=lambda i: i.rank)],
                   [1.6, 12.6, 1.8], align={0: center, 2: center})
    else:
        w.none_line("Geen.")

    w.heading("Vervallen vragen", 2)
    if c.dropped or c.dropped_answered:
        w.table(["Was", "Vraag", "Bronnen"],
                   [[i.rank, one_line(i.question), i.frequency] for i in sorted(c.dropped, key=lambda i: i.rank)]
                   + [["beantwoord", one_line(i.question), i.frequency] for i in c.dropped_answered],
                   [1.6, 12.6, 1.8], align={0: center, 2: center})
        w.para("Een vraag vervalt als geen enkele bron haar nog noemt of als de curator haar heeft "
               "samengevoegd; uitgesloten vragen staan hierboven met hun reden.", "Kleine tekst").paragraph_format.space_before = Pt(4)
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

    if c.splits:  # only when there are any: the machine split a question and no part kept its id
        w.heading("Opgesplitste vragen", 2)
        w.para("Geen van de delen houdt de agendaformulering én de meeste formuleringen van deze vragen, dus "
               "elk deel is een nieuwe vraag. Besluiten van de curator en stemmen uit de prioriteringsronde over de "
               "oude vraag gelden voor geen van de delen: bekijk ze.")
        w.table(["Was", "Vraag (vorige versie)", "Nu verdeeld over"],
                [[s.old_rank, f"{one_line(s.question)} ({s.cluster_id})", ", ".join(s.into)] for s in c.splits],
                [1.6, 9.4, 5.0], align={0: center})

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
