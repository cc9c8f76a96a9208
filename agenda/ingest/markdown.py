"""Markdown (and plain-text) meeting reports: YAML front matter + headings, list items, paragraphs.

Front matter (between ``---`` lines at the very top) may carry ``title``, ``date``, ``kind``,
``sector`` (string or list), ``rol``/``role``, ``niveau``/``level``, ``school``,
``organisatie``/``organisation`` and ``questions`` (strings, or mappings with ``text`` plus
context keys). Other scalar keys are kept in ``Source.meta``.

Body: ATX (``#``) and setext (``===``/``---``) headings; a paragraph made only of bold text
(``**Kennisvragen**``) acts as a heading below all ``#`` levels; ``-``, ``*``, ``+``, ``1.``,
``1)`` list items (continuation lines joined); block quotes are read as text; table cells
each count as a paragraph; fenced code blocks and HTML comments are skipped.
"""

from __future__ import annotations

import re

from agenda.ingest.blocks import MAX_BLOCK_CHARS, Block, make_block
from agenda.ingest.common import IngestError, clean_text, strip_inline_markup
from agenda.ingest.safety import load_yaml
from agenda.settings import Limits

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])[ \t]+(.*)$")
_HR = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BOLD_ONLY = re.compile(r"^\s*(\*\*|__)([^*_].*?)\1\s*:?\s*$")


def split_front_matter(text: str) -> tuple[str | None, int, list[str]]:
    """(front matter YAML or None, file line of its first YAML line, body lines with their numbers kept)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() in ("---", "..."):
                fm = "\n".join(lines[1:i])
                body = [""] * (i + 1) + lines[i + 1 :]
                return fm, 1, body
        raise IngestError("het YAML-kopblok (front matter) opent met --- maar wordt nergens afgesloten met ---", 1)
    return None, 0, lines


def read_front_matter(text: str, limits: Limits) -> tuple[dict, dict, list[str]]:
    """(front matter mapping, key → line, body lines)."""
    fm, offset, body = split_front_matter(text)
    if fm is None or not fm.strip():
        return {}, {}, body
    data, lines = load_yaml(fm, limits, line_offset=offset, what="het kopblok (front matter)")
    if data is None:
        return {}, {}, body
    if not isinstance(data, dict):
        raise IngestError("het kopblok (front matter) moet bestaan uit velden (naam: waarde), niet uit een lijst of losse tekst", 2)
    return data, lines, body


def parse_blocks(lines: list[str], max_line: int | None = None) -> list[Block]:
    """Markdown body lines (index 0 = file line 1) → blocks. A line longer than `max_line` characters
    raises IngestError before any markup is parsed (the question readers pass MAX_BLOCK_CHARS, their
    limit on a paragraph; the evidence library cuts long text into passages instead)."""
    blocks: list[Block] = []
    para: list[tuple[int, str]] = []
    item: list[tuple[int, str]] | None = None
    in_fence: str | None = None
    in_comment = False

    def flush() -> None:
        nonlocal para, item
        if item:
            blocks.append(make_block("item", item))
        item = None
        if para:
            bold = _BOLD_ONLY.match(" ".join(t for _, t in para)) if len(para) == 1 else None
            if bold:
                blocks.append(make_block("heading", [(para[0][0], bold[2])], level=10))
            else:
                blocks.append(make_block("para", [(ln, strip_inline_markup(t)) for ln, t in para]))
        para = []

    for idx, raw in enumerate(lines):
        ln = idx + 1
        if max_line is not None and len(raw) > max_line:  # refused before any markup regex runs (20 MB: 37 s)
            raise IngestError(f"alinea of lijstpunt van {len(raw)} tekens (grens {max_line}): geen verslagtekst, "
                              "niet gelezen", ln)
        line = raw.replace("\t", "    ")
        if in_fence:
            if line.strip().startswith(in_fence):
                in_fence = None
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        if line.lstrip().startswith("<!--"):
            flush()
            if "-->" not in line:
                in_comment = True
            continue
        if m := _FENCE.match(line):
            flush()
            in_fence = m[1]
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        # block quotes: read as text
        while stripped.startswith(">"):
            stripped = stripped[1:].lstrip()
            line = stripped
        if not stripped:
            flush()
            continue
        if m := _ATX.match(line):
            flush()
            blocks.append(make_block("heading", [(ln, strip_inline_markup(m[2] or ""))], level=len(m[1])))
            continue
        if (m := _SETEXT.match(line)) and para and item is None:
            level = 1 if m[1].startswith("=") else 2
            text = " ".join(t for _, t in para)
            first = para[0][0]
            para = []
            blocks.append(make_block("heading", [(first, strip_inline_markup(text))], level=level))
            continue
        if _HR.match(line):
            flush()
            continue
        if stripped.startswith("|") or (stripped.count("|") >= 2 and not _ITEM.match(line)):
            flush()
            if _TABLE_SEP.match(stripped):
                continue
            for cell in stripped.strip("|").split("|"):
                if cell.strip():
                    blocks.append(make_block("para", [(ln, strip_inline_markup(cell))]))
            continue
        if m := _ITEM.match(line):
            flush()
            item = [(ln, strip_inline_markup(m[2]))]
            continue
        if item is not None:
            item.append((ln, strip_inline_markup(stripped)))
            continue
        para.append((ln, stripped))
    flush()
    return blocks


def parse_markdown(text: str, limits: Limits) -> tuple[dict, dict, list[Block]]:
    """(front matter, front-matter key lines, blocks) of a Markdown / text document."""
    text = clean_text(text)
    fm, fm_lines, body = read_front_matter(text, limits)
    return fm, fm_lines, parse_blocks(body, MAX_BLOCK_CHARS)

