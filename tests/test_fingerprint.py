"""An unchanged rebuild is recognised before anything runs, and every real change is not missed."""

import shutil

import pytest

from agenda import fingerprint
from agenda.settings import load_settings, settings_file_for


@pytest.fixture
def built(sample_build, tmp_path):
    """A private copy of the sample build (inputs, database, outputs) to change."""
    inputs, db, out, outcome, _ = sample_build
    shutil.copytree(inputs, tmp_path / "inputs")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "inputs", tmp_path / "out" / db.name, tmp_path / "out", outcome.label


def _same(built, settings=None):
    inputs, db, out, _ = built
    return fingerprint.unchanged_version(db, inputs, out, settings or load_settings(settings_file_for(inputs)))


def test_an_unchanged_build_is_recognised_without_writing(built):
    inputs, db, out, label = built
    before = {p: p.stat().st_mtime_ns for p in [*out.iterdir(), *inputs.rglob("*")]}
    found = _same(built)
    assert found is not None and found[0] == label
    assert found[1][0].suffix == ".docx" and all(p.parent == out for p in found[1])
    assert {p: p.stat().st_mtime_ns for p in [*out.iterdir(), *inputs.rglob("*")]} == before


@pytest.mark.parametrize("change", ["new file", "changed file", "unreadable before", "curation", "library",
                                    "votes", "settings", "software", "report deleted"])
def test_every_real_change_is_seen(built, change, monkeypatch):
    inputs, db, out, label = built
    settings = load_settings(settings_file_for(inputs))  # what the build read (inputs/kennisagenda.toml)
    if change == "new file":
        (inputs / "meetings" / "nieuw.md").write_text("## Kennisvragen\n- Hoe doen we dat?\n", encoding="utf-8")
    elif change == "changed file":
        path = next(p for p in sorted((inputs / "meetings").glob("*.md")))
        path.write_text(path.read_text(encoding="utf-8") + "\n- Een extra vraag hierover?\n", encoding="utf-8")
    elif change == "unreadable before":  # a file that did not parse, fixed or not, is part of the inputs
        (inputs / "meetings" / "leeg.md").write_bytes(b"")
    elif change == "curation":
        path = inputs / "curation.yaml"
        path.write_text((path.read_text(encoding="utf-8") if path.is_file() else "") + "\n# nagekeken\n",
                        encoding="utf-8")
    elif change == "library":
        (inputs / "kennis" / "notitie.md").write_text("# Notitie\n\nOver leerpleinen.\n", encoding="utf-8")
    elif change == "votes":  # a priority round's export, even one that does not read
        (inputs / "stemronde").mkdir(exist_ok=True)
        (inputs / "stemronde" / "stemmen.csv").write_text("naam;keuze 1\n", encoding="utf-8")
    elif change == "settings":
        settings = settings.model_copy(update={"title": "Een andere titel"})
    elif change == "software":
        monkeypatch.setattr(fingerprint, "software_fingerprint", lambda: "another version")
    elif change == "report deleted":
        next(out.glob("kennisagenda-*.docx")).unlink()
    assert _same(built, settings) is None


def test_the_cli_answers_an_unchanged_rebuild_without_starting_prefect(built, monkeypatch):
    import sys

    from typer.testing import CliRunner

    from agenda.cli import app

    inputs, db, out, label = built
    monkeypatch.setitem(sys.modules, "flows.build", None)  # importing the flow (and Prefect) would fail
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.endswith(".lock")}
    result = CliRunner().invoke(app, ["build", "--inputs", str(inputs), "--db", str(db), "--out", str(out),
                                      "--label", "2099-Q1"])
    assert result.exit_code in (0, 1), result.output  # 1: the sample corpus's rejected files, as before
    assert f"Geen verschillen met versie {label}: geen nieuwe versie gemaakt." in result.stdout
    assert "Het label 2099-Q1 is niet gebruikt." in result.stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.endswith(".lock")} == before
