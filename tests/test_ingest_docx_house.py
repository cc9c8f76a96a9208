"""Word files as house templates, web tools and table-heavy reports write them (issue 17, kinds 1–4):
headings that are no "Heading N" (a house style with an outline level, a paragraph's own outline
level, a style named after the house, Word's automatic numbering in bold), the question-section
rule on words (Rondvraag, Aanvraag), tables with merged header cells (w:gridSpan, w:vMerge), and
content embedded as HTML/MHT through w:altChunk."""

from __future__ import annotations

import quopri
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from agenda.ingest import read_file
from agenda.models import Rule
from tests.test_ingest_docx_tables import read as read_saved


def by_rule(result, rule):
    return [m.text for m in result.mentions if m.rule == rule]


def read(doc, tmp_path: Path, name="verslag.docx"):
    return read_saved(doc, tmp_path, name)


def add_style(doc, xml: str):
    """A paragraph style as Word writes a house template's: w:customStyle, basedOn, pPr, rPr."""
    el = parse_xml(f"<w:style {nsdecls('w')} w:type=\"paragraph\" w:customStyle=\"1\" {xml}</w:style>")
    doc.styles.element.append(el)
    return el.get(qn("w:styleId"))


def styled(doc, text: str, style_id: str, bold_runs: bool = False):
    p = doc.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    ppr.insert(0, parse_xml(f'<w:pStyle {nsdecls("w")} w:val="{style_id}"/>'))
    p.add_run(text).bold = True if bold_runs else None
    return p


NUMBERING = """<w:abstractNum {ns} w:abstractNumId="{a}"><w:nsid w:val="1A2B3C4D"/>
<w:multiLevelType w:val="hybridMultilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt0}"/><w:lvlText w:val="{txt0}"/><w:lvlJc w:val="left"/>
<w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/><w:lvlJc w:val="left"/>
<w:pPr><w:ind w:left="1080" w:hanging="360"/></w:pPr><w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New"/></w:rPr></w:lvl>
</w:abstractNum>"""


def add_numbering(doc, num_id: int, fmt0: str = "decimal", txt0: str = "%1.") -> str:
    """A list definition in numbering.xml (abstractNum before the w:num elements, as the schema wants)."""
    numbering = doc.part.numbering_part.element
    abstract = parse_xml(NUMBERING.format(ns=nsdecls("w"), a=num_id + 100, fmt0=fmt0, txt0=txt0))
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{num_id + 100}"/></w:num>'
    ))
    return str(num_id)


def numbered(doc, text: str, num_id: str, ilvl: int = 0, bold: bool = False, style: str = "List Paragraph"):
    p = doc.add_paragraph(style=style)
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))
    run = p.add_run(text)
    if bold:
        run.bold = True
    return p


# --- kind 1: headings that are not "Heading N" ---------------------------------------------------


