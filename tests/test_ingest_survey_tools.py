"""Survey workbooks as secretaries really get them (issue 17, kinds 6-8): the question column and
the sheet chosen by what they hold, answers that are no question, SurveyMonkey's and LimeSurvey's
header rows, and the exports of the meeting tools Mentimeter, Padlet and Slido. Every file is
written as the tool writes it (openpyxl for .xlsx, the tool's CSV dialect)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from agenda.ingest import read_file

Q1 = "Hoe lees ik het dashboard van de oefensoftware?"
Q2 = "Welke vaardigheden heeft een leraar nodig om onderwijs te personaliseren?"
Q3 = "Hoe betrek je ouders bij het portfolio van hun kind?"
Q4 = "Werkt adaptieve software ook voor leerlingen met dyslexie?"


def write(root: Path, rel: str, data: bytes | str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8-sig") if isinstance(data, str) else data)
    return p


def workbook(root: Path, rel: str, sheets: dict[str, list[list]]) -> Path:
    """An .xlsx with one sheet per entry, header rows bold as Forms and the tools write them."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    wb.save(p)
    return p


def csv_of(rows, sep=",", quote_all=False) -> str:
    def cell(v):
        v = str(v)
        return '"' + v.replace('"', '""') + '"' if (quote_all or sep in v or '"' in v or "\n" in v) else v

    return "\r\n".join(sep.join(cell(v) for v in row) for row in rows) + "\r\n"


def texts(r) -> list[str]:
    assert r.rejection is None, r.rejection
    return [m.text for m in r.mentions]


# --- kind 6: column and sheet chosen by content; answers that are no question ------------------------

FORMS_HEAD = ["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam"]


def forms_row(n: int, *cells) -> list:
    start = dt.datetime(2022, 3, 7, 9, 0) + dt.timedelta(hours=n)
    return [n, start, start + dt.timedelta(minutes=4), "anonymous", "", *cells]


def test_a_choice_column_whose_prompt_says_vraag_does_not_win(tmp_path):
    head = FORMS_HEAD + ["Over welk thema gaat uw vraag?", "Wat wilt u onderzocht zien?", "In welke sector werkt u?"]
    rows = [head,
            forms_row(1, "Gepersonaliseerd leren", Q1, "Primair onderwijs"),
            forms_row(2, "Ict en data", Q2, "Voortgezet onderwijs"),
            forms_row(3, "Gepersonaliseerd leren", Q3, "Primair onderwijs"),
            forms_row(4, "Ict en data", Q4, "Speciaal onderwijs")]
    r = read_file(workbook(tmp_path, "surveys/forms.xlsx", {"Form1": rows}), tmp_path)
    assert texts(r) == [Q1, Q2, Q3, Q4]
    assert r.mentions[0].extra["Over welk thema gaat uw vraag?"] == "Gepersonaliseerd leren"  # kept as metadata
    assert [m.context.sectors for m in r.mentions] == [["po"], ["vo"], ["po"], ["so"]]


def test_a_named_column_that_holds_choices_beside_one_that_holds_questions(tmp_path):
    rows = [["Tijdstempel", "Soort vraag", "Uw vraag"],
            ["7-3-2022 09:12:05", "Praktijkvraag", Q1], ["7-3-2022 09:20:00", "Praktijkvraag", Q2],
            ["7-3-2022 09:31:00", "Onderzoeksvraag", Q3], ["7-3-2022 09:40:00", "Praktijkvraag", Q4]]
    r = read_file(write(tmp_path, "surveys/google.csv", csv_of(rows)), tmp_path)
    assert texts(r) == [Q1, Q2, Q3, Q4]


