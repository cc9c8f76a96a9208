"""The review sheet's choice rows on real files: one formulation's question beside its best three
candidates, the curator names the one(s) it belongs with or writes "geen".

Starts from a copy of the session's sample build; the sheet is written by the command line as .xlsx
(read back and filled in with openpyxl, as Excel saves it) and as .csv; `review --apply` writes
curation.yaml (comments kept, idempotent) and the next build applies it."""

import csv
import shutil

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from agenda.cli import app
from agenda.dedupe.review import COLUMNS, LETTERS, candidates_of, choice_verdicts, order_choices, review_queue
from agenda.store import Store
from tests.conftest import build_without_prefect

runner = CliRunner()


@pytest.fixture
def built(tmp_path, sample_build):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(sample_build[0], inputs)
    shutil.copytree(sample_build[2], out)
    return inputs, out / sample_build[1].name, out


def _where(db):
    with Store(db, read_only=True) as store:
        return {c.id: set(c.mention_ids) for c in store.clusters()}, {m: c.id for c in store.clusters()
                                                                      for m in c.mention_ids}


def test_choice_rows_through_xlsx_reach_the_next_build(built, tmp_path):
    inputs, db, out = built
    curation = inputs / "curation.yaml"
    curation.write_text("# besluiten van de kennistafel\n" + curation.read_text(encoding="utf-8"), encoding="utf-8")
    sheet = tmp_path / "review.xlsx"
    result = runner.invoke(app, ["review", "-o", str(sheet), "--db", str(db), "--limit", "12"])
    assert result.exit_code == 0, result.output

    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    top = next(n for n in range(1, 30) if ws.cell(n, 1).value == "nr")  # the instructions stand above the table
    header = [c.value for c in ws[top]]
    assert header == COLUMNS
    rows = [dict(zip(header, (c.value for c in line))) for line in ws.iter_rows(min_row=top + 1)]
    choice = [(n, r) for n, r in enumerate(rows, start=top + 1) if len(candidates_of(r)) == 3]
    assert len(choice) >= 3, "the sample's first sheet shows most questions beside three candidates"
    # every choice row's oordeel cell has the drop-down of letters, a pair row's ja/nee
    col = openpyxl.utils.get_column_letter(header.index("oordeel") + 1)
    lists = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for (line, _c) in rng.cells:
                lists[line] = dv.formula1.strip('"').split(",")
    assert lists[choice[0][0]] == choice_verdicts(3) and "b+c" in lists[choice[0][0]] and "ja" not in lists[choice[0][0]]
    assert all(lists[n] == ["ja", "nee"] for n, r in enumerate(rows, start=top + 1) if len(candidates_of(r)) == 1)
    # shown pairs are never implied by each other: no pair named twice
    named = [frozenset((r["vraag_a"], x)) for r in rows for x in candidates_of(r)]
    assert len(named) == len(set(named))

    (n_pick, pick), (n_two, two), (n_none, none) = choice[:3]
    ws[f"{col}{n_pick}"] = "b"
    ws[f"{col}{n_two}"] = "b+c"
    ws[f"{col}{n_none}"] = "geen"
    wb.save(sheet)
    result = runner.invoke(app, ["review", "--apply", str(sheet), "--db", str(db), "--curation", str(curation)])
    assert result.exit_code == 0, result.output
    assert "3 samenvoegingen" in result.output and "6 'verschillend'-oordelen" in result.output
    assert "3 keuzerijen" in result.output
    text = curation.read_text(encoding="utf-8")
    assert text.startswith("# besluiten van de kennistafel")  # comments kept
    decisions = yaml.safe_load(text)
    merges = [set(g) for g in decisions["merge"]]
    distinct = [set(g) for g in decisions["distinct"]]
    assert {pick["vraag_a"], pick["vraag_b"]} in merges
    assert {two["vraag_a"], two["vraag_b"]} in merges and {two["vraag_a"], two["vraag_c"]} in merges
    for letter in LETTERS:
        assert {none["vraag_a"], none[f"vraag_{letter}"]} in distinct
    assert {pick["vraag_a"], pick["vraag_c"]} in distinct and {pick["vraag_a"], pick["vraag_d"]} in distinct
    assert {two["vraag_a"], two["vraag_d"]} in distinct

    again = runner.invoke(app, ["review", "--apply", str(sheet), "--db", str(db), "--curation", str(curation)])
    assert again.exit_code == 0 and "9 oordelen stonden er al" in again.output
    assert curation.read_text(encoding="utf-8") == text  # idempotent

    _clusters, where = _where(db)
    picked_member = next(iter(_clusters[pick["vraag_b"]]))
    build_without_prefect(inputs, db, out)
    clusters, where = _where(db)
    anchor_member = next(iter(_clusters[pick["vraag_a"]]))
    assert where[anchor_member] == where[picked_member]  # "b": one question now
    none_members = [next(iter(_clusters[none[f"vraag_{x}"]])) for x in LETTERS]
    assert where[next(iter(_clusters[none["vraag_a"]]))] not in {where[m] for m in none_members}
    with Store(db, read_only=True) as store:
        later = review_queue(store, limit=500)
    asked = {frozenset((where.get(x, x) if x.startswith("M-") else x, r["vraag_a"])) for r in later
             for x in candidates_of(r)}
    assert frozenset((pick["vraag_a"], pick["vraag_c"])) not in asked  # decided: never asked again


