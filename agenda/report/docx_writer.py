"""The Word report: python-docx on the house-style ``template.docx``.

The writer opens the template, clears its body (keeping the section properties with the
footer), and fills it section by section. Every string goes through ``clean()`` first,
because python-docx refuses control characters such as ``\\x0b``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
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

from agenda.models import Agenda, AgendaItem, SECTORS

from . import charts, common
from . import output_stem
from .common import NOT_FILLED, atomic_path, clean, dutch_date, number, one_line

TEMPLATE = Path(__file__).with_name("template.docx")

TABLE_STYLE = "Kennisagenda tabel"
CELL_STYLE = "Tabeltekst"
KEY_FILL = "E8EFF6"
KNOWLEDGE_FILL = "F4F7FA"
TOP_N_SUMMARY = 10
TOP_N_MATRIX = 25
N_QUOTES = 3
ONCE_LABEL = "Eenmaal genoemd"
# Appendix limits: past these the Word report summarises and points to the JSON export, which
# keeps everything (50,000 sources made a 3,000-page, 75 MB document; bench/build_scale.py).
MAX_SOURCE_ROWS = 1000
MAX_MENTION_ROWS = 100  # formulations listed per question
WRAP_TOC = False  # True: wrap the list in a TOC field (LibreOffice then shows no page numbers)

HEADINGS = (
    "Samenvatting",
    "Hoe is deze agenda gemaakt",
    "Wat is er veranderd",
    "De kennisvragen per thema",
    common.ANSWERED_HEADING,
    "Contextmatrix",
    "Bijlagen",
)

_WEIGHT_LABELS = {
    "sources": ("Bronnen", "per afzonderlijke bron waarin de vraag voorkomt (een enquêterespondent telt als één bron)"),
    "schools": ("Scholen", "per school waar de vraag speelt"),
    "kinds": ("Soorten bronnen", "per extra soort bron (bijeenkomst, casus, enquête, publicatie) na de eerste"),
    "sectors": ("Sectoren", "per sector (po, sbo, so, vso, vo, mbo)"),
    "roles": ("Rollen", "per rol van wie de vraag stelde (leraar, schoolleider, onderzoeker …)"),
    "levels": ("Niveaus", "per niveau (leerling, leraar, team, school, bestuur)"),
    "role_cap": ("Plafond per rol", "geen enkele rolgroep telt voor meer dan dit deel van de bronnen mee"),
    "recency_half_life_days": ("Halveringstijd", "oudere vermeldingen tellen minder zwaar (dagen); leeg = uit"),
    "priority": ("Prioriteit curator", "extra gewicht dat de curator aan een vraag gaf"),
}


class _Writer:
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

    # --- document ---------------------------------------------------------------------------

    def build(self) -> DocxDocument:
        self.title_page()
        toc_anchor = self.toc_heading()
        self.summary()
        self.method()
        self.changes()
        self.per_theme()
        self.answered()
        self.context_matrix()
        self.appendices()
        self.toc(toc_anchor)
        self.header()
        self.properties()
        self.update_fields_on_open()
        return self.doc

    def title_page(self) -> None:
        a = self.agenda
        table = one_line(a.knowledge_table) or "de kennistafel"
        spacer = self.para("")
        spacer.paragraph_format.space_before = Cm(5.5)
        self.para(a.title, "Title")
        self.para(f"Versie {a.label}", "Subtitle")
        p = self.para(table, bold=True, size=13, color="1F3B5A", space_after=2)
        p.paragraph_format.space_before = Pt(18)
        first, last = common.source_period(a)
        if first:
            period = (f"Bronnen van {dutch_date(first)}" if first == last
                      else f"Bronnen van {dutch_date(first)} tot en met {dutch_date(last)}")
            self.para(period, size=11, color="1F3B5A", space_after=2)
        self.para(f"Gemaakt op {dutch_date(a.built_at)}", size=11, color="595959")
        intro = self.para(
            f"Deze kennisagenda laat zien welke kennisvragen er in de onderwijspraktijk leven, zoals "
            f"ze naar voren kwamen in de bijeenkomsten, casusonderzoeken en enquêtes van de {table}. "
            "De vragen zijn samengevoegd en gerangschikt naar hoe vaak en in hoeveel verschillende "
            "contexten ze zijn gesteld. Per vraag staat wat er al bekend is, hoe die kennis toegankelijk "
            "kan worden gemaakt en welk onderzoek nog nodig is. De agenda is bedoeld om richting te "
            "geven aan onderzoeks- en innovatieprogrammering.",
            size=11)
        intro.paragraph_format.space_before = Cm(2.5)
        lines = [f"{plural_q(len(self.items))} uit {len(a.sources)} brondocumenten"]
        lines.append(f"Vergeleken met versie {a.changes.previous}" if a.changes.previous else "Eerste versie")
        meta = self.para("", "Kleine tekst")
        meta.paragraph_format.space_before = Pt(12)
        for n, line in enumerate(lines):
            run = meta.add_run(clean(line))
            if n < len(lines) - 1:
                run.add_break()

    def toc_heading(self) -> Paragraph:
        st = "TOC Heading" if self.has_style("TOC Heading") else "Heading 1"
        p = self.para("Inhoud", st)
        p.paragraph_format.page_break_before = True
        return self.doc.add_paragraph()  # placeholder: the entries are inserted before it

    def toc(self, anchor: Paragraph) -> None:
        """The table of contents as a TOC field whose cached result is the heading list.

        LibreOffice shows only the cached result, so it is written out here (with internal
        links and PAGEREF fields); Word regenerates it on open (updateFields in settings).
        """
        entries = [(lvl, text, bm) for lvl, text, bm in self.headings if lvl <= 2]
        paras = []
        for n, (lvl, text, bm) in enumerate(entries):
            p = OxmlElement("w:p")
            style = f"TOC {lvl}" if self.has_style(f"TOC {lvl}") else None
            ppr = OxmlElement("w:pPr")
            if style:
                ps = OxmlElement("w:pStyle")
                ps.set(qn("w:val"), self.doc.styles[style].style_id)
                ppr.append(ps)
            tabs = parse_xml(f'<w:tabs {nsdecls("w")}><w:tab w:val="right" w:leader="dot" w:pos="9070"/></w:tabs>')
            ppr.append(tabs)
            if not style and lvl == 2:
                ppr.append(parse_xml(f'<w:ind {nsdecls("w")} w:left="340"/>'))
            p.append(ppr)
            if n == 0 and WRAP_TOC:
                p.append(_run_xml('<w:fldChar w:fldCharType="begin"/>'))
                p.append(_run_xml('<w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText>'))
                p.append(_run_xml('<w:fldChar w:fldCharType="separate"/>'))
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), bm)
            link.set(qn("w:history"), "1")
            link.append(_text_run(clean(text)))
            link.append(_run_xml("<w:tab/>"))
            link.append(_run_xml('<w:fldChar w:fldCharType="begin"/>'))
            link.append(_run_xml(f'<w:instrText xml:space="preserve"> PAGEREF {bm} \\h </w:instrText>'))
            link.append(_run_xml('<w:fldChar w:fldCharType="separate"/>'))
            link.append(_text_run(""))
            link.append(_run_xml('<w:fldChar w:fldCharType="end"/>'))
            p.append(link)
            if n == len(entries) - 1 and WRAP_TOC:
                p.append(_run_xml('<w:fldChar w:fldCharType="end"/>'))
            paras.append(p)
        for p in paras:
            anchor._p.addprevious(p)
        anchor._p.getparent().remove(anchor._p)

    def header(self) -> None:
        sec = self.doc.sections[0]
        hdr = sec.header
        if any(p.text.strip() for p in hdr.paragraphs):
            return  # the house style brings its own header
        p = hdr.paragraphs[0]
        sid = self.style_id("Header")
        if sid:
            p._p.style = sid
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = p.add_run(clean(f"{one_line(self.agenda.title)}  ·  versie {self.agenda.label}"))
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor.from_string("7F7F7F")

    def properties(self) -> None:
        a = self.agenda
        cp = self.doc.core_properties
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

    def update_fields_on_open(self) -> None:
        settings = self.doc.settings.element
        for old in settings.findall(qn("w:updateFields")):
            settings.remove(old)
        el = OxmlElement("w:updateFields")
        el.set(qn("w:val"), "true")
        insert_ordered(settings, el, SETTINGS_AFTER_UPDATEFIELDS, after_only=True)

    # --- 3. summary -------------------------------------------------------------------------

    def summary(self) -> None:
        a = self.agenda
        self.heading(HEADINGS[0], 1, new_page=True)
        kinds = Counter(common.kind_value(s.kind) for s in a.sources)
        kind_text = _join([plural_doc(k, n) for k, n in common.ordered_kinds(dict(kinds))])
        text = (f"Deze versie ({a.label}) van de kennisagenda telt {plural_q(len(self.items))}. Ze zijn "
                f"samengesteld uit {common.n_mentions(a)} formuleringen in {len(a.sources)} brondocumenten"
                f"{': ' + kind_text if kind_text else ''}.")
        n_cards = sum(1 for i in self.items if _is_card(i))
        if self.items and n_cards < len(self.items):
            n_once = len(self.items) - n_cards
            text += (f" {common.plural(n_cards, 'vraag is', 'vragen zijn')} in minstens twee bronnen genoemd; "
                     f"{'die staat' if n_cards == 1 else 'die staan'} uitgebreid beschreven. "
                     f"{'De vraag' if n_once == 1 else f'De {n_once} vragen'} die in één bron "
                     f"{'is' if n_once == 1 else 'zijn'} genoemd, {'staat' if n_once == 1 else 'staan'} "
                     "beknopt per thema.")
        if a.changes.previous:
            c = a.changes
            text += (f" Ten opzichte van versie {a.changes.previous} zijn er {len(c.new)} nieuwe en "
                     f"{len(c.dropped)} vervallen vragen; {len(c.moves)} vragen veranderden van plaats.")
        else:
            text += " Dit is de eerste versie van de agenda."
        failed = [r for r in a.rejected if r.severity == "error"]
        if a.excluded or failed:
            text += (f" De curator sloot {len(a.excluded)} vragen uit en {len(failed)} "
                     f"invoerbestanden konden niet worden gelezen (zie de bijlagen).")
        self.para(text)
        top = self.items[:TOP_N_SUMMARY]
        self.para(f"De {len(top)} belangrijkste kennisvragen", bold=True, keep_next=True, space_after=3)
        self.table(["#", "Kennisvraag", "Bronnen", "Sectoren"],
                   [[i.rank, one_line(i.question), i.frequency, ", ".join(common.sectors_of(i)) or "–"] for i in top],
                   [0.9, 10.1, 2.0, 3.0], align={0: WD_ALIGN_PARAGRAPH.RIGHT, 2: WD_ALIGN_PARAGRAPH.CENTER})
        self.para("", space_after=2)
        if top:
            self.picture(charts.top_sources_chart(top), 16.0,
                         "Het aantal verschillende bronnen per vraag, naar soort bron.")

    # --- 4. method --------------------------------------------------------------------------

    def method(self) -> None:
        a = self.agenda
        table = one_line(a.knowledge_table) or "de kennistafel"
        self.heading(HEADINGS[1], 1, new_page=True)
        self.para("Zoals bij een vraagverificatie volgens de James Lind Alliance leggen we hier verantwoording "
                  "af over de afbakening, de bronnen, de manier waarop de vragen zijn verzameld, samengevoegd en "
                  "gerangschikt, en wie de uitkomst heeft beoordeeld.")

        self.heading("Afbakening", 2)
        first, last = common.source_period(a)
        period = (f"De bronnen dateren van {dutch_date(first)} tot en met {dutch_date(last)}."
                  if first else "Van de bronnen is geen datum bekend.")
        self.para(f"De agenda bundelt de kennisvragen van de {table}: vragen die leraren, schoolleiders, "
                  f"ict-coördinatoren, bestuurders en onderzoekers inbrachten. {period} Alleen vragen uit "
                  "deze bronnen staan op de agenda; er zijn geen vragen van buiten toegevoegd.")

        self.heading("Bronnen", 2)
        kinds: dict[str, list[int]] = {}
        for s in a.sources:
            k = common.kind_value(s.kind)
            kinds.setdefault(k, [0, 0])
            kinds[k][0] += 1
            kinds[k][1] += s.n_mentions
        rows = [[common.KIND_DOC_LABELS.get(k, k), v[0], v[1]]
                for k, v in sorted(kinds.items(), key=lambda kv: _kind_pos(kv[0]))]
        rows.append(["Totaal", len(a.sources), sum(v[1] for v in kinds.values())])
        t = self.table(["Soort bron", "Documenten", "Formuleringen op de agenda"], rows, [7.0, 3.0, 4.5],
                       align={1: WD_ALIGN_PARAGRAPH.CENTER, 2: WD_ALIGN_PARAGRAPH.CENTER})
        for c in t.rows[-1].cells:
            for r in c.paragraphs[0].runs:
                r.bold = True
        self.para("", space_after=0)
        self.para("Een bijeenkomst, casus of publicatie telt als één bron. Bij een enquête telt elke "
                  "respondent als een afzonderlijke bron. De volledige lijst staat in bijlage A."
                  + (f" Daarnaast zijn {a.candidates} vraagzinnen gevonden die niet aan de regels hieronder "
                     "voldoen; die staan niet op de agenda, maar zijn aan de curator voorgelegd."
                     if a.candidates else ""))

        self.heading("Hoe zijn de vragen verzameld", 2)
        self.para("Uit verslagen en andere teksten is een zin als kennisvraag overgenomen wanneer hij:", keep_next=True)
        for n, rule in enumerate((
                "een opsommingsteken of alinea is die eindigt op een vraagteken, onder een kop met ‘vraag’, "
                "‘vragen’ of ‘vraagstuk’ (zoals Kennisvragen of Praktijkvragen);",
                "een geciteerde vraag in de lopende tekst is, bijvoorbeeld: het vraagstuk ‘Welke competenties "
                "moeten de leerkrachten hebben?’;",
                "in de lijst met vragen bovenaan het bestand (de kopgegevens) staat."), 1):
            p = self.para(f"{n}.\t{rule}")
            p.paragraph_format.left_indent = Cm(0.8)
            p.paragraph_format.first_line_indent = Cm(-0.6)
            p.paragraph_format.space_after = Pt(3)
        self.para("Bij casusbeschrijvingen zijn de vraagstukken van de school overgenomen, met het niveau "
                  "(leerling, leraar, team, school, bestuur) en de belemmerende en bevorderende factoren. Bij "
                  "enquêtes telt elke ingevulde vraag. Sector, rol, school en niveau komen uit het bestand zelf "
                  "of uit een notitie achter de vraag.").paragraph_format.space_before = Pt(6)

        self.heading("Samenvoegen van gelijke vragen", 2)
        self.para("Dezelfde vraag wordt vaak in andere woorden gesteld. De computer vergelijkt alle formuleringen "
                  "(na het gelijktrekken van hoofdletters, spelling en gangbare afkortingen zoals po, vo en ict) "
                  "en voegt ze alleen automatisch samen als hij zeker is dat ze hetzelfde vragen. Twijfelgevallen "
                  "worden niet samengevoegd maar aan de curator voorgelegd. De curator kan vragen samenvoegen, "
                  "splitsen, hernoemen, uitsluiten of een gevonden vraagzin alsnog op de agenda zetten; die "
                  "besluiten worden bewaard en bij elke nieuwe versie opnieuw toegepast. Per vraag is in "
                  "bijlage B terug te vinden uit welke formuleringen en bronnen hij bestaat.")

        self.heading("Rangorde", 2)
        self.para("Een vraag staat hoger naarmate ze in meer verschillende bronnen is gesteld, en in meer "
                  "verschillende contexten: op meer scholen, in meer sectoren, door mensen in meer rollen en op "
                  "meer niveaus. Zo weegt een vraag die in het hele veld leeft zwaarder dan een vraag die op één "
                  "bijeenkomst vaak werd herhaald. De score is de som van het aantal maal het gewicht:",
                  keep_next=True)
        weights = _weights(a.settings)
        if weights:
            self.table(["Onderdeel", "Gewicht", "Toelichting"],
                       [[_WEIGHT_LABELS.get(k, (k, ""))[0], _weight_value(v), _WEIGHT_LABELS.get(k, ("", ""))[1]]
                        for k, v in weights],
                       [3.4, 1.8, 10.8], align={1: WD_ALIGN_PARAGRAPH.CENTER})
            self.para("", space_after=0)
        else:
            self.none_line("De gebruikte gewichten zijn niet vastgelegd bij deze versie.")
        self.para("Bij gelijke score beslist het aantal bronnen. Bij elke vraag staat een korte uitleg van "
                  "de score.")

        self.heading("Beoordeling", 2)
        reviewed = a.settings.get("reviewed_by")
        if isinstance(reviewed, (list, tuple)):
            reviewed = _join([one_line(r) for r in reviewed if one_line(r)])
        reviewed = one_line(reviewed) if reviewed else ""
        if reviewed:
            self.para(f"De samenvoegingen en de agenda zijn beoordeeld door {reviewed}.")
        else:
            self.para("Deze versie is nog niet door een curator beoordeeld.")

        self.heading("Wat is al bekend", 2)
        n_lib = len(self.agenda.library)
        if n_lib:
            with_ev = sum(bool(i.evidence) for i in self.items)
            self.para(f"Elke vraag is vergeleken met de {n_lib} bronnen van de kennisbibliotheek (inputs/kennis/: "
                      "literatuur, notities, praktijkpublicaties). De computer zoekt op twee manieren: op "
                      "gedeelde woorden (BM25, met Nederlandse woordstammen) en op betekenis (een meertalig "
                      "taalmodel, zodat een Engelse samenvatting bij een Nederlandse vraag wordt gevonden). "
                      f"Bij {with_ev} van de {len(self.items)} vragen is minstens één mogelijk relevante bron "
                      "gevonden. Zolang de curator een bron niet heeft bevestigd, staat die bij de vraag als "
                      f"‘{common.SUGGESTED_LABEL}’; bevestigde bronnen staan onder ‘Wat is al bekend’. Is er "
                      "geen bron gevonden, dan staat dat onder ‘Welk onderzoek is nog nodig’.")
        else:
            self.para("Er is geen kennisbibliotheek (inputs/kennis/) meegegeven; de kolom ‘Wat is al bekend’ "
                      "bevat alleen wat de curator zelf heeft ingevuld.")

        self.heading("Opmerkingen bij de besluiten van de curator", 2)
        if a.curation_notes:
            self.para("Deze besluiten konden niet (volledig) worden uitgevoerd, meestal omdat ze verwijzen naar "
                      "een vraag die niet (meer) bestaat:", keep_next=True)
            for note in a.curation_notes:
                self.para(f"•\t{one_line(note)}").paragraph_format.left_indent = Cm(0.6)
        else:
            self.para("Geen: alle besluiten van de curator verwezen naar bestaande vragen.")

    # --- 5. changes -------------------------------------------------------------------------

    def changes(self) -> None:
        c = self.agenda.changes
        self.heading(HEADINGS[2], 1, new_page=True)
        if not c.previous:
            self.para("Dit is de eerste versie van de kennisagenda. Er is nog geen eerdere versie om mee te "
                      "vergelijken; vanaf de volgende versie staat hier wat er is veranderd.")
            return
        if c.empty:
            self.para(f"Er is niets veranderd ten opzichte van versie {c.previous}.")
            return
        self.para(f"Vergeleken met de vorige versie ({c.previous}): {len(c.new)} nieuwe vragen, "
                  f"{len(c.dropped)} vervallen vragen, {len(c.moves)} verschuivingen in de rangorde, "
                  f"{len(c.merges)} samenvoegingen en {len(c.frequency)} vragen die vaker of minder vaak "
                  "zijn genoemd.")
        center = WD_ALIGN_PARAGRAPH.CENTER

        self.heading("Nieuwe vragen", 2)
        if c.new:
            self.table(["Plaats", "Vraag", "Bronnen"],
                       [[i.rank, one_line(i.question), i.frequency] for i in sorted(c.new, key=lambda i: i.rank)],
                       [1.6, 12.6, 1.8], align={0: center, 2: center})
        else:
            self.none_line("Geen.")

        self.heading("Vervallen vragen", 2)
        if c.dropped:
            self.table(["Was", "Vraag", "Bronnen"],
                       [[i.rank, one_line(i.question), i.frequency] for i in sorted(c.dropped, key=lambda i: i.rank)],
                       [1.6, 12.6, 1.8], align={0: center, 2: center})
            self.para("Een vraag vervalt als geen enkele bron haar nog noemt, of als de curator haar heeft "
                      "samengevoegd of uitgesloten.", "Kleine tekst").paragraph_format.space_before = Pt(4)
        else:
            self.none_line("Geen.")

        self.heading("Verschuivingen in de rangorde", 2)
        if c.moves:
            rows = []
            for mv in sorted(c.moves, key=lambda m: m.new_rank):
                delta = mv.old_rank - mv.new_rank
                arrow = f"▲ {delta}" if delta > 0 else f"▼ {-delta}" if delta < 0 else "="
                rows.append([one_line(mv.question), f"{mv.old_rank} → {mv.new_rank}", arrow])
            self.table(["Vraag", "Plaats (oud → nieuw)", "Verschil"], rows, [10.6, 3.4, 2.0],
                       align={1: center, 2: center})
        else:
            self.none_line("Geen.")

        self.heading("Samengevoegde vragen", 2)
        if c.merges:
            self.table(["Vraag in deze versie", "Samengevoegd uit (vorige versie)"],
                       [[f"{one_line(m.question)} ({m.into})", ", ".join(m.merged)] for m in c.merges],
                       [11.0, 5.0])
        else:
            self.none_line("Geen.")

        self.heading("Beantwoord door de kennisbibliotheek", 2)
        if c.answered:
            self.table(["Vraag", "Beantwoord door"],
                       [[f"{one_line(a.question)} ({a.cluster_id})", one_line(a.source)] for a in c.answered],
                       [8.6, 7.4])
        else:
            self.none_line("Geen.")

        self.heading("Vaker of minder vaak genoemd", 2)
        if c.frequency:
            self.table(["Vraag", "Bronnen (oud → nieuw)"],
                       [[one_line(f.question), f"{f.old} → {f.new}"] for f in c.frequency],
                       [12.4, 3.6], align={1: center})
        else:
            self.none_line("Geen.")

    # --- 6. per theme -----------------------------------------------------------------------

    def per_theme(self) -> None:
        groups = common.themes(self.agenda)
        self.heading(HEADINGS[3], 1, new_page=True)
        if not groups:
            self.none_line("Er staan nog geen vragen op de agenda.")
            return
        n_once = sum(1 for i in self.items if not _is_card(i))
        text = (f"De {plural_q(len(self.items))} zijn ingedeeld in {len(groups)} "
                f"{'thema' if len(groups) == 1 else 'thema’s'}, in de volgorde van de hoogst geplaatste vraag "
                "per thema. ")
        if n_once:
            text += (f"{'De vraag' if n_once == 1 else f'De {n_once} vragen'} die in één bron "
                     f"{'is' if n_once == 1 else 'zijn'} genoemd, staan per thema beknopt in een tabel "
                     "‘Eenmaal genoemd’. ")
        text += ("Bij elke vraag die in meer bronnen is genoemd staan de context waarin ze is gesteld, de uitleg "
                 "van haar plaats, enkele letterlijke formuleringen en de vier kolommen van de kennisagenda: de "
                 "vraag, wat er al bekend is, hoe die kennis toegankelijk kan worden gemaakt en welk onderzoek "
                 "nog nodig is.")
        self.para(text)
        for theme, items in groups:
            self.heading(theme, 2)
            for item in items:
                if _is_card(item):
                    self.item(item)
            once = [i for i in items if not _is_card(i)]
            if once:
                self.once_table(once, after_cards=len(once) < len(items))

    def item(self, item: AgendaItem) -> None:
        """A question card: heading and key facts together; the rest may flow onto the next page."""
        h = self.heading(f"{item.rank}. {one_line(item.question)}", 3)
        h.paragraph_format.space_before = Pt(10)
        h.paragraph_format.space_after = Pt(3)
        kinds = ", ".join(common.kind_count(k, n) for k, n in common.ordered_kinds(item.kinds))
        schools = common.context_values(item, "school")
        # Two facts per row where they are short, one row across the table where they are long.
        rows: list[tuple[str, str] | tuple[str, str, str, str]] = [
            ("Rangorde", f"{item.rank} van {len(self.items)}", "Score", number(item.score, 2)),
            ("Genoemd in", f"{common.plural(item.frequency, 'bron', 'bronnen')}"
                           f"{' (' + kinds + ')' if kinds else ''}; "
                           f"{common.plural(item.n_mentions, 'formulering', 'formuleringen')}"),
            ("Scholen", f"{item.n_schools}{': ' + ', '.join(schools) if schools else ''}" if item.n_schools or schools
             else "geen school genoemd"),
            ("Sectoren", ", ".join(common.sectors_of(item)) or "niet genoemd",
             "Niveaus", ", ".join(common.context_values(item, "level")) or "niet genoemd"),
            ("Rollen", common.role_text(item) or "niet genoemd"),
            ("Type vraag", one_line(item.question_type) or "niet bepaald",
             "Thema", one_line(item.theme) or common.OTHER_THEME),
        ]
        widths = [2.6, 6.2, 2.0, 5.2]
        t = self.doc.add_table(rows=len(rows), cols=4)
        self.table_style(t)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._look(t, first_row=False, band=False)
        self.widths(t, widths)
        for trow, row in zip(t.rows, rows):
            self._row_props(trow)
            cells = trow.cells
            if len(row) == 2:
                cells = [cells[0], cells[1].merge(cells[3])]
            for n, (cell, value) in enumerate(zip(cells, row)):
                if n % 2 == 0:
                    self.shade(cell, KEY_FILL)
                    self.cell_text(cell, value, bold=True)
                else:
                    self.cell_text(cell, value)
        _keep_table_with_next(t, t.rows[:-1])  # heading + key facts stay together; the rest may flow
        if item.explanation.strip():
            p = self.para("", space_after=2)
            p.paragraph_format.space_before = Pt(4)
            lead = p.add_run("Waarom deze plaats: ")
            lead.bold = True
            p.add_run(clean(item.explanation).strip())
        quotes = common.pick_quotes(item, N_QUOTES)
        if quotes:
            self.para("Zo werd de vraag gesteld", bold=True, keep_next=True, space_after=1, size=9.5,
                      color="1F3B5A")
            for m in quotes:
                # the quotes stay with the knowledge row below them (a short block)
                p = self.para("", "Quote" if self.has_style("Quote") else None, space_after=1, keep_next=True)
                p.paragraph_format.space_before = Pt(0)
                r = p.add_run(f"‘{one_line(m.text)}’")
                r.italic = True
                r2 = p.add_run(f"  — {_source_line(m)}")
                r2.italic = False
                r2.font.size = Pt(8.5)
                r2.font.color.rgb = RGBColor.from_string("595959")
        self.knowledge(item)

    def knowledge(self, item: AgendaItem) -> None:
        k = item.knowledge
        cells = [
            ("Vraag", one_line(item.question)),
            ("Wat is al bekend", common.known_lines(item) or NOT_FILLED),
            ("Hoe maken we het toegankelijk", clean(k.accessible).strip() or NOT_FILLED),
            ("Welk onderzoek is nog nodig", common.research_text(item, len(self.agenda.library)) or NOT_FILLED),
        ]
        self.para("", space_after=0, keep_next=bool(common.pick_quotes(item, 1))).paragraph_format.line_spacing = Pt(4)
        # One row of four columns, as in the knowledge table's own agenda; the row does not split.
        t = self.doc.add_table(rows=1, cols=4)
        self.table_style(t)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._look(t, first_row=False, band=False)
        self.widths(t, [4.6, 3.8, 3.8, 3.8])
        row = t.rows[0]
        self._row_props(row)
        for n, (label, text) in enumerate(cells):
            cell = row.cells[n]
            self.shade(cell, KEY_FILL if n == 0 else KNOWLEDGE_FILL)
            self.cell_text(cell, label, bold=True, color="1F3B5A")
            if isinstance(text, list):  # what is known: sources, the curator's text, suggestions
                for kind, line in text:
                    suggested = kind == "suggested"
                    self.cell_para(cell, line, italic=suggested, color="595959" if suggested else None)
                continue
            empty = text == NOT_FILLED
            self.cell_para(cell, text, italic=empty, color="7F7F7F" if empty else None)

    def once_table(self, items: list[AgendaItem], *, after_cards: bool) -> None:
        """Questions raised in one source only: one compact row each, under the theme's cards."""
        label = self.para("", keep_next=True, space_after=3)
        label.paragraph_format.space_before = Pt(12 if after_cards else 4)
        r = label.add_run(ONCE_LABEL)
        r.bold = True
        r.font.color.rgb = RGBColor.from_string("1F3B5A")
        r2 = label.add_run(f"  ({common.plural(len(items), 'vraag', 'vragen')} uit één bron)")
        r2.font.size = Pt(8.5)
        r2.font.color.rgb = RGBColor.from_string("595959")
        t = self.table(["#", "Kennisvraag", "Context", "Kennis"], [], [0.9, 6.8, 2.7, 5.6],
                       align={0: WD_ALIGN_PARAGRAPH.RIGHT})
        _caption(t, ONCE_LABEL)
        for item in items:
            trow = t.add_row()
            self._row_props(trow)
            c_rank, c_q, c_ctx, c_know = trow.cells
            self.cell_text(c_rank, item.rank, align=WD_ALIGN_PARAGRAPH.RIGHT)
            self.cell_text(c_q, one_line(item.question))
            src = _single_source(item)
            if src:
                self._small(self.cell_para(c_q), src)
            ctx = " · ".join(part for part in (
                ", ".join(common.sectors_of(item)),
                ", ".join(common.context_values(item, "role")),  # one source: counts say nothing
                ", ".join(common.context_values(item, "level")),
            ) if part)
            self.cell_text(c_ctx, ctx or "niet genoemd", italic=not ctx, color=None if ctx else "7F7F7F")
            schools = common.context_values(item, "school")
            if schools:
                self._small(self.cell_para(c_ctx), ", ".join(schools))
            k = item.knowledge
            known = " ".join(line for _, line in common.known_lines(item))
            parts = [(lbl, clean(v).strip()) for lbl, v in
                     (("Bekend", known), ("Toegankelijk", k.accessible),
                      ("Onderzoek", common.research_text(item, len(self.agenda.library))))]
            if not any(v for _, v in parts):
                self.cell_text(c_know, NOT_FILLED, italic=True, color="7F7F7F")
                continue
            p = c_know.paragraphs[0]
            self.set_style(p, CELL_STYLE)
            for n, (lbl, v) in enumerate(parts):
                lead = p.add_run(f"{lbl}: ")
                lead.bold = True
                body = p.add_run(one_line(v) if v else NOT_FILLED)
                if not v:
                    body.italic = True
                    body.font.color.rgb = RGBColor.from_string("7F7F7F")
                if n < len(parts) - 1:
                    tail = p.add_run("" if v and v[-1] in ".;:!?…" else ";")
                    tail.add_break()

    def _small(self, p: Paragraph, text: str) -> None:
        run = p.add_run(clean(text))
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor.from_string("6F6F6F")

    # --- 6b. answered questions --------------------------------------------------------------

    def answered(self) -> None:
        """Questions a curator marked as answered by a source of the library: out of the ranking,
        frequency still visible, with the source that answers them."""
        answered = self.agenda.answered
        self.heading(HEADINGS[4], 1, new_page=True)
        if not answered:
            self.para("Geen: de curator heeft nog geen vraag gemarkeerd als beantwoord door een bron uit de "
                      "kennisbibliotheek (kennisagenda evidence, oordeel ‘beantwoordt’).")
            return
        self.para(f"{plural_q(len(answered)).capitalize()} {'is' if len(answered) == 1 else 'zijn'} volgens de curator "
                  "al beantwoord door bestaande kennis. Ze dingen niet mee naar een plaats in de rangorde en "
                  "vragen geen nieuw onderzoek, maar hoe vaak ze zijn gesteld blijft zichtbaar: het antwoord "
                  "verdient het om beter bekend te worden.")
        rows = []
        for item in answered:
            source = next((e for e in item.evidence if e.status == "answers"), None)
            rows.append([one_line(item.question), common.plural(item.frequency, "bron", "bronnen"),
                         (common.cite(source) + (f" {source.url}" if source and source.url else "")) if source else "–"])
        self.table(["Vraag", "Genoemd in", "Beantwoord door"], rows, [7.0, 2.2, 6.8],
                   align={1: WD_ALIGN_PARAGRAPH.CENTER})

    # --- 7. context matrix ------------------------------------------------------------------

    def context_matrix(self) -> None:
        self.heading(HEADINGS[5], 1, new_page=True)
        items = self.items[:TOP_N_MATRIX]
        if not items:
            self.none_line("Er staan nog geen vragen op de agenda.")
            return
        text = ("De matrix laat per vraag zien in welke sectoren ze is gesteld: het getal is het aantal "
                f"formuleringen uit die sector ({', '.join(SECTORS)}). Een formulering zonder sector staat "
                "onder ‘geen’. Hoe donkerder het vak, hoe vaker de vraag daar is genoemd.")
        if len(self.items) > TOP_N_MATRIX:
            text += (f" Om de matrix leesbaar te houden staan alleen de {TOP_N_MATRIX} hoogst geplaatste vragen "
                     f"van de {len(self.items)} erin; de sectoren van alle vragen staan in hoofdstuk "
                     "‘De kennisvragen per thema’.")
        self.para(text)
        self.picture(charts.sector_heatmap(items), 16.0,
                     "Aantal formuleringen per vraag en sector"
                     + (f" (de {TOP_N_MATRIX} hoogst geplaatste vragen)." if len(self.items) > TOP_N_MATRIX else "."))

    # --- 8. appendices ----------------------------------------------------------------------

    def sources_by_folder(self, json_name: str) -> None:
        """Appendix A for thousands of sources: one row per folder (a list of every file would
        run to hundreds of pages); the exports keep every source."""
        a = self.agenda
        folders: dict[str, list] = {}
        for src in a.sources:
            folders.setdefault(src.path.rpartition("/")[0] or ".", []).append(src)
        self.para(f"Deze versie gebruikt {common.count(len(a.sources))} bronnen: te veel om hier elk bestand te noemen. "
                  f"Hieronder per map hoeveel bronnen, van welke soort en uit welke periode; de volledige lijst, "
                  f"met titel, datum, bestand en het aantal vragen per bron, staat in {json_name} (onder sources).")
        rows = []
        for folder in sorted(folders, key=lambda f: (f.casefold(), f)):
            srcs = folders[folder]
            kinds = Counter(common.KIND_SHORT.get(common.kind_value(s.kind), common.kind_value(s.kind)) for s in srcs)
            dates = sorted(s.date for s in srcs if s.date)
            period = (_short_date(dates[0]) if dates and dates[0] == dates[-1]
                      else f"{_short_date(dates[0])} – {_short_date(dates[-1])}" if dates else "–")
            rows.append([_breakable_path(folder), ", ".join(f"{k} ({common.count(n)})" for k, n in sorted(kinds.items())),
                         period, common.count(len(srcs)), common.count(sum(s.n_mentions for s in srcs))])
        self.table(["Map", "Soort", "Periode", "Bronnen", "Vragen"], rows, [4.0, 3.4, 4.4, 2.2, 2.0],
                   align={3: WD_ALIGN_PARAGRAPH.CENTER, 4: WD_ALIGN_PARAGRAPH.CENTER})

    def appendices(self) -> None:
        a = self.agenda
        self.heading(HEADINGS[6], 1, new_page=True)

        json_name = f"{output_stem(a.label)}.json"
        self.heading("A. Brondocumenten", 2)
        if len(a.sources) > MAX_SOURCE_ROWS:
            self.sources_by_folder(json_name)
        elif a.sources:
            srcs = sorted(a.sources, key=lambda s: (_kind_pos(common.kind_value(s.kind)), s.date or dt.date.min, s.title))
            self.table(["Titel", "Soort", "Datum", "Bestand", "Vragen"],
                       [[one_line(s.title), common.KIND_SHORT.get(common.kind_value(s.kind), common.kind_value(s.kind)),
                         _short_date(s.date), _breakable_path(s.path), s.n_mentions] for s in srcs],
                       [4.2, 2.6, 2.7, 4.7, 1.8], align={4: WD_ALIGN_PARAGRAPH.CENTER})
        else:
            self.none_line("Geen.")

        self.heading("B. Alle formuleringen per vraag", 2)
        self.para("Elke formulering uit de bronnen met de vraag waaronder ze valt, haar kenmerk (id) en de bron. "
                  "Zo is elke vraag op de agenda terug te voeren op wat er in de bronnen staat.")
        for item in self.items:
            p = self.para("", keep_next=True, space_after=3)
            p.paragraph_format.space_before = Pt(8)
            r = p.add_run(f"{item.rank}. {one_line(item.question)}")
            r.bold = True
            r2 = p.add_run(f"  ({item.cluster_id})")
            r2.font.size = Pt(8.5)
            r2.font.color.rgb = RGBColor.from_string("7F7F7F")
            if item.mentions:
                shown = _mentions_to_list(item.mentions)
                self.table(["Id", "Formulering", "Bron"],
                           [[m.id, one_line(m.text),
                             one_line(m.source) + (f", {_short_date(m.date)}" if m.date else "")]
                            for m in shown],
                           [2.1, 8.9, 5.0])
                if len(item.mentions) > len(shown):
                    rest = len(item.mentions) - len(shown)
                    n_texts = len({one_line(m.text).casefold() for m in item.mentions})
                    self.para(f"… en {common.count(rest)} {'formulering' if rest == 1 else 'formuleringen'} meer "
                              f"({common.count(n_texts)} verschillend geformuleerd; hierboven staat elke "
                              f"formulering eerst één keer); alle {common.count(len(item.mentions))} staan met id "
                              f"en bron in {json_name}.",
                              italic=True, size=9, color="595959")
            else:
                self.none_line("Geen formuleringen vastgelegd.")

        self.heading("C. Uitgesloten vragen", 2)
        if a.excluded:
            self.para("Deze vragen zijn door de curator van de agenda gehaald, met de opgegeven reden.")
            self.table(["Id", "Vraag", "Reden", "Aantal"],
                       [[e.cluster_id, one_line(e.question), one_line(e.why) or "geen reden opgegeven", e.n_mentions]
                        for e in a.excluded],
                       [2.1, 7.0, 5.0, 1.9], align={3: WD_ALIGN_PARAGRAPH.CENTER})
        else:
            self.para("Geen: de curator heeft geen vragen uitgesloten.")

        self.heading("D. Afgewezen invoerbestanden", 2)

        def rejection_table(rows) -> None:
            self.table(["Bestand", "Regel", "Reden"],
                       [[_breakable_path(r.file), r.line if r.line is not None else "–", one_line(r.reason)]
                        for r in rows],
                       [5.6, 1.4, 9.0], align={1: WD_ALIGN_PARAGRAPH.CENTER})

        failed = [r for r in a.rejected if r.severity == "error"]
        warned = [r for r in a.rejected if r.severity == "warning"]
        if failed:
            self.para("Deze bestanden konden niet worden gelezen; de vragen erin staan niet op de agenda. "
                      "Na herstel worden ze bij de volgende build opnieuw gelezen.")
            rejection_table(failed)
        else:
            self.para("Geen: alle invoerbestanden zijn gelezen.")
        if warned:
            self.para("Waarschuwingen: deze bestanden zijn gelezen, maar verdienen een blik, bijvoorbeeld "
                      "omdat er geen enkele vraag in gevonden is of een sector niet bekend is.", keep_next=True)
            rejection_table(warned)


        self.heading(f"E. {common.LIBRARY_HEADING}", 2)
        if a.library:
            self.para(f"De {len(a.library)} bronnen in inputs/kennis/ waarmee elke vraag is vergeleken: "
                      "exports uit literatuurbeheer, notities en andere documenten. Het kenmerk (id) is wat de "
                      "curator in de bewijslijst en in curation.yaml gebruikt.")
            lib = sorted(a.library, key=lambda r: (common.cite(r).casefold(), r.id))
            self.table(["Bron", "Id"], [[common.cite(r) + (f" {r.url}" if r.url else ""), r.id] for r in lib],
                       [13.9, 2.1])
        else:
            self.para("Geen: de map inputs/kennis/ is leeg of ontbreekt, dus er is niet gezocht naar wat al bekend is.")


