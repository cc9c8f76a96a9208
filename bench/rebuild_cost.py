"""What an unchanged rebuild costs next to a bare Prefect flow of two tasks, and that it writes nothing.

    python bench/rebuild_cost.py [--pairs 3] [--inputs inputs]

Builds the sample corpus once (``kennisagenda build`` into a temporary folder), then runs
``--pairs`` alternating pairs of (a) a bare Prefect flow of two trivial tasks and (b) the same
``kennisagenda build`` again, unchanged, each in its own process with the same Prefect settings
(a temporary PREFECT_HOME, ephemeral server). Per run: wall seconds, CPU seconds (user + system,
the run and its children, e.g. Prefect's temporary server) and peak RSS (MiB, the largest single
process). Prints the medians and the ratios (rebuild / bare), and whether the rebuild left every
file in the output folder (report, exports, database) with its modification time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BARE_FLOW = """
from prefect import flow, task

@task
def one(x: int) -> int:
    return x + 1

@task
def two(x: int) -> int:
    return x * 2

@flow(name="bare")
def bare() -> int:
    return two(one(1))

print(bare())
"""


def measure(cmd: list[str], env: dict) -> dict:
    """Run ``cmd`` in a child of a fresh process, so its rusage is its own (wall, cpu, peak)."""
    probe = ("import json, resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "w = time.perf_counter() - t\n"
             "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
             "print(json.dumps({'wall': w, 'cpu': r.ru_utime + r.ru_stime, 'peak_mib': r.ru_maxrss / 1024,"
             " 'rc': p.returncode, 'out': p.stdout[-2000:], 'err': p.stderr[-2000:]}))\n")
    p = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, env=env, cwd=REPO)
    return json.loads(p.stdout.strip().splitlines()[-1])


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file() and not p.name.endswith(".lock")}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--inputs", default=str(REPO / "inputs"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rebuild-cost-") as tmp:
        tmp = Path(tmp)
        inputs, out = tmp / "inputs", tmp / "out"
        shutil.copytree(args.inputs, inputs)
        env = dict(os.environ, PREFECT_HOME=str(tmp / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_LOGGING_EXTRA_LOGGERS="agenda", PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW="ignore",
                   PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        build = [sys.executable, "-m", "agenda.cli", "build", "--inputs", str(inputs), "--db",
                 str(out / "kennisagenda.duckdb"), "--out", str(out)]
        first = measure(build, env)
        if first["rc"] not in (0, 1):
            sys.exit(f"first build failed: {first['err']}")
        print(f"first build: {first['wall']:.1f} s wall, {first['cpu']:.1f} s cpu, peak {first['peak_mib']:.0f} MiB")
        (tmp / "bare.py").write_text(BARE_FLOW, encoding="utf-8")
        bare_cmd = [sys.executable, str(tmp / "bare.py")]
        measure(bare_cmd, env)  # warm-up: Prefect creates its database once
        runs = {"bare": [], "rebuild": []}
        untouched = True
        for _ in range(args.pairs):
            runs["bare"].append(measure(bare_cmd, env))
            before = mtimes(out)
            r = measure(build, env)
            if r["rc"] not in (0, 1) or "geen nieuwe versie" not in r["out"]:
                sys.exit(f"unchanged rebuild did not stop early (rc {r['rc']}):\n{r['out']}\n{r['err']}")
            untouched &= mtimes(out) == before
            runs["rebuild"].append(r)
        print(f"{'run':<10} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}   (median of {args.pairs})")
        med = {}
        for name, rs in runs.items():
            med[name] = {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "peak_mib")}
            print(f"{name:<10} {med[name]['wall']:>7.2f} {med[name]['cpu']:>7.2f} {med[name]['peak_mib']:>9.0f}")
        ratio = {k: med["rebuild"][k] / med["bare"][k] for k in ("wall", "cpu", "peak_mib")}
        print(f"ratio rebuild/bare: wall {ratio['wall']:.2f}x, cpu {ratio['cpu']:.2f}x, peak {ratio['peak_mib']:.2f}x")
        print(f"outputs untouched (mtimes of report, exports and database): {'yes' if untouched else 'NO'}")


if __name__ == "__main__":
    main()
