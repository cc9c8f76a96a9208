"""Word (.docx) reports and cases.

Before python-docx sees the file, :func:`agenda.ingest.safety.check_zip` refuses damaged
zips, zip bombs and any XML part with a DOCTYPE/ENTITY declaration (python-docx's own parser
also uses ``resolve_entities=False``; tests verify both).

Structure: paragraph styles "Heading 1..9" / "Kop 1..9" (by style name or style id, following
``based_on`` a few steps) are headings of that level, "Title"/"Titel" is level 0; a paragraph
whose runs are all bold and that does not end in ``?`` acts as a heading below all levels
(10); list styles (List…, Lijst…) or numbering (``w:numPr``) make list items; table cells
are read as paragraphs, in document order. ``line`` is the 1-based paragraph number in that
order (table-cell paragraphs included).

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
from pathlib import Path

from agenda.ingest.blocks import Block, make_block
from agenda.ingest.common import KIND_ALIASES, IngestError, clean_text
from agenda.ingest.document import document_result
from agenda.ingest.safety import check_zip
from agenda.models import IngestResult, SECTORS
from agenda.settings import Limits

_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.I)
_TITLE_STYLE = re.compile(r"^(?:title|titel)$", re.I)
_LIST_STYLE = re.compile(r"^(?:list|lijst)", re.I)
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15)
_PROP_KEYS = {
    "kind", "soort", "date", "datum", "sector", "sectoren", "rol", "role", "rollen", "niveau", "level",
    "school", "organisatie", "organisation", "title", "titel",
}


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


def _all_bold(paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _iter_paragraphs(doc):
    """Body paragraphs and table-cell paragraphs in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def walk(parent_elm, parent):
        for child in parent_elm.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                yield Paragraph(child, parent)
            elif tag == "tbl":
                table = Table(child, parent)
                seen: set[int] = set()
                for row in table.rows:
                    for cell in row.cells:
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        yield from walk(cell._tc, cell)
            elif tag == "sdt":
                content = child.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent")
                if content is not None:
                    yield from walk(content, parent)

    yield from walk(doc.element.body, doc)


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in re.split(r"[;\n]", text):
        if m := re.match(r"^\s*([\w\-]+)\s*[:=]\s*(.+?)\s*$", part):
            if m[1].lower() in _PROP_KEYS:
                out[m[1].lower()] = m[2]
    return out


def properties(doc) -> tuple[dict, dt.date | None]:
    """Front-matter equivalent from core properties, and the `created` date (if really set)."""
    cp = doc.core_properties
    props: dict = {}
    for attr in ("comments", "subject", "keywords"):
        value = clean_text(getattr(cp, attr, "") or "")
        if not value:
            continue
        pairs = _pairs(value)
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


def docx_blocks(path: Path, limits: Limits) -> tuple[dict, dt.date | None, list[Block]]:
    """A Word file as Word shows it: (properties, created date, blocks). Raises IngestError (Dutch).

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
    blocks: list[Block] = []
    for n, para in enumerate(_iter_paragraphs(doc), start=1):
        text = clean_text(para.text or "").strip()
        if not text:
            continue
        level = _style_level(para)
        if level is not None:
            blocks.append(make_block("heading", [(n, text.replace("\n", " "))], level=level))
        elif _is_list(para):
            blocks.append(make_block("item", [(n, text)]))
        elif _all_bold(para) and not text.rstrip().endswith("?") and len(text) < 200:
            blocks.append(make_block("heading", [(n, text)], level=10))
        else:
            blocks.append(make_block("para", [(n, text)]))
    return props, created, blocks


def read_docx(path: Path, rel: str, content_hash: str, limits: Limits) -> IngestResult:
    props, created, blocks = docx_blocks(path, limits)
    return document_result(
        rel=rel, content_hash=content_hash, suffix=".docx", props=props, prop_lines={}, blocks=blocks,
        limits=limits, fallback_date=created,
    )
