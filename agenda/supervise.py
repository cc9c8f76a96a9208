"""Run `kennisagenda build` so that nothing outlives it: no orphaned Prefect server.

Prefect's embedded mode starts a temporary API server as a child process and stops it from
`atexit`; a SIGKILL or a plain SIGTERM skips that, and the server (~200 MiB) kept running
(12 of 20 kills, measured). So the command the operator starts is a small supervisor:

- it runs the real build in a child that leads its own process group (the Prefect server
  and any Dask workers join that group), with the parent-death signal set (Linux
  ``prctl(PR_SET_PDEATHSIG, SIGTERM)``): if the supervisor is killed, even by SIGKILL, the
  child gets SIGTERM;
- the child treats SIGTERM like Ctrl-C (KeyboardInterrupt: the flow stops, the lock and the
  database are released, Prefect stops its server) and, on the way out, kills whatever is
  left in its process group;
- the supervisor forwards SIGTERM/SIGINT/SIGHUP to the child, waits, and after the child has
  gone kills the child's whole process group, so a child killed outright leaves nothing either.

Only `build` is supervised, and only from the console script (`main`); in-process callers
(tests with typer's CliRunner, the Prefect deployment) run the flow directly.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

SUPERVISED_ENV = "KENNISAGENDA_SUPERVISED"
PR_SET_PDEATHSIG = 1
GRACE_SECONDS = 30.0  # a stopped build normally exits within a few seconds; then the group is killed
EXIT_TERMINATED = 128 + signal.SIGTERM


class Stopped(BaseException):
    """Ctrl-C, SIGTERM or the supervisor's death: unwinds the build like an error (locks released,
    the build marked failed, Prefect's server stopped). A BaseException, so neither a reader's
    `except Exception` nor click's own Ctrl-C handling ("Aborted!", exit 1) swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def stopped_in(exc: BaseException | None) -> Stopped | None:
    """The `Stopped` behind an exception: a signal that arrives during a DuckDB statement
    comes back as ``RuntimeError: Query interrupted`` (or duckdb's InterruptException)
    with the `Stopped` as its cause."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, Stopped):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _die_with(parent: int):
    def preexec() -> None:  # runs in the child between fork and exec
        os.setpgid(0, 0)
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the supervisor died before the death signal was armed
            os._exit(EXIT_TERMINATED)

    return preexec


def group_members(pgid: int) -> list[int]:
    """Pids in process group `pgid` other than this process (Linux /proc; empty elsewhere)."""
    pids = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    stat = fh.read().decode(errors="replace")
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[-1].split()  # after "(comm)": state ppid pgrp ...
            if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
                pids.append(int(entry.name))
    return pids


def kill_group_members(pgid: int, grace: float = 3.0) -> None:
    """SIGTERM, then after `grace` seconds SIGKILL, every other process in group `pgid`."""
    members = group_members(pgid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in members:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while members and time.monotonic() < deadline:
            time.sleep(0.1)
            members = group_members(pgid)
        if not members:
            return


def install_child_handlers() -> None:
    """SIGINT, SIGTERM and SIGHUP raise `Stopped` (SIGTERM handled like Ctrl-C). A process that does
    not stop within GRACE_SECONDS of the first signal is ended, with its process group.

    Python runs a signal handler only when the main thread returns to the interpreter; a long
    C call (a DuckDB statement, a numpy product) would postpone even the watchdog. So the
    watchdog also listens on the signal wakeup fd, which the C-level handler writes at once.
    """
    def arm(signum: int) -> None:
        with _ARMED:
            if getattr(arm, "done", False):
                return
            arm.done = True  # type: ignore[attr-defined]
            # a watchdog in case the build is stuck where the exception cannot reach it
            timer = threading.Timer(GRACE_SECONDS, _hard_exit, args=(signum,))
            timer.daemon = True
            timer.start()

    def on_signal(signum: int, frame: object) -> None:
        arm(signum)
        raise Stopped(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    with contextlib.suppress(ValueError, OSError):  # ValueError: not the main thread
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)

        def listen() -> None:
            stops = {int(signal.SIGINT), int(signal.SIGTERM), int(signal.SIGHUP)}
            with contextlib.suppress(OSError):
                # the wakeup fd carries the number of every signal with a Python handler: arm only
                # for the stopping ones (another library's handler must not end a healthy build)
                while got := os.read(read_end, 64):
                    if stop := next((n for n in got if n in stops), None):
                        arm(stop)
                        return

        threading.Thread(target=listen, name="signal-watchdog", daemon=True).start()
    # registered before Prefect registers its server's stop, so it runs after it (atexit is LIFO)
    atexit.register(reap_own_group)


_ARMED = threading.Lock()


def signal_name(signum: int) -> str:
    """How the operator's stop line names a signal: 'Ctrl-C', 'SIGTERM', or 'signaal N'."""
    try:
        return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    except ValueError:
        return f"signaal {signum}"


def _hard_exit(signum: int = signal.SIGTERM) -> None:
    how = signal_name(signum)
    with contextlib.suppress(OSError):
        os.write(2, (f"afgebroken ({how}): de build stopte niet binnen {GRACE_SECONDS:.0f} s en is beëindigd; "
                     "een half gebouwde versie is niet opgeslagen en de database is vrijgegeven\n").encode())
    if os.getpgrp() == os.getpid():
        kill_group_members(os.getpgrp(), grace=1.0)
    os._exit(EXIT_TERMINATED)


def reap_own_group() -> None:
    """Kill what this process started in its own group (only when it leads one: the supervised child)."""
    if os.environ.get(SUPERVISED_ENV) and os.getpgrp() == os.getpid():
        kill_group_members(os.getpgrp())


def run_supervised(argv: Sequence[str]) -> int:
    """Run `python -m agenda.cli <argv>` as a supervised child; returns its exit code."""
    env = {**os.environ, SUPERVISED_ENV: "1"}
    child = subprocess.Popen([sys.executable, "-m", "agenda.cli", *argv], env=env, preexec_fn=_die_with(os.getpid()))
    stopping: list[int] = []

    def forward(signum: int, frame: object) -> None:
        stopping.append(signum)
        with contextlib.suppress(ProcessLookupError):
            # Ctrl-C in a terminal reaches only the supervisor's group: pass it on as the same signal
            child.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        while True:
            try:
                code = child.wait(timeout=GRACE_SECONDS + 5 if stopping else None)
                break
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)  # whatever the child left behind
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code < 0:  # the child itself was killed: say so, in one line
        sys.stderr.write(f"fout: de build is afgebroken (signaal {-code}); er is geen nieuwe versie gemaakt "
                         "als de build nog niet klaar was; draai de build opnieuw\n")
        return 128 - code
    return code
