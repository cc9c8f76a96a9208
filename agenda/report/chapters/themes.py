"""Chapter 'De kennisvragen per thema': a card per question raised in two or more sources, a
compact table for the ones raised once."""

from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from agenda.engagement import role_plural
from agenda.models import AgendaItem

from .. import common
from . import priority
from ..common import NOT_FILLED, clean, number, one_line
from ..docx_base import (CELL_STYLE, KEY_FILL, KNOWLEDGE_FILL, Writer, caption, is_card, keep_table_with_next,
                         plural_q, single_source, source_line)


HEADING = "De kennisvragen per thema"
N_QUOTES = 3
ONCE_LABEL = "Eenmaal genoemd"


def write(w: Writer) -> None:
    groups = common.themes(w.agenda)
    w.heading(HEADING, 1, new_page=True)
    if not groups:
        w.none_line("Er staan nog geen vragen op de agenda.")
        return
    n_once = sum(1 for i in w.items if not is_card(i))
    text = (f"De {plural_q(len(w.items))} zijn ingedeeld in {len(groups)} "
            f"{'thema' if len(groups) == 1 else 'thema’s'}, in de volgorde van de hoogst geplaatste vraag "
            "per thema. ")
    if n_once:
        text += (f"{'De vraag' if n_once == 1 else f'De {n_once} vragen'} die in één bron "
                 f"{'is' if n_once == 1 else 'zijn'} genoemd, staan per thema beknopt in een tabel "
                 "‘Eenmaal genoemd’. ")
    text += ("Bij elke vraag die in meer bronnen is genoemd staan de context waarin ze is gesteld, de uitleg "
             "van haar plaats, enkele letterlijke formuleringen en de vier kolommen van de kennisagenda: de "
             "vraag, wat er al bekend is, hoe die kennis toegankelijk kan worden gemaakt en welk onderzoek "
             "nog nodig is.")
    w.para(text)
    for theme, items in groups:
        w.heading(theme, 2)
        for item in items:
            if is_card(item):
                card(w, item)
        once = [i for i in items if not is_card(i)]
        if once:
            once_table(w, once, after_cards=len(once) < len(items))


