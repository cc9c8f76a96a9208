"""Document blocks (heading / list item / paragraph) and the question rules of INPUTS.md.

Markdown and Word are both turned into a flat list of :class:`Block`; the rules are applied
here once, so both formats behave the same:

1. a list item or paragraph ending in ``?`` under a heading with a word naming questions —
   *vraag*, *vragen*, *vraagstuk(ken)*, *question(s)* or a compound ending in them such as
   *Kennisvragen*, *Onderzoeksvraag* (case-insensitive; words, not substrings: *Rondvraag*,
   *Aanvraag*, *Navraag*, *vraagt*, *Vragenlijst* do not count) — up to the next heading of the
   same or a higher level, or a housekeeping heading (*Rondvraag*, *Mededelingen*,
   *Actiepunten* …) at any level. A housekeeping heading opens a question section only when it
   names knowledge questions explicitly (*Rondvraag en kennisvragen*, not *Mededelingen en vragen*). A list item counts whole ("Wat is X? En waarom?" is one question); a
   paragraph is split into sentences and each question sentence counts. A sub-heading that
   ends in ``?`` inside such a section counts as well;
2. a quoted question anywhere in running text (``'…?'``, ``"…?"``, ``‘…?’``, ``“…?”``, ``„…?”``);
   the opening quote must follow the start, whitespace, a colon or an opening bracket, and the
   closing quote must follow the ``?`` (so apostrophes in *ict’er*, *foto's* are no quotes);
3. (front matter ``questions:`` — handled by the readers).

Any other sentence or list item ending in ``?`` is a *candidate* (kept for the curator).
A trailing ``(key: value; …)`` note after the ``?`` is context and is removed from the text.

A question that leans on what comes before it ("Welke scholing is daarvoor nodig?", "En hoe doe
je dat in het so?"; ``agenda.dedupe.text.leans_on_context``) keeps that sentence — or, when it
opens its own paragraph or list item, the question before it — in ``extra["lead_in"]``: it is
compared together with the question and shown with it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from agenda.ingest.common import (
    IngestError, RawMention, clean_text, ends_with_question, merge_context, normalise_qmarks, parse_note, split_note,
    tidy_question,
)
from agenda.dedupe.text import LEAD_IN, leans_on_context
from agenda.models import Context, Rule

_FILL = "\ufffc"
MAX_BLOCK_CHARS = 200_000


@dataclass
class Block:
    kind: str  # "heading" | "item" | "para"
    text: str
    line: int
    level: int = 0  # heading level (Title 0, Heading 1..9, bold-only paragraph 10)
    starts: list[tuple[int, int]] = field(default_factory=list)  # (char offset, line) of joined lines
    context: Context | None = None  # from a table row's Sector/Rol/School columns (Word)
    extra: dict[str, str] = field(default_factory=dict)  # e.g. an unknown sector value, kept as metadata
    section: bool = False  # a table cell under a *Vraag* column header: counts as in a question section

    def line_at(self, offset: int) -> int:
        if not self.starts:
            return self.line
        offsets = [o for o, _ in self.starts]
        i = bisect.bisect_right(offsets, offset) - 1
        return self.starts[max(i, 0)][1]


_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010\u00ad][^\W\d_]+)*")
# a word holding *vraag*/*vragen*: what may stand before it in a compound, and after it
_QUESTION_WORD = re.compile(r"^(?P<pre>[^\W\d_]*?)(?:vraag|vragen)(?P<post>stuk|stukken|stelling|stellingen|articulatie|punt|punten)?$")
# verb particles and housekeeping in front of *vraag*: Rondvraag (any other business), Aanvraag
# (an application), Navraag, Opvragen, Uitvragen, Doorvragen, Bevragen, Ondervragen …
_NOT_KNOWLEDGE_PRE_END = ("rond", "aan", "door", "onder", "terug")
_NOT_KNOWLEDGE_PRE = {"na", "op", "uit", "be", "af", "mee", "toe", "in", "over", "ver", "weder", "weer", "bij"}
# meeting housekeeping: such a section holds no knowledge questions unless its heading says so
_HOUSEKEEPING = re.compile(
    r"^(?:rondvra(?:ag|gen)|mededeling(?:en)?|actiepunt(?:en)?|actielijst|actiepuntenlijst|besluitenlijst|"
    r"wvttk|notulen|sluiting|huishoudelijk|vergaderdata)$"
)


def _question_words(text: str) -> list[tuple[str, str]]:
    """(prefix, suffix) of every word in ``text`` that names questions: *vraag*, *vragen*,
    *kennisvragen*, *vraagstukken*, *onderzoeksvraag*, *question(s)* … — not *Rondvraag*,
    *Aanvraag*, *vraagt*, *vragenlijst* (the word must end in vraag/vragen/vraagstuk(ken)/
    vraagstelling(en)/vraagarticulatie/vraagpunt(en) and its prefix must not be a verb particle)."""
    out: list[tuple[str, str]] = []
    for m in _WORD.finditer(text.lower()):
        word = re.sub(r"[-\u2010\u00ad]", "", m[0])
        if word in ("question", "questions"):
            out.append(("", ""))
            continue
        q = _QUESTION_WORD.match(word)
        if q is None:
            continue
        pre = q["pre"]
        if pre in _NOT_KNOWLEDGE_PRE or pre.endswith(_NOT_KNOWLEDGE_PRE_END):
            continue
        out.append((pre, q["post"] or ""))
    return out


def is_housekeeping_heading(text: str) -> bool:
    """A meeting's housekeeping heading: *Rondvraag*, *Mededelingen*, *Actiepunten*, *Wvttk* …"""
    flat = re.sub(r"(?<=\w)\.(?=\w)", "", text.lower())  # W.v.t.t.k. → wvttk
    return any(_HOUSEKEEPING.match(re.sub(r"[-\u2010\u00ad.]", "", w)) for w in _WORD.findall(flat))


