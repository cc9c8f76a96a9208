"""Build ``template.docx``: the house style of the Word report.

Run once (``python -m agenda.report.make_template``) and commit the result. A funder who
wants their own house style replaces ``template.docx`` with a Word file that has the same
style names (Normal, Title, Subtitle, Heading 1-3, TOC Heading, TOC 1-2, Quote, Caption,
"Tabeltekst" and the table style "Kennisagenda tabel"); the writer falls back to built-in
styles for any that are missing.

The script starts from python-docx's default template and sets: A4 portrait with 2.5 cm
margins (16 cm usable width), Calibri 10.5 pt body, coloured headings, a table style with
a shaded header row, Dutch as the proofing language, and a footer with a PAGE field.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATE = Path(__file__).with_name("template.docx")

FONT = "Calibri"
DARK = "1F3B5A"  # headings, table header
ACCENT = "2F6F9F"  # heading 2, rules
SOFT = "E8EFF6"  # banded rows, key column
GREY = "595959"


def _fonts(rpr, name: str = FONT) -> None:
    """Explicit fonts on an rPr (theme attributes would win over them, so drop those)."""
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rfonts = parse_xml(f'<w:rFonts {nsdecls("w")} w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>')
    rpr.insert(0, rfonts)


# Children of w:pPr in schema order, up to the ones this script sets.
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange")


def _add_pbdr(ppr, xml: str) -> None:
    """Insert a w:pBdr where the schema wants it (Word refuses out-of-order elements)."""
    _strip(ppr, "w:pBdr")
    el = parse_xml(xml)
    later = {qn(f"w:{n}") for n in PPR_ORDER[PPR_ORDER.index("pBdr") + 1:]}
    for sib in ppr:
        if sib.tag in later:
            sib.addprevious(el)
            return
    ppr.append(el)


def _strip(el, *tags: str) -> None:
    for tag in tags:
        for old in el.findall(qn(tag)):
            el.remove(old)


def _doc_defaults(doc) -> None:
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    for el in rpr.findall(qn("w:sz")) + rpr.findall(qn("w:szCs")):
        el.set(qn("w:val"), "21")  # 10.5 pt
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "nl-NL")
    lang.set(qn("w:eastAsia"), "nl-NL")
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "264")  # 1.1


def _para_style(doc, name: str, *, base: str | None = "Normal"):
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = doc.styles[base]
    return style


def _font(style, *, size: float | None = None, bold: bool | None = None, italic: bool | None = None,
          color: str | None = None) -> None:
    rpr = style.element.get_or_add_rPr()
    _fonts(rpr)
    _strip(rpr, "w:color")
    f = style.font
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    if color:
        f.color.rgb = RGBColor.from_string(color)


def _headings(doc) -> None:
    specs = {
        "Heading 1": (18, DARK, 0, 10, True),
        "Heading 2": (13.5, ACCENT, 16, 6, False),
        "Heading 3": (11.5, DARK, 14, 4, False),
    }
    for name, (size, color, before, after, new_page) in specs.items():
        st = doc.styles[name]
        _font(st, size=size, bold=True, italic=False, color=color)
        pf = st.paragraph_format
        pf.space_before = Pt(before)
        pf.space_after = Pt(after)
        pf.keep_with_next = True
        pf.page_break_before = new_page
        pf.line_spacing = 1.0
    # A thin rule under Heading 1.
    ppr = doc.styles["Heading 1"].element.get_or_add_pPr()
    _add_pbdr(ppr, f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="4" w:color="{ACCENT}"/></w:pBdr>')

    title = doc.styles["Title"]
    _strip(title.element.get_or_add_pPr(), "w:pBdr")
    _font(title, size=30, bold=True, color=DARK)
    title.paragraph_format.space_before = Pt(0)
    title.paragraph_format.space_after = Pt(12)
    rpr = title.element.get_or_add_rPr()
    _strip(rpr, "w:spacing", "w:kern")

    sub = doc.styles["Subtitle"]
    _font(sub, size=15, italic=False, bold=False, color=ACCENT)
    sub.paragraph_format.space_after = Pt(6)
    _strip(sub.element.get_or_add_rPr(), "w:spacing")

    toch = doc.styles["TOC Heading"]
    _font(toch, size=18, bold=True, color=DARK)
    toch.paragraph_format.page_break_before = True
    toch.paragraph_format.space_before = Pt(0)
    toch.paragraph_format.space_after = Pt(14)


def _other_styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)

    for level, indent in ((1, 0.0), (2, 0.6)):
        st = _para_style(doc, f"TOC {level}")
        st.paragraph_format.left_indent = Cm(indent)
        st.paragraph_format.space_after = Pt(3 if level == 2 else 4)
        st.paragraph_format.space_before = Pt(6 if level == 1 else 0)
        _font(st, size=10.5 if level == 2 else 11, bold=(level == 1), color=DARK if level == 1 else None)
        tabs = st.paragraph_format.tab_stops
        tabs.add_tab_stop(Cm(16))

    quote = doc.styles["Quote"]
    _font(quote, size=10, italic=True, color="404040")
    quote.paragraph_format.left_indent = Cm(0.6)
    quote.paragraph_format.right_indent = Cm(0.6)
    quote.paragraph_format.space_after = Pt(4)
    _add_pbdr(quote.element.get_or_add_pPr(),
              f'<w:pBdr {nsdecls("w")}><w:left w:val="single" w:sz="12" w:space="8" w:color="{ACCENT}"/></w:pBdr>')

    cap = doc.styles["Caption"]
    _font(cap, size=9, bold=False, italic=True, color=GREY)
    cap.paragraph_format.space_after = Pt(10)

    cell = _para_style(doc, "Tabeltekst")
    _font(cell, size=9)
    cell.paragraph_format.space_before = Pt(1)
    cell.paragraph_format.space_after = Pt(1)
    cell.paragraph_format.line_spacing = 1.0

    meta = _para_style(doc, "Kleine tekst")
    _font(meta, size=9, color=GREY)
    meta.paragraph_format.space_after = Pt(4)

    for name in ("List Bullet", "List Number"):
        st = doc.styles[name]
        st.paragraph_format.space_after = Pt(3)

    footer = doc.styles["Footer"]
    _font(footer, size=8.5, color=GREY)


def _table_style(doc) -> None:
    """'Kennisagenda tabel': thin grey grid, dark header row with white bold text, banded rows."""
    xml = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="KennisagendaTabel">
  <w:name w:val="Kennisagenda tabel"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:qFormat/>
  <w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
  <w:tblPr>
    <w:tblStyleRowBandSize w:val="1"/>
    <w:tblBorders>
      <w:top w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
      <w:left w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
      <w:right w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
      <w:insideV w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="40" w:type="dxa"/><w:left w:w="90" w:type="dxa"/>
      <w:bottom w:w="40" w:type="dxa"/><w:right w:w="90" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tblPr/>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{DARK}"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="band2Horz">
    <w:tblPr/>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F4F7FA"/></w:tcPr>
  </w:tblStylePr>
</w:style>"""
    styles = doc.styles.element
    for old in styles.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == "KennisagendaTabel":
            styles.remove(old)
    styles.append(parse_xml(xml))