def test_house_style_headings_by_outline_level_and_name(tmp_path):
    doc = docx.Document()
    # "Primo Hoofdstuk": bold 14 pt from the style, outline level 1, based on Normal — the house's H1
    add_style(doc, 'w:styleId="PrimoHoofdstuk"><w:name w:val="Primo Hoofdstuk"/><w:basedOn w:val="Normal"/>'
                   '<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr>'
                   '<w:rPr><w:b/><w:sz w:val="28"/></w:rPr>')
    # a house style named after the house, with "Kop 2" in its name and nothing else
    add_style(doc, 'w:styleId="StichtingKop2"><w:name w:val="Stichting Kop 2"/><w:basedOn w:val="Normal"/>'
                   '<w:rPr><w:color w:val="E36C0A"/><w:sz w:val="24"/></w:rPr>')
    # based on the house's own heading, no outline level of its own: inherits it
    add_style(doc, 'w:styleId="PrimoHoofdstukGenummerd"><w:name w:val="Primo Hoofdstuk genummerd"/>'
                   '<w:basedOn w:val="PrimoHoofdstuk"/>')
    # a framed note based on Heading 1 whose outline level is body text (9): not a heading
    add_style(doc, 'w:styleId="Kadertekst"><w:name w:val="Kadertekst"/><w:basedOn w:val="Heading1"/>'
                   '<w:pPr><w:outlineLvl w:val="9"/></w:pPr>')
    styled(doc, "Verslag werkbijeenkomst", "PrimoHoofdstuk")
    doc.add_paragraph("Wie heeft de notulen van vorige keer?")
    styled(doc, "Opgehaalde praktijkvragen", "PrimoHoofdstuk")
    doc.add_paragraph("Hoe richt je een leerplein in voor groep 3 tot en met 5?", style="List Bullet")
    styled(doc, "Toetsing", "StichtingKop2")  # a sub-heading: the question section goes on
    doc.add_paragraph("Welke toetsdata gebruikt de leerkracht voor de weekplanning?", style="List Bullet")
    styled(doc, "Hoe verhoudt eigenaarschap zich tot de kerndoelen?", "Kadertekst")
    styled(doc, "Vervolgafspraken", "PrimoHoofdstukGenummerd")
    doc.add_paragraph("Wie neemt de koffie mee?")
    # a paragraph's own outline level (Word: Paragraph ▸ Outline level ▸ Level 1), in Normal style
    p = doc.add_paragraph("Onderzoeksvragen van de scholen")
    p._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    doc.add_paragraph("Wat werkt bij het geven van feedback in een digitale leeromgeving?")
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == [
        "Hoe richt je een leerplein in voor groep 3 tot en met 5?",
        "Welke toetsdata gebruikt de leerkracht voor de weekplanning?",
        "Hoe verhoudt eigenaarschap zich tot de kerndoelen?",
        "Wat werkt bij het geven van feedback in een digitale leeromgeving?",
    ]
    assert sorted(by_rule(r, Rule.candidate)) == ["Wie heeft de notulen van vorige keer?", "Wie neemt de koffie mee?"]
    assert r.source.title == "Verslag werkbijeenkomst"


def test_numbered_bold_items_are_headings(tmp_path):
    """'3. Kennisvragen', where '3.' is Word's automatic numbering and the text is bold."""
    doc = docx.Document()
    heads = add_numbering(doc, 31)
    bullets = add_numbering(doc, 32, fmt0="bullet", txt0="\uf0b7")
    doc.add_paragraph("Verslag van de vierde bijeenkomst van de kennistafel.")
    numbered(doc, "Opening en mededelingen", heads, bold=True)
    doc.add_paragraph("Is iedereen de uitnodiging van de werkplaats al tegengekomen?")
    numbered(doc, "Kennisvragen", heads, bold=True)
    numbered(doc, "Hoe geef je leerlingen eigenaarschap over hun leerroute?", bullets)
    numbered(doc, "Onderbouw", heads, ilvl=1, bold=True)  # a numbered sub-heading: section goes on
    numbered(doc, "Welke rol speelt de ib'er bij de inzet van adaptieve software?", bullets)
    numbered(doc, "Rondvraag", heads, bold=True)
    numbered(doc, "Wie stuurt de dia's rond?", bullets)
    # a bold list item that is a sentence stays an item
    numbered(doc, "Ingrid stuurt het verslag voor de volgende keer rond.", heads, bold=True)
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == [
        "Hoe geef je leerlingen eigenaarschap over hun leerroute?",
        "Welke rol speelt de ib'er bij de inzet van adaptieve software?",
    ]
    assert sorted(by_rule(r, Rule.candidate)) == [
        "Is iedereen de uitnodiging van de werkplaats al tegengekomen?", "Wie stuurt de dia's rond?",
    ]
    assert r.warnings == []


