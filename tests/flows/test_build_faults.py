"""Faults an unattended quarterly build meets, through Prefect (issue 12, kinds 1, 6 and 7): a
file saved mid-build, a reader holding the database, SIGKILL and SIGTERM of `kennisagenda build`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from agenda.store import Store, build_lock
from agenda.supervise import group_members
from flows.build import build_agenda
from flows.gather import BATCH_MAX, batches
from tests.conftest import ROOT

QUESTIONS = [
    "Hoe richt je een leerplein in voor groep 5 tot en met 8?",
    "Welke rol speelt de intern begeleider bij adaptieve software?",
    "Hoe meet je de leerwinst van gepersonaliseerde rekenprogramma's?",
]


def _meeting(question: str, n: int, extra: str = "") -> str:
    return f"---\ntitle: Bijeenkomst {n}\ndate: 2022-0{n + 1}-10\n---\n## Kennisvragen\n- {question}\n{extra}"


def _inputs(base):
    inputs = base / "inputs"
    inputs.mkdir(parents=True)
    for n, q in enumerate(QUESTIONS):
        (inputs / f"verslag-{n}.md").write_text(_meeting(q, n), encoding="utf-8")
    return inputs


def _texts(db) -> set[str]:
    with Store(db, read_only=True) as store:
        return {m.text for i in store.version().items for m in i.mentions}


def test_files_are_read_in_batches():
    files = [f"f{i}.md" for i in range(5000)]
    parts = batches(files)
    assert sum(map(len, parts)) == 5000 and max(map(len, parts)) <= BATCH_MAX and len(parts) == 25
    assert len(batches(files[:15])) == 8 and batches([]) == []


def test_batches_are_read_by_a_bounded_pool_of_threads(monkeypatch):
    """Prefect's thread pool is unbounded: 250 batches ran as 250 threads (50,000 files: 6 min
    of reading instead of 95 s, bench/build_scale.py)."""
    from flows import gather as gather_module

    assert gather_module.gather.task_runner._max_workers == gather_module.READ_THREADS <= 8
    monkeypatch.setenv("KENNISAGENDA_READ_THREADS", "12")
    assert gather_module._read_threads() == 12
    for bad in ("0", "-3", "veel", ""):
        monkeypatch.setenv("KENNISAGENDA_READ_THREADS", bad)
        assert 1 <= gather_module._read_threads() <= 8


def test_a_file_saved_mid_build_is_never_dropped_nor_cached_wrong_and_a_reader_is_waited_for(tmp_path, monkeypatch):
    inputs = _inputs(tmp_path)
    target = inputs / "verslag-1.md"
    original_text = target.read_text(encoding="utf-8")
    saved = "- Hoe betrekken we ouders bij het gebruik van leerlingdashboards thuis?\n"
    import agenda.ingest.safety as safety

    check, done = safety.check_file_size, []

    def secretary_saves(path, limits):
        if path.name == target.name and not done:
            done.append(True)
            target.write_text(original_text + saved, encoding="utf-8")
        return check(path, limits)

    with monkeypatch.context() as m:
        m.setattr(safety, "check_file_size", secretary_saves)
        first = build_agenda(inputs_dir=inputs, db_path=tmp_path / "a/k.duckdb", out_dir=tmp_path / "a")
    assert done and first["items"] == 4 and first["rejected"] == []
    assert _texts(tmp_path / "a/k.duckdb") == {*QUESTIONS, saved[2:].strip()}

    # the file is restored and built into a fresh database: no result from the first build comes back
    target.write_text(original_text, encoding="utf-8")
    db = tmp_path / "b/k.duckdb"
    second = build_agenda(inputs_dir=inputs, db_path=db, out_dir=tmp_path / "b")
    assert second["items"] == 3 and _texts(db) == set(QUESTIONS)

    # a reader (`kennisagenda show`, a notebook) holds the database for a while: the build waits
    (inputs / "verslag-9.md").write_text(_meeting("Welke privacyregels gelden voor het delen van leerlinggegevens met ouders?", 8), encoding="utf-8")
    (tmp_path / "s.toml").write_text("lock_timeout_seconds = 120\n", encoding="utf-8")
    reader = subprocess.Popen(
        [sys.executable, "-c", "import time; from agenda.store import Store\n"
         f"s = Store({str(db)!r}, read_only=True); print('open', flush=True); time.sleep(8); s.close()"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert reader.stdout.readline().strip() == "open"
        third = build_agenda(inputs_dir=inputs, db_path=db, out_dir=tmp_path / "b", settings_file=tmp_path / "s.toml")
    finally:
        reader.kill()
        reader.wait()
    assert third["new_version"] and third["items"] == 4


def test_decisions_are_read_once_as_the_build_starts(tmp_path, monkeypatch):
    """curation.yaml gone (a share's hiccup) or saved while the build runs: the clustering stage read
    it again and published a version without the curator's decisions, as the new latest."""
    import flows.build

    inputs = _inputs(tmp_path)
    decisions = inputs / "curation.yaml"
    decisions.write_text("reviewed_by: [Anna de Vries]\n", encoding="utf-8")
    embedder = flows.build.clustering_embedder

    def share_hiccup():  # after gather and the library, before clustering
        decisions.unlink()
        return embedder()

    monkeypatch.setattr(flows.build, "clustering_embedder", share_hiccup)
    db = tmp_path / "k.duckdb"
    build_agenda(inputs_dir=inputs, db_path=db, out_dir=tmp_path / "out")
    with Store(db, read_only=True) as store:
        assert store.version().settings["reviewed_by"] == ["Anna de Vries"]


def test_the_deployment_path_fails_the_run_with_one_dutch_line_and_makes_no_version(tmp_path):
    """The worker calls build_agenda with prefect.yaml's parameters, without the CLI's checks: an
    out_dir that was a file committed the version, then failed on publish with FileExistsError."""
    inputs = _inputs(tmp_path)
    (tmp_path / "outputs").write_text("geen map", encoding="utf-8")
    db = tmp_path / "db" / "k.duckdb"
    state = build_agenda(inputs_dir=inputs, db_path=db, out_dir=tmp_path / "outputs", return_state=True)
    assert state.is_failed()
    with pytest.raises(ValueError, match=r"^uitvoermap .*outputs is geen map maar een bestand; kies een map$"):
        state.result()
    assert not db.exists()  # no version, no half-built database

    empty = tmp_path / "leeg"
    empty.mkdir()
    state = build_agenda(inputs_dir=empty, db_path=db, out_dir=tmp_path / "uit", return_state=True)
    assert state.is_failed()
    with pytest.raises(ValueError, match="geen bruikbare invoerbestanden in .*leeg .*geen nieuwe versie gemaakt"):
        state.result()
    with Store(db, read_only=True) as store:
        assert store.versions() == []
    assert not list((tmp_path / "uit").iterdir())


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, pgid, command line), from /proc."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().decode(errors="replace").rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            out[int(entry)] = (int(fields[1]), int(fields[2]), cmd)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_build_leaves_no_prefect_server_behind(tmp_path, sig):
    inputs = _inputs(tmp_path)
    db = tmp_path / "out/k.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONPATH=str(ROOT))
    build = subprocess.Popen([sys.executable, "-m", "agenda.cli", "build", "--inputs", str(inputs), "--db", str(db),
                              "--out", str(tmp_path / "out")], env=env, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    group = None
    try:
        deadline = time.monotonic() + 240
        while group is None and time.monotonic() < deadline and build.poll() is None:
            procs = _processes()
            children = [pid for pid, (ppid, _, _) in procs.items() if ppid == build.pid]
            if children and any(pg == children[0] and "uvicorn" in cmd for _, pg, cmd in procs.values()):
                group = children[0]
            time.sleep(0.3)
        assert group is not None, f"no temporary Prefect server seen: {build.poll()} {build.stderr.read()[-2000:]}"
        time.sleep(2)
        build.send_signal(sig)
        _, stderr = build.communicate(timeout=120)
        deadline = time.monotonic() + 30
        while group_members(group) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert group_members(group) == [], "processes of the build outlived it"
        if sig == signal.SIGTERM:
            assert build.returncode == 128 + signal.SIGTERM
            assert "afgebroken (SIGTERM)" in stderr and "Traceback" not in stderr
        with build_lock(db, timeout=5):  # released
            pass
    finally:
        if build.poll() is None:
            build.kill()
        if group is not None:
            for pid in group_members(group):
                os.kill(pid, signal.SIGKILL)