# --- module helpers -------------------------------------------------------------------------


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


def _run_xml(inner: str):
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


def _text_run(text: str):
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def _keep_table_with_next(t: Table, rows=None) -> None:
    """Keep-with-next on every paragraph of the rows: Word and LibreOffice keep them together."""
    for row in rows if rows is not None else t.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def _mentions_to_list(mentions: list) -> list:
    """Appendix B's rows for one question: all of them up to MAX_MENTION_ROWS; past that each
    distinct wording once first (thousands of survey answers repeat a few texts), then the rest
    in their order, up to the limit."""
    if len(mentions) <= MAX_MENTION_ROWS:
        return list(mentions)
    seen: set[str] = set()
    first, later = [], []
    for m in mentions:
        key = one_line(m.text).casefold()
        (later if key in seen else first).append(m)
        seen.add(key)
    return (first + later)[:MAX_MENTION_ROWS]


def _is_card(item: AgendaItem) -> bool:
    """A full card for questions raised in at least two distinct sources; the rest go in a table."""
    return item.frequency >= 2


def _source_line(m) -> str:
    """'Title (respondent 13), 14 maart 2022' for one formulation."""
    text = one_line(m.source) or "onbekende bron"
    if one_line(m.respondent):
        text += f" (respondent {one_line(m.respondent)})"
    if m.date:
        text += f", {dutch_date(m.date)}"
    return text


