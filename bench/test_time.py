"""What a fresh `make test` costs: the install steps and the test run, wall and CPU seconds.

    python bench/test_time.py                     # pytest only, in this checkout, with per-test figures
    python bench/test_time.py --fresh             # a fresh clone: every install step, then pytest
    python bench/test_time.py --top 40 -- -k flows  # extra pytest arguments after `--`

The machine this project is built on is shared, so wall seconds alone say little: every figure
comes with its CPU seconds (user + system of the step and its children, from ``getrusage``) and
the load average when the run started and ended.

``--fresh`` clones this repository (``git clone``, the committed HEAD) into a temporary folder
and runs the install part of ``make test`` there (its two stamps) with make's SHELL set to a
probe that times each recipe line as make runs it, then the tests with the clone's own venv. Without ``--fresh`` the tests run
with this interpreter in this checkout.

Per test, a small plugin records wall and CPU seconds of setup + call + teardown (fixtures
count where they are first used: a session fixture's build lands on its first test); the
report lists the slowest tests and the totals per test file. With pytest-xdist (`-- -n 2`)
each worker records its own tests; the per-test sums then exceed the run's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PLUGIN = '''
import json, os, resource, time
import pytest

_rows = []

def _cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    w, c = time.perf_counter(), _cpu()
    yield
    _rows.append({"id": item.nodeid, "wall": time.perf_counter() - w, "cpu": _cpu() - c})

def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("TEST_TIME_OUT")
    if path and _rows:  # one file per pytest-xdist worker (or the one process)
        with open(f"{path}.{os.environ.get('PYTEST_XDIST_WORKER', 'main')}", "w") as fh:
            json.dump(_rows, fh)
'''


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(cmd: list[str], cwd: Path, env: dict) -> dict:
    """Run one command in a child of a fresh process so its rusage is its own; the command's
    output goes to ours (pytest's failures stay visible)."""
    probe = ("import json, os, resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "p = subprocess.run(sys.argv[1:])\n"
             "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
             "open(os.environ['TEST_TIME_RESULT'], 'w').write(json.dumps({'wall': time.perf_counter() - t,"
             " 'cpu': r.ru_utime + r.ru_stime, 'rc': p.returncode}))\n")
    start = load()
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        subprocess.run([sys.executable, "-c", probe, *cmd], cwd=cwd, env={**env, "TEST_TIME_RESULT": result.name})
        out = json.loads(Path(result.name).read_text())
    out["load"] = f"{start} -> {load()}"
    return out


SHELL_PROBE = """#!{python}
import json, os, resource, subprocess, sys, time
t, start = time.perf_counter(), " ".join(f"{{x:.2f}}" for x in os.getloadavg())
p = subprocess.run(["/bin/sh", *sys.argv[1:]])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(os.environ["TEST_TIME_STEPS"], "a") as fh:
    fh.write(json.dumps({{"cmd": sys.argv[-1], "wall": time.perf_counter() - t, "cpu": r.ru_utime + r.ru_stime,
                         "rc": p.returncode, "load": start + " -> " + " ".join(f"{{x:.2f}}" for x in os.getloadavg())}}) + "\\n")
sys.exit(p.returncode)
"""


def install(clone: Path, env: dict) -> list[dict]:
    """Run the install part of `make test` (its stamps, i.e. everything before pytest) in `clone`
    with make's SHELL set to a probe that times every recipe line as make really runs it."""
    probe, log = clone.parent / "time-shell", clone.parent / "steps.jsonl"
    probe.write_text(SHELL_PROBE.format(python=sys.executable))
    probe.chmod(0o755)
    log.unlink(missing_ok=True)
    p = subprocess.run(["make", ".venv/.stamp-test", ".venv/.stamp-e5", f"SHELL={probe}"], cwd=clone,
                       env={**env, "TEST_TIME_STEPS": str(log)})
    steps = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    for res in steps:
        print(f"  {res['wall']:7.1f} s wall {res['cpu']:7.1f} s cpu  [{res['load']}]  {res['cmd']}", flush=True)
    if p.returncode:
        print(f"install failed ({p.returncode})")
    return steps if p.returncode == 0 else []


def run_pytest(python: str, cwd: Path, env: dict, extra: list[str]) -> tuple[dict, list[dict]]:
    with tempfile.TemporaryDirectory(prefix="test-time-") as tmp:
        plugin_dir = Path(tmp) / "plugin"
        plugin_dir.mkdir()
        (plugin_dir / "test_time_plugin.py").write_text(PLUGIN)
        rows_file = Path(tmp) / "rows.json"
        env = {**env, "TEST_TIME_OUT": str(rows_file),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(plugin_dir), env.get("PYTHONPATH", "")]))}
        res = timed([python, "-m", "pytest", "-q", "-p", "test_time_plugin", "-p", "no:cacheprovider", *extra],
                    cwd, env)
        rows = [r for f in sorted(Path(tmp).glob("rows.json.*")) for r in json.loads(f.read_text())]
    return res, rows


def report_tests(rows: list[dict], top: int) -> None:
    if not rows:
        return
    print(f"\nslowest {top} tests (wall s, cpu s):")
    for r in sorted(rows, key=lambda r: -r["wall"])[:top]:
        print(f"  {r['wall']:7.1f} {r['cpu']:7.1f}  {r['id']}")
    files: dict[str, list[float]] = {}
    for r in rows:
        f = files.setdefault(r["id"].split("::")[0], [0.0, 0.0, 0])
        f[0] += r["wall"]
        f[1] += r["cpu"]
        f[2] += 1
    print("\nper file (wall s, cpu s, tests):")
    for name, (w, c, n) in sorted(files.items(), key=lambda kv: -kv[1][0]):
        print(f"  {w:7.1f} {c:7.1f} {n:4d}  {name}")
    print(f"\n{len(rows)} tests: wall {sum(r['wall'] for r in rows):.1f} s, cpu {sum(r['cpu'] for r in rows):.1f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fresh", action="store_true", help="clone HEAD and time every install step first")
    ap.add_argument("--keep", metavar="DIR", help="with --fresh: clone into DIR and keep it")
    ap.add_argument("--top", type=int, default=25, help="how many of the slowest tests to list")
    ap.add_argument("pytest_args", nargs="*", help="after `--`: extra pytest arguments")
    args = ap.parse_args(argv)

    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_EXTRA_LOGGERS": "agenda",
           "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore"}
    print(f"{os.cpu_count()} cpus; load average {load()}")
    steps: list[dict] = []
    if args.fresh:
        tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="test-time-clone-"))
        clone = tmp if args.keep else tmp / "clone"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        env.pop("VIRTUAL_ENV", None)
        env["PREFECT_HOME"] = str(clone / ".prefect")
        steps = install(clone, env)
        if not steps:
            return 1
        python, cwd = str(clone / ".venv" / "bin" / "python"), clone
    else:
        python, cwd = sys.executable, REPO
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
        env.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="test-time-prefect-"))
    res, rows = run_pytest(python, cwd, env, args.pytest_args)
    report_tests(rows, args.top)
    install_wall = sum(r["wall"] for r in steps)
    print(f"\ninstall: {install_wall:.1f} s wall, {sum(r['cpu'] for r in steps):.1f} s cpu ({len(steps)} steps)")
    print(f"pytest:  {res['wall']:.1f} s wall, {res['cpu']:.1f} s cpu, exit {res['rc']}  [load {res['load']}]")
    print(f"total:   {install_wall + res['wall']:.1f} s wall")
    return res["rc"]


if __name__ == "__main__":
    sys.exit(main())
