"""Respondents' privacy (agenda/privacy.py): identifying columns, pseudonyms, masked contact details."""

from collections import Counter
from pathlib import Path

import pytest

from agenda.ingest import read_file
from agenda.privacy import (BSN_MASK, EMAIL_MASK, IBAN_MASK, PHONE_MASK, identifying_column, identifying_header,
                            mask, mask_counts, mask_tree, mask_value, pseudonym, pseudonym_key, respondent_id)
from tests.conftest import build_without_prefect
from tests.privacy_fixtures import FILE_NAME_SECRET, database_text, leaks, outputs_text, write_private_corpus


@pytest.mark.parametrize("text, masked", [
    ("mail p.devries@school.nl", f"mail {EMAIL_MASK}"),
    ("j.jansen (at) mail.nl", EMAIL_MASK),
    ("bel 06-12345678.", f"bel {PHONE_MASK}."),
    ("06 1234 5678", PHONE_MASK),
    ("+31 6 1234 5678", PHONE_MASK),
    ("+31 (0)6-12345678", PHONE_MASK),
    ("0031612345678", PHONE_MASK),
    ("020-1234567", PHONE_MASK),
    ("(030) 123 45 67", PHONE_MASK),
    ("tel: 010 - 123 45 67", f"tel: {PHONE_MASK}"),
    ("BSN 123456782", f"BSN {BSN_MASK}"),
    ("1234.56.782", BSN_MASK),
    ("123 456 782", BSN_MASK),
    # issue 21, held-out variants: how people really write them
    ("mail p.devries@\nschool.nl", f"mail {EMAIL_MASK}"),  # split over a line
    ("p.devries @ school.nl", EMAIL_MASK),
    ("naam at school punt nl", EMAIL_MASK),
    ("p.devries at school.nl", EMAIL_MASK),
    ("p.devries[at]school[dot]nl", EMAIL_MASK),
    ("p.devries\uff20school.nl", EMAIL_MASK),  # a full-width @
    ("jan\u200b@school.nl", EMAIL_MASK),  # a zero-width space inside
    ("p.devries@scho\u00adol.nl", EMAIL_MASK),  # a soft hyphen inside
    ("06\u201312345678", PHONE_MASK),  # an en dash, as Word writes it
    ("tel.nr: 06/12345678", f"tel.nr: {PHONE_MASK}"),
    ("+32 470 12 34 56", PHONE_MASK),
    ("0049 30 1234 5678", PHONE_MASK),
    ("BSN 123-456-782", f"BSN {BSN_MASK}"),
    ("BSN: 12345 6782", f"BSN: {BSN_MASK}"),
    ("bsn 12.34.56.782", f"bsn {BSN_MASK}"),
    ("IBAN NL91 ABNA 0417 1643 00", f"IBAN {IBAN_MASK}"),
    ("NL91ABNA0417164300", IBAN_MASK),
    ("NL91 ABNA 0417 1643 01", IBAN_MASK),  # a typo in the check digits: still someone's account
    ("BE71 0961 2345 6769", IBAN_MASK),
])
def test_contact_details_and_bsn_are_masked(text, masked):
    assert mask(text) == masked
    assert mask(masked) == masked  # idempotent


@pytest.mark.parametrize("text", [
    "In 2023 waren er 1234 leerlingen in groep 3 tot 8.", "datum 2026-03-01", "een bedrag van 123.456.782 euro",
    "123456789 (faalt de elfproef)", "Q-1a2b3c en M-12345678", "kosten 0,25 per leerling", "2019 - 2020 - 2021",
    "students at school. Then they", "available at www.example.org", "ISBN 978-90-1234-567-8", "+5 punten",
    "doi 10.1016/j.learninstruc.2019.05.003", "tussen 10.00 - 12.00 uur", "Kamerstuk 31 293 nr. 456",
    "1 2 3 4 5 6 7 8 9",
])
def test_ordinary_numbers_are_kept(text):
    assert mask_counts(text) == (text, Counter())


def test_identifying_columns_by_header_and_by_content():
    assert identifying_header("Naam (optioneel)") and identifying_header("Uw e-mailadres (niet verplicht)")
    assert identifying_header("Telefoonnummer:") and identifying_header("Mobiel nummer")
    assert not identifying_header("Naam van de school") and not identifying_header("Schoolnaam")
    assert not identifying_header("Welke kennisvraag heeft u?")
    assert identifying_column("Wie vulde in", ["Jan de Vries", "Pieter Bakker", "A. Smit", ""])
    assert identifying_column("Contact", ["p.devries@school.nl", "", "geen"])
    assert identifying_column("Bereikbaar op", ["06-12345678", "020 123 4567"])
    assert not identifying_column("Regio", ["Noord Holland", "Noord Holland", "Zuid Holland", "Noord Holland"])
    assert not identifying_column("Toelichting", ["Dit speelt al lang op onze school.", "Geen"])


@pytest.mark.parametrize("header", [
    "Wie ben je?", "Wie bent u", "Ingevuld door", "Hoe kunnen we u bereiken?", "RecipientFirstName",
    "RecipientEmail", "LocationLatitude", "token", "Tussenvoegsel", "Telnr", "Uw gegevens",
    "Mag de kennistafel contact opnemen? Zo ja, uw e-mail", "Wat is uw e-mailadres?",
])
def test_identifying_headers_as_other_tools_and_people_write_them(header):
    assert identifying_header(header)


