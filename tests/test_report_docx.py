"""The Word report, read back with python-docx (never compared as bytes)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from agenda.engagement import role_plural
from agenda.models import Knowledge
from agenda.report import write_outputs
from agenda.report.common import dutch_date, themes as _theme_groups
from tests.report_fixtures import TABLE, sample_agenda, tiny_png


@pytest.fixture
def no_charts(monkeypatch):
    """Skip matplotlib where a test does not look at the charts."""
    from agenda.report import charts

    monkeypatch.setattr(charts, "top_sources_chart", lambda *a, **k: tiny_png())
    monkeypatch.setattr(charts, "sector_heatmap", lambda *a, **k: tiny_png())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    agenda = sample_agenda(hostile=True)
    out = tmp_path_factory.mktemp("report")
    paths = write_outputs(agenda, out)
    return agenda, paths, Document(str(paths[0]))


def _headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def _section_tables(doc, heading: str, level: int = 1):
    """Tables that follow the heading up to the next heading of the same or a higher level."""
    body = doc.element.body
    tables, inside = [], False
    by_el = {t._tbl: t for t in doc.tables}
    by_p = {p._p: p for p in doc.paragraphs}
    for el in body.iterchildren():
        if el.tag == qn("w:p"):
            p = by_p[el]
            name = p.style.name
            if name.startswith("Heading ") and name[8:].isdigit() and int(name[8:]) <= level:
                if inside:
                    break
                inside = p.text == heading
        elif el.tag == qn("w:tbl") and inside:
            tables.append(by_el[el])
    return tables


def _section_headings(doc, heading: str, level: int) -> list[str]:
    out, inside = [], False
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            if inside:
                break
            inside = p.text == heading
        elif inside and p.style.name == f"Heading {level}":
            out.append(p.text)
    return out


def _section_text(doc, heading: str, level: int = 1) -> str:
    body = doc.element.body
    by_p = {p._p: p for p in doc.paragraphs}
    by_t = {t._tbl: t for t in doc.tables}
    out, inside = [], False
    for el in body.iterchildren():
        if el.tag == qn("w:p"):
            p = by_p[el]
            name = p.style.name
            if name.startswith("Heading ") and name[8:].isdigit() and int(name[8:]) <= level:
                if inside:
                    break
                inside = p.text == heading
            if inside:
                out.append(p.text)
        elif el.tag == qn("w:tbl") and inside:
            out.extend(c.text for r in by_t[el].rows for c in r.cells)
    return "\n".join(out)


def test_paths_and_names(built):
    agenda, paths, _ = built
    assert [p.suffix for p in paths] == [".docx", ".md", ".csv", ".json", ".xlsx"]
    assert all(p.name.startswith(f"kennisagenda-{agenda.label}.") for p in paths)
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    # no temporary files left behind
    assert sorted(p.name for p in paths[0].parent.iterdir()) == sorted(p.name for p in paths)


def test_section_headings_in_order(built):
    _, _, doc = built
    assert _headings(doc, 1) == [
        "Samenvatting",
        "Hoe is deze agenda gemaakt",
        "Wie zijn er gehoord",
        "Wat is er veranderd",
        "De kennisvragen per thema",
        "Al beantwoorde vragen",
        "Contextmatrix",
        "Bijlagen",
    ]
    assert [h for h in _headings(doc, 2) if h[:2] in ("A.", "B.", "C.", "D.", "E.")] == [
        "A. Brondocumenten", "B. Alle formuleringen per vraag", "C. Uitgesloten vragen",
        "D. Afgewezen invoerbestanden", "E. Kennisbibliotheek"]


def test_title_page(built):
    agenda, _, doc = built
    first = [p.text for p in doc.paragraphs[:12] if p.text]
    assert first[0] == agenda.title
    assert f"Versie {agenda.label}" in first
    assert "Gemaakt op 23 november 2026" in first
    assert "Bronnen van 28 januari 2021 tot en met 14 april 2022" in first  # the period of the sources
    assert TABLE in first


def test_no_none_or_english_leftovers(built):
    _, _, doc = built
    words = set(_all_text(doc).replace("(", " ").replace(")", " ").split())
    assert not words & {"None", "null", "nan", "True", "False", "meeting", "case", "survey", "publication"}


def test_table_of_contents_lists_headings(built):
    _, _, doc = built
    toc = [p.text for p in doc.paragraphs if p.style.name in ("TOC 1", "TOC 2")]
    assert toc[0].startswith("Samenvatting")
    assert any(t.startswith("Eigenaarschap van leerlingen") for t in toc)
    assert any(t.startswith("D. Afgewezen invoerbestanden") for t in toc)
    settings = doc.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_summary_table_has_top_question(built):
    agenda, _, doc = built
    top = min(agenda.items, key=lambda i: i.rank)
    table = _section_tables(doc, "Samenvatting")[0]
    assert [c.text for c in table.rows[0].cells] == ["#", "Kennisvraag", "Bronnen", "Sectoren"]
    assert table.rows[1].cells[0].text == "1"
    assert table.rows[1].cells[1].text == top.question
    assert len(table.rows) == 11
    # the header row repeats on every page
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert doc.inline_shapes, "the summary chart is embedded"


def test_changes_section_lists_new_question(built):
    agenda, _, doc = built
    text = _section_text(doc, "Wat is er veranderd")
    assert agenda.changes.previous in text
    for item in agenda.changes.new:
        assert item.question in text
    for item in agenda.changes.dropped:
        assert item.question in text
    mv = agenda.changes.moves[0]
    assert f"{mv.old_rank} → {mv.new_rank}" in text
    assert "Q-4a5b6c" in text  # merged from


def test_first_version_has_no_changes(no_charts, tmp_path):
    agenda = sample_agenda(first_version=True)
    doc = Document(str(write_outputs(agenda, tmp_path)[0]))
    assert "Dit is de eerste versie" in _section_text(doc, "Wat is er veranderd")


def test_core_properties(built):
    agenda, _, doc = built
    cp = doc.core_properties
    assert cp.version == agenda.label
    assert cp.author == TABLE and "python-docx" not in (cp.author, cp.last_modified_by)
    assert cp.created.replace(tzinfo=None) == agenda.built_at  # naive built_at is written as UTC
    assert cp.created.year != 2013
    assert cp.language == "nl-NL"
    assert agenda.label in cp.title and agenda.label in cp.keywords


def test_knowledge_columns_are_derived_never_a_placeholder(built):
    """Issue 18: the research need and the accessibility line are derived for every question (a
    PICO-style proposal and the kind of research); the curator's own text wins."""
    agenda, _, doc = built
    body = "\n".join(p.text for p in doc.paragraphs) + _all_table_text(doc)
    assert "nog in te vullen" not in body
    empty = next(i for i in agenda.items if i.knowledge == Knowledge() and i.frequency >= 2)
    text = _section_text(doc, f"{empty.rank}. {empty.question}", level=3)
    for label in ("Vraag", "Wat is al bekend", "Hoe maken we het toegankelijk", "Welk onderzoek is nog nodig"):
        assert label in text
    assert "Onderzoeksvraag (voorstel, door de curator aan te passen): populatie:" in text
    assert "onderwerp:" in text and "uitkomst:" in text
    assert any(k in text for k in ("Effectonderzoek", "Praktijkgericht", "Verkennend", "Vergelijkend"))
    assert "Na onderzoek" in text or "praktijksamenvatting" in text
    filled = next(i for i in agenda.items if i.knowledge.known and i.knowledge.research_needed and i.frequency >= 2)
    text = _section_text(doc, f"{filled.rank}. {filled.question}", level=3)
    assert filled.knowledge.known in text and filled.knowledge.research_needed in text
    assert "Onderzoeksvraag (voorstel" not in text  # the curator's own text replaces the proposal


