"""PDF: the text layer as lines with font size and weight, page by page, behind hostile-input guards.

Library: pdfplumber (MIT, on pdfminer.six, MIT) — it gives every character with its font name
and size, which is what headings need in a PDF without structure tags; pypdf gives text but
no per-line font, pypdfium2 only through its low-level API. Not PyMuPDF (AGPL).

Reusable entry points (the evidence library reads PDFs with them too)::

    pdf_document(path, limits) -> PdfDocument   # title/date from the metadata + pages
    pdf_pages(path, limits)    -> list[PdfPage] # lines with page number, size (pt), bold
    pdf_text(path, limits)     -> str           # running text, paragraphs split by blank lines

All three raise :class:`~agenda.ingest.common.IngestError` with a Dutch reason:

- not a PDF (no ``%PDF-`` header), damaged;
- larger than ``Limits.max_file_mb``; more pages than ``Limits.max_pdf_pages``;
- streams that inflate to more than ``Limits.max_docx_uncompressed_mb`` in all, or more than
  ``Limits.max_docx_ratio`` times the file size (decompression bombs; checked on the raw
  bytes, in bounded chunks, before pdfminer inflates anything);
- encrypted (a password to open, or only restrictions: its streams cannot be checked
  before decryption, so the file is refused with the fix: print it to a new PDF);
- no text layer ("geen tekstlaag (gescand?)").

Clean-up (:func:`pdf_pages`): running headers and footers — a line among the first or last two
of a page that recurs, digits aside, on at least half of the pages (and on at least 2) — and
page numbers ("3", "- 3 -", "Pagina 3 van 12", "3/12") at the top or bottom of a page are
dropped. Reading order (:func:`_read_page`): a two-column stretch column by column
(:func:`find_gutter`), a ruled table cell by cell (``PdfLine.cell``); bullet glyphs (Word's
private-use Symbol/Wingdings characters, Courier New's ``o``) become ``•``, other private-use
glyphs are dropped. Line-end hyphenation is undone by :func:`join_lines` ("gepersonali-" + "seerd" →
"gepersonaliseerd"; "ict-" + "vaardigheden" keeps its hyphen, as do capitals and digits).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from agenda.ingest.common import IngestError, clean_text
from agenda.ingest.safety import check_file_size
from agenda.settings import Limits

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultrabold|\bdemi\b", re.I)
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—|·.]*(?:(?:pagina|page|blz\.?|p\.)\s*)?\d{1,4}(?:\s*(?:van|of|/)\s*\d{1,4})?[\s\-–—|·.]*$", re.I
)
_CID_START = re.compile(r"^\(cid:\d+\)\s+")
_CID = re.compile(r"\(cid:\d+\)")
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class PdfLine:
    """One text line of a page; ``top``/``bottom``/``x0`` in points from the page's top-left."""

    text: str
    page: int  # 1-based
    top: float
    bottom: float
    x0: float
    size: float  # median font size of its characters, pt
    bold: bool  # most characters in a bold/black/heavy font
    column: int = 0  # 0: full width; 1, 2: left, right column of a two-column stretch
    cell: int = 0  # 0: running text; else a table cell's number on its page (a cell is its own paragraph)
    question_cell: bool = False  # a table cell under a column headed *Kennisvraag*/*Vraag*
    context: tuple = ()  # (target, value) of the row's Sector/Rol/School/Niveau cells, for a table cell


