"""Chapter 'Bijlagen': sources, every formulation per question, exclusions, rejected inputs, library."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from .. import common, output_stem
from ..common import one_line
from ..docx_base import Writer, breakable_path, kind_pos, short_date


HEADING = "Bijlagen"
# Appendix limits: past these the Word report summarises and points to the JSON export, which
# keeps everything (50,000 sources made a 3,000-page, 75 MB document; bench/build_scale.py).
MAX_SOURCE_ROWS = 1000
MAX_MENTION_ROWS = 100  # formulations listed per question


def sources_by_folder(w: Writer, json_name: str) -> None:
    """Appendix A for thousands of sources: one row per folder (a list of every file would
    run to hundreds of pages); the exports keep every source."""
    a = w.agenda
    folders: dict[str, list] = {}
    for src in a.sources:
        folders.setdefault(src.path.rpartition("/")[0] or ".", []).append(src)
    w.para(f"Deze versie gebruikt {common.count(len(a.sources))} bronnen: te veel om hier elk bestand te noemen. "
              f"Hieronder per map hoeveel bronnen, van welke soort en uit welke periode; de volledige lijst, "
              f"met titel, datum, bestand en het aantal vragen per bron, staat in {json_name} (onder sources).")
    rows = []
    for folder in sorted(folders, key=lambda f: (f.casefold(), f)):
        srcs = folders[folder]
        kinds = Counter(common.KIND_SHORT.get(common.kind_value(s.kind), common.kind_value(s.kind)) for s in srcs)
        dates = sorted(s.date for s in srcs if s.date)
        period = (short_date(dates[0]) if dates and dates[0] == dates[-1]
                  else f"{short_date(dates[0])} – {short_date(dates[-1])}" if dates else "–")
        rows.append([breakable_path(folder), ", ".join(f"{k} ({common.count(n)})" for k, n in sorted(kinds.items())),
                     period, common.count(len(srcs)), common.count(sum(s.n_mentions for s in srcs))])
    w.table(["Map", "Soort", "Periode", "Bronnen", "Vragen"], rows, [4.0, 3.4, 4.4, 2.2, 2.0],
               align={3: WD_ALIGN_PARAGRAPH.CENTER, 4: WD_ALIGN_PARAGRAPH.CENTER})


def write(w: Writer) -> None:
    a = w.agenda
    w.heading(HEADING, 1, new_page=True)

    json_name = f"{output_stem(a.label)}.json"
    w.heading("A. Brondocumenten", 2)
    if len(a.sources) > MAX_SOURCE_ROWS:
        sources_by_folder(w, json_name)
    elif a.sources:
        srcs = sorted(a.sources, key=lambda s: (kind_pos(common.kind_value(s.kind)), s.date or dt.date.min, s.title))
        w.table(["Titel", "Soort", "Datum", "Bestand", "Vragen"],
                   [[one_line(s.title), common.KIND_SHORT.get(common.kind_value(s.kind), common.kind_value(s.kind)),
                     short_date(s.date), breakable_path(s.path), s.n_mentions] for s in srcs],
                   [4.2, 2.6, 2.7, 4.7, 1.8], align={4: WD_ALIGN_PARAGRAPH.CENTER})
    else:
        w.none_line("Geen.")

    w.heading("B. Alle formuleringen per vraag", 2)
    w.para("Elke formulering uit de bronnen met de vraag waaronder ze valt, haar kenmerk (id) en de bron. "
              "Zo is elke vraag op de agenda terug te voeren op wat er in de bronnen staat.")
    for item in w.items:
        p = w.para("", keep_next=True, space_after=3)
        p.paragraph_format.space_before = Pt(8)
        r = p.add_run(f"{item.rank}. {one_line(item.question)}")
        r.bold = True
        r2 = p.add_run(f"  ({item.cluster_id})")
        r2.font.size = Pt(8.5)
        r2.font.color.rgb = RGBColor.from_string("7F7F7F")
        if item.mentions:
            shown = mentions_to_list(item.mentions)
            w.table(["Id", "Formulering", "Bron"],
                       [[m.id, one_line(m.text) + (f" (context: ‘{one_line(m.lead_in)}’)" if m.lead_in else ""),
                         one_line(m.source) + (f", {short_date(m.date)}" if m.date else "")]
                        for m in shown],
                       [2.1, 8.9, 5.0])
            if len(item.mentions) > len(shown):
                rest = len(item.mentions) - len(shown)
                n_texts = len({one_line(m.text).casefold() for m in item.mentions})
                w.para(f"… en {common.count(rest)} {'formulering' if rest == 1 else 'formuleringen'} meer "
                          f"({common.count(n_texts)} verschillend geformuleerd; hierboven staat elke "
                          f"formulering eerst één keer); alle {common.count(len(item.mentions))} staan met id "
                          f"en bron in {json_name}.",
                          italic=True, size=9, color="595959")
        else:
            w.none_line("Geen formuleringen vastgelegd.")

    w.heading("C. Uitgesloten vragen", 2)
    if a.excluded:
        w.para("Deze vragen zijn door de curator van de agenda gehaald, met de opgegeven reden.")
        w.table(["Id", "Vraag", "Reden", "Aantal"],
                   [[e.cluster_id, one_line(e.question), one_line(e.why) or "geen reden opgegeven", e.n_mentions]
                    for e in a.excluded],
                   [2.1, 7.0, 5.0, 1.9], align={3: WD_ALIGN_PARAGRAPH.CENTER})
    else:
        w.para("Geen: de curator heeft geen vragen uitgesloten.")

    w.heading("D. Afgewezen invoerbestanden", 2)

    def rejection_table(rows) -> None:
        w.table(["Bestand", "Regel", "Reden"],
                   [[breakable_path(r.file), r.line if r.line is not None else "–", one_line(r.reason)]
                    for r in rows],
                   [5.6, 1.4, 9.0], align={1: WD_ALIGN_PARAGRAPH.CENTER})

    failed = [r for r in a.rejected if r.severity == "error"]
    warned = [r for r in a.rejected if r.severity == "warning"]
    if failed:
        w.para("Deze bestanden konden niet worden gelezen; de vragen erin staan niet op de agenda. "
                  "Na herstel worden ze bij de volgende build opnieuw gelezen.")
        rejection_table(failed)
    else:
        w.para("Geen: alle invoerbestanden zijn gelezen.")
    if warned:
        w.para("Waarschuwingen: deze bestanden zijn gelezen, maar verdienen een blik, bijvoorbeeld "
                  "omdat er geen enkele vraag in gevonden is of een sector niet bekend is.", keep_next=True)
        rejection_table(warned)


    w.heading(f"E. {common.LIBRARY_HEADING}", 2)
    if a.library:
        w.para(f"De {len(a.library)} bronnen in inputs/kennis/ waarmee elke vraag is vergeleken: "
                  "exports uit literatuurbeheer, notities en andere documenten. Het kenmerk (id) is wat de "
                  "curator in de bewijslijst en in curation.yaml gebruikt.")
        lib = sorted(a.library, key=lambda r: (common.cite(r).casefold(), r.id))
        w.table(["Bron", "Id"], [[common.cite(r) + (f" {r.url}" if r.url else ""), r.id] for r in lib],
                   [13.9, 2.1])
    else:
        w.para("Geen: de map inputs/kennis/ is leeg of ontbreekt, dus er is niet gezocht naar wat al bekend is.")


def mentions_to_list(mentions: list) -> list:
    """Appendix B's rows for one question: all of them up to MAX_MENTION_ROWS; past that each
    distinct wording once first (thousands of survey answers repeat a few texts), then the rest
    in their order, up to the limit."""
    if len(mentions) <= MAX_MENTION_ROWS:
        return list(mentions)
    seen: set[str] = set()
    first, later = [], []
    for m in mentions:
        key = one_line(m.text).casefold()
        (later if key in seen else first).append(m)
        seen.add(key)
    return (first + later)[:MAX_MENTION_ROWS]
