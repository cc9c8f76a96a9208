"""A file that is read but yields no question, or carries an unknown sector, is a warning: stored with
the source (so every build lists it, even when the file is not read again), listed by `rejected`
(severity "warning", same row shape plus the field) and in the report's appendix; it does not make
the build exit 1."""

from __future__ import annotations

import json
import zipfile

from typer.testing import CliRunner

from agenda.cli import app
from agenda.store import Store
from tests.conftest import build_without_prefect


def test_warnings_are_stored_listed_and_reported(tmp_path):
    inputs = tmp_path / "inputs"
    (inputs / "meetings").mkdir(parents=True)
    (inputs / "surveys").mkdir()
    (inputs / "meetings" / "2022-01-10-overleg.md").write_text(
        "# Overleg\n\nWe bespraken de planning. Wie komt er? Dat horen we nog.\n", encoding="utf-8")
    (inputs / "meetings" / "2022-02-10-verslag.md").write_text(
        "# Verslag\n\n## Kennisvragen\n\n- Hoe plan je kindgesprekken?\n", encoding="utf-8")
    (inputs / "surveys" / "peiling.csv").write_text(
        "sector;vraag\r\nKinderopvang;Hoe werk je samen met de opvang?\r\n", encoding="utf-8")
    db, out = tmp_path / "out" / "k.duckdb", tmp_path / "out"
    build_without_prefect(inputs, db, out)
    build_without_prefect(inputs, db, out)  # the second build reads nothing again: the warnings stay
    with Store(db) as store:
        rows = store.rejected()
    assert [(r.file, r.line, r.severity) for r in rows] == [
        ("meetings/2022-01-10-overleg.md", None, "warning"),
        ("surveys/peiling.csv", 2, "warning"),
    ]
    assert "wel 1 vraagzin(nen)" in rows[0].reason and "onbekende sector 'Kinderopvang'" in rows[1].reason
    result = CliRunner().invoke(app, ["rejected", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [set(r) for r in listed] == [{"file", "line", "reason", "severity"}] * 2
    docx = next(out.glob("*.docx"))
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    assert "Waarschuwingen" in xml and "2022-01-10-overleg.md" in xml
    assert "Geen: alle invoerbestanden zijn gelezen." in xml
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "### Waarschuwingen bij gelezen bestanden" in md and "Kinderopvang" in md
