"""`kennisagenda build` checks what it can before anything runs (issue 12, kinds 3, 4 and 9):
one Dutch line naming the file and what to do, exit 2, and Prefect is never started."""

import errno
import os

import pytest
from typer.testing import CliRunner

from agenda.cli import _os_error, app
from agenda.store import Store
from tests.conftest import build_without_prefect


@pytest.fixture()
def no_prefect(monkeypatch):
    """Fail the test if the build gets as far as the flow."""
    import flows.build

    def started(**kwargs):
        raise AssertionError("the flow was started")

    monkeypatch.setattr(flows.build, "build_agenda", started)


@pytest.fixture()
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "verslag.md").write_text("---\ntitle: Verslag\ndate: 2022-01-10\n---\n## Kennisvragen\n"
                                       "- Hoe richt je een leerplein in voor groep 5 tot en met 8?\n", encoding="utf-8")
    return folder


def _build(tmp_path, *args, inputs=None, env=None):
    argv = ["build", "--inputs", str(inputs or tmp_path / "inputs"), "--db", str(tmp_path / "db/k.duckdb"),
            "--out", str(tmp_path / "out"), *args]
    result = CliRunner().invoke(app, argv, env={"PREFECT_HOME": str(tmp_path / "prefect"), **(env or {})})
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_out_is_a_file(tmp_path, inputs, no_prefect):
    (tmp_path / "out").write_text("x")
    result = _build(tmp_path)
    assert result.exit_code == 2 and f"uitvoermap {tmp_path / 'out'} is geen map" in result.stderr


def test_prefect_home_cannot_be_written(tmp_path, inputs, no_prefect):
    (tmp_path / "bestand").write_text("x")
    result = _build(tmp_path, env={"PREFECT_HOME": str(tmp_path / "bestand/prefect")})
    assert result.exit_code == 2 and "PREFECT_HOME" in result.stderr and str(tmp_path / "bestand") in result.stderr


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_a_damaged_prefect_database_is_refused_before_the_server_starts(tmp_path, inputs, no_prefect, damage):
    """The temporary server died at start on it and was restarted until the 300 s start-up timeout;
    the build then said the machine was busy and to try again, which failed the same way."""
    import sqlite3

    home = tmp_path / "prefect"
    home.mkdir()
    db = home / "prefect.db"
    if damage == "random":
        db.write_bytes(os.urandom(64 * 1024))
    else:
        with sqlite3.connect(db) as con:
            con.execute("CREATE TABLE flow_run (id INTEGER PRIMARY KEY, name TEXT)")
            con.executemany("INSERT INTO flow_run (name) VALUES (?)", [("x" * 200,)] * 2000)
        with open(db, "r+b") as fh:
            fh.truncate(db.stat().st_size // 2)
    result = _build(tmp_path)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"de Prefect-database {db} is beschadigd" in result.stderr and "hernoem of verwijder" in result.stderr
    db.unlink()  # what the message says: then the check passes (and Prefect makes a new one)
    from agenda.preflight import _prefect_database

    _prefect_database(home)


def test_a_foreign_database_is_refused_before_the_build(tmp_path, inputs, no_prefect):
    (tmp_path / "db").mkdir()
    (tmp_path / "db/k.duckdb").write_bytes(b"SQLite format 3\x00" + bytes(2000))
    result = _build(tmp_path)
    assert result.exit_code == 2 and "SQLite-database" in result.stderr


def test_an_empty_inputs_folder_is_refused(tmp_path, no_prefect):
    (tmp_path / "inputs").mkdir()
    result = _build(tmp_path)
    assert result.exit_code == 2 and "geen invoerbestanden gevonden" in result.stderr and "--allow-shrink" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("kennisagenda-*"))