def _all_table_text(doc) -> str:
    return "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)


def test_item_details(built):
    agenda, _, doc = built
    item = min(agenda.items, key=lambda i: i.rank)
    text = _section_text(doc, f"{item.rank}. {item.question}", level=3)
    assert f"1 van {len(agenda.items)}" in text
    assert "bijeenkomsten" in text and "casussen" in text  # per kind, in Dutch
    assert item.explanation in text
    assert item.mentions[0].text in text  # verbatim formulation


def _once_tables(doc):
    """The per-theme 'Eenmaal genoemd' tables (recognised by their table caption)."""
    out = []
    for t in doc.tables:
        cap = t._tbl.tblPr.find(qn("w:tblCaption"))
        if cap is not None and cap.get(qn("w:val")) == "Eenmaal genoemd":
            out.append(t)
    return out


def test_questions_raised_once_are_rows_and_the_rest_cards(built):
    agenda, _, doc = built
    cards = _section_headings(doc, "De kennisvragen per thema", 3)
    once = [i for i in agenda.items if i.frequency == 1]
    many = [i for i in agenda.items if i.frequency >= 2]
    assert once and many
    assert cards == [f"{i.rank}. {i.question}" for t, items in _theme_groups(agenda) for i in items
                     if i.frequency >= 2]
    tables = _once_tables(doc)
    assert tables
    for t in tables:
        assert [c.text for c in t.rows[0].cells] == ["#", "Kennisvraag", "Context", "Kennis"]
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    rows = {r.cells[0].text: r for t in tables for r in t.rows[1:]}
    assert sorted(rows, key=int) == [str(i.rank) for i in sorted(once, key=lambda i: i.rank)]
    item = next(i for i in once if i.mentions[0].kind.value != "survey")
    row = rows[str(item.rank)]
    question = row.cells[1].paragraphs
    assert question[0].text == item.question
    # the single source with its date, in small grey text under the question
    assert question[1].text == f"{item.mentions[0].source}, {dutch_date(item.mentions[0].date)}"
    assert question[1].runs[0].font.size.pt < 9
    m = item.mentions[0]
    assert row.cells[2].paragraphs[0].text == " · ".join([", ".join(m.sectors), ", ".join(m.roles), m.level])
    # a frequency-1 question has no card; a frequency >= 2 question has no row
    assert f"{item.rank}. {item.question}" not in cards
    assert f"{many[0].rank}. {many[0].question}" in cards and str(many[0].rank) not in rows
    intro = _section_text(doc, "De kennisvragen per thema").split("\n")[1]
    assert "in één bron" in intro and "Eenmaal genoemd" in intro
    # the single-group mark the cards and 'Wie zijn er gehoord' use, on the rows too
    single = [i for i in once if len(i.groups) == 1]
    assert single
    for i in once:
        marked = f"alleen {role_plural(i.groups[0])} stelden deze vraag" if len(i.groups) == 1 else "stelden deze vraag"
        assert (marked in rows[str(i.rank)].cells[2].text) == (len(i.groups) == 1), i.cluster_id


