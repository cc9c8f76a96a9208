"""The curator's review round trip on the sample corpus: queue → verdicts → curation.yaml → next build."""

import shutil

import openpyxl
import yaml
from typer.testing import CliRunner

from agenda.cli import app
from agenda.store import Store
from tests.conftest import build_without_prefect

runner = CliRunner()


def test_review_round_trip(tmp_path, sample_build):
    inputs = tmp_path / "inputs"
    shutil.copytree(sample_build[0], inputs)
    db, out = tmp_path / "out/k.duckdb", tmp_path / "out"
    build_without_prefect(inputs, db, out)

    queue = tmp_path / "review.xlsx"
    result = runner.invoke(app, ["review", "-o", str(queue), "--db", str(db)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(queue)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["nr", "waarschijnlijkheid", "vraag_a"] and "oordeel" in header
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) >= 2
    probs = [r[1] for r in rows]
    assert probs == sorted(probs, reverse=True)  # most likely first
    col = header.index("oordeel") + 1
    ws.cell(row=2, column=col, value="ja")
    ws.cell(row=3, column=col, value="nee")
    wb.save(queue)
    (a1, b1), (a2, b2) = (rows[0][2], rows[0][5]), (rows[1][2], rows[1][5])

    result = runner.invoke(app, ["review", "--apply", str(queue), "--curation", str(inputs / "curation.yaml")])
    assert result.exit_code == 0, result.output
    decisions = yaml.safe_load((inputs / "curation.yaml").read_text(encoding="utf-8"))
    assert [a1, b1] in decisions["merge"] and [a2, b2] in decisions["distinct"]

    outcome, _ = build_without_prefect(inputs, db, out)
    assert outcome.is_new
    with Store(db, read_only=True) as store:
        agenda = store.version()
        ids = {i.cluster_id for i in agenda.items}
        assert a1 in ids and b1 not in ids  # the first id of a merge survives
        result = runner.invoke(app, ["review", "-o", str(tmp_path / "again.csv"), "--db", str(db)])
    again = (tmp_path / "again.csv").read_text(encoding="utf-8-sig")
    assert not (a2 in again and b2 in again and f"{a2};" in again and f"{b2};" in again and
                any(a2 in line and b2 in line for line in again.splitlines()))


def test_apply_rejects_an_unknown_verdict(tmp_path):
    queue = tmp_path / "r.csv"
    queue.write_text("nr;vraag_a;vraag_b;oordeel\n1;Q-aaaaaa;Q-bbbbbb;misschien\n", encoding="utf-8")
    result = runner.invoke(app, ["review", "--apply", str(queue), "--curation", str(tmp_path / "c.yaml")])
    assert result.exit_code == 2 and "misschien" in result.stderr