@dataclass
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    lines: list[PdfLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_lines([ln.text for ln in self.lines])


@dataclass
class PdfDocument:
    title: str | None
    date: dt.date | None
    keywords: str  # metadata Keywords + Subject, for `key: value` context
    pages: list[PdfPage]


# --- guards -----------------------------------------------------------------------------------


def check_pdf(path: Path, limits: Limits) -> None:
    """Size, header, encryption and decompression guards on the raw bytes (before any parser)."""
    size = check_file_size(path, limits)
    with open(path, "rb") as fh:
        data = fh.read()
    if b"%PDF-" not in data[:1024]:
        raise IngestError("geen PDF-bestand (de kop %PDF- ontbreekt): beschadigd of een ander bestandstype")
    if re.search(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)", data):
        raise IngestError(
            "PDF is versleuteld (met een wachtwoord of met beperkingen beveiligd) en wordt niet gelezen; "
            "open het en sla het op via 'Afdrukken als PDF' zonder beveiliging"
        )
    max_total = limits.max_docx_uncompressed_mb * 1024 * 1024
    max_by_ratio = limits.max_docx_ratio * max(size, 1)
    cap = int(min(max_total, max_by_ratio)) + 1
    total = 0
    for m in _STREAM.finditer(data):
        total += _inflated_size(data, m.end(), cap - total)
        if total >= cap:
            if total > max_total:
                raise IngestError(
                    f"PDF pakt uit tot meer dan {limits.max_docx_uncompressed_mb:g} MB: mogelijk een "
                    "decompressiebom, niet gelezen"
                )
            raise IngestError(
                f"PDF pakt meer dan {limits.max_docx_ratio:g} keer zo groot uit als het bestand: mogelijk een "
                "decompressiebom, niet gelezen"
            )


def _inflated_size(data: bytes, start: int, budget: int) -> int:
    """Bytes a zlib stream starting at ``start`` inflates to, at most ``budget`` + 1; 0 when not zlib."""
    d = zlib.decompressobj()
    out = 0
    pos = start
    try:
        while pos < len(data) and not d.eof and out <= budget:
            chunk = data[pos : pos + _CHUNK]
            pos += len(chunk)
            out += len(d.decompress(chunk, budget + 1 - out))
            while d.unconsumed_tail and out <= budget and not d.eof:
                out += len(d.decompress(d.unconsumed_tail, budget + 1 - out))
    except zlib.error:
        return out  # not (or no longer) zlib data: count what did inflate
    return out


# --- reading ----------------------------------------------------------------------------------


def _pdf_date(value: object) -> dt.date | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    if not isinstance(value, str):
        return None
    m = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _meta_text(value: object) -> str:
    if isinstance(value, bytes):
        for enc in ("utf-16",) if value.startswith((b"\xfe\xff", b"\xff\xfe")) else ("utf-8", "latin-1"):
            try:
                value = value.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    return clean_text(str(value)).strip() if isinstance(value, str) else ""


def _useful_title(title: str) -> str | None:
    # converters write "Microsoft Word - verslag.docx" or the file name: not a title
    if not title or re.match(r"^(microsoft\s+\w+\s+-|untitled|naamloos)", title, re.I):
        return None
    if re.search(r"\.(docx?|pdf|odt|pptx?)$", title, re.I):
        return None
    return title


def _declared_pages(pdf) -> int:
    """The page count the PDF's page tree declares (/Pages /Count), 0 when it cannot be read: a cheap
    first check; the pages themselves are counted again as they are parsed."""
    try:
        from pdfminer.pdftypes import resolve1

        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
        return count if isinstance(count, int) and count > 0 else 0
    except Exception:
        return 0


def pdf_document(path: Path, limits: Limits | None = None) -> PdfDocument:
    """Read a PDF's text layer; see the module docstring for guards and clean-up."""
    limits = limits or Limits()
    path = Path(path)
    check_pdf(path, limits)
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover
        raise IngestError(f"pdfplumber is niet geïnstalleerd ({exc})") from None
    try:
        pdf = pdfplumber.open(str(path))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise IngestError("PDF is met een wachtwoord beveiligd en kan niet worden gelezen") from None
    except Exception as exc:
        raise IngestError(f"beschadigd PDF-bestand ({exc.__class__.__name__}: {str(exc)[:120]})") from None
    try:
        declared = _declared_pages(pdf)
        if declared > limits.max_pdf_pages:  # refused before every page is parsed (10,000 pages took 64 s)
            raise IngestError(f"PDF heeft {declared} pagina's (grens {limits.max_pdf_pages}): niet gelezen")
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:
            raise IngestError(f"beschadigd PDF-bestand: paginaboom onleesbaar ({exc.__class__.__name__})") from None
        if n_pages > limits.max_pdf_pages:
            raise IngestError(f"PDF heeft {n_pages} pagina's (grens {limits.max_pdf_pages}): niet gelezen")
        if n_pages == 0:
            raise IngestError("PDF zonder pagina's")
        meta = pdf.metadata or {}
        pages: list[PdfPage] = []
        for page in pdf.pages:
            try:
                pages.append(_read_page(page))
            except IngestError:
                raise
            except Exception as exc:
                raise IngestError(
                    f"beschadigde pagina {page.page_number} in de PDF ({exc.__class__.__name__}: {str(exc)[:120]})",
                    page.page_number,
                ) from None
            finally:
                page.close()
    finally:
        if hasattr(pdf, "_pages"):
            pdf.close()
        else:  # refused before the pages were parsed: pdfplumber's close() would parse them all to close them
            pdf.stream.close()
    if sum(len(ln.text.strip()) for p in pages for ln in p.lines) < 10:
        raise IngestError(
            "geen tekstlaag (gescand?): de PDF bevat alleen afbeeldingen; maak er met tekstherkenning (OCR) "
            "een doorzoekbare PDF van of lever de tekst aan als .docx"
        )
    _drop_furniture(pages)
    keywords = "; ".join(t for t in (_meta_text(meta.get("Keywords")), _meta_text(meta.get("Subject"))) if t)
    return PdfDocument(
        title=_useful_title(_meta_text(meta.get("Title"))),
        date=_pdf_date(meta.get("CreationDate")),
        keywords=keywords,
        pages=pages,
    )


def pdf_pages(path: Path, limits: Limits | None = None) -> list[PdfPage]:
    """The pages of a PDF with their cleaned lines (headers, footers and page numbers dropped)."""
    return pdf_document(path, limits).pages


def pdf_text(path: Path, limits: Limits | None = None) -> str:
    """Running text of a PDF: lines of a paragraph joined (hyphenation undone), paragraphs and pages
    separated by a blank line. Paragraphs are cut where the vertical gap exceeds the line spacing."""
    paras: list[str] = []
    for page in pdf_pages(path, limits):
        for group in paragraphs(page.lines):
            paras.append(join_lines([ln.text for ln in group]))
    return "\n\n".join(p for p in paras if p.strip())


_PUA = re.compile("[\ue000-\uf8ff]")
# Bullet glyphs that are never text: Word's symbol-font bullets reach the text layer as private-use
# U+F0xx (Symbol U+F0B7, Wingdings U+F0A7 square, U+F0D8 arrow, U+F076 diamond, U+F0FC check …).
_GLYPH_BULLETS = set("•▪◦●■□◆◇❖➢➤►▶▸▹✓✔→⇒‣⁃∙○◘◙")
# Characters a symbol font without a Unicode map leaves behind ("§" Wingdings square, "Ø" arrow,
# "ü" check, "v" diamond, "q" box, "n"/"l" square/dot, "·" Symbol dot), and Courier New's "o" (Word's
# second-level bullet): a bullet only in a symbol font or when a tab-wide gap follows.
_LETTER_BULLETS = set("o§Øüvqnl·¨Ÿ-–*")
_SYMBOL_FONT = re.compile(r"wingdings|webdings|symbol|dingbat|courier", re.I)


def _bullet_prefix(chars: list) -> int:
    """How many leading characters of a line are a bullet glyph (0 when none): a glyph bullet,
    or a letter-like bullet in a symbol font or followed by a gap wider than a space."""
    if len(chars) < 2:
        return 0
    first = chars[0]
    glyph = str(first.get("text", ""))
    nxt = next((c for c in chars[1:] if str(c.get("text", "")).strip()), None)
    if nxt is None or len(glyph) != 1:
        return 0
    if glyph in _GLYPH_BULLETS or _PUA.match(glyph):
        return 1
    if glyph in _LETTER_BULLETS:
        gap = float(nxt.get("x0", 0.0)) - float(first.get("x1", 0.0))
        size = float(first.get("size", 0.0)) or 10.0
        if gap >= 0.45 * size or (gap > 0.1 * size and _SYMBOL_FONT.search(str(first.get("fontname", "")))):
            return 1
    return 0


def _make_line(raw: dict, page_no: int, column: int = 0, cell: int = 0, question_cell: bool = False) -> PdfLine | None:
    """One pdfplumber text line as a PdfLine; bullet glyphs become "• ", other private-use glyphs go."""
    # pdfminer writes "(cid:N)" for a glyph without a Unicode mapping: at the start of a line
    # that is a bullet symbol font (Symbol, Wingdings), elsewhere it carries no text
    text = clean_text(raw.get("text", "")).replace("\n", " ").strip()
    text = _CID_START.sub("• ", text)
    chars = [c for c in raw.get("chars", []) if str(c.get("text", "")).strip()]
    if _bullet_prefix(chars) and text[:1] == str(chars[0].get("text", "")):
        text = "• " + text[1:].lstrip()
    text = " ".join(_PUA.sub("", _CID.sub("", text)).split())
    if not text or text == "•":
        return None
    sizes = [float(c.get("size", 0.0)) for c in chars] or [0.0]
    bold = sum(1 for c in chars if _BOLD_FONT.search(str(c.get("fontname", "")))) > len(chars) / 2
    return PdfLine(
        text=text, page=page_no, top=float(raw["top"]), bottom=float(raw["bottom"]),
        x0=float(raw["x0"]), size=round(statistics.median(sizes), 1), bold=bold,
        column=column, cell=cell, question_cell=question_cell,
    )


def _text_lines(page) -> list[dict]:
    return page.extract_text_lines(return_chars=True, strip=True, layout=False)


def _tables(page) -> list:
    """Ruled tables (pdfplumber's line strategy: the borders Word and LibreOffice draw) with at
    least two cells; a single framed box is running text, not a table."""
    if not (page.rects or page.lines or page.curves):
        return []  # no drawn borders: no ruled table (and no need for pdfplumber's edge finding)
    try:
        found = page.find_tables()
    except Exception:  # a malformed drawing: read the page as running text
        return []
    return [t for t in found if sum(1 for row in t.rows for c in row.cells if c is not None) >= 2]


def _inside(obj: dict, bbox: tuple) -> bool:
    x0, top, x1, bottom = bbox
    cx = (float(obj["x0"]) + float(obj["x1"])) / 2
    cy = (float(obj["top"]) + float(obj["bottom"])) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _segments(chars: list, gap: float) -> list[tuple[float, float]]:
    """x extents of a line's runs of text: characters closer than ``gap`` belong together."""
    spans = sorted((float(c["x0"]), float(c["x1"])) for c in chars if str(c.get("text", "")).strip())
    out: list[list[float]] = []
    for x0, x1 in spans:
        if out and x0 - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def find_gutter(lines: list[dict], width: float) -> float | None:
    """The x of the gap between two text columns, or None for a one-column page.

    Each line's characters are grouped into runs (a gap wider than 1.2 × the font size splits a
    run; word spaces are ~0.3 ×). A gutter is a vertical strip in the middle 40% of the page that
    at most 15% of the lines cross, with at least three lines (and a fifth of the others) on each
    side of it, whose runs are wide (median at least a fifth of the page width); its x is the middle of the widest such strip around the x with the most lines on
    both sides. Source: the whitespace-strip idea of Breuel's layout analysis, reduced to the
    one gutter of a two-column publication (Word/LibreOffice "Columns: 2").
    """
    segs = []
    for ln in lines:
        chars = ln.get("chars", [])
        size = statistics.median([float(c.get("size", 10.0)) for c in chars]) if chars else 10.0
        s = _segments(chars, max(1.2 * size, 6.0))
        if s:
            segs.append(s)
    if len(segs) < 6:
        return None
    lo, hi = int(0.3 * width), int(0.7 * width)
    best: tuple[int, int] | None = None  # (score, x)
    crossing: dict[int, int] = {}
    for x in range(lo, hi + 1):
        cross = left = right = 0
        for s in segs:
            if any(a <= x <= b for a, b in s):
                cross += 1
                continue
            left += any(b < x for a, b in s)
            right += any(a > x for a, b in s)
        crossing[x] = cross
        others = len(segs) - cross
        if cross > 0.15 * len(segs) or min(left, right) < 3 or min(left, right) < 0.2 * others:
            continue
        score = min(left, right) * 1000 - cross
        if best is None or score > best[0]:
            best = (score, x)
    if best is None:
        return None
    x = best[1]
    # columns hold running text: the runs on either side are wide (a contents page's page numbers,
    # a right-aligned date or signature are not a column)
    left_w = [b - a for s in segs if not any(a <= x <= b for a, b in s) for a, b in s if b < x]
    right_w = [b - a for s in segs if not any(a <= x <= b for a, b in s) for a, b in s if a > x]
    if min(statistics.median(left_w), statistics.median(right_w)) < 0.2 * width:
        return None
    a = b = x
    while a - 1 >= lo and crossing.get(a - 1, 1 << 30) <= crossing[x]:
        a -= 1
    while b + 1 <= hi and crossing.get(b + 1, 1 << 30) <= crossing[x]:
        b += 1
    return (a + b) / 2


def _crosses(line: dict, x: float) -> bool:
    chars = line.get("chars", [])
    size = statistics.median([float(c.get("size", 10.0)) for c in chars]) if chars else 10.0
    return any(a <= x <= b for a, b in _segments(chars, max(1.2 * size, 6.0)))


def _region(page, bbox):
    """The page with only the characters whose centre lies in ``bbox``: a cell's first line often
    starts a point above the cell's border (small cell padding, the font's ascent), which pdfplumber's
    within_bbox would drop."""
    return page.filter(lambda o: o.get("object_type") != "char" or _inside(o, bbox))


def _cell_text(page, bbox) -> str:
    return " ".join(join_lines([str(r.get("text", "")) for r in _text_lines(_region(page, bbox))]).split())


def _table_lines(page, table, page_no: int, cell_no: int) -> tuple[list[PdfLine], int]:
    """A ruled table's lines, cell by cell, row by row. pdfplumber puts every row on the table's
    column grid (a merged cell is followed by None), so a header spanning columns covers them all.
    As in Word: a first row naming *Sector*/*Rol*/*School*/*Niveau*/*Organisatie* makes those cells
    each row's context (not text); cells under a *Kennisvraag*/*Vraag* header are in a question section."""
    from agenda.ingest.blocks import is_question_heading
    from agenda.ingest.word import context_header

    rows = [row.cells for row in table.rows]
    if not rows:
        return [], cell_no

    def header(cells: list) -> tuple[dict[int, str], set[int]]:
        labels: list[str] = []
        for c in cells:
            labels.append(_cell_text(page, c).lower() if c is not None else (labels[-1] if labels else ""))
        roles = {i: r for i, h in enumerate(labels) if (r := context_header(h))}
        qcols = {i for i, h in enumerate(labels) if i not in roles and h and is_question_heading(h) and not h.endswith("?")}
        return roles, qcols

    head = 0
    roles, qcols = header(rows[0])
    if not (roles or qcols) and len(rows) > 1 and sum(c is not None for c in rows[0]) == 1:
        roles, qcols = header(rows[1])  # a caption over the whole table; the column names below it
        head = 1
    lines: list[PdfLine] = []
    for r_i, cells in enumerate(rows):
        data_row = r_i > head and bool(roles or qcols)
        context = tuple(
            (roles[i], _cell_text(page, c)) for i, c in enumerate(cells) if i in roles and c is not None and data_row
        )
        for c_i, bbox in enumerate(cells):
            if bbox is None or (data_row and c_i in roles):
                continue  # merged into the cell before it, or context
            cell_no += 1
            for raw in _text_lines(_region(page, bbox)):
                ln = _make_line(raw, page_no, cell=cell_no, question_cell=data_row and c_i in qcols)
                if ln is not None:
                    lines.append(replace(ln, context=context) if context else ln)
    return lines, cell_no


def _read_page(page) -> PdfPage:
    """A page's lines in reading order: running text; a two-column stretch left column first, then
    right (a line that crosses the gutter — a title, a caption over both — is read where it stands);
    each cell of a ruled table on its own, row by row."""
    out = PdfPage(number=page.page_number, width=float(page.width), height=float(page.height))
    tables = _tables(page)
    boxes = [tuple(t.bbox) for t in tables]
    text_page = page.filter(lambda o: o.get("object_type") != "char" or not any(_inside(o, b) for b in boxes)) if boxes else page
    raw_lines = _text_lines(text_page)
    gutter = find_gutter(raw_lines, out.width)
    if gutter is None and not tables:
        out.lines = [ln for raw in raw_lines if (ln := _make_line(raw, out.number)) is not None]
        out.lines.sort(key=lambda ln: (round(ln.top, 0), ln.x0))
        return out
    units: list[tuple[float, list[PdfLine]]] = []  # (top, lines in reading order)
    band: list[dict] = []

    def close_band() -> None:
        if not band:
            return
        top = min(float(r["top"]) for r in band) - 0.5
        bottom = max(float(r["bottom"]) for r in band) + 0.5
        lines: list[PdfLine] = []
        for column, bbox in ((1, (0, top, gutter, bottom)), (2, (gutter, top, out.width, bottom))):
            for raw in _text_lines(_region(text_page, bbox)):
                if (ln := _make_line(raw, out.number, column=column)) is not None:
                    lines.append(ln)
        units.append((top, lines))
        band.clear()

    for raw in raw_lines:
        if gutter is not None and not _crosses(raw, gutter):
            band.append(raw)
            continue
        close_band()
        if (ln := _make_line(raw, out.number)) is not None:
            units.append((ln.top, [ln]))
    close_band()
    cell_no = 0
    for table in tables:
        lines, cell_no = _table_lines(page, table, out.number, cell_no)
        units.append((float(table.bbox[1]), lines))
    units.sort(key=lambda u: u[0])
    out.lines = [ln for _, lines in units for ln in lines]
    return out


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _edge_lines(page: PdfPage) -> list[PdfLine]:
    """The first two and last two lines of a page, when they lie in its top or bottom 15%."""
    lines = sorted(page.lines, key=lambda ln: (round(ln.top, 0), ln.x0))  # reading order may differ
    picks = lines[:2] + lines[-2:] if len(lines) > 4 else list(lines)
    zone = 0.15 * page.height
    return [ln for ln in picks if ln.top < zone or ln.bottom > page.height - zone]


def _drop_furniture(pages: list[PdfPage]) -> None:
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_furniture_key(ln.text) for ln in _edge_lines(page)})
    need = max(2, (len(pages) + 1) // 2)
    for page in pages:
        edge = {id(ln) for ln in _edge_lines(page)}
        page.lines = [
            ln for ln in page.lines
            if id(ln) not in edge
            or not (_PAGE_NUMBER.match(ln.text) or (len(pages) >= 2 and counts[_furniture_key(ln.text)] >= need))
        ]


# --- joining lines ------------------------------------------------------------------------------

_HYPHEN_END = re.compile(r"(\w+)[-\u00ad]$")
_ELISION = re.compile(r"^(?:en|of|tot|en/of)\s")
_KEEP_HYPHEN = re.compile(r"^(?:[a-z]{1,4}|.*[A-Z0-9].*)$")


def join_lines(lines: list[str]) -> str:
    """Join a paragraph's lines with spaces, undoing line-end hyphenation.

    A soft hyphen (U+00AD) always joins. A hyphen joins the halves when the next line starts
    with a lower-case letter and the part before it is a plain word of 5+ letters; a short or
    capitalised part (ict-, po-, ICT-, 21e-) is a compound and keeps its hyphen, without a space;
    before *en*/*of*/*tot* the hyphen is an elision ("po- en vo-scholen") and the space stays.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        m = _HYPHEN_END.search(out)
        if m and out.endswith("-") and _ELISION.match(line):
            out = out + " " + line  # "po- en vo-scholen": an elided compound, not a word split
        elif m and line[:1].islower():
            if out.endswith("\u00ad"):
                out = out[:-1] + line
            elif _KEEP_HYPHEN.match(m[1]):
                out = out + line
            else:
                out = out[:-1] + line
        else:
            out = out.rstrip("\u00ad") + " " + line
    return out.replace("\u00ad", "")


def body_size(pages: list[PdfPage]) -> float:
    """The font size that carries the most characters: the body text."""
    weight: Counter[float] = Counter()
    for p in pages:
        for ln in p.lines:
            weight[ln.size] += len(ln.text)
    return weight.most_common(1)[0][0] if weight else 0.0


def paragraphs(lines: list[PdfLine]) -> list[list[PdfLine]]:
    """Group a page's lines: a new group after a vertical gap larger than 0.8 × the font size,
    or when the font size or weight changes."""
    groups: list[list[PdfLine]] = []
    for ln in lines:
        if groups:
            prev = groups[-1][-1]
            gap = ln.top - prev.bottom
            same_font = abs(ln.size - prev.size) < 0.6 and ln.bold == prev.bold
            if ln.cell != prev.cell:
                pass  # a table cell is a paragraph of its own
            elif ln.column != prev.column:
                # a sentence running on from the foot of the left column to the top of the right one
                if (same_font and prev.column == 1 and ln.column == 2 and ln.top < prev.top
                        and not _SENTENCE_END.search(prev.text) and ln.text[:1].islower()):
                    groups[-1].append(ln)
                    continue
            elif same_font and -2 <= gap <= 0.8 * max(ln.size, 1.0):
                groups[-1].append(ln)
                continue
        groups.append([ln])
    return groups


# --- meeting reports and cases --------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[•▪◦·\-–*\uf0b7\uf0a7\u25cf\u25aa]|\(?\d{1,3}[.)]|[a-z][.)])\s+")
_SENTENCE_END = re.compile(r"[.?!:…][)\"'’”»]*$")


def _block(kind: str, lines: list[PdfLine], level: int = 0, warnings: list | None = None):
    from agenda.ingest.blocks import Block
    from agenda.ingest.common import normalise_qmarks

    text = ""
    starts: list[tuple[int, int]] = []
    for ln in lines:
        before = len(text)
        text = join_lines([text, ln.text]) if text else ln.text.strip()
        starts.append((min(before + (1 if before else 0), len(text)), ln.page))
    block = Block(kind, normalise_qmarks(text), lines[0].page, level, starts)
    block.section = any(ln.question_cell for ln in lines)  # a cell under a *Kennisvraag* column
    if lines[0].context:
        from agenda.ingest.common import context_cells

        block.context, block.extra, found = context_cells(dict(lines[0].context), f"pagina {lines[0].page} (tabel)")
        if warnings is not None:
            warnings.extend((lines[0].page, w) for w in found)
    return block


def document_blocks(doc: PdfDocument, warnings: list[tuple[int | None, str]] | None = None) -> list:
    """Headings (by font size, or a bold line at body size), list items and paragraphs.

    ``Block.line`` is the page number: a mention's location in a PDF is its page. Heading levels
    follow the sizes larger than the body text, largest first (1, 2, …); a bold line of body size
    that does not end in ``?`` is a heading below all of them (10), as in Word. A paragraph that
    runs on to the next page (no sentence end before the page break) is one paragraph. Each cell
    of a ruled table is a paragraph of its own; a cell under a *Kennisvraag*/*Vraag* column counts
    as in a question section, and the row's *Sector*/*Rol*/… cells are its context (as in Word);
    ``warnings`` (if given) receives (page, Dutch reason) for unknown context values.
    """
    body = body_size(doc.pages)
    bigger = sorted({ln.size for p in doc.pages for ln in p.lines if ln.size >= body + 0.9}, reverse=True)
    level_of = {size: min(i + 1, 9) for i, size in enumerate(bigger)}
    blocks: list = []
    open_lines: list[PdfLine] | None = None  # the paragraph/item being built, may cross a page
    open_kind = "para"

    def flush() -> None:
        nonlocal open_lines
        if open_lines:
            blocks.append(_block(open_kind, open_lines, warnings=warnings))
        open_lines = None

    for page in doc.pages:
        for group in paragraphs(page.lines):
            first = group[0]
            text = join_lines([ln.text for ln in group])
            if first.cell:  # a table cell: its own paragraph (or list items), never a heading
                flush()
                open_kind = "para"
                for ln in group:
                    m = _BULLET.match(ln.text)
                    if m or open_lines is None:
                        flush()
                        open_kind = "item" if m else "para"
                        open_lines = [replace(ln, text=ln.text[m.end():]) if m else ln]
                    else:
                        open_lines.append(ln)
                flush()
                continue
            if first.size in level_of:
                flush()
                blocks.append(_block("heading", group, level_of[first.size]))
                continue
            if all(ln.bold for ln in group) and len(text) < 200 and not text.rstrip().endswith("?"):
                flush()
                blocks.append(_block("heading", group, 10))
                continue
            for i, ln in enumerate(group):
                m = _BULLET.match(ln.text)
                if m:
                    flush()
                    open_kind = "item"
                    open_lines = [replace(ln, text=ln.text[m.end():])]
                    continue
                runs_on = (
                    i == 0 and open_lines is not None and open_lines[-1].page != ln.page and not open_lines[-1].cell
                    and not _SENTENCE_END.search(open_lines[-1].text) and ln.text[:1].islower()
                )
                if open_lines is not None and (i > 0 or runs_on):
                    open_lines.append(ln)
                    continue
                flush()
                open_kind = "para"
                open_lines = [ln]
        # a page ends: an unfinished paragraph stays open for its continuation on the next page
    flush()
    return blocks


def read_pdf(path: Path, rel: str, content_hash: str, limits: Limits):
    """A meeting report / case / publication as PDF → IngestResult (document rules as Markdown and Word)."""
    from agenda.ingest.common import date_from_filename, date_from_text, property_pairs
    from agenda.ingest.document import document_result

    doc = pdf_document(path, limits)
    props: dict = property_pairs(doc.keywords) if doc.keywords else {}
    if doc.title:
        props["title"] = doc.title
    warnings: list[tuple[int | None, str]] = []
    blocks = document_blocks(doc, warnings)
    # A PDF's CreationDate is the day it was exported, often long after the meeting: the file
    # name and a date in the text ("Op 23 juni 2021 …") come first.
    name = PurePosixPath(rel).name
    date = date_from_filename(name) or date_from_text("\n".join(b.text for b in blocks[:200]), name) or doc.date
    return document_result(
        rel=rel, content_hash=content_hash, suffix=".pdf", props=props, prop_lines={},
        blocks=blocks, limits=limits, fallback_date=date, warnings=warnings,
    )