def _single_source(item: AgendaItem) -> str:
    """The one source behind a question raised once (all its formulations share it)."""
    lines: list[str] = []
    for m in item.mentions:
        line = _source_line(m)
        if line not in lines:
            lines.append(line)
    if not lines:
        lines = [one_line(s) for s in item.sources if one_line(s)]
    return "; ".join(lines[:2]) + (" …" if len(lines) > 2 else "")


def _caption(t: Table, text: str) -> None:
    """The table's title (w:tblCaption): read by screen readers, and by the tests."""
    tblPr = t._tbl.tblPr
    cap = OxmlElement("w:tblCaption")
    cap.set(qn("w:val"), clean(text))
    insert_ordered(tblPr, cap, TBLPR_ORDER)


def _kind_pos(kind: str) -> int:
    return common.KIND_ORDER.index(kind) if kind in common.KIND_ORDER else len(common.KIND_ORDER)


def _short_date(d: dt.date | None) -> str:
    return dutch_date(d) if d else "–"


def _breakable_path(path: str) -> str:
    """A zero-width space after every slash, so long paths wrap at folder boundaries."""
    return clean(path).replace("/", "/\u200b")


def _join(parts: list[str]) -> str:
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


def _weights(settings: dict) -> list[tuple[str, object]]:
    """The ranking weights from ``agenda.settings`` (nested under 'rank'/'weights', or flat)."""
    src = None
    for key in ("rank", "weights", "rank_weights"):
        if isinstance(settings.get(key), dict):
            src = settings[key]
            break
    if src is None:
        src = {k: v for k, v in settings.items() if k in _WEIGHT_LABELS}
    return [(str(k), v) for k, v in src.items() if v is None or isinstance(v, (int, float))]


def _weight_value(v: object) -> str:
    if v is None:
        return "uit"
    if isinstance(v, bool):
        return "ja" if v else "nee"
    return number(float(v), 2)


def build_document(agenda: Agenda, *, template: Path | None = None) -> DocxDocument:
    return _Writer(agenda, template).build()


def write_docx(agenda: Agenda, path: Path, *, template: Path | None = None) -> Path:
    doc = build_document(agenda, template=template)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path
