"""The evidence library (inputs/kennis/): every format read into knowledge sources with stable ids."""

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook

from agenda.evidence.library import knowledge_id, read_library, split_passages
from agenda.ingest import discover

DOI = "10.1109/TLT.2018.2851585"
TITLE = "How teachers make dashboard information actionable"
ABSTRACT = ("Primary school teachers used the dashboard of adaptive learning technology during lessons. "
            "They differed in how often they looked and in how often they acted on what they saw.")

RIS = f"""TY  - JOUR
AU  - Molenaar, Inge
AU  - Knoop-van Campen, Carolien A. N.
PY  - 2019
TI  - {TITLE}
T2  - IEEE Transactions on Learning Technologies
DO  - {DOI}
AB  - {ABSTRACT}
KW  - dashboards
ER  - 

TY  - RPRT
AU  - Redecker, Christine
PY  - 2017
TI  - European Framework for the Digital Competence of Educators: DigCompEdu
PB  - Publications Office of the European Union
UR  - https://example.org/digcompedu
ER  - 
"""

BIB = r"""@article{molenaar2019,
  author = {Molenaar, Inge and Knoop-van Campen, Carolien A. N.},
  title = {How teachers make {dashboard} information actionable},
  journal = {IEEE Transactions on Learning Technologies},
  year = {2019},
  doi = {https://doi.org/10.1109/tlt.2018.2851585},
}
@book{buttner,
  author = {B{\"u}ttner, Gerhard},
  title = {Zelfregulatie in de basisschool},
  year = {2008},
}
"""

CSL = [{"type": "article-journal", "title": "Learning analytics: Ethical issues and dilemmas",
        "author": [{"family": "Slade", "given": "Sharon"}, {"family": "Prinsloo", "given": "Paul"}],
        "issued": {"date-parts": [[2013, 10]]}, "container-title": "American Behavioral Scientist",
        "DOI": "10.1177/0002764213479366", "abstract": "Ethical issues of collecting learner data."}]

HTML = """<!DOCTYPE html><html lang="nl"><head><title>Notitie: eigenaarschap</title>
<style>p { color: red; }</style><script>var tracking = "geheim";</script>
<link rel="canonical" href="https://example.org/eigenaarschap"></head>
<body><nav><a href="/">Home</a> | Menu</nav>
<main><h1>Eigenaarschap</h1><p>Leerlingen leren <em>zelf</em> doelen stellen.</p>
<ul><li><p>Plannen en terugkijken.</p></li></ul></main>
<footer>Cookie-instellingen</footer></body></html>"""


def _lib(tmp_path: Path) -> Path:
    (tmp_path / "kennis").mkdir(parents=True)
    return tmp_path / "kennis"


def _docx(path: Path, title: str, paragraphs: list[tuple[str, str]]) -> None:
    d = docx.Document()
    for style, text in paragraphs:
        d.add_paragraph(text, style=style)
    d.core_properties.title = title
    d.core_properties.created = dt.datetime(2022, 5, 9, 9, 0)
    d.save(path)


def test_every_format_becomes_knowledge_sources(tmp_path):
    lib = _lib(tmp_path)
    (lib / "export.ris").write_text(RIS, encoding="utf-8")
    (lib / "zotero.bib").write_text(BIB, encoding="utf-8")
    (lib / "csl.json").write_text(json.dumps(CSL), encoding="utf-8")
    (lib / "lijst.csv").write_bytes("sep=;\r\nTitel;Auteurs;Jaar;Samenvatting;URL\r\n"
                                    "Werkdruk en ict;\"Jansen, A.; Pietersen, B.\";2020;Over tijd en taken.;\r\n"
                                    .encode("utf-8-sig"))
    wb = Workbook()
    wb.active.append(["Titel", "Auteurs", "Jaar", "Samenvatting", "URL"])
    wb.active.append(["Leerpleinen inrichten", "De Vries, C.", 2021, "Ruimte voor groepsdoorbroken werken.",
                      "https://example.org/leerplein"])
    wb.save(lib / "lijst.xlsx")
    (lib / "notitie.md").write_text("---\ntitle: Adaptieve software\ndate: 2022-03-15\nurl: https://example.org/a\n"
                                    "---\n\n# Vraag\n\nLeren leerlingen meer?\n\n## Kort antwoord\n\nGemiddeld wel.\n",
                                    encoding="utf-8")
    (lib / "werkdruk.txt").write_text("Dashboards en werkdruk\n\nLeraren lezen gegevens tijdens de les.\n",
                                      encoding="utf-8")
    (lib / "pagina.html").write_text(HTML, encoding="utf-8")
    _docx(lib / "privacy.docx", "Privacy van leerlinggegevens",
          [("Heading 1", "Van wie zijn de gegevens?"), ("Normal", "De school is verantwoordelijk.")])

    result = read_library(tmp_path)
    assert result.rejections == []
    by_title = {s.title: s for s in result.sources}
    molenaar = by_title[TITLE]
    assert molenaar.authors == ["Molenaar, Inge", "Knoop-van Campen, Carolien A. N."]
    assert (molenaar.year, molenaar.doi, molenaar.url) == (2019, DOI, f"https://doi.org/{DOI}")
    assert molenaar.venue == "IEEE Transactions on Learning Technologies"
    assert molenaar.passages[0].startswith(TITLE + ". Primary school teachers")
    assert "Trefwoorden: dashboards." in molenaar.passages[-1]
    # the same publication from BibTeX (DOI written as a link) is the same K- id: kept once, noted
    assert [s.path for s in result.sources if s.id == molenaar.id] == ["kennis/export.ris"]
    assert any("zotero.bib" in n and "export.ris" in n for n in result.notes)
    assert by_title["Zelfregulatie in de basisschool"].authors == ["Büttner, Gerhard"]  # LaTeX decoded
    slade = by_title["Learning analytics: Ethical issues and dilemmas"]
    assert (slade.authors, slade.year, slade.venue) == (["Slade, Sharon", "Prinsloo, Paul"], 2013,
                                                        "American Behavioral Scientist")
    assert by_title["Werkdruk en ict"].authors == ["Jansen, A.", "Pietersen, B."]
    assert by_title["Leerpleinen inrichten"].url == "https://example.org/leerplein"
    note = by_title["Adaptieve software"]
    assert (note.kind, note.year, note.url) == ("document", 2022, "https://example.org/a")
    assert note.passages == ["Vraag: Leren leerlingen meer? Kort antwoord: Gemiddeld wel."]  # heading joined to its text
    assert by_title["Dashboards en werkdruk"].passages == ["Leraren lezen gegevens tijdens de les."]
    page = by_title["Notitie: eigenaarschap"]
    text = " ".join(page.passages)
    assert "Leerlingen leren zelf doelen stellen." in text and "Plannen en terugkijken." in text
    assert not any(w in text for w in ("tracking", "geheim", "color", "Home", "Cookie"))
    assert page.url == "https://example.org/eigenaarschap"
    privacy = by_title["Privacy van leerlinggegevens"]
    assert privacy.year == 2022 and privacy.passages == ["Van wie zijn de gegevens? De school is verantwoordelijk."]
    assert set(result.digests) == {f"kennis/{p.name}" for p in lib.iterdir()}


