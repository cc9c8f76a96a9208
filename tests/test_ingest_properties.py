"""Property tests: whatever the bytes, read_file returns mentions or a rejection — never an exception,
and never the catch-all 'onverwachte fout' (which would mean a reader bug)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agenda.ingest import read_file
from agenda.models import IngestResult

SUFFIXES = [".md", ".yaml", ".csv", ".docx", ".xlsx", ".txt"]
FOLDERS = ["meetings", "cases", "surveys", "publications", "x"]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes, folder: str, suffix: str) -> IngestResult:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        p = root / folder / f"f{suffix}"
        p.parent.mkdir()
        p.write_bytes(data)
        r = read_file(p, root)
    assert isinstance(r, IngestResult)
    assert (r.source is None) != (r.rejection is None)
    if r.rejection is not None:
        assert r.rejection.file == f"{folder}/f{suffix}"
        assert r.rejection.reason and not r.rejection.reason.startswith("onverwachte fout"), r.rejection.reason
        assert r.mentions == []
    else:
        ids = [m.id for m in r.mentions]
        assert len(ids) == len(set(ids))
        for m in r.mentions:
            assert m.text.strip() and not _CONTROL.search(m.text)
            assert m.source_id == r.source.id
    return r


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(FOLDERS), st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(data, folder, suffix):
    check(data, folder, suffix)


@SETTINGS
@given(st.text(max_size=2000), st.sampled_from(FOLDERS), st.sampled_from(SUFFIXES), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_arbitrary_text(text, folder, suffix, encoding):
    check(text.encode(encoding, "surrogatepass"), folder, suffix)


# Markdown/YAML/CSV-shaped text: far more likely to reach the deep parts of the readers.
_PIECES = st.sampled_from(
    [
        "---\n", "# ", "## Kennisvragen\n", "### Vraagstukken\n", "- ", "* ", "1. ", "  ", "\n", "\n\n", "?", "? ",
        "'", "\"", "‘", "’", "“", "”", "(sector: po; rol: leraar)", "(sector: ", "(voorheen cluster 3)", "**", "_",
        "[link](http://x)", "title: ", "date: ", "2021-13-45", "2021-06-23", "kind: case\n", "kind: ", "sector: [po, so]\n",
        "questions:\n  - ", "text: ", "level: ", "&a ", "*a ", "[", "]", "{", "}", ":", ";", ",", "\t", "\x0b", "\x00",
        "vraag,sector\n", "kennisvraag;rol\n", "Hoe werkt dat", "Wat", "Belemmerend: ", "Bevorderend:\n", "Definitie\n",
        "Op 23 juni", "ict’er", "```\n", "|", "|---|", "<!--", "-->", "===\n", "Huidige situatie", "| a | b |",
    ]
)


@SETTINGS
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=80), st.sampled_from(FOLDERS), st.sampled_from([".md", ".yaml", ".csv", ".txt"]))
def test_structured_text(pieces, folder, suffix):
    check("".join(pieces).encode("utf-8", "surrogatepass"), folder, suffix)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), min_size=1, max_size=12))
def test_docx_with_arbitrary_paragraphs(paragraphs):
    import io

    import docx

    doc = docx.Document()
    for i, p in enumerate(paragraphs):
        clean = _CONTROL.sub("", p.replace("\x0b", " ")).encode("utf-8", "ignore").decode("utf-8")
        clean = "".join(ch for ch in clean if ch in "\t\n" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF and ch not in "\ufffe\uffff"))
        if i % 3 == 0:
            doc.add_heading(clean, level=1 + i % 3)
        else:
            doc.add_paragraph(clean, style="List Bullet" if i % 2 else None)
    buf = io.BytesIO()
    doc.save(buf)
    check(buf.getvalue(), "meetings", ".docx")
