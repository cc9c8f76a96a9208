"""embed: vectors for the uncached texts of a build, in chunks, one Prefect task per chunk.

With the default thread runner the chunks run in this process; with ``--task-runner dask``
the build runs this subflow on a Dask cluster, so each worker embeds its own chunks (the
embedder is loaded once per worker process, by name). Only this flow process writes the
vectors into DuckDB, as each chunk comes back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from prefect import flow, task
from prefect.futures import as_completed

from agenda.dedupe import embed_jobs


@task(name="embed-chunk", task_run_name="embed {embedder_name} ({size} teksten)", retries=1)
def embed_chunk(embedder_name: str, texts: list[str], size: int) -> np.ndarray:
    return embed_jobs.embed_chunk(embedder_name, texts)


@flow(name="embed", log_prints=True)
def embed_texts(db_path: Path, embedder_name: str, texts: list[str] | None = None,
                chunk: int = embed_jobs.EMBED_CHUNK, timeout: float = 5.0) -> int:
    """Embed the ``texts`` (default: every mention of the database) that have no cached vector
    for ``embedder_name``; returns how many were embedded and stored. ``timeout``: seconds to
    wait for the database when another process holds it."""
    if texts is None:
        texts = embed_jobs.build_texts(db_path, timeout) if Path(db_path).exists() else []
    chunks = embed_jobs.embedding_chunks(db_path, embedder_name, texts, chunk, timeout)
    if not chunks:
        return 0
    print(f"{sum(map(len, chunks))} nieuwe teksten embedden in {len(chunks)} deel(en) ({embedder_name})")
    futures = {embed_chunk.submit(embedder_name, c, len(c)): c for c in chunks}
    done = 0
    for future in as_completed(list(futures)):
        done += embed_jobs.store_embeddings(db_path, embedder_name, futures[future], future.result(), timeout)
    return done
