"""Survey exports: CSV in the encodings and separators Excel writes, and .xlsx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from agenda.ingest import read_file
from agenda.models import Rule, SourceKind
from agenda.settings import Limits

ROWS = [
    ["Respondent", "Sector", "Rol", "School", "Kennisvraag", "Datum", "Toelichting"],
    ["R-01", "po", "Leraar", "De Verwondering", "Hoe zet ik adaptieve software in?", "2022-03-01", "groep 5"],
    ["R-02", "so, vso", "schoolleider", "", "", "", ""],
    ["R-03", "vo", "ict-coördinator", "Het Lyceum", "Welke rol heeft de ict’er", "01-03-2022", ""],
]


def csv_text(rows, sep=","):
    def cell(v):
        return f'"{v}"' if (sep in v or '"' in v or "\n" in v) else v

    return "\r\n".join(sep.join(cell(v) for v in row) for row in rows) + "\r\n"


def write(root: Path, rel: str, data: bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def check(r):
    assert r.rejection is None, r.rejection
    assert r.source.kind == SourceKind.survey
    assert [m.text for m in r.mentions] == ["Hoe zet ik adaptieve software in?", "Welke rol heeft de ict’er"]
    m1, m2 = r.mentions
    assert all(m.rule == Rule.survey for m in r.mentions)
    assert m1.line == 2 and m2.line == 4
    assert m1.respondent == "R-01" and m2.respondent == "R-03"
    assert m1.context.sectors == ["po"] and m1.context.roles == ["leraar"] and m1.context.school == "De Verwondering"
    assert m1.date == dt.date(2022, 3, 1) and m2.date == dt.date(2022, 3, 1)
    assert m1.extra == {"Toelichting": "groep 5"}
    assert m2.extra == {}


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("utf-16", ";"), ("cp1252", ";"), ("cp1252", ",")],
)
def test_csv_encodings_and_separators(tmp_path, encoding, sep):
    p = write(tmp_path, "surveys/enquete.csv", csv_text(ROWS, sep).encode(encoding))
    check(read_file(p, tmp_path))


def test_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Toelichting"
    ws.append(["Geen vragen hier"])
    ws2 = wb.create_sheet("Antwoorden")
    for row in ROWS:
        ws2.append([dt.datetime(2022, 3, 1) if v == "2022-03-01" else (v or None) for v in row])
    p = tmp_path / "surveys" / "enquete.xlsx"
    p.parent.mkdir(parents=True)
    wb.save(p)
    check(read_file(p, tmp_path))


def test_question_column_from_settings_and_row_respondent(tmp_path):
    rows = [["vraag", "Mijn vraag", "niveau"], ["niet deze", "Hoe plan ik?", "Team"], ["x", "", "team"]]
    p = write(tmp_path, "surveys/s.csv", csv_text(rows).encode())
    r = read_file(p, tmp_path, survey_question_column="mijn vraag")
    assert r.rejection is None, r.rejection
    (m,) = r.mentions
    assert m.text == "Hoe plan ik?" and m.respondent == "r2" and m.context.level == "team"
    assert m.extra == {"vraag": "niet deze"}
    # the global setting only applies to files that have that column: the others are read by content
    r = read_file(p, tmp_path, survey_question_column="bestaat niet")
    # by what they hold: "vraag" holds no question ("niet deze", "x"), "Mijn vraag" does
    assert r.rejection is None and [m.text for m in r.mentions] == ["Hoe plan ik?"]


def test_multiline_cell_and_duplicate_questions(tmp_path):
    text = 'Question,Role\n"Hoe\nwerkt het?",leraar\nHoe werkt het?,leraar\n'
    r = read_file(write(tmp_path, "surveys/s.csv", text.encode()), tmp_path)
    assert [m.text for m in r.mentions] == ["Hoe werkt het?", "Hoe werkt het?"]
    assert r.mentions[0].id != r.mentions[1].id
    assert [m.line for m in r.mentions] == [2, 3]


def test_no_question_column(tmp_path):
    r = read_file(write(tmp_path, "surveys/s.csv", b"naam,sector\nA,po\n"), tmp_path)
    assert r.rejection.reason.startswith("geen kolom met vragen gevonden (verwacht een kop als vraag, kennisvraag")
    assert "'s.csv.yaml'" in r.rejection.reason
    assert r.rejection.line == 1


def test_praktijkvraag_header_and_header_only(tmp_path):
    r = read_file(write(tmp_path, "surveys/s.csv", b" Praktijkvraag ;sector\n"), tmp_path)
    assert r.rejection is None and r.mentions == []


def test_too_many_rows(tmp_path):
    text = "vraag\n" + "".join(f"Vraag {i}?\n" for i in range(20))
    r = read_file(write(tmp_path, "surveys/s.csv", text.encode()), tmp_path, limits=Limits(max_rows=10))
    assert r.rejection and "meer dan 10 rijen" in r.rejection.reason


def test_a_workbook_of_one_letter_rows_over_the_limit_says_so(tmp_path):
    """Issue 21 (held out): an .xlsx of 1,000,000 rows of one letter was cut at the row limit without a
    word and then rejected as 'geen kolom met vragen gevonden'; the CSV said 'meer dan … rijen'."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Antwoorden"
    wb.active.append(["vraag"])
    for _ in range(200):
        wb.active.append(["a"])
    (tmp_path / "surveys").mkdir()
    wb.save(tmp_path / "surveys" / "s.xlsx")
    r = read_file(tmp_path / "surveys" / "s.xlsx", tmp_path, limits=Limits(max_rows=50))
    assert r.rejection and "werkblad 'Antwoorden' heeft meer dan 50 rijen" in r.rejection.reason
