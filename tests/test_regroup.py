"""The regroup sheet (kennisagenda indeling): export, fill in as a curator would, apply, rebuild."""

import csv
import shutil

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from agenda.cli import app
from agenda.dedupe.regroup import COLUMNS, apply_regroup
from agenda.store import Store
from agenda.versions import describe
from tests.conftest import build_without_prefect

runner = CliRunner()

# three questions: Q-aaaaaa (3 rows), Q-bbbbbb (2), Q-cccccc (2), Q-dddddd (1)
ROWS = [("Q-aaaaaa", "M-a0000001"), ("Q-aaaaaa", "M-a0000002"), ("Q-aaaaaa", "M-a0000003"),
        ("Q-bbbbbb", "M-b0000001"), ("Q-bbbbbb", "M-b0000002"),
        ("Q-cccccc", "M-c0000001"), ("Q-cccccc", "M-c0000002"),
        ("Q-dddddd", "M-d0000001")]


def _write(path, fill, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=";")
        w.writeheader()
        for q, m in ROWS:
            hoort, why = fill.get(m, ("", ""))
            w.writerow({"vraag_id": q, "vraag": "Vraag?", "formulering_id": m, "formulering": "Formulering é?",
                        "bron": "bijeenkomst", "context": "sector: po", "hoort_bij": hoort, "toelichting": why})


def test_each_kind_of_answer_becomes_the_right_decision(tmp_path):
    cur = tmp_path / "curation.yaml"
    cur.write_text("# mijn eigen aantekening\nrename:\n  Q-aaaaaa: Eigen titel?\n", encoding="utf-8")
    sheet = tmp_path / "indeling.csv"
    fill = {
        "M-a0000003": ("Q-bbbbbb", ""),          # one formulation moves
        "M-c0000001": ("q-aaaaaa", ""),          # a whole question moves: a merge of questions
        "M-c0000002": ("Q-aaaaaa", ""),
        "M-b0000002": ("nieuw-1", ""),           # a label: a new question
        "M-a0000002": ("Nieuw-1", ""),
        "M-a0000001": ("uitsluiten", "gaat over hbo"),  # part of a question leaves the agenda
        "M-d0000001": ("Uitsluiten", ""),        # a whole question leaves it
    }
    _write(sheet, fill, encoding="cp1252")  # Excel's 'CSV' on Windows
    summary = apply_regroup(sheet, cur, known_questions=[])
    assert "2 nieuwe" not in summary and "1 nieuwe vraag," in summary
    text = cur.read_text(encoding="utf-8")
    assert text.startswith("# mijn eigen aantekening")  # the curator's comments are kept
    data = yaml.safe_load(text)
    assert ["Q-aaaaaa", "Q-cccccc"] in data["merge"] and ["Q-bbbbbb", "M-a0000003"] in data["merge"]
    assert sorted(["M-a0000002", "M-b0000002"]) in data["merge"] and "split" not in data
    assert {"cluster": "M-a0000001", "why": "gaat over hbo"} in data["exclude"]
    assert {"cluster": "Q-dddddd", "why": "buiten scope (indeling)"} in data["exclude"]
    assert data["rename"] == {"Q-aaaaaa": "Eigen titel?"}
    # idempotent: the same sheet again changes nothing
    apply_regroup(sheet, cur, known_questions=[])
    assert cur.read_text(encoding="utf-8") == text


def test_a_label_holding_a_whole_question_keeps_that_question(tmp_path):
    cur, sheet = tmp_path / "curation.yaml", tmp_path / "indeling.csv"
    _write(sheet, {"M-b0000001": ("A", ""), "M-b0000002": ("A", ""), "M-a0000001": ("A", "")})
    apply_regroup(sheet, cur)
    data = yaml.safe_load(cur.read_text(encoding="utf-8"))
    assert data == {"merge": [["Q-bbbbbb", "M-a0000001"]]}


