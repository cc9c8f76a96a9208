"""The evidence library: every file in ``inputs/kennis/`` → knowledge sources with passages.

Public interface::

    read_library(inputs_dir, limits=None) -> LibraryResult   # .sources, .rejections, .digests
    knowledge_id(doi, title, year, text="") -> "K-xxxxxx"

Formats (each parsed by a well-kept library, never by hand where one exists):

- reference-manager exports, one entry each: RIS (``rispy``), BibTeX (``bibtexparser`` v2,
  LaTeX accents decoded), CSL-JSON (``.json``, the format Zotero and citeproc exchange);
- a spreadsheet (``.csv``/``.xlsx``) with the columns *titel, auteurs, jaar, samenvatting, url*
  (English names and *doi*, *tijdschrift/bron* are accepted too);
- whole documents, one entry each: ``.md`` (front matter ``title``, ``date``, ``url``,
  ``authors``), ``.txt``, ``.docx`` (the ingest Word reader's paragraph walk), ``.pdf``
  (the ingest PDF reader's text layer), saved web pages ``.html`` (``selectolax``: scripts,
  styles and site chrome dropped; ``<main>``/``<article>`` preferred; a page without them goes
  through ``trafilatura``'s boilerplate removal, so a cookie banner, menu or sidebar is no passage).

Ids: ``K-`` + 6 hex of sha1 over the DOI, else the normalised title and year, else the text:
the same publication exported again (another order, another file, another manager) keeps
its id, so a curator's verdicts survive rebuilds. The same id twice keeps the first entry.

Every file goes through the same guards as other inputs (size before reading, zip checks
for .docx/.xlsx, safe YAML front matter, decoding as Excel/Word write text); a file that
cannot be read becomes a Dutch rejection naming the file (and line where known), and the
rest of the library still goes in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agenda.ingest import LIBRARY_DIR, discover, file_sha256
from agenda.ingest.common import IngestError, clean_text, decode_bytes, parse_date, relative_path
from agenda.ingest.safety import check_file_size, check_size, check_zip
from agenda.models import KnowledgeSource, Rejection
from agenda.settings import Limits

log = logging.getLogger("agenda.evidence")

__all__ = ["LIBRARY_SUFFIXES", "LibraryResult", "knowledge_id", "read_library", "read_library_file", "split_passages"]

LIBRARY_SUFFIXES = (".ris", ".bib", ".json", ".csv", ".xlsx", ".md", ".markdown", ".txt", ".docx", ".pdf",
                    ".html", ".htm")
MAX_ENTRIES = 100_000  # entries per export file: more is refused with a reason, never cut silently
PASSAGE_CHARS = 1_500  # a passage is cut by length too: a page without spaces was one 20 MB passage
MAX_PASSAGES = 300  # per source: bounds embedding time for a very long document (~12 s at 25/s)
MAX_ABSTRACT = 20_000  # characters of an abstract kept (the rest is said in a warning, never dropped silently)
# characters of an entry's text worked on: more than its passages and abstract can hold; a 20 MB BibTeX
# field went through every text regex whole (76 s) only to be cut to these afterwards
MAX_TEXT = 2 * PASSAGE_CHARS * MAX_PASSAGES
PASSAGE_WORDS = 90  # a passage is about a paragraph: long enough for context, short for e5 (512 tokens)

_WS = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+(?=[\"“‘'(\[]?[A-Z0-9ÀÁÂÄÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜ])")
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


class Entries(list):
    """The entries of one export file, and what was left out of it: ``skipped`` holds Dutch reasons
    ("referentie 2 (regel 6): geen titel of tekst"), reported as a warning, never dropped silently."""

    def __init__(self, items=(), skipped: list[str] | None = None):
        super().__init__(items)
        self.skipped: list[str] = list(skipped or [])


def _kept(out: list, where: list[str], total: int | None = None, extra: list[str] | None = None) -> Entries:
    """`out` (entries, None where an entry had neither title nor text) as Entries, with the skipped
    ones named by `where` (their position in the file, parallel to `out`)."""
    skipped = [f"{w}: geen titel of tekst" for w, e in zip(where, out, strict=False) if e is None]
    return Entries([e for e in out if e is not None], [*(extra or []), *skipped])


@dataclass
class LibraryResult:
    sources: list[KnowledgeSource] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # relative path -> sha256 (input fingerprint)
    notes: list[str] = field(default_factory=list)


# --- ids and small normalisers -----------------------------------------------------------


def _collapse(text: object) -> str:
    return _WS.sub(" ", clean_text(str(text or ""))).strip()


def _norm_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def normalise_doi(value: object) -> str:
    """'https://doi.org/10.1/X' or 'doi:10.1/X' -> '10.1/X' (case kept for display; ids fold it);
    '' when there is no DOI in it."""
    m = _DOI.search(str(value or ""))
    return m.group(0).rstrip(".,;)") if m else ""


def knowledge_key(doi: str, title: str, year: int | None, text: str = "") -> str:
    """What makes two entries the same publication: the DOI, else the normalised title + year,
    else the normalised text."""
    if doi:
        return "doi:" + doi.lower()
    if _norm_key(title):
        return f"title:{_norm_key(title)}|{year or ''}"
    return "text:" + _norm_key(text)[:5000]


def knowledge_id(doi: str, title: str, year: int | None, text: str = "", digits: int = 6) -> str:
    """``K-`` + 6 hex of `knowledge_key` (ids already in curation.yaml keep working); an entry whose
    6 hex collide with another publication's gets 12 (`read_library`), never merged with it."""
    key = knowledge_key(doi, title, year, text)
    return "K-" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:digits]


