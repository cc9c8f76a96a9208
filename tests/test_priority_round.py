"""The priority round end to end: the sample corpus' shipped round, then a new ballot with exports
in the Microsoft Forms, Google Forms and Qualtrics shapes from three groups of very different
sizes, rebuilt and checked against a hand computation (README "Prioriteringsronde")."""

import csv
import datetime as dt
import json
import shutil

from docx import Document
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from agenda.cli import app
from agenda.store import Store
from tests.conftest import build_without_prefect

runner = CliRunner()


def _show(db):
    r = runner.invoke(app, ["show", "--db", str(db), "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_sample_corpus_ships_a_round_shown_in_the_report(sample_build):
    inputs, db, out, outcome, paths = sample_build
    items = _show(db)
    voted = [i for i in items if i["priority"]]
    assert len(voted) >= 30 and items[:len(voted)] == voted  # the shipped ballot's questions come first
    p = items[0]["priority"]
    assert set(p) >= {"rank", "combined", "positions", "points", "voters"}
    assert p["voters"] == {"leraar": 9, "schoolleider": 4, "onderzoeker": 2}
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    # show sorts by the round; a ballot question the curator has since merged into another (the
    # sample's V22 joined V02 after the round) keeps its place in the round, marked in the report
    ranks = [i["priority"]["rank"] for i in voted]
    gone = [r for r in json.loads(next(p for p in paths if p.suffix == ".json").read_text(encoding="utf-8"))["priority_round"]["ranking"]
            if not r["on_agenda"]]
    assert ranks == sorted(ranks) and sorted(ranks + [r["rank"] for r in gone]) == list(range(1, len(ranks) + len(gone) + 1))
    combined = [i["priority"]["combined"] for i in voted]
    assert combined == sorted(combined, reverse=True)
    doc = Document(str(paths[0]))
    texts = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for r in (r for r in gone if r["rank"] <= 10):  # the round's top 10 table
        assert any(r["code"] in c for c in cells), r
        # and says where it went: the ballot question that now holds its formulations
        assert r["fate"].startswith("opgegaan in V"), r
        assert any(r["question"][:40] in c and f"(niet meer op de agenda: {r['fate']})" in c for c in cells)
        assert f"(niet meer op de agenda: {r['fate']})" in next(p for p in paths if p.suffix == ".md").read_text(encoding="utf-8")
    assert "Prioriteringsronde" in texts and "De top 10 per groep" in texts and "Hoe is gescoord" in texts
    # the round's top 10 gives each question still on the agenda its place by sources (the shipped ballot
    # names 6-digit ids, the agenda their 12-digit form: the column was all '–')
    top = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][-1] == "Plaats naar bronnen")
    on_agenda = {r["code"] for r in json.loads(next(p for p in paths if p.suffix == ".json").read_text(
        encoding="utf-8"))["priority_round"]["ranking"] if r["on_agenda"]}
    places = [row.cells[-1].text for row in top.rows[1:] if row.cells[1].text in on_agenda]
    assert places and all(p.isdigit() for p in places), places
    assert any(t.startswith("De 10 belangrijkste kennisvragen volgens de prioriteringsronde (15 stemmers)") for t in texts)
    sheet = next(p for p in paths if p.suffix == ".csv").read_text(encoding="utf-8-sig").splitlines()
    head, first = sheet[0].split(";"), sheet[1].split(";")
    assert head[-3:] == ["Stemronde: plaats", "Stemronde: score", "Plaats naar bronnen"] and first[-3][:1] == "1"
    md = next(p for p in paths if p.suffix == ".md").read_text(encoding="utf-8")
    assert "## Top 10 volgens de prioriteringsronde" in md and "## Prioriteringsronde" in md
    assert "**Top 10 van onderzoeker** (2 stemmers)" in md


