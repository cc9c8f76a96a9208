"""Seconds to read PDFs with agenda.ingest.pdf.pdf_document: the sample publication (one column)
and N generated two-column A4 pages (tests/pdf_fixtures.write_layout_pdf, the layout of
tests/test_ingest_pdf_layout.py). Prints the best of --repeat runs per file.

    python bench/pdf_layout_speed.py [--pages 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from agenda.ingest.pdf import pdf_document  # noqa: E402
from tests.pdf_fixtures import write_layout_pdf  # noqa: E402
from tests.test_ingest_pdf_layout import two_column_page  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        two = write_layout_pdf(Path(tmp) / "two-column.pdf", [two_column_page() for _ in range(args.pages)])
        files = [REPO / "inputs" / "publications" / "2022-03-15-aan-tafel-bij-scholen.pdf", two]
        for f in files:
            best = float("inf")
            for _ in range(args.repeat):
                t = time.perf_counter()
                doc = pdf_document(f)
                best = min(best, time.perf_counter() - t)
            print(f"{f.name}: {len(doc.pages)} pages, {best:.2f} s ({best / len(doc.pages) * 1000:.0f} ms/page)")


if __name__ == "__main__":
    main()