def test_bold_from_the_style_and_larger_numbered_text(tmp_path):
    """Bold comes from the paragraph style, or the numbered heading is only larger (16 pt)."""
    doc = docx.Document()
    add_style(doc, 'w:styleId="Nadruk1"><w:name w:val="Nadruk alinea"/><w:basedOn w:val="Normal"/>'
                   '<w:rPr><w:b/></w:rPr>')
    heads = add_numbering(doc, 41)
    styled(doc, "Vragen uit de tafelgesprekken", "Nadruk1")
    doc.add_paragraph("Hoe plan je instructie in een unit met drie leerjaren?", style="List Bullet")
    p = numbered(doc, "Rondvraag", heads)
    p.runs[0].font.size = docx.shared.Pt(16)
    doc.add_paragraph("Wie regelt de zaal?", style="List Bullet")
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == ["Hoe plan je instructie in een unit met drie leerjaren?"]
    assert by_rule(r, Rule.candidate) == ["Wie regelt de zaal?"]


def test_heading_by_style_name_compound_and_by_size_against_the_body_text(tmp_path):
    """A house style "Tussenkopje" (colour only, no outline level) is a heading; so is a short line
    set 2 pt above the body text, where the body text is the house's 12 pt "Basistekst", not Normal.
    A 13 pt line in that document is body text."""
    doc = docx.Document()
    add_style(doc, 'w:styleId="Tussenkopje"><w:name w:val="Tussenkopje"/><w:basedOn w:val="Normal"/>'
                   '<w:rPr><w:color w:val="1F497D"/></w:rPr>')
    add_style(doc, 'w:styleId="Basistekst"><w:name w:val="Basistekst"/><w:basedOn w:val="Normal"/>'
                   '<w:rPr><w:sz w:val="24"/></w:rPr>')
    body = ("De kennistafel sprak over de inrichting van de leerpleinen en over de rol van de "
            "onderwijsassistent bij het zelfstandig werken van leerlingen in de unit. ")
    styled(doc, body * 3, "Basistekst")
    big = styled(doc, "Praktijkvragen uit de werkplaats", "Basistekst")
    big.runs[0].font.size = docx.shared.Pt(14)
    styled(doc, "Hoe houd je zicht op wat elke leerling leert?", "Basistekst")
    styled(doc, "Vervolg", "Tussenkopje")
    styled(doc, "Wie zit de volgende keer voor?", "Basistekst")
    almost = styled(doc, "Vragen van ouders", "Basistekst")
    almost.runs[0].font.size = docx.shared.Pt(13)  # 1 pt above the body: not a heading
    styled(doc, "Mag mijn kind thuis verder werken?", "Basistekst")
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == ["Hoe houd je zicht op wat elke leerling leert?"]
    assert by_rule(r, Rule.candidate) == ["Wie zit de volgende keer voor?", "Mag mijn kind thuis verder werken?"]


# --- kind 2: the question-section rule on words ------------------------------------------------


def test_rondvraag_and_aanvraag_do_not_open_a_question_section(tmp_path):
    doc = docx.Document()
    doc.add_heading("Kennistafel 14 april", level=0)
    doc.add_heading("Aanvraag subsidie Kennisrotonde", level=1)
    doc.add_paragraph("Is de aanvraag al ingediend?", style="List Bullet")
    doc.add_heading("Kennisvragen", level=1)
    doc.add_paragraph("Hoe zet je formatief evalueren in bij rekenen?", style="List Bullet")
    doc.add_heading("Mededelingen", level=2)  # housekeeping ends the questions at any level
    doc.add_paragraph("Komt iedereen naar de studiedag?", style="List Bullet")
    doc.add_heading("Rondvraag", level=1)
    doc.add_paragraph("Wie stuurt de slides rond?", style="List Bullet")
    doc.add_heading("Mededelingen en vragen", level=1)
    doc.add_paragraph("Kan de vergadering een half uur later?", style="List Bullet")
    doc.add_heading("Rondvraag en nieuwe kennisvragen", level=1)  # says so: a question section
    doc.add_paragraph("Wat weten we over ouderbetrokkenheid bij digitale portfolio's?", style="List Bullet")
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == [
        "Hoe zet je formatief evalueren in bij rekenen?",
        "Wat weten we over ouderbetrokkenheid bij digitale portfolio's?",
    ]
    assert by_rule(r, Rule.candidate) == [
        "Is de aanvraag al ingediend?", "Komt iedereen naar de studiedag?", "Wie stuurt de slides rond?",
        "Kan de vergadering een half uur later?",
    ]