def test_the_sheet_with_the_responses_is_read_not_the_pivot_in_front(tmp_path):
    # the secretary put a pivot table (questions as row labels, counted) in front of the Forms answers
    count = "Aantal van Welke kennisvraag wilt u voorleggen?"
    pivot = [[count, None], [None, None], ["Rijlabels", count],
             [Q1, 1], [Q2, 1], [Q3, 1], ["Eindtotaal", 3]]
    responses = [FORMS_HEAD + ["In welke sector werkt u?", "Welke kennisvraag wilt u voorleggen?"],
                 forms_row(1, "Primair onderwijs", Q1), forms_row(2, "Voortgezet onderwijs", Q2),
                 forms_row(3, "mbo", Q3)]
    r = read_file(workbook(tmp_path, "surveys/peiling.xlsx", {"Draaitabel": pivot, "Form1": responses}), tmp_path)
    assert texts(r) == [Q1, Q2, Q3]
    assert [m.context.sectors for m in r.mentions] == [["po"], ["vo"], ["mbo"]]  # the responses' context
    assert [m.line for m in r.mentions] == [2, 3, 4]


def test_a_summary_sheet_counting_questions_is_not_read(tmp_path):
    summary = [["Thema", "Aantal vragen"], ["Gepersonaliseerd leren", 12], ["Ict en data", 7], ["Totaal", 19]]
    responses = [["Tijdstempel", "Kennisvraag"], ["7-3-2022 09:12:05", Q1], ["7-3-2022 09:20:00", Q2]]
    r = read_file(workbook(tmp_path, "surveys/s.xlsx", {"Samenvatting": summary, "Antwoorden": responses}), tmp_path)
    assert texts(r) == [Q1, Q2]


def test_answers_that_are_only_a_number_or_one_word_are_no_questions(tmp_path):
    rows = [FORMS_HEAD + ["Welke kennisvraag wilt u voorleggen?"],
            forms_row(1, Q1), forms_row(2, "12"), forms_row(3, "nvt"), forms_row(4, "Rekenen"),
            forms_row(5, "-"), forms_row(6, "Waarom toetsen we zo vaak?"), forms_row(7, "n.v.t.")]
    r = read_file(workbook(tmp_path, "surveys/forms.xlsx", {"Form1": rows}), tmp_path)
    assert texts(r) == [Q1, "Waarom toetsen we zo vaak?"]
    (w,) = r.warnings
    assert w.severity == "warning" and "5 antwoord(en) overgeslagen" in w.reason and "rij 3, 4, 5, 6, 8" in w.reason


# --- kind 7: SurveyMonkey and LimeSurvey header rows ---------------------------------------------------

MONKEY = [
    ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
     "Last Name", "Custom Data 1", "In welke sector werkt u?", "", "", "Welke kennisvraag wilt u voorleggen?",
     "Wat is uw rol?"],
    ["", "", "", "", "", "", "", "", "", "Primair onderwijs", "Voortgezet onderwijs", "Other (please specify)",
     "Open-Ended Response", "Response"],
    ["118055529901", "405502337", "03/07/2022 09:12:05 AM", "03/07/2022 09:15:40 AM", "192.0.2.10",
     "j.jansen@school.example", "Jan", "Jansen", "", "Primair onderwijs", "", "", Q1, "Leraar"],
    ["118055512345", "405502337", "03/08/2022 02:01:00 PM", "03/08/2022 02:04:02 PM", "192.0.2.11", "", "", "", "",
     "", "Voortgezet onderwijs", "", Q2, "Schoolleider"],
    ["118055567890", "405502337", "03/09/2022 10:00:00 AM", "03/09/2022 10:02:00 AM", "192.0.2.12", "", "", "", "",
     "Primair onderwijs", "Voortgezet onderwijs", "", Q3, "Leraar"],
]


