"""Markdown meeting reports: front matter, the three question rules, candidates, context notes, ids."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from agenda.ingest import discover, file_sha256, read_file
from agenda.models import Rule, SourceKind

SEED = Path(__file__).resolve().parents[2] / "shared/seeds/derde-bijeenkomst-2021-06-23.md"


def write(root: Path, rel: str, text: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def by_rule(result, rule):
    return [m.text for m in result.mentions if m.rule == rule]


@pytest.mark.skipif(not SEED.is_file(), reason="seed meeting not present")
def test_seed_meeting(tmp_path):
    p = write(tmp_path, "meetings/derde-bijeenkomst-2021-06-23.md", SEED.read_text(encoding="utf-8"))
    r = read_file(p, tmp_path)
    assert r.rejection is None
    assert r.source.kind == SourceKind.meeting
    assert r.source.title == "Derde bijeenkomst kennistafel"
    assert r.source.date == dt.date(2021, 6, 23)
    assert r.source.path == "meetings/derde-bijeenkomst-2021-06-23.md"
    assert by_rule(r, Rule.quoted) == [
        "Welke competenties moeten de leerkrachten hebben om gepersonaliseerd leren te laten slagen?",
        "In hoeverre is een gepersonaliseerd leeraanbod mogelijk, wenselijk in het so en vso (voorheen cluster 3 en 4)?",
    ]
    candidates = by_rule(r, Rule.candidate)
    assert len(candidates) >= 5
    assert "Wat is jullie definitie van gepersonaliseerd leren?" in candidates
    assert not by_rule(r, Rule.section)
    assert all(m.line for m in r.mentions)


FM = """---
title: Vierde bijeenkomst
date: 2021-09-30
sector: [po, so]
questions:
  - Hoe betrek je ouders bij gepersonaliseerd leren?
  - text: Wat kost een leerplein?
    rol: schoolleider
---
# Vierde bijeenkomst

Op 30 september kwamen we samen. Iemand vroeg: "Werkt dit ook in het vso?" en dat bleef hangen.

## Opgehaalde kennisvragen

