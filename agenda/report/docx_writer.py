"""The Word report's core: opens the house-style template, writes the title page and the
contents, then each chapter in ``CHAPTERS`` order, and finishes the header, the document
properties and the field update.

A chapter is a module in ``agenda/report/chapters/`` with ``HEADING`` (its level-1 heading) and
``write(w: Writer) -> None``; adding a chapter means adding that file and one line in
``CHAPTERS``. Chapters read the agenda (``w.agenda``, ranked ``w.items``) and write through the
``Writer``'s helpers (``para``, ``heading``, ``table``, ``picture``, ``none_line``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from agenda.models import Agenda

from . import common
from .chapters import answered, appendices, changes, context_matrix, method, priority, summary, themes, who_heard
from .common import atomic_path, clean, dutch_date, one_line
from .docx_base import SETTINGS_AFTER_UPDATEFIELDS, Writer, insert_ordered, plural_q, run_xml, text_run

# The chapters in the order they appear in the report.
CHAPTERS = (
    summary,
    method,
    who_heard,
    changes,
    priority,  # only when the version has a priority round
    themes,
    answered,
    context_matrix,
    appendices,
)
HEADINGS = tuple(ch.HEADING for ch in CHAPTERS)
WRAP_TOC = False  # True: wrap the list in a TOC field (LibreOffice then shows no page numbers)

_Writer = Writer  # the name the tests have used


def build_document(agenda: Agenda, *, template: Path | None = None) -> DocxDocument:
    """The report as a python-docx Document (not yet saved)."""
    w = Writer(agenda, template)
    title_page(w)
    toc_anchor = toc_heading(w)
    for chapter in CHAPTERS:
        chapter.write(w)
    toc(w, toc_anchor)
    header(w)
    properties(w)
    update_fields_on_open(w)
    return w.doc


def write_docx(agenda: Agenda, path: Path, *, template: Path | None = None) -> Path:
    """Write the report to ``path`` atomically (a failed build leaves the old file); return ``path``."""
    doc = build_document(agenda, template=template)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path


def title_page(w: Writer) -> None:
    a = w.agenda
    table = one_line(a.knowledge_table) or "de kennistafel"
    spacer = w.para("")
    spacer.paragraph_format.space_before = Cm(5.5)
    w.para(a.title, "Title")
    w.para(f"Versie {a.label}", "Subtitle")
    p = w.para(table, bold=True, size=13, color="1F3B5A", space_after=2)
    p.paragraph_format.space_before = Pt(18)
    first, last = common.source_period(a)
    if first:
        period = (f"Bronnen van {dutch_date(first)}" if first == last
                  else f"Bronnen van {dutch_date(first)} tot en met {dutch_date(last)}")
        w.para(period, size=11, color="1F3B5A", space_after=2)
    w.para(f"Gemaakt op {dutch_date(a.built_at)}", size=11, color="595959")
    intro = w.para(
        f"Deze kennisagenda laat zien welke kennisvragen er in de onderwijspraktijk leven, zoals "
        f"ze naar voren kwamen in de bijeenkomsten, casusonderzoeken en enquêtes van de {table}. "
        "De vragen zijn samengevoegd en gerangschikt naar hoe vaak en in hoeveel verschillende "
        "contexten ze zijn gesteld. Per vraag staat wat er al bekend is, hoe die kennis toegankelijk "
        "kan worden gemaakt en welk onderzoek nog nodig is. De agenda is bedoeld om richting te "
        "geven aan onderzoeks- en innovatieprogrammering.",
        size=11)
    intro.paragraph_format.space_before = Cm(2.5)
    lines = [f"{plural_q(len(w.items))} uit {len(a.sources)} brondocumenten"]
    lines.append(f"Vergeleken met versie {a.changes.previous}" if a.changes.previous else "Eerste versie")
    meta = w.para("", "Kleine tekst")
    meta.paragraph_format.space_before = Pt(12)
    for n, line in enumerate(lines):
        run = meta.add_run(clean(line))
        if n < len(lines) - 1:
            run.add_break()


def toc_heading(w: Writer) -> Paragraph:
    st = "TOC Heading" if w.has_style("TOC Heading") else "Heading 1"
    p = w.para("Inhoud", st)
    p.paragraph_format.page_break_before = True
    return w.doc.add_paragraph()  # placeholder: the entries are inserted before it


def toc(w: Writer, anchor: Paragraph) -> None:
    """The table of contents as a TOC field whose cached result is the heading list.

    LibreOffice shows only the cached result, so it is written out here (with internal
    links and PAGEREF fields); Word regenerates it on open (updateFields in settings).
    """
    entries = [(lvl, text, bm) for lvl, text, bm in w.headings if lvl <= 2]
    paras = []
    for n, (lvl, text, bm) in enumerate(entries):
        p = OxmlElement("w:p")
        style = f"TOC {lvl}" if w.has_style(f"TOC {lvl}") else None
        ppr = OxmlElement("w:pPr")
        if style:
            ps = OxmlElement("w:pStyle")
            ps.set(qn("w:val"), w.doc.styles[style].style_id)
            ppr.append(ps)
        tabs = parse_xml(f'<w:tabs {nsdecls("w")}><w:tab w:val="right" w:leader="dot" w:pos="9070"/></w:tabs>')
        ppr.append(tabs)
        if not style and lvl == 2:
            ppr.append(parse_xml(f'<w:ind {nsdecls("w")} w:left="340"/>'))
        p.append(ppr)
        if n == 0 and WRAP_TOC:
            p.append(run_xml('<w:fldChar w:fldCharType="begin"/>'))
            p.append(run_xml('<w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText>'))
            p.append(run_xml('<w:fldChar w:fldCharType="separate"/>'))
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), bm)
        link.set(qn("w:history"), "1")
        link.append(text_run(clean(text)))
        link.append(run_xml("<w:tab/>"))
        link.append(run_xml('<w:fldChar w:fldCharType="begin"/>'))
        link.append(run_xml(f'<w:instrText xml:space="preserve"> PAGEREF {bm} \\h </w:instrText>'))
        link.append(run_xml('<w:fldChar w:fldCharType="separate"/>'))
        link.append(text_run(""))
        link.append(run_xml('<w:fldChar w:fldCharType="end"/>'))
        p.append(link)
        if n == len(entries) - 1 and WRAP_TOC:
            p.append(run_xml('<w:fldChar w:fldCharType="end"/>'))
        paras.append(p)
    for p in paras:
        anchor._p.addprevious(p)
    anchor._p.getparent().remove(anchor._p)


def header(w: Writer) -> None:
    sec = w.doc.sections[0]
    hdr = sec.header
    if any(p.text.strip() for p in hdr.paragraphs):
        return  # the house style brings its own header
    p = hdr.paragraphs[0]
    sid = w.style_id("Header")
    if sid:
        p._p.style = sid
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(clean(f"{one_line(w.agenda.title)}  ·  versie {w.agenda.label}"))
    run.font.size = Pt(8.5)
    run.font.color.rgb = RGBColor.from_string("7F7F7F")


def properties(w: Writer) -> None:
    a = w.agenda
    cp = w.doc.core_properties
    author = one_line(a.knowledge_table) or "Kennistafel"
    built = a.built_at
    if built.tzinfo is not None:
        built = built.astimezone(dt.timezone.utc).replace(tzinfo=None)
    cp.title = one_line(f"{a.title} — versie {a.label}")[:255]
    cp.subject = one_line(f"Kennisagenda van de {author}")[:255] if a.knowledge_table else "Kennisagenda"
    cp.author = author[:255]
    cp.last_modified_by = author[:255]
    cp.version = one_line(a.label)
    cp.created = built
    cp.modified = built
    cp.last_printed = built
    cp.revision = 1
    cp.category = "Kennisagenda"
    cp.keywords = "; ".join(["kennisagenda", "kennisvragen", one_line(a.label)] + ([author] if a.knowledge_table else []))
    cp.language = "nl-NL"
    cp.identifier = one_line(a.content_hash or a.input_fingerprint)[:255]
    cp.comments = one_line(
        f"Gegenereerd uit {len(a.sources)} brondocumenten; kenmerk invoer {a.input_fingerprint[:16]}.")


def update_fields_on_open(w: Writer) -> None:
    settings = w.doc.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    insert_ordered(settings, el, SETTINGS_AFTER_UPDATEFIELDS, after_only=True)