def test_surveymonkey_csv_with_its_second_header_row(tmp_path):
    r = read_file(write(tmp_path, "surveys/surveymonkey.csv", csv_of(MONKEY, quote_all=True)), tmp_path)
    assert texts(r) == [Q1, Q2, Q3]  # "Open-Ended Response" is no question
    assert [m.line for m in r.mentions] == [3, 4, 5]
    assert [m.context.sectors for m in r.mentions] == [["po"], ["vo"], ["po", "vo"]]
    assert [m.context.roles for m in r.mentions] == [["leraar"], ["schoolleider"], ["leraar"]]  # not "Response"
    assert [m.respondent for m in r.mentions] == ["118055529901", "118055512345", "118055567890"]
    assert r.mentions[0].date == dt.date(2022, 3, 7)  # month first, as SurveyMonkey writes it
    assert r.warnings == []
    dump = json.dumps([m.model_dump(mode="json") for m in r.mentions])
    assert "Jansen" not in dump and "192.0.2" not in dump and "@" not in dump and "Response" not in dump


def test_surveymonkey_xlsx(tmp_path):
    r = read_file(workbook(tmp_path, "surveys/surveymonkey.xlsx", {"Sheet": MONKEY}), tmp_path)
    assert texts(r) == [Q1, Q2, Q3] and r.mentions[1].context.roles == ["schoolleider"]