def test_ids_are_stable_across_exports():
    assert knowledge_id("10.1/abc", "Whatever", 2000) == knowledge_id("10.1/abc", "Other title", 2001)
    assert knowledge_id("", "How teachers make: dashboard info!", 2019) == \
        knowledge_id("", "how teachers make dashboard info", 2019)
    assert knowledge_id("", "Same title", 2019) != knowledge_id("", "Same title", 2020)
    assert knowledge_id("", "T", None).startswith("K-") and len(knowledge_id("", "T", None)) == 8


def test_bad_files_are_rejected_with_a_dutch_reason(tmp_path):
    lib = _lib(tmp_path)
    (lib / "kapot.bib").write_text("@article{x, title = {nooit afgesloten\n", encoding="utf-8")
    (lib / "geen-csl.json").write_text(json.dumps({"naam": "iets anders"}), encoding="utf-8")
    (lib / "leeg.ris").write_bytes(b"")
    (lib / "binair.ris").write_bytes(b"\x00\x01\x02" * 100)
    (lib / "zonder-titel.csv").write_text("auteur;jaar\nJansen;2020\n", encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><w:document/>")
    (lib / "entiteit.docx").write_bytes(buf.getvalue())
    (lib / "plaatje.png").write_bytes(b"\x89PNG")
    (lib / "goed.ris").write_text(RIS, encoding="utf-8")
    result = read_library(tmp_path)
    reasons = {r.file: r.reason for r in result.rejections}
    assert set(reasons) == {"kennis/kapot.bib", "kennis/geen-csl.json", "kennis/leeg.ris", "kennis/binair.ris",
                            "kennis/zonder-titel.csv", "kennis/entiteit.docx", "kennis/plaatje.png"}
    assert "BibTeX" in reasons["kennis/kapot.bib"]
    assert "CSL-JSON" in reasons["kennis/geen-csl.json"]
    assert reasons["kennis/leeg.ris"] == "leeg bestand"
    assert "kolom 'titel'" in reasons["kennis/zonder-titel.csv"]
    assert "DOCTYPE" in reasons["kennis/entiteit.docx"]
    assert ".png" in reasons["kennis/plaatje.png"] and ".ris" in reasons["kennis/plaatje.png"]
    assert len(result.sources) == 2  # the good file still goes in


def test_gather_does_not_read_the_library_as_meetings(tmp_path):
    lib = _lib(tmp_path)
    (lib / "notitie.md").write_text("# Vragen\n\n- Werkt dit?\n", encoding="utf-8")
    (tmp_path / "meetings").mkdir()
    (tmp_path / "meetings" / "verslag.md").write_text("# Vragen\n\n- Werkt dat?\n", encoding="utf-8")
    files, rejections = discover(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["meetings/verslag.md"]
    assert rejections == []


def test_passages_join_short_paragraphs_and_cut_long_ones():
    long = " ".join(f"Zin nummer {i} gaat over leren." for i in range(60))
    passages = split_passages(["Kort.", "Ook kort.", long], words=40)
    assert passages[0].startswith("Kort. Ook kort.")
    assert all(len(p.split()) <= 80 for p in passages)
    assert " ".join(passages).split() == ("Kort. Ook kort. " + long).split()  # nothing lost, nothing repeated


@pytest.mark.parametrize("name", ["kennis/literatuur-zotero-export.ris"])
def test_sample_library_reads_whole(name):
    root = Path(__file__).resolve().parents[1] / "inputs"
    result = read_library(root)
    assert result.rejections == []
    assert len([s for s in result.sources if s.path == name]) == 29
    assert {s.kind for s in result.sources} == {"reference", "document"}
