"""How long a whole `kennisagenda build` takes, and how much memory, for many small input files.

Generates N small Markdown meeting reports (one knowledge question each, drawn from the
questions of the shipped sample corpus in inputs/, so the clustering sees real Dutch text and
the run measures file handling rather than embedding speed; `--distinct` caps how many
different questions are used), then runs the real command, `kennisagenda build`, in a subprocess with its own
PREFECT_HOME: supervisor, temporary Prefect server, batched reading tasks, DuckDB, report.

Prints, per size: files, wall seconds, exit code, items/sources of the version, the peak
resident memory of the largest process of the build (RUSAGE_CHILDREN max RSS: the flow
process, the Prefect server or the supervisor, whichever was largest), and seconds per stage
from the timestamps of Prefect's log (`start` = command start to the inputs discovered,
including the temporary server's start-up; `read` = all reading batches; then each task).

Measured 2026-11-30 on 2 cores (another session's tests running beside it, load 2-5):
5,000 files 72 s, peak 769 MiB; 50,000 files 216 s, peak 1,306 MiB (start 40 s, read 94 s,
store 5 s, embed 18 s, cluster 21 s, rank and version 20 s, publish 9 s); 5,000 with --variants
(2,775 distinct texts) 155 s, peak 1,409 MiB (embedding 70 s). Before this session's fixes 5,000 files
did not finish in 11 min (report appendix tables quadratic in python-docx).

The quarterly job's second build (issue 21: the stored source ids once went to Prefect as a
parameter, over its 512 KB limit past ~32,000 files), measured 2026-12-03 on 2 cores with 6-8
other sessions' test suites beside it (load 11-15), `--sizes 50000 --second --keep` at commit
46e474c: first build 967 s, exit 0, peak 1,341 MiB (93 questions from 50,000 sources); second
build, one report added, 594 s, exit 0, peak 1,495 MiB (94 questions, 50,001 sources, "1 nieuw
gelezen", the new question the only change). Of the first build ~3 min went to the .xlsx export
(100,000 streamed rows, linear; `write_xlsx` alone on that version: 343 s under cProfile at load
~10), the "stall after the JSON" seen before: the build then finished normally.
Again at load 7-10 (`--sizes 50000 --second`, commit e739f3f, so with stages): first build 475 s,
exit 0, peak 1,353 MiB (start 75 s, read 106, store 18, library 2.5, embed 42, cluster 65,
evidence 0.4, rank+version 76, publish 83); second build 340 s, exit 0, peak 1,513 MiB (start 76,
read 15, store 4.9, library 2.3, embed 35, cluster 48, evidence 0.2, rank+version 55, publish 94):
reading skips the 50,000 stored files, the rest of the build is redone.

    .venv/bin/python bench/build_scale.py --sizes 5000            # ~1-2 min
    .venv/bin/python bench/build_scale.py --sizes 5000,50000      # ~5 min; 50,000 files under /tmp
    .venv/bin/python bench/build_scale.py --sizes 5000 --variants     # 2,775 distinct wordings
    .venv/bin/python bench/build_scale.py --sizes 50000 --second      # and the next quarter's build
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO


def sample_questions() -> list[str]:
    """The distinct knowledge questions of the shipped sample corpus (inputs/), as the readers find them."""
    from agenda.ingest import discover, read_file

    files, _ = discover(REPO / "inputs")
    found = {m.text for f in files for m in (read_file(f, REPO / "inputs").mentions or []) if not m.is_candidate}
    return sorted(q.replace("\n", " ") for q in found)


# How schools frame the same question differently (--variants): 5 x 5 wordings of each question.
OPENINGS = ("", "Wij vragen ons af: ", "Vanuit ons team: ", "Onze vraag is: ", "Graag willen we weten: ")
CLOSINGS = ("", " bij ons op school", " in onze regio", " in de dagelijkse praktijk", " volgens onderzoek")


def variant(question: str, i: int) -> str:
    """The i-th wording of a question: an opening and a closing phrase around it."""
    opening, closing = OPENINGS[i % 5], CLOSINGS[(i // 5) % 5]
    body = question.rstrip("?").rstrip()
    if opening:
        body = body[:1].lower() + body[1:]
    return f"{opening}{body}{closing}?"


def write_inputs(folder: Path, n: int, questions: list[str], variants: bool = False) -> None:
    for i in range(n):
        sub = folder / f"map-{i // 1000:03d}"  # like a share: folders of a thousand files
        sub.mkdir(parents=True, exist_ok=True)
        q = questions[i % len(questions)]
        if variants:
            q = variant(q, i // len(questions))
        (sub / f"verslag-{i:06d}.md").write_text(
            f"---\ntitle: Verslag {i}\ndate: 2022-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n---\n"
            f"## Kennisvragen\n- {q}\n", encoding="utf-8")


STAGES = (("discover-inputs", "start"), ("lees ", "read"), ("store-ingest", "store"), ("read-library", "library"),
          ("embed ", "embed"), ("cluster", "cluster"), ("match-evidence", "evidence"),
          ("rank-and-version", "rank+version"), ("publish", "publish"))


def stage_seconds(log: str, started: float) -> dict[str, float]:
    """Seconds per stage, from the 'HH:MM:SS.fff | ... Task run '<name>' - Finished' lines."""
    import datetime as dt

    ends: dict[str, float] = {}
    day = dt.datetime.fromtimestamp(started).date()
    for line in log.splitlines():
        if "Task run '" not in line or "Finished in state" not in line:
            continue
        name = line.split("Task run '", 1)[1]
        stage = next((label for prefix, label in STAGES if name.startswith(prefix)), None)
        if stage:
            t = dt.datetime.combine(day, dt.time.fromisoformat(line[:12])).timestamp()
            ends[stage] = max(ends.get(stage, t), t)
    out, last = {}, started
    for _, label in STAGES:
        if label in ends:
            out[label] = round(ends[label] - last, 1)
            last = ends[label]
    return out


def run_measured(cmd: list[str], **kw) -> tuple[subprocess.CompletedProcess, int]:
    """Run `cmd` through a small Python parent that reports its children's peak RSS (KiB), so each
    build gets its own peak (RUSAGE_CHILDREN of this process is the maximum over all builds)."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "sys.stderr.write('\\npeak-rss-kib=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
             "sys.exit(r.returncode)")
    done = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, **kw)
    marker = done.stderr.rsplit("peak-rss-kib=", 1)
    peak = int(marker[1].split()[0]) if len(marker) == 2 else 0
    return done, peak