def test_once_table_shows_curator_knowledge(built):
    agenda, _, doc = built
    rows = {r.cells[0].text: r for t in _once_tables(doc) for r in t.rows[1:]}
    filled = next(i for i in agenda.items if i.frequency == 1 and i.knowledge.known)
    cell = rows[str(filled.rank)].cells[3].text
    assert f"Bekend: {filled.knowledge.known}" in cell
    assert "Toegankelijk: " in cell and "Onderzoek: " in cell and "Onderzoeksvraag (voorstel" in cell
    empty = next(i for i in agenda.items if i.frequency == 1 and i.knowledge == Knowledge())
    assert "Onderzoeksvraag (voorstel" in rows[str(empty.rank)].cells[3].text


def test_cards_may_flow_but_keep_heading_with_key_facts(built):
    """Only the heading and the key facts are kept together, so cards do not leave half pages empty."""
    agenda, _, doc = built
    item = min(agenda.items, key=lambda i: i.rank)
    heading = next(p for p in doc.paragraphs if p.text == f"{item.rank}. {item.question}")
    assert heading.paragraph_format.keep_with_next
    facts = heading._p.getnext()
    assert facts.tag == qn("w:tbl")
    keeps = [bool(p.pPr is not None and p.pPr.keepNext is not None)
             for tr in facts.findall(qn("w:tr")) for p in tr.iter(qn("w:p"))]
    assert keeps[0] and not keeps[-1]
    expl = facts.getnext()
    assert "Waarom deze plaats" in "".join(expl.itertext())
    assert expl.pPr is None or expl.pPr.keepNext is None


def test_themes_ordered_by_best_rank_and_none_is_overig(built):
    agenda, _, doc = built
    themes = _section_headings(doc, "De kennisvragen per thema", 2)
    best = {}
    for i in agenda.items:
        best.setdefault(i.theme or "Overig", i.rank)
        best[i.theme or "Overig"] = min(best[i.theme or "Overig"], i.rank)
    assert themes == sorted(best, key=best.get)
    assert "Overig" in themes


def test_appendix_lists_rejected_files_and_exclusions(built):
    agenda, _, doc = built
    rejected = _section_text(doc, "D. Afgewezen invoerbestanden", level=2).replace("\u200b", "")
    for r in agenda.rejected:
        assert r.file in rejected and r.reason in rejected
    assert "14" in rejected
    excluded = _section_text(doc, "C. Uitgesloten vragen", level=2)
    for e in agenda.excluded:
        assert e.question in excluded and e.why in excluded
    sources = _section_text(doc, "A. Brondocumenten", level=2)
    assert all(s.title in sources for s in agenda.sources)
    trace = _section_text(doc, "B. Alle formuleringen per vraag", level=2)
    assert all(m.id in trace for i in agenda.items for m in i.mentions)


