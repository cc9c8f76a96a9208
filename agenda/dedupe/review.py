"""The curator's review queue: candidate merges the machine was unsure about.

`review_queue` pairs current clusters whose formulations are near neighbours but were
not merged automatically, most likely first. `write_review` writes them to .xlsx or
.csv with a verdict column; `apply_review` turns the verdicts into curation.yaml entries
(`merge` for "ja", `distinct` for "nee", so a rejected pair is not asked again).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agenda.dedupe import pairs as dedupe
from agenda.dedupe.clusters import embed_cached
from agenda.dedupe.curation import add_decisions, load_curation
from agenda.dedupe.embed import default_embedder
from agenda.sheets import read_sheet, write_sheet
from agenda.store import Store

COLUMNS = ["nr", "waarschijnlijkheid", "vraag_a", "tekst_a", "bronnen_a", "vraag_b", "tekst_b", "bronnen_b",
           "oordeel", "toelichting"]
YES = {"ja", "j", "yes", "y", "zelfde", "dezelfde", "samenvoegen", "x"}
NO = {"nee", "n", "no", "verschillend", "anders", "niet"}


def review_queue(store: Store, limit: int = 200, k: int = 5) -> list[dict[str, object]]:
    """Pairs of distinct current clusters that may ask the same question, most likely first."""
    clusters = [c for c in store.clusters() if c.excluded is None]
    mentions = {m.id: m for m in store.mentions(include_candidates=True)}
    sources = {s.id: s.title for s in store.sources(active_only=False)}
    cluster_of = {mid: c.id for c in clusters for mid in c.mention_ids}
    ordered = [mentions[mid] for c in clusters for mid in c.mention_ids if mid in mentions]
    if len(ordered) < 2:
        return []
    texts = [m.text for m in ordered]
    embeddings = embed_cached(texts, default_embedder(), store)  # the build cached them
    best: dict[tuple[str, str], tuple[float, int, int]] = {}
    for i, j, p in dedupe.candidate_pairs(texts, embeddings=embeddings, k=k):
        a, b = cluster_of[ordered[i].id], cluster_of[ordered[j].id]
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        if key not in best or p > best[key][0]:
            best[key] = (p, i, j)
    curation = _decided(store)
    by_id = {c.id: c for c in clusters}
    rows = []
    for (a, b), (p, _, _) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0])):
        if frozenset((a, b)) in curation:
            continue

        def src(cid: str) -> str:
            titles = sorted({sources.get(mentions[m].source_id, "?") for m in by_id[cid].mention_ids if m in mentions})
            return "; ".join(titles)

        rows.append({"nr": len(rows) + 1, "waarschijnlijkheid": round(float(p), 3),
                     "vraag_a": a, "tekst_a": by_id[a].question, "bronnen_a": src(a),
                     "vraag_b": b, "tekst_b": by_id[b].question, "bronnen_b": src(b),
                     "oordeel": "", "toelichting": ""})
        if len(rows) >= limit:
            break
    return rows


class DecidedPairs:
    """Cluster pairs a curator already judged: `frozenset((a, b)) in decided`.

    Stores, per cluster id, the decision groups it appears in (linear in the file's size), so a
    `distinct` group of 4,000 ids costs 4,000 entries, not 16 million pairs.
    """

    def __init__(self, groups: Sequence[Sequence[str]] = ()):
        self._groups: dict[str, set[int]] = {}
        for n, group in enumerate(groups):
            for cid in group:
                self._groups.setdefault(cid, set()).add(n)

    def __contains__(self, pair: object) -> bool:
        a, b = tuple(pair) if len(pair) == 2 else (None, None)  # type: ignore[arg-type]
        return a is not None and bool(self._groups.get(a, set()) & self._groups.get(b, set()))


def _decided(store: Store) -> DecidedPairs:
    """Cluster pairs a curator already judged (from the last build's inputs/curation.yaml)."""
    row = store.con.execute("SELECT inputs_dir FROM builds ORDER BY id DESC LIMIT 1").fetchone()
    if not row or not row[0]:
        return DecidedPairs()
    try:
        curation = load_curation(Path(row[0]) / "curation.yaml")
    except ValueError:
        return DecidedPairs()
    return DecidedPairs([*curation.merge, *curation.distinct])


def write_review(rows: list[dict[str, object]], path: Path) -> None:
    write_sheet(rows, path, COLUMNS, title="Review", widths=[5, 10, 11, 50, 30, 11, 50, 30, 12, 30],
                verdict_column="oordeel", verdicts=["ja", "nee"],
                prompt="ja = dezelfde vraag, nee = verschillende vragen")


def read_review(path: Path) -> list[dict[str, str]]:
    return read_sheet(path, "reviewlijst")


def apply_review(path: Path, curation_file: Path) -> str:
    """Turn the verdicts of a filled-in review list into curation.yaml entries."""
    rows = read_review(path)
    if rows and not {"vraag_a", "vraag_b", "oordeel"} <= set(rows[0]):
        raise ValueError(f"{path}: dit is geen reviewlijst (kolommen vraag_a, vraag_b en oordeel ontbreken)")
    curation = load_curation(curation_file)
    merges: list[list[str]] = []
    distincts: list[list[str]] = []
    skipped = 0
    known = {frozenset(g) for g in [*curation.merge, *curation.distinct]}
    for n, row in enumerate(rows, start=2):
        verdict = row.get("oordeel", "").strip().lower()
        a, b = row.get("vraag_a", "").strip(), row.get("vraag_b", "").strip()
        if not verdict:
            skipped += 1
            continue
        if not (a.startswith("Q-") and b.startswith("Q-")):
            raise ValueError(f"{path}, regel {n}: vraag_a en vraag_b moeten ids als Q-1a2b3c zijn")
        if frozenset((a, b)) in known:
            continue
        if verdict in YES:
            merges.append([a, b])
        elif verdict in NO:
            distincts.append([a, b])
        else:
            raise ValueError(f"{path}, regel {n}: onbekend oordeel '{verdict}' (gebruik ja of nee)")
        known.add(frozenset((a, b)))
    add_decisions(curation_file, merge=merges, distinct=distincts)
    return (f"{len(merges)} samenvoegingen en {len(distincts)} 'verschillend'-oordelen toegevoegd aan "
            f"{curation_file}; {skipped} paren zonder oordeel overgeslagen")
