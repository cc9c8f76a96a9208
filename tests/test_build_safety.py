"""A whole build over good and hostile files (issue 6): per-file failures, literal output,
formula-safe exports, bounded memory, concurrent builds and a build killed half-way."""

import csv
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import docx
import openpyxl
import pytest

from agenda.store import Store, build_lock
from tests.conftest import ROOT, build_without_prefect
from tests.hostile import make_hostile

TRICKY = textwrap.dedent("""\
    ---
    title: Bijeenkomst met lastige tekens
    date: 2022-03-01
    kind: meeting
    ---
    ## Kennisvragen
    - Wat betekent {{ 7*7 }} voor de rekenles van groep 5?
    - Hoe gaan we om met <script>alert(1)</script> in werkstukken van leerlingen?
    - =SOM(A1:A3) als antwoord in een digitale toets, hoe beoordeel je dat?
    """)


def _run_build_subprocess(inputs, db, out, code=""):
    """Run a build in a fresh interpreter; returns (returncode, peak RSS in MiB, stderr)."""
    script = "\n".join([
        "import resource, sys",
        "from pathlib import Path",
        f"sys.path.insert(0, {str(ROOT)!r})",
        code,
        "from tests.conftest import build_without_prefect",
        f"build_without_prefect(Path({str(inputs)!r}), Path({str(db)!r}), Path({str(out)!r}))",
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)",
    ])
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, cwd=ROOT)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, int(lines[-1]) if proc.returncode == 0 else None, proc.stderr


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    expected = make_hostile.build(base)
    inputs = base / "inputs"
    shutil.copy(ROOT / "inputs/meetings/2021-06-23-derde-bijeenkomst.md", inputs / "meetings")
    (inputs / "meetings/lastige-tekens.md").write_text(TRICKY, encoding="utf-8")
    db, out = base / "out/k.duckdb", base / "out"
    code, peak_mib, stderr = _run_build_subprocess(inputs, db, out)
    assert code == 0, stderr[-3000:]
    return base, expected, db, out, peak_mib


def test_every_bad_file_is_listed_and_every_good_question_is_on_the_agenda(hostile_build):
    base, expected, db, out, _ = hostile_build
    with Store(db, read_only=True) as store:
        agenda = store.version()
        rejected = {r.file: r.reason for r in store.rejected()}
    for rel, outcome in expected.items():
        if outcome == "ok":
            assert rel not in rejected, f"{rel} should be read: {rejected.get(rel)}"
        else:
            assert rel in rejected, f"{rel} should be rejected ({outcome})"
    texts = {m.text for item in agenda.items for m in item.mentions}
    assert "Welke competenties moeten de leerkrachten hebben om gepersonaliseerd leren te laten slagen?" in texts
    assert "Wat betekent {{ 7*7 }} voor de rekenles van groep 5?" in texts
    assert {r.file for r in agenda.rejected} == set(rejected)


def test_peak_memory_of_a_hostile_build_stays_under_1_gib(hostile_build):
    *_, peak_mib = hostile_build
    assert peak_mib < 1024


def test_nothing_secret_leaks_and_template_syntax_stays_literal(hostile_build):
    base, _, _, out, _ = hostile_build
    docx_path = next(out.glob("kennisagenda-*.docx"))
    document = docx.Document(docx_path)
    body = "\n".join(p.text for p in document.paragraphs)
    body += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "{{ 7*7 }}" in body and "<script>alert(1)</script>" in body and "49" not in body.split("{{ 7*7 }}")[0][-3:]
    md = next(out.glob("kennisagenda-*.md")).read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in md and "Wat betekent 49" not in md
    assert "<script>alert(1)</script>" not in md or "&lt;script&gt;" in md or "`<script>" in md
    for path in out.iterdir():
        if path.suffix in (".docx", ".md", ".csv", ".json", ".xlsx"):
            data = path.read_bytes()
            assert make_hostile.SECRET.encode() not in data, path.name
    assert not (base / "pwned").exists() and not os.path.exists("/tmp/pwned")


def test_csv_export_is_formula_safe(hostile_build):
    _, _, _, out, _ = hostile_build
    with next(out.glob("kennisagenda-*.csv")).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    cells = [c for row in rows for c in row]
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    # Every formulation (not only each question's lead, which dedupe chooses) is in the workbook:
    # there the formula text must be a string cell, never a formula.
    book = openpyxl.load_workbook(next(out.glob("kennisagenda-*.xlsx")))
    texts = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    som = [c for c in texts if "SOM(A1:A3)" in c.value]
    assert som and all(c.data_type == "s" for c in som)
    assert not any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    data = json.loads(next(out.glob("kennisagenda-*.json")).read_text(encoding="utf-8"))
    assert any(m["text"].startswith("=SOM") for i in data["items"] for m in i["mentions"])  # JSON keeps data as data


def test_a_second_build_while_one_runs_exits_3_without_traceback(tmp_path):
    db = tmp_path / "k.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from agenda.store import build_lock; from pathlib import Path\n"
         f"with build_lock(Path({str(db)!r})):\n print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = subprocess.run([sys.executable, "-m", "agenda.cli", "build", "--inputs", str(ROOT / "inputs"),
                               "--db", str(db), "--out", str(tmp_path)],
                              capture_output=True, text=True, timeout=120, env=env)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 3
    assert "al gebruikt door een andere build" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    with build_lock(db, timeout=1):  # free again once the holder is gone
        pass


def test_a_build_killed_during_publish_loses_no_version(tmp_path, sample_build):
    inputs = tmp_path / "inputs"
    shutil.copytree(sample_build[0], inputs)
    out = tmp_path / "out"
    shutil.copytree(sample_build[2], out)  # the sample corpus built once for the session: database and report
    db, first = out / sample_build[1].name, sample_build[3]
    paths = [out / Path(p).name for p in sample_build[4]]
    (inputs / "meetings/2022-09-01-extra.md").write_text(
        "---\ntitle: Extra bijeenkomst\ndate: 2022-09-01\n---\n## Kennisvragen\n"
        "- Hoe betrekken we ouders bij het gebruik van leerlingdashboards thuis?\n", encoding="utf-8")
    die_in_publish = textwrap.dedent("""
        import os, signal
        from pathlib import Path
        import agenda.report
        def dying(agenda, out_dir, **kw):
            Path(out_dir, "kennisagenda-half.docx.tmp").write_bytes(b"PK half")
            os.kill(os.getpid(), signal.SIGKILL)
        agenda.report.write_outputs = dying
        """)
    code, _, _ = _run_build_subprocess(inputs, db, out, code=die_in_publish)
    assert code == -9
    with Store(db, read_only=True) as store:
        assert store.version(first.label) is not None
    assert docx.Document(paths[0]).core_properties.version == first.label  # the earlier report is intact
    again, again_paths = build_without_prefect(inputs, db, out)
    assert docx.Document(again_paths[0]).core_properties.version == again.label
    with Store(db, read_only=True) as store:
        labels = [v["label"] for v in store.versions()]
    assert labels[0] == first.label and again.label in labels and len(labels) == 2
