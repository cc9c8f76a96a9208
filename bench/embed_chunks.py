"""The `embed` subflow on threads vs a local 2-worker Dask cluster.

    python bench/embed_chunks.py [--texts 2000] [--chunk 500] [--data CSV]

Needs the dask extra (``pip install -e '.[dask]'``). Synthetic questions (as in
``bench/dedupe_scale.py``) are embedded with the clustering embedder by ``flows.embed.embed_texts``
into a fresh DuckDB file, once with Prefect's default thread runner (all chunks in this process)
and once with a ``DaskTaskRunner`` over a ``LocalCluster`` of 2 worker processes x 1 thread on
127.0.0.1. Prints wall seconds and texts/s of each, with and without the cluster's start-up
(worker processes start, import the project and load the model); the ephemeral Prefect server
is started before timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATA, load_dev  # noqa: E402
from dedupe_scale import synthesize  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=2000)
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="embed-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")  # busy machines

    from prefect import flow
    from prefect.context import get_run_context
    from prefect_dask import DaskTaskRunner

    from agenda.dedupe.embed_jobs import clustering_embedder
    from agenda.store import Store
    from flows.embed import embed_texts

    texts = synthesize(load_dev(args.data)[0], args.texts, seed=1)
    name = clustering_embedder().name

    @flow(name="embed-bench")
    def run(mode: str, db: Path) -> dict:
        t0 = time.perf_counter()
        sub = embed_texts
        if mode == "dask":
            env = {"PREFECT_API_URL": str(get_run_context().client.api_url).rstrip("/"),
                   "PREFECT_HOME": os.environ["PREFECT_HOME"]}
            sub = embed_texts.with_options(task_runner=DaskTaskRunner(cluster_kwargs={
                "n_workers": 2, "threads_per_worker": 1, "processes": True, "host": "127.0.0.1", "env": env}))
        n = sub(db, name, texts, args.chunk)
        return {"n": n, "wall": time.perf_counter() - t0}

    @flow(name="embed-bench-warmup")
    def warmup() -> None:
        return None

    warmup()  # starts the ephemeral Prefect server outside the timings
    print(f"{args.texts} synthetic questions, chunks of {args.chunk}, embedder {name}")
    print(f"{'runner':<34} {'texts':>6} {'wall s':>7} {'texts/s':>8}")
    for mode in ("thread", "dask"):
        db = tmp / f"{mode}.duckdb"
        Store(db).close()
        r = run(mode, db)
        label = "threads (1 process, 2 cores)" if mode == "thread" else "dask LocalCluster 2 workers x 1"
        print(f"{label:<34} {r['n']:>6} {r['wall']:>7.1f} {r['n'] / r['wall']:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