def test_inputs_that_are_all_unreadable_are_named_not_blamed_on_the_share(tmp_path, no_prefect):
    """Only pipes (or only unknown file types) in the folder: the message asked whether the share
    was mounted, while the operator sees the files right there."""
    (tmp_path / "inputs").mkdir()
    os.mkfifo(tmp_path / "inputs" / "verslag.md")
    (tmp_path / "inputs" / "verslag.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    result = _build(tmp_path)
    assert result.exit_code == 2 and "geen invoerbestanden gevonden" in result.stderr
    assert "2 bestand(en) niet leesbaar, zoals verslag.doc: bestandstype .doc wordt niet gelezen (sla het op als .docx" \
        in result.stderr and "gekoppeld" not in result.stderr and result.stderr.count("\n") == 1


def test_a_missing_inputs_folder_is_refused(tmp_path, no_prefect):
    result = _build(tmp_path, inputs=tmp_path / "niet-gekoppeld")
    assert result.exit_code == 2 and "invoermap niet gevonden" in result.stderr


def test_bad_settings_and_labels_are_refused(tmp_path, inputs, no_prefect):
    (tmp_path / "s.toml").write_text("[limits]\nmax_file_mb = -1\n", encoding="utf-8")
    result = _build(tmp_path, "--settings", str(tmp_path / "s.toml"))
    assert result.exit_code == 2 and "limits.max_file_mb" in result.stderr
    result = _build(tmp_path, "--label", "2026 Q4")
    assert result.exit_code == 2 and "ongeldig versielabel '2026 Q4'" in result.stderr


def test_a_label_taken_by_another_version_is_refused(tmp_path, inputs, no_prefect):
    first, _ = build_without_prefect(inputs, tmp_path / "db/k.duckdb", tmp_path / "out", label="2026-Q4")
    result = _build(tmp_path, "--label", "2026-q4")
    assert result.exit_code == 2 and "zou de bestanden van versie 2026-Q4 overschrijven" in result.stderr


def test_a_broken_curation_file_is_refused_before_the_build(tmp_path, inputs, no_prefect):
    (inputs / "curation.yaml").write_text("priority:\n  Q-abc123: .inf\n", encoding="utf-8")
    result = _build(tmp_path)
    assert result.exit_code == 2
    assert "curation.yaml, regel 1" in result.stderr and "priority.Q-abc123" in result.stderr


def test_disk_full_is_one_actionable_line(tmp_path):
    line = _os_error(OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.docx")), tmp_path)
    assert line.startswith("de schijf is vol bij het schrijven van") and str(tmp_path / "x.docx") in line


def test_a_version_whose_report_could_not_be_written_gets_it_on_the_next_build(tmp_path, inputs, monkeypatch):
    import agenda.report

    db, out = tmp_path / "db/k.duckdb", tmp_path / "out"

    def disk_full(agenda, out_dir, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(out_dir / "kennisagenda-x.docx"))

    with monkeypatch.context() as m:
        m.setattr(agenda.report, "write_outputs", disk_full)
        with pytest.raises(OSError):
            build_without_prefect(inputs, db, out)
    with Store(db, read_only=True) as store:
        [label] = [v["label"] for v in store.versions()]
    again, paths = build_without_prefect(inputs, db, out)
    assert not again.is_new and again.label == label and all(p.exists() for p in paths)


@pytest.mark.parametrize(("themes", "expected"), [
    (None, "themabestand niet gevonden"),
    ("root:x:0:0:root:/root:/bin/bash\n", "themabestand ongeldig"),
    ("themes:\n  - name: a\n    openings: ['([']\nquestion_types: []\n", "geen geldige reguliere expressie"),
])
def test_a_missing_or_broken_themes_file_is_refused_before_the_build(tmp_path, inputs, no_prefect, themes, expected):
    """`themes_file` is used only at the very end (rank-and-version): it used to fail there, after all the
    work, with an English traceback (FileNotFoundError, pydantic's ValidationError, re.error)."""
    path = tmp_path / "themas.yaml"
    if themes is not None:
        path.write_text(themes, encoding="utf-8")
    (tmp_path / "s.toml").write_text(f"themes_file = '{path}'\n", encoding="utf-8")
    result = _build(tmp_path, "--settings", str(tmp_path / "s.toml"))
    assert result.exit_code == 2 and expected in result.stderr and str(path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_brackets_in_names_and_messages_are_shown_as_written(tmp_path, inputs):
    """Messages, file names and questions are text, not console markup: '[concept]' vanished from a
    file name, '([sectie])' from a reason, and a '[/...]' ended the command with rich's MarkupError."""
    (tmp_path / "s.toml").write_text("limits = 5\n", encoding="utf-8")
    result = _build(tmp_path, "--settings", str(tmp_path / "s.toml"))
    assert result.exit_code == 2 and "moet een tabel zijn ([sectie])" in result.stderr
    (inputs / "verslag [concept].doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (inputs / "vragen.md").write_text("## Kennisvragen\n- Wat doet [/b] met de [rood] leerling?\n", encoding="utf-8")
    db = tmp_path / "db/k.duckdb"
    build_without_prefect(inputs, db, tmp_path / "out")
    rejected = CliRunner().invoke(app, ["rejected", "--db", str(db)], terminal_width=400)
    assert rejected.exit_code == 0 and "verslag [concept].doc" in rejected.output
    shown = CliRunner().invoke(app, ["show", "--db", str(db)], terminal_width=400)
    assert shown.exit_code == 0 and "[/b]" in shown.output and "[rood]" in shown.output


def test_a_failing_prefect_api_is_one_line_naming_prefect_home(tmp_path, inputs, monkeypatch):
    """PREFECT_HOME's disk full during the build (ulimit -f): the API answered 500 and the build
    ended in 'onverwachte fout: PrefectHTTPStatusError: ...' after 5,000 lines of tracebacks."""
    import httpx
    from prefect.exceptions import PrefectHTTPStatusError

    import flows.build

    def api_down(**kwargs):
        request = httpx.Request("POST", "http://127.0.0.1:8712/api/flow_runs/x/set_state")
        raise PrefectHTTPStatusError.from_httpx_error(httpx.HTTPStatusError(
            "Server error '500 Internal Server Error'", request=request, response=httpx.Response(500, request=request)))

    monkeypatch.setattr(flows.build, "build_agenda", api_down)
    monkeypatch.delenv("PREFECT_SERVER_LOGGING_LEVEL", raising=False)
    monkeypatch.delenv("KENNISAGENDA_DEBUG", raising=False)
    result = _build(tmp_path)
    # ... and the temporary server (a child process) keeps its 5,500 lines of tracebacks to itself
    assert os.environ.get("PREFECT_SERVER_LOGGING_LEVEL") == "CRITICAL"
    assert result.exit_code == 2 and "Prefect-server gaf een fout (HTTP 500)" in result.stderr
    assert str(tmp_path / "prefect") in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_server_that_never_starts_names_prefect_home_and_its_room(tmp_path, inputs, monkeypatch):
    """Its SQLite file could not be written (ulimit -f): restarted for 300 s, then the only advice was
    'is de machine erg druk? Draai de build opnieuw', which failed the same way."""
    import flows.build

    def never_started(**kwargs):
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")

    monkeypatch.setattr(flows.build, "build_agenda", never_started)
    result = _build(tmp_path)
    home = tmp_path / "prefect"
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert f"zijn gegevens staan in {home}, " in result.stderr and " MB vrij: is die schijf vol" in result.stderr
    assert f"{home / 'prefect.db'} beschadigd" in result.stderr


def test_a_failed_run_shows_no_traceback_on_the_console(monkeypatch, capsys):
    """A database held by a notebook (exit 3) or any error inside the flow: Prefect's console handler
    printed 'Encountered exception during execution' with an English traceback above the Dutch line."""
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler

    from agenda.cli import quiet_tracebacks
    from agenda.store import DatabaseBusy

    class Keep(logging.Handler):  # stands for Prefect's API log handler
        records: list = []

        def emit(self, record):
            self.records.append((record.getMessage(), self.format(record)))

    for verbose in ("", "1"):
        monkeypatch.delenv("KENNISAGENDA_DEBUG", raising=False)
        monkeypatch.setenv("KENNISAGENDA_VERBOSE", verbose)
        handler = PrefectConsoleHandler(stream=__import__("sys").stderr)
        monkeypatch.setattr(logging.getLogger(), "handlers", [handler, Keep()])
        quiet_tracebacks()
        logging.getLogger("prefect.flow_runs").info("Beginning flow run 'x' for flow 'build-agenda'")
        try:
            raise DatabaseBusy("de database k.duckdb is bezet door een ander proces")
        except DatabaseBusy:
            logging.getLogger("prefect.flow_runs").error("Encountered exception during execution", exc_info=True)
            logging.getLogger("agenda").error("de database k.duckdb is bezet door een ander proces", exc_info=True)
        shown = capsys.readouterr().err
        assert "Traceback" not in shown
        assert ("Encountered exception during execution" in shown) == bool(verbose)  # English: --verbose only
        assert ("Beginning flow run" in shown) == bool(verbose)
        if not verbose:  # the Dutch line alone, as it is
            assert shown.strip() == "de database k.duckdb is bezet door een ander proces"
        assert all("Traceback" in formatted for msg, formatted in Keep.records if "exception" in msg)  # API log keeps it
        Keep.records.clear()


def test_damage_in_the_middle_of_the_database_is_found_before_the_build(tmp_path, inputs, no_prefect):
    """Opening a DuckDB file reads its header and catalog only: a damaged data block was found after
    Prefect had started, half a minute into an unattended build. Preflight now reads every table."""
    import duckdb

    db = tmp_path / "db/k.duckdb"
    with Store(db) as store:
        store.con.execute("CREATE TABLE notes AS SELECT range AS n, md5(range::VARCHAR) AS t FROM range(50000)")
        store.con.execute("CHECKPOINT")
    healthy = db.read_bytes()
    for at in range(3 * 4096, len(healthy), 4096):  # the first block whose damage opening does not notice
        damaged = bytearray(healthy)
        damaged[at + 100:at + 164] = bytes(range(64))
        db.write_bytes(bytes(damaged))
        try:
            duckdb.connect(str(db), read_only=True).close()
        except duckdb.Error:
            continue
        try:
            with Store(db, read_only=True) as store:
                store.verify()
        except Exception:
            break
    else:
        pytest.fail("no block found whose damage only a full read notices")
    result = _build(tmp_path)
    assert result.exit_code == 2 and f"database {db} is beschadigd" in result.stderr, result.output
    assert "reservekopie" in result.stderr
