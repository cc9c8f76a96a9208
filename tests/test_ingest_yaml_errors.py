"""Broken YAML (case files, front matter, survey sidecars) is rejected in Dutch, with the line and the
fix — never with PyYAML's English ("found character '\\t' that cannot start any token")."""

from __future__ import annotations

import pytest

from agenda.ingest import read_file

ENGLISH = ("found", "token", "expected", "mapping", "scanning", "while", "stream", "block", "alias", "indicator")


@pytest.mark.parametrize(
    ("text", "line", "fix"),
    [
        ("school: De Boog\nquestions:\n\t- Hoe plan je kindgesprekken?\n", 3, "tabs mogen niet voor inspringen; gebruik spaties"),
        ("school: De Boog\ndefinition: Wij doen: alles samen\n", 2, "tussen aanhalingstekens"),
        ('school: "De Boog\nsector: po\n', 3, "aanhalingsteken wordt niet gesloten"),
        ("questions:\n  - text: Hoe?\n   level: leraar\n", 3, "inspringing klopt niet"),
        ("school: *De Boog\n", 1, "verwijzing; zet de tekst tussen aanhalingstekens"),
        ("school: @thuis\n", 1, "mag niet beginnen met het teken @"),
        ("sector: [po, so\nschool: De Boog\n", 2, "lijst tussen [ ]"),
        ("questions:\n- Hoe?\n  - Waarom?\nlos\n", 5, "de dubbele punt ontbreekt"),
    ],
)
def test_yaml_problems_in_dutch_with_line_and_fix(tmp_path, text, line, fix):
    p = tmp_path / "cases" / "casus.yaml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    r = read_file(p, tmp_path)
    assert r.rejection is not None
    reason = r.rejection.reason
    assert reason.startswith("ongeldige YAML in de casusbeschrijving: ") and fix in reason, reason
    assert r.rejection.line == line
    assert not [w for w in ENGLISH if w in reason.lower()], reason


def test_front_matter_tab_is_dutch_and_offset(tmp_path):
    p = tmp_path / "meetings" / "verslag.md"
    p.parent.mkdir()
    p.write_text("---\ntitle: Verslag\nsector:\n\t- po\n---\n# Verslag\n", encoding="utf-8")
    r = read_file(p, tmp_path)
    assert r.rejection.line == 4 and "tabs mogen niet voor inspringen" in r.rejection.reason