def _page(doc) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin = Cm(2.3)
    sec.bottom_margin = Cm(2.2)
    sec.header_distance = Cm(1.2)
    sec.footer_distance = Cm(1.0)
    sec.different_first_page_header_footer = True  # no page number on the title page

    p = sec.footer.paragraphs[0]
    p.text = ""
    p.style = doc.styles["Footer"]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("Kennisagenda  ·  pagina ")
    _field(p, "PAGE", "1")
    p.add_run(" van ")
    _field(p, "NUMPAGES", "1")


def _field(paragraph, instr: str, cached: str) -> None:
    """A complex field (begin / instrText / separate / cached result / end)."""
    def run_xml(inner: str) -> str:
        return f'<w:r {nsdecls("w")}>{inner}</w:r>'
    p = paragraph._p
    p.append(parse_xml(run_xml('<w:fldChar w:fldCharType="begin"/>')))
    p.append(parse_xml(run_xml(f'<w:instrText xml:space="preserve"> {instr} </w:instrText>')))
    p.append(parse_xml(run_xml('<w:fldChar w:fldCharType="separate"/>')))
    p.append(parse_xml(run_xml(f"<w:t>{cached}</w:t>")))
    p.append(parse_xml(run_xml('<w:fldChar w:fldCharType="end"/>')))


def build(path: Path = TEMPLATE) -> Path:
    doc = Document()
    _doc_defaults(doc)
    _headings(doc)
    _other_styles(doc)
    _table_style(doc)
    _page(doc)
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "nl-NL")
    # The body holds one sample paragraph only; the writer clears it.
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    doc.add_paragraph("Sjabloon voor de kennisagenda. De inhoud wordt door de build vervangen.")
    cp = doc.core_properties
    cp.title = "Kennisagenda (sjabloon)"
    cp.author = "Kennisagenda"
    cp.last_modified_by = "Kennisagenda"
    cp.subject = "Huisstijl van het Word-rapport"
    cp.keywords = "kennisagenda; sjabloon"
    cp.language = "nl-NL"
    cp.comments = ""
    cp.revision = 1
    now = dt.datetime(2026, 1, 1)
    cp.created = now
    cp.modified = now
    doc.save(path)
    return path


if __name__ == "__main__":  # pragma: no cover
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE)
    print(out)
