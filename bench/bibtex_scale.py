"""How long the evidence library takes to read a BibTeX export of N generated entries.

Each entry has a title, two authors (one with a Dutch particle), a year, a journal and an
abstract, as a reference manager writes them. Prints entries, seconds and entries read.

Measured 2026-12-03 on 2 cores with a 50,000-file build beside it (load ~13): 10,000 entries
13.8 s, 100,000 entries 184 s. Before (bibtexparser's LatexDecodingMiddleware on every field,
23 ms an entry): 10,000 entries 103.5 s on the same loaded machine; 393 s for 100,000 unloaded.

    .venv/bin/python bench/bibtex_scale.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import json
import time

import _common  # noqa: F401 - puts the repository on sys.path


def generate(n: int) -> bytes:
    return "".join(
        f"@article{{key{i},\n  title = {{Gepersonaliseerd leren deel {i}}},\n  author = {{Jansen, Piet and de Vries, An}},\n"
        f"  year = {{2020}},\n  journal = {{Tijdschrift}},\n"
        f"  abstract = {{Een samenvatting van het onderzoek nummer {i} over leren.}}\n}}\n\n" for i in range(n)).encode()


def main() -> None:
    from agenda.evidence.library import _read_bib

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated numbers of entries")
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        data = generate(n)
        start = time.monotonic()
        entries = _read_bib(data, "kennis/bench.bib")
        print(json.dumps({"entries": n, "seconds": round(time.monotonic() - start, 1), "read": len(entries)}), flush=True)


if __name__ == "__main__":
    main()
