"""The e5 ONNX graph's weight formats: speed, and how far another CPU's float rounding moves the vectors.

    python bench/e5_backends.py [--data ../shared/data/dev_questions.csv] [--weights fp32,int8,q4]

Builds each graph (``agenda.dedupe.e5onnx.build_model(weights=...)``) into a temporary folder and
embeds the dev-set questions plus the sample-corpus gold questions with 2 threads (best of 3,
wall and per CPU-second). Then the same texts again with the encoder's float input perturbed by
a relative 1e-6 (``x * (1 + 1e-6 * N(0, 1))``): the size of the differences between two
instruction sets' float kernels (summation order, FMA). A graph whose vectors move by more than
~1e-6 under that perturbation amplifies rounding, so two CPUs can give different merges,
suggestions and ranks. Last, each format's vectors against the shipped one (max |diff|, min cosine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATA, REPO, load_dev  # noqa: E402

SAMPLE_GOLD = REPO / "bench" / "data" / "sample_corpus_gold.csv"


def main(argv=None) -> None:
    from agenda.dedupe import e5onnx
    from agenda.dedupe.text import normalise

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--weights", default="fp32,int8,q4")
    args = ap.parse_args(argv)
    texts = [normalise(t) for t in load_dev(args.data)[0] + load_dev(SAMPLE_GOLD)[0]]
    vecs = {}
    print(f"{len(texts)} questions; shipped weights: {e5onnx.WEIGHTS}; CPU: {e5onnx.cpu_features()}")
    print(f"{'weights':<8} {'q/s':>6} {'q/cpu-s':>8} {'noise 1e-6: max|dv|':>20} {'min cos':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for w in [s.strip() for s in args.weights.split(",") if s.strip()]:
            d = Path(tmp) / w
            e5onnx.build_model(d, weights=w)
            model = e5onnx.OnnxE5(d, threads=2, weights=None)
            model.embed(texts[:5])
            best_wall = best_cpu = 0.0
            for _ in range(3):
                c0, t0 = time.process_time(), time.perf_counter()
                v = model.embed(texts)
                t1, c1 = time.perf_counter(), time.process_time()
                best_wall, best_cpu = max(best_wall, len(texts) / (t1 - t0)), max(best_cpu, len(texts) / (c1 - c0))
            rng = np.random.default_rng(0)
            run = model._sess.run

            def noisy(outs, feeds, run=run):
                x = feeds["x"]
                return run(outs, dict(feeds, x=(x * (1 + 1e-6 * rng.standard_normal(x.shape))).astype(np.float32)))

            model._sess.run = noisy
            vn = model.embed(texts)
            model._sess.run = run
            vecs[w] = v
            print(f"{w:<8} {best_wall:>6.1f} {best_cpu:>8.1f} {np.abs(v - vn).max():>20.2e} "
                  f"{(v * vn).sum(1).min():>10.7f}", flush=True)
    ref = vecs.get(e5onnx.WEIGHTS)
    if ref is not None:
        for w, v in vecs.items():
            if w != e5onnx.WEIGHTS:
                print(f"{w} vs {e5onnx.WEIGHTS}: max |diff| {np.abs(v - ref).max():.4f}, "
                      f"min cosine {(v * ref).sum(1).min():.5f}, mean {(v * ref).sum(1).mean():.5f}")


if __name__ == "__main__":
    main()
