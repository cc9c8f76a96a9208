"""Building blocks of the Word report: the ``Writer`` (python-docx on the house-style
``template.docx``: paragraphs, headings with bookmarks for the contents, house-style tables,
pictures) and the small XML and text helpers the chapters share.

The chapters (``agenda/report/chapters/``) write through a ``Writer``; ``docx_writer`` assembles
them. Every string goes through ``clean()`` first, because python-docx refuses control
characters such as ``\\x0b``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from agenda.models import Agenda, AgendaItem

from . import common
from .common import clean, dutch_date, one_line

TEMPLATE = Path(__file__).with_name("template.docx")

TABLE_STYLE = "Kennisagenda tabel"
CELL_STYLE = "Tabeltekst"
KEY_FILL = "E8EFF6"
KNOWLEDGE_FILL = "F4F7FA"


class Writer:
    """One report being written: the document, its headings (for the contents) and figure count."""

    def __init__(self, agenda: Agenda, template: Path | None):
        self.agenda = agenda
        self.items = sorted(agenda.items, key=lambda i: i.rank)
        self.doc: DocxDocument = Document(str(template or TEMPLATE))
        self.headings: list[tuple[int, str, str]] = []  # (level, text, bookmark)
        self._bookmark_id = 100
        self._figure = 0
        self._ids: dict[str, str | None] = {}
        self._clear_body()

    # --- low-level helpers ------------------------------------------------------------------

    def _clear_body(self) -> None:
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    def has_style(self, name: str) -> bool:
        return self.style_id(name) is not None

    def style_id(self, *names: str) -> str | None:
        """The style id of the first of ``names`` the template has (cached: lookups are slow)."""
        for name in names:
            if not name:
                continue
            if name not in self._ids:
                try:
                    self._ids[name] = self.doc.styles[name].style_id
                except KeyError:
                    self._ids[name] = None
            if self._ids[name]:
                return self._ids[name]
        return None

    def set_style(self, p: Paragraph, *names: str) -> None:
        sid = self.style_id(*names)
        if sid:
            p._p.style = sid

    def para(self, text: str = "", style: str | None = None, *, bold: bool = False, italic: bool = False,
             container=None, align=None, size: float | None = None, color: str | None = None,
             space_after: float | None = None, keep_next: bool = False) -> Paragraph:
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        if style:
            self.set_style(p, style)
        if text:
            run = p.add_run(clean(text))
            run.bold = bold or None
            run.italic = italic or None
            if size:
                run.font.size = Pt(size)
            if color:
                run.font.color.rgb = RGBColor.from_string(color)
        if align is not None:
            p.alignment = align
        if space_after is not None:
            p.paragraph_format.space_after = Pt(space_after)
        if keep_next:
            p.paragraph_format.keep_with_next = True
        return p

    def heading(self, text: str, level: int, *, new_page: bool = False) -> Paragraph:
        text = one_line(text)
        p = self.doc.add_paragraph()
        self.set_style(p, f"Heading {level}")
        name = f"_Toc{self._bookmark_id:08d}"
        start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{self._bookmark_id}" w:name="{name}"/>')
        end = parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{self._bookmark_id}"/>')
        self._bookmark_id += 1
        p._p.append(start)
        p.add_run(text)
        p._p.append(end)
        if new_page:
            p.paragraph_format.page_break_before = True
        p.paragraph_format.keep_with_next = True
        self.headings.append((level, text, name))
        return p

    def cell_text(self, cell: _Cell, text: object, *, bold: bool = False, italic: bool = False,
                  color: str | None = None, align=None) -> Paragraph:
        p = cell.paragraphs[0]
        self.set_style(p, CELL_STYLE)
        value = clean(text)
        lines = value.split("\n") if value else [""]
        for n, line in enumerate(lines):
            run = p.add_run(line)
            if n < len(lines) - 1:
                run.add_break()
            run.bold = bold or None
            run.italic = italic or None
            if color:
                run.font.color.rgb = RGBColor.from_string(color)
        if align is not None:
            p.alignment = align
        return p

    def cell_para(self, cell: _Cell, text: str = "", **kw) -> Paragraph:
        p = cell.add_paragraph()
        self.set_style(p, CELL_STYLE)
        if text:
            run = p.add_run(clean(text))
            run.bold = kw.get("bold") or None
            run.italic = kw.get("italic") or None
            if kw.get("color"):
                run.font.color.rgb = RGBColor.from_string(kw["color"])
        return p

    def table(self, header: list[str] | None, rows: list[list[object]], widths: list[float], *,
              align: dict[int, object] | None = None, band: bool = True) -> Table:
        """A table in the house style; the header row repeats on every page, rows do not split.

        The body rows are written as one XML fragment: python-docx's ``table.rows[i]`` is
        linear in the table's length, so filling a 5,000-row appendix cell by cell took
        minutes (bench/build_scale.py). The XML is what ``cell_text`` writes.
        """
        t = self.doc.add_table(rows=1 if header else 0, cols=len(widths))
        self.table_style(t)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._look(t, first_row=bool(header), band=band)
        self.widths(t, widths)
        align = align or {}
        if header:
            hdr = t.rows[0]
            self._row_props(hdr, header=True)
            for c, text in enumerate(header):
                self.cell_text(hdr.cells[c], text, bold=True, align=align.get(c))
        if rows:
            self._append_rows(t, rows, widths, align)
        return t

    def _append_rows(self, t: Table, rows: list[list[object]], widths: list[float], align: dict[int, object]) -> None:
        sid = self.style_id(CELL_STYLE)
        ppr = {}
        for c in range(len(widths)):
            jc = f'<w:jc w:val="{WD_ALIGN_PARAGRAPH.to_xml(align[c])}"/>' if align.get(c) is not None else ""
            style = f'<w:pStyle w:val="{xml_escape(sid, {chr(34): "&quot;"})}"/>' if sid else ""
            ppr[c] = f"<w:pPr>{style}{jc}</w:pPr>" if style or jc else ""
        tcw = [f'<w:tcPr><w:tcW w:type="dxa" w:w="{Cm(w).twips}"/></w:tcPr>' for w in widths]
        parts = [f"<w:tbl {nsdecls('w')}>"]
        for row in rows:
            parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            for c, value in enumerate(row):
                parts.append(f"<w:tc>{tcw[c]}<w:p>{ppr[c]}{_runs_xml(clean(value))}</w:p></w:tc>")
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        for tr in parse_xml("".join(parts)):
            t._tbl.append(tr)

    def table_style(self, t: Table) -> None:
        sid = self.style_id(TABLE_STYLE, "Table Grid")
        if sid:
            t._tbl.tblPr.style = sid

    @staticmethod
    def _look(t: Table, *, first_row: bool, band: bool) -> None:
        tblPr = t._tbl.tblPr
        for old in tblPr.findall(qn("w:tblLook")):
            tblPr.remove(old)
        look = OxmlElement("w:tblLook")
        look.set(qn("w:val"), f"{(0x20 if first_row else 0) | (0 if band else 0x200) | 0x400:04X}")
        look.set(qn("w:firstRow"), "1" if first_row else "0")
        look.set(qn("w:lastRow"), "0")
        look.set(qn("w:firstColumn"), "0")
        look.set(qn("w:lastColumn"), "0")
        look.set(qn("w:noHBand"), "0" if band else "1")
        look.set(qn("w:noVBand"), "1")
        insert_ordered(tblPr, look, TBLPR_ORDER)

    @staticmethod
    def _row_props(row, *, header: bool = False, cant_split: bool = True) -> None:
        trPr = row._tr.get_or_add_trPr()
        if cant_split:
            trPr.append(OxmlElement("w:cantSplit"))
        if header:
            trPr.append(OxmlElement("w:tblHeader"))

    @staticmethod
    def widths(t: Table, widths_cm: list[float]) -> None:
        t.autofit = False
        tblPr = t._tbl.tblPr
        for old in tblPr.findall(qn("w:tblW")):
            tblPr.remove(old)
        tblW = OxmlElement("w:tblW")
        tblW.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
        tblW.set(qn("w:type"), "dxa")
        insert_ordered(tblPr, tblW, TBLPR_ORDER)
        for old in tblPr.findall(qn("w:tblLayout")):
            tblPr.remove(old)
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        insert_ordered(tblPr, layout, TBLPR_ORDER)
        for col, w in zip(t.columns, widths_cm):
            col.width = Cm(w)
        for row in t.rows:
            for cell, w in zip(row.cells, widths_cm):
                cell.width = Cm(w)

    @staticmethod
    def shade(cell: _Cell, fill: str) -> None:
        tcPr = cell._tc.get_or_add_tcPr()
        for old in tcPr.findall(qn("w:shd")):
            tcPr.remove(old)
        tcPr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))

    def picture(self, png: bytes, width_cm: float, caption: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_after = Pt(2)
        p.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
        self._figure += 1
        self.para(f"Figuur {self._figure}. {caption}", "Caption", align=WD_ALIGN_PARAGRAPH.CENTER)

    def none_line(self, text: str) -> Paragraph:
        return self.para(text, italic=True, color="595959")


# --- shared helpers -------------------------------------------------------------------------


# Children of w:tblPr in schema order (Word rejects files whose elements are out of order).
TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
               "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
               "tblLook", "tblCaption", "tblDescription")
# Children of w:settings that must come after w:updateFields.
SETTINGS_AFTER_UPDATEFIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                               "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                               "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                               "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                               "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def insert_ordered(parent, child, order: tuple[str, ...], *, after_only: bool = False) -> None:
    """Insert ``child`` before the first existing sibling that the schema puts after it.

    ``order`` lists local names in schema order; with ``after_only`` it lists only the
    names that must follow ``child``.
    """
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    name = child.tag.replace(w, "")
    later = set(order) if after_only else set(order[order.index(name) + 1:])
    for sib in parent:
        if isinstance(sib.tag, str) and sib.tag.startswith(w) and sib.tag.replace(w, "") in later:
            sib.addprevious(child)
            return
    parent.append(child)


def run_xml(inner: str):
    return parse_xml(f'<w:r {nsdecls("w")}>{inner}</w:r>')


def _runs_xml(value: str) -> str:
    """The runs ``cell_text`` writes for an (already cleaned) value, as XML: one run per line,
    a break after all but the last; tabs and carriage returns as python-docx writes them."""
    lines = value.split("\n") if value else [""]
    out = []
    for n, line in enumerate(lines):
        body = []
        for piece in re.split(r"([\t\r])", line):
            if piece == "\t":
                body.append("<w:tab/>")
            elif piece == "\r":
                body.append("<w:br/>")
            elif piece:
                space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
                body.append(f"<w:t{space}>{xml_escape(piece)}</w:t>")
        out.append(f"<w:r><w:rPr/>{''.join(body)}{'<w:br/>' if n < len(lines) - 1 else ''}</w:r>")
    return "".join(out)


def text_run(text: str):
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def keep_table_with_next(t: Table, rows=None) -> None:
    """Keep-with-next on every paragraph of the rows: Word and LibreOffice keep them together."""
    for row in rows if rows is not None else t.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def is_card(item: AgendaItem) -> bool:
    """A full card for questions raised in at least two distinct sources; the rest go in a table."""
    return item.frequency >= 2


def source_line(m) -> str:
    """'Title (respondent 13), 14 maart 2022' for one formulation."""
    text = one_line(m.source) or "onbekende bron"
    if one_line(m.respondent):
        text += f" (respondent {one_line(m.respondent)})"
    if m.date:
        text += f", {dutch_date(m.date)}"
    return text


def single_source(item: AgendaItem) -> str:
    """The one source behind a question raised once (all its formulations share it)."""
    lines: list[str] = []
    for m in item.mentions:
        line = source_line(m)
        if line not in lines:
            lines.append(line)
    if not lines:
        lines = [one_line(s) for s in item.sources if one_line(s)]
    return "; ".join(lines[:2]) + (" …" if len(lines) > 2 else "")


def caption(t: Table, text: str) -> None:
    """The table's title (w:tblCaption): read by screen readers, and by the tests."""
    tblPr = t._tbl.tblPr
    cap = OxmlElement("w:tblCaption")
    cap.set(qn("w:val"), clean(text))
    insert_ordered(tblPr, cap, TBLPR_ORDER)


def kind_pos(kind: str) -> int:
    return common.KIND_ORDER.index(kind) if kind in common.KIND_ORDER else len(common.KIND_ORDER)


def short_date(d: dt.date | None) -> str:
    return dutch_date(d) if d else "–"


def breakable_path(path: str) -> str:
    """A zero-width space after every slash, so long paths wrap at folder boundaries."""
    return clean(path).replace("/", "/\u200b")


def join_and(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " en " + parts[-1]


def plural_q(n: int) -> str:
    return common.plural(n, "kennisvraag", "kennisvragen")


def plural_doc(kind: str, n: int) -> str:
    labels = {
        "meeting": ("verslag van een bijeenkomst", "verslagen van bijeenkomsten"),
        "case": ("casusbeschrijving", "casusbeschrijvingen"),
        "survey": ("enquête", "enquêtes"),
        "publication": ("publicatie", "publicaties"),
    }
    one, many = labels.get(kind, (kind, kind))
    return common.plural(n, one, many)
