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
