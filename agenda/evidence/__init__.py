"""What is already known: the evidence library (``inputs/kennis/``) matched to the agenda's questions.

One stage, one package (the data flow: ingest → store → dedupe → **evidence** → rank):

- :mod:`.library` reads the library's files into knowledge sources ``K-xxxxxx`` with passages;
- :mod:`.match` finds, per question, the most relevant sources (BM25 + e5, fused);
- :mod:`.attach` turns suggestions and the curator's verdicts into each item's ``evidence``
  and moves answered questions out of the ranking;
- :mod:`.sheet` writes the curator's evidence sheet and applies its verdicts to curation.yaml.

The two stage functions below are what the build's Prefect tasks call (paths and ids in,
plain values out; each opens its own short-lived database connection).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path

from agenda.models import Cluster, Mention
from agenda.settings import Limits
from agenda.store import Store

log = logging.getLogger("agenda.evidence")

__all__ = ["library_stage", "match_stage", "question_texts", "stopword_lists", "stopwords"]

MAX_FORMULATIONS = 12  # per question in the dense query: the question plus its first formulations


@lru_cache(maxsize=1)
def stopword_lists() -> dict[str, frozenset[str]]:
    """Stop words per language: ``{"nl": …, "en": …}`` (agenda/data/{nl,en}_stopwords.txt)."""
    out: dict[str, frozenset[str]] = {}
    for lang in ("nl", "en"):
        text = resources.files("agenda.data").joinpath(f"{lang}_stopwords.txt").read_text(encoding="utf-8")
        out[lang] = frozenset(w.strip().lower() for line in text.splitlines() if not line.startswith("#")
                              for w in line.split() if w.strip())
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Dutch and English stop words for the BM25 index (agenda/data/{nl,en}_stopwords.txt)."""
    return frozenset().union(*stopword_lists().values())


def library_stage(db_path: Path, build_id: int, inputs_dir: Path, limits: Limits | None = None,
                  timeout: float = 5.0, allow_shrink: bool = False) -> dict[str, str]:
    """Read ``inputs_dir/kennis/`` into the store (replacing the previous library); record its
    rejected files with this build. Returns relative path -> sha256 of every library file.

    Raises `agenda.pipeline.InputsShrunk` (the build marked failed) when the latest version had a
    library and ``kennis/`` now gives none (an unmounted share) or fewer than half its entries (one
    export replaced by a cut-short one, a subfolder not mounted), unless `allow_shrink`; the same
    rule as for the other inputs."""
    from agenda.evidence.library import LIBRARY_DIR, read_library

    result = read_library(Path(inputs_dir), limits)
    for note in result.notes:
        log.info(note)
    if not allow_shrink:
        with Store(db_path, timeout=timeout) as store:
            before = store.latest_library_size()
            if before and (not result.sources or len(result.sources) < before / 2):
                from agenda.pipeline import InputsShrunk

                store.record_rejections(build_id, result.rejections)
                store.finish_build(build_id, "failed", None, "")
                why = (f"{len(result.rejections)} bestand(en) afgewezen, zie `kennisagenda rejected`"
                       if result.rejections else "is die (netwerk)map gekoppeld?")
                now = f"nog {len(result.sources)} bronnen" if result.sources else "geen bronnen meer"
                raise InputsShrunk(
                    f"{now} in {Path(inputs_dir) / LIBRARY_DIR} ({before} in de laatste versie; {why}): "
                    "geen nieuwe versie gemaakt. Bewust zonder kennisbibliotheek bouwen: --allow-shrink "
                    "(of allow_shrink = true in de instellingen)")
    with Store(db_path, timeout=timeout) as store:
        store.save_library(build_id, result.sources, stopwords())
        store.record_rejections(build_id, result.rejections)
    warned = sum(r.severity == "warning" for r in result.rejections)
    print(f"kennisbibliotheek: {len(result.sources)} bronnen uit {len(result.digests)} bestanden, "
          f"{len(result.rejections) - warned} afgewezen" + (f", {warned} met een waarschuwing" if warned else ""))
    return result.digests


def question_texts(cluster: Cluster, mentions: dict[str, Mention]) -> list[str]:
    """What a question is searched with: its agenda formulation, then its distinct formulations."""
    texts = [cluster.question]
    seen = {" ".join(cluster.question.casefold().split())}
    for mid in cluster.mention_ids:
        m = mentions.get(mid)
        if m is None:
            continue
        key = " ".join(m.text.casefold().split())
        if key not in seen:
            seen.add(key)
            texts.append(m.text)
        if len(texts) >= MAX_FORMULATIONS:
            break
    return texts


def match_stage(db_path: Path, build_id: int, timeout: float = 5.0) -> int:
    """Suggest knowledge sources for every current (not excluded) question; returns how many
    questions got at least one suggestion."""
    from agenda.evidence.match import match_questions

    with Store(db_path, timeout=timeout) as store:
        clusters = [c for c in store.clusters() if c.excluded is None]
        if not store.passages():
            store.save_suggestions(build_id, [])
            return 0
        mentions = {m.id: m for m in store.mentions(include_candidates=True)}
        found = match_questions(store, {c.id: question_texts(c, mentions) for c in clusters})
        passages = {row[0]: row[3] for row in store.passages()}
        rows = [(cid, s.source_id, rank, round(s.score, 4), s.bm25, round(s.cosine, 4), passages.get(s.passage_id, ""))
                for cid, suggestions in found.items() for rank, s in enumerate(suggestions, start=1)]
        store.save_suggestions(build_id, rows)
    n = sum(bool(s) for s in found.values())
    print(f"kennisbibliotheek: {n} van {len(found)} vragen hebben een mogelijk relevante bron")
    return n