def test_appendix_says_geen_when_nothing_rejected(no_charts, tmp_path):
    agenda = sample_agenda().model_copy(update={"rejected": [], "excluded": []})
    doc = Document(str(write_outputs(agenda, tmp_path)[0]))
    assert _section_text(doc, "D. Afgewezen invoerbestanden", level=2).split("\n")[1].startswith("Geen")
    assert _section_text(doc, "C. Uitgesloten vragen", level=2).split("\n")[1].startswith("Geen")


def test_template_syntax_and_markup_appear_literally(built):
    _, _, doc = built
    text = _all_text(doc)
    assert "Wat gebeurt er met {{ 7*7 }} en <script>alert(1)</script> in een vraag?" in text
    assert "=HYPERLINK" in text


def test_control_characters_are_stripped(no_charts, tmp_path):
    agenda = sample_agenda()
    item = agenda.items[0]
    item.question = "Vraag\x0bmet\x00stuurtekens?"
    item.explanation = "Uitleg\x0c."
    agenda.rejected[0].reason = "Kapot\x01 bestand"
    doc = Document(str(write_outputs(agenda, tmp_path)[0]))
    text = _all_text(doc)
    assert "Vraagmetstuurtekens?" in text and "Kapot bestand" in text


def test_custom_template_is_used(no_charts, tmp_path):
    from agenda.report.make_template import build

    tpl = build(tmp_path / "huisstijl.docx")
    doc = Document(str(tpl))
    doc.styles["Normal"].font.name = "Georgia"
    doc.save(str(tpl))
    out = write_outputs(sample_agenda(), tmp_path / "out", template=tpl)[0]
    assert Document(str(out)).styles["Normal"].font.name == "Georgia"


def test_plain_python_docx_template_still_works(no_charts, tmp_path):
    """A house-style template without our custom styles falls back to built-in ones."""
    tpl = tmp_path / "kaal.docx"
    Document().save(str(tpl))
    out = write_outputs(sample_agenda(), tmp_path / "out", template=tpl)[0]
    assert "Samenvatting" in _headings(Document(str(out)), 1)


def test_empty_agenda_still_gives_a_report(no_charts, tmp_path):
    agenda = sample_agenda(first_version=True).model_copy(
        update={"items": [], "sources": [], "rejected": [], "excluded": [], "curation_notes": [], "settings": {}})
    paths = write_outputs(agenda, tmp_path)
    doc = Document(str(paths[0]))
    assert _headings(doc, 1)[0] == "Samenvatting"
    assert "nog niet door een curator beoordeeld" in _section_text(doc, "Beoordeling", level=2)
    assert "nog geen vragen" in _section_text(doc, "De kennisvragen per thema")


def test_many_items_matrix_says_top_25(no_charts, tmp_path):
    agenda = sample_agenda()
    extra = []
    for n in range(12):
        it = agenda.items[-1].model_copy(deep=True)
        it.rank = len(agenda.items) + n + 1
        it.cluster_id = f"Q-ext{n:03d}"
        it.question = f"Extra vraag nummer {n}?"
        extra.append(it)
    agenda.items.extend(extra)
    doc = Document(str(write_outputs(agenda, tmp_path)[0]))
    assert "alleen de 25 hoogst geplaatste vragen" in _section_text(doc, "Contextmatrix")


