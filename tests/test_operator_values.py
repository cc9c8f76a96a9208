"""Operator values are refused before anything runs (issue 12, kinds 4-5): settings, labels and
curation.yaml give one Dutch line naming the file, the key and why; curation.yaml is read with
the same guards as every input, and large decision groups cost linear time and memory."""

import tracemalloc

import pytest

from agenda.dedupe.curation import CURATION_MAX_NODES, CurationError, load_curation
from agenda.dedupe.review import Decisions
from agenda.models import Cluster, Curation
from agenda.settings import SettingsError, load_settings
from agenda.store import Store
from agenda.versions import check_label, label_taken
from tests.conftest import build_without_prefect


@pytest.mark.parametrize(("toml", "key", "reason"), [
    ("[limits]\nmax_file_mb = -1\n", "limits.max_file_mb", "groter zijn dan 0"),
    ("[rank]\nsectors = nan\n", "rank.sectors", "geen nan of inf"),
    ("[rank]\nsources = inf\n", "rank.sources", "geen nan of inf"),
    ("[rank]\nroles = -0.5\n", "rank.roles", "minstens 0"),
    ("[rank]\nrecency_half_life_days = -1\n", "rank.recency_half_life_days", "minstens 1"),
    ("lock_timeout_seconds = -5\n", "lock_timeout_seconds", "minstens 0"),
    ("lock_timout_seconds = 30\n", "lock_timout_seconds", "onbekende instelling"),
    ("[rank]\nsectorz = 2\n", "rank.sectorz", "onbekende instelling"),
    ("[limits]\nmax_rows = 1.5\n", "limits.max_rows", "geheel getal"),
    # TOML has real booleans and numbers: a quoted one is refused, not coerced ("yes" read as true)
    ('allow_shrink = "yes"\n', "allow_shrink", "true of false zijn (zonder aanhalingstekens)"),
    ('[limits]\nmax_file_mb = "25"\n', "limits.max_file_mb", "getal zijn (zonder aanhalingstekens)"),
    ("lock_timeout_seconds = true\n", "lock_timeout_seconds", "getal zijn"),
    ('[rank]\nrecency_half_life_days = "30"\n', "rank.recency_half_life_days", "getal zijn"),
    # finite but huge: every score was infinite, stored as null, and every later build and `show` failed
    ("[rank]\nsources = 1e308\n", "rank.sources", "hooguit 1000"),
    # issue 21 (held out): settings travel as Prefect flow-run parameters (refused over 512 KB): a 660 KB
    # title stopped the build after reading and embedding with "HTTP 422"; refused before anything runs
    ('title = "' + "Titel " * 110_000 + '"\n', "title", "te lang: hooguit 500 tekens"),
    ("expected_roles = [" + ", ".join(f'"rol {n}"' for n in range(600)) + "]\n", "expected_roles",
     "te veel onderdelen: hooguit 500"),
])
def test_bad_settings_name_the_file_the_key_and_why(tmp_path, toml, key, reason):
    path = tmp_path / "instellingen.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"{path}: instelling '{key}'") and reason in message and "\n" not in message


