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

    again = build_agenda(inputs_dir=inputs, db_path=out / "k.duckdb", out_dir=out)
    assert again["new_version"] is False and again["label"] == summary["label"]