def _identity(source: KnowledgeSource) -> str:
    return knowledge_key(source.doi, source.title, source.year, " ".join(source.passages[:3]))


def _year(value: object) -> int | None:
    m = _YEAR.search(str(value or ""))
    return int(m.group(1)) if m else None


def split_passages(paragraphs: list[str], words: int = PASSAGE_WORDS) -> list[str]:
    """Paragraphs → passages of about ``words`` words: short paragraphs are joined, long ones
    are cut between sentences (a sentence is never split unless it alone is over twice as long)."""
    out: list[str] = []
    current: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal current, size
        if current:
            out.append(" ".join(current))
        current, size = [], 0

    for para in paragraphs:
        para = _collapse(para)
        if not para:
            continue
        for sentence in _SENTENCE.split(para):
            n = len(sentence.split())
            if n > 2 * words:  # a run-on "sentence" (a table, a list without stops): cut by words
                flush()
                tokens = sentence.split()
                out.extend(" ".join(tokens[i:i + words]) for i in range(0, len(tokens), words))
                continue
            if size and size + n > words:
                flush()
            current.append(sentence)
            size += n
        if size >= words // 2:  # a paragraph boundary is a good place to cut once half full
            flush()
    flush()
    return out


def _over_limit(n: int, rel: str) -> None:
    """Refuse an export with more entries than MAX_ENTRIES (it was cut at 20,000 without a word)."""
    if n > MAX_ENTRIES:
        raise IngestError(f"{n} referenties in één bestand, meer dan de grens van {MAX_ENTRIES}: niet gelezen; "
                          "exporteer de bibliotheek in delen")


