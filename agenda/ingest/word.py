"""Word (.docx) reports and cases.

Before python-docx sees the file, :func:`agenda.ingest.safety.check_zip` refuses damaged
zips, zip bombs and any XML part with a DOCTYPE/ENTITY declaration (python-docx's own parser
also uses ``resolve_entities=False``; tests verify both).

Structure: paragraph styles "Heading 1..9" / "Kop 1..9" (by style name or style id, following
``based_on`` a few steps) are headings of that level, "Title"/"Titel" is level 0; a paragraph
whose runs are all bold and that does not end in ``?`` acts as a heading below all levels
(10); list styles (List…, Lijst…) or numbering (``w:numPr``) make list items. ``line`` is the
1-based paragraph number in document order (table cells and text boxes included).

Text is read as Word shows it with all tracked changes accepted, from the XML itself (python-docx's
``Paragraph.text`` sees only direct runs and links): runs inside ``w:ins``/``w:moveTo``, content
controls (``w:sdt``), smart tags, ``w:customXml``, simple fields and hyperlinks count;
``w:del``/``w:moveFrom``/``w:delText`` and field codes (``w:instrText``) do not. A text box
(``w:txbxContent``) is read once, after its anchor paragraph: Word writes it twice, in
``mc:AlternateContent``'s Choice (DrawingML) and its VML Fallback, and only the Choice is read.
A soft line break (``w:br``, Shift+Enter) is a space, unless the text before it is a complete
sentence (ends in . ? ! : …): then it ends the sentence.

Tables are walked row by row and cell by cell over the XML (each ``w:tc`` once: a merged cell is
one element; no identity of short-lived proxies), including rows and cells wrapped in content
controls (a repeating section: ``w:tbl/w:sdt/w:tr``). When the first row names columns *Sector*,
*Rol*, *School*, *Niveau*, *Organisatie*, those columns are each row's context (sector values
mapped to codes; an unknown value is metadata plus a warning) and are not read as text; cells
under a column named *(kennis)vraag/vraagstuk* count as in a question section.

Document properties play the part of front matter:

- ``title`` → title; ``created`` → date (unless it is python-docx's template default
  2013-12-23, i.e. never set), after an explicit ``date:`` in keywords/subject/comments;
- ``keywords``, ``subject``, ``comments`` may hold ``key: value`` pairs separated by ``;``
  or new lines (kind, date/datum, sector, rol, niveau, school, organisatie); keywords
  without colons are read as a list, and the words that are sector codes become the sector;
- ``category`` may name the kind (meeting/verslag, case/casus, publication/publicatie).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from agenda.ingest.blocks import Block, is_question_heading, make_block
from agenda.ingest.common import KIND_ALIASES, IngestError, clean_text, context_cells, decode_bytes, property_pairs
from agenda.ingest.document import document_result
from agenda.ingest.safety import check_zip
from agenda.models import IngestResult, SECTORS
from agenda.settings import Limits

_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Containers whose children are read as if they stood in their parent (changes accepted):
# tracked insertions and moves, content controls, smart tags, custom XML, simple fields, links.
_TRANSPARENT = {f"{W}{t}" for t in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")}
# Never shown once changes are accepted.
_HIDDEN = {f"{W}{t}" for t in ("del", "moveFrom", "delText", "delInstrText", "instrText")}
_SOFT_BREAK = "\n"

# Style names (or ids) that make a heading, anywhere in the name: a house style "Huisstijl Kop 2",
# "OCW Titel", the ids Kop1/Heading2. "Koptekst" (page header), "Ondertitel"/"Subtitle" are not.
_HEADING_NAME = re.compile(r"(?<![^\W\d_])(?:heading|kop)\s*(\d)(?!\d)", re.I)
_TITLE_NAME = re.compile(r"(?<![^\W\d_])(?:title|titel)(?![^\W\d_])", re.I)
# a heading style without a number: "Kop", "Tussenkopje", "Paragraafkop", "Hoofdstuktitel" (not
# "Ondertitel"/"Subtitle": Word's navigation pane does not show a subtitle)
_PLAIN_HEADING_NAME = re.compile(
    r"(?<![^\W\d_])(?:[^\W\d_]*(?:heading|kop|kopje)|(?!onder|sub)[^\W\d_]+(?:titel|title))(?![^\W\d_])", re.I
)
_LIST_STYLE = re.compile(r"^(?:list|lijst)", re.I)
_BULLET_FORMATS = {"bullet", "none"}
# level of a heading found by style name without a number (below Heading 1..8, above bold text)
_UNNUMBERED_HEADING_LEVEL = 9
_BOLD_LEVEL = 10  # a bold-only paragraph
_NUMBERED_LEVEL = 11  # + ilvl: an automatically numbered bold item ("3. Kennisvragen")


def _val(el, path: str) -> str | None:
    found = el.find(path) if el is not None else None
    return found.get(f"{W}val") if found is not None else None


class WordStyles:
    """Paragraph and character styles of one document, resolved the way Word shows them.

    Heading-ness (:meth:`heading_level`): the paragraph's own ``w:outlineLvl``, else the first
    style along the ``w:basedOn`` chain that sets ``w:outlineLvl`` (0–8 → level 1–9; 9 is body
    text) or whose name is a heading (*Heading N*, *Kop N* anywhere in a house style's name →
    N; *Title*/*Titel* → 0; *Kop*, *Kopje*, *Tussenkop* without a number → 9). Bold and size
    (:meth:`run_bold`, :meth:`run_size`) come from the run, else its character style chain, else
    the paragraph style chain, else the document defaults.
    """

    def __init__(self, doc) -> None:
        self.by_id: dict[str, object] = {}
        self.default_para: str | None = None
        self.defaults_rpr = None
        try:
            root = doc.styles.element
        except Exception:  # no styles part
            root = None
        if root is not None:
            for st in root.iterchildren(f"{W}style"):
                sid = st.get(f"{W}styleId")
                if sid:
                    self.by_id.setdefault(sid, st)
                    if st.get(f"{W}type") == "paragraph" and st.get(f"{W}default") in ("1", "true", "on"):
                        self.default_para = self.default_para or sid
            self.defaults_rpr = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.numbering = None
        try:
            self.numbering = doc.part.numbering_part.element
        except Exception:  # no numbering part: numbered items cannot be told from bullets
            self.numbering = None
        self._normal_size = self._chain_prop(self.default_para, f"{W}rPr/{W}sz")
        self._cache: dict = {}

    def chain(self, sid: str | None) -> list:
        """The style and its basedOn ancestors (at most 12, cycle-safe)."""
        out, seen = [], set()
        while sid and sid not in seen and len(out) < 12:
            seen.add(sid)
            st = self.by_id.get(sid)
            if st is None:
                break
            out.append(st)
            sid = _val(st, f"{W}basedOn")
        return out

    def _chain_prop(self, sid: str | None, path: str) -> str | None:
        for st in self.chain(sid):
            v = st.find(path)
            if v is not None:
                return v.get(f"{W}val", "true")
        return None

    def para_style(self, p) -> str | None:
        return _val(p, f"{W}pPr/{W}pStyle") or self.default_para

    def heading_level(self, p) -> int | None:
        own = _val(p, f"{W}pPr/{W}outlineLvl")
        if own is not None:
            return _outline(own)
        sid = self.para_style(p)
        key = ("h", sid)
        if key not in self._cache:
            self._cache[key] = self._style_heading(sid)
        return self._cache[key]

    def _style_heading(self, sid: str | None) -> int | None:
        plain = False
        for st in self.chain(sid):
            lvl = _val(st, f"{W}pPr/{W}outlineLvl")
            if lvl is not None:
                return _outline(lvl)
            for name in (_val(st, f"{W}name") or "", st.get(f"{W}styleId") or ""):
                if m := _HEADING_NAME.search(name):
                    return int(m[1])
                if _TITLE_NAME.search(name):
                    return 0
                plain = plain or bool(_PLAIN_HEADING_NAME.search(name))
        return _UNNUMBERED_HEADING_LEVEL if plain else None

    def numbering_of(self, p) -> tuple[str, int] | None:
        """(numId, ilvl) of a numbered/bulleted paragraph (direct or through its style), else None."""
        num = _val(p, f"{W}pPr/{W}numPr/{W}numId")
        ilvl = _val(p, f"{W}pPr/{W}numPr/{W}ilvl")
        if num is None:
            num = self._chain_prop(self.para_style(p), f"{W}pPr/{W}numPr/{W}numId")
            ilvl = ilvl or self._chain_prop(self.para_style(p), f"{W}pPr/{W}numPr/{W}ilvl")
        if num is None or num == "0":
            return None
        try:
            return num, max(0, min(int(ilvl or 0), 8))
        except ValueError:
            return num, 0

    def is_list(self, p) -> bool:
        if self.numbering_of(p) is not None:
            return True
        st = self.by_id.get(self.para_style(p) or "")
        return bool(_LIST_STYLE.match(_val(st, f"{W}name") or "")) if st is not None else False

    def number_format(self, num_id: str, ilvl: int) -> str | None:
        """numFmt of a list level (decimal, upperRoman, bullet …); None when the numbering is unknown."""
        if self.numbering is None:
            return None
        for num in self.numbering.iterchildren(f"{W}num"):
            if num.get(f"{W}numId") != num_id:
                continue
            for ov in num.iterchildren(f"{W}lvlOverride"):
                if ov.get(f"{W}ilvl") == str(ilvl) and (fmt := _val(ov, f"{W}lvl/{W}numFmt")):
                    return fmt
            abstract = _val(num, f"{W}abstractNumId")
            for an in self.numbering.iterchildren(f"{W}abstractNum"):
                if an.get(f"{W}abstractNumId") == abstract:
                    for lvl in an.iterchildren(f"{W}lvl"):
                        if lvl.get(f"{W}ilvl") == str(ilvl):
                            return _val(lvl, f"{W}numFmt")
                    # a list defined by a numbering style (w:numStyleLink): its format is elsewhere
                    return None
        return None

    def run_bold(self, fmt: "RunFormat", p) -> bool:
        return _on(self._run_prop(fmt, p, "b", fmt.bold))

    def run_size(self, fmt: "RunFormat", p) -> float:
        """Font size in points."""
        v = self._run_prop(fmt, p, "sz", fmt.size)
        try:
            return int(v) / 2 if v is not None else 10.0
        except ValueError:
            return 10.0

    def body_size(self, paragraphs: list) -> float:
        """The font size (pt) that carries the most characters of the document's paragraphs (the
        body text, whatever the Normal style says); the Normal style's size for an empty document."""
        weight: dict[float, int] = {}
        for wp in paragraphs:
            if wp.formats:
                size = self.run_size(wp.formats[0], wp.element)
                weight[size] = weight.get(size, 0) + len(wp.text)
        return max(weight, key=lambda k: (weight[k], -k)) if weight else self.normal_size

    @property
    def normal_size(self) -> float:
        v = self._normal_size or _val(self.defaults_rpr, f"{W}sz")
        try:
            return int(v) / 2 if v is not None else 10.0
        except ValueError:
            return 10.0

    def _run_prop(self, fmt: "RunFormat", p, name: str, direct: str | None) -> str | None:
        if direct is not None:
            return direct
        path = f"{W}rPr/{W}{name}"
        if fmt.style and (v := self._chain_prop(fmt.style, path)) is not None:
            return v
        if (v := self._chain_prop(self.para_style(p), path)) is not None:
            return v
        return _val(self.defaults_rpr, f"{W}{name}") if self.defaults_rpr is not None and self.defaults_rpr.find(f"{W}{name}") is not None else None


def _outline(value: str) -> int | None:
    try:
        n = int(value)
    except ValueError:
        return None
    return n + 1 if 0 <= n < 9 else None


def _on(value: str | None) -> bool:
    return value is not None and value.lower() not in ("0", "false", "off")


@dataclass(frozen=True)
class RunFormat:
    """A run's own formatting (None: inherited from its styles)."""

    bold: str | None
    size: str | None
    style: str | None


@dataclass
class WordParagraph:
    """A paragraph as Word shows it: its text (soft breaks as newlines), bold-only flag, and the
    text boxes anchored in it (read after it, each once)."""

    element: object
    text: str
    all_bold: bool
    boxes: list = field(default_factory=list)
    formats: list = field(default_factory=list)  # RunFormat of each run with visible text


def _flag(run, name: str) -> bool:
    """A run property switched on (``<w:b/>``, ``<w:vanish/>``; not ``w:val="0"``)."""
    rpr = run.find(f"{W}rPr")
    el = rpr.find(f"{W}{name}") if rpr is not None else None
    return el is not None and el.get(f"{W}val", "true").lower() not in ("0", "false", "off")


def read_paragraph(p) -> WordParagraph:
    """Walk a w:p: runs, inside any wrapper (w:ins, w:sdt, w:smartTag, w:customXml, w:fldSimple,
    w:hyperlink); w:del/w:moveFrom/w:delText out; field codes out (their result stays); text boxes
    (w:txbxContent, inside mc:AlternateContent's Choice — never the VML Fallback too) collected."""
    parts: list[str] = []
    bold_flags: list[bool] = []
    formats: list[RunFormat] = []
    boxes: list = []

    def run(r) -> None:
        if _flag(r, "vanish"):  # hidden text: Word does not show it
            return
        bold = _flag(r, "b")
        rpr = r.find(f"{W}rPr")
        b = rpr.find(f"{W}b") if rpr is not None else None
        fmt = RunFormat(
            b.get(f"{W}val", "true") if b is not None else None, _val(rpr, f"{W}sz"), _val(rpr, f"{W}rStyle"),
        )
        for c in r.iterchildren():
            tag = c.tag
            if tag == f"{W}t":
                parts.append(c.text or "")
                if (c.text or "").strip():
                    bold_flags.append(bold)
                    formats.append(fmt)
            elif tag == f"{W}tab" or tag == f"{W}ptab":
                parts.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                parts.append(_SOFT_BREAK)
            elif tag == f"{W}noBreakHyphen":
                parts.append("-")
            elif tag in (f"{W}drawing", f"{W}pict", f"{_MC}AlternateContent"):
                boxes.extend(_text_boxes(c))

    def walk(el) -> None:
        for c in el.iterchildren():
            tag = c.tag
            if tag == f"{W}r":
                run(c)
            elif tag in _HIDDEN:
                continue
            elif tag in _TRANSPARENT:
                walk(c)
            elif tag == f"{W}sdt":
                content = c.find(f"{W}sdtContent")
                if content is not None:
                    walk(content)
            elif tag == f"{_MC}AlternateContent":
                choice = c.find(f"{_MC}Choice")
                walk(choice if choice is not None else c.find(f"{_MC}Fallback") or c)

    walk(p)
    return WordParagraph(p, "".join(parts), bool(bold_flags) and all(bold_flags), boxes, formats)


def _text_boxes(el) -> list:
    """w:txbxContent elements under a drawing/picture, once: mc:Choice wins over its mc:Fallback."""
    if el.tag == f"{_MC}AlternateContent":
        choice = el.find(f"{_MC}Choice")
        el = choice if choice is not None else el
    out = []
    for box in el.iter(f"{W}txbxContent"):
        # a Choice can nest its own AlternateContent: skip boxes inside any Fallback
        anc, inside_fallback = box.getparent(), False
        while anc is not None and anc is not el:
            if anc.tag == f"{_MC}Fallback":
                inside_fallback = True
                break
            anc = anc.getparent()
        if not inside_fallback:
            out.append(box)
    return out


_SENTENCE_END = re.compile(r"[.?!:…;][)\"'’”»*_]*$")


def resolve_soft_breaks(text: str) -> str:
    """A soft line break (Shift+Enter) is a space, unless the text before it is a complete sentence
    (ends in . ? ! : …): then it stays a line break, which ends the sentence."""
    pieces = text.split(_SOFT_BREAK)
    out = pieces[0]
    for piece in pieces[1:]:
        out = out + ("\n" if _SENTENCE_END.search(out.rstrip()) or not out.strip() else " ") + piece
    return out


_CONTEXT_HEADERS = {
    "sector": "sectors", "sectoren": "sectors", "rol": "roles", "rollen": "roles", "functie": "roles",
    "role": "roles", "school": "school", "scholen": "school", "niveau": "level", "level": "level",
    "organisatie": "organisation", "bestuur": "organisation",
}


def context_header(label: str) -> str | None:
    """The context a table column holds by its header (*Sector*, *Rol*, *School*, *Niveau*,
    *Organisatie* …: sectors/roles/school/level/organisation), or None. Also used for PDF tables."""
    return _CONTEXT_HEADERS.get(label.strip().rstrip(":").strip().lower())


def _cells(tr) -> list:
    """w:tc of a row in order, including cells wrapped in content controls / custom XML."""
    out = []
    for c in tr.iterchildren():
        if c.tag == f"{W}tc":
            out.append(c)
        elif c.tag in (f"{W}sdt", f"{W}customXml"):
            inner = c.find(f"{W}sdtContent") if c.tag == f"{W}sdt" else c
            if inner is not None:
                out.extend(_cells(inner))
    return out


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def grid_cells(tr) -> list[tuple[int, int, object]]:
    """(first grid column, columns spanned, w:tc) of a row: ``w:gridBefore`` skips columns, a cell
    spans ``w:gridSpan`` columns — how Word places merged cells, whatever their index in the row."""
    col = max(0, _int(_val(tr, f"{W}trPr/{W}gridBefore"), 0))
    out = []
    for tc in _cells(tr):
        span = min(max(1, _int(_val(tc, f"{W}tcPr/{W}gridSpan"), 1)), 64)
        out.append((col, span, tc))
        col += span
    return out


def _vmerge(tc) -> str | None:
    """"restart" (first cell of a vertical merge), "continue" (a merged-away cell below it) or None."""
    el = tc.find(f"{W}tcPr/{W}vMerge")
    if el is None:
        return None
    return "restart" if el.get(f"{W}val") == "restart" else "continue"


def _rows(tbl) -> list:
    """w:tr of a table in order, including rows inside (repeating-section) content controls."""
    out = []

    def walk(el) -> None:
        for c in el.iterchildren():
            if c.tag == f"{W}tr":
                out.append(c)
            elif c.tag == f"{W}sdt":
                content = c.find(f"{W}sdtContent")
                if content is not None:
                    walk(content)
            elif c.tag in (f"{W}customXml", f"{W}ins"):
                walk(c)
    walk(tbl)
    return out


def _cell_plain(tc) -> str:
    texts = []
    for p in tc.iter(f"{W}p"):
        texts.append(read_paragraph(p).text)
    return " ".join(" ".join(t.split()) for t in texts if t.strip())


def _header_label(tc) -> str:
    return _cell_plain(tc).strip().rstrip(":").strip().lower()


def _is_question_header(h: str) -> bool:
    return is_question_heading(h) and not h.endswith("?")


def _names_column(label: str) -> bool:
    return label in _CONTEXT_HEADERS or _is_question_header(label)


@dataclass
class TableContext:
    """Which grid columns of a table are context (Sector/Rol/School/Niveau) and which hold questions."""

    roles: dict[int, str]  # grid column → context role
    question_cols: set[int]  # grid columns
    header_rows: list  # the w:tr elements of the header (one, or more under merged header cells)


def _header_rows(rows: list) -> list:
    """The header: the first row, plus up to two more when merged header cells reach into them —
    a cell of the first row merged down (``w:vMerge``) continues in the next row, or a wide cell
    (``w:gridSpan``: a group such as "Context", or a caption over the whole table) stands over
    cells of the next row that name columns (*Sector*, *Rol*, *Kennisvraag* …)."""
    header = [rows[0]]
    while len(header) < 3 and len(rows) > len(header):
        above = [(c, s, tc) for row in header for c, s, tc in grid_cells(row)]
        merged_down = {c for c, _, tc in above if _vmerge(tc) in ("restart", "continue")}
        nxt = grid_cells(rows[len(header)])
        continues = any(_vmerge(tc) == "continue" and c in merged_down for c, _, tc in nxt)
        wide = [(c, s) for c, s, tc in grid_cells(header[-1]) if s > 1]
        names_group = any(
            any(c0 <= c < c0 + s for c0, s in wide) and _names_column(_header_label(tc)) for c, _, tc in nxt
        )
        if not (continues or names_group):
            break
        header.append(rows[len(header)])
    return header


def table_context(rows: list) -> TableContext | None:
    """Context and question columns by **grid column**: a header cell spanning several columns
    (``w:gridSpan``) covers them all, and in a header of several rows the lowest named cell over
    a column wins (a group "Context" over *Sector* and *Rol*)."""
    if not rows:
        return None
    header_rows = _header_rows(rows)
    labels: dict[int, str] = {}
    for row in header_rows:
        for c, span, tc in grid_cells(row):
            if _vmerge(tc) == "continue":
                continue  # the label above stands
            label = _header_label(tc)
            for g in range(c, c + span):
                if label or g not in labels:
                    labels[g] = label
    roles = {g: _CONTEXT_HEADERS[h] for g, h in labels.items() if h in _CONTEXT_HEADERS}
    questions = {g for g, h in labels.items() if g not in roles and _is_question_header(h)}
    if not roles and not questions:
        return None
    return TableContext(roles, questions, header_rows)


@dataclass
class AltChunk:
    """A ``w:altChunk``: content imported from another part (HTML, MHT, text, another Word
    document) that Word renders in its place."""

    element: object
    rel_id: str | None


def iter_blocks(body):
    """(WordParagraph or AltChunk, table context dict or None, in question column) for every
    paragraph in document order: body, tables (row by row, cell by cell, each cell once — merged
    cells are one w:tc in the XML; a cell merged down is read once, and its context value holds for
    every row it spans), content controls, custom XML, and text boxes after their anchor."""

    def paragraph(p, ctx, in_qcol):
        wp = read_paragraph(p)
        yield wp, ctx, in_qcol
        for box in wp.boxes:
            yield from walk(box, ctx, in_qcol)

    def table(tbl, ctx, in_qcol):
        rows = _rows(tbl)
        tctx = table_context(rows)
        header = {id(r) for r in tctx.header_rows} if tctx is not None else set()
        carried: dict[int, str] = {}  # grid column → context value of a cell merged down
        for tr in rows:
            row_ctx = None
            cells = grid_cells(tr)
            is_header = id(tr) in header
            if tctx is not None and not is_header:
                row_ctx = {}
                for c, _, tc in cells:
                    role = tctx.roles.get(c)
                    if role is None:
                        continue
                    merge = _vmerge(tc)
                    value = carried.get(c, "") if merge == "continue" else _cell_plain(tc).strip()
                    if merge == "restart":
                        carried[c] = value
                    elif merge is None:
                        carried.pop(c, None)
                    if value:
                        row_ctx[role] = value
            for c, _, tc in cells:
                if tctx is not None and c in tctx.roles and not is_header:
                    continue  # context, not text
                in_q = tctx is not None and c in tctx.question_cols and not is_header
                yield from walk(tc, row_ctx or ctx, in_q or in_qcol)

    def walk(el, ctx=None, in_qcol=False):
        for c in el.iterchildren():
            tag = c.tag
            if tag == f"{W}p":
                yield from paragraph(c, ctx, in_qcol)
            elif tag == f"{W}tbl":
                yield from table(c, ctx, in_qcol)
            elif tag == f"{W}sdt":
                content = c.find(f"{W}sdtContent")
                if content is not None:
                    yield from walk(content, ctx, in_qcol)
            elif tag in (f"{W}customXml", f"{W}ins", f"{W}moveTo"):
                yield from walk(c, ctx, in_qcol)
            elif tag == f"{_MC}AlternateContent":
                choice = c.find(f"{_MC}Choice")
                if choice is not None:
                    yield from walk(choice, ctx, in_qcol)
            elif tag == f"{W}altChunk":
                yield AltChunk(c, c.get(f"{_R}id")), ctx, in_qcol

    yield from walk(body)


def properties(doc) -> tuple[dict, dt.date | None]:
    """Front-matter equivalent from core properties, and the `created` date (if really set)."""
    cp = doc.core_properties
    props: dict = {}
    for attr in ("comments", "subject", "keywords"):
        value = clean_text(getattr(cp, attr, "") or "")
        if not value:
            continue
        pairs = property_pairs(value)
        props.update(pairs)
        if attr == "keywords" and not pairs:
            words = [w.strip().lower() for w in re.split(r"[,;\s]+", value) if w.strip()]
            sectors = [w for w in words if w in SECTORS]
            if sectors:
                props.setdefault("sector", sectors)
    category = clean_text(cp.category or "").strip().lower()
    if category in KIND_ALIASES and "kind" not in props:
        props["kind"] = category
    title = clean_text(cp.title or "").strip()
    if title:
        props["title"] = title
    created = None
    try:
        c = cp.created
        if isinstance(c, dt.datetime) and c.replace(tzinfo=None) != _TEMPLATE_CREATED:
            created = c.date()
    except (ValueError, TypeError, OverflowError):
        created = None
    return props, created


def docx_blocks(
    path: Path, limits: Limits, warnings: list[tuple[int | None, str]] | None = None,
) -> tuple[dict, dt.date | None, list[Block]]:
    """A Word file as Word shows it: (properties, created date, blocks). Raises IngestError (Dutch).
    ``warnings`` (if given) receives (paragraph, Dutch reason) for unknown context values in tables.

    Also used by the evidence library (agenda.evidence.library) for .docx documents.
    """
    check_zip(path, limits, "Word-bestand")
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover
        raise IngestError(f"python-docx is niet geïnstalleerd ({exc})") from None
    try:
        doc = docx.Document(str(path))
    except PackageNotFoundError:
        raise IngestError("geen geldig Word-bestand (.docx): het pakket mist het hoofddocument") from None
    except ValueError as exc:
        if "not a Word file" in str(exc):
            raise IngestError("geen Word-document: het archief is een ander soort Office-bestand (bijvoorbeeld Excel)") from None
        raise IngestError(f"beschadigd Word-bestand: {str(exc)[:150]}") from None
    except KeyError as exc:
        raise IngestError(f"beschadigd Word-bestand: onderdeel {exc} ontbreekt") from None
    except Exception as exc:  # lxml XMLSyntaxError, ValueError, zip errors …
        raise IngestError(f"beschadigd Word-bestand: {exc.__class__.__name__}: {str(exc)[:150]}") from None
    if "macroEnabled" in (doc.part.content_type or ""):
        raise IngestError("Word-bestand met macro's (.docm) wordt niet gelezen")
    props, created = properties(doc)
    styles = WordStyles(doc)
    items = list(iter_blocks(doc.element.body))
    body_size = styles.body_size([item for item, _, _ in items if isinstance(item, WordParagraph)])
    blocks: list[Block] = []
    n = 0
    for item, ctx, in_qcol in items:
        if isinstance(item, AltChunk):
            chunk_blocks, problem = _alt_chunk_blocks(doc, item, n + 1)
            if problem and warnings is not None:
                warnings.append((n + 1, problem))
            for block in chunk_blocks:
                block.section = in_qcol
            blocks.extend(chunk_blocks)
            n += max(1, len(chunk_blocks))
            continue
        n += 1
        wp = item
        text = clean_text(resolve_soft_breaks(wp.text)).strip()
        if not text:
            continue
        block = _paragraph_block(wp, text, n, styles, in_qcol, body_size)
        if ctx:
            block.context, block.extra, found = context_cells(ctx, f"alinea {n} (tabel)")
            if warnings is not None:
                warnings.extend((n, w) for w in found)
        block.section = in_qcol
        blocks.append(block)
    return props, created, blocks


def _paragraph_block(
    wp: WordParagraph, text: str, n: int, styles: WordStyles, in_qcol: bool, body_size: float,
) -> Block:
    """Heading, list item or paragraph, decided as Word shows the paragraph: its outline level or
    heading style (see :class:`WordStyles`); a list item; an automatically numbered item that is
    bold or 2 pt larger than the body text, short and not a sentence ("3. Kennisvragen", where "3."
    is Word's numbering) is a heading of level 11 + its list level; a paragraph that is bold
    throughout, or a short line 2 pt larger than the body text that is not a sentence, is a heading
    of level 10. ``body_size``: the size (pt) that carries most of the document's text."""
    p = wp.element
    level = styles.heading_level(p)
    if level is not None:
        return make_block("heading", [(n, " ".join(text.split()))], level=level)
    bold = bool(wp.formats) and all(styles.run_bold(f, p) for f in wp.formats)
    heading_like = len(text) < 200 and not text.rstrip().endswith("?") and not in_qcol
    title_like = heading_like and len(text) < 120 and not re.search(r"[.;!…]$", text.rstrip())
    larger = bool(wp.formats) and min(styles.run_size(f, p) for f in wp.formats) >= body_size + 2
    numbering = styles.numbering_of(p)
    if numbering is not None:
        fmt = styles.number_format(*numbering)
        if fmt not in _BULLET_FORMATS and (bold or larger) and title_like:
            return make_block("heading", [(n, " ".join(text.split()))], level=_NUMBERED_LEVEL + numbering[1])
        return make_block("item", [(n, text)])
    if styles.is_list(p):
        return make_block("item", [(n, text)])
    if (bold and heading_like) or (larger and title_like):
        return make_block("heading", [(n, text)], level=_BOLD_LEVEL)
    return make_block("para", [(n, text)])


_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_MHT_TYPES = {"message/rfc822", "multipart/related", "application/x-mimearchive"}


def _alt_chunk_blocks(doc, chunk: AltChunk, first_line: int) -> tuple[list[Block], str | None]:
    """Blocks of the part a ``w:altChunk`` imports — HTML, MHT (web archive) or plain text — read
    whole with :mod:`agenda.ingest.html`; else no blocks and a Dutch warning naming what it holds."""
    from agenda.ingest.html import decode_html, html_blocks, mht_html

    try:
        part = doc.part.related_parts[chunk.rel_id]
    except KeyError:
        return [], "ingesloten inhoud (w:altChunk) verwijst naar een onderdeel dat ontbreekt: niet gelezen"
    ctype = (part.content_type or "").split(";")[0].strip().lower()
    name = str(part.partname).lower()
    data = part.blob or b""
    try:
        if ctype in _HTML_TYPES or (ctype in ("", "application/octet-stream") and name.endswith((".htm", ".html", ".xhtml"))):
            return html_blocks(decode_html(data), first_line), None
        if ctype in _MHT_TYPES or name.endswith((".mht", ".mhtml")):
            html = mht_html(data)
            if html is None:
                return [], "ingesloten webarchief (MHT, w:altChunk) zonder HTML-deel: niet gelezen"
            return html_blocks(html, first_line), None
        if ctype == "text/plain" or name.endswith(".txt"):
            text, _enc = decode_bytes(data)
            lines = [ln.strip() for ln in clean_text(text).splitlines()]
            return [make_block("para", [(first_line + i, ln)]) for i, ln in enumerate(x for x in lines if x)], None
    except IngestError as exc:
        return [], f"ingesloten HTML (w:altChunk) onleesbaar: {exc.reason}"
    what = "RTF" if "rtf" in ctype or name.endswith(".rtf") else (
        "een ander Word-document" if "wordprocessingml" in ctype or name.endswith((".docx", ".docm")) else ctype or name
    )
    return [], (f"bevat ingesloten inhoud ({what}, via w:altChunk) die niet wordt gelezen: open het bestand in Word "
                "en sla het opnieuw op als .docx, dan wordt die inhoud gewone tekst")


def read_docx(path: Path, rel: str, content_hash: str, limits: Limits) -> IngestResult:
    warnings: list[tuple[int | None, str]] = []
    props, created, blocks = docx_blocks(path, limits, warnings)
    return document_result(
        rel=rel, content_hash=content_hash, suffix=".docx", props=props, prop_lines={}, blocks=blocks,
        limits=limits, fallback_date=created, warnings=warnings,
    )
