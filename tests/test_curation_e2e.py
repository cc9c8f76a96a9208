"""Curator decisions in inputs/curation.yaml on the real sample corpus, read back from the report."""

import shutil

import docx
import yaml

from agenda.dedupe.curation import CurationError, load_curation
from agenda.store import Store
from tests.conftest import build_without_prefect


def _text(path):
    document = docx.Document(path)
    return "\n".join(p.text for p in document.paragraphs) + "\n" + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)


def test_decisions_reach_the_report(tmp_path, sample_build):
    inputs = tmp_path / "inputs"
    shutil.copytree(sample_build[0], inputs)
    out = tmp_path / "out"
    shutil.copytree(sample_build[2], out)  # the sample corpus built once for the session: its first version
    db = out / sample_build[1].name
    with Store(db, read_only=True) as store:
        # decisions name ids the machine itself makes (not ones the shipped decisions created by a split)
        machine = store.previous_clusters(automatic=True)
        first, second = [i for i in store.version().items if i.cluster_id in machine][:2]

    decisions = {
        "rename": {first.cluster_id: "Welke competenties hebben leraren nodig voor gepersonaliseerd leren met ict?"},
        "knowledge": {first.cluster_id: {"known": "Overzichtsstudie Kennisrotonde (2020)",
                                         "research_needed": "Effect van professionaliseringsvormen"}},
        "exclude": [{"cluster": second.cluster_id, "why": "buiten scope van deze kennistafel"}],
        "priority": {"Q-000000": 2.0},
        "reviewed_by": ["secretaris van de kennistafel"],
    }
    (inputs / "curation.yaml").write_text(yaml.safe_dump(decisions, allow_unicode=True), encoding="utf-8")
    outcome, paths = build_without_prefect(inputs, db, out)
    assert outcome.is_new
    assert any("Q-000000" in note for note in outcome.notes)

    with Store(db, read_only=True) as store:
        agenda = store.version()
    ids = [i.cluster_id for i in agenda.items]
    # the version records the deduplication model it was clustered with ("Wat is er veranderd")
    from agenda.dedupe.pairs import model_summary
    assert agenda.settings["deduplication"] == model_summary()
    assert second.cluster_id not in ids
    assert [e.cluster_id for e in agenda.excluded] == [second.cluster_id]
    item = next(i for i in agenda.items if i.cluster_id == first.cluster_id)
    assert item.question.startswith("Welke competenties hebben leraren nodig")
    assert item.knowledge.known.startswith("Overzichtsstudie")

    report = _text(paths[0])
    assert "Welke competenties hebben leraren nodig voor gepersonaliseerd leren met ict?" in report
    assert "Overzichtsstudie Kennisrotonde (2020)" in report
    assert "buiten scope van deze kennistafel" in report  # excluded, with its reason, nothing dropped silently
    assert "Q-000000" in report  # the decision naming an unknown id is reported
    assert "secretaris van de kennistafel" in report


def test_a_broken_curation_file_is_a_clear_error(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text("merge: [[Q-1, Q-2]\nexclude: 3\n", encoding="utf-8")
    try:
        load_curation(path)
    except CurationError as exc:
        assert exc.rejection.file == "curation.yaml" and exc.rejection.line
    else:
        raise AssertionError("a broken curation.yaml must not be ignored")
    path.write_text("exclude: [{cluster: Q-1, reden: x}]\n", encoding="utf-8")
    try:
        load_curation(path)
    except CurationError as exc:
        assert "exclude" in exc.rejection.reason
    else:
        raise AssertionError("unknown fields must be reported")