def _cut_long(passages: list[str], limit: int = PASSAGE_CHARS, most: int = MAX_PASSAGES) -> list[str]:
    """Passages over `limit` characters cut into pieces of at most `limit` (at a space where there is
    one in the second half), at most `most` passages in all; linear in the text."""
    out: list[str] = []
    for p in passages:
        start = 0
        while len(p) - start > limit and len(out) < most:
            cut = p.rfind(" ", start + limit // 2, start + limit)
            cut = cut if cut > start else start + limit
            out.append(p[start:cut].strip())
            start = cut
        if len(out) >= most:
            break
        out.append(p[start:].strip())
    return [p for p in out if p][:most]


def _entry(*, path: str, kind: str, title: str, authors: list[str], year: int | None, venue: str = "",
           doi: str = "", url: str = "", abstract: str = "", keywords: list[str] | None = None,
           paragraphs: list[str] | None = None) -> KnowledgeSource | None:
    """A KnowledgeSource with passages; None when it has neither a title nor any text."""
    title = _collapse(str(title)[:MAX_TEXT])[:500]
    abstract = _collapse(str(abstract)[:MAX_TEXT])
    doi = normalise_doi(doi)
    url = _collapse(url) or (f"https://doi.org/{doi}" if doi else "")
    if kind == "reference":
        body = [abstract] if abstract else []
        if keywords:
            body.append("Trefwoorden: " + "; ".join(_collapse(k) for k in keywords if _collapse(k)) + ".")
        passages = split_passages(body)
        first = f"{title}. {passages[0]}" if passages else title
        passages = [first, *passages[1:]] if title else passages
    else:
        kept, room = [], MAX_TEXT
        for para in paragraphs or []:
            if room <= 0:
                break
            kept.append(para[:room])
            room -= len(para)
        passages = split_passages(kept)
    passages = _cut_long([p for p in passages if p][:MAX_PASSAGES])
    if not title and not passages:
        return None
    if not title:
        title = (passages[0][:120] + "…") if len(passages[0]) > 120 else passages[0]
    return KnowledgeSource(
        id=knowledge_id(doi, title, year, " ".join(passages[:3])), title=title,
        authors=[a for a in (_collapse(x) for x in authors) if a][:100], year=year, venue=_collapse(venue)[:300],
        doi=doi, url=url[:2000], path=path, kind=kind, abstract=abstract[:MAX_ABSTRACT], passages=passages,
    )


# --- reference-manager exports ---------------------------------------------------------------


def _text(data: bytes) -> str:
    text, _enc = decode_bytes(data)
    return clean_text(text)


def _read_ris(data: bytes, rel: str) -> list[KnowledgeSource]:
    import rispy

    text = _text(data)
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except Exception as exc:  # rispy raises IOError/ValueError/KeyError on broken exports
        raise IngestError(f"geen geldig RIS-bestand: {str(exc)[:150]}") from None
    if not entries:
        raise IngestError("geen geldig RIS-bestand: geen enkele referentie (TY  - ... ER  -) gevonden")
    _over_limit(len(entries), rel)
    # rispy drops an entry whose 'ER  -' is missing (an export cut short): count the starts
    starts = len(re.findall(r"(?m)^TY  - ", text))
    extra = ([f"{starts - len(entries)} referentie(s) zonder afsluitende 'ER  -'-regel niet gelezen (afgebroken export?)"]
             if starts > len(entries) else [])
    out = []
    for e in entries[:MAX_ENTRIES]:
        urls = e.get("urls") or []
        out.append(_entry(
            path=rel, kind="reference",
            title=e.get("title") or e.get("primary_title") or e.get("translated_title") or "",
            authors=list(e.get("authors") or e.get("first_authors") or []),
            year=_year(e.get("year") or e.get("publication_year") or e.get("date")),
            venue=e.get("secondary_title") or e.get("journal_name") or e.get("alternate_title3")
            or e.get("publisher") or "",
            doi=e.get("doi") or "", url=urls[0] if urls else "",
            abstract=e.get("abstract") or e.get("notes_abstract") or "", keywords=list(e.get("keywords") or []),
        ))
    return _kept(out, [f"referentie {n}" for n in range(1, len(out) + 1)], extra=extra)


def _bib_authors(value: str) -> list[str]:
    return [a.strip() for a in re.split(r"\s+and\s+", value) if a.strip()]


_LATEX = re.compile(r"[\\$]")
_LATEX_TO_TEXT = None


def _latex_text(value: str) -> str:
    """A BibTeX field as text: braces and ``~`` dropped; LaTeX (``\\"o``, ``$\\alpha$``) decoded by
    pylatexenc only where a field holds a backslash or ``$``. bibtexparser's LatexDecodingMiddleware
    decoded every field of every entry with a new parser context each time: 23 ms an entry, 393 s
    for 100,000 entries (measured); plain fields, nearly all of them, now cost nothing."""
    global _LATEX_TO_TEXT
    if not _LATEX.search(value):
        return value.replace("{", "").replace("}", "").replace("~", " ")
    if _LATEX_TO_TEXT is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _LATEX_TO_TEXT = LatexNodes2Text()
    try:
        return _LATEX_TO_TEXT.latex_to_text(value)
    except Exception:  # noqa: BLE001 - a field pylatexenc cannot read stays as written
        return value.replace("{", "").replace("}", "")


_BIB_FIELDS = ("title", "author", "year", "date", "journal", "booktitle", "publisher", "institution", "doi", "url",
               "abstract", "keywords")


def _read_bib(data: bytes, rel: str) -> list[KnowledgeSource]:
    import bibtexparser

    text = _text(data)
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # failed blocks are reported by us, in Dutch
    try:
        lib = bibtexparser.parse_string(text)
    except Exception as exc:
        raise IngestError(f"geen geldig BibTeX-bestand: {str(exc)[:150]}") from None
    if not lib.entries:
        line = lib.failed_blocks[0].start_line + 1 if lib.failed_blocks else None
        raise IngestError("geen geldig BibTeX-bestand: geen enkele referentie (@article{...}) gelezen", line)
    _over_limit(len(lib.entries), rel)
    failed = [b for b in lib.failed_blocks]
    extra = ([f"{len(failed)} onleesbare referentie(s) overgeslagen (regel "
              + ", ".join(str(b.start_line + 1) for b in failed[:10]) + (" …" if len(failed) > 10 else "")
              + "; een accolade of komma te veel of te weinig?)"] if failed else [])
    out = []
    where = []
    for e in lib.entries[:MAX_ENTRIES]:
        where.append(f"referentie {e.key} (regel {e.start_line + 1})")
        f = {k.lower(): str(v.value) for k, v in e.fields_dict.items() if k.lower() in _BIB_FIELDS}
        f = {k: (v if k in ("doi", "url") else _latex_text(v)) for k, v in f.items()}
        out.append(_entry(
            path=rel, kind="reference", title=f.get("title", ""), authors=_bib_authors(f.get("author", "")),
            year=_year(f.get("year") or f.get("date")),
            venue=f.get("journal") or f.get("booktitle") or f.get("publisher") or f.get("institution") or "",
            doi=f.get("doi", ""), url=f.get("url", ""), abstract=f.get("abstract", ""),
            keywords=[k for k in re.split(r"[;,]", f.get("keywords", "")) if k.strip()],
        ))
    return _kept(out, where, extra=extra)


def _csl_name(person: object) -> str:
    """A CSL-JSON name → "family, given" as Dutch references write it: the particles Zotero keeps apart
    (``non-dropping-particle`` "van der", ``dropping-particle`` "de") stay in front of the family name
    ("van Leeuwen, Jan"), a ``suffix`` ("Jr.") after the given name."""
    if isinstance(person, dict):
        if person.get("literal"):
            return str(person["literal"])
        parts = (person.get("dropping-particle"), person.get("non-dropping-particle"), person.get("family"))
        family = " ".join(" ".join(str(p).split()) for p in parts if p and str(p).strip())
        given = ", ".join(" ".join(str(p).split()) for p in (person.get("given"), person.get("suffix")) if p and str(p).strip())
        return f"{family}, {given}" if family and given else family or given
    return str(person or "")


def _csl_year(item: dict) -> int | None:
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return _year(parts[0][0])
        return _year(issued.get("raw") or issued.get("literal"))
    return _year(issued)


def _read_csl_json(data: bytes, rel: str) -> list[KnowledgeSource]:
    try:
        doc = json.loads(_text(data))
    except json.JSONDecodeError as exc:
        raise IngestError(f"geen geldige JSON: {exc.msg}", exc.lineno) from None
    items = doc.get("items") if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and items is None and "title" in doc:
        items = [doc]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise IngestError("geen CSL-JSON: verwacht een lijst van referenties met title, author, issued "
                          "(zoals Zotero 'CSL JSON' exporteert)")
    _over_limit(len(items), rel)
    out = []
    for item in items[:MAX_ENTRIES]:
        authors = item.get("author") if isinstance(item.get("author"), list) else []
        out.append(_entry(
            path=rel, kind="reference", title=str(item.get("title") or ""),
            authors=[_csl_name(a) for a in authors], year=_csl_year(item),
            venue=str(item.get("container-title") or item.get("publisher") or ""),
            doi=str(item.get("DOI") or item.get("doi") or ""), url=str(item.get("URL") or item.get("url") or ""),
            abstract=str(item.get("abstract") or ""),
            keywords=[k for k in re.split(r"[;,]", str(item.get("keyword") or "")) if k.strip()],
        ))
    if items and not any(out):
        raise IngestError("geen CSL-JSON: geen enkele referentie heeft een titel")
    return _kept(out, [f"referentie {n}" for n in range(1, len(out) + 1)])


# --- a spreadsheet: titel, auteurs, jaar, samenvatting, url -------------------------------------

_COLUMNS = {
    "title": ("titel", "title", "naam", "publicatie"),
    "authors": ("auteurs", "auteur", "authors", "author", "schrijvers", "schrijver"),
    "year": ("jaar", "year", "publicatiejaar", "datum", "date"),
    "abstract": ("samenvatting", "abstract", "beschrijving", "summary", "omschrijving"),
    "url": ("url", "link", "website", "webadres"),
    "doi": ("doi",),
    "venue": ("tijdschrift", "bron", "uitgever", "journal", "venue", "publisher"),
}


def _header_map(cells: list[object]) -> dict[str, int] | None:
    names = [_norm_key(str(c or "")) for c in cells]
    found: dict[str, int] = {}
    for key, aliases in _COLUMNS.items():
        for i, n in enumerate(names):
            if n in aliases and key not in found:
                found[key] = i
    return found if "title" in found else None


def _rows_to_sources(rows: list[list[object]], rel: str, first_line: int) -> list[KnowledgeSource]:
    header_at, header = None, None
    for i, row in enumerate(rows[:10]):
        if (header := _header_map(row)) is not None:
            header_at = i
            break
    if header is None or header_at is None:
        raise IngestError("geen kolom 'titel' gevonden in de eerste 10 regels "
                          "(verwacht kolommen als titel, auteurs, jaar, samenvatting, url)", first_line)
    _over_limit(len(rows) - header_at - 1, rel)  # an .xlsx is read up to MAX_ENTRIES + 10 rows: over means more
    out = []
    skipped: list[int] = []
    for n, row in enumerate(rows[header_at + 1:header_at + 1 + MAX_ENTRIES], start=first_line + header_at + 1):
        def get(key: str) -> str:
            i = header.get(key)
            return _collapse(row[i]) if i is not None and i < len(row) and row[i] is not None else ""

        if not get("title"):
            if any(_collapse(c) for c in row if c is not None):  # a row with text but no title: said, not dropped
                skipped.append(n)
            continue
        authors = get("authors")
        out.append(_entry(
            path=rel, kind="reference", title=get("title"),
            authors=[a for a in re.split(r"\s*;\s*|\s+&\s+|\s+en\s+(?=[A-Z])", authors) if a] if authors else [],
            year=_year(get("year")), venue=get("venue"), doi=get("doi") or normalise_doi(get("url")),
            url=get("url"), abstract=get("abstract"),
        ))
    extra = ([f"{len(skipped)} rij(en) zonder titel overgeslagen (regel " + ", ".join(map(str, skipped[:10]))
              + (" …" if len(skipped) > 10 else "") + ")"] if skipped else [])
    return Entries([s for s in out if s is not None], extra)


def _read_csv(data: bytes, rel: str) -> list[KnowledgeSource]:
    text = _text(data)
    lines = text.split("\n")
    skip = 1 if lines and lines[0].strip().lower().startswith("sep=") else 0  # Excel's sep=; line
    body = "\n".join(lines[skip:])
    first = body.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(body), delimiter=delimiter)]
    except csv.Error as exc:
        raise IngestError(f"ongeldige CSV: {exc}") from None
    return _rows_to_sources(rows, rel, skip + 1)


