"""PDF layout as Word's "Save as PDF" and LibreOffice's export write it (issue 17, kind 5): a
two-column publication is read column by column, a ruled table cell by cell, and Word's bullet
glyphs (Symbol/Wingdings as private-use U+F0xx, Courier New "o", a literal "§") are no text."""

from __future__ import annotations

from agenda.ingest import read_file
from agenda.ingest.pdf import pdf_pages
from agenda.models import Rule
from tests.pdf_fixtures import write_layout_pdf


def by_rule(result, rule):
    return [m.text for m in result.mentions if m.rule == rule]


def column(x: float, top: float, lines: list) -> list:
    """Lines of one column from ``top`` down: (font, size, text) or None for a paragraph gap."""
    out = []
    y = top
    for entry in lines:
        if entry is None:
            y += 10
            continue
        font, size, text = entry
        out.append((x, y, font, size, text))
        y += size + 4
    return out


LEFT = [
    ("FB", 12, "Kennisvragen"),
    ("F", 10, "• Hoe richt je een leerplein in voor"),
    ("F", 10, "leerlingen van groep 3 tot en met 5?"),
    ("F", 10, "• Welke data uit adaptieve software helpen"),
    ("F", 10, "de leerkracht bij het plannen van"),
    ("F", 10, "instructie?"),
    None,
    ("F", 10, "De scholen werken al enkele jaren met een"),
    ("F", 10, "eigen leerroute voor elke leerling. Het"),
    ("F", 10, "team vroeg zich af hoe je dat volhoudt"),
    ("F", 10, "als de groepen groter worden en de"),
]
RIGHT = [
    ("F", 10, "ondersteuning kleiner wordt. Een leraar"),
    ("F", 10, "zei: 'Hoe houd je het overzicht als"),
    ("F", 10, "iedereen iets anders doet?' Dat bleek"),
    ("F", 10, "de kern van het gesprek."),
    None,
    ("FB", 12, "Opbrengsten"),
    ("F", 10, "Scholen willen vooral weten wat werkt."),
    ("F", 10, "Zijn er onderzoeken die laten zien wat"),
    ("F", 10, "het oplevert?"),
]


def two_column_page():
    text = [
        (57, 60, "FB", 18, "Aan tafel bij scholen"),
        (57, 92, "F", 10, "Een praktijkpublicatie van de kennistafel Gepersonaliseerd leren met ict, voorjaar 2022."),
    ]
    # Word's "Columns: 2" on A4 with 2 cm margins: columns at 57 and 310 pt, a 1.25 cm gutter
    text += column(57, 130, LEFT) + column(310, 130, RIGHT)
    text.append((270, 800, "F", 8, "Pagina 1 van 1"))
    return {"text": text}


def one_column_page():
    """A letter-like page: short lines, a right-aligned place and date and signature — no gutter."""
    body = [
        "De kennistafel kwam op 23 juni bijeen in Utrecht om de opbrengsten van het casusonderzoek te",
        "bespreken. In de ene groep ging het over de rol van de leerkracht, in de andere over data en",
        "over de vraag hoe je ouders meeneemt.",
        "Kort.",
        "Het gesprek ging verder over de inrichting van de leerpleinen en de inzet van onderwijsassistenten",
        "bij het begeleiden van leerlingen die zelfstandig werken aan hun eigen leerdoelen in de unit.",
    ]
    text = [(430, 60, "F", 10, "Utrecht, 23 juni 2021"), (57, 90, "FB", 14, "Bijlage: verslag")]
    text += [(57, 120 + 14 * i, "F", 10, line) for i, line in enumerate(body)]
    text += [(430, 220, "F", 10, "Namens de kennistafel,"), (430, 234, "F", 10, "de secretaris")]
    return {"text": text}


