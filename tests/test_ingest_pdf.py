"""PDF meeting reports and cases: headings by font, the three question rules, hyphenation,
running headers/footers and page numbers, page as location, and the hostile-input guards."""

from __future__ import annotations

import datetime as dt
import zlib

import pytest

from agenda.ingest import discover, read_file
from agenda.ingest.pdf import join_lines, pdf_pages, pdf_text
from agenda.models import Rule, SourceKind
from agenda.settings import Limits
from tests.pdf_fixtures import BODY, BOLD, GAP, H1, H2, write_pdf


def by_rule(result, rule):
    return [m.text for m in result.mentions if m.rule == rule]


MEETING = [
    [
        (H1, "Derde bijeenkomst kennistafel"),
        GAP,
        (BODY, "Op 23 juni 2021 kwam de kennistafel bijeen. In de ene groep was het vraagstuk"),
        (BODY, "'Welke competenties moeten de leerkrachten hebben om gepersonali-"),
        (BODY, "seerd leren te laten slagen?' Daarover ging het gesprek."),
        GAP,
        (BODY, "Iemand vroeg zich hardop af of dit wel haalbaar is voor kleine scholen?"),
        GAP,
        (H2, "Kennisvragen"),
        GAP,
        (BODY, "• Hoe richt je een leerplein in voor leerlingen met verschillende"),
        (BODY, "   ict-vaardigheden en niveaus?"),
        (BODY, "• Welke data uit adaptieve software helpen de leerkracht bij het"),
        (BODY, "   plannen van instructie?"),
    ],
    [
        (BODY, "• Hoe betrek je ouders bij het portfolio van hun kind? (sector: po)"),
        GAP,
        (H2, "Overige punten"),
        GAP,
        (BODY, "Wanneer komen we weer bij elkaar?"),
    ],
]


@pytest.fixture()
def meeting(tmp_path):
    write_pdf(tmp_path / "meetings" / "derde.pdf", MEETING, title="Derde bijeenkomst kennistafel",
              keywords="sector: po, so")
    return tmp_path, read_file(tmp_path / "meetings" / "derde.pdf", tmp_path)


def test_pdf_meeting_questions_by_the_three_rules(meeting):
    _, r = meeting
    assert r.rejection is None, r.rejection
    assert r.source.kind == SourceKind.meeting
    assert r.source.title == "Derde bijeenkomst kennistafel"
    assert r.source.date == dt.date(2021, 6, 23)
    assert r.source.context.sectors == ["po", "so"]
    assert by_rule(r, Rule.quoted) == [
        "Welke competenties moeten de leerkrachten hebben om gepersonaliseerd leren te laten slagen?"
    ]
    assert by_rule(r, Rule.section) == [
        "Hoe richt je een leerplein in voor leerlingen met verschillende ict-vaardigheden en niveaus?",
        "Welke data uit adaptieve software helpen de leerkracht bij het plannen van instructie?",
        "Hoe betrek je ouders bij het portfolio van hun kind?",
    ]
    # outside a question section: candidates, as in Markdown and Word
    assert by_rule(r, Rule.candidate) == [
        "Iemand vroeg zich hardop af of dit wel haalbaar is voor kleine scholen?",
        "Wanneer komen we weer bij elkaar?",
    ]


def test_pdf_location_is_the_page_and_note_is_context(meeting):
    _, r = meeting
    pages = {m.text: m.line for m in r.mentions}
    assert pages["Hoe betrek je ouders bij het portfolio van hun kind?"] == 2
    assert pages["Hoe richt je een leerplein in voor leerlingen met verschillende ict-vaardigheden en niveaus?"] == 1
    note = next(m for m in r.mentions if m.text.startswith("Hoe betrek"))
    assert note.context.sectors == ["po"]


def test_pdf_headers_footers_and_page_numbers_are_dropped(meeting):
    root, _ = meeting
    text = pdf_text(root / "meetings" / "derde.pdf")
    assert "Kennistafel Gepersonaliseerd leren met ict" not in text
    assert "Pagina" not in text
    assert "gepersonaliseerd leren te laten slagen" in text
    pages = pdf_pages(root / "meetings" / "derde.pdf")
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].lines[0].text == "Derde bijeenkomst kennistafel" and pages[0].lines[0].size == 18


