"""Write small real PDFs with reportlab, line by line, as a word processor's export lays them out:
fonts and sizes per line, a running header and a page-number footer on every page, metadata."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

H1 = ("Helvetica-Bold", 18)
H2 = ("Helvetica-Bold", 14)
BODY = ("Helvetica", 11)
BOLD = ("Helvetica-Bold", 11)
GAP = None  # a blank line between paragraphs


def write_pdf(
    path: Path,
    pages: list[list],
    *,
    title: str | None = None,
    keywords: str | None = None,
    header: str | None = "Kennistafel Gepersonaliseerd leren met ict",
    page_numbers: bool = True,
    encrypt: str | None = None,
) -> Path:
    """``pages``: per page a list of ``(font, text)`` (font = (name, size); text indented by leading
    spaces is drawn indented) or ``GAP``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
    c.setAuthor("Kennistafel Gepersonaliseerd leren met ict")
    if title:
        c.setTitle(title)
    if keywords:
        c.setKeywords(keywords)
    width, height = A4
    for n, lines in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 8)
            c.drawString(72, height - 40, header)
        if page_numbers:
            c.setFont("Helvetica", 8)
            c.drawCentredString(width / 2, 30, f"Pagina {n} van {len(pages)}")
        y = height - 90
        for entry in lines:
            if entry is GAP:
                y -= 10
                continue
            (font, size), text = entry
            indent = len(text) - len(text.lstrip(" "))
            c.setFont(font, size)
            c.drawString(72 + 6 * indent, y, text.lstrip(" "))
            y -= size * 1.25
        c.showPage()
    c.save()
    return path


# --- positioned layout, written object by object ----------------------------------------------------

# name → (BaseFont, ToUnicode offset or None). "W" and "S" are symbol fonts as Word's "Save as PDF"
# embeds them: their codes map to private-use U+F0xx through ToUnicode (Wingdings "§" → U+F0A7,
# arrow "Ø" → U+F0D8; Symbol "·" → U+F0B7), so the text layer holds U+F0xx, not a bullet.
LAYOUT_FONTS = {
    "F": ("Helvetica", None),
    "FB": ("Helvetica-Bold", None),
    "C": ("Courier", None),
    "W": ("Wingdings-Regular", 0xF000),
    "S": ("SymbolMT", 0xF000),
}


def _pdf_str(text: str, font: str) -> bytes:
    offset = LAYOUT_FONTS[font][1]
    raw = bytes(ord(ch) - offset for ch in text) if offset else text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def write_layout_pdf(path: Path, pages: list[dict], *, title: str | None = None) -> Path:
    """A PDF with text placed where a word processor's export places it.

    ``pages``: per page ``{"text": [(x, top, font, size, text), …], "rules": [(x0, top, x1, bottom), …]}``
    — ``top`` in points from the top of an A4 page (the baseline sits at top + size); ``font`` a key
    of :data:`LAYOUT_FONTS`; ``rules`` are stroked rectangles (table borders, as Word and LibreOffice
    draw a bordered table's cells).
    """
    width, height = A4
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    font_ids: dict[str, int] = {}
    for key, (base, offset) in LAYOUT_FONTS.items():
        if offset is None:
            font_ids[key] = add(f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>".encode())
            continue
        cmap = (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) "
            "/Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def "
            "1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange "
            f"<20> <FF> <{offset + 0x20:04X}> endbfrange endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode()
        to_unicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
        widths = " ".join(["800"] * (0xFF - 0x20 + 1))
        desc = add(
            f"<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
            f"/Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>".encode()
        )
        font_ids[key] = add(
            f"<< /Type /Font /Subtype /TrueType /BaseFont /{base} /FirstChar 32 /LastChar 255 /Widths [{widths}] "
            f"/FontDescriptor {desc} 0 R /ToUnicode {to_unicode} 0 R >>".encode()
        )
    fonts = " ".join(f"/{k} {v} 0 R" for k, v in font_ids.items())
    page_ids = []
    for page in pages:
        ops: list[bytes] = []
        for x0, top, x1, bottom in page.get("rules", []):
            ops.append(b"0.5 w %.2f %.2f %.2f %.2f re S" % (x0, height - bottom, x1 - x0, bottom - top))
        for x, top, font, size, text in page.get("text", []):
            ops.append(b"BT /%s %g Tf 1 0 0 1 %.2f %.2f Tm %s Tj ET" % (
                font.encode(), size, x, height - top - size, _pdf_str(text, font)))
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(
            f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {width:.0f} {height:.0f}] "
            f"/Resources << /Font << {fonts} >> >> /Contents {content} 0 R >>".encode()
        ))
    objs[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objs[pages_id - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()
    info = add(b"<< /Producer (Microsoft\xae Word for Microsoft 365)" + (
        b" /Title " + _pdf_str(title, "F") if title else b"") + b" >>")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, info, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path