def test_broken_toml_is_one_dutch_line(tmp_path):
    path = tmp_path / "instellingen.toml"
    path.write_text("title = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="geen geldige TOML"):
        load_settings(path)


@pytest.mark.parametrize("label", ["2026 Q4", "x" * 300, "../2026-Q4", "2026-Q4.", "-2026", "2026/Q4", "", "Ë"])
def test_unsafe_labels_are_refused(label):
    with pytest.raises(ValueError, match="ongeldig versielabel"):
        check_label(label)


def test_labels_are_unique_as_file_names():
    assert check_label("2026-Q4-extra") == "2026-Q4-extra" and check_label("2026.10") == "2026.10"
    assert label_taken("2026-q4", ["2026-Q3", "2026-Q4"]) == "2026-Q4"  # case-insensitive file systems
    assert label_taken("2026-Q4", ["2026 Q4"]) == "2026 Q4"  # a label stored before the rule
    assert label_taken("2026-Q4.2", ["2026-Q4"]) is None


def test_a_label_that_would_overwrite_another_versions_files_is_refused(sample_build, tmp_path):
    import shutil

    inputs, db, _, outcome, _ = sample_build
    copy = tmp_path / "k.duckdb"
    shutil.copy(db, copy)
    with pytest.raises(ValueError, match=f"overschrijven|{outcome.label} bestaat al"):
        build_without_prefect(inputs, copy, tmp_path, label=outcome.label.lower())


def test_priority_nan_in_curation_names_the_file_and_key(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text("merge: []\npriority:\n  Q-abc123: .nan\n", encoding="utf-8")
    with pytest.raises(CurationError) as info:
        load_curation(path)
    r = info.value.rejection
    assert r.file == "curation.yaml" and r.line == 2
    assert "priority.Q-abc123" in r.reason and "geen nan of inf" in r.reason


@pytest.mark.parametrize(("value", "reason"), [("1e308", "hooguit 1000"), ("-2", "minstens 0")])
def test_a_huge_or_negative_priority_is_refused(tmp_path, value, reason):
    """priority: 1e308 is finite, but the score it gives is not: the version stored it as null and
    every later build and `show` failed reading it back."""
    path = tmp_path / "curation.yaml"
    path.write_text(f"merge: []\npriority:\n  Q-abc123: {value}\n", encoding="utf-8")
    with pytest.raises(CurationError) as info:
        load_curation(path)
    r = info.value.rejection
    assert r.line == 2 and "priority.Q-abc123" in r.reason and reason in r.reason


def test_an_infinite_score_makes_no_version(tmp_path, monkeypatch):
    """Whatever overflows (a weight, a priority, a future signal), no version with a score that
    reads back as null is stored."""
    from agenda import pipeline

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "verslag.md").write_text("---\ntitle: Verslag\ndate: 2022-01-10\n---\n## Kennisvragen\n"
                                       "- Hoe richt je een leerplein in voor groep 5 tot en met 8?\n", encoding="utf-8")
    rank = pipeline.rank_clusters

    def overflowing(*args, **kwargs):
        items = rank(*args, **kwargs)
        items[0].score = float("inf")
        return items

    monkeypatch.setattr(pipeline, "rank_clusters", overflowing)
    with pytest.raises(ValueError, match="^de score van vraag Q-.* is geen gewoon getal \\(inf\\): verlaag"):
        build_without_prefect(inputs, tmp_path / "k.duckdb", tmp_path / "out")
    with Store(tmp_path / "k.duckdb", read_only=True) as store:
        assert store.versions() == []


def test_curation_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    ids = "\n".join(f"- &a{i} Q-{i:06x}" for i in range(100))
    refs = "\n".join(f"  - [{', '.join(f'*a{i}' for _ in range(1000))}]" for i in range(100))
    path = tmp_path / "curation.yaml"
    path.write_text(f"reviewed_by:\n{ids}\nmerge:\n{refs}\n", encoding="utf-8")
    with pytest.raises(CurationError) as info:
        load_curation(path)
    assert "verwijzingen (aliassen)" in info.value.rejection.reason and info.value.rejection.line


def test_deeply_nested_curation_is_refused(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text("merge: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(CurationError, match="te diep genest"):
        load_curation(path)


def test_a_distinct_group_of_thousands_of_ids_costs_linear_memory():
    """The review queue's index of decided pairs (Decisions) for a `distinct` group of 3,000 ids."""
    group = [f"Q-{i:06x}" for i in range(3000)]
    clusters = [Cluster(id=c, question="Vraag?", mention_ids=["M-" + c[2:]]) for c in [*group, "Q-aaaaaa", "Q-bbbbbb"]]
    curation = Curation(distinct=[group, ["Q-aaaaaa", "Q-bbbbbb"]])
    tracemalloc.start()
    decided = Decisions.resolve(curation, clusters, {})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024  # 4.5 million pairs as frozensets took > 1 GiB
    assert decided.decided("Q-000001", "Q-000bb7") and decided.decided("Q-aaaaaa", "Q-bbbbbb")
    assert not decided.decided("Q-000001", "Q-aaaaaa") and not decided.decided("Q-000001", "Q-ffffff")

def _no_pure_python_yaml(monkeypatch):
    """PyYAML's pure-Python reader reads ~70 KB/s (a 5 MB curation.yaml: 74 s per load, twice per build)."""
    import yaml.reader

    def slow(*args, **kwargs):
        raise AssertionError("a large YAML file went through the pure-Python parser")

    monkeypatch.setattr(yaml.reader.Reader, "__init__", slow)


@pytest.mark.parametrize("kind", ["long-text", "many-keys", "long-merge"])
def test_a_large_curation_file_is_read_or_refused_without_the_slow_parser(tmp_path, monkeypatch, kind):
    path = tmp_path / "curation.yaml"
    if kind == "long-text":
        path.write_text("rename:\n  Q-abc123: '" + "lang " * 400_000 + "'\n", encoding="utf-8")
    elif kind == "many-keys":  # two nodes a rename: just over the node limit
        keys = CURATION_MAX_NODES // 2 + 10_000
        path.write_text("rename:\n" + "".join(f"  Q-{i:06x}: vraag\n" for i in range(keys)), encoding="utf-8")
    else:  # one node an id
        ids = CURATION_MAX_NODES + 10_000
        path.write_text("merge:\n  - [" + ", ".join(f"Q-{i:06x}" for i in range(ids)) + "]\n", encoding="utf-8")
    _no_pure_python_yaml(monkeypatch)
    if kind == "long-text":
        assert len(load_curation(path).rename["Q-abc123"]) == 2_000_000
    else:
        with pytest.raises(CurationError, match="te groot"):
            load_curation(path)


def test_a_key_twice_in_curation_is_refused_not_half_dropped(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text("priority:\n  Q-aaaaaa: 2\nmerge: []\npriority:\n  Q-bbbbbb: 3\n", encoding="utf-8")
    with pytest.raises(CurationError) as info:
        load_curation(path)
    assert info.value.rejection.line == 4 and "'priority' staat twee keer" in info.value.rejection.reason


def test_a_settings_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad's 'UTF-8 met BOM': tomllib refused it with 'Invalid statement (at line 1, column 1)'."""
    path = tmp_path / "instellingen.toml"
    path.write_bytes("\ufefflock_timeout_seconds = 30\n[rank]\nsectors = 2\n".encode("utf-8"))
    settings = load_settings(path)
    assert settings.lock_timeout_seconds == 30 and settings.rank.sectors == 2
    path.write_bytes("\ufeff[rank]\nsectorz = 2\n".encode("utf-8"))
    with pytest.raises(SettingsError, match="rank.sectorz"):
        load_settings(path)


@pytest.mark.parametrize(("yaml_text", "line", "reason"), [
    ("rename:\n  Q-abc123: '  '\n", 1, "de nieuwe formulering van Q-abc123 is leeg"),  # an empty agenda heading
    ("merge: []\nmerje:\n  - [Q-1, Q-2]\n", 2, "onbekend soort besluit (typefout? bekend zijn: merge,"),
    ("exclude:\n  - Q-abc123\n", 2, "moet een tabel zijn (sleutel: waarde)"),  # YAML, not TOML's [sectie]
])
def test_curation_mistakes_are_named_in_the_curators_terms(tmp_path, yaml_text, line, reason):
    path = tmp_path / "curation.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(CurationError) as info:
        load_curation(path)
    assert info.value.rejection.line == line and reason in info.value.rejection.reason


def test_a_misspelt_environment_variable_is_refused_not_ignored(tmp_path, monkeypatch):
    """pydantic-settings ignores KENNISAGENDA_* names that are no setting: a scheduled build with
    KENNISAGENDA_LOCK_TIMEOUT=900 ran with the default 0 s without a word."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KENNISAGENDA_LOCK_TIMEOUT", "900")
    with pytest.raises(SettingsError, match="^omgevingsvariabele KENNISAGENDA_LOCK_TIMEOUT: onbekende instelling"):
        load_settings()
    monkeypatch.delenv("KENNISAGENDA_LOCK_TIMEOUT")
    for name, value in (("KENNISAGENDA_LOCK_TIMEOUT_SECONDS", "900"), ("KENNISAGENDA_RANK__SECTORS", "2"),
                        ("KENNISAGENDA_DEBUG", "1"), ("KENNISAGENDA_READ_THREADS", "2")):
        monkeypatch.setenv(name, value)  # settings, and the variables read elsewhere
    assert load_settings().lock_timeout_seconds == 900


def test_a_settings_file_that_is_missing_or_a_folder_is_said_so(tmp_path, monkeypatch):
    """$KENNISAGENDA_SETTINGS_FILE on a share that is not mounted gave the default settings silently."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KENNISAGENDA_SETTINGS_FILE", str(tmp_path / "share" / "kennisagenda.toml"))
    with pytest.raises(FileNotFoundError, match="niet gevonden: .*kennisagenda.toml \\(KENNISAGENDA_SETTINGS_FILE\\)"):
        load_settings()
    monkeypatch.setenv("KENNISAGENDA_SETTINGS_FILE", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="is een map, geen bestand"):
        load_settings()
    monkeypatch.delenv("KENNISAGENDA_SETTINGS_FILE")
    with pytest.raises(FileNotFoundError, match="is een map, geen bestand"):
        load_settings(tmp_path)


def test_a_library_error_of_many_lines_is_one_line_on_the_console(capsys):
    import typer

    from agenda.cli import fail

    with pytest.raises(typer.Exit):
        fail("20 validation errors for Agenda\nitems.0.score\n  Input should be a valid number")
    assert capsys.readouterr().err.strip() == "fout: 20 validation errors for Agenda (…)"
