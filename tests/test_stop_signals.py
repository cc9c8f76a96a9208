"""SIGTERM while the build is inside a long DuckDB statement (issue 12, kind 7): DuckDB turns the
signal into `RuntimeError: Query interrupted`, or does not notice it at all; the build must still
stop as stopped (exit 143, the Dutch line) within the grace period, not as an unexpected error
and not only when the statement ends."""

import signal
import subprocess
import sys
import textwrap
import time

from agenda.supervise import Stopped, stopped_in

CHILD = textwrap.dedent("""
    import sys, duckdb
    import agenda.cli as cli
    from agenda import supervise

    supervise.GRACE_SECONDS = 3.0  # DuckDB does not always notice the signal inside a statement

    def long_statement():
        con = duckdb.connect()
        con.execute("CREATE TABLE t (i INTEGER)")
        rows = [(i,) for i in range(5_000_000)]
        print("klaar", flush=True)  # the signal comes while DuckDB runs the statements
        try:
            con.executemany("INSERT INTO t VALUES (?)", rows)
        except duckdb.Error as exc:  # as the build does: a DuckDB error in a stage becomes this
            raise duckdb.IOException(str(exc)) from exc

    cli.app = long_statement
    sys.argv = ["kennisagenda", "show"]
    cli.main()
""")


def test_a_signal_inside_a_duckdb_statement_is_found_behind_the_error():
    try:
        try:
            raise Stopped(signal.SIGTERM)
        except Stopped as stop:
            raise RuntimeError("Query interrupted") from stop
    except RuntimeError as exc:
        assert stopped_in(exc) is not None and stopped_in(exc).signum == signal.SIGTERM
    assert stopped_in(ValueError("x")) is None


def test_sigterm_during_a_long_duckdb_statement_stops_cleanly():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "klaar"
    time.sleep(0.5)  # inside the statement
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 128 + signal.SIGTERM, stderr
    # either DuckDB stops the statement and the build unwinds, or the watchdog ends it after
    # GRACE_SECONDS: both say so in one Dutch line
    assert "afgebroken (SIGTERM)" in stderr and "onverwachte fout" not in stderr and "Traceback" not in stderr


def test_another_signal_does_not_arm_the_watchdog():
    """The wakeup fd also carries signals other libraries handle (here SIGUSR1): those must not
    end a healthy build after the grace period."""
    child_code = textwrap.dedent("""
        import os, signal, time
        from agenda import supervise
        supervise.GRACE_SECONDS = 1.0
        supervise.install_child_handlers()
        signal.signal(signal.SIGUSR1, lambda *a: None)
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(3)
        print("nog bezig", flush=True)
    """)
    done = subprocess.run([sys.executable, "-c", child_code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "nog bezig" in done.stdout, done.stderr
