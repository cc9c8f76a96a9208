"""Chapter 'Wie zijn er gehoord': the engagement summary (agenda.engagement) and, beside the
combined ranking, each role group's own top 5."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .. import common
from ..common import one_line
from ..docx_base import Writer, join_and

HEADING = "Wie zijn er gehoord"
MAX_SCHOOL_ROWS = 25

KIND_NAMES = {"meeting": "Bijeenkomst", "case": "Casus", "survey": "Enquête", "publication": "Publicatie"}


def _rows(rows) -> list[list[object]]:
    return [[r.group if r.group != "niet genoemd" else "(niet genoemd)", r.sources, r.respondents, r.formulations]
            for r in rows]


def write(w: Writer) -> None:
    e = w.agenda.engagement
    center = WD_ALIGN_PARAGRAPH.CENTER
    w.heading(HEADING, 1, new_page=True)
    if not e.formulations:
        w.none_line("Er staan nog geen vragen op de agenda, dus er is nog niemand gehoord.")
        return
    w.para(f"De vragen op deze agenda komen uit {common.plural(e.sources, 'brondocument', 'brondocumenten')}, "
           f"van {common.plural(e.respondents, 'afzonderlijke inbreng', 'afzonderlijke inbrengers')} (een "
           f"enquêterespondent telt apart, een verslag of casus als één) en zijn in "
           f"{common.plural(e.formulations, 'formulering', 'formuleringen')} gesteld. Per groep staat hieronder "
           "hoeveel bronnen, inbrengers en formuleringen van die groep komen; één bron kan meer groepen noemen.")
    header = ["", "Bronnen", "Inbrengers", "Formuleringen"]
    widths = [7.0, 3.0, 3.0, 3.0]
    align = {1: center, 2: center, 3: center}

    w.heading("Naar rol", 2)
    w.table(["Rol", *header[1:]], _rows(e.roles), widths, align=align)
    _judgement(w, "rollen", e.expected_roles, e.missing_roles, e.thin_roles, named=_named(e.roles))

    w.heading("Naar sector", 2)
    w.table(["Sector", *header[1:]], _rows(e.sectors), widths, align=align)
    _judgement(w, "sectoren", e.expected_sectors, e.missing_sectors, e.thin_sectors, named=_named(e.sectors))

    w.heading("Naar soort bron en school", 2)
    kinds = [[KIND_NAMES.get(r.group, r.group), r.sources, r.respondents, r.formulations] for r in e.kinds]
    w.table(["Soort bron", *header[1:]], kinds, widths, align=align)
    w.para("", space_after=0)
    named = [r for r in e.schools if r.group != "niet genoemd"]
    if named:
        shown = named[:MAX_SCHOOL_ROWS]
        w.table(["School", *header[1:]], _rows(shown), widths, align=align)
        if len(named) > len(shown):
            w.para(f"… en nog {len(named) - len(shown)} scholen (alle scholen staan in de JSON-export, onder "
                   "engagement).", italic=True, size=9, color="595959")
    else:
        w.none_line("De bronnen noemen geen scholen.")

    _group_tops(w)


def _named(rows) -> bool:
    return any(r.group != "niet genoemd" for r in rows)


def _judgement(w: Writer, what: str, expected: list[str], missing: list[str], thin: list[str],
               named: bool = True) -> None:
    """One line under a group table: who is missing or thin. `named`: some formulation names a group
    of this kind; when none does and nothing was expected, nothing can be judged (and saying that no
    group is missing would reassure where nothing is known)."""
    if not named and not expected:
        p = w.para(f"Geen enkele bron legt bij de vragen de {what} vast; of alle groepen gehoord zijn, is "
                   "daardoor niet na te gaan.", "Kleine tekst")
        p.paragraph_format.space_before = Pt(4)
        return
    if expected:
        basis = f"Vergeleken met de {what} die de kennistafel wilde horen ({join_and(expected)})"
    else:
        basis = (f"Er is niet vastgelegd welke {what} de kennistafel wilde horen; vergeleken is met de {what} "
                 "die in de bronnen voorkomen")
    parts = []
    if missing:  # a statement, not a question: 'onderzoeker is ondervertegenwoordigd'
        parts.append(f"{join_and(missing)} {'ontbreekt' if len(missing) == 1 else 'ontbreken'}")
    if thin:
        parts.append(f"{join_and(thin)} {'is' if len(thin) == 1 else 'zijn'} ondervertegenwoordigd (minder dan "
                     "drie inbrengers of minder dan 5 procent)")
    text = f"{basis}: " + ("; ".join(parts) if parts else "geen groep ontbreekt of is ondervertegenwoordigd") + "."
    p = w.para(text, "Kleine tekst")
    p.paragraph_format.space_before = Pt(4)


def _group_tops(w: Writer) -> None:
    e = w.agenda.engagement
    by_id = {i.cluster_id: i for i in w.items}
    w.heading("Wat elke groep voorop zet", 2)
    if not e.top_per_group:
        w.none_line("Geen rolgroep heeft drie of meer inbrengers; een eigen top 5 per groep zegt dan niets.")
        return
    w.para("Naast de gezamenlijke rangorde: per rolgroep met minstens drie inbrengers de vijf vragen die de "
           "meeste inbrengers uit die groep stelden (bij gelijk aantal de gezamenlijke plaats). Zo is te zien of "
           "een groep andere vragen voorop zet dan de agenda als geheel.")
    for top in e.top_per_group:
        w.para(f"{top.group.capitalize()} ({common.plural(top.respondents, 'inbrenger', 'inbrengers')})",
               bold=True, keep_next=True, space_after=2)
        rows = [[n, one_line(by_id[cid].question) if cid in by_id else cid, by_id[cid].rank if cid in by_id else "–",
                 v] for n, (cid, v) in enumerate(zip(top.questions, top.voices), 1)]
        w.table(["#", "Vraag", "Plaats", "Inbrengers"], rows, [0.9, 10.5, 1.8, 2.8],
                align={0: WD_ALIGN_PARAGRAPH.RIGHT, 2: WD_ALIGN_PARAGRAPH.CENTER, 3: WD_ALIGN_PARAGRAPH.CENTER})
    if e.single_group:
        w.para(f"{common.plural(len(e.single_group), 'vraag is', 'vragen zijn')} door één rolgroep gesteld; bij "
               "die vragen staat dat in hoofdstuk ‘De kennisvragen per thema’.", "Kleine tekst")