def _read_xlsx(path: Path, rel: str, limits: Limits) -> list[KnowledgeSource]:
    check_zip(path, limits, "Excel-bestand")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError(f"beschadigd Excel-bestand: {exc.__class__.__name__}: {str(exc)[:150]}") from None
    try:
        ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # read-only mode trusts <dimension>; WPS writes a wrong one (rows were lost)
        rows = [list(r) for _, r in zip(range(MAX_ENTRIES + 10), ws.iter_rows(values_only=True), strict=False)]
    finally:
        wb.close()
    return _rows_to_sources(rows, rel, 1)


# --- whole documents -----------------------------------------------------------------------------


def _props_text(props: dict, *keys: str) -> str:
    for k in keys:
        v = props.get(k)
        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip():
            return str(v)
    return ""


def _props_authors(props: dict) -> list[str]:
    for k in ("authors", "auteurs", "author", "auteur"):
        v = props.get(k)
        if isinstance(v, list):
            return [str(a) for a in v if isinstance(a, (str, int))]
        if isinstance(v, str) and v.strip():
            return [a for a in re.split(r"\s*;\s*", v) if a]
    return []


def _props_year(props: dict, lines: dict) -> int | None:
    for key in ("year", "jaar"):
        if (y := _year(props.get(key))) is not None:
            return y
    for key in ("date", "datum"):
        if key in props:
            try:
                d = parse_date(props[key], key)
            except IngestError as exc:
                exc.line = lines.get(key)
                raise
            if d is not None:
                return d.year
    return None


