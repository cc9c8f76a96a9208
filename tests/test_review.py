"""The curator's review loop on real files: queue → verdicts → curation.yaml → next build.

A small survey export (32 questions of the dev set, seven gold questions) written as Dutch
Excel writes it, built without Prefect; the sheet read back as CSV and as .xlsx.
"""

import csv
import shutil

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from agenda.cli import app
from agenda.dedupe.review import COLUMNS, Decisions, apply_review, review_queue
from agenda.models import Cluster, Curation
from agenda.store import Store
from tests.conftest import ROOT, build_without_prefect

runner = CliRunner()
GOLD = {"c001", "c002", "c003", "c004", "c005", "c006", "c007", "c008", "c009", "c010"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """49 dev-set questions (10 gold questions) as one survey export, built once: (inputs, db, out)."""
    base = tmp_path_factory.mktemp("review")
    with open(ROOT / "agenda" / "data" / "dev_questions.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["cluster"] in GOLD]
    (base / "inputs" / "surveys").mkdir(parents=True)
    with open(base / "inputs" / "surveys" / "vragen.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["respondent", "sector", "rol", "vraag"])
        for i, r in enumerate(rows, start=1):
            w.writerow([i, r["sector"], r["role"], r["text"]])
    build_without_prefect(base / "inputs", base / "out" / "k.duckdb", base / "out")
    return base


def _copy(small, tmp_path):
    shutil.copytree(small / "inputs", tmp_path / "inputs")
    (tmp_path / "out").mkdir()
    shutil.copy(small / "out" / "k.duckdb", tmp_path / "out" / "k.duckdb")
    return tmp_path / "inputs", tmp_path / "out" / "k.duckdb", tmp_path / "out"


def _sheet(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _answer(path, rows, verdicts):
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=";")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "oordeel": verdicts(r)})


def test_queue_widens_and_never_repeats(small, tmp_path):
    """Every row answered "nee", round after round: new candidates keep coming, none asked twice.
    (Pair rows, `--keuzes 1`; the choice rows are tested in test_review_choices.py.)"""
    inputs, db, out = _copy(small, tmp_path)
    asked = set()
    for round_ in range(2):
        sheet = tmp_path / f"r{round_}.csv"
        result = runner.invoke(app, ["review", "-o", str(sheet), "--db", str(db), "--limit", "10", "--keuzes", "1"])
        assert result.exit_code == 0, result.output
        assert sheet.read_text(encoding="utf-8-sig").splitlines()[0] == ";".join(COLUMNS)
        rows = _sheet(sheet)
        assert 0 < len(rows) <= 10
        for r in rows:
            assert r["vraag_a"].startswith("Q-") and r["vraag_b"][:2] in ("Q-", "M-")
            assert "." not in r["waarschijnlijkheid"]  # decimal comma: Dutch Excel read '0.453' as 453
            assert 0.0 <= float(r["waarschijnlijkheid"].replace(",", ".")) <= 1.0
            key = frozenset((r["vraag_a"], r["vraag_b"]))
            assert key not in asked
            asked.add(key)
        _answer(sheet, rows, lambda r: "nee")
        result = runner.invoke(app, ["review", "--apply", str(sheet), "--curation", str(inputs / "curation.yaml")])
        assert result.exit_code == 0, result.output
        build_without_prefect(inputs, db, out)
    decisions = yaml.safe_load((inputs / "curation.yaml").read_text(encoding="utf-8"))
    assert len(decisions.get("distinct", [])) + len(decisions.get("split", [])) == len(asked)


def test_split_proposals_nee_takes_out_ja_confirms(small, tmp_path):
    inputs, db, out = _copy(small, tmp_path)
    with Store(db, read_only=True) as store:
        rows = review_queue(store, limit=500)
    splits = [r for r in rows if str(r["vraag_b"]).startswith("M-")]
    assert len(splits) >= 2, "a question with several formulations yields split proposals"
    out_row, keep_row = splits[0], next(r for r in splits[1:] if r["vraag_a"] != splits[0]["vraag_a"])
    sheet = tmp_path / "r.xlsx"
    from agenda.dedupe.review import write_review

    write_review([out_row, keep_row], sheet)
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    top = next(n for n in range(1, 30) if ws.cell(n, 1).value == "nr")  # below the instructions
    col = [c.value for c in ws[top]].index("oordeel") + 1
    ws.cell(row=top + 1, column=col, value="nee")
    ws.cell(row=top + 2, column=col, value="ja")
    wb.save(sheet)
    summary = apply_review(sheet, inputs / "curation.yaml")
    assert "1 afsplitsing " in summary
    decisions = yaml.safe_load((inputs / "curation.yaml").read_text(encoding="utf-8"))
    assert decisions["split"] == [[out_row["vraag_b"]]]
    assert decisions["merge"] == [[keep_row["vraag_a"], keep_row["vraag_b"]]]

    outcome, _ = build_without_prefect(inputs, db, out)
    assert not any(keep_row["vraag_b"] in note for note in outcome.notes)
    with Store(db, read_only=True) as store:
        where = {m: c.id for c in store.clusters() for m in c.mention_ids}
        assert where[out_row["vraag_b"]] != out_row["vraag_a"]  # taken out
        assert where[keep_row["vraag_b"]] == keep_row["vraag_a"]  # confirmed, still there
        again = review_queue(store, limit=500)
    pairs = {frozenset((str(r["vraag_a"]), str(r["vraag_b"]))) for r in again}
    assert frozenset((keep_row["vraag_a"], keep_row["vraag_b"])) not in pairs
    # the formulation taken out is not proposed to go back into its old question
    assert frozenset((out_row["vraag_a"], where[out_row["vraag_b"]])) not in pairs


def test_merge_verdicts_reach_the_next_build(small, tmp_path):
    inputs, db, out = _copy(small, tmp_path)
    with Store(db, read_only=True) as store:
        rows = [r for r in review_queue(store, limit=50, choices=1) if str(r["vraag_b"]).startswith("Q-")]
    sheet = tmp_path / "r.csv"
    _answer(sheet, rows[:2], lambda r: "ja" if r is rows[0] else "nee")
    apply_review(sheet, inputs / "curation.yaml")
    build_without_prefect(inputs, db, out)
    a, b = rows[0]["vraag_a"], rows[0]["vraag_b"]
    with Store(db, read_only=True) as store:
        ids = {c.id for c in store.clusters()}
        assert a in ids and b not in ids  # the first id of a merge survives
        again = review_queue(store, limit=500, choices=1)
    # a "nee" holds for whatever its questions were merged into; nothing asked twice
    done = {frozenset((str(r["vraag_a"]), str(r["vraag_b"]))) for r in rows[:2]}
    assert not done & {frozenset((str(r["vraag_a"]), str(r["vraag_b"]))) for r in again}


def test_apply_review_rows_with_formulations(tmp_path):
    sheet = tmp_path / "r.csv"
    sheet.write_text("nr;vraag_a;vraag_b;oordeel\n1;Q-aaaaaa;M-11111111;nee\n2;M-22222222;Q-bbbbbb;ja\n"
                     "3;Q-aaaaaa;M-11111111;nee\n4;Q-aaaaaa;Q-bbbbbb;\n", encoding="utf-8")
    summary = apply_review(sheet, tmp_path / "c.yaml")
    decisions = yaml.safe_load((tmp_path / "c.yaml").read_text(encoding="utf-8"))
    assert decisions["split"] == [["M-11111111"]] and decisions["merge"] == [["Q-bbbbbb", "M-22222222"]]
    assert "1 paar zonder oordeel" in summary
    sheet.write_text("nr;vraag_a;vraag_b;oordeel\n1;M-11111111;M-22222222;ja\n", encoding="utf-8")
    result = runner.invoke(app, ["review", "--apply", str(sheet), "--curation", str(tmp_path / "c.yaml")])
    assert result.exit_code == 2 and "regel 2" in result.stderr


def test_apply_rejects_an_unknown_verdict(tmp_path):
    queue = tmp_path / "r.csv"
    queue.write_text("nr;vraag_a;vraag_b;oordeel\n1;Q-aaaaaa;Q-bbbbbb;misschien\n", encoding="utf-8")
    result = runner.invoke(app, ["review", "--apply", str(queue), "--curation", str(tmp_path / "c.yaml")])
    assert result.exit_code == 2 and "misschien" in result.stderr


def test_a_sheet_saved_by_excel_as_windows_csv_is_applied(tmp_path):
    """Excel's 'CSV' on Windows writes Windows-1252: --apply stopped with "'utf-8' codec can't decode
    byte 0xe9", an English line that names no file."""
    sheet = tmp_path / "r.csv"
    sheet.write_bytes("nr;vraag_a;vraag_b;oordeel;opmerking\n1;Q-aaaaaa;Q-bbbbbb;ja;één vraag\n".encode("cp1252"))
    result = runner.invoke(app, ["review", "--apply", str(sheet), "--curation", str(tmp_path / "c.yaml")])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((tmp_path / "c.yaml").read_text(encoding="utf-8"))["merge"] == [["Q-aaaaaa", "Q-bbbbbb"]]


def test_a_sheet_or_target_that_is_no_file_is_one_dutch_line(tmp_path):
    import subprocess
    import sys

    broken = tmp_path / "r.xlsx"
    broken.write_bytes(b"\x00garbage" * 100)
    result = runner.invoke(app, ["review", "--apply", str(broken), "--curation", str(tmp_path / "c.yaml")])
    assert result.exit_code == 2 and f"reviewlijst {broken} is geen leesbaar Excel-bestand" in result.stderr
    sheet = tmp_path / "r.csv"
    sheet.write_text("nr;vraag_a;vraag_b;oordeel\n1;Q-aaaaaa;Q-bbbbbb;ja\n", encoding="utf-8")
    (tmp_path / "besluiten").mkdir()
    # the console script: the curation file named is a folder (IsADirectoryError on the atomic replace)
    run = subprocess.run([sys.executable, "-m", "agenda.cli", "review", "--apply", str(sheet), "--curation",
                          str(tmp_path / "besluiten")], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.strip() == f"fout: {tmp_path / 'besluiten'}: is een map, geen bestand; kies een bestandsnaam"


def test_decided_lookup_is_linear_in_a_large_distinct_group():
    """A `distinct` group of 4,000 ids: one entry per id, not 16 million pairs."""
    ids = [f"Q-{i:06x}" for i in range(4000)]
    clusters = [Cluster(id=c, question="?", mention_ids=[f"M-{c[2:]}00"]) for c in ids]
    decisions = Decisions.resolve(Curation(distinct=[ids], merge=[[ids[0], ids[1]]]), clusters, {})
    assert sum(len(g) for g in decisions.groups_of.values()) == 4002
    assert decisions.decided(ids[17], ids[3999]) and decisions.decided(ids[1], ids[0])
    assert not decisions.decided(ids[17], "Q-ffffff")