def test_two_columns_are_read_column_by_column(tmp_path):
    p = write_layout_pdf(tmp_path / "publications" / "2022-03-15-aan-tafel.pdf", [two_column_page(), one_column_page()])
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    assert by_rule(r, Rule.section) == [
        "Hoe richt je een leerplein in voor leerlingen van groep 3 tot en met 5?",
        "Welke data uit adaptieve software helpen de leerkracht bij het plannen van instructie?",
    ]
    assert by_rule(r, Rule.quoted) == ["Hoe houd je het overzicht als iedereen iets anders doet?"]
    assert by_rule(r, Rule.candidate) == ["Zijn er onderzoeken die laten zien wat het oplevert?"]
    pages = pdf_pages(p)
    # the sentence that runs from the foot of the left column into the right one stays whole
    lines = [ln.text for ln in pages[0].lines]
    assert lines.index("als de groepen groter worden en de") + 1 == lines.index("ondersteuning kleiner wordt. Een leraar")
    assert r.source.title == "Aan tafel bij scholen"
    # short lines and a right-aligned date make no gutter: the one-column page reads top to bottom
    second = [ln.text for ln in pages[1].lines]
    assert second[:3] == ["Utrecht, 23 juni 2021", "Bijlage: verslag", one_column_page()["text"][2][4]]
    assert second[-2:] == ["Namens de kennistafel,", "de secretaris"]


def ruled_table(x_edges, rows, top, row_heights):
    """Cells with their borders, text lines inside each cell (as LibreOffice/Word export a bordered table)."""
    text, rules = [], []
    y = top
    for cells, h in zip(rows, row_heights):
        for i, cell in enumerate(cells):
            x0, x1 = x_edges[i], x_edges[i + 1]
            rules.append((x0, y, x1, y + h))
            for k, (font, line) in enumerate(cell):
                # LibreOffice and Word pad a cell little: the first line's glyph box starts ~0.6 pt above the border
                text.append((x0 + 4, y - 3 + 13 * k, font, 10, line))
        y += h
    return text, rules


def test_table_cells_are_read_as_cells(tmp_path):
    rows = [
        [[("FB", "Nr")], [("FB", "Kennisvraag")], [("FB", "Sector")]],
        [[("F", "1")], [("F", "Hoe zorg je dat leerlingen met dyslexie"), ("F", "meekomen in een digitale leeromgeving?")],
         [("F", "po")]],
        [[("F", "2")], [("F", "Wat kost een leerplatform per leerling?")], [("F", "vo")]],
        [[("F", "3")], [("F", "Welke afspraken maak je met ouders over"), ("F", "schermtijd thuis?")],
         [("F", "speciaal"), ("F", "onderwijs")]],
    ]
    text, rules = ruled_table([57, 97, 397, 538], rows, 150, [22, 34, 22, 34])
    text = [(57, 80, "FB", 14, "Opbrengst tafelgesprekken"),
            (57, 110, "F", 10, "In de tafelgesprekken zijn de volgende vragen opgehaald.")] + text
    text.append((57, 300, "F", 10, "Wie maakt hier een samenvatting van?"))
    p = write_layout_pdf(tmp_path / "meetings" / "2022-02-10-tafel.pdf", [{"text": text, "rules": rules}])
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    assert by_rule(r, Rule.section) == [
        "Hoe zorg je dat leerlingen met dyslexie meekomen in een digitale leeromgeving?",
        "Wat kost een leerplatform per leerling?",
        "Welke afspraken maak je met ouders over schermtijd thuis?",
    ]
    assert by_rule(r, Rule.candidate) == ["Wie maakt hier een samenvatting van?"]
    # the Sector column is each row's context, as in a Word table ("speciaal onderwijs" → so)
    assert [m.context.sectors for m in r.mentions if m.rule == Rule.section] == [["po"], ["vo"], ["so"]]


def test_word_bullet_glyphs_are_dropped(tmp_path):
    text = [(57, 80, "FB", 14, "Kennisvragen")]
    items = [
        (75, "S", "\uf0b7", "Hoe richt je een leerplein in?"),  # Symbol bullet, level 1
        (93, "C", "o", "Hoe verdeel je de instructietijd over de niveaus?"),  # Courier New "o", level 2
        (111, "W", "\uf0a7", "Welke rol heeft de onderwijsassistent daarbij?"),  # Wingdings square, level 3
        (75, "W", "\uf0d8", "Wat vraagt dit van de schoolleider?"),  # Wingdings arrow
        (75, "F", "§", "Hoe borg je dit in het schoolplan?"),  # the square without a Unicode map
    ]
    for i, (x, font, glyph, line) in enumerate(items):
        top = 110 + 15 * i
        text += [(x, top, font, 10, glyph), (x + 18, top, "F", 10, line)]
    text += [(57, 200, "FB", 14, "Achtergrond"), (57, 225, "F", 10, "§ 2 van het schoolplan regelt dit, toch?"),
             (57, 240, "F", 10, "o ja, en wie betaalt het?")]
    p = write_layout_pdf(tmp_path / "meetings" / "2021-09-13-verslag.pdf", [{"text": text}])
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    assert by_rule(r, Rule.section) == [line for *_, line in items]
    # a "§" or "o" followed by an ordinary space is text, not a bullet
    assert by_rule(r, Rule.candidate) == ["§ 2 van het schoolplan regelt dit, toch?", "o ja, en wie betaalt het?"]
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for m in r.mentions for ch in m.text)


