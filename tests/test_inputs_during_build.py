"""Inputs that change, vanish or go missing during a build (issue 12, kinds 1-3): a file saved
mid-build is read again (or rejected with a reason), never silently dropped; a vanished file is
one rejection; no inputs, or far fewer than last time, make no version."""

import hashlib

import pytest

import tests.conftest as conftest
from agenda import pipeline
from agenda.ingest import read_file
from agenda.store import Store
from tests.conftest import build_without_prefect

QUESTIONS = [
    "Hoe richt je een leerplein in voor groep 5 tot en met 8?",
    "Welke rol speelt de intern begeleider bij adaptieve software?",
    "Hoe meet je de leerwinst van gepersonaliseerde rekenprogramma's?",
    "Wat vraagt gepersonaliseerd leren van het rooster in het voortgezet onderwijs?",
]


def meeting(question: str, n: int) -> str:
    return f"---\ntitle: Bijeenkomst {n}\ndate: 2022-0{n + 1}-10\n---\n## Kennisvragen\n- {question}\n"


@pytest.fixture()
def small_inputs(tmp_path):
    inputs = tmp_path / "inputs" / "meetings"
    inputs.mkdir(parents=True)
    for n, q in enumerate(QUESTIONS):
        (inputs / f"verslag-{n}.md").write_text(meeting(q, n), encoding="utf-8")
    return tmp_path / "inputs", tmp_path / "out" / "k.duckdb", tmp_path / "out"


def _texts(db):
    with Store(db, read_only=True) as store:
        agenda = store.version()
    return {m.text for i in agenda.items for m in i.mentions}


def test_a_file_saved_between_hashing_and_reading_is_read_again_not_dropped(small_inputs, monkeypatch):
    inputs, db, out = small_inputs
    target = inputs / "meetings/verslag-1.md"
    extra = "Hoe betrekken we ouders bij het gebruik van leerlingdashboards thuis?"
    import agenda.ingest.safety as safety

    original, saved = safety.check_file_size, []

    def secretary_saves(path, limits):
        if path.name == target.name and not saved:  # the first read of that file: it is saved right now
            saved.append(True)
            target.write_text(meeting(QUESTIONS[1], 1) + f"- {extra}\n", encoding="utf-8")
        return original(path, limits)

    monkeypatch.setattr(safety, "check_file_size", secretary_saves)
    build_without_prefect(inputs, db, out)
    assert saved
    assert _texts(db) == {*QUESTIONS, extra}  # nothing silently inactive
    with Store(db, read_only=True) as store:
        [src] = [s for s in store.sources() if s.path == "meetings/verslag-1.md"]
    assert src.content_hash == hashlib.sha256(target.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["verslag.md", "peiling.csv"])
def test_a_save_that_stat_cannot_see_never_files_one_saves_questions_under_anothers_hash(tmp_path, monkeypatch, name):
    """A share's cached attributes (CIFS/NFS, about a second) or a coarse clock (FAT, 2 s) show the
    same size and times before and after a save: the file was hashed, saved, then parsed, and the
    source stored the new questions under the old bytes' id. A later build finds that id stored and
    never reads the file again."""
    import agenda.ingest as ingest

    old, new = QUESTIONS[0], QUESTIONS[1]

    def content(question):
        return meeting(question, 1) if name.endswith(".md") else f"sector;kennisvraag\npo;{question}\n"

    target = tmp_path / name
    target.write_text(content(old), encoding="utf-8")
    monkeypatch.setattr(ingest, "_stat_key", lambda path: (1, 2, 3, 4))
    hash_of, saved = ingest.input_digest, []

    def hashed_then_saved(path):
        digest = hash_of(path)
        if not saved:
            saved.append(True)
            target.write_text(content(new), encoding="utf-8")
        return digest

    monkeypatch.setattr(ingest, "input_digest", hashed_then_saved)
    result = read_file(target, tmp_path)
    assert saved and {m.text for m in result.mentions} == {new}
    assert result.source.content_hash == hashlib.sha256(target.read_bytes()).hexdigest()