def test_atomic_write_leaves_old_report_when_build_fails(no_charts, tmp_path, monkeypatch):
    agenda = sample_agenda()
    first = write_outputs(agenda, tmp_path)[0]
    before = first.read_bytes()

    from agenda.report import docx_writer

    def boom(*a, **k):
        raise RuntimeError("gestopt")

    monkeypatch.setattr(docx_writer.DocxDocument, "save", boom)
    with pytest.raises(RuntimeError):
        write_outputs(agenda, tmp_path)
    assert first.read_bytes() == before  # the previous report is intact
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfinfo")), reason="LibreOffice/poppler not installed")
def test_libreoffice_renders_several_pages(built, tmp_path):
    _, paths, _ = built
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(paths[0])],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (paths[0].stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages > 3


def test_fast_table_rows_are_what_cell_by_cell_writing_gives(tmp_path):
    """Appendix tables are written as one XML fragment (linear in their length); the cells must
    be exactly what python-docx's cell-by-cell writing gives, awkward text included."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from agenda.report.docx_writer import _Writer

    rows = [["a & b <c>", "  leading and trailing  ", 3], ["twee\nregels", "tab\there", ""],
            ["cr\rhier", "‘quotes’ \"dubbel\"", None]]
    writer = _Writer(sample_agenda(), None)
    fast = writer.table(["Een", "Twee", "Drie"], rows, [4.0, 8.0, 2.0], align={2: WD_ALIGN_PARAGRAPH.CENTER})
    slow = writer.table(["Een", "Twee", "Drie"], [], [4.0, 8.0, 2.0], align={2: WD_ALIGN_PARAGRAPH.CENTER})
    for row in rows:
        tr = slow.add_row()
        writer._row_props(tr)
        for c, value in enumerate(row):
            writer.cell_text(tr.cells[c], value, align=WD_ALIGN_PARAGRAPH.CENTER if c == 2 else None)
    assert fast._tbl.xml == slow._tbl.xml
    assert [[c.text for c in r.cells] for r in fast.rows[1:]] == [
        ["a & b <c>", "  leading and trailing  ", "3"], ["twee\nregels", "tab\there", ""],
        ["cr\nhier", "‘quotes’ \"dubbel\"", ""]]


def test_thousands_of_sources_are_summarised_per_folder_and_point_to_the_json(no_charts, tmp_path, monkeypatch):
    """Past the limits the appendices summarise (50,000 sources made a 3,000-page report); nothing
    is lost: the text names the JSON export, which holds every source and formulation."""
    from agenda.report.chapters import appendices

    monkeypatch.setattr(appendices, "MAX_SOURCE_ROWS", 3)
    monkeypatch.setattr(appendices, "MAX_MENTION_ROWS", 2)
    agenda = sample_agenda()
    doc = Document(str(write_outputs(agenda, tmp_path)[0]))
    sources = _section_text(doc, "A. Brondocumenten", level=2).replace("\u200b", "")
    assert f"{len(agenda.sources)} bronnen" in sources and "kennisagenda-2026-Q4.json (onder sources)" in sources
    folders = {s.path.rpartition("/")[0] or "." for s in agenda.sources}
    table = _section_tables(doc, "A. Brondocumenten", level=2)[0]
    assert [r.cells[0].text.replace("\u200b", "") for r in table.rows[1:]] == sorted(folders, key=str.casefold)
    assert sum(int(r.cells[3].text) for r in table.rows[1:]) == len(agenda.sources)
    trace = _section_text(doc, "B. Alle formuleringen per vraag", level=2)
    big = next(i for i in agenda.items if len(i.mentions) > 2)
    assert all(m.id in trace for m in big.mentions[:2]) and big.mentions[2].id not in trace
    assert (f"… en {len(big.mentions) - 2} formulering" in trace
            and f"alle {len(big.mentions)} staan met id en bron in kennisagenda-2026-Q4.json" in trace)


def test_a_long_list_of_formulations_shows_each_wording_once_first(monkeypatch):
    """Thousands of survey answers repeat a few texts: past the limit every distinct wording is
    listed before any repeat, so the appendix shows how the question was asked."""
    from agenda.report.chapters import appendices

    monkeypatch.setattr(appendices, "MAX_MENTION_ROWS", 3)
    base = next(i for i in sample_agenda().items if i.mentions).mentions[0]
    texts = ["Vraag A?", "vraag a?", "Vraag A?", "Vraag B?", "Vraag A?", "Vraag C?"]
    mentions = [base.model_copy(update={"id": f"M-{n}", "text": t}) for n, t in enumerate(texts)]
    assert [m.id for m in appendices.mentions_to_list(mentions)] == ["M-0", "M-3", "M-5"]
    assert [m.id for m in appendices.mentions_to_list(mentions[:3])] == ["M-0", "M-1", "M-2"]


def test_changes_name_questions_no_longer_excluded_and_answered_ones_that_vanished(no_charts, tmp_path):
    """Issue 21 (held out): both read 'Geen verschillen' (or 'nieuw') on main; the report and the .md say them."""
    agenda = sample_agenda()
    back, gone = agenda.items[-1].model_copy(deep=True), agenda.items[-2].model_copy(deep=True)
    back.question, gone.question = "Teruggekeerde vraag?", "Verdwenen beantwoorde vraag?"
    agenda.changes.readmitted, agenda.changes.dropped_answered = [back], [gone]
    paths = write_outputs(agenda, tmp_path)
    text = _section_text(Document(str(paths[0])), "Wat is er veranderd")
    assert "Niet langer uitgesloten" in text and "Teruggekeerde vraag?" in text
    assert "Verdwenen beantwoorde vraag?" in text and "beantwoord" in text
    md = next(p for p in paths if str(p).endswith(".md")).read_text(encoding="utf-8")
    assert "Teruggekeerde vraag? (plaats" in md and "Verdwenen beantwoorde vraag? (was beantwoord)" in md