@pytest.mark.parametrize("fill, message", [
    ({"M-a0000001": ("Q-eeeeee", "")}, "geen vraag uit deze lijst"),
    ({"M-a0000001": ("M-b0000001", "")}, "is een formulering"),
])
def test_unknown_or_wrong_ids_are_refused(tmp_path, fill, message):
    cur, sheet = tmp_path / "curation.yaml", tmp_path / "indeling.csv"
    _write(sheet, fill)
    with pytest.raises(ValueError, match=message) as exc:
        apply_regroup(sheet, cur)
    assert "regel 2" in str(exc.value)
    assert not cur.exists()


def test_a_formulation_the_database_does_not_know_and_a_damaged_file_are_refused(tmp_path):
    cur, sheet = tmp_path / "curation.yaml", tmp_path / "indeling.csv"
    _write(sheet, {})
    with pytest.raises(ValueError, match="bestaat niet"):
        apply_regroup(sheet, cur, known_mentions=["M-a0000001"])
    bad = tmp_path / "indeling.xlsx"
    bad.write_bytes(b"PK\x03\x04 afgebroken")
    with pytest.raises(ValueError, match="geen leesbaar Excel-bestand"):
        apply_regroup(bad, cur)


def test_sheet_from_the_sample_agenda_then_the_next_build_follows_it(sample_build, tmp_path):
    inputs0, db0, _out, _outcome, _paths = sample_build
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(inputs0, inputs)
    out.mkdir()
    db = out / "agenda.duckdb"
    shutil.copy(db0, db)
    xlsx = tmp_path / "indeling.xlsx"
    res = runner.invoke(app, ["indeling", "-o", str(xlsx), "--db", str(db)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Indeling"]
    assert "Indeling van de kennisagenda" in ws["A1"].value  # instructions visible at the top
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "vraag_id")
    assert [c.value for c in ws[header_row]] == COLUMNS
    assert ws.data_validations.dataValidation and "G" in str(ws.data_validations.dataValidation[0].sqref)
    rows = [dict(zip(COLUMNS, [c.value for c in r])) for r in ws.iter_rows(min_row=header_row + 1)]
    assert all(str(r["formulering_id"]).startswith("M-") for r in rows)
    by_q: dict[str, list] = {}
    for r in rows:
        by_q.setdefault(r["vraag_id"], []).append(r)
    multi = [q for q, rs in by_q.items() if len(rs) >= 3]
    assert len(multi) >= 2
    q1, q2 = multi[0], multi[1]
    moved, label_a, label_b, out_row = by_q[q1][-1], by_q[q1][-2], by_q[q2][-1], by_q[q2][-2]
    moved["hoort_bij"] = q2
    label_a["hoort_bij"] = label_b["hoort_bij"] = "nieuw-1"
    out_row["hoort_bij"], out_row["toelichting"] = "uitsluiten", "geen kennisvraag"
    for n, r in enumerate(rows, start=header_row + 1):
        ws.cell(n, COLUMNS.index("hoort_bij") + 1).value = r["hoort_bij"] or None
        ws.cell(n, COLUMNS.index("toelichting") + 1).value = r["toelichting"] or None
    wb.save(xlsx)
    cur = inputs / "curation.yaml"
    res = runner.invoke(app, ["indeling", "--apply", str(xlsx), "--db", str(db), "--curation", str(cur)])
    assert res.exit_code == 0, res.output
    assert "1 formulering verplaatst, 1 nieuwe vraag, 1 formulering uitgesloten" in res.output
    before = cur.read_text(encoding="utf-8")
    res = runner.invoke(app, ["indeling", "--apply", str(xlsx), "--db", str(db), "--curation", str(cur)])
    assert res.exit_code == 0 and cur.read_text(encoding="utf-8") == before  # idempotent

    outcome, _ = build_without_prefect(inputs, db, out)
    with Store(db, read_only=True) as store:
        agenda = store.version(outcome.label)
    where = {m.id: i.cluster_id for i in agenda.items for m in i.mentions}
    assert where[moved["formulering_id"]] == q2
    assert where[label_a["formulering_id"]] == where[label_b["formulering_id"]] not in (q1, q2)
    new_item = next(i for i in agenda.items if i.cluster_id == where[label_a["formulering_id"]])
    assert len(new_item.mentions) == 2
    assert out_row["formulering_id"] not in where
    assert {m.id for m in next(i for i in agenda.items if i.cluster_id == q1).mentions} == \
        {r["formulering_id"] for r in by_q[q1][:-2]}
    # the diff explains it: the move (not a merge of the two questions) and the new question
    text = "\n".join(describe(agenda.changes))
    assert "verplaatst" in text and moved["formulering_id"] in text and f"{q1} → {q2}" in text
    assert not any({q1, q2} <= set(m.merged) for m in agenda.changes.merges)
    assert f"[{new_item.cluster_id}]" in text


def test_an_id_as_word_or_a_paste_writes_it_still_moves_the_formulation(tmp_path):
    """Issue 21 (held out): Word's autocorrect turns 'Q-bbbbbb' into 'Q–bbbbbb' (an en dash); on main that
    was no id, so it became a label and the formulation a new question of its own, reported as success."""
    cur, sheet = tmp_path / "curation.yaml", tmp_path / "indeling.csv"
    _write(sheet, {"M-a0000001": ("Q\u2013bbbbbb", ""), "M-a0000002": ("q-BBBBBB\u200b", ""),
                   "M-c0000001": ("\u00a0Q-dddddd ", "")})
    summary = apply_regroup(sheet, cur)
    assert "nieuwe vraag" not in summary or "0 nieuwe" in summary
    data = yaml.safe_load(cur.read_text(encoding="utf-8"))
    assert data["merge"] == [["Q-bbbbbb", "M-a0000001", "M-a0000002"], ["Q-dddddd", "M-c0000001"]]


@pytest.mark.parametrize("value", ["=C7", "+C7", "Q/bbbbbb", "Qbbbbbb"])
def test_a_formula_or_a_mistyped_id_in_hoort_bij_is_refused_not_made_a_new_question(tmp_path, value):
    cur, sheet = tmp_path / "curation.yaml", tmp_path / "indeling.csv"
    _write(sheet, {"M-a0000001": (value, "")})
    with pytest.raises(ValueError, match="geen vraag-id, label of uitsluiten") as exc:
        apply_regroup(sheet, cur)
    assert "regel 2" in str(exc.value) and not cur.exists()


def test_a_later_regroup_replaces_the_decisions_it_contradicts_and_says_so(tmp_path):
    """Issue 21 (held out): moving a formulation that an earlier review split off, or one excluded before,
    or joining two questions reviewed as 'distinct', left both decisions in curation.yaml, the
    contradiction silent and the build choosing one of them."""
    cur, sheet = tmp_path / "curation.yaml", tmp_path / "indeling.csv"
    cur.write_text("# eigen aantekening\nsplit:\n- [M-a0000001]\ndistinct:\n- [Q-aaaaaa, Q-cccccc]\n"
                   "exclude:\n- {cluster: M-d0000001, why: buiten scope}\n", encoding="utf-8")
    _write(sheet, {"M-a0000001": ("Q-bbbbbb", ""), "M-c0000001": ("Q-aaaaaa", ""), "M-c0000002": ("Q-aaaaaa", ""),
                   "M-d0000001": ("Q-bbbbbb", "")})
    summary = apply_regroup(sheet, cur)
    assert ("3 eerdere besluiten vervangen: afsplitsing M-a0000001, uitsluiting M-d0000001, "
            "verschillend Q-aaaaaa / Q-cccccc") in summary
    text = cur.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert text.startswith("# eigen aantekening")
    assert not data["split"] and not data["distinct"] and not data["exclude"]
    assert ["Q-aaaaaa", "Q-cccccc"] in data["merge"]
