"""Shared helpers for the dedupe benchmarks: data loading and metrics."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "dev_questions.csv"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def load_dev(path: str | Path = DEFAULT_DATA) -> tuple[list[str], list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["cluster"] for r in rows]


def bcubed(pred, gold) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 over items."""
    pred = list(pred)
    gold = list(gold)
    joint = Counter(zip(pred, gold))
    pc, gc = Counter(pred), Counter(gold)
    n = len(pred)
    p = sum(joint[(a, b)] ** 2 / pc[a] for a, b in joint) / n
    r = sum(joint[(a, b)] ** 2 / gc[b] for a, b in joint) / n
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def pair_ap(n: int, pairs: np.ndarray, scores: np.ndarray, gold) -> float:
    """Average precision over ALL pairs i<j; pairs not scored rank last (score -inf)."""
    g = np.asarray(gold)
    iu, ju = np.triu_indices(n, 1)
    y = g[iu] == g[ju]
    if not y.any():
        return float("nan")
    s = np.full(len(iu), -np.inf)
    if len(pairs):
        a, b = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
        # index of (a, b) in the condensed upper triangle
        pos = a * n - a * (a + 1) // 2 + (b - a - 1)
        s[pos] = scores
    order = np.argsort(-s, kind="stable")
    ys = y[order]
    finite = np.isfinite(s[order])
    hits = np.cumsum(ys)
    prec = hits / np.arange(1, len(ys) + 1)
    # unscored positives contribute precision 0 (not retrieved)
    return float((prec * ys * finite).sum() / y.sum())


def recall_at_k(n: int, pairs: np.ndarray, scores: np.ndarray, gold, k: int = 5) -> float:
    """Share of gold duplicate pairs where one is among the other's k highest-scored partners."""
    g = np.asarray(gold)
    per: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for (i, j), s in zip(np.asarray(pairs).tolist(), np.asarray(scores).tolist()):
        per[i].append((-s, j))
        per[j].append((-s, i))
    top = [set(j for _, j in sorted(lst)[:k]) for lst in per]
    tot = hit = 0
    for i in range(n):
        for j in range(i + 1, n):
            if g[i] == g[j]:
                tot += 1
                hit += (j in top[i]) or (i in top[j])
    return hit / tot if tot else float("nan")