def _document(rel: str, props: dict, lines: dict, paragraphs: list[str], headings: list[str],
              fallback_year: int | None = None, fallback_title: str = "") -> KnowledgeSource:
    title = _props_text(props, "title", "titel") or fallback_title or (headings[0] if headings else "") \
        or PurePosixPath(rel).stem.replace("-", " ").replace("_", " ")
    source = _entry(
        path=rel, kind="document", title=title, authors=_props_authors(props),
        year=_props_year(props, lines) or fallback_year, venue=_props_text(props, "venue", "bron", "uitgever"),
        doi=_props_text(props, "doi"), url=_props_text(props, "url", "link"),
        abstract=" ".join(paragraphs)[:1000], paragraphs=paragraphs,
    )
    if source is None or not source.passages:
        raise IngestError("document bevat geen leesbare tekst")
    return source


def _block_paragraphs(blocks) -> tuple[list[str], list[str]]:
    """Blocks → (paragraphs with each heading joined to the text under it, headings by level)."""
    paragraphs: list[str] = []
    heading = ""
    for b in blocks:
        if b.kind == "heading":
            heading = b.text.strip()
            continue
        text = b.text.strip()
        if heading:
            text = f"{heading}: {text}" if not heading.endswith(("?", ".", ":")) else f"{heading} {text}"
            heading = ""
        paragraphs.append(text)
    headings = [b.text.strip() for b in sorted((b for b in blocks if b.kind == "heading"), key=lambda b: (b.level, b.line))]
    return paragraphs, headings