def test_a_file_that_keeps_changing_is_rejected_with_a_reason(small_inputs, monkeypatch):
    inputs, *_ = small_inputs
    target = inputs / "meetings/verslag-2.md"
    import agenda.ingest.safety as safety

    original, n = safety.check_file_size, [0]

    def always_saving(path, limits):
        n[0] += 1
        target.write_text(meeting(QUESTIONS[2], 2) + f"<!-- {n[0]} -->\n", encoding="utf-8")
        return original(path, limits)

    monkeypatch.setattr(safety, "check_file_size", always_saving)
    result = read_file(target, inputs)
    assert result.source is None and "gewijzigd tijdens het lezen" in result.rejection.reason


def test_a_file_that_disappears_is_one_rejection_and_the_rest_goes_on(small_inputs, monkeypatch):
    inputs, db, out = small_inputs
    gone = inputs / "meetings/verslag-3.md"
    discover = conftest.discover

    def discover_then_delete(*args, **kwargs):
        found = discover(*args, **kwargs)
        gone.unlink()  # the share lost it between listing and reading
        return found

    monkeypatch.setattr(conftest, "discover", discover_then_delete)
    build_without_prefect(inputs, db, out)
    with Store(db, read_only=True) as store:
        rejected = {r.file: r.reason for r in store.rejected()}
    assert rejected == {"meetings/verslag-3.md": "verdwenen tijdens het lezen"}
    assert _texts(db) == set(QUESTIONS[:3])


def test_a_file_deleted_while_it_is_read_is_rejected(small_inputs, monkeypatch):
    inputs, *_ = small_inputs
    target = inputs / "meetings/verslag-0.md"
    import agenda.ingest.safety as safety

    original = safety.check_file_size

    def delete_first(path, limits):
        path.unlink()
        return original(path, limits)

    monkeypatch.setattr(safety, "check_file_size", delete_first)
    assert read_file(target, inputs).rejection.reason == "verdwenen tijdens het lezen"


def test_an_empty_inputs_folder_makes_no_version(tmp_path):
    (tmp_path / "inputs").mkdir()
    with pytest.raises(pipeline.InputsShrunk, match="geen bruikbare invoerbestanden"):
        build_without_prefect(tmp_path / "inputs", tmp_path / "k.duckdb", tmp_path)
    with Store(tmp_path / "k.duckdb", read_only=True) as store:
        assert store.versions() == []
        assert store.con.execute("SELECT status FROM builds").fetchall() == [("failed",)]


def test_losing_more_than_half_of_the_sources_needs_allow_shrink(small_inputs):
    inputs, db, out = small_inputs
    first, _ = build_without_prefect(inputs, db, out)
    for n in (1, 2, 3):
        (inputs / f"meetings/verslag-{n}.md").unlink()
    with pytest.raises(pipeline.InputsShrunk, match="1 bronnen, minder dan de helft van de 4 van versie"):
        build_without_prefect(inputs, db, out)
    with Store(db, read_only=True) as store:
        assert [v["label"] for v in store.versions()] == [first.label]
        assert len(store.sources()) == 4  # nothing was marked inactive by the refused build
    again, _ = build_without_prefect(inputs, db, out, allow_shrink=True)
    assert again.is_new and again.n_sources == 1


def test_a_folder_that_gave_sources_and_now_gives_none_needs_allow_shrink(small_inputs):
    """An unmounted share's mount point is an empty folder: surveys/ gone took 44 of the sample's 112
    formulations (2 of 16 files, so no 'half the sources' refusal) and published a 29-question
    agenda as the new latest, exit 0."""
    inputs, db, out = small_inputs
    surveys = inputs / "surveys"
    surveys.mkdir()
    (surveys / "peiling.csv").write_text("sector;kennisvraag\npo;Hoe plannen we de inzet van chromebooks?\n",
                                         encoding="utf-8")
    first, _ = build_without_prefect(inputs, db, out)
    (surveys / "peiling.csv").unlink()  # the folder is still there, empty: the share is not mounted
    with pytest.raises(pipeline.InputsShrunk, match=r"^geen bronnen meer uit surveys/ \(1 bron\(nen\) in versie "
                       r"2026-Q\d\) in .*inputs \(is die \(netwerk\)map gekoppeld\?\): geen nieuwe versie gemaakt"):
        build_without_prefect(inputs, db, out)
    with Store(db, read_only=True) as store:
        assert [v["label"] for v in store.versions()] == [first.label]
    again, _ = build_without_prefect(inputs, db, out, allow_shrink=True)
    assert again.is_new and again.n_sources == 4
    (inputs / "meetings" / "verslag-0.md").unlink()  # fewer files in a folder that is there: no refusal
    assert build_without_prefect(inputs, db, out)[0].n_sources == 3


