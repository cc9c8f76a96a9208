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
dropped. Line-end hyphenation is undone by :func:`join_lines` ("gepersonali-" + "seerd" →
"gepersonaliseerd"; "ict-" + "vaardigheden" keeps its hyphen, as do capitals and digits).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass, field
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
        pdf.close()
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


def _read_page(page) -> PdfPage:
    out = PdfPage(number=page.page_number, width=float(page.width), height=float(page.height))
    for raw in page.extract_text_lines(return_chars=True, strip=True, layout=False):
        # pdfminer writes "(cid:N)" for a glyph without a Unicode mapping: at the start of a line
        # that is a bullet symbol font (Symbol, Wingdings), elsewhere it carries no text
        text = clean_text(raw.get("text", "")).replace("\n", " ").strip()
        text = _CID_START.sub("• ", text)
        text = " ".join(_CID.sub("", text).split())
        if not text:
            continue
        chars = [c for c in raw.get("chars", []) if str(c.get("text", "")).strip()]
        sizes = [float(c.get("size", 0.0)) for c in chars] or [0.0]
        bold = sum(1 for c in chars if _BOLD_FONT.search(str(c.get("fontname", "")))) > len(chars) / 2
        out.lines.append(
            PdfLine(
                text=text, page=out.number, top=float(raw["top"]), bottom=float(raw["bottom"]),
                x0=float(raw["x0"]), size=round(statistics.median(sizes), 1), bold=bold,
            )
        )
    out.lines.sort(key=lambda ln: (round(ln.top, 0), ln.x0))
    return out


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _edge_lines(page: PdfPage) -> list[PdfLine]:
    """The first two and last two lines of a page, when they lie in its top or bottom 15%."""
    lines = page.lines
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
            if same_font and -2 <= gap <= 0.8 * max(ln.size, 1.0):
                groups[-1].append(ln)
                continue
        groups.append([ln])
    return groups


# --- meeting reports and cases --------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[•▪◦·\-–*\uf0b7\uf0a7\u25cf\u25aa]|\(?\d{1,3}[.)]|[a-z][.)])\s+")
_SENTENCE_END = re.compile(r"[.?!:…][)\"'’”»]*$")


def _block(kind: str, lines: list[PdfLine], level: int = 0):
    from agenda.ingest.blocks import Block
    from agenda.ingest.common import normalise_qmarks

    text = ""
    starts: list[tuple[int, int]] = []
    for ln in lines:
        before = len(text)
        text = join_lines([text, ln.text]) if text else ln.text.strip()
        starts.append((min(before + (1 if before else 0), len(text)), ln.page))
    return Block(kind, normalise_qmarks(text), lines[0].page, level, starts)


def document_blocks(doc: PdfDocument) -> list:
    """Headings (by font size, or a bold line at body size), list items and paragraphs.

    ``Block.line`` is the page number: a mention's location in a PDF is its page. Heading levels
    follow the sizes larger than the body text, largest first (1, 2, …); a bold line of body size
    that does not end in ``?`` is a heading below all of them (10), as in Word. A paragraph that
    runs on to the next page (no sentence end before the page break) is one paragraph.
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
            blocks.append(_block(open_kind, open_lines))
        open_lines = None

    for page in doc.pages:
        for group in paragraphs(page.lines):
            first = group[0]
            text = join_lines([ln.text for ln in group])
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
                    open_lines = [PdfLine(ln.text[m.end():], ln.page, ln.top, ln.bottom, ln.x0, ln.size, ln.bold)]
                    continue
                runs_on = (
                    i == 0 and open_lines is not None and open_lines[-1].page != ln.page
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
    blocks = document_blocks(doc)
    # A PDF's CreationDate is the day it was exported, often long after the meeting: the file
    # name and a date in the text ("Op 23 juni 2021 …") come first.
    name = PurePosixPath(rel).name
    date = date_from_filename(name) or date_from_text("\n".join(b.text for b in blocks[:200]), name) or doc.date
    return document_result(
        rel=rel, content_hash=content_hash, suffix=".pdf", props=props, prop_lines={},
        blocks=blocks, limits=limits, fallback_date=date,
    )
