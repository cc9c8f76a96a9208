"""The build flow end to end on the shipped sample corpus, through Prefect."""

import shutil

import docx

from flows.build import build_agenda
from tests.conftest import ROOT, SEED_QUESTIONS


def test_build_flow_writes_a_report_with_the_seed_questions(tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    out = tmp_path / "outputs"
    summary = build_agenda(inputs_dir=inputs, db_path=out / "k.duckdb", out_dir=out)
    assert summary["new_version"] is True
    docx_path = next(p for p in summary["paths"] if p.endswith(".docx"))
    document = docx.Document(docx_path)
    cells = {cell.text.strip() for table in document.tables for row in table.rows for cell in row.cells}
    body = "\n".join(p.text for p in document.paragraphs) + "\n".join(cells)
    for question in SEED_QUESTIONS:
        assert question in body
    assert document.core_properties.version == summary["label"]
    # the ranking in Prefect's UI says what is already known, as `show` and the report do
    import json

    from prefect.artifacts import Artifact

    ranking = json.loads(Artifact.get("kennisagenda-ranglijst").data)
    assert [row["rang"] for row in ranking] == list(range(1, len(ranking) + 1))
    assert any(row["al bekend"].endswith("mogelijk") for row in ranking[:5])

    # unchanged inputs, settings and software: no stage runs, no file is written, whatever --label says
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.endswith(".lock")}
    again = build_agenda(inputs_dir=inputs, db_path=out / "k.duckdb", out_dir=out, label="2099-Q1")
    assert again["new_version"] is False and again["label"] == summary["label"] and again["unchanged"]
    assert again["changes"][0].startswith(f"Geen verschillen met versie {summary['label']}: geen nieuwe versie")
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.endswith(".lock")} == before
    assert sorted(again["paths"]) == sorted(summary["paths"])


def test_cli_build_exits_1_and_lists_rejected_files(tmp_path):
    from typer.testing import CliRunner

    from agenda.cli import app

    inputs = tmp_path / "inputs" / "meetings"
    inputs.mkdir(parents=True)
    (inputs / "goed.md").write_text("---\ntitle: Verslag\ndate: 2022-01-10\n---\n## Kennisvragen\n"
                                     "- Hoe richt je een leerplein in voor groep 5 tot en met 8?\n", encoding="utf-8")
    (inputs / "leeg.md").write_bytes(b"")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", "--inputs", str(tmp_path / "inputs"), "--db", str(out / "k.duckdb"),
                                      "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "meetings/leeg.md" in result.stderr and "leeg bestand" in result.stderr
    assert "Traceback" not in result.output
    assert list(out.glob("kennisagenda-*.docx"))  # everything else still published


def test_cli_first_build_without_a_single_question_exits_2_and_publishes_nothing(tmp_path):
    """A first build whose files are read but hold no question (a report without a question heading, a
    survey whose question column is empty) published an empty version with exit 0."""
    from typer.testing import CliRunner

    from agenda.cli import app
    from agenda.store import Store

    inputs = tmp_path / "inputs"
    (inputs / "meetings").mkdir(parents=True)
    (inputs / "surveys").mkdir()
    (inputs / "meetings" / "2022-01-10-verslag.md").write_text(
        "---\ntitle: Verslag\n---\n## Opening\nDe voorzitter heet iedereen welkom.\n", encoding="utf-8")
    (inputs / "surveys" / "peiling.csv").write_text("vraag;sector\r\n;po\r\n;so\r\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", "--inputs", str(inputs), "--db", str(out / "k.duckdb"), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "geen enkele vraag voor de agenda" in result.stderr and "geen eerste versie gemaakt" in result.stderr
    assert "surveys/peiling.csv" in result.stderr and "Traceback" not in result.output
    assert not list(out.glob("kennisagenda-*"))
    with Store(out / "k.duckdb", read_only=True) as store:
        assert store.versions() == []
