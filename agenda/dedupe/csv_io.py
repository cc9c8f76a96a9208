"""`kennisagenda cluster IN.csv -o OUT.csv`: deduplication alone, no database.

Uses the build's own method (`agenda.dedupe.clusters.cluster_mentions`, hence the same
embedder, `agenda.dedupe.pairs.cluster_texts` and id rule), so what a benchmark measures on a
CSV is what the agenda gets.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from agenda.dedupe.clusters import cluster_mentions
from agenda.dedupe.text import LEAD_IN
from agenda.models import Curation, Mention, Rule


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_rows(path: Path) -> list[tuple[str, str, str]]:
    """(id, text, context) rows of a CSV with at least the columns id and text; an optional
    column ``context`` holds the sentence a question leans on ("Welke scholing is daarvoor
    nodig?"), compared together with it as the build does."""
    if not path.is_file():
        raise FileNotFoundError(f"bestand niet gevonden: {path}")
    from agenda.ingest.common import IngestError
    from agenda.ingest.safety import check_size
    from agenda.settings import Limits

    limits = Limits()
    try:  # the same size limit as every input: a 1,000,000-row file ran for hours
        check_size(path.stat().st_size, limits)
    except IngestError as exc:
        raise ValueError(f"{path} niet gelezen: {exc.reason}") from None
    text = _read_text(path)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "id" not in header or "text" not in header:
        raise ValueError(f"{path}: de kopregel moet de kolommen id en text bevatten (gevonden: {', '.join(header) or 'niets'})")
    reader.fieldnames = header
    rows, seen = [], set()
    for n, row in enumerate(reader, start=2):
        if n - 1 > limits.max_rows:
            raise ValueError(f"{path} heeft meer dan {limits.max_rows} vragen: te groot om in één keer te ontdubbelen; "
                             "verdeel het bestand (per thema)")
        rid, qtext = (row.get("id") or "").strip(), (row.get("text") or "").strip()
        if not rid:
            raise ValueError(f"{path}, regel {n}: lege id")
        if rid in seen:
            raise ValueError(f"{path}, regel {n}: id {rid} komt twee keer voor")
        seen.add(rid)
        rows.append((rid, qtext, (row.get("context") or "").strip()))
    return rows


def cluster_csv(input_csv: Path, output_csv: Path) -> tuple[int, int]:
    """Write `id,cluster_id` for every row of `input_csv`; returns (rows, clusters)."""
    rows = read_rows(input_csv)
    mentions = [Mention(id=rid, source_id="csv", text=text or "(leeg)", rule=Rule.survey,
                        extra={LEAD_IN: ctx} if ctx else {}) for rid, text, ctx in rows]
    outcome = cluster_mentions(mentions, {}, Curation())
    cluster_of = {mid: c.id for c in outcome.clusters for mid in c.mention_ids}
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    tmp = output_csv.with_name(output_csv.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "cluster_id"])
        for rid, _, _ in rows:
            writer.writerow([rid, cluster_of[rid]])
    tmp.replace(output_csv)
    return len(rows), len(outcome.clusters)
