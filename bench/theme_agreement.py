"""Agreement of theme and question-type assignment with a curator's labels on the sample corpus.

    python bench/theme_agreement.py

Labels: ``bench/data/sample_corpus_themes.csv`` — each of the 32 gold questions of
``bench/data/sample_corpus_gold.csv`` given one theme and one question type of the shipped
``agenda/data/themes.yaml`` by hand (2026-12-03, from the themes' descriptions, before any
method's output was looked at); every formulation (107) inherits its question's labels.
Per method: the share of formulations whose assigned theme / type equals the label, and the
same per question (its first formulation). Methods: keywords and openings only; plus the
semantic similarity from USE v3 (the former second model, when its package is still installed);
plus the e5 vectors every build already has (``agenda.themes.assign_themes`` as shipped).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, load_dev  # noqa: E402

GOLD = REPO / "bench" / "data" / "sample_corpus_gold.csv"
LABELS = REPO / "bench" / "data" / "sample_corpus_themes.csv"


class NoSemantics:
    name = "flat"

    def embed(self, texts):
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def main() -> None:
    from agenda import themes
    from agenda.models import AgendaItem, Curation
    from agenda.settings import Settings

    texts, clusters = load_dev(GOLD)
    with LABELS.open(encoding="utf-8") as fh:
        label = {r["cluster"]: (r["theme"], r["question_type"]) for r in csv.DictReader(fh)}
    first = {c: i for i, c in reversed(list(enumerate(clusters)))}
    shipped = themes.SEMANTIC_WEIGHT
    methods = {"keywords + openings only": (NoSemantics(), shipped)}
    from _use import use_or_none

    if (use := use_or_none()) is not None:
        methods["+ USE v3 cosine (before)"] = (use, 1.0)  # its weight then
    methods["+ e5 (shipped)"] = (None, shipped)
    print(f"{len(texts)} formulations, {len(first)} questions, {len({t for t, _ in label.values()})} themes used")
    print(f"{'method':<28} {'theme (all)':>11} {'type (all)':>10} {'theme (q)':>10} {'type (q)':>9}")
    for name, (emb, weight) in methods.items():
        themes.SEMANTIC_WEIGHT = weight
        items = [AgendaItem(rank=1, cluster_id=f"Q-{i}", question=t, score=1, frequency=1, n_mentions=1,
                            explanation="x") for i, t in enumerate(texts)]
        if emb is None:
            themes.assign_themes(items, Curation(), Settings())
        elif name.startswith("+ USE"):  # as the build did before: USE on the questions as written
            book = themes.load_themes(None)
            q_emb = emb.embed(texts)
            for key, opts in (("theme", book.themes), ("question_type", book.question_types)):
                o_emb = emb.embed([f"{t.name}: {t.description}" for t in opts])
                for item, value in zip(items, themes._choose(texts, opts, q_emb, o_emb)):
                    setattr(item, key, value)
        else:
            themes.assign_themes(items, Curation(), Settings(), embedder=emb)
        th = np.array([i.theme == label[c][0] for i, c in zip(items, clusters)])
        ty = np.array([i.question_type == label[c][1] for i, c in zip(items, clusters)])
        q = np.array(sorted(first.values()))
        print(f"{name:<28} {th.mean():>11.3f} {ty.mean():>10.3f} {th[q].mean():>10.3f} {ty[q].mean():>9.3f}",
              flush=True)


if __name__ == "__main__":
    main()