def test_choice_rows_through_csv_and_their_guards(built, tmp_path):
    inputs, db, _out = built
    curation = inputs / "curation.yaml"
    sheet = tmp_path / "review.csv"
    assert runner.invoke(app, ["review", "-o", str(sheet), "--db", str(db), "--limit", "5"]).exit_code == 0
    assert sheet.read_text(encoding="utf-8-sig").splitlines()[0] == ";".join(COLUMNS)
    with open(sheet, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    choice = next(r for r in rows if len(candidates_of(r)) == 3)
    before = curation.read_text(encoding="utf-8")

    def apply(verdict):
        with open(sheet, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=";")
            w.writeheader()
            w.writerow({**choice, "oordeel": verdict})
        return runner.invoke(app, ["review", "--apply", str(sheet), "--db", str(db), "--curation", str(curation)])

    refused = apply("ja")  # which one? refused, nothing written
    assert refused.exit_code == 2 and "keuzerij" in refused.stderr and "regel 2" in refused.stderr
    assert curation.read_text(encoding="utf-8") == before
    real_c, choice["vraag_c"] = choice["vraag_c"], "Q-ffffffffffff"  # a typo, or another table's sheet
    refused = apply("b")
    assert refused.exit_code == 2 and "onbekende id's" in refused.stderr and "Q-ffffffffffff" in refused.stderr
    assert curation.read_text(encoding="utf-8") == before
    choice["vraag_c"] = real_c
    # an id instead of a letter is understood too
    result = apply(f"{choice['vraag_c'].lower()}")
    assert result.exit_code == 0, result.output
    decisions = yaml.safe_load(curation.read_text(encoding="utf-8"))
    assert [choice["vraag_a"], choice["vraag_c"]] in [sorted(g) for g in decisions["merge"]] or \
        [choice["vraag_c"], choice["vraag_a"]] in decisions["merge"]
    # a later sheet saying otherwise replaces the verdict (as for pair rows)
    result = apply("geen")
    assert result.exit_code == 0 and "eerdere oordelen gewijzigd" in result.output
    decisions = yaml.safe_load(curation.read_text(encoding="utf-8"))
    assert sorted((choice["vraag_a"], choice["vraag_c"])) in [sorted(g) for g in decisions["distinct"]]


def test_order_choices_shows_best_three_and_no_implied_pair():
    sizes = {q: 1 for q in "abcdefg"}
    merges = [("a", "b", 0.1, 1), ("a", "c", 0.3, 1), ("a", "d", 0.2, 1), ("a", "e", 0.05, 1),
              ("b", "c", 0.4, 1), ("f", "g", 0.9, 1)]
    rows = order_choices(merges, [("f", "M-1", 0.2, 1)], {}, sizes, limit=10)
    # most gain first (sum of the shown candidates' p); candidates most probable first
    assert rows[0] == ("f", [("g", 0.9)]) and rows[1] == ("c", [("b", 0.4), ("a", 0.3)])
    assert rows[2] == ("a", [("d", 0.2), ("e", 0.05)])  # a-c and a-b follow from the row above: not shown
    shown = [frozenset((q, c)) for q, cs in rows for c, _ in cs]
    assert len(shown) == len(set(shown))
    # a question that had three "nee" verdicts waits until every other question had its first row
    later = order_choices(merges, [], {"c": 3, "b": 3}, sizes, limit=10)
    assert [q for q, _ in later][:2] == ["f", "a"] and later[1][1] == [("c", 0.3), ("d", 0.2), ("b", 0.1)]


def test_xlsx_explains_itself_above_the_table_and_errors_name_the_row_excel_shows(tmp_path):
    """A secretary opens the sheet without the README: the instructions (Dutch) stand above the
    table, the drop-downs sit on the table's own rows, and an error names the row number Excel shows."""
    from agenda.dedupe.review import apply_review, write_review

    def row(nr, a, *cands):
        r = {"nr": nr, "waarschijnlijkheid": 0.5, "vraag_a": a, "tekst_a": "Hoe?", "bronnen_a": "x",
             "oordeel": "", "toelichting": ""}
        for letter, c in zip(LETTERS, cands):
            r.update({f"vraag_{letter}": c, f"tekst_{letter}": "Wat?", f"bronnen_{letter}": "y"})
        return r

    sheet = tmp_path / "r.xlsx"
    write_review([row(1, "Q-aaaaaa", "Q-bbbbbb", "Q-cccccc", "Q-dddddd"), row(2, "Q-eeeeee", "Q-ffffff")], sheet)
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    header_row = next(n for n in range(1, 30) if ws.cell(n, 1).value == "nr")
    above = " ".join(str(ws.cell(n, 1).value or "") for n in range(1, header_row)).lower()
    assert header_row > 2 and "oordeel" in above and "geen" in above and "b+c" in above and "ja" in above
    assert [c.value for c in ws[header_row]] == COLUMNS
    col = openpyxl.utils.get_column_letter(COLUMNS.index("oordeel") + 1)
    lists = {line: dv.formula1.strip('"').split(",") for dv in ws.data_validations.dataValidation
             for rng in dv.sqref.ranges for (line, _c) in rng.cells}
    assert lists[header_row + 1] == choice_verdicts(3) and lists[header_row + 2] == ["ja", "nee"]
    assert ws.freeze_panes == f"A{header_row + 1}"
    ws[f"{col}{header_row + 1}"] = "b"
    ws[f"{col}{header_row + 2}"] = "misschien"
    wb.save(sheet)
    with pytest.raises(ValueError, match=f"regel {header_row + 2}: onbekend oordeel 'misschien'"):
        apply_review(sheet, tmp_path / "curation.yaml")
    ws[f"{col}{header_row + 2}"] = "ja"
    wb.save(sheet)
    summary = apply_review(sheet, tmp_path / "curation.yaml")
    assert "2 samenvoegingen" in summary, summary
    merges = yaml.safe_load((tmp_path / "curation.yaml").read_text(encoding="utf-8"))["merge"]
    assert sorted(map(sorted, merges)) == [["Q-aaaaaa", "Q-bbbbbb"], ["Q-eeeeee", "Q-ffffff"]]


def test_xlsx_saved_as_csv_by_excel_keeps_its_instructions_and_still_applies(tmp_path):
    """Dutch Excel's 'Opslaan als CSV' of the .xlsx: the instruction lines come along above the header
    (padded with ';', CRLF, BOM); one of them names vraag_a, which is no header."""
    from agenda.dedupe.review import apply_review, write_review

    rows = [{"nr": 1, "vraag_a": "Q-aaaaaa", "vraag_b": "Q-bbbbbb", "vraag_c": "Q-cccccc", "oordeel": ""}]
    xlsx = tmp_path / "r.xlsx"
    write_review(rows, xlsx)
    ws = openpyxl.load_workbook(xlsx).active
    lines = []
    for r in ws.iter_rows(values_only=True):
        cells = ["" if v is None else str(v) for v in r]
        if cells[0] == "1":
            cells[COLUMNS.index("oordeel")] = "c"
        lines.append(";".join(f'"{c}"' if ";" in c or '"' in c else c for c in cells))
    sheet = tmp_path / "r.csv"
    sheet.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    summary = apply_review(sheet, tmp_path / "curation.yaml")
    assert "1 samenvoeging" in summary and "1 'verschillend'-oordeel" in summary, summary
    decisions = yaml.safe_load((tmp_path / "curation.yaml").read_text(encoding="utf-8"))
    assert decisions["merge"] == [["Q-aaaaaa", "Q-cccccc"]] and decisions["distinct"] == [["Q-aaaaaa", "Q-bbbbbb"]]
