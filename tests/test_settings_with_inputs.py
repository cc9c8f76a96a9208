"""A knowledge table's settings travel with its inputs: `<inputs>/kennisagenda.toml` is read by a
build when no other settings file is named; without one the report carries no borrowed name."""

from pathlib import Path

from agenda.ingest import discover
from agenda.settings import Settings, load_settings, settings_file_for

REPO = Path(__file__).resolve().parent.parent


def test_the_inputs_folder_settings_are_found_and_not_read_as_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./kennisagenda.toml here
    monkeypatch.delenv("KENNISAGENDA_SETTINGS_FILE", raising=False)
    inputs = tmp_path / "inputs"
    (inputs / "meetings").mkdir(parents=True)
    (inputs / "kennisagenda.toml").write_text('title = "Kennisagenda lerarentekort"\n', encoding="utf-8")
    (inputs / "meetings" / "m.md").write_text("# Verslag\n\n## Vragen\n\n- Hoe werkt een vierdaagse schoolweek?\n",
                                              encoding="utf-8")
    found = settings_file_for(inputs)
    assert found == inputs / "kennisagenda.toml"
    assert load_settings(found).title == "Kennisagenda lerarentekort"
    files, refused = discover(inputs, Settings().limits)
    assert [f.name for f in files] == ["m.md"] and not refused
    # an explicit --settings wins, and so does ./kennisagenda.toml
    other = tmp_path / "other.toml"
    other.write_text('title = "Anders"\n', encoding="utf-8")
    assert settings_file_for(inputs, other) == other
    (tmp_path / "kennisagenda.toml").write_text('title = "Werkmap"\n', encoding="utf-8")
    assert settings_file_for(inputs) is None and load_settings().title == "Werkmap"


def test_without_settings_no_theme_is_borrowed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KENNISAGENDA_SETTINGS_FILE", raising=False)
    s = load_settings(settings_file_for(tmp_path))
    assert s.title == "Kennisagenda" and s.knowledge_table == ""


def test_the_sample_corpus_names_itself():
    s = load_settings(REPO / "inputs" / "kennisagenda.toml")
    assert s.title == "Kennisagenda gepersonaliseerd leren met ict"
    assert s.knowledge_table == "Kennistafel Gepersonaliseerd leren met ict"
