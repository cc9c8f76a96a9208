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