def _read_markdown(data: bytes, rel: str, suffix: str, limits: Limits) -> KnowledgeSource:
    from agenda.ingest.markdown import parse_blocks, read_front_matter

    text = _text(data)
    props, lines, body = read_front_matter(text, limits)
    blocks = parse_blocks(body)
    fallback_title = ""
    if suffix == ".txt":  # a plain text file: its first line is its title when it is short
        first = next((b for b in blocks if b.text.strip()), None)
        if first is not None and len(first.text) <= 200 and not _props_text(props, "title", "titel"):
            fallback_title = first.text
            blocks = [b for b in blocks if b is not first]
    paragraphs, headings = _block_paragraphs(blocks)
    return _document(rel, props, lines, paragraphs, headings, fallback_title=fallback_title)


def _read_docx(path: Path, rel: str, limits: Limits) -> KnowledgeSource:
    from agenda.ingest.word import docx_blocks

    props, created, blocks = docx_blocks(path, limits)
    paragraphs, headings = _block_paragraphs(blocks)
    return _document(rel, props, {}, paragraphs, headings, fallback_year=created.year if created else None)


def _read_pdf(path: Path, rel: str, limits: Limits) -> KnowledgeSource:
    try:  # the ingest stage's PDF reader: text layer, headings by font, headers/footers dropped, guards
        from agenda.ingest.pdf import document_blocks, pdf_document
    except ImportError:
        raise IngestError("PDF wordt in deze versie nog niet gelezen (lever de tekst aan als .docx, .md of .txt)") from None
    doc = pdf_document(path, limits)
    paragraphs, headings = _block_paragraphs(document_blocks(doc))
    props = {"title": doc.title} if doc.title else {}
    return _document(rel, props, {}, paragraphs, headings, fallback_year=doc.date.year if doc.date else None)


_CHROME = "script, style, noscript, template, svg, iframe, nav, header, footer, form, aside, button"
_TEXT_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd", "dt", "pre",
              "figcaption", "caption"}


