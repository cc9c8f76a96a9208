"""Word meeting reports and cases: heading styles, list items, tables, document properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE

from agenda.ingest import read_file
from agenda.models import Rule, SourceKind


def by_rule(result, rule):
    return [m.text for m in result.mentions if m.rule == rule]


def save(doc, root: Path, rel: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(p))
    return p


def meeting_doc():
    doc = docx.Document()
    cp = doc.core_properties
    cp.title = "Tweede bijeenkomst kennistafel"
    cp.created = dt.datetime(2021, 3, 25, 10, 0)
    cp.keywords = "sector: po, so; rol: leraar"
    doc.add_heading("Tweede bijeenkomst", level=0)
    p = doc.add_paragraph("Bij de start klonk de vraag 'Hoe houd je het overzicht?' in de groep. ")
    p.add_run("Wie weet het?")
    doc.add_heading("Kennisvragen", level=1)
    doc.add_paragraph("Hoe richt je leerpleinen in? (sector: po; rol: schoolleider)", style="List Bullet")
    doc.add_paragraph("Welke ict-tools helpen leerlingen plannen?", style="List Number")
    doc.add_paragraph("Een zin zonder vraag.", style="List Bullet")
    doc.add_heading("Uitwerking", level=2)
    br = doc.add_paragraph("Wat vraagt dit van de leraar?")
    br.runs[0].add_break()
    br.add_run("En van het team?")
    doc.add_heading("Vervolg", level=1)
    doc.add_paragraph("Wanneer komen we weer bijeen?")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Thema"
    table.cell(0, 1).text = "Hoe meet je eigenaarschap?"
    return doc


def test_docx_meeting(tmp_path):
    p = save(meeting_doc(), tmp_path, "meetings/tweede.docx")
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    s = r.source
    assert s.kind == SourceKind.meeting
    assert s.title == "Tweede bijeenkomst kennistafel"
    assert s.date == dt.date(2021, 3, 25)
    assert s.context.sectors == ["po", "so"] and s.context.roles == ["leraar"]
    assert by_rule(r, Rule.quoted) == ["Hoe houd je het overzicht?"]
    assert by_rule(r, Rule.section) == [
        "Hoe richt je leerpleinen in?",
        "Welke ict-tools helpen leerlingen plannen?",
        "Wat vraagt dit van de leraar?",
        "En van het team?",
    ]
    first = next(m for m in r.mentions if m.text == "Hoe richt je leerpleinen in?")
    assert first.context.sectors == ["po"] and first.context.roles == ["schoolleider"]
    assert first.line == 4  # paragraph number
    assert by_rule(r, Rule.candidate) == ["Wie weet het?", "Wanneer komen we weer bijeen?", "Hoe meet je eigenaarschap?"]


def test_docx_dutch_styles_and_filename_date(tmp_path):
    doc = docx.Document()
    kop1 = doc.styles.add_style("Kop 1", WD_STYLE_TYPE.PARAGRAPH)
    kop2 = doc.styles.add_style("Kop 2", WD_STYLE_TYPE.PARAGRAPH)
    doc.add_paragraph("Verslag", style=kop1)
    doc.add_paragraph("Opgehaalde vraagstukken", style=kop2)
    doc.add_paragraph("Hoe betrek je ouders?")
    doc.add_paragraph("Overig", style=kop2)
    doc.add_paragraph("Is dit een kandidaat?")
    p = save(doc, tmp_path, "meetings/verslag-2021-11-18.docx")
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    assert r.source.date == dt.date(2021, 11, 18)  # template 'created' is ignored
    assert by_rule(r, Rule.section) == ["Hoe betrek je ouders?"]
    assert by_rule(r, Rule.candidate) == ["Is dit een kandidaat?"]
    assert r.source.title == "Verslag"


def test_docx_bold_pseudo_heading(tmp_path):
    doc = docx.Document()
    doc.add_paragraph().add_run("Praktijkvragen").bold = True
    doc.add_paragraph("Hoe plan je kindgesprekken?")
    p = save(doc, tmp_path, "meetings/b.docx")
    r = read_file(p, tmp_path)
    assert by_rule(r, Rule.section) == ["Hoe plan je kindgesprekken?"]


def test_docx_case_by_category(tmp_path):
    doc = docx.Document()
    cp = doc.core_properties
    cp.category = "casus"
    cp.title = "Casus De Verwondering"
    cp.subject = "school: De Verwondering; organisatie: Conexus; sector: po; datum: 2021-09-28"
    doc.add_heading("Definitie", level=1)
    doc.add_paragraph("Leren op maat van het kind.")
    doc.add_heading("Doel", level=1)
    doc.add_paragraph("Eigenaarschap.")
    doc.add_heading("Vraagstukken", level=1)
    doc.add_paragraph("Hoe houden leerlingen zelf zicht op hun leerdoelen? (niveau: leerling; rol: leraar)", style="List Bullet")
    doc.add_paragraph("Belemmerend:")
    doc.add_paragraph("te weinig tijd voor kindgesprekken", style="List Bullet 2")
    doc.add_paragraph("Bevorderend: portfolio-app; vaste coachmomenten")
    p = save(doc, tmp_path, "meetings/casus.docx")
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    s = r.source
    assert s.kind == SourceKind.case
    assert s.date == dt.date(2021, 9, 28)
    assert s.context.school == "De Verwondering" and s.context.organisation == "Conexus" and s.context.sectors == ["po"]
    assert s.meta["definition"] == "Leren op maat van het kind." and s.meta["goal"] == "Eigenaarschap."
    (m,) = r.mentions
    assert m.rule == Rule.case and m.text == "Hoe houden leerlingen zelf zicht op hun leerdoelen?"
    assert m.context.level == "leerling" and m.context.roles == ["leraar"] and m.context.school == "De Verwondering"
    assert m.extra == {"obstacles": ["te weinig tijd voor kindgesprekken"], "enablers": ["portfolio-app", "vaste coachmomenten"]}
