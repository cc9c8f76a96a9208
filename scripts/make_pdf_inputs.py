"""Generate the PDF of the sample corpus: the knowledge table's practice publication.

``inputs/publications/2022-03-15-aan-tafel-bij-scholen.pdf`` — "Aan tafel bij scholen:
Vraagstukken bij gepersonaliseerd leren met ict", laid out as a word processor exports it:
a running header and a "Pagina N van M" footer on every page, headings in a larger bold
font (no structure tags), a paragraph hyphenated at a line end, a bulleted list of
knowledge questions that continues on the next page, a quoted question in running text and
a rhetorical question elsewhere (a candidate). The text paraphrases the publication's
introduction on the knowledge table's site; its questions are new to the sample corpus, so
the agenda gains them and keeps every other question, id and count. (Note: the pair model fits
its IDF on the whole corpus, so a new question can move a borderline mention elsewhere; these
five were checked not to: `kennisagenda build` before and after differ only by them.)

reportlab (BSD), through ``tests/pdf_fixtures.write_pdf``, writes the file with ``invariant=1`` (fixed dates and ids): regenerating it
gives the same bytes. reportlab comes with the test extras (``make .venv/.stamp-test``).

Usage: ``.venv/bin/python scripts/make_pdf_inputs.py [--inputs DIR]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.pdf_fixtures import GAP, H1, write_pdf  # noqa: E402  (the one PDF writer of tests and corpus)

HEADER = "Kennistafel Gepersonaliseerd leren met ict · Aan tafel bij scholen"
H2, BODY = ("Helvetica-Bold", 13), ("Helvetica", 10.5)

PAGES = [
    [
        (H1, "Aan tafel bij scholen"),
        (H2, "Vraagstukken bij gepersonaliseerd leren met ict"),
        GAP,
        (BODY, "Gepersonaliseerd leren met ict heeft in de onderwijspraktijk veel verschillende betekenissen"),
        (BODY, "en verschijningsvormen. Scholen hebben vragen over gepersonaliseerd onderwijs, de inzet van"),
        (BODY, "ict daarbij en wat dit betekent voor de schoolorganisatie. De kennistafel, bestaande uit profes-"),
        (BODY, "sionals uit het primair onderwijs en onderzoekers, voerde een casusonderzoek uit om vraag-"),
        (BODY, "stukken in hun context op te halen en te duiden."),
        GAP,
        (H2, "Werkwijze"),
        GAP,
        (BODY, "Op elke school spraken de onderzoekers met de schoolleider, leerkrachten en de ict-coördinator."),
        (BODY, "Een schoolleider vatte het zo samen: 'Hoe verantwoord je die keuzes richting de medezeggen-"),
        (BODY, "schapsraad?' Die vraag kwam op bijna elke school terug. Is dat erg? Niet per se: het"),
        (BODY, "laat zien waar de kennisbehoefte ligt."),
        GAP,
        (H2, "Kennisvragen uit de casussen"),
        GAP,
        (BODY, "• Hoe gebruik je de leerlijnen van SLO als basis voor gepersonaliseerde leerroutes in"),
        (BODY, "   groep 5 tot en met 8?"),
        (BODY, "• Hoe geef je feedback op werk in een digitale leeromgeving zonder het overzicht over de"),
        (BODY, "   hele groep te verliezen?"),
    ],
    [
        (BODY, "• Welke afspraken maakt een bestuur met zijn scholen over de keuze van een gezamenlijk"),
        (BODY, "   leerplatform?"),
        (BODY, "• Hoe betrek je leerlingen bij het kiezen van hun eigen leerdoelen in de onderbouw?"),
        GAP,
        (H2, "Tot slot"),
        GAP,
        (BODY, "De kennistafel dankt de scholen voor hun openheid. De casussen staan in het addendum bij"),
        (BODY, "deze publicatie."),
    ],
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=Path, default=ROOT / "inputs")
    args = ap.parse_args()
    out = args.inputs / "publications" / "2022-03-15-aan-tafel-bij-scholen.pdf"
    write_pdf(out, PAGES, title="Aan tafel bij scholen: Vraagstukken bij gepersonaliseerd leren met ict",
              keywords="sector: po, sbo", header=HEADER)
    print(out)


if __name__ == "__main__":
    main()
