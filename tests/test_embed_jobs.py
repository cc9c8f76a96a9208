"""Embedding in chunks (agenda/dedupe/embed_jobs.py): only uncached text, cached by the one writer."""

import numpy as np
import pytest

from agenda.dedupe import embed_jobs
from agenda.dedupe.embed import e5_embedder
from agenda.dedupe.text import normalise
from agenda.store import Store

TEXTS = ["Wat werkt bij begrijpend lezen?", "Hoe houd je leraren vast?", "wat werkt bij begrijpend lezen",
         "Welke rol speelt de ouder bij huiswerk?", "Hoe geef je feedback die landt?"]


def test_chunks_hold_only_uncached_texts_and_fill_the_cache(tmp_path):
    db = tmp_path / "e.duckdb"
    name = e5_embedder("query").name
    chunks = embed_jobs.embedding_chunks(db, name, TEXTS, chunk=2)  # no database yet: nothing cached
    keys = list(dict.fromkeys(normalise(t) for t in TEXTS))
    assert [k for c in chunks for k in c] == keys and [len(c) for c in chunks] == [2, 2]
    first = embed_jobs.embed_chunk(name, chunks[0])
    assert first.shape == (2, 384) and first.dtype == np.float32
    Store(db).close()
    assert embed_jobs.store_embeddings(db, name, chunks[0], first) == 2
    rest = embed_jobs.embedding_chunks(db, name, TEXTS, chunk=10)
    assert rest == [keys[2:]]
    with Store(db, read_only=True) as store:
        got = store.cached_embeddings(name, chunks[0])
    assert np.allclose(got[chunks[0][1]], first[1])
    assert embed_jobs.embedding_chunks(db, "another-model", TEXTS[:1]) == [[keys[0]]]
    with pytest.raises(ValueError):
        embed_jobs.store_embeddings(db, name, chunks[0], first[:1])