@pytest.mark.parametrize("header", [
    "Hoe houd je contact met ouders?", "Hoe bereiken we ouders beter?", "Welke vraag heeft u over e-mail met ouders?",
    "Naam van de school", "Hoe gebruik je een token economy in de klas?",
])
def test_a_question_prompt_that_mentions_contact_is_not_an_identifying_column(header):
    """Found on main: a question column headed "Hoe houd je contact met ouders?" was dropped as private,
    and with it every question of the survey."""
    assert not identifying_header(header)


def test_a_column_of_names_followed_by_a_remark_is_identifying():
    names = ["Geertruida Klompmaker, juf groep 5", "Bartholomeus Wijnstok (ib'er)", "Ik ben Hendrikje Zoutman"]
    assert identifying_column("Over jezelf", names)
    assert not identifying_column("School", ["OBS De Regenboog", "Basisschool De Klimop, Almere", "Het Baken"])


def test_keys_roles_and_person_fields_are_masked_or_dropped():
    assert mask_tree({"role_counts": {"leraar (j@x.nl)": 1, "leraar (k@x.nl)": 2}}) == {
        "role_counts": {f"leraar ({EMAIL_MASK})": 3}}
    assert mask_tree({"path": "meetings/verslag-j.pietersma@school.nl.md"}) == {"path": f"meetings/{EMAIL_MASK}"}
    assert mask_value({"contact": "Jozefien Brakkee", "definition": "Bel 06-12345678"}) == {
        "definition": f"Bel {PHONE_MASK}"}


def test_pseudonyms_are_stable_keyed_and_keep_plain_ids():
    key = pseudonym_key(b"export bytes")
    assert pseudonym("P.deVries@school.nl ", key) == pseudonym("p.devries@school.nl", key)
    assert pseudonym("p.devries@school.nl", key) != pseudonym("p.devries@school.nl", pseudonym_key(b"other"))
    assert respondent_id("p.devries@school.nl", key).startswith("p-")
    assert respondent_id("Jan de Vries", key).startswith("p-")
    assert respondent_id("13", key) == "13" and respondent_id("R_1abcXYZ", key) == "R_1abcXYZ"


def test_survey_reading_drops_identifying_columns_and_pseudonymises(tmp_path):
    write_private_corpus(tmp_path)
    result = read_file(tmp_path / "surveys" / "peiling.csv", tmp_path)
    assert result.rejection is None and len(result.mentions) == 3
    blob = result.model_dump_json()
    assert leaks(blob) == []
    assert all(m.respondent.startswith("p-") for m in result.mentions)
    assert len({m.respondent for m in result.mentions}) == 3
    assert "Wie vulde in" not in blob and "Telefoonnummer" not in blob
    assert EMAIL_MASK in blob and PHONE_MASK in blob and BSN_MASK in blob
    again = read_file(tmp_path / "surveys" / "peiling.csv", tmp_path)
    assert [m.respondent for m in again.mentions] == [m.respondent for m in result.mentions]


def test_nothing_identifying_reaches_duckdb_or_any_output(tmp_path):
    inputs = tmp_path / "inputs"
    write_private_corpus(inputs)
    out = tmp_path / "out"
    outcome, paths = build_without_prefect(inputs, out / "k.duckdb", out)
    assert outcome.n_mentions == 14 and outcome.n_rejected == 0  # no question column was dropped as private
    db_text = database_text(out / "k.duckdb")
    assert leaks(db_text) == []
    text = outputs_text(out)
    assert leaks(text) == []
    assert FILE_NAME_SECRET not in text  # a file name with an e-mail address: masked where it is published
    import duckdb

    with duckdb.connect(str(out / "k.duckdb"), read_only=True) as con:
        versions = repr(con.execute("SELECT * FROM agenda_versions").fetchall())
    assert FILE_NAME_SECRET not in versions
    # the method chapter says it was done, and how often
    import docx

    report = next(p for p in paths if str(p).endswith(".docx"))
    body = "\n".join(p.text for p in docx.Document(report).paragraphs)
    line = next(p for p in body.split("\n") if p.startswith("Privacy:"))
    assert "3 op deze agenda" in line and "e-mailadres" in line and "BSN" in line


def test_method_sentence_without_named_respondents_claims_no_pseudonyms():
    """Found reading the sample report: 'respondenten staan onder een pseudoniem (0 op deze agenda)'
    and '0 e-mailadres(sen)' where the survey numbered its respondents and nothing was masked."""
    from collections import Counter

    from agenda.privacy import method_sentence

    none = method_sentence(Counter(), 0)
    assert "pseudoniem" not in none and "(sen)" not in none and "volgnummer" in none
    some = method_sentence(Counter(email=1, phone=2), 3)
    assert "3 op deze agenda" in some and "1 e-mailadres," in some and "2 telefoonnummers" in some


def test_a_name_typed_in_the_wrong_survey_column_is_not_quoted_in_the_rejection(tmp_path):
    """Issue 21 (held out): a respondent who typed 'Jan Willemsen 06-…' in the date column: the file's
    rejection quoted the cell, so the name reached DuckDB's rejected table and the console."""
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / "a.csv").write_text(
        "respondent;datum;vraag\n1;Jan Willemsen 06-12345678;Hoe plan je de week met leerlingen?\n", encoding="utf-8")
    r = read_file(tmp_path / "surveys" / "a.csv", tmp_path)
    assert r.rejection is not None and r.rejection.line == 2
    assert "Willemsen" not in r.rejection.reason and "12345678" not in r.rejection.reason
    assert "rij 2, kolom 'datum'" in r.rejection.reason and "[tekst van een respondent]" in r.rejection.reason
