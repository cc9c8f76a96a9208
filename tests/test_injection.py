"""Injection into what people read (issue 21, kind 7): Markdown links, bidi controls, console escapes."""

import logging

from typer.testing import CliRunner

from agenda.cli import app
from agenda.ingest import read_file
from agenda.models import Rejection
from agenda.report.common import clean
from agenda.report.text_outputs import render_markdown
from agenda.store import Store

RLO = "\u202e"


def test_markdown_export_links_only_to_the_web_mail_or_a_doi(sample_build):
    _inputs, db, _out, _outcome, _paths = sample_build
    with Store(db, read_only=True) as store:
        agenda = store.version()
    item = agenda.items[0]
    item.question = "Hoe [klik hier](javascript:alert(1)) en ![x](file:///etc/passwd) en [goed](https://example.org/a)?"
    agenda.library[0].url = "javascript:alert(document.cookie)"
    agenda.library[1].url = "file:///etc/passwd"
    text = render_markdown(agenda)
    assert "](javascript:" not in text and "](file:" not in text
    assert "<javascript:" not in text and "<file:" not in text
    assert "[klik hier]\\(javascript:alert(1))" in text  # still readable, no longer a link
    assert "[goed](https://example.org/a)" in text


def test_bidi_controls_are_dropped_on_reading_and_in_the_report(tmp_path):
    (tmp_path / "m.md").write_text(f"## Kennisvragen\n- Hoe {RLO}?neeweg leerlingen\u2066 feedback?\n", encoding="utf-8")
    result = read_file(tmp_path / "m.md", tmp_path)
    assert result.mentions and all(RLO not in m.text and "\u2066" not in m.text for m in result.mentions)
    assert clean(f"a{RLO}b\u200fc") == "abc"


def test_nothing_printed_to_the_console_carries_control_characters(tmp_path, caplog):
    db = tmp_path / "k.duckdb"
    with Store(db) as store:
        build = store.start_build(str(tmp_path))
        store.record_rejections(build, [Rejection(file="vergadering\x1b[2J\x1b[H.txt",
                                                  reason=f"onbekend bestandstype \x1b]0;titel\x07{RLO}fdp.")])
    runner = CliRunner()
    for fmt in ("table", "json"):
        result = runner.invoke(app, ["rejected", "--db", str(db), "--format", fmt])
        shown = result.stdout + result.stderr
        assert "vergadering" in shown
        assert not any(ch in shown for ch in ("\x1b", "\x07", RLO)), repr(shown)
    with caplog.at_level(logging.WARNING, logger="agenda"):
        logging.getLogger("agenda").warning("onbekende id %s in curation.yaml", "Q-\x1b[2J12")
    assert caplog.records[-1].getMessage() == "onbekende id Q-[2J12 in curation.yaml"


def test_images_in_the_markdown_export_are_never_fetched(sample_build):
    """Issue 21 (held out): '![x](https://tracker.example/p.png)' in a question was an image in the .md
    export, fetched by the renderer when a funder opened it (a tracking pixel); http(s) links stay."""
    _inputs, db, _out, _outcome, _paths = sample_build
    with Store(db, read_only=True) as store:
        agenda = store.version()
    agenda.items[0].question = "Hoe ![pixel](https://tracker.example/p.png) en [bron](https://example.org/b)?"
    text = render_markdown(agenda)
    assert "![pixel](" not in text and "!\\[pixel](https://tracker.example/p.png)" in text
    assert "[bron](https://example.org/b)" in text


def test_a_formula_after_leading_spaces_or_a_line_break_is_neutralised():
    """LibreOffice's CSV import trims leading spaces ('Trim spaces') and then evaluates ' =cmd|…'."""
    from agenda.report.text_outputs import safe_cell

    for text in (" =cmd|' /C calc'!A0", "\n+1+1", "\u00a0@SUM(A1)", "  -2+3"):
        assert safe_cell(text).startswith("'"), text
    assert safe_cell("Hoe plan je - samen - de week?") == "Hoe plan je - samen - de week?"


def test_a_file_name_with_a_line_break_cannot_forge_a_console_line(capsys):
    """A file named 'a.txt\\n  meetings/echt.md: alles in orde' printed as two lines of the build's
    list of rejections, the second one made up."""
    from agenda.cli import _list_rejections

    _list_rejections("bestand(en) afgewezen", [{"file": "a.txt\n  meetings/echt.md", "line": None,
                                               "reason": "onbekend bestandstype\r\n  alles in orde"}], "k.duckdb")
    shown = capsys.readouterr().err
    lines = [ln for ln in shown.splitlines() if ln.strip()]
    assert len(lines) == 2 and "a.txt\\n  meetings/echt.md" in lines[1], shown