def test_section_rule_is_the_same_for_markdown(tmp_path):
    p = tmp_path / "meetings" / "2022-04-14-verslag.md"
    p.parent.mkdir(parents=True)
    p.write_text(
        "---\ntitle: Zevende bijeenkomst\n---\n# Zevende bijeenkomst\n\n## Praktijkvragen\n\n"
        "- Hoe organiseer je feedback op schrijfopdrachten in een digitale omgeving?\n\n"
        "## Aanvragen\n\n- Wie tekent de aanvraag voor de subsidie?\n\n"
        "## Rondvraag\n\n- Wie stuurt de slides rond?\n\n"
        "## Actiepunten\n\n- Kan Jan de zaal reserveren?\n",
        encoding="utf-8",
    )
    r = read_file(p, tmp_path)
    assert by_rule(r, Rule.section) == ["Hoe organiseer je feedback op schrijfopdrachten in een digitale omgeving?"]
    assert by_rule(r, Rule.candidate) == [
        "Wie tekent de aanvraag voor de subsidie?", "Wie stuurt de slides rond?", "Kan Jan de zaal reserveren?",
    ]


def test_table_column_aanvraag_is_no_question_column(tmp_path):
    doc = docx.Document()
    doc.add_heading("Overzicht", level=1)
    t = doc.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Aanvraag", "Sector"
    t.cell(1, 0).text, t.cell(1, 1).text = "Mag de werkgroep een extra budget aanvragen?", "po"
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == []
    assert by_rule(r, Rule.candidate) == ["Mag de werkgroep een extra budget aanvragen?"]


# --- kind 3: merged header cells ------------------------------------------------------------------


def test_wide_header_cell_matches_cells_by_grid_column(tmp_path):
    """'Kennisvraag' spans two grid columns (question + explanation): by grid column, Sector and
    Rol stay Sector and Rol; a Sector cell merged down holds for both rows it spans."""
    doc = docx.Document()
    doc.add_heading("Opbrengst tafelgesprekken", level=1)
    t = doc.add_table(rows=4, cols=5)
    t.style = "Table Grid"
    for i, h in enumerate(("Nr", "Kennisvraag", "", "Sector", "Rol")):
        t.cell(0, i).text = h
    t.cell(0, 1).merge(t.cell(0, 2))
    rows = [
        ("1", "Hoe houden leerlingen zelf zicht op hun leerdoelen?", "uit groep A", "po", "leraar"),
        ("2", "Hoe organiseer je het rooster zonder vaste jaargroepen?", "uit groep B", "po", "schoolleider"),
        ("3", "Welke data uit de software gebruikt de leerkracht?", "", "vo", "ib'er"),
    ]
    for r_i, values in enumerate(rows, start=1):
        for c, v in enumerate(values):
            t.cell(r_i, c).text = v
    merged = t.cell(1, 3).merge(t.cell(2, 3))  # "po" over rows 1 and 2
    merged.text = "po"
    r = read(doc, tmp_path)
    assert [m.text for m in r.mentions if m.rule == Rule.section] == [v[1] for v in rows]
    ctx = {m.text: (m.context.sectors, m.context.roles) for m in r.mentions}
    assert ctx[rows[0][1]] == (["po"], ["leraar"])
    assert ctx[rows[1][1]] == (["po"], ["schoolleider"])
    assert ctx[rows[2][1]] == (["vo"], ["ib'er"])
    assert r.warnings == []