def test_every_file_rejected_makes_no_version_and_lists_the_reasons(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "leeg.md").write_bytes(b"")
    with pytest.raises(pipeline.InputsShrunk, match="1 bestand"):
        build_without_prefect(inputs, tmp_path / "k.duckdb", tmp_path)
    with Store(tmp_path / "k.duckdb", read_only=True) as store:
        assert store.versions() == [] and [r.file for r in store.rejected()] == ["leeg.md"]


def test_a_folder_that_cannot_be_listed_is_reported_not_skipped(small_inputs, monkeypatch):
    import os

    from agenda.ingest import discover

    inputs, *_ = small_inputs
    (inputs / "afgeschermd").mkdir()
    scandir = os.scandir

    def no_access(path="."):
        if str(path).endswith("afgeschermd"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", no_access)
    files, rejections = discover(inputs)
    assert len(files) == 4
    assert [(r.file, r.reason.split(" (")[0]) for r in rejections] == [("afgeschermd", "map kan niet worden gelezen")]


def test_a_pipe_put_in_a_files_place_is_rejected_not_waited_on(small_inputs):
    """A FIFO (or device) where a listed file was: opening it for reading would block the
    build forever; it is one rejection and the rest is read."""
    import os
    import threading

    inputs, _, _ = small_inputs
    files = sorted((inputs / "meetings").glob("*.md"))
    os.unlink(files[0])
    os.mkfifo(files[0])
    done: list[pipeline.BatchRead] = []
    reader = threading.Thread(target=lambda: done.append(pipeline.read_batch([str(f) for f in files], inputs, set())),
                              daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert done, "read_batch blocked on the pipe"
    rejected = {r.rejection.file: r.rejection.reason for r in done[0].results if r.rejection}
    assert list(rejected) == ["meetings/verslag-0.md"] and "geen gewoon bestand" in rejected["meetings/verslag-0.md"]
    assert sum(r.source is not None for r in done[0].results) == 3


@pytest.mark.parametrize(("limit_mb", "expected"), [
    (0.0001, "bestand is te groot (3,0 MB; de grens is 105 bytes)"),  # it read "0.0 MB"
    (0.5, "de grens is 512 kB"),
    (2, "de grens is 2,0 MB"),
])
def test_a_size_limit_is_said_in_units_a_reader_can_compare(tmp_path, limit_mb, expected):
    from agenda.ingest.common import IngestError
    from agenda.ingest.safety import check_file_size
    from agenda.settings import Limits

    path = tmp_path / "groot.md"
    path.write_bytes(b"x" * (3 * 1024 * 1024))
    with pytest.raises(IngestError) as info:
        check_file_size(path, Limits(max_file_mb=limit_mb))
    assert expected in info.value.reason


def test_a_first_build_without_questions_makes_no_version(tmp_path):
    inputs = tmp_path / "inputs"
    (inputs / "meetings").mkdir(parents=True)
    (inputs / "meetings" / "verslag.md").write_text(
        "---\ntitle: Verslag\n---\n## Opening\nWie maakt de notulen? De voorzitter.\n", encoding="utf-8")
    with pytest.raises(pipeline.InputsShrunk, match=r"^de 1 bestand\(en\) in .* geven samen geen enkele vraag") as exc:
        build_without_prefect(inputs, tmp_path / "k.duckdb", tmp_path / "out")
    assert "meetings/verslag.md" in str(exc.value) and "kandidaat" in str(exc.value)
    with Store(tmp_path / "k.duckdb", read_only=True) as store:
        assert store.versions() == []
        assert store.con.execute("SELECT status FROM builds").fetchall() == [("failed",)]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("kennisagenda-*"))
    # once a question is there, the build goes on (sources stored by the refused build are not needed)
    (inputs / "meetings" / "vragen.md").write_text(
        "---\ntitle: Vragen\n---\n## Kennisvragen\n- Hoe richt je een leerplein in voor groep 5 tot en met 8?\n",
        encoding="utf-8")
    outcome, _ = build_without_prefect(inputs, tmp_path / "k.duckdb", tmp_path / "out")
    assert outcome.is_new and outcome.n_items >= 1
    # a later build with no question is no first build: the shrink rules apply, not this one