def card(w: Writer, item: AgendaItem) -> None:
    """A question card: heading and key facts together; the rest may flow onto the next page."""
    h = w.heading(f"{item.rank}. {one_line(item.question)}", 3)
    h.paragraph_format.space_before = Pt(10)
    h.paragraph_format.space_after = Pt(3)
    kinds = ", ".join(common.kind_count(k, n) for k, n in common.ordered_kinds(item.kinds))
    schools = common.context_values(item, "school")
    # Two facts per row where they are short, one row across the table where they are long.
    rows: list[tuple[str, str] | tuple[str, str, str, str]] = [
        ("Rangorde", f"{item.rank} van {len(w.items)}", "Score", number(item.score, 2)),
        *priority.card_rows(item),
        ("Genoemd in", f"{common.plural(item.frequency, 'bron', 'bronnen')}"
                       f"{' (' + kinds + ')' if kinds else ''}; "
                       f"{common.plural(item.n_mentions, 'formulering', 'formuleringen')}"),
        ("Scholen", f"{item.n_schools}{': ' + ', '.join(schools) if schools else ''}" if item.n_schools or schools
         else "geen school genoemd"),
        ("Sectoren", ", ".join(common.sectors_of(item)) or "niet genoemd",
         "Niveaus", ", ".join(common.context_values(item, "level")) or "niet genoemd"),
        ("Rollen", (common.role_text(item) or "niet genoemd")
         + (f" — {single_group_line(item)}" if len(item.groups) == 1 and item.frequency > 1 else "")),
        ("Type vraag", one_line(item.question_type) or "niet bepaald",
         "Thema", one_line(item.theme) or common.OTHER_THEME),
    ]
    widths = [2.6, 6.2, 2.0, 5.2]
    t = w.doc.add_table(rows=len(rows), cols=4)
    w.table_style(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    w._look(t, first_row=False, band=False)
    w.widths(t, widths)
    for trow, row in zip(t.rows, rows):
        w._row_props(trow)
        cells = trow.cells
        if len(row) == 2:
            cells = [cells[0], cells[1].merge(cells[3])]
        for n, (cell, value) in enumerate(zip(cells, row)):
            if n % 2 == 0:
                w.shade(cell, KEY_FILL)
                w.cell_text(cell, value, bold=True)
            else:
                w.cell_text(cell, value)
    keep_table_with_next(t, t.rows[:-1])  # heading + key facts stay together; the rest may flow
    if item.explanation.strip():
        p = w.para("", space_after=2)
        p.paragraph_format.space_before = Pt(4)
        lead = p.add_run("Waarom deze plaats: ")
        lead.bold = True
        p.add_run(clean(item.explanation).strip())
    quotes = common.pick_quotes(item, N_QUOTES)
    if quotes:
        w.para("Zo werd de vraag gesteld", bold=True, keep_next=True, space_after=1, size=9.5,
                  color="1F3B5A")
        for m in quotes:
            # the quotes stay with the knowledge row below them (a short block)
            p = w.para("", "Quote" if w.has_style("Quote") else None, space_after=1, keep_next=True)
            p.paragraph_format.space_before = Pt(0)
            r = p.add_run(f"‘{one_line(m.text)}’")
            r.italic = True
            r2 = p.add_run(f"  — {source_line(m)}")
            r2.italic = False
            r2.font.size = Pt(8.5)
            r2.font.color.rgb = RGBColor.from_string("595959")
    knowledge(w, item)


def knowledge(w: Writer, item: AgendaItem) -> None:
    n_lib = len(w.agenda.library)
    cells = [
        ("Vraag", one_line(item.question)),
        ("Wat is al bekend", common.known_text(item, n_lib) or NOT_FILLED),
        ("Hoe maken we het toegankelijk", common.access_text(item, n_lib) or NOT_FILLED),
        ("Welk onderzoek is nog nodig", common.research_text(item, n_lib) or NOT_FILLED),
    ]
    w.para("", space_after=0, keep_next=bool(common.pick_quotes(item, 1))).paragraph_format.line_spacing = Pt(4)
    # One row of four columns, as in the knowledge table's own agenda; the row does not split.
    t = w.doc.add_table(rows=1, cols=4)
    w.table_style(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    w._look(t, first_row=False, band=False)
    # the third column fits "praktijksamenvatting" on one line (3.6 cm broke it as "…samenvattin g")
    w.widths(t, [3.2, 3.6, 4.0, 5.2])
    row = t.rows[0]
    w._row_props(row)
    for n, (label, text) in enumerate(cells):
        cell = row.cells[n]
        w.shade(cell, KEY_FILL if n == 0 else KNOWLEDGE_FILL)
        w.cell_text(cell, label, bold=True, color="1F3B5A")
        if isinstance(text, list):  # what is known: sources, the curator's text, suggestions
            for kind, line in text:
                suggested = kind in ("suggested", "none")
                w.cell_para(cell, line, italic=suggested, color="595959" if suggested else None)
            continue
        empty = text == NOT_FILLED
        w.cell_para(cell, text, italic=empty, color="7F7F7F" if empty else None)


def once_table(w: Writer, items: list[AgendaItem], *, after_cards: bool) -> None:
    """Questions raised in one source only: one compact row each, under the theme's cards."""
    label = w.para("", keep_next=True, space_after=3)
    label.paragraph_format.space_before = Pt(12 if after_cards else 4)
    r = label.add_run(ONCE_LABEL)
    r.bold = True
    r.font.color.rgb = RGBColor.from_string("1F3B5A")
    r2 = label.add_run(f"  ({common.plural(len(items), 'vraag', 'vragen')} uit één bron)")
    r2.font.size = Pt(8.5)
    r2.font.color.rgb = RGBColor.from_string("595959")
    t = w.table(["#", "Kennisvraag", "Context", "Kennis"], [], [0.9, 5.4, 2.4, 7.3],
                   align={0: WD_ALIGN_PARAGRAPH.RIGHT})
    caption(t, ONCE_LABEL)
    for item in items:
        trow = t.add_row()
        w._row_props(trow)
        c_rank, c_q, c_ctx, c_know = trow.cells
        w.cell_text(c_rank, item.rank, align=WD_ALIGN_PARAGRAPH.RIGHT)
        w.cell_text(c_q, one_line(item.question))
        src = single_source(item)
        if src:
            _small(w, w.cell_para(c_q), src)
        ctx = " · ".join(part for part in (
            ", ".join(common.sectors_of(item)),
            ", ".join(common.context_values(item, "role")),  # one source: counts say nothing
            ", ".join(common.context_values(item, "level")),
        ) if part)
        w.cell_text(c_ctx, ctx or "niet genoemd", italic=not ctx, color=None if ctx else "7F7F7F")
        schools = common.context_values(item, "school")
        if schools:
            _small(w, w.cell_para(c_ctx), ", ".join(schools))
        if len(item.groups) == 1:  # the single-group mark the cards and 'Wie zijn er gehoord' use
            _small(w, w.cell_para(c_ctx), single_group_line(item))
        n_lib = len(w.agenda.library)
        known = " ".join(line for _, line in common.known_text(item, n_lib))
        parts = [(lbl, clean(v).strip()) for lbl, v in
                 (("Bekend", known), ("Toegankelijk", common.access_text(item, n_lib)),
                  ("Onderzoek", common.research_short(item, n_lib)))]
        if not any(v for _, v in parts):
            w.cell_text(c_know, NOT_FILLED, italic=True, color="7F7F7F")
            continue
        p = c_know.paragraphs[0]
        w.set_style(p, CELL_STYLE)
        for n, (lbl, v) in enumerate(parts):
            lead = p.add_run(f"{lbl}: ")
            lead.bold = True
            body = p.add_run(one_line(v) if v else NOT_FILLED)
            if not v:
                body.italic = True
                body.font.color.rgb = RGBColor.from_string("7F7F7F")
            if n < len(parts) - 1:
                tail = p.add_run("" if v and v[-1] in ".;:!?…" else ";")
                tail.add_break()


def single_group_line(item: AgendaItem) -> str:
    """'alleen leraren stelden deze vraag': the mark of a question only one role group raised."""
    return f"alleen {role_plural(item.groups[0])} stelden deze vraag"


def _small(w: Writer, p: Paragraph, text: str) -> None:
    run = p.add_run(clean(text))
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor.from_string("6F6F6F")
