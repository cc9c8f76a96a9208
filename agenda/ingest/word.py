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

from agenda.ingest.blocks import Block, make_block
from agenda.ingest.common import KIND_ALIASES, IngestError, clean_text, context_cells, property_pairs
from agenda.ingest.document import document_result
from agenda.ingest.safety import check_zip
from agenda.models import IngestResult, SECTORS
from agenda.settings import Limits

_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.I)
_TITLE_STYLE = re.compile(r"^(?:title|titel)$", re.I)
_LIST_STYLE = re.compile(r"^(?:list|lijst)", re.I)
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15)


def _style_level(paragraph) -> int | None:
    style = paragraph.style
    for _ in range(5):
        if style is None:
            return None
        for name in (style.name or "", style.style_id or ""):
            name = name.strip()
            if m := _HEADING_STYLE.match(name):
                return int(m[1])
            if _TITLE_STYLE.match(name):
                return 0
        style = style.base_style
    return None


def _is_list(paragraph) -> bool:
    p = paragraph._p
    if p.pPr is not None and p.pPr.numPr is not None:
        return True
    style = paragraph.style
    name = (style.name or "") if style is not None else ""
    return bool(_LIST_STYLE.match(name))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Containers whose children are read as if they stood in their parent (changes accepted):
# tracked insertions and moves, content controls, smart tags, custom XML, simple fields, links.
_TRANSPARENT = {f"{W}{t}" for t in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")}
# Never shown once changes are accepted.
_HIDDEN = {f"{W}{t}" for t in ("del", "moveFrom", "delText", "delInstrText", "instrText")}
_SOFT_BREAK = "\n"


@dataclass
class WordParagraph:
    """A paragraph as Word shows it: its text (soft breaks as newlines), bold-only flag, and the
    text boxes anchored in it (read after it, each once)."""

    element: object
    text: str
    all_bold: bool
    boxes: list = field(default_factory=list)


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
    boxes: list = []

    def run(r) -> None:
        if _flag(r, "vanish"):  # hidden text: Word does not show it
            return
        bold = _flag(r, "b")
        for c in r.iterchildren():
            tag = c.tag
            if tag == f"{W}t":
                parts.append(c.text or "")
                if (c.text or "").strip():
                    bold_flags.append(bold)
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
    return WordParagraph(p, "".join(parts), bool(bold_flags) and all(bold_flags), boxes)


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
_QUESTION_HEADER = re.compile(r"vraag|vragen|question", re.I)


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


@dataclass
class TableContext:
    """Which columns of a table are context (Sector/Rol/School/Niveau) and which hold questions."""

    roles: dict[int, str]
    question_cols: set[int]
    header_row: object


def table_context(rows: list) -> TableContext | None:
    if not rows:
        return None
    header = [_cell_plain(tc).strip().rstrip(":").strip().lower() for tc in _cells(rows[0])]
    roles = {i: _CONTEXT_HEADERS[h] for i, h in enumerate(header) if h in _CONTEXT_HEADERS}
    questions = {i for i, h in enumerate(header) if i not in roles and _QUESTION_HEADER.search(h) and not h.endswith("?")}
    if not roles and not questions:
        return None
    return TableContext(roles, questions, rows[0])


def iter_blocks(body):
    """(WordParagraph, table context dict or None, in question column) for every paragraph in
    document order: body, tables (row by row, cell by cell, each cell once — merged cells are
    one w:tc in the XML), content controls, custom XML, and text boxes after their anchor."""

    def paragraph(p, ctx, in_qcol):
        wp = read_paragraph(p)
        yield wp, ctx, in_qcol
        for box in wp.boxes:
            yield from walk(box, ctx, in_qcol)

    def walk(el, ctx=None, in_qcol=False):
        for c in el.iterchildren():
            tag = c.tag
            if tag == f"{W}p":
                yield from paragraph(c, ctx, in_qcol)
            elif tag == f"{W}tbl":
                rows = _rows(c)
                tctx = table_context(rows)
                for tr in rows:
                    row_ctx = None
                    cells = _cells(tr)
                    if tctx is not None and tr is not tctx.header_row:
                        row_ctx = {}
                        for i, role in tctx.roles.items():
                            if i < len(cells) and (value := _cell_plain(cells[i]).strip()):
                                row_ctx[role] = value
                    for i, tc in enumerate(cells):
                        if tctx is not None and i in tctx.roles:
                            continue  # context, not text
                        in_q = tctx is not None and i in tctx.question_cols and tr is not tctx.header_row
                        yield from walk(tc, row_ctx or ctx, in_q or in_qcol)
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
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    for n, (wp, ctx, in_qcol) in enumerate(iter_blocks(doc.element.body), start=1):
        text = clean_text(resolve_soft_breaks(wp.text)).strip()
        if not text:
            continue
        para = Paragraph(wp.element, doc)
        level = _style_level(para)
        if level is not None:
            block = make_block("heading", [(n, " ".join(text.split()))], level=level)
        elif _is_list(para):
            block = make_block("item", [(n, text)])
        elif wp.all_bold and not text.rstrip().endswith("?") and len(text) < 200 and not in_qcol:
            block = make_block("heading", [(n, text)], level=10)
        else:
            block = make_block("para", [(n, text)])
        if ctx:
            block.context, block.extra, found = context_cells(ctx, f"alinea {n} (tabel)")
            if warnings is not None:
                warnings.extend((n, w) for w in found)
        block.section = in_qcol
        blocks.append(block)
    return props, created, blocks


def read_docx(path: Path, rel: str, content_hash: str, limits: Limits) -> IngestResult:
    warnings: list[tuple[int | None, str]] = []
    props, created, blocks = docx_blocks(path, limits, warnings)
    return document_result(
        rel=rel, content_hash=content_hash, suffix=".docx", props=props, prop_lines={}, blocks=blocks,
        limits=limits, fallback_date=created, warnings=warnings,
    )