def test_two_row_header_with_a_group_cell(tmp_path):
    """Row 1: 'Kennisvraag' merged down over two rows, 'Context' over two columns; row 2 names
    'Sector' and 'Rol' under it."""
    doc = docx.Document()
    doc.add_heading("Tafelronde", level=1)
    t = doc.add_table(rows=4, cols=3)
    t.cell(0, 0).text = "Kennisvraag"
    t.cell(0, 1).text = "Context"
    t.cell(1, 1).text, t.cell(1, 2).text = "Sector", "Rol"
    t.cell(0, 1).merge(t.cell(0, 2))
    t.cell(0, 0).merge(t.cell(1, 0))
    data = [
        ("Hoe betrek je ouders bij het portfolio van hun kind?", "so", "leraar"),
        ("Wat kost een leerplatform per leerling per jaar?", "vo", "bestuurder"),
    ]
    for r_i, values in enumerate(data, start=2):
        for c, v in enumerate(values):
            t.cell(r_i, c).text = v
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == [q for q, *_ in data]
    assert [(m.context.sectors, m.context.roles) for m in r.mentions] == [(["so"], ["leraar"]), (["vo"], ["bestuurder"])]
    assert r.warnings == []


def test_caption_row_over_the_whole_table(tmp_path):
    """A first row merged across all columns holds the table's caption; the column names are in
    the second row."""
    doc = docx.Document()
    doc.add_heading("Verslag", level=1)
    t = doc.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "Opbrengst van de tafelgesprekken, 14 april"
    for i, h in enumerate(("Nr", "Kennisvraag", "Toelichting")):
        t.cell(1, i).text = h
    data = [("1", "Hoe begeleid je leerlingen die snel klaar zijn?", "groep A"),
            ("2", "Welke rol speelt de ouder bij thuiswerk?", "groep B")]
    for r_i, values in enumerate(data, start=2):
        for c, v in enumerate(values):
            t.cell(r_i, c).text = v
    r = read(doc, tmp_path)
    assert by_rule(r, Rule.section) == [q for _, q, _ in data]


# --- kind 4: content embedded as HTML / MHT through w:altChunk --------------------------------------

EXPORT_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Export</title>
<style>body {{ font-family: Arial }}</style></head><body>
<nav><a href="/">Home</a></nav>
<h1>Verslag kennistafel 10 februari</h1>
<p>Op 10 februari kwamen we bijeen in Utrecht.<br>De vraag &lsquo;Hoe meet je leerwinst bij gepersonaliseerd leren?&rsquo; kwam vaak terug.</p>
<h2>Kennisvragen</h2>
<ul><li>Hoe zorg je dat leerlingen met een eigen leerroute niet achterop raken?
  <ul><li>En hoe volg je dat als leerkracht?</li></ul></li>
<li><span style="color:#333">Welke afspraken maak je met ouders over schermtijd?</span></li></ul>
<h2>Rondvraag</h2><p>Wie stuurt de presentatie rond?</p>
{extra}</body></html>"""


def alt_chunk_doc(blob: bytes, content_type: str, partname: str, before: str | None = "Geëxporteerd uit het intranet."):
    """A .docx as an intranet's "Export to Word" writes it: a w:altChunk pointing at an HTML/MHT part."""
    doc = docx.Document()
    if before:
        doc.add_paragraph(before)
    part = Part(PackURI(partname), content_type, blob, doc.part.package)
    rid = doc.part.relate_to(part, RT.A_F_CHUNK)
    body = doc.element.body
    body.insert(len(body) - 1, parse_xml(f'<w:altChunk {nsdecls("w", "r")} r:id="{rid}"/>'))  # before sectPr
    return doc


