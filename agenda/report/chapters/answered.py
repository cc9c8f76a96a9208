"""Chapter on questions a curator marked as answered by the knowledge library."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .. import common
from ..common import one_line
from ..docx_base import Writer, plural_q


HEADING = common.ANSWERED_HEADING


def write(w: Writer) -> None:
    """Questions a curator marked as answered by a source of the library: out of the ranking,
    frequency still visible, with the source that answers them."""
    answered = w.agenda.answered
    w.heading(HEADING, 1, new_page=True)
    if not answered:
        w.para("Geen: de curator heeft nog geen vraag gemarkeerd als beantwoord door een bron uit de "
                  "kennisbibliotheek (kennisagenda evidence, oordeel ‘beantwoordt’).")
        return
    w.para(f"{plural_q(len(answered)).capitalize()} {'is' if len(answered) == 1 else 'zijn'} volgens de curator "
              "al beantwoord door bestaande kennis. Ze dingen niet mee naar een plaats in de rangorde en "
              "vragen geen nieuw onderzoek, maar hoe vaak ze zijn gesteld blijft zichtbaar: het antwoord "
              "verdient het om beter bekend te worden.")
    rows = []
    for item in answered:
        source = next((e for e in item.evidence if e.status == "answers"), None)
        rows.append([one_line(item.question), common.plural(item.frequency, "bron", "bronnen"),
                     (common.cite(source) + (f" {source.url}" if source and source.url else "")) if source else "–"])
    w.table(["Vraag", "Genoemd in", "Beantwoord door"], rows, [7.0, 2.2, 6.8],
               align={1: WD_ALIGN_PARAGRAPH.CENTER})
