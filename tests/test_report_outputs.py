"""The text outputs: Markdown (jinja2, autoescape), CSV (formula injection) and JSON."""

from __future__ import annotations

import csv
import json

import pytest

from agenda.report import output_stem, write_outputs
from agenda.report.text_outputs import CSV_COLUMNS, render_markdown, safe_cell
from tests.report_fixtures import sample_agenda

HOSTILE = "Wat gebeurt er met {{ 7*7 }} en <script>alert(1)</script> in een vraag?"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    agenda = sample_agenda(hostile=True)
    from agenda.report.text_outputs import write_csv, write_json, write_markdown

    out = tmp_path_factory.mktemp("text")
    stem = output_stem(agenda.label)
    return agenda, {
        "md": write_markdown(agenda, out / f"{stem}.md"),
        "csv": write_csv(agenda, out / f"{stem}.csv"),
        "json": write_json(agenda, out / f"{stem}.json"),
    }


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+31 6", "'+31 6"),
    ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("Hoe richt je leerpleinen in?", "Hoe richt je leerpleinen in?"),
    ("a=b", "a=b"),
    (None, ""),
    (3, "3"),
    (-1.5, "-1.5"),
    ("x\x0by", "xy"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_rows_and_injection(outputs):
    """Issue 18: the CSV opens in Dutch Excel as columns: ';', UTF-8 with a BOM, Dutch headers, decimal commas."""
    agenda, paths = outputs
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(paths["csv"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert len(rows) == len(agenda.items) + len(agenda.answered)
    ranked = [r for r in rows if r["Plaats"]]
    assert [int(r["Plaats"]) for r in ranked] == sorted(i.rank for i in agenda.items)
    top = min(agenda.items, key=lambda i: i.rank)
    assert rows[0]["Kennisvraag"] == top.question and rows[0]["Id"] == top.cluster_id
    assert float(rows[0]["Score"].replace(",", ".")) == pytest.approx(top.score, abs=1e-4)
    assert "po" in rows[0]["Sectoren"].split("; ")
    assert all(r["Welk onderzoek is nog nodig"] and r["Hoe maken we het toegankelijk"] for r in rows)
    formula = next(r for r in rows if "HYPERLINK" in r["Kennisvraag"])
    assert formula["Kennisvraag"].startswith("'=HYPERLINK")
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())
    assert any(r["Kennisvraag"] == HOSTILE for r in rows)


def test_xlsx_has_agenda_formulations_and_sources_and_no_formula(tmp_path):
    from openpyxl import load_workbook

    agenda = sample_agenda()
    path = next(p for p in write_outputs(agenda, tmp_path) if p.suffix == ".xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Agenda", "Formuleringen", "Bronnen"]
    ws = wb["Agenda"]
    assert [c.value for c in ws[1]] == list(CSV_COLUMNS)
    assert ws.max_row - 1 == len(agenda.items) + len(agenda.answered)
    assert wb["Formuleringen"].max_row - 1 == sum(len(i.mentions) for i in [*agenda.items, *agenda.answered])
    assert wb["Bronnen"].max_row - 1 == len(agenda.sources)
    assert not any(c.data_type == "f" for s in wb.worksheets for row in s.iter_rows() for c in row)


def test_json_shape(outputs):
    agenda, paths = outputs
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["label"] == agenda.label and data["title"] == agenda.title and "built_at" in data
    assert len(data["items"]) == len(agenda.items)
    for item in data["items"]:
        for key in ("rank", "cluster_id", "question", "score", "frequency", "sources", "contexts",
                    "explanation", "mentions"):
            assert key in item
        for m in item["mentions"]:
            assert {"id", "text", "source"} <= m.keys()
    assert any(i["question"] == HOSTILE for i in data["items"])
    assert data["changes"]["previous"] == "2026-Q3"


def test_markdown_is_escaped_not_evaluated(outputs):
    agenda, paths = outputs
    md = paths["md"].read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in md
    assert "met 49 en" not in md
    assert "<script>" not in md and "&lt;script&gt;" in md  # shows literally once rendered
    assert md.startswith(f"# {agenda.title}")
    assert "## Wat is er veranderd" in md
    for item in agenda.changes.new:
        assert item.question in md
    assert "nog in te vullen" not in md and "Onderzoeksvraag (voorstel" in md
    assert "verslag-achtste-bijeenkomst.docx" in md


def test_markdown_first_version_and_empty_lists():
    agenda = sample_agenda(first_version=True).model_copy(update={"rejected": [], "excluded": []})
    md = render_markdown(agenda)
    assert "Dit is de eerste versie" in md
    assert md.count("Geen.") == 2


def test_markdown_table_cells_escape_pipes():
    agenda = sample_agenda()
    agenda.items[0].question = "Kiezen tussen a | b?"
    md = render_markdown(agenda)
    assert "Kiezen tussen a \\| b?" in md


def test_output_stem_is_safe():
    assert output_stem("2026-Q4") == "kennisagenda-2026-Q4"
    assert output_stem("2026-Q4.2") == "kennisagenda-2026-Q4.2"
    assert "/" not in output_stem("../../etc")


def test_write_outputs_replaces_previous_files(tmp_path, monkeypatch):
    from agenda.report import charts
    from tests.report_fixtures import tiny_png

    monkeypatch.setattr(charts, "top_sources_chart", lambda *a, **k: tiny_png())
    monkeypatch.setattr(charts, "sector_heatmap", lambda *a, **k: tiny_png())
    agenda = sample_agenda()
    first = write_outputs(agenda, tmp_path)
    agenda.items[0].question = "Een gewijzigde vraag?"
    second = write_outputs(agenda, tmp_path)
    assert first == second
    assert "Een gewijzigde vraag?" in second[1].read_text(encoding="utf-8")
    assert len(list(tmp_path.iterdir())) == 5


def test_json_text_is_plain_json_dumps_of_the_agenda(outputs):
    """The export is written by pydantic's serializer (fast); its text is what json.dumps gives."""
    agenda, paths = outputs
    assert paths["json"].read_text(encoding="utf-8") == (
        json.dumps(agenda.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
