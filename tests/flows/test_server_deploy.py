"""prefect.yaml against a real Prefect server: deploy both deployments, run on-demand through a worker.

Starts `prefect server start` on a free loopback port with its own PREFECT_HOME, creates the
`local` process pool, runs `prefect --no-prompt deploy --all` from a copy of the project (so the
`{{ $PWD }}` pull step must point at that copy, not at this checkout), runs
`build-agenda/on-demand` through `prefect worker start` with db_path/out_dir in tmp_path, and
checks the quarterly schedule. Every subprocess gets its own environment: the session harness
in conftest.py points this test process at another (temporary) API, which must not leak in.
Everything started here is stopped in `finally`, by process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.own_server]

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class RetryingClient(httpx.Client):
    """Retries 429/502/503 and read timeouts as Prefect's own client does: a busy server (its
    SQLite database locked by the scheduler or a worker poll, or its one process starved while
    the flow run it serves takes both cores of a CI machine) answers 503 "Service Unavailable"
    or not at all for a while. CI saw a 10 s read timeout mid-run."""

    def send(self, request, **kwargs):
        for attempt in range(8):
            try:
                response = super().send(request, **kwargs)
            except (httpx.ReadTimeout, httpx.ConnectTimeout, httpx.RemoteProtocolError):
                if attempt == 7:
                    raise
                time.sleep(min(0.5 * 2**attempt, 4.0))
                continue
            if response.status_code not in (429, 502, 503):
                return response
            time.sleep(min(0.5 * 2**attempt, 4.0))  # at most ~20 s in all
        return response


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, api_url: str, project: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=api_url,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_LOGGING_EXTRA_LOGGERS="agenda",
        PREFECT_WORKER_QUERY_SECONDS="1",  # default 10: the worker would idle before picking the run up
        PWD=str(project),  # what `{{ $PWD }}` in prefect.yaml resolves to (a shell sets it on `cd`)
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(cmd: list[str], env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "wb") as fh:
        return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _run(cmd: list[str], env: dict, cwd: Path, timeout: float) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _poll(what: str, fn, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _next_quarter_start(now: datetime) -> datetime:
    """The next 06:00 Europe/Amsterdam on 1 Jan/Apr/Jul/Oct after `now`, in UTC."""
    ams = ZoneInfo("Europe/Amsterdam")
    local = now.astimezone(ams)
    for year in (local.year, local.year + 1):
        for month in (1, 4, 7, 10):
            candidate = datetime(year, month, 1, 6, tzinfo=ams)
            if candidate > local:
                return candidate.astimezone(timezone.utc)
    raise AssertionError("unreachable")


def _tail(path: Path, n: int = 4000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else "(no log)"


def test_deploy_and_run_on_a_real_server(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "prefect.yaml", project / "prefect.yaml")
    shutil.copytree(ROOT / "flows", project / "flows", ignore=shutil.ignore_patterns("__pycache__"))
    # the meeting reports only: this test is about prefect.yaml, a worker and a real server; the
    # whole sample corpus is built elsewhere, and a shorter run leaves the server less starved
    (project / "inputs" / "meetings").mkdir(parents=True)
    for report in (ROOT / "inputs" / "meetings").glob("*.md"):
        shutil.copy(report, project / "inputs" / "meetings" / report.name)
    out = tmp_path / "out"

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = _env(tmp_path / "prefect-home", api, project)
    prefect = [sys.executable, "-m", "prefect"]
    server = worker = None
    started = time.monotonic()
    try:
        server = _start([*prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                        env, tmp_path, tmp_path / "server.log")
        http = RetryingClient(base_url=api, timeout=30, trust_env=False)

        def healthy():
            assert server.poll() is None, f"server exited:\n{_tail(tmp_path / 'server.log')}"
            try:
                return http.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        _poll("the server's /api/health", healthy, timeout=240)  # a loaded 2-core machine needed > 60 s

        _run([*prefect, "work-pool", "create", "local", "--type", "process"], env, project, timeout=180)
        worker = _start([*prefect, "worker", "start", "--pool", "local", "--type", "process"],
                        env, project, tmp_path / "worker.log")
        _run([*prefect, "--no-prompt", "deploy", "--all"], env, project, timeout=240)

        on_demand = http.get("/deployments/name/build-agenda/on-demand").json()
        quarterly = http.get("/deployments/name/build-agenda/quarterly").json()
        # the pull step points at the directory deploy ran in, and the defaults came along
        assert on_demand["pull_steps"] == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(project)}}
        ]
        assert on_demand["parameters"] == {"inputs_dir": "inputs", "db_path": "outputs/kennisagenda.duckdb",
                                           "out_dir": "outputs"}
        assert on_demand["schedules"] == [] and on_demand["work_pool_name"] == "local"
        [schedule] = quarterly["schedules"]
        assert schedule["active"] is True
        assert schedule["schedule"]["cron"] == "0 6 1 1,4,7,10 *"
        assert schedule["schedule"]["timezone"] == "Europe/Amsterdam"
        assert quarterly["job_variables"]["env"]["KENNISAGENDA_LOCK_TIMEOUT_SECONDS"] == "900"

        # on demand, through the worker; parameters as JSON (no `--param` json.loads surprises)
        params = {"db_path": str(out / "k.duckdb"), "out_dir": str(out)}
        run = http.post(f"/deployments/{on_demand['id']}/create_flow_run", json={"parameters": params})
        assert run.status_code == 201, run.text
        run_id = run.json()["id"]

        def finished():
            assert worker.poll() is None, f"worker exited:\n{_tail(tmp_path / 'worker.log')}"
            state = http.get(f"/flow_runs/{run_id}").json()["state"]
            return state if state and state["type"] in TERMINAL else None

        try:
            state = _poll("the on-demand flow run to finish", finished, timeout=420, interval=1)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- worker log ---\n{_tail(tmp_path / 'worker.log')}") from None
        assert state["type"] == "COMPLETED", f"{state}\n--- worker log ---\n{_tail(tmp_path / 'worker.log')}"
        docx_files = list(out.glob("kennisagenda-*.docx"))
        assert len(docx_files) == 1, sorted(p.name for p in out.iterdir())
        assert not (project / "outputs").exists()  # the parameters, not the defaults, were used

        keys = {a["key"] for a in http.post("/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}).json()}
        assert {"kennisagenda-samenvatting", "kennisagenda-ranglijst", "kennisagenda-rapport",
                "kennisagenda-afgewezen"} <= keys, keys

        # the scheduler has put the next quarterly run on the calendar (long since, by now)
        expected = _next_quarter_start(datetime.now(timezone.utc))
        query = {"deployments": {"id": {"any_": [quarterly["id"]]}},
                 "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                 "sort": "EXPECTED_START_TIME_ASC", "limit": 1}
        [first] = _poll("a scheduled quarterly run", lambda: http.post("/flow_runs/filter", json=query).json(),
                        timeout=30)
        start = datetime.fromisoformat(first["expected_start_time"].replace("Z", "+00:00"))
        assert start == expected, (start, expected)
        assert start - datetime.now(timezone.utc) < timedelta(days=93)
    finally:
        _stop(worker)
        _stop(server)
        print(f"server test: {time.monotonic() - started:.1f} s, port {port}, logs in {tmp_path}")
    assert server.poll() is not None and worker.poll() is not None