def test_join_lines_undoes_hyphenation_but_keeps_compounds():
    assert join_lines(["het gepersonali-", "seerd leren"]) == "het gepersonaliseerd leren"
    assert join_lines(["welke ict-", "vaardigheden"]) == "welke ict-vaardigheden"
    assert join_lines(["de ICT-", "coördinator"]) == "de ICT-coördinator"
    assert join_lines(["voor po-", "en vo-scholen"]) == "voor po- en vo-scholen"
    assert join_lines(["lees-", "en rekenonderwijs"]) == "lees- en rekenonderwijs"
    assert join_lines(["onder\u00ad", "wijs"]) == "onderwijs"
    assert join_lines(["Leerlingen -", "Ouders"]) == "Leerlingen - Ouders"


def test_pdf_case_sections(tmp_path):
    pages = [[
        (H1, "Casus De Verwondering"),
        (H2, "Definitie"),
        (BODY, "Leren afgestemd op wat het kind nodig heeft."),
        (H2, "Vraagstukken"),
        (BODY, "• Hoe houden leerlingen zelf zicht op hun leerdoelen?"),
        (BOLD, "Belemmerend"),
        (BODY, "• te weinig tijd voor kindgesprekken"),
    ]]
    p = write_pdf(tmp_path / "cases" / "verwondering.pdf", pages, keywords="sector: po; school: De Verwondering")
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    assert r.source.kind == SourceKind.case
    assert r.source.meta["definition"] == "Leren afgestemd op wat het kind nodig heeft."
    [q] = r.mentions
    assert (q.text, q.rule, q.line) == ("Hoe houden leerlingen zelf zicht op hun leerdoelen?", Rule.case, 1)
    assert q.extra["obstacles"] == ["te weinig tijd voor kindgesprekken"]


def test_pdf_is_discovered_in_meetings(tmp_path, meeting):
    root, _ = meeting
    files, rejections = discover(root)
    assert [f.name for f in files] == ["derde.pdf"] and rejections == []


def test_scanned_pdf_without_text_layer(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    p = tmp_path / "meetings" / "scan.pdf"
    p.parent.mkdir()
    c = canvas.Canvas(str(p), pagesize=A4)
    c.rect(50, 50, 400, 600, fill=1)  # a scanner writes an image and nothing else
    c.showPage()
    c.save()
    r = read_file(p, tmp_path)
    assert r.rejection is not None and r.rejection.reason.startswith("geen tekstlaag (gescand?)")


def test_encrypted_pdf_is_rejected_in_dutch(tmp_path):
    p = write_pdf(tmp_path / "meetings" / "geheim.pdf", MEETING, encrypt="wachtwoord")
    r = read_file(p, tmp_path)
    assert r.rejection is not None and "versleuteld" in r.rejection.reason


def test_too_many_pages(tmp_path):
    p = write_pdf(tmp_path / "meetings" / "lang.pdf", MEETING + MEETING)
    r = read_file(p, tmp_path, limits=Limits(max_pdf_pages=3))
    assert r.rejection is not None and "4 pagina's (grens 3)" in r.rejection.reason


def test_too_many_pages_is_refused_before_any_page_is_parsed(tmp_path, monkeypatch):
    """Issue 21 (held out): a PDF of 10,000 empty pages took 64 s to refuse: its pages were all parsed to
    count them, and pdfplumber's close() parsed them again. The declared page count refuses it now."""
    import pdfplumber

    p = write_pdf(tmp_path / "meetings" / "lang.pdf", MEETING + MEETING)

    def parsed(self):
        raise AssertionError("pages parsed")

    monkeypatch.setattr(pdfplumber.PDF, "pages", property(parsed))
    r = read_file(p, tmp_path, limits=Limits(max_pdf_pages=3))
    assert r.rejection is not None and "4 pagina's (grens 3)" in r.rejection.reason


def test_decompression_bomb(tmp_path):
    bomb = zlib.compress(b"0 0 m\n" * 2_000_000, 9)  # 12 MB of content stream in a few KB
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(bomb)}/Filter/FlateDecode>>stream\n".encode() + bomb
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    p = tmp_path / "meetings" / "bom.pdf"
    p.parent.mkdir()
    p.write_bytes(body)
    r = read_file(p, tmp_path)
    assert r.rejection is not None and "decompressiebom" in r.rejection.reason


def test_damaged_and_fake_pdf(tmp_path):
    (tmp_path / "meetings").mkdir()
    fake = tmp_path / "meetings" / "nep.pdf"
    fake.write_text("Dit is gewoon tekst met een .pdf-naam.")
    r = read_file(fake, tmp_path)
    assert r.rejection is not None and "geen PDF-bestand" in r.rejection.reason
    cut = tmp_path / "meetings" / "kapot.pdf"
    cut.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EO")
    r = read_file(cut, tmp_path)
    assert r.rejection is not None and "PDF" in r.rejection.reason
