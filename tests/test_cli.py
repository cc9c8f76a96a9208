"""The `kennisagenda` command: JSON shapes, exit codes, Dutch errors without tracebacks."""

import csv
import json
import subprocess
import sys

from typer.testing import CliRunner

from agenda.cli import app
from tests.conftest import SEED_QUESTIONS

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, list(args))


def test_show_json_has_the_contract_fields(sample_build):
    _, db, *_ = sample_build
    result = _run("show", "--db", str(db), "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert items and [i["rank"] for i in items] == list(range(1, len(items) + 1))
    for key in ("rank", "cluster_id", "question", "score", "frequency", "sources", "contexts", "explanation", "mentions"):
        assert key in items[0]
    assert {"id", "text", "source"} <= set(items[0]["mentions"][0])
    texts = {m["text"] for i in items for m in i["mentions"]}
    assert set(SEED_QUESTIONS) <= texts


def test_show_table_writes_decimal_commas(sample_build):
    _, db, *_ = sample_build
    items = json.loads(_run("show", "--db", str(db), "--format", "json").stdout)
    result = _run("show", "--db", str(db))
    assert result.exit_code == 0, result.output
    fractional = [i for i in items if not float((i.get("priority") or {}).get("combined") or i["score"]).is_integer()]
    assert fractional
    value = (fractional[0].get("priority") or {}).get("combined") or fractional[0]["score"]
    assert f"{value:g}".replace(".", ",") in result.stdout and f"{value:g}" not in result.stdout


def test_show_filters_on_sector(sample_build):
    _, db, *_ = sample_build
    items = json.loads(_run("show", "--db", str(db), "--format", "json", "--sector", "sbo").stdout)
    assert items and all("sbo" in i["contexts"]["sector"] for i in items)
    leraar = json.loads(_run("show", "--db", str(db), "--format", "json", "--role", "leraar").stdout)
    written = json.loads(_run("show", "--db", str(db), "--format", "json", "--role", "Leerkracht").stdout)
    assert leraar and written == leraar  # a role as a survey writes it finds the same questions


def test_versions_rejected_and_diff(sample_build):
    _, db, _, outcome, _ = sample_build
    versions = json.loads(_run("versions", "--db", str(db), "--format", "json").stdout)
    assert [v["label"] for v in versions] == [outcome.label]
    rejected = json.loads(_run("rejected", "--db", str(db), "--format", "json").stdout)
    assert isinstance(rejected, list)
    assert all(set(r) == {"file", "line", "reason", "severity"} for r in rejected)
    result = _run("diff", outcome.label, outcome.label, "--db", str(db))
    assert result.exit_code == 0 and "Geen verschillen" in result.stdout


def test_unknown_version_is_a_usage_error(sample_build):
    _, db, *_ = sample_build
    result = _run("show", "--db", str(db), "--version", "1999-Q1")
    assert result.exit_code == 2
    assert "1999-Q1 bestaat niet" in result.stderr
    assert "Traceback" not in result.output


def test_missing_database_is_a_usage_error(tmp_path):
    result = _run("versions", "--db", str(tmp_path / "none.duckdb"))
    assert result.exit_code == 2 and "kennisagenda build" in result.stderr


def test_cluster_csv_contract(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,text,sector\n"
        "a,Welke competenties hebben leraren nodig voor gepersonaliseerd leren?,po\n"
        "b,Welke competenties hebben leerkrachten nodig voor gepersonaliseerd leren?,so\n"
        "c,Hoe richt je een leerplein in?,po\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = _run("cluster", str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert all(r["cluster_id"].startswith("Q-") for r in rows)
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"] != rows[2]["cluster_id"]


def test_cluster_csv_without_text_column_is_exit_2(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,vraag\na,Hoe?\n", encoding="utf-8")
    result = _run("cluster", str(src), "-o", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and "id en text" in result.stderr


def test_cluster_csv_over_the_row_limit_is_refused_not_run_for_hours(tmp_path):
    """Issue 21 (held out): a CSV of 1,000,000 one-letter rows ran for more than 90 s with no end; the
    build's row limit holds here too, with a Dutch line and exit 2, before any work."""
    src = tmp_path / "in.csv"
    src.write_text("id,text\n" + "".join(f"{i},a\n" for i in range(100_001)), encoding="utf-8")
    result = _run("cluster", str(src), "-o", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and "meer dan 100000 vragen" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_the_installed_command_starts_and_shows_help():
    result = subprocess.run([sys.executable, "-m", "agenda.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("build", "cluster", "show", "versions", "diff", "rejected", "review", "publish"):
        assert command in result.stdout


def test_top_below_one_is_refused_not_read_as_a_slice(sample_build):
    _, db, *_ = sample_build
    assert _run("show", "--db", str(db), "--top", "-1").exit_code == 2  # items[:-1] dropped the last question
    assert len(json.loads(_run("show", "--db", str(db), "--top", "3", "--format", "json").stdout)) == 3


def test_a_folder_named_as_the_decisions_file_is_one_line_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "curation.yaml").mkdir()
    sheet = tmp_path / "bewijs.csv"
    sheet.write_text("nr;vraag;bron;oordeel\n1;Q-abcdef;K-123456;relevant\n", encoding="utf-8")
    result = _run("evidence", "--apply", str(sheet), "--curation", str(tmp_path / "curation.yaml"))
    assert result.exit_code == 2 and "is een map, geen bestand" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bewijs.csv", "curation.yaml"]  # no curation.yaml.tmp


def test_many_rejections_are_summed_up_on_the_console(capsys):
    """A share unmounted mid-build rejects hundreds of files: the console lists the first 20 and
    says where all of them are (`rejected`, the report's appendix D), not 300 lines."""
    from agenda.cli import CONSOLE_REJECTIONS, _list_rejections

    rows = [{"file": f"enquetes/a-{i:03d}.csv", "line": None, "reason": "verdwenen tijdens het lezen"}
            for i in range(300)]
    _list_rejections("bestand(en) afgewezen", rows, "uit/k.duckdb")
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "300 bestand(en) afgewezen:" and len(lines) == CONSOLE_REJECTIONS + 2
    assert lines[-1].strip() == f"… en nog {300 - CONSOLE_REJECTIONS}; alle: kennisagenda rejected --db uit/k.duckdb"
    _list_rejections("bestand(en) afgewezen", rows[:3], "uit/k.duckdb")
    assert len(capsys.readouterr().err.strip().splitlines()) == 4