def test_alt_chunk_html_is_read_in_place(tmp_path):
    html = EXPORT_HTML.format(extra="<table><tr><td><p>Volgende bijeenkomst: 14 april.</p></td></tr></table>")
    r = read(alt_chunk_doc(html.encode("utf-8"), "text/html", "/word/afchunk.htm"), tmp_path)
    assert by_rule(r, Rule.section) == [
        "Hoe zorg je dat leerlingen met een eigen leerroute niet achterop raken?",
        "En hoe volg je dat als leerkracht?",
        "Welke afspraken maak je met ouders over schermtijd?",
    ]
    assert by_rule(r, Rule.quoted) == ["Hoe meet je leerwinst bij gepersonaliseerd leren?"]
    assert "Wie stuurt de presentatie rond?" in by_rule(r, Rule.candidate)
    assert r.source.title == "Verslag kennistafel 10 februari"
    assert r.warnings == []


def test_alt_chunk_mht_web_archive(tmp_path):
    html = EXPORT_HTML.format(extra="").replace('charset="utf-8"', 'charset="windows-1252"')
    qp = quopri.encodestring(html.encode("cp1252")).decode("ascii")
    mht = (
        "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart_01D7\"\r\n\r\n"
        "------=_NextPart_01D7\r\nContent-Location: file:///C:/export.htm\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=\"windows-1252\"\r\n\r\n"
        f"{qp}\r\n------=_NextPart_01D7--\r\n"
    ).encode("ascii")
    r = read(alt_chunk_doc(mht, "message/rfc822", "/word/afchunk.mht", before=None), tmp_path)
    assert by_rule(r, Rule.section) == [
        "Hoe zorg je dat leerlingen met een eigen leerroute niet achterop raken?",
        "En hoe volg je dat als leerkracht?",
        "Welke afspraken maak je met ouders over schermtijd?",
    ]
    assert r.warnings == []


def test_alt_chunk_that_cannot_be_read_is_named(tmp_path):
    rtf = rb"{\rtf1\ansi{\fonts}Hoe meet je leerwinst?\par}"
    r = read(alt_chunk_doc(rtf, "application/rtf", "/word/afchunk.rtf"), tmp_path)
    reasons = [w.reason for w in r.warnings]
    assert any("ingesloten inhoud (RTF" in x and "w:altChunk" in x for x in reasons), reasons


def test_alt_chunk_as_html_docx_js_writes_it(tmp_path):
    """The JavaScript "Export to Word" many web tools embed (html-docx-js): a package with no
    styles part, the page as an MHT part at /word/afchunk.mht, referenced by r:id "htmlChunk"."""
    import zipfile

    html = EXPORT_HTML.format(extra="").replace("=", "=3D")  # html-docx-js escapes '=' itself
    mht = (
        "MIME-Version: 1.0\nContent-Type: multipart/related;\n    type=\"text/html\";\n"
        "    boundary=\"----=mhtDocumentPart\"\n\n\n------=mhtDocumentPart\n"
        "Content-Type: text/html;\n    charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n"
        "Content-Location: file:///C:/fake/document.html\n\n" + html + "\n\n------=mhtDocumentPart--\n"
    )
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '<Override PartName="/word/afchunk.mht" ContentType="message/rfc822"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="/word/document.xml" Id="R09c83fafc067488e"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{w}" xmlns:r="{r}">'
            '<w:body><w:altChunk r:id="htmlChunk"/><w:sectPr><w:pgSz w:w="12240" w:h="15840" w:orient="portrait"/>'
            '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" '
            'w:gutter="0"/></w:sectPr></w:body></w:document>'
        ),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk" '
            'Target="/word/afchunk.mht" Id="htmlChunk"/></Relationships>'
        ),
        "word/afchunk.mht": mht,
    }
    p = tmp_path / "meetings" / "2022-02-10-export.docx"
    p.parent.mkdir(parents=True)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    res = read_file(p, tmp_path)
    assert res.rejection is None, res.rejection
    assert by_rule(res, Rule.section) == [
        "Hoe zorg je dat leerlingen met een eigen leerroute niet achterop raken?",
        "En hoe volg je dat als leerkracht?",
        "Welke afspraken maak je met ouders over schermtijd?",
    ]
    assert res.source.date is not None and res.source.date.isoformat() == "2022-02-10"