def test_contents_page_with_page_numbers_is_not_two_columns(tmp_path):
    """A contents page: titles on the left, page numbers far right — no text column on the right."""
    entries = ["Inleiding", "Wat is gepersonaliseerd leren?", "De vijf scholen", "Wat werkt?", "Kennisvragen",
               "Verantwoording"]
    text = [(57, 60, "FB", 14, "Inhoud")]
    for i, title in enumerate(entries):
        text += [(57, 90 + 16 * i, "F", 10, title), (520, 90 + 16 * i, "F", 10, str(3 + 2 * i))]
    p = write_layout_pdf(tmp_path / "publications" / "inhoud.pdf", [{"text": text}, two_column_page()])
    pages = pdf_pages(p)
    assert [ln.text for ln in pages[0].lines][1:3] == ["Inleiding 3", "Wat is gepersonaliseerd leren? 5"]
    assert {ln.column for ln in pages[0].lines} == {0}
    assert {ln.column for ln in pages[1].lines} == {0, 1, 2}


def test_table_with_a_header_cell_over_two_columns(tmp_path):
    """'Kennisvraag' spans the question and the explanation column (a merged header cell): the
    Rol column after it is still the role, and the explanation is no question."""
    rows = [
        [[("FB", "Kennisvraag")], None, [("FB", "Rol")]],
        [[("F", "Hoe plan je instructie in een unit?")], [("F", "uit groep A")], [("F", "leerkracht")]],
        [[("F", "Wie betaalt de licenties?")], [("F", "uit groep B")], [("F", "bestuurder")]],
    ]
    x = [57, 297, 417, 538]
    text, rules = [], []
    y = 120
    for cells in rows:
        for i, cell in enumerate(cells):
            if cell is None:
                continue
            x1 = x[i + 2] if i + 1 < len(cells) and cells[i + 1] is None else x[i + 1]
            rules.append((x[i], y, x1, y + 22))
            text += [(x[i] + 4, y - 3, font, 10, line) for font, line in cell]
        y += 22
    text.insert(0, (57, 80, "FB", 14, "Tafelronde"))
    p = write_layout_pdf(tmp_path / "meetings" / "2022-06-27-tafelronde.pdf", [{"text": text, "rules": rules}])
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    assert by_rule(r, Rule.section) == ["Hoe plan je instructie in een unit?", "Wie betaalt de licenties?"]
    assert [m.context.roles for m in r.mentions] == [["leraar"], ["bestuurder"]]


def test_table_with_a_caption_row(tmp_path):
    """The first row is one cell over the whole table (a caption); the column names follow."""
    x = [57, 97, 397, 538]
    text = [(57, 80, "FB", 14, "Tafelronde 14 april")]
    rules = [(57, 120, 538, 142)]
    text.append((61, 117, "FB", 10, "Opbrengst van de tafelgesprekken"))
    body = [("Nr", "Kennisvraag", "Sector"), ("1", "Hoe begeleid je leerlingen die snel klaar zijn?", "po"),
            ("2", "Welke rol speelt de ouder bij thuiswerk?", "vo")]
    y = 142
    for row in body:
        for i, value in enumerate(row):
            rules.append((x[i], y, x[i + 1], y + 22))
            text.append((x[i] + 4, y - 3, "F", 10, value))
        y += 22
    p = write_layout_pdf(tmp_path / "meetings" / "2022-04-14-tafelronde.pdf", [{"text": text, "rules": rules}])
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    assert by_rule(r, Rule.section) == [q for _, q, _ in body[1:]]
    assert [m.context.sectors for m in r.mentions] == [["po"], ["vo"]]
