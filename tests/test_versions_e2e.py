"""Versions on real files: adding a meeting makes a new version whose report and diff name the
new question; an identical rebuild makes none; any version can be published again."""

import shutil

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from typer.testing import CliRunner

from agenda.cli import app
from agenda.store import Store
from tests.conftest import build_without_prefect

# unrelated to everything in the sample corpus (personalised learning), so nothing else may change
NEW_QUESTION = "Hoe organiseren we het schoolzwemmen voor groep 5 nu het zwembad in de gemeente sluit?"


def _section_text(path, start, stop):
    """Text of paragraphs and tables between heading `start` and heading `stop` (not the contents list)."""
    out, inside = [], False
    for block in docx.Document(path).iter_inner_content():
        if isinstance(block, Paragraph) and block.style.name.startswith("Heading"):
            if block.text.strip() == start:
                inside = True
                continue
            if block.text.strip() == stop and inside:
                break
        if inside:
            cells = [c.text for r in block.rows for c in r.cells] if isinstance(block, Table) else [block.text]
            out.extend(cells)
    return "\n".join(out)


def _clusters(db):
    with Store(db, read_only=True) as store:
        return {c.id: sorted(c.mention_ids) for c in store.clusters()}


def test_a_new_meeting_makes_a_new_version_that_names_the_new_question(tmp_path, sample_build):
    inputs = tmp_path / "inputs"
    shutil.copytree(sample_build[0], inputs)
    db, out = tmp_path / "out/k.duckdb", tmp_path / "out"
    out.mkdir()
    shutil.copy(sample_build[1], db)  # the sample corpus built once for the session: its first version
    first = sample_build[3]
    same, _ = build_without_prefect(inputs, db, out)  # the same files, copied elsewhere: nothing new
    assert not same.is_new and same.label == first.label
    before = _clusters(db)

    (inputs / "meetings/2022-10-03-negende-bijeenkomst.md").write_text(
        "---\ntitle: Negende bijeenkomst kennistafel\ndate: 2022-10-03\nkind: meeting\n---\n"
        "# Negende bijeenkomst\n\nDe leden bespraken de overgang naar het vo.\n\n## Kennisvragen\n\n"
        f"- {NEW_QUESTION} (sector: po; rol: leraar)\n", encoding="utf-8")
    second, paths = build_without_prefect(inputs, db, out)
    assert second.is_new and second.label == f"{first.label}.2"
    assert any(NEW_QUESTION in line and "nieuw" in line for line in second.changes)
    # an unrelated source changes nothing else: same ids, same members, and the diff
    # names only the new question (no merges, no rank shuffles, no "nieuw" old questions)
    after = _clusters(db)
    assert {cid: ms for cid, ms in after.items() if cid in before} == before
    assert len(after) == len(before) + 1
    assert len(second.changes) == 2, second.changes

    changes = _section_text(paths[0], "Wat is er veranderd", "De kennisvragen per thema")
    assert NEW_QUESTION in changes
    assert first.label in changes

    result = CliRunner().invoke(app, ["diff", first.label, second.label, "--db", str(db)])
    assert result.exit_code == 0 and NEW_QUESTION in result.stdout

    republish = tmp_path / "again"
    result = CliRunner().invoke(app, ["publish", "--version", first.label, "--db", str(db), "--out", str(republish)])
    assert result.exit_code == 0, result.output
    document = docx.Document(republish / f"kennisagenda-{first.label}.docx")
    assert document.core_properties.version == first.label
    assert NEW_QUESTION not in "\n".join(p.text for p in document.paragraphs)