- Hoe richt je **leerpleinen** in? (sector: po; rol: schoolleider)
- Welke [ict-tools](https://example.org) passen bij
  gepersonaliseerd leren?
* Wat is de rol van de ict’er in het team? (sector: po, sbo; rol: leraar; niveau: team; school: De Verwondering)
1. In hoeverre is dit haalbaar (voorheen cluster 3 en 4)?
- Dit is geen vraag.

### Subgroep

Hoe organiseer je dat? Dat vroeg men zich af.

## Overig

- Hoe laat is het?
De foto's van de ict’er staan online. Wie maakt ze?Niemand.
"""


def test_front_matter_rules_and_context(tmp_path):
    p = write(tmp_path, "meetings/vierde.md", FM)
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    s = r.source
    assert s.title == "Vierde bijeenkomst"
    assert s.date == dt.date(2021, 9, 30)
    assert s.context.sectors == ["po", "so"]
    fm = [m for m in r.mentions if m.rule == Rule.front_matter]
    assert [m.text for m in fm] == ["Hoe betrek je ouders bij gepersonaliseerd leren?", "Wat kost een leerplein?"]
    assert fm[0].line == 6 and fm[1].line == 7
    assert fm[1].context.roles == ["schoolleider"]
    section = [m for m in r.mentions if m.rule == Rule.section]
    assert [m.text for m in section] == [
        "Hoe richt je leerpleinen in?",
        "Welke ict-tools passen bij gepersonaliseerd leren?",
        "Wat is de rol van de ict’er in het team?",
        "In hoeverre is dit haalbaar (voorheen cluster 3 en 4)?",
        "Hoe organiseer je dat?",
    ]
    first = section[0]
    assert first.context.sectors == ["po"] and first.context.roles == ["schoolleider"]
    assert first.line == 16
    third = section[2]
    assert third.context.sectors == ["po", "sbo"]
    assert third.context.level == "team" and third.context.school == "De Verwondering"
    assert section[1].line == 17
    # file default context when the note names none
    assert section[3].context.sectors == ["po", "so"]
    assert by_rule(r, Rule.quoted) == ["Werkt dit ook in het vso?"]
    assert by_rule(r, Rule.candidate) == ["Hoe laat is het?", "Wie maakt ze?"]
    assert all(m.date == dt.date(2021, 9, 30) for m in r.mentions)


def test_ids_are_stable(tmp_path):
    p = write(tmp_path, "meetings/vierde.md", FM)
    r1 = read_file(p, tmp_path)
    assert r1.source.id == "S-" + file_sha256(p)[:12]
    assert r1.source.content_hash == hashlib.sha256(p.read_bytes()).hexdigest()
    m = next(m for m in r1.mentions if m.text == "Hoe richt je leerpleinen in?")
    expected = hashlib.sha1("meetings/vierde.md\nhoe richt je leerpleinen in?\n0".encode()).hexdigest()[:8]
    assert m.id == "M-" + expected
    # edit elsewhere in the file: the mention id survives, the source id changes
    write(tmp_path, "meetings/vierde.md", FM.replace("Dit is geen vraag.", "Iets anders.\n\nNog een alinea."))
    r2 = read_file(p, tmp_path)
    assert r2.source.id != r1.source.id
    assert {x.id for x in r1.mentions} == {x.id for x in r2.mentions}
    assert len({x.id for x in r2.mentions}) == len(r2.mentions)


def test_repeated_question_gets_distinct_ids(tmp_path):
    p = write(tmp_path, "meetings/x.md", "## Vragen\n\n- Wat werkt?\n- wat  werkt?\n")
    r = read_file(p, tmp_path)
    assert len(r.mentions) == 2 and r.mentions[0].id != r.mentions[1].id


def test_section_ends_at_same_level_heading(tmp_path):
    text = "# Verslag\n\n## Praktijkvragen\n\n- A of B?\n\n### Detail\n\n- C of D?\n\n## Verder\n\n- E of F?\n"
    r = read_file(write(tmp_path, "meetings/x.md", text), tmp_path)
    assert by_rule(r, Rule.section) == ["A of B?", "C of D?"]
    assert by_rule(r, Rule.candidate) == ["E of F?"]


@pytest.mark.parametrize(
    "heading",
    ["## Kennisvragen uit de groepen", "## Opgehaalde vraagstukken", "## Knowledge questions", "## QUESTIONS", "**Praktijkvragen**", "Vragen\n------"],
)
def test_question_headings(tmp_path, heading):
    r = read_file(write(tmp_path, "meetings/x.md", f"{heading}\n\n- Hoe dan?\n"), tmp_path)
    assert by_rule(r, Rule.section) == ["Hoe dan?"]


def test_quotes_and_apostrophes(tmp_path):
    text = (
        "De ict’er zei ‘Hoe doen we dit?’ en de leerling’s ouder vroeg “Waarom nu?”. "
        "Bij foto's hoort 'geen vraag' en 'ook niet'. Het vraagstuk (\"Kan dat?\") kwam terug.\n"
    )
    r = read_file(write(tmp_path, "meetings/x.md", text), tmp_path)
    assert by_rule(r, Rule.quoted) == ["Hoe doen we dit?", "Waarom nu?", "Kan dat?"]
    assert by_rule(r, Rule.candidate) == []


def test_date_from_text_and_filename_year(tmp_path):
    r = read_file(write(tmp_path, "meetings/verslag-2021.md", "# V\n\nOp 23 juni kwamen we bijeen.\n"), tmp_path)
    assert r.source.date == dt.date(2021, 6, 23)
    r = read_file(write(tmp_path, "meetings/verslag.md", "# V\n\nEn op donderdag 28 januari 2021 weer.\n"), tmp_path)
    assert r.source.date == dt.date(2021, 1, 28)
    r = read_file(write(tmp_path, "meetings/geen.md", "# V\n\nGeen datum.\n"), tmp_path)
    assert r.source.date is None


def test_kind_by_folder_and_front_matter(tmp_path):
    r = read_file(write(tmp_path, "publications/p.md", "# P\n"), tmp_path)
    assert r.source.kind == SourceKind.publication
    r = read_file(write(tmp_path, "meetings/p2.md", "---\nkind: publication\n---\n# P\n"), tmp_path)
    assert r.source.kind == SourceKind.publication
    r = read_file(write(tmp_path, "x.txt", "Wat houdt het in?\n\nTekst.\n"), tmp_path)
    assert r.source.kind == SourceKind.meeting and by_rule(r, Rule.candidate) == ["Wat houdt het in?"]


def test_control_characters_stripped(tmp_path):
    r = read_file(write(tmp_path, "meetings/x.md", "## Vragen\n\n- Hoe\x0bgaat\x07 het?\n"), tmp_path)
    assert by_rule(r, Rule.section) == ["Hoe gaat het?"]


def test_windows_1252_and_crlf(tmp_path):
    data = "## Kennisvragen\r\n\r\n- Hoe zit het met de ict’er en café?\r\n".encode("cp1252")
    r = read_file(write(tmp_path, "meetings/x.md", data), tmp_path)
    assert by_rule(r, Rule.section) == ["Hoe zit het met de ict’er en café?"]


def test_code_fences_skipped(tmp_path):
    r = read_file(write(tmp_path, "meetings/x.md", "## Vragen\n\n```\n- Niet dit?\n```\n- Wel dit?\n"), tmp_path)
    assert by_rule(r, Rule.section) == ["Wel dit?"]


def test_discover(tmp_path):
    for rel in [
        "meetings/a.md", "meetings/b.docx", "cases/c.yaml", "surveys/d.csv", "surveys/e.xlsx", "x.markdown",
        "curation.yaml", "README.md", ".hidden.md", ".git/config.md", "meetings/~$b.docx", "scan.rtf",
    ]:
        write(tmp_path, rel, "x")
    files, rejections = discover(tmp_path)
    rels = [p.relative_to(tmp_path).as_posix() for p in files]
    assert rels == ["cases/c.yaml", "meetings/a.md", "meetings/b.docx", "surveys/d.csv", "surveys/e.xlsx", "x.markdown"]
    assert [(r.file, ".docx" in r.reason) for r in rejections] == [("scan.rtf", True)]


def test_discover_symlinks(tmp_path):
    inputs = tmp_path / "inputs"
    write(inputs, "meetings/a.md", "# A\n")
    secret = write(tmp_path, "secret.md", "# geheim\n")
    (inputs / "meetings/link.md").symlink_to(secret)
    (inputs / "meetings/inside.md").symlink_to(inputs / "meetings/a.md")
    (inputs / "outdir").symlink_to(tmp_path)
    (inputs / "broken.md").symlink_to(tmp_path / "nope.md")
    files, rejections = discover(inputs)
    assert [p.name for p in files] == ["a.md", "inside.md"]
    reasons = {r.file: r.reason for r in rejections}
    assert "buiten inputs/" in reasons["meetings/link.md"]
    assert "buiten inputs/" in reasons["outdir"]
    assert "niet bestaat" in reasons["broken.md"]
    # read_file refuses the outside link too
    r = read_file(inputs / "meetings/link.md", inputs)
    assert r.rejection and "buiten inputs/" in r.rejection.reason


def test_a_leaning_question_keeps_the_sentence_before_it(tmp_path):
    text = ("# Verslag\n\n## Vragen\n\nLeraren gaan volgend jaar met AI werken. Welke scholing is daarvoor nodig? "
            "Hoe meet je de digitale geletterdheid van leerlingen?\n\n- En hoe doe je dat in het so?\n"
            "- Wat kost een laptop per leerling?\n")
    r = read_file(write(tmp_path, "meetings/x.md", text), tmp_path)
    lead = {m.text: m.extra.get("lead_in") for m in r.mentions}
    assert lead == {
        "Welke scholing is daarvoor nodig?": "Leraren gaan volgend jaar met AI werken.",
        "Hoe meet je de digitale geletterdheid van leerlingen?": None,
        "En hoe doe je dat in het so?": "Hoe meet je de digitale geletterdheid van leerlingen?",
        "Wat kost een laptop per leerling?": None,
    }
