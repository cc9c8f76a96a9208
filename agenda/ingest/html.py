"""HTML as document blocks: the whole text of an HTML document, structure kept.

Used for the content that web tools' "Export to Word" embeds in a .docx as HTML or MHT through
``w:altChunk`` (Word renders that part in place of the element). The parser is the evidence
library's: **selectolax** (lexbor). Unlike a saved web page in the library, an embedded part is
the document itself, so nothing is removed as site chrome: only scripts, styles, templates and
the ``<head>``. Structure: ``h1``–``h6`` are headings of level 1–6, a paragraph that is bold
throughout is a heading below them (10, as in Word), ``li`` are list items (a nested list's items
are items of their own), ``p``/``pre``/``dd``/… and table cells are paragraphs; ``<br>`` is a soft
line break (see :func:`agenda.ingest.word.resolve_soft_breaks`).

Entry points::

    html_blocks(html: str, first_line: int = 1) -> list[Block]   # line = block number from first_line
    mht_html(data: bytes) -> str | None                            # the text/html part of an MHT archive
    decode_html(data: bytes) -> str                                # charset from BOM, <meta>, else UTF-8/1252
"""

from __future__ import annotations

import email
import email.policy
import re

from agenda.ingest.blocks import Block, make_block
from agenda.ingest.common import IngestError, clean_text, decode_bytes

_SKIP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe", "object"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_EMIT = {"p", "li", "pre", "dt", "dd", "caption", "figcaption", "summary", "address", *_HEADINGS}
_CONTAINERS = {
    "html", "body", "div", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote",
    "ul", "ol", "dl", "menu", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "form", "fieldset",
    "figure", "details", "center", "hr",
}
_LISTS = {"ul", "ol", "menu"}
_BR = "\ue000"  # a <br> until whitespace is collapsed (a private-use character, never in the text)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


def decode_html(data: bytes) -> str:
    """Text of an HTML part: a BOM, else the ``<meta charset>`` (Word's own HTML says
    windows-1252), else UTF-8 with Windows-1252 as the fallback (:func:`decode_bytes`)."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _META_CHARSET.search(data[:4096])
        if m:
            try:
                return clean_text(data.decode(m[1].decode("ascii"), errors="replace"))
            except LookupError:
                pass
    text, _enc = decode_bytes(data)
    return clean_text(text)


def mht_html(data: bytes) -> str | None:
    """The first ``text/html`` part of an MHT (MIME web archive, ``message/rfc822``), decoded
    (quoted-printable/base64, its charset); None when there is none."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_type() in ("text/html", "application/xhtml+xml"):
            try:
                content = part.get_content()
            except (LookupError, ValueError):
                payload = part.get_payload(decode=True) or b""
                content = payload.decode("utf-8", errors="replace")
            if isinstance(content, bytes):
                content = decode_html(content)
            return clean_text(content)
    return None


def _inline_text(node) -> str:
    return node.text(deep=True, separator="")


def _own_text(node) -> str:
    """Text of a list item without its nested lists (their items are read on their own)."""
    parts: list[str] = []
    for ch in node.iter(include_text=True):
        tag = ch.tag
        if tag == "-text":
            parts.append(ch.text_content or "")
        elif tag in _LISTS or tag in _SKIP:
            continue
        elif tag in _EMIT or tag in _CONTAINERS:
            parts.append(_BR + _own_text(ch) + _BR)
        else:
            parts.append(_inline_text(ch))
    return "".join(parts)


def _all_bold(node, text: str) -> bool:
    bold = "".join(_inline_text(b) for b in node.css("b, strong"))
    flat = "".join(text.split())
    return bool(flat) and flat == "".join(bold.split())


def html_blocks(html: str, first_line: int = 1) -> list[Block]:
    """Blocks of an HTML document in reading order (see the module docstring).
    ``Block.line`` numbers the blocks from ``first_line``. Raises IngestError when unparseable."""
    from selectolax.lexbor import LexborHTMLParser

    from agenda.ingest.word import resolve_soft_breaks

    try:
        tree = LexborHTMLParser(html)
    except Exception as exc:  # pragma: no cover - lexbor parses any string
        raise IngestError(f"ingesloten HTML onleesbaar ({exc.__class__.__name__})") from None
    for br in tree.css("br"):
        br.replace_with(_BR)
    root = tree.body or tree.root
    blocks: list[Block] = []

    def add(kind: str, raw: str, level: int = 0) -> None:
        # source line breaks are spaces in HTML; <br> and block boundaries inside an item break lines
        if kind == "heading":
            text = " ".join(clean_text(raw).replace(_BR, " ").split())
        else:
            lines = (" ".join(piece.split()) for piece in clean_text(raw).split(_BR))
            text = resolve_soft_breaks("\n".join(line for line in lines if line)).strip()
        if text:
            blocks.append(make_block(kind, [(first_line + len(blocks), text)], level=level))

    def emit(node) -> None:
        tag = node.tag
        if tag in _HEADINGS:
            add("heading", _inline_text(node), _HEADINGS[tag])
        elif tag == "li":
            add("item", _own_text(node))
            for ch in node.iter(include_text=False):
                if ch.tag in _LISTS:
                    walk(ch)
        else:
            text = _inline_text(node)
            if _all_bold(node, text) and not text.rstrip().endswith("?") and len(text) < 200:
                add("heading", text, 10)
            else:
                add("para", text)

    def walk(node) -> None:
        buf: list[str] = []

        def flush() -> None:
            if "".join(buf).strip():
                add("para", "".join(buf))
            buf.clear()

        for ch in node.iter(include_text=True):
            tag = ch.tag
            if tag == "-text":
                buf.append(ch.text_content or "")
            elif tag in _SKIP or ch.is_comment_node:
                continue
            elif tag in _EMIT:
                flush()
                emit(ch)
            elif tag in _CONTAINERS:
                flush()
                walk(ch)
            else:  # inline: span, b, a, font, Word's o:p …
                buf.append(_inline_text(ch))
        flush()

    if root is not None:
        walk(root)
    return blocks
