"""Deduplication speed and memory at 1k, 10k and 100k questions.

    python bench/dedupe_scale.py [--sizes 1000,10000,100000] [--data CSV]

Synthetic questions are generated from the dev set with word-level perturbations
(drop, swap with a neighbour, duplicate, replace by a word from another question,
add a filler phrase), all distinct.  Each size runs ``cluster_texts`` (embedding
included, with an empty embedding memo) in its own subprocess, which reports wall
time, embedding throughput and peak RSS (``resource.getrusage`` maxrss).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

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


def run_one(n: int, data: str) -> dict:
    import resource

    from agenda.dedupe import pairs as dedupe
    from agenda.dedupe.text import normalise

    texts = synthesize(load_dev(data)[0], n)
    emb = dedupe.semantic_embedder()  # the embedder the shipped pair model is fitted for
    t0 = time.perf_counter()
    vecs = emb.embed([normalise(t) for t in texts])
    t_emb = time.perf_counter() - t0
    t1 = time.perf_counter()
    labels = dedupe.cluster_texts(texts, embeddings=vecs)
    t_cl = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB
    return {"rows": n, "embedder": emb.name, "embed_s": t_emb, "cluster_s": t_cl,
            "total_s": t_emb + t_cl, "per_s": n / t_emb if t_emb else 0.0,
            "clusters": len(set(labels)), "peak_rss_mib": rss}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.data)))
        return
    print(f"{'rows':>7} {'embed s':>8} {'emb/s':>6} {'cluster s':>9} {'total s':>8} "
          f"{'clusters':>8} {'peak MiB':>8}  embedder")
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        p = subprocess.run([sys.executable, __file__, "--one", str(n), "--data", args.data],
                           capture_output=True, text=True, cwd=REPO)
        if p.returncode != 0:
            print(f"{n:>7} failed: {p.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"{r['rows']:>7} {r['embed_s']:>8.1f} {r['per_s']:>6.0f} {r['cluster_s']:>9.1f} "
              f"{r['total_s']:>8.1f} {r['clusters']:>8} {r['peak_rss_mib']:>8.0f}  {r['embedder']}",
              flush=True)


if __name__ == "__main__":
    main()