def last_version(exe: str, db: Path) -> dict:
    """The newest version's row of `kennisagenda versions --format json` ({} when there is none)."""
    listed = subprocess.run([exe, "versions", "--db", str(db), "--format", "json"], capture_output=True, text=True).stdout
    found = json.loads(listed) if listed.strip().startswith("[") else []
    return found[-1] if found else {}


def run(n: int, distinct: int, keep: bool, variants: bool = False, second: bool = False) -> dict:
    questions = sample_questions()[:distinct]
    base = Path(tempfile.mkdtemp(prefix=f"ka-scale-{n}-"))
    try:
        write_inputs(base / "inputs", n, questions, variants)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(PREFECT_HOME=str(base / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
        # --verbose: Prefect's timestamped task lines, which the per-stage seconds are read from
        cmd = [str(Path(sys.executable).with_name("kennisagenda")), "build", "--verbose", "--inputs", str(base / "inputs"),
               "--db", str(base / "out/k.duckdb"), "--out", str(base / "out")]
        start, started = time.monotonic(), time.time()
        done, peak_kib = run_measured(cmd, env=env, cwd=base)
        wall = time.monotonic() - start
        peak_mib = peak_kib / 1024
        (base / "build.log").write_text(done.stdout + done.stderr, encoding="utf-8")  # Prefect's timestamped log
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
        last = last_version(cmd[0], base / "out/k.duckdb")
        texts = min(n, len(questions) * (25 if variants else 1))
        result = {"files": n, "distinct_questions": len(questions), "distinct_texts": texts, "seconds": round(wall, 1),
                  "exit": done.returncode, "items": last.get("n_items"), "sources": last.get("n_sources"),
                  "peak_rss_mib": round(peak_mib), "stages": stage_seconds(done.stdout + done.stderr, started)}
        if second and done.returncode == 0:
            # the quarterly job's next run: every file already stored, one new report added. Its
            # known source ids once went to Prefect as a parameter: past ~32,000 files over the
            # 512 KB limit, and every build after it failed
            (base / "inputs" / "nieuw").mkdir()
            (base / "inputs" / "nieuw" / "verslag-nieuw.md").write_text(
                "---\ntitle: Nieuw verslag\ndate: 2023-01-10\n---\n## Kennisvragen\n"
                "- Hoe houden we de kennisagenda elk kwartaal actueel?\n", encoding="utf-8")
            start, started = time.monotonic(), time.time()
            again, peak_kib = run_measured(cmd, env=env, cwd=base)
            seconds = round(time.monotonic() - start, 1)
            (base / "build2.log").write_text(again.stdout + again.stderr, encoding="utf-8")
            if again.returncode != 0:
                print(again.stderr[-3000:], file=sys.stderr)
            newest = last_version(cmd[0], base / "out/k.duckdb")
            result["second_build"] = {"seconds": seconds, "exit": again.returncode,
                                      "peak_rss_mib": round(peak_kib / 1024),
                                      "items": newest.get("n_items"), "sources": newest.get("n_sources"),
                                      "stages": stage_seconds(again.stdout + again.stderr, started)}
        return result
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000", help="comma-separated numbers of files")
    parser.add_argument("--distinct", type=int, default=1000, help="at most this many different questions")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument("--second", action="store_true",
                        help="then build again with one file added (the quarterly job's second run)")
    parser.add_argument("--variants", action="store_true",
                        help="word each question in up to 25 ways (distinct texts for the deduplication to merge)")
    args = parser.parse_args()
    os.chdir(REPO)
    for n in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(run(n, args.distinct, args.keep, args.variants, args.second)), flush=True)


if __name__ == "__main__":
    main()