def test_limesurvey_codes_with_a_question_text_row(tmp_path):
    rows = [["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "G01Q01", "G01Q02"],
            ["Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started", "Date last action",
             "In welke sector werkt u?", "Welke kennisvraag wilt u voorleggen?"],
            ["1", "2022-03-07 09:15:40", "2", "nl", "1502319383", "2022-03-07 09:12:05", "2022-03-07 09:15:40",
             "Primair onderwijs", Q1],
            ["2", "2022-03-08 14:04:02", "2", "nl", "877362201", "2022-03-08 14:01:00", "2022-03-08 14:04:02",
             "mbo", Q2]]
    r = read_file(write(tmp_path, "surveys/results-survey123456.csv", csv_of(rows, quote_all=True)), tmp_path)
    assert texts(r) == [Q1, Q2]
    assert [m.context.sectors for m in r.mentions] == [["po"], ["mbo"]]
    assert [m.respondent for m in r.mentions] == ["1", "2"] and r.mentions[0].date == dt.date(2022, 3, 7)
    assert "1502319383" not in json.dumps([m.extra for m in r.mentions])  # seed, language: metadata


def test_limesurvey_question_codes_only(tmp_path):
    """Headings 'Question code': no header names the question; the column that asks is found by content."""
    rows = [["id", "submitdate", "lastpage", "startlanguage", "seed", "G01Q01", "G01Q02", "G01Q03"],
            ["1", "2022-03-07 09:15:40", "3", "nl", "1502319383", "A1", Q1, "Graag snel."],
            ["2", "2022-03-07 10:15:40", "3", "nl", "1502319384", "A2", Q2, ""],
            ["3", "2022-03-07 11:15:40", "3", "nl", "1502319385", "A1", Q3, "Speelt op meer scholen in de regio."],
            ["4", "2022-03-07 12:15:40", "3", "nl", "1502319386", "A3", Q4, ""]]
    r = read_file(write(tmp_path, "surveys/results-survey654321.csv", csv_of(rows, sep=";", quote_all=True)), tmp_path)
    assert texts(r) == [Q1, Q2, Q3, Q4]
    assert [m.respondent for m in r.mentions] == ["1", "2", "3", "4"]


def test_limesurvey_full_text_headings_with_multiple_choice_columns(tmp_path):
    rows = [["Antwoord ID", "Datum verstuurd", "Laatste pagina", "Starttaal", "Seed",
             "In welke sector werkt u? [Primair onderwijs]", "In welke sector werkt u? [Voortgezet onderwijs]",
             "Wat is uw rol? [Leraar]", "Wat is uw rol? [Schoolleider]", "Welke kennisvraag wilt u voorleggen?"],
            ["1", "2022-03-07 09:15:40", "2", "nl", "1502319383", "Ja", "", "Ja", "", Q1],
            ["2", "2022-03-08 14:04:02", "2", "nl", "877362201", "Ja", "Ja", "", "Ja", Q2]]
    r = read_file(write(tmp_path, "surveys/limesurvey.csv", csv_of(rows, sep=";", quote_all=True)), tmp_path)
    assert texts(r) == [Q1, Q2]
    assert [m.context.sectors for m in r.mentions] == [["po"], ["po", "vo"]]
    assert [m.context.roles for m in r.mentions] == [["leraar"], ["schoolleider"]]
    assert r.warnings == []


# --- kind 8: meeting tools -----------------------------------------------------------------------------


def test_mentimeter_results_workbook_with_a_block_per_slide(tmp_path):
    rows = [["Kennistafel gepersonaliseerd leren, 14 april 2022"], [],
            ["Welke kennisvragen heeft u over formatief evalueren?"], [Q1], [Q2], ["Hoe geef je feedback die werkt?"], [],
            ["Hoe tevreden bent u over deze bijeenkomst?"], ["Zeer tevreden", 8], ["Tevreden", 11], ["Ontevreden", 2], [],
            ["Eén woord: waar denkt u aan bij data?"], ["dashboards"], ["toetsen"], ["privacy"], [],
            ["Q&A: stel uw vraag aan het panel"], [Q3, 7], [Q4, 3]]
    r = read_file(workbook(tmp_path, "meetings/mentimeter.xlsx", {"Session 1": rows}), tmp_path)
    assert texts(r) == [Q1, Q2, "Hoe geef je feedback die werkt?", Q3, Q4]  # no options, no word cloud
    assert r.mentions[0].extra["dia"] == "Welke kennisvragen heeft u over formatief evalueren?"
    assert r.mentions[3].extra["dia"] == "Q&A: stel uw vraag aan het panel"
    assert [m.extra.get("stemmen") for m in r.mentions] == [None, None, None, "7", "3"]  # upvotes: metadata
    assert len({m.respondent for m in r.mentions}) == 5  # each response once: votes are no extra sources
    assert r.source.title == "Kennistafel gepersonaliseerd leren, 14 april 2022"
    assert r.source.kind.value == "survey"


def test_mentimeter_results_per_participant(tmp_path):
    rows = [["Voter ID", "Welke kennisvraag neemt u mee naar huis?", "Hoe tevreden bent u?"],
            ["a1b2c3", Q1, "Tevreden"], ["d4e5f6", Q2, "Zeer tevreden"], ["g7h8i9", "", "Tevreden"]]
    r = read_file(workbook(tmp_path, "surveys/mentimeter.xlsx", {"Session 1": rows}), tmp_path)
    assert texts(r) == [Q1, Q2]
    assert r.mentions[0].extra["dia"] == "Welke kennisvraag neemt u mee naar huis?"


PADLET = [["Subject", "Body", "Attachment", "Author", "Created At", "Updated At", "Section", "Reactions"],
          ["Dashboards", Q1, "", "Jan Jansen", "2022-04-14 10:02:11 UTC", "2022-04-14 10:02:11 UTC", "Data", "4"],
          ["Hoe plan je instructie in combinatiegroepen?", "Vooral in groep 3 en 4 lastig.", "", "Petra de Vries",
           "2022-04-14 10:05:40 UTC", "2022-04-14 10:06:02 UTC", "Didactiek", "2"],
          ["", Q3, "https://padlet-uploads.example/foto.jpg", "Anoniem", "2022-04-14 10:07:00 UTC",
           "2022-04-14 10:07:00 UTC", "Ouders", ""]]


def test_padlet_csv_each_post_one_formulation(tmp_path):
    r = read_file(write(tmp_path, "meetings/padlet-kennisvragen.csv", csv_of(PADLET)), tmp_path)
    assert texts(r) == [f"Dashboards: {Q1}", "Hoe plan je instructie in combinatiegroepen? Vooral in groep 3 en 4 lastig.",
                        Q3]
    assert [m.extra.get("Section") for m in r.mentions] == ["Data", "Didactiek", "Ouders"]
    assert [m.extra.get("stemmen") for m in r.mentions] == ["4", "2", None]
    assert r.mentions[0].date == dt.date(2022, 4, 14)
    dump = json.dumps([m.model_dump(mode="json") for m in r.mentions])
    assert "Jansen" not in dump and "Petra" not in dump and "Anoniem" not in dump


def test_padlet_xlsx_with_the_board_title_above_the_posts(tmp_path):
    rows = [["Kennisvragen kennistafel 14 april"], ["Zet hier uw vraag neer"], [], *PADLET]
    r = read_file(workbook(tmp_path, "meetings/padlet.xlsx", {"Padlet": rows}), tmp_path)
    assert len(texts(r)) == 3 and r.mentions[0].line == 5
    assert r.source.title == "Kennisvragen kennistafel 14 april"
    assert all(m.extra["bord"] == "Kennisvragen kennistafel 14 april" for m in r.mentions)


SLIDO_Q = [["Question", "Author", "Votes", "Date", "Labels", "Highlighted", "Answered"],
           [Q1, "Jan Jansen", 12, "2022-04-14 10:02", "", "false", "true"],
           [Q2, "Anonymous", 5, "2022-04-14 10:04", "Data", "false", "false"],
           [Q4, "Petra de Vries", 0, "2022-04-14 10:09", "", "false", "false"]]


def test_slido_export_with_a_summary_sheet_in_front(tmp_path):
    summary = [["Event name", "Kennistafel gepersonaliseerd leren"], ["Event code", "#218374"],
               ["Start date", "2022-04-14"], ["Questions", 3], ["Participants", 23]]
    p = workbook(tmp_path, "meetings/slido.xlsx", {"Event summary": summary, "Questions": SLIDO_Q})
    r = read_file(p, tmp_path)
    assert texts(r) == [Q1, Q2, Q4]
    assert [m.extra["stemmen"] for m in r.mentions] == ["12", "5", "0"]  # upvotes: metadata, not sources
    assert len({m.respondent for m in r.mentions}) == 3
    assert r.source.title == "Kennistafel gepersonaliseerd leren"
    assert all(m.extra["sessie"] == "Kennistafel gepersonaliseerd leren" for m in r.mentions)
    dump = json.dumps([m.model_dump(mode="json") for m in r.mentions])
    assert "Jansen" not in dump and "Petra" not in dump and "Anonymous" not in dump


def test_slido_csv(tmp_path):
    r = read_file(write(tmp_path, "meetings/slido-questions.csv", csv_of(SLIDO_Q)), tmp_path)
    assert texts(r) == [Q1, Q2, Q4] and r.mentions[1].extra["Labels"] == "Data"
    assert "Jansen" not in json.dumps([m.model_dump(mode="json") for m in r.mentions])


def test_a_few_multi_word_themes_lose_to_the_column_that_asks(tmp_path):
    rows = [["Tijdstempel", "Over welk thema gaat uw vraag?", "Wat wilt u de onderzoekers vragen?"],
            ["7-3-2022 09:12:05", "Gepersonaliseerd leren met ict", Q1],
            ["7-3-2022 09:20:00", "Burgerschap en sociale veiligheid", Q2],
            ["7-3-2022 09:31:00", "Lezen en taal in groep 3", Q3]]
    r = read_file(write(tmp_path, "surveys/google.csv", csv_of(rows)), tmp_path)
    assert texts(r) == [Q1, Q2, Q3]


def test_forms_multiple_choice_column_is_no_question_column(tmp_path):
    rows = [FORMS_HEAD + ["Over welke thema's gaat uw vraag?", "Toelichting"],
            forms_row(1, "Lezen;Rekenen;", Q1), forms_row(2, "Ict en data;", Q2), forms_row(3, "Lezen;", Q3)]
    r = read_file(workbook(tmp_path, "surveys/forms.xlsx", {"Form1": rows}), tmp_path)
    assert texts(r) == [Q1, Q2, Q3]


def test_surveymonkey_several_text_boxes_under_one_question(tmp_path):
    rows = [["Respondent ID", "Collector ID", "Start Date", "End Date", "Welke kennisvragen heeft u?", "", "Wat is uw rol?"],
            ["", "", "", "", "Vraag 1", "Vraag 2", "Response"],
            ["118055529901", "405502337", "03/07/2022 09:12:05 AM", "03/07/2022 09:15:40 AM", Q1, Q2, "Leraar"],
            ["118055512345", "405502337", "03/08/2022 02:01:00 PM", "03/08/2022 02:04:02 PM", Q3, "", "Schoolleider"]]
    r = read_file(write(tmp_path, "surveys/surveymonkey.csv", csv_of(rows, quote_all=True)), tmp_path)
    assert texts(r) == [Q1, Q2, Q3]
    assert [m.context.roles for m in r.mentions] == [["leraar"], ["leraar"], ["schoolleider"]]


def test_mentimeter_workbook_with_a_sheet_per_slide(tmp_path):
    sheets = {"Vragen": [["Welke vragen heeft u over formatief evalueren?"], [Q1], [Q2]],
              "Q&A": [["Q&A", "Upvotes"], [Q3, 4], [Q4, 1]],
              "Tevredenheid": [["Hoe tevreden bent u?", "Stemmen"], ["Tevreden", 11], ["Ontevreden", 2]]}
    r = read_file(workbook(tmp_path, "meetings/mentimeter.xlsx", sheets), tmp_path)
    assert texts(r) == [Q1, Q2, Q3, Q4]
    assert [m.extra["werkblad"] for m in r.mentions] == ["Vragen"] * 2 + ["Q&A"] * 2
    assert [m.extra.get("stemmen") for m in r.mentions] == [None, None, "4", "1"]
    assert len({m.id for m in r.mentions}) == 4


def test_a_cleaned_copy_of_the_answers_is_not_read_twice(tmp_path):
    answers = [["Tijdstempel", "Kennisvraag", "Sector"], ["7-3-2022 09:12:05", Q1, "po"], ["7-3-2022 09:20:00", Q2, "vo"],
               ["7-3-2022 09:31:00", Q3, "mbo"]]
    cleaned = [["Kennisvraag", "Sector"], [Q1, "po"], [Q3, "mbo"]]
    r = read_file(workbook(tmp_path, "surveys/s.xlsx", {"Antwoorden": answers, "Opgeschoond": cleaned}), tmp_path)
    assert texts(r) == [Q1, Q2, Q3] and "werkblad" not in r.mentions[0].extra


def test_slido_polls_sheet_is_not_read_as_questions(tmp_path):
    polls = [["Poll question", "Option", "Votes"], ["Hoe tevreden bent u over de sessie?", "Tevreden", 12],
             ["Hoe tevreden bent u over de sessie?", "Neutraal", 4], ["Hoe tevreden bent u over de sessie?", "Ontevreden", 1],
             ["Hoe tevreden bent u over de sessie?", "Zeer tevreden", 6]]
    p = workbook(tmp_path, "meetings/slido.xlsx", {"Questions": SLIDO_Q, "Polls": polls})
    assert texts(read_file(p, tmp_path)) == [Q1, Q2, Q4]


def test_a_one_column_file_with_a_stray_comma_keeps_its_header(tmp_path):
    text = "vraag\r\nHoe plan ik kindgesprekken?\r\nHoe werkt het, en waarom dan?\r\nHoe gebruik je data?\r\n"
    r = read_file(write(tmp_path, "surveys/s.csv", text), tmp_path)
    assert texts(r)[0] == "Hoe plan ik kindgesprekken?" and len(r.mentions) == 3
