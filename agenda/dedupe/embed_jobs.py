"""Embedding work split into chunks, for the flow to spread over task workers (threads or Dask).

Three plain functions over paths and names (no Prefect, no connection crosses a call):

* ``embedding_chunks(db_path, embedder_name, texts, chunk)`` — the texts (normalised, the
  cache key) with no cached vector for that embedder, deduplicated, in chunks;
* ``embed_chunk(embedder_name, texts)`` — their vectors; runs anywhere the project is
  installed (the embedder is re-created by name in the worker process, once per process);
* ``store_embeddings(db_path, embedder_name, texts, vectors)`` — caches them (only the flow
  process calls this: it is the one writer of the database).

A rebuild therefore embeds only new text, and the clustering stage afterwards finds every
vector of the build in the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agenda.dedupe.embed import Embedder, embedder_by_name
from agenda.dedupe.text import normalise
from agenda.store import Store

__all__ = ["EMBED_CHUNK", "build_texts", "clustering_embedder", "embed_chunk", "embedding_chunks",
           "store_embeddings"]

EMBED_CHUNK = 1000  # texts per task: ~15-40 s of e5 on one worker, large enough to amortise a task


def clustering_embedder() -> Embedder:
    """The embedder the clustering stage reads its question vectors from."""
    from agenda.dedupe import pairs

    return pairs.semantic_embedder()


def build_texts(db_path: Path, timeout: float = 5.0) -> list[str]:
    """Texts of every mention in the database (agenda questions and candidates), as stored."""
    with Store(db_path, read_only=True, timeout=timeout) as store:
        return [m.text for m in store.mentions(include_candidates=True)]


def embedding_chunks(db_path: Path | None, embedder_name: str, texts: Sequence[str],
                     chunk: int = EMBED_CHUNK, timeout: float = 5.0) -> list[list[str]]:
    """Normalised ``texts`` without a cached vector for ``embedder_name``, unique, in order, as
    chunks of at most ``chunk`` texts. ``db_path`` None or not yet created: nothing is cached."""
    if chunk < 1:
        raise ValueError("chunk must be >= 1")
    keys = list(dict.fromkeys(normalise(t) for t in texts))
    if db_path is not None and Path(db_path).exists() and keys:
        with Store(db_path, read_only=True, timeout=timeout) as store:
            cached = store.cached_embeddings(embedder_name, keys)
        keys = [k for k in keys if k not in cached]
    return [keys[s:s + chunk] for s in range(0, len(keys), chunk)]


def embed_chunk(embedder_name: str, texts: list[str]) -> np.ndarray:
    """(len(texts), d) float32 L2-normalised vectors of already normalised texts."""
    return embedder_by_name(embedder_name).embed(list(texts))


def store_embeddings(db_path: Path, embedder_name: str, texts: list[str], vectors: np.ndarray,
                     timeout: float = 5.0) -> int:
    """Cache ``vectors`` under (``embedder_name``, text); returns how many texts were given."""
    if len(texts) != len(vectors):
        raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
    if texts:
        with Store(db_path, timeout=timeout) as store:
            store.cache_embeddings(embedder_name, dict(zip(texts, np.asarray(vectors, np.float32))))
    return len(texts)
