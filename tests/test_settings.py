"""Settings: defaults, a TOML file, environment overrides, and the fingerprint that versions use."""

import pytest

from agenda.settings import Settings, load_settings


def test_defaults_are_the_documented_weights(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    s = Settings()
    assert (s.rank.sources, s.rank.schools, s.rank.kinds, s.rank.sectors, s.rank.roles, s.rank.levels) == \
        (1.0, 0.5, 0.5, 1.0, 0.5, 0.25)
    assert s.rank.role_cap == 0.5 and s.rank.recency_half_life_days is None


def test_file_then_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "eigen.toml"
    path.write_text("lock_timeout_seconds = 30\n[rank]\nsectors = 2.0\nroles = 0.75\n[limits]\nmax_file_mb = 5\n",
                    encoding="utf-8")
    s = load_settings(path)
    assert (s.rank.sectors, s.rank.roles, s.limits.max_file_mb, s.lock_timeout_seconds) == (2.0, 0.75, 5, 30)
    monkeypatch.setenv("KENNISAGENDA_RANK__SECTORS", "3")
    assert load_settings(path).rank.sectors == 3.0
    assert Settings().rank.sectors == 3.0 and Settings().rank.roles == 0.5  # the file was not made global


def test_kennisagenda_toml_in_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kennisagenda.toml").write_text('title = "Agenda X"\n', encoding="utf-8")
    assert Settings().title == "Agenda X"


def test_missing_settings_file_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="instellingenbestand"):
        load_settings(tmp_path / "nope.toml")


def test_fingerprint_follows_weights_not_paths(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    a, b = Settings(), Settings(db_path=tmp_path / "other.duckdb")
    assert a.fingerprint() == b.fingerprint()
    monkeypatch.setenv("KENNISAGENDA_RANK__SECTORS", "2")
    assert Settings().fingerprint() != a.fingerprint()
