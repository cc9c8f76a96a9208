"""Case descriptions: YAML (validated), and Markdown with the protocol's sections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agenda.ingest import read_file
from agenda.models import Rule, SourceKind

CASE = """\
school: De Verwondering
organisation: Conexus
sector: po
date: 2021-09-28
definition: "Onderwijs dat aansluit bij wat het kind nodig heeft."
goal: "Eigenaarschap bij leerlingen, omdat ze dan gemotiveerder zijn."
current_state: "Weektaken op papier."
desired_state: "Leerlingen plannen zelf met een portfolio-app."
questions:
  - text: Hoe houden leerlingen zelf zicht op hun leerdoelen?
    level: Leerling
    role: leraar
    obstacles: [te weinig tijd voor kindgesprekken]
    enablers: [portfolio-app]
  - Hoe geef je feedback op afstand?
  - text: Welke data mag je delen met ouders?
    role: [schoolleider, ict-coördinator]
    obstacles: AVG-onzekerheid
"""


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_yaml_case(tmp_path):
    r = read_file(write(tmp_path, "cases/verwondering.yaml", CASE), tmp_path)
    assert r.rejection is None, r.rejection
    s = r.source
    assert s.kind == SourceKind.case
    assert s.title == "Casus De Verwondering"
    assert s.date == dt.date(2021, 9, 28)
    assert s.context.school == "De Verwondering" and s.context.organisation == "Conexus" and s.context.sectors == ["po"]
    assert s.meta["definition"].startswith("Onderwijs dat aansluit")
    assert set(s.meta) >= {"definition", "goal", "current_state", "desired_state"}
    m1, m2, m3 = r.mentions
    assert all(m.rule == Rule.case for m in r.mentions)
    assert m1.text == "Hoe houden leerlingen zelf zicht op hun leerdoelen?"
    assert m1.context.level == "leerling" and m1.context.roles == ["leraar"]
    assert m1.context.school == "De Verwondering" and m1.context.sectors == ["po"]
    assert m1.extra == {"obstacles": ["te weinig tijd voor kindgesprekken"], "enablers": ["portfolio-app"]}
    assert m1.line == 10 and m2.line == 15 and m3.line == 16
    assert m2.text == "Hoe geef je feedback op afstand?" and m2.context.level is None
    assert m3.context.roles == ["schoolleider", "ict-coördinator"] and m3.extra == {"obstacles": ["AVG-onzekerheid"]}
    assert all(m.date == dt.date(2021, 9, 28) for m in r.mentions)


def test_yaml_case_dutch_keys_and_sector_list(tmp_path):
    text = "school: Het Kompas\nsector: [SO, vso]\ndatum: 2022-01-10\nvragen:\n  - tekst: Hoe?\n    niveau: team\n"
    r = read_file(write(tmp_path, "cases/kompas.yml", text), tmp_path)
    assert r.rejection is None, r.rejection
    assert r.source.context.sectors == ["so", "vso"]
    assert r.mentions[0].context.level == "team"


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        ("school: X\nsector: havo\n", ["onbekende sector 'havo'", "po, sbo, so, vso, vo, mbo", "sector"], 2),
        ("school: X\nquestions:\n  - text: Hoe?\n    level: klas\n", ["onbekend niveau 'klas'", "leerling, leraar, team, school, bestuur"], 3),
        ("school: [a, b]\n", ["veld 'school'", "moet tekst zijn"], 1),
        ("school: X\nquestions: 12\n", ["veld 'questions'"], 2),
        ("school: X\nquestions:\n  - text: {a: 1}\n", ["questions.0", "text"], 3),
        ("school: X\ndate: 2021-13-45\n", ["ongeldige datum '2021-13-45'"], 2),
        ("- alleen\n- een lijst\n", ["casusbeschrijving moet velden bevatten"], 1),
    ],
)
def test_yaml_case_invalid(tmp_path, text, needle, line):
    r = read_file(write(tmp_path, "cases/bad.yaml", text), tmp_path)
    assert r.source is None and r.rejection is not None
    assert r.rejection.file == "cases/bad.yaml"
    for n in needle:
        assert n in r.rejection.reason, r.rejection.reason
    assert r.rejection.line == line


def test_yaml_syntax_error_line(tmp_path):
    r = read_file(write(tmp_path, "cases/bad.yaml", "school: X\nsector: po\nquestions:\n  - text: [unclosed\n"), tmp_path)
    assert r.rejection is not None and "ongeldige YAML" in r.rejection.reason
    assert r.rejection.line is not None and r.rejection.line >= 4


CASE_MD = """---
kind: case
school: De Verwondering
organisatie: Conexus
sector: po
date: 2021-09-28
---
# Casus De Verwondering

## Definitie
Onderwijs op maat.

## Doel
Eigenaarschap.

## Huidige situatie
Weektaken.

## Gewenste situatie
Zelf plannen.

## Vraagstukken

### Hoe houden leerlingen zicht op hun doelen? (niveau: leerling; rol: leraar)

Belemmerend:
- te weinig tijd
- te grote groepen

Bevorderend:
- portfolio-app

### Hoe betrek je ouders?

- Belemmerend: geen tijd; geen inlog
- Bevorderend: nieuwsbrief

## Nawoord

Wat nemen we mee?
"""


def test_markdown_case(tmp_path):
    r = read_file(write(tmp_path, "meetings/verwondering.md", CASE_MD), tmp_path)
    assert r.rejection is None, r.rejection
    s = r.source
    assert s.kind == SourceKind.case and s.title == "Casus De Verwondering"
    assert s.meta == {"definition": "Onderwijs op maat.", "goal": "Eigenaarschap.", "current_state": "Weektaken.", "desired_state": "Zelf plannen."}
    assert s.context.school == "De Verwondering" and s.context.organisation == "Conexus"
    cases = [m for m in r.mentions if m.rule == Rule.case]
    assert [m.text for m in cases] == ["Hoe houden leerlingen zicht op hun doelen?", "Hoe betrek je ouders?"]
    assert cases[0].context.level == "leerling" and cases[0].context.roles == ["leraar"]
    assert cases[0].extra == {"obstacles": ["te weinig tijd", "te grote groepen"], "enablers": ["portfolio-app"]}
    assert cases[1].extra == {"obstacles": ["geen tijd", "geen inlog"], "enablers": ["nieuwsbrief"]}
    assert [m.text for m in r.mentions if m.rule == Rule.candidate] == ["Wat nemen we mee?"]


def test_markdown_case_by_folder(tmp_path):
    text = "# Casus\n\n## Vraagstukken\n\n- Hoe dan?\n"
    r = read_file(write(tmp_path, "cases/x.md", text), tmp_path)
    assert r.source.kind == SourceKind.case
    assert [(m.text, m.rule) for m in r.mentions] == [("Hoe dan?", Rule.case)]
