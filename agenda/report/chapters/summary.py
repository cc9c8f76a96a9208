"""Chapter 'Samenvatting': the agenda in numbers, the top 10 and its chart."""

from __future__ import annotations

from collections import Counter

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .. import charts, common
from . import priority
from ..common import one_line
from ..docx_base import Writer, is_card, join_and, plural_doc, plural_q
from .changes import summary_line


HEADING = "Samenvatting"
TOP_N_SUMMARY = 10


def write(w: Writer) -> None:
    a = w.agenda
    w.heading(HEADING, 1, new_page=True)
    kinds = Counter(common.kind_value(s.kind) for s in a.sources)
    kind_text = join_and([plural_doc(k, n) for k, n in common.ordered_kinds(dict(kinds))])
    text = (f"Deze versie ({a.label}) van de kennisagenda telt {plural_q(len(w.items))}. Ze zijn "
            f"samengesteld uit {common.n_mentions(a)} formuleringen in {len(a.sources)} brondocumenten"
            f"{': ' + kind_text if kind_text else ''}.")
    n_cards = sum(1 for i in w.items if is_card(i))
    if w.items and n_cards < len(w.items):
        n_once = len(w.items) - n_cards
        text += (f" {common.plural(n_cards, 'vraag is', 'vragen zijn')} in minstens twee bronnen genoemd; "
                 f"{'die staat' if n_cards == 1 else 'die staan'} uitgebreid beschreven. "
                 f"{'De vraag' if n_once == 1 else f'De {n_once} vragen'} die in één bron "
                 f"{'is' if n_once == 1 else 'zijn'} genoemd, {'staat' if n_once == 1 else 'staan'} "
                 "beknopt per thema.")
    if a.changes.previous:
        c = a.changes
        text += f" Ten opzichte van versie {a.changes.previous}: {summary_line(c)}."
    else:
        text += " Dit is de eerste versie van de agenda."
    failed = [r for r in a.rejected if r.severity == "error"]
    if a.excluded or failed:
        text += (f" De curator sloot {len(a.excluded)} vragen uit en {len(failed)} "
                 f"invoerbestanden konden niet worden gelezen (zie de bijlagen).")
    w.para(text)
    top = w.items[:TOP_N_SUMMARY]
    title = f"De {len(top)} belangrijkste kennisvragen"
    if a.priority_round is not None:  # say which ranking the top 10 shows
        title += f" {priority.ranking_label(a)}"
    w.para(title, bold=True, keep_next=True, space_after=3)
    w.table(["#", "Kennisvraag", "Bronnen", "Sectoren"],
               [[i.rank, one_line(i.question), i.frequency, ", ".join(common.sectors_of(i)) or "–"] for i in top],
               [0.9, 10.1, 2.0, 3.0], align={0: WD_ALIGN_PARAGRAPH.RIGHT, 2: WD_ALIGN_PARAGRAPH.CENTER})
    w.para("", space_after=2)
    if top:
        w.picture(charts.top_sources_chart(top), 16.0,
                     "Het aantal verschillende bronnen per vraag, naar soort bron.")