def is_question_heading(text: str) -> bool:
    """Does a heading (or a table's column header) open a question section? It must hold a word
    naming questions (see :func:`_question_words`; words, not substrings). A housekeeping heading
    (*Rondvraag*, *Mededelingen en vragen*, *Actiepunten*) counts only when it names knowledge
    questions explicitly: a compound such as *kennisvragen*, *onderzoeksvraag* or *vraagstukken*."""
    words = _question_words(text)
    if not words:
        return False
    if is_housekeeping_heading(text):
        return any(pre or post for pre, post in words)
    return True


_OPEN_OK = set(" \t\n:([{*_—–-\u00a0" + _FILL)
_PAIRS = {
    "'": "'’",
    "‘": "’'",
    '"': '"”',
    "“": "”\"",
    "„": "”“\"",
    "«": "»",
}


_MAX_QUOTE = 2000
_BEFORE = re.escape("".join(sorted(_OPEN_OK)))
_QUOTE_RES = [
    re.compile(
        rf"(?<![^{_BEFORE}]){re.escape(o)}(?=\S)((?:[^{re.escape(c)}]|[{re.escape(c)}](?=[^\W_])){{1,{_MAX_QUOTE}}}?\?)[{re.escape(c)}](?![^\W_])"
    )
    for o, c in _PAIRS.items()
]


def find_quoted(text: str) -> list[tuple[int, int, str]]:
    """(start, end, question) of quoted questions; start/end span the quotes.

    The opening quote follows the start, whitespace, a colon or an opening bracket; inside,
    a quote character followed by a letter is an apostrophe (ict’er, foto's); the first other
    closing quote ends the quotation, and it is a question only when it follows a '?'.
    """
    found = sorted((m.start(), m.end(), m[1]) for rx in _QUOTE_RES for m in rx.finditer(text))
    out: list[tuple[int, int, str]] = []
    last = -1
    for start, end, inner in found:
        if start >= last:
            out.append((start, end, inner))
            last = end
    return out