def _ballot(path):
    ws = load_workbook(path)["Stembiljet"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["code", "vraag_id", "vraag"]
    return {r[0]: (r[1], r[2]) for r in rows[1:]}


def test_new_round_three_export_shapes_hand_computed(sample_build, tmp_path):
    src_inputs, src_db, *_ = sample_build
    inputs, db, out = tmp_path / "inputs", tmp_path / "agenda.duckdb", tmp_path / "out"
    shutil.copytree(src_inputs, inputs)
    shutil.copy(src_db, db)
    before = _show(db)
    old_label = json.loads(runner.invoke(app, ["versions", "--db", str(db), "--format", "json"]).stdout)[-1]["label"]

    ballot_file = tmp_path / "stembiljet.xlsx"
    r = runner.invoke(app, ["stemronde", "-o", str(ballot_file), "--db", str(db), "--max", "12"])
    assert r.exit_code == 0, r.output
    assert "Stembiljet R2" in r.stdout and "12 vragen" in r.stdout
    ballot = _ballot(ballot_file)
    assert list(ballot) == [f"V{k:02d}" for k in range(1, 13)]
    assert [ballot[c][0] for c in ballot] == [i["cluster_id"] for i in before[:12]]  # agenda order
    text = {c: q for c, (_, q) in ballot.items()}

    folder = inputs / "stemronde"
    (folder / "stembiljet.csv").unlink()  # the shipped round's ballot; its export stays: counted in R1 already
    shutil.copy(ballot_file, folder / "stembiljet.xlsx")

    # leraar, 12 voters — Microsoft Forms ranking question: options 'V01 …' in one cell, ';'-separated.
    # The first respondent answers twice (same e-mail address): the last answer counts.
    wb = Workbook()
    ws = wb.active
    ws.append(["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Wat is uw rol?",
               "Zet de tien belangrijkste vragen op volgorde"])
    teachers = [f"V{k:02d}" for k in range(1, 11)]
    ws.append([1, dt.datetime(2026, 11, 2, 9), dt.datetime(2026, 11, 2, 9, 5), "j.jansen@school.example",
               "Jan Jansen", "Leraar", ";".join(f"{c} {text[c]}" for c in reversed(teachers)) + ";"])
    for n in range(12):
        ws.append([n + 2, dt.datetime(2026, 11, 3, 9, n), dt.datetime(2026, 11, 3, 9, n + 5),
                   "j.jansen@school.example" if n == 0 else f"leraar{n}@school.example", f"Leraar {n}",
                   "Leraar" if n % 2 else "leraar", ";".join(f"{c} {text[c]}" for c in teachers) + ";"])
    wb.save(folder / "forms-leraren.xlsx")

    # schoolleider, 3 voters — Google Forms, '1e keuze' … '10e keuze' with the options as exact text
    leaders = [f"V{k:02d}" for k in range(12, 2, -1)]
    with (folder / "google-schoolleiders.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Tijdstempel", "Wat is uw rol?"] + [f"Uw top 10 [{k}e keuze]" for k in range(1, 11)])
        for n in range(3):
            w.writerow([f"2026/11/0{4 + n} 10:0{n}:00", "Schoolleider"] + [text[c] for c in leaders])

    # onderzoeker, 1 voter — Qualtrics Rank Order: one column per option holding its rank (all 12 ranked)
    ranks = {"V06": 1, "V07": 2, "V05": 3, "V08": 4, "V04": 5, "V09": 6, "V03": 7, "V10": 8, "V02": 9, "V11": 10,
             "V01": 11, "V12": 12}
    head = ["StartDate", "EndDate", "ResponseId", "RecipientEmail", "Q1"] + [f"Q2_{k}" for k in range(1, 13)]
    qtext = ["Start Date", "End Date", "Response ID", "Recipient Email", "Wat is uw rol?"] + [
        f"Rangschik de vragen - V{k:02d} {text[f'V{k:02d}']}" for k in range(1, 13)]
    ids = ['{"ImportId":"startDate"}', '{"ImportId":"endDate"}', '{"ImportId":"_recordId"}',
           '{"ImportId":"recipientEmail"}', '{"ImportId":"QID1"}'] + [f'{{"ImportId":"QID2_{k}"}}' for k in range(1, 13)]
    row = ["2026-11-05 11:00:00", "2026-11-05 11:09:00", "R_9xyz", "prof@uni.example", "Onderzoeker"] + [
        ranks[f"V{k:02d}"] for k in range(1, 13)]
    with (folder / "qualtrics-onderzoekers.csv").open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows([head, qtext, ids, row])

    build_without_prefect(inputs, db, out)
    items = _show(db)

    # By hand (N = 12): leraar V01..V10 -> positions 12..3, V11/V12 1.5; schoolleider V12..V03 -> 12..3,
    # V01/V02 1.5; onderzoeker (first 10 ranks count) V06 12, V07 11, V05 10, V08 9, V04 8, V09 7, V03 6,
    # V10 5, V02 4, V11 3, V01/V12 1.5. Sums: V06 25, V07 24, V05 23, V08 22, V04 21, V09 20, V03 19,
    # V10 18, V02 16.5, V11 15.5, V01 15, V12 15. Tie V01 = V12: each in one group's top 10; raw points
    # V01 120 (12 x 10) > V12 30 (3 x 10): V01 first.
    expected = ["V06", "V07", "V05", "V08", "V04", "V09", "V03", "V10", "V02", "V11", "V01", "V12"]
    combined = [25, 24, 23, 22, 21, 20, 19, 18, 16.5, 15.5, 15, 15]
    assert [i["priority"]["code"] for i in items[:12]] == expected
    assert [i["cluster_id"] for i in items[:12]] == [ballot[c][0] for c in expected]
    assert [i["priority"]["combined"] for i in items[:12]] == combined
    assert [i["rank"] for i in items[:12]] == [i["priority"]["rank"] for i in items[:12]] == list(range(1, 13))
    first = items[0]["priority"]
    assert first["voters"] == {"leraar": 12, "schoolleider": 3, "onderzoeker": 1}
    assert first["points"] == {"leraar": 12 * 5, "schoolleider": 3 * 4, "onderzoeker": 10}  # V06: 6th, 7th, 1st
    assert first["positions"] == {"leraar": 7, "schoolleider": 6, "onderzoeker": 12}
    # questions not on this ballot follow in their frequency order, without a priority
    assert all(i["priority"] is None for i in items[12:])
    rest = items[12:]
    assert rest == sorted(rest, key=lambda i: (-i["score"], -i["frequency"], -len(i["contexts"]["sector"]),
                                               -i["n_mentions"], i["cluster_id"]))  # agenda/rank.py's order

    agenda_json = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    rnd = agenda_json["priority_round"]
    assert rnd["ballot"] == "R2" and rnd["version"] == old_label
    assert rnd["group_top"] == {
        "leraar": teachers,
        "schoolleider": leaders,
        "onderzoeker": ["V06", "V07", "V05", "V08", "V04", "V09", "V03", "V10", "V02", "V11"],
    }
    assert rnd["shortlist"] == expected  # the union of the three top 10s covers all 12
    assert rnd["warnings"] == {"meer dan 10 keuzes": 1, "dezelfde respondent opnieuw": 1}

    rejected = json.loads(runner.invoke(app, ["rejected", "--db", str(db), "--format", "json"]).stdout)
    reasons = " | ".join(r["reason"] for r in rejected)
    assert "al geteld in ronde R1" in reasons  # the shipped export belongs to the earlier round
    assert "alleen het laatste antwoord telt" in reasons and "alleen de eerste 10 tellen" in reasons
    with Store(db, read_only=True) as store:
        shipped = sum(1 for _ in (src_inputs / "stemronde" / "stembiljet.csv").open(encoding="utf-8-sig")) - 1
        assert {b["id"]: b["n_questions"] for b in store.ballots()} == {"R1": shipped, "R2": 12}
        assert len({v[2] for v in store.votes("R1")}) == 15  # the earlier round's votes are kept
        dump = json.dumps(store.votes("R2"))
        earlier = store.version(old_label)
    assert earlier.priority_round.ballot == "R1"  # ... and so are its results, with their version
    assert "@" not in dump and "Jansen" not in dump and "Jan" not in json.dumps(agenda_json["priority_round"])

    diff = runner.invoke(app, ["diff", old_label, agenda_json["label"], "--db", str(db)]).stdout
    assert "prioriteringsronde R2" in diff and "door de ronde naar plaats 1" in diff
    doc = Document(str(next(out.glob("*.docx"))))
    texts = [p.text for p in doc.paragraphs]
    assert "Wat de prioriteringsronde verschoof" in texts
    side = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["#", "leraar (12)"])
    assert [c.text for c in side.rows[0].cells] == ["#", "leraar (12)", "schoolleider (3)", "onderzoeker (1)"]
    assert side.rows[1].cells[3].text.startswith("V06 ")
