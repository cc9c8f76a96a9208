"""Reading vote exports (agenda/priority/votes.py): shapes, option matching, bad rows, privacy."""

import csv
import json

from openpyxl import Workbook

from agenda.ingest import discover
from agenda.priority.scoring import BallotQuestion
from agenda.priority.votes import read_votes, scan

BALLOT = [BallotQuestion(code=f"V{k:02d}", cluster_id=f"Q-00000{k:x}", question=f"Hoe regel je onderwerp {k}?",
                         position=k) for k in range(1, 13)]


def _csv(path, rows, delimiter=","):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)


def _read(tmp_path):
    found = scan(tmp_path)
    assert found.errors == []
    return read_votes(found.tables, BALLOT)


def test_plain_sheet_matches_by_code_id_and_exact_text(tmp_path):
    _csv(tmp_path / "stemronde" / "stemmen.csv", [
        ["respondent", "rol", "keuze_1", "keuze_2", "keuze_3"],
        ["r1", "Leraar", "V03", "q-000001", "  hoe REGEL je onderwerp 2? "],
        ["r2", "Onderzoeker", "V04 Hoe regel je onderwerp 4?", "V05", ""],
    ], ";")
    read = _read(tmp_path)
    assert [(v.group, v.choices, v.ranks) for v in read.votes] == [
        ("leraar", ("V03", "V01", "V02"), (1, 2, 3)), ("onderzoeker", ("V04", "V05"), (1, 2))]
    assert read.warnings == [] and read.files == ["stemronde/stemmen.csv"]


def test_bad_rows_are_warned_counted_and_never_silently_used(tmp_path):
    eleven = [f"V{k:02d}" for k in range(1, 12)]
    _csv(tmp_path / "stemronde" / "forms.csv", [
        ["Id", "E-mail", "Naam", "Rol", "Rangschikking"],
        ["1", "a@school.example", "Ans de Vries", "leraar", "V01;V99 Bestaat niet;V02;"],   # unknown option
        ["2", "b@school.example", "Bob", "leraar", "V03;V03;V04"],                          # the same twice
        ["3", "c@school.example", "Cas", "schoolleider", ";".join(eleven)],                 # 11 chosen
        ["4", "d@school.example", "Dirk", "", "V05;V06"],                                   # no role
        ["5", "a@school.example", "Ans de Vries", "leraar", "V07;V08"],                     # Ans again: last counts
        ["6", "e@school.example", "Eva", "leraar", "V99;Iets anders"],                       # nothing valid
    ])
    read = _read(tmp_path)
    got = {v.group: [] for v in read.votes}
    for v in read.votes:
        got[v.group].append((v.choices, v.ranks))
    assert got == {
        "leraar": [(("V03", "V04"), (1, 3)), (("V07", "V08"), (1, 2))],  # the repeat is dropped, ranks kept
        "schoolleider": [(tuple(eleven[:10]), tuple(range(1, 11)))],
        "onbekend": [(("V05", "V06"), (1, 2))],
    }
    assert dict(read.counts) == {"keuze niet op het stembiljet": 2, "dezelfde vraag twee keer gekozen": 1,
                                 "meer dan 10 keuzes": 1, "geen rol ingevuld": 1, "dezelfde respondent opnieuw": 1,
                                 "geen geldige keuze": 1}
    text = " | ".join(w.reason for w in read.warnings)
    assert "rij 2" in text and "'V99 Bestaat niet'" in text and all(w.severity == "warning" for w in read.warnings)
    dump = json.dumps([v.__dict__ for v in read.votes]) + text
    assert "@" not in dump and "Ans" not in dump and "Vries" not in dump  # names and addresses are dropped


def test_google_grid_with_questions_as_rows_and_ordinal_cells(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Tijdstempel", "Wat is uw functie?"] + [f"Rangschik de vragen [{q.question}]" for q in BALLOT[:4]])
    ws.append(["2026/11/04 10:00:00", "Intern begeleider", "2e keuze", "", "1e keuze", "derde"])
    (tmp_path / "stemronde").mkdir()
    wb.save(tmp_path / "stemronde" / "grid.xlsx")
    read = _read(tmp_path)
    assert [(v.choices, v.ranks) for v in read.votes] == [(("V03", "V01", "V04"), (1, 2, 3))]
    assert read.votes[0].group == "ib'er"  # normalised like every role (agenda/context.py)


def test_ballot_sheet_notes_and_archive_are_not_votes(tmp_path):
    folder = tmp_path / "stemronde"
    _csv(folder / "stembiljet.csv", [["code", "vraag_id", "vraag"]] + [[q.code, q.cluster_id, q.question] for q in BALLOT], ";")
    (folder / "stembiljet-toelichting.txt").write_text("Stembiljet …", encoding="utf-8")
    _csv(folder / "archief" / "oud.csv", [["rol", "keuze_1"], ["leraar", "V01"]])
    found = scan(tmp_path)
    assert found.errors == [] and found.tables == []
    assert found.ballot == BALLOT and found.ballot_file == "stemronde/stembiljet.csv"
    assert sorted(found.digests) == ["stemronde/stembiljet.csv"]


def test_gather_does_not_read_the_round_as_a_question_survey(tmp_path):
    _csv(tmp_path / "stemronde" / "stemmen.csv", [["vraag", "rol"], ["Hoe regel je onderwerp 1?", "leraar"]])
    _csv(tmp_path / "surveys" / "peiling.csv", [["vraag"], ["Hoe plan je een kindgesprek?"]])
    files, rejected = discover(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["surveys/peiling.csv"] and rejected == []


def test_role_column_found_by_its_answers_and_limesurvey_rank_columns(tmp_path):
    # no 'rol' header: the column whose answers are roles is the role column; LimeSurvey names
    # a ranking's columns 'Rangschik … [1]', '[2]' … holding the option
    _csv(tmp_path / "stemronde" / "limesurvey.csv", [
        ["id", "Ik ben", "Rangschik de vragen [1]", "Rangschik de vragen [2]"],
        ["1", "Leerkracht", "V02", "V01"],
        ["2", "Directeur", "Hoe regel je onderwerp 3?", "V04"],
    ])
    read = _read(tmp_path)
    assert [(v.group, v.choices) for v in read.votes] == [("leraar", ("V02", "V01")), ("schoolleider", ("V03", "V04"))]
    assert read.warnings == []