_SPLIT_AFTER_STOP = re.compile(r"[.!…][)\"'’”»*_]*\s+(?=[A-ZÀ-ÞĀ-Ž0-9\"'‘“„(\[])")
_QMARK = re.compile(r"\?[)\"'’”»*_]*")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pieces: after . ! … before a capital; after ? before whitespace or a
    capital ("Kennistafel?Kennistafel"); at newlines. A `(key: value)` note after a ? stays with it."""
    cuts: set[int] = set()
    for m in _SPLIT_AFTER_STOP.finditer(text):
        cuts.add(m.end())
    for m in _QMARK.finditer(text):
        end = m.end()
        if end >= len(text):
            continue
        nxt = text[end]
        if nxt.isspace():
            k = end
            while k < len(text) and text[k] in " \t":
                k += 1
            if k < len(text) and text[k] == "(":
                close = text.find(")", k)
                if close != -1 and parse_note(text[k + 1 : close]) is not None:
                    cuts.add(close + 1)
                    continue
            cuts.add(end)
        elif nxt.isupper():
            cuts.add(end)
    for m in re.finditer(r"\n", text):
        cuts.add(m.end())
    pieces: list[tuple[int, str]] = []
    prev = 0
    for cut in sorted(cuts) + [len(text)]:
        if cut <= prev:
            continue
        piece = text[prev:cut]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            pieces.append((prev + lead, piece.strip()))
        prev = cut
    return pieces


def _question_from(text: str) -> tuple[str, object, dict] | None:
    """Split the note off and tidy; None unless it ends in '?'."""
    body, ctx, other = split_note(text.strip())
    body = re.sub(f"{_FILL}+", "…", body)
    body = tidy_question(body)
    if not body or not ends_with_question(body) or body.strip("?…‘’'\"“” ") == "":
        return None
    return body, ctx, dict(other)


def extract_block(block: Block, in_section: bool) -> list[RawMention]:
    """Mentions of one item/paragraph block (with the block's own context, if any)."""
    out = _extract_block(block, in_section or block.section)
    if block.context is not None or block.extra:
        for raw in out:
            if block.context is not None:
                raw.context = merge_context(block.context, raw.context)
            for k, v in block.extra.items():
                raw.extra.setdefault(k, v)
    return out


def _extract_block(block: Block, in_section: bool) -> list[RawMention]:
    out: list[RawMention] = []
    text = block.text
    if len(text) > MAX_BLOCK_CHARS:
        raise IngestError(
            f"alinea of lijstpunt van {len(text)} tekens (grens {MAX_BLOCK_CHARS}): geen verslagtekst, niet gelezen", block.line
        )
    masked = text
    for start, end, inner in find_quoted(text):
        q = tidy_question(inner)
        if q and len(q.rstrip("?").strip()) > 1:
            out.append(RawMention(q, Rule.quoted, block.line_at(start)))
        masked = masked[:start] + _FILL * (end - start) + masked[end:]
    rule = Rule.section if in_section else Rule.candidate
    if block.kind == "item":
        whole = _question_from(masked)
        if whole is not None:
            body, ctx, other = whole
            out.append(RawMention(body, rule, block.line, ctx, other))  # type: ignore[arg-type]
            return out
    before = ""  # the sentence before: context of a question that leans on it (LEAD_IN)
    for offset, sentence in split_sentences(masked):
        found = _question_from(sentence)
        if found is not None:
            body, ctx, other = found
            raw = RawMention(body, rule, block.line_at(offset), ctx, other)  # type: ignore[arg-type]
            if before and leans_on_context(body):
                raw.extra[LEAD_IN] = before
            out.append(raw)
        text_before = re.sub(f"{_FILL}+", "…", sentence).strip()
        if text_before.strip("… "):
            before = tidy_question(text_before) if found is None else found[0]
    return out


def extract(blocks: list[Block], max_mentions: int = 100_000) -> list[RawMention]:
    """Apply rules 1 and 2 (and candidates) to a document's blocks, in document order."""
    out: list[RawMention] = []
    section_level: int | None = None
    for b in blocks:
        if len(out) > max_mentions:
            raise IngestError(f"meer dan {max_mentions} vragen in één bestand: te groot om te lezen", b.line)
        if b.kind == "heading":
            if section_level is not None and (b.level <= section_level or (
                is_housekeeping_heading(b.text) and not is_question_heading(b.text)
            )):
                section_level = None  # a Rondvraag/Mededelingen sub-heading ends the questions too
            if section_level is None:
                if is_question_heading(b.text):
                    section_level = b.level
                    continue
                found = _question_from(b.text)
                if found is not None:
                    out.append(RawMention(found[0], Rule.candidate, b.line, found[1], found[2]))  # type: ignore[arg-type]
            else:
                found = _question_from(b.text)
                if found is not None:
                    out.append(RawMention(found[0], Rule.section, b.line, found[1], found[2]))  # type: ignore[arg-type]
            continue
        found = extract_block(b, section_level is not None)
        for raw in found:
            # a list item or paragraph that leans on the question before it ("En in het so?")
            if LEAD_IN not in raw.extra and out and leans_on_context(raw.text):
                raw.extra[LEAD_IN] = out[-1].text
            out.append(raw)
    return out


def heading_title(blocks: list[Block]) -> str | None:
    headings = [b for b in blocks if b.kind == "heading" and b.text.strip()]
    if not headings:
        return None
    best = min(headings, key=lambda b: (b.level, b.line))
    return tidy_question(best.text)[:300] or None


def make_block(kind: str, lines: list[tuple[int, str]], level: int = 0) -> Block:
    """Join (line number, text) pieces with spaces, remembering where each line starts."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    pos = 0
    for ln, txt in lines:
        txt = normalise_qmarks(clean_text(txt)).strip()
        if not txt:
            continue
        if parts:
            parts.append(" ")
            pos += 1
        starts.append((pos, ln))
        parts.append(txt)
        pos += len(txt)
    first = lines[0][0] if lines else 1
    return Block(kind, "".join(parts), first, level, starts)