def _read_html(data: bytes, rel: str) -> KnowledgeSource:
    from selectolax.lexbor import LexborHTMLParser

    html = _text(data)
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    page_title = _collapse(title_node.text()) if title_node is not None else ""
    meta: dict[str, str] = {}
    for node in tree.css("meta"):
        key = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
        if key and node.attributes.get("content"):
            meta.setdefault(key, node.attributes["content"] or "")
    canonical = tree.css_first('link[rel="canonical"]')
    for node in tree.css(_CHROME):
        node.decompose()
    props = {
        "title": page_title or meta.get("og:title", ""),
        "url": (canonical.attributes.get("href") if canonical is not None else "") or meta.get("og:url", ""),
        "authors": meta.get("author", ""),
        "year": _year(meta.get("article:published_time") or meta.get("date") or meta.get("dc.date")),
    }
    props = {k: v for k, v in props.items() if v}
    root = tree.css_first("main") or tree.css_first("article")
    if root is None and (found := _main_content(html)) is not None:
        # no <main>/<article>: a cookie banner, menu and sidebar are divs like the text; trafilatura tells them apart
        return _document(rel, props, {}, *found)
    root = root or tree.body or tree.root
    if root is None:
        raise IngestError("webpagina bevat geen leesbare tekst")
    paragraphs: list[str] = []
    headings: list[str] = []
    pending = ""
    for node in root.traverse(include_text=False):
        if node.tag not in _TEXT_TAGS:
            continue
        parent, nested = node.parent, False
        while parent is not None and parent is not root:
            if parent.tag in _TEXT_TAGS:
                nested = True
                break
            parent = parent.parent
        if nested:
            continue
        text = _collapse(node.text(deep=True, separator=" "))
        if not text:
            continue
        if node.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            headings.append(text)
            pending = text
            continue
        paragraphs.append(_joined(pending, text))
        pending = ""
    return _document(rel, props, {}, paragraphs, headings)


def _joined(heading: str, text: str) -> str:
    return f"{heading}: {text}" if heading and not heading.endswith(("?", ".", ":")) else f"{heading} {text}".strip()


