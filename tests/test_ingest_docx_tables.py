"""Word tables: every cell once, in order, the same on every run; rows inside a repeating-section
content control (w:tbl/w:sdt/w:tr); Sector/Rol/School/Niveau columns are the question's context."""

from __future__ import annotations

import copy
from pathlib import Path

import docx
from docx.oxml.ns import qn

from agenda.ingest import read_file
from agenda.models import Rule

QUESTIONS = [
    ("Hoe houden leerlingen zelf zicht op hun leerdoelen?", "Primair onderwijs", "leraar", "De Verwondering"),
    ("Hoe organiseer je het rooster zonder vaste jaargroepen?", "sbo", "schoolleider", "SBO Carolus"),
    ("Welke data uit de software gebruikt de leerkracht?", "(v)so", "ib-er", "De Onderwijsspecialisten"),
    ("Hoe borg je de visie bij wisselingen in het team?", "basisonderwijs", "bestuurder", "'t Panorama"),
]


def table_doc(header=("Kennisvraag", "Sector", "Rol", "School"), rows=QUESTIONS, heading="Opbrengst tafelgesprekken"):
    doc = docx.Document()
    doc.add_heading(heading, level=1)
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    for i, h in enumerate(header):
        table.cell(0, i).text = h
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values):
            table.cell(r, c).text = v
    return doc, table


def read(doc, tmp_path: Path, name="tafel.docx"):
    p = tmp_path / "meetings" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(p))
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    return r


def test_every_row_of_a_question_table_with_its_context(tmp_path):
    doc, _ = table_doc()
    results = [read(doc, tmp_path) for _ in range(3)]
    r = results[0]
    assert [m.text for m in r.mentions] == [q for q, *_ in QUESTIONS]
    assert all(m.rule == Rule.section for m in r.mentions)  # a *Kennisvraag* column is a question section
    assert [[m.id for m in x.mentions] for x in results[1:]] == [[m.id for m in r.mentions]] * 2
    ctx = [(m.context.sectors, m.context.roles, m.context.school) for m in r.mentions]
    assert ctx == [
        (["po"], ["leraar"], "De Verwondering"),
        (["sbo"], ["schoolleider"], "SBO Carolus"),
        (["so", "vso"], ["ib'er"], "De Onderwijsspecialisten"),
        (["po"], ["bestuurder"], "'t Panorama"),
    ]
    assert r.warnings == []


def test_merged_cells_are_read_once(tmp_path):
    doc, table = table_doc(header=("Thema", "Kennisvraag"), rows=[
        ("Data", "Hoe lees je een dashboard?"),
        ("", "Welke data zijn betrouwbaar?"),
        ("Ouders", "Hoe informeer je ouders?"),
    ])
    table.cell(1, 0).merge(table.cell(2, 0))  # vertical merge: python-docx repeats the cell, the XML has it once
    r = read(doc, tmp_path)
    assert [m.text for m in r.mentions] == ["Hoe lees je een dashboard?", "Welke data zijn betrouwbaar?", "Hoe informeer je ouders?"]


def test_rows_inside_a_repeating_section_content_control(tmp_path):
    doc, table = table_doc()
    tbl = table._tbl
    rows = tbl.findall(qn("w:tr"))[1:]
    sdt = tbl.makeelement(qn("w:sdt"), {})
    sdt_pr = sdt.makeelement(qn("w:sdtPr"), {})
    sdt.append(sdt_pr)
    content = sdt.makeelement(qn("w:sdtContent"), {})
    sdt.append(content)
    for tr in rows:
        inner = content.makeelement(qn("w:sdt"), {})  # each repeating-section item is its own sdt
        inner.append(copy.deepcopy(sdt_pr))
        inner_content = inner.makeelement(qn("w:sdtContent"), {})
        inner.append(inner_content)
        tbl.remove(tr)
        inner_content.append(tr)
        content.append(inner)
    tbl.append(sdt)
    r = read(doc, tmp_path)
    assert [m.text for m in r.mentions] == [q for q, *_ in QUESTIONS]
    assert r.mentions[2].context.sectors == ["so", "vso"]


def test_unknown_sector_in_a_table_is_metadata_with_a_warning(tmp_path):
    doc, _ = table_doc(rows=[("Hoe werk je samen met de kinderopvang?", "Kinderopvang", "leraar", "IKC De Boog")])
    r = read(doc, tmp_path)
    (m,) = r.mentions
    assert m.context.sectors == [] and m.extra == {"sector": "Kinderopvang"}
    (w,) = r.warnings
    assert w.severity == "warning" and "onbekende sector 'Kinderopvang'" in w.reason and w.line is not None


def test_table_without_header_keeps_the_document_rules(tmp_path):
    doc = docx.Document()
    doc.add_heading("Vervolg", level=1)
    t = doc.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Thema", "Hoe meet je eigenaarschap?"
    t.cell(1, 0).text, t.cell(1, 1).text = "Ouders", "Wat vertellen we ouders?"
    r = read(doc, tmp_path)
    assert [(m.text, m.rule) for m in r.mentions] == [
        ("Hoe meet je eigenaarschap?", Rule.candidate), ("Wat vertellen we ouders?", Rule.candidate),
    ]
