"""The shared curation.yaml writer and the curator sheets (issue 21, kind 2): check before
replacing, backup, lock, a change made meanwhile, unique temporary names; verdict semantics."""

import csv
import os
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from agenda.dedupe import curation as cur
from agenda.dedupe.curation import CurationError, backup_path, edit_curation, load_curation
from agenda.dedupe.review import apply_review
from agenda.evidence.sheet import apply_evidence
from agenda.ingest import discover
from agenda.sheets import read_sheet

OLD = "# mijn aantekening\nmerge:\n- [Q-aaaaaa, Q-bbbbbb]\n"


def _review(path: Path, rows: list[tuple[str, str, str]], made: str | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["nr", "vraag_a", "vraag_b", "oordeel", "gemaakt"])
        for n, (a, b, v) in enumerate(rows, start=1):
            w.writerow([n, a, b, v, made or ""])
    return path


def _decisions(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_change_that_would_not_read_back_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text(OLD, encoding="utf-8")

    def bad(data):
        data["merge"] = "geen lijst"

    with pytest.raises(CurationError, match="niets gewijzigd"):
        edit_curation(path, bad)
    assert path.read_text(encoding="utf-8") == OLD and _leftovers(tmp_path) == []


def test_a_sheet_that_would_make_the_file_too_big_is_refused_before_replacing(tmp_path, monkeypatch):
    path = tmp_path / "curation.yaml"
    path.write_text(OLD, encoding="utf-8")
    monkeypatch.setattr(cur, "CURATION_MAX_NODES", 200)
    sheet = _review(tmp_path / "r.csv", [(f"Q-{i:06x}", f"Q-{i + 100000:06x}", "nee") for i in range(100)])
    with pytest.raises(CurationError, match="niets gewijzigd"):
        apply_review(sheet, path)
    assert path.read_text(encoding="utf-8") == OLD and _leftovers(tmp_path) == []


def test_a_large_sheet_is_applied_and_the_previous_file_kept_as_backup(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text(OLD, encoding="utf-8")
    sheet = _review(tmp_path / "r.csv", [(f"Q-{i:06x}", f"Q-{i + 100000:06x}", "nee") for i in range(1500)])
    summary = apply_review(sheet, path)
    assert "1500 'verschillend'-oordelen" in summary
    assert len(load_curation(path).distinct) == 1500
    assert backup_path(path).read_text(encoding="utf-8") == OLD
    assert path.read_text(encoding="utf-8").startswith("# mijn aantekening")


def test_a_later_verdict_wins_and_the_summary_says_what_changed(tmp_path):
    path = tmp_path / "curation.yaml"
    sheet = _review(tmp_path / "r.csv", [("Q-aaaaaa", "Q-cccccc", "ja"), ("Q-aaaaaa", "M-11111111", "nee")])
    apply_review(sheet, path)
    assert _decisions(path) == {"merge": [["Q-aaaaaa", "Q-cccccc"]], "split": [["M-11111111"]]}
    _review(sheet, [("Q-aaaaaa", "Q-cccccc", "nee"), ("Q-aaaaaa", "M-11111111", "ja")])
    summary = apply_review(sheet, path)
    assert _decisions(path) == {"merge": [["Q-aaaaaa", "M-11111111"]], "distinct": [["Q-aaaaaa", "Q-cccccc"]],
                                "split": []} or _decisions(path) == {
        "merge": [["Q-aaaaaa", "M-11111111"]], "distinct": [["Q-aaaaaa", "Q-cccccc"]]}
    assert "2 eerdere oordelen gewijzigd" in summary


def test_contradicting_rows_in_one_sheet_are_refused_with_their_rows(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text(OLD, encoding="utf-8")
    sheet = _review(tmp_path / "r.csv", [("Q-aaaaaa", "Q-cccccc", "ja"), ("Q-dddddd", "Q-eeeeee", "ja"),
                                         ("Q-cccccc", "Q-aaaaaa", "nee")])
    with pytest.raises(ValueError, match=r"regel 2 'ja', regel 4 'nee'"):
        apply_review(sheet, path)
    assert path.read_text(encoding="utf-8") == OLD


def test_an_old_sheet_does_not_undo_a_newer_split(tmp_path):
    path = tmp_path / "curation.yaml"
    old = _review(tmp_path / "oud.csv", [("Q-aaaaaa", "M-11111111", "ja")], made="2026-01-05T10:00:00Z")
    new = _review(tmp_path / "nieuw.csv", [("Q-aaaaaa", "M-11111111", "nee")], made="2026-02-05T10:00:00Z")
    apply_review(new, path)
    summary = apply_review(old, path)
    assert _decisions(path)["split"] == [["M-11111111"]] and not _decisions(path).get("merge")
    assert "1 niet verwerkt" in summary
    # a newer sheet does undo it
    newest = _review(tmp_path / "nieuwst.csv", [("Q-aaaaaa", "M-11111111", "ja")], made="2026-03-05T10:00:00Z")
    apply_review(newest, path)
    assert _decisions(path)["merge"] == [["Q-aaaaaa", "M-11111111"]] and not _decisions(path).get("split")


def test_review_apply_accepts_only_ids_that_exist(tmp_path):
    sheet = _review(tmp_path / "r.csv", [("Q-aaaaaa", "Q-cccccc", "ja"), ("Q-aaaaaa", "M-99999999", "nee")])
    with pytest.raises(ValueError, match="regel 2: Q-cccccc.*regel 3: M-99999999"):
        apply_review(sheet, tmp_path / "curation.yaml", known_ids={"Q-aaaaaa"})
    assert not (tmp_path / "curation.yaml").exists()


def test_relevant_takes_away_an_earlier_beantwoordt(tmp_path):
    path = tmp_path / "curation.yaml"
    sheet = tmp_path / "b.csv"
    sheet.write_text("vraag;bron;oordeel\nQ-aaaaaa;K-111111;beantwoordt\n", encoding="utf-8")
    apply_evidence(sheet, path)
    assert _decisions(path)["knowledge"]["Q-aaaaaa"]["answered_by"] == "K-111111"
    sheet.write_text("vraag;bron;oordeel\nQ-aaaaaa;K-111111;relevant\n", encoding="utf-8")
    summary = apply_evidence(sheet, path)
    entry = _decisions(path)["knowledge"]["Q-aaaaaa"]
    assert "answered_by" not in entry and entry["sources"] == ["K-111111"]
    assert "beantwoordt → relevant" in summary
    sheet.write_text("vraag;bron;oordeel\nQ-aaaaaa;K-111111;relevant\nQ-aaaaaa;K-111111;nee\n", encoding="utf-8")
    with pytest.raises(ValueError, match="regel 2 'relevant', regel 3 'nee'"):
        apply_evidence(sheet, path)


def test_an_xlsx_with_a_wrong_dimension_is_read_to_its_real_extent(tmp_path):
    sheet = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["nr", "vraag_a", "vraag_b", "oordeel"])
    for i in range(5):
        ws.append([i + 1, f"Q-{i:06x}", f"Q-{i + 10:06x}", "ja"])
    wb.save(sheet)
    # as WPS writes it: <dimension ref="A1"/>
    with zipfile.ZipFile(sheet) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    import re
    parts["xl/worksheets/sheet1.xml"] = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1"', xml).encode()
    with zipfile.ZipFile(sheet, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    assert len(read_sheet(sheet)) == 5
    assert "5 samenvoegingen" in apply_review(sheet, tmp_path / "curation.yaml")


def test_a_formula_without_a_computed_value_is_refused_not_skipped(tmp_path):
    """Issue 21 (held out): a sheet whose verdicts are formulas (=\"ja\", =IF(…)) saved by a program that
    never computed them reads as empty cells; on main every such verdict was skipped, exit 0."""
    sheet = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["nr", "vraag_a", "vraag_b", "oordeel"])
    ws.append([1, "Q-000001", "Q-000002", "ja"])
    ws.append([2, "Q-000003", "Q-000004", '=IF(1=1,"ja","nee")'])
    wb.save(sheet)
    with pytest.raises(ValueError, match=r"regel 3, kolom oordeel \(D3\): een formule zonder berekende waarde"):
        apply_review(sheet, tmp_path / "curation.yaml")
    assert not (tmp_path / "curation.yaml").exists()


def test_ids_as_a_curator_or_word_writes_them_are_read_as_the_same_ids(tmp_path):
    """q-…, an en dash (Word's autocorrect), a zero-width space from a pasted mail: the same pair."""
    sheet = _review(tmp_path / "r.csv", [("q-00000A", "Q\u2013000002", "ja"), ("Q-000003\u200b", " M-0000000b ", "nee")])
    apply_review(sheet, tmp_path / "curation.yaml", known_ids={"Q-00000a", "Q-000002", "Q-000003", "M-0000000b"})
    data = _decisions(tmp_path / "curation.yaml")
    assert data["merge"] == [["Q-000002", "Q-00000a"]] and data["split"] == [["M-0000000b"]]
    ev = tmp_path / "e.csv"
    ev.write_text("vraag;bron;oordeel\nq-00000A;k\u20134F2A9C;relevant\n", encoding="utf-8")
    apply_evidence(ev, tmp_path / "curation.yaml")
    assert _decisions(tmp_path / "curation.yaml")["knowledge"]["Q-00000a"]["sources"] == ["K-4f2a9c"]


def test_a_zip_bomb_sheet_is_refused_quickly(tmp_path):
    sheet = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["nr", "vraag_a", "vraag_b", "oordeel"])
    wb.save(sheet)
    with zipfile.ZipFile(sheet, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/leeg.bin", b"\0" * (120 * 1024 * 1024))
    assert sheet.stat().st_size < 2 * 1024 * 1024
    start = time.monotonic()
    with pytest.raises(ValueError, match="niet gelezen"):
        read_sheet(sheet, "reviewlijst")
    assert time.monotonic() - start < 10


def test_two_applies_at_once_keep_both_sheets(tmp_path):
    path = tmp_path / "curation.yaml"
    sheets = [_review(tmp_path / f"r{k}.csv", [(f"Q-{k}{i:05x}", f"Q-{k}{i + 50000:05x}", "nee") for i in range(300)])
              for k in range(2)]
    errors = []

    def run(sheet):
        try:
            apply_review(sheet, path)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in sheets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(load_curation(path).distinct) == 600


def test_a_hand_edit_saved_meanwhile_is_kept(tmp_path):
    path = tmp_path / "curation.yaml"
    path.write_text(OLD, encoding="utf-8")
    calls = []

    def edit(data):
        calls.append(1)
        if len(calls) == 1:  # the secretary saves the file while the sheet is applied
            path.write_text(OLD + "exclude:\n- {cluster: Q-ffffff, why: buiten scope}\n", encoding="utf-8")
        data.setdefault("distinct", []).append(["Q-111111", "Q-222222"])

    edit_curation(path, edit)
    decisions = load_curation(path)
    assert len(calls) == 2
    assert decisions.exclude[0].cluster == "Q-ffffff" and decisions.distinct == [["Q-111111", "Q-222222"]]


def test_a_killed_apply_leaves_nothing_that_stops_a_build(tmp_path):
    (tmp_path / "meetings").mkdir()
    (tmp_path / "meetings" / "a.md").write_text("## Vragen\n- Hoe gaat het?\n", encoding="utf-8")
    path = tmp_path / "curation.yaml"
    path.write_text(OLD, encoding="utf-8")
    (tmp_path / "curation.yaml.tmp").write_text("merge: [[", encoding="utf-8")  # an older writer's
    (tmp_path / ".curation.yaml.x1y2z3.tmp").write_text("merge: [[", encoding="utf-8")
    backup_path(path).write_text(OLD, encoding="utf-8")
    files, rejections = discover(tmp_path)
    assert [p.name for p in files] == ["a.md"] and rejections == []
    _review(tmp_path / "r.csv", [("Q-aaaaaa", "Q-cccccc", "ja")])
    apply_review(tmp_path / "r.csv", path)
    assert _leftovers(tmp_path) == []


def test_an_apply_keeps_the_files_permissions(tmp_path):
    """Found trying the sheets as a secretary: the decisions file came back 0600 (mkstemp's mode),
    so a quarterly job running as another user on the shared folder could no longer read it."""
    path = tmp_path / "curation.yaml"
    path.write_text(OLD, encoding="utf-8")
    path.chmod(0o664)
    apply_review(_review(tmp_path / "r.csv", [("Q-cccccc", "Q-dddddd", "nee")]), path)
    assert path.stat().st_mode & 0o777 == 0o664
    assert backup_path(path).stat().st_mode & 0o777 == 0o664
    fresh = tmp_path / "nieuw" / "curation.yaml"
    fresh.parent.mkdir()
    apply_review(_review(tmp_path / "r2.csv", [("Q-cccccc", "Q-dddddd", "nee")]), fresh)
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # as an ordinary new file, not 0600