def _main_content(html: str) -> tuple[list[str], list[str]] | None:
    """The main text of a page without <main>/<article>, by trafilatura's boilerplate removal
    (Apache-2.0; cookie banners, menus, sidebars and footers dropped, scripts never read):
    (paragraphs with each heading joined to the text under it, headings), or None when it finds none."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(html, output_format="xml", include_comments=False, include_tables=True,
                              include_formatting=False, include_links=False, include_images=False,
                              favor_precision=True, deduplicate=False, with_metadata=False)
    if not xml:
        return None
    main = etree.fromstring(xml.encode("utf-8")).find("main")
    if main is None:
        return None
    paragraphs: list[str] = []
    headings: list[str] = []
    pending = ""
    for node in main:
        if node.tag == "head":
            pending = _collapse(" ".join(node.itertext()))
            headings.append(pending)
            continue
        if node.tag == "list":
            parts = [_collapse(" ".join(item.itertext())) for item in node.iter("item")]
        elif node.tag == "table":
            parts = [" | ".join(_collapse(" ".join(c.itertext())) for c in row.iter("cell")) for row in node.iter("row")]
        else:
            parts = [_collapse(" ".join(node.itertext()))]
        for text in (p for p in parts if p.strip(" |")):
            paragraphs.append(_joined(pending, text))
            pending = ""
    return (paragraphs, headings) if paragraphs else None


# --- the folder ---------------------------------------------------------------------------------


def read_library_file(path: Path, inputs_dir: Path, limits: Limits | None = None) -> list[KnowledgeSource]:
    """The knowledge sources in one library file. Raises IngestError (Dutch reason) when unreadable."""
    limits = limits or Limits()
    rel = relative_path(path, inputs_dir)
    suffix = path.suffix.lower()
    if check_file_size(path, limits) == 0:
        raise IngestError("leeg bestand")
    if suffix == ".docx":
        return [_read_docx(path, rel, limits)]
    if suffix == ".xlsx":
        return _read_xlsx(path, rel, limits)
    if suffix == ".pdf":
        return [_read_pdf(path, rel, limits)]
    data = path.read_bytes()
    check_size(len(data), limits)  # it may have grown after the size check
    if suffix == ".ris":
        return _read_ris(data, rel)
    if suffix == ".bib":
        return _read_bib(data, rel)
    if suffix == ".json":
        return _read_csl_json(data, rel)
    if suffix == ".csv":
        return _read_csv(data, rel)
    if suffix in (".html", ".htm"):
        return [_read_html(data, rel)]
    return [_read_markdown(data, rel, suffix, limits)]


def read_library(inputs_dir: Path, limits: Limits | None = None) -> LibraryResult:
    """Read ``inputs_dir/kennis/`` (absent: an empty library). Never raises for a bad file."""
    inputs_dir = Path(inputs_dir)
    folder = inputs_dir / LIBRARY_DIR
    result = LibraryResult()
    if not folder.is_dir():
        return result
    limits = limits or Limits()
    files, rejections = discover(folder, limits, suffixes=LIBRARY_SUFFIXES, exclude=())
    result.rejections = [Rejection(file=f"{LIBRARY_DIR}/{r.file}", line=r.line, reason=r.reason) for r in rejections]
    seen: dict[str, tuple[str, str]] = {}  # id -> (file, identity key)
    for path in files:
        rel = relative_path(path, inputs_dir)
        try:
            result.digests[rel] = file_sha256(path)
            entries = read_library_file(path, inputs_dir, limits)
        except IngestError as exc:
            result.rejections.append(Rejection(file=rel, line=exc.line, reason=exc.reason))
            continue
        except RecursionError:
            result.rejections.append(Rejection(file=rel, reason="bestand is te diep genest om te lezen"))
            continue
        except PermissionError:
            result.rejections.append(Rejection(file=rel, reason="geen leesrechten voor dit bestand"))
            continue
        except Exception as exc:  # a bug or an unforeseen format problem: never stop the build
            log.exception("onverwachte fout bij het lezen van %s", rel)
            result.rejections.append(Rejection(
                file=rel, reason=f"onverwachte fout bij het lezen ({exc.__class__.__name__}: {str(exc)[:200]})"))
            continue
        if not entries:
            result.rejections.append(Rejection(file=rel, reason="geen enkele bron met een titel of tekst gevonden"))
            continue
        if skipped := getattr(entries, "skipped", None):
            result.rejections.append(Rejection(
                file=rel, severity="warning",
                reason=f"{len(entries)} {'bron' if len(entries) == 1 else 'bronnen'} gelezen; niet opgenomen: "
                + "; ".join(skipped[:5])
                + (f" (en nog {len(skipped) - 5})" if len(skipped) > 5 else "")))
        cut = [s for s in entries if len(s.passages) >= MAX_PASSAGES or len(s.abstract) >= MAX_ABSTRACT]
        if cut:
            result.rejections.append(Rejection(
                file=rel, severity="warning",
                reason=f"tekst ingekort: van {len(cut)} {'bron' if len(cut) == 1 else 'bronnen'} ('{cut[0].title[:60]}'"
                + (" …" if len(cut) > 1 else "") + f") zijn de eerste {MAX_PASSAGES} passages en "
                f"{MAX_ABSTRACT} tekens samenvatting gebruikt; de rest niet"))
        for source in entries:
            key = _identity(source)
            if source.id in seen:
                first_rel, first_key = seen[source.id]
                if first_key == key:  # checked on content: the same publication twice
                    result.notes.append(f"{rel}: '{source.title[:80]}' staat ook in {first_rel}; één keer opgenomen")
                    continue
                # the same short id for another publication: never merged, never silent
                wide = knowledge_id(source.doi, source.title, source.year, " ".join(source.passages[:3]), digits=12)
                log.warning("%s: '%s' kreeg id %s; %s hoort al bij een andere bron in %s",
                            rel, source.title[:80], wide, source.id, first_rel)
                source = source.model_copy(update={"id": wide})
                if wide in seen:  # the same publication twice after all (its long id was taken by itself)
                    result.notes.append(f"{rel}: '{source.title[:80]}' staat ook in {seen[wide][0]}; één keer opgenomen")
                    continue
            seen[source.id] = (rel, key)
            result.sources.append(source)
    return result
