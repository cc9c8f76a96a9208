"""The e5 vectors are the same on every x86-64 CPU: pinned to reference values computed once.

The shipped ONNX graph runs in float (``agenda.dedupe.e5onnx.WEIGHTS``): two instruction sets
differ only in the order of float sums, ~1e-7 per component. The former int8 graph rounded
every activation and moved vectors by up to 1e-2 between CPUs; a drift of that kind fails here
as one clear failure, before it shows up as a changed merge, suggestion or rank.

Reference: ``tests/data/e5_pinned.json``, written by ``python tests/test_e5_pinned.py --write``
(AMD EPYC, AVX2 without AVX-512, onnxruntime 1.32.0), vectors rounded to 6 decimals.
Tolerance: 2e-4 per component and cosine >= 0.99999 (float noise is ~1e-7; the int8 graph was
1e-2 away from these values).
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

REF = Path(__file__).resolve().parent / "data" / "e5_pinned.json"
TOL = 2e-4
MIN_COS = 0.99999
TEXTS = {
    "query": [
        "Hoe zorgen we dat leerlingen met een ondersteuningsbehoefte passend onderwijs krijgen?",
        "Van wie zijn de gegevens die leerlingen in de oefensoftware achterlaten?",
        "Wat werkt bij het betrekken van ouders bij de overstap naar gepersonaliseerd leren?",
        "Hoe organiseer je het rooster zonder vaste jaargroepen?",
        "What is the effect of personalised learning on pupils in vso?",
        "Café crème à l'école — coördinatie en reünie 😀",
    ],
    "passage": [
        "Who owns the data that schools collect on learners, consent, transparency and the privacy of pupils.",
        "Een leerplein inrichten voor groepsdoorbroken werken: zones voor instructie, stil werken en samenwerken.",
    ],
}


def _model():
    from agenda.dedupe.e5onnx import OnnxE5

    return OnnxE5(threads=2)


def test_vectors_equal_the_pinned_reference():
    try:
        model = _model()
    except FileNotFoundError as exc:  # pragma: no cover - `make` builds it
        pytest.fail(f"ONNX e5 not built: {exc}")
    ref = json.loads(REF.read_text(encoding="utf-8"))
    assert ref["weights"] == model.weights
    for side, texts in TEXTS.items():
        got = model.embed(texts, side)
        want = np.array(ref[side], dtype=np.float32)
        diff = np.abs(got - want).max(axis=1)
        cos = (got * want).sum(1) / np.linalg.norm(want, axis=1)
        worst = int(diff.argmax())
        assert diff.max() <= TOL and cos.min() >= MIN_COS, (
            f"e5 vectors drifted from the pinned reference ({side}): max |diff| {diff.max():.2e} "
            f"(tolerance {TOL}), min cosine {cos.min():.6f}, worst text {texts[worst][:50]!r}")


def test_the_shipped_graph_has_no_integer_gemm(tmp_path):
    """No op whose result depends on the CPU's integer kernels, before or after onnxruntime's
    graph optimisations on this machine."""
    import onnxruntime as ort

    from agenda.dedupe.e5onnx import ONNX_FILE, integer_ops, model_dir

    path = model_dir() / ONNX_FILE
    assert integer_ops(path) == []
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.optimized_model_filepath = str(tmp_path / "optimised.onnx")
    opts.log_severity_level = 3
    ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    assert integer_ops(tmp_path / "optimised.onnx") == []


def test_a_version_records_the_embedding_backend_and_cpu(sample_build):
    from agenda.store import Store

    _, db, *_ = sample_build
    with Store(db) as store:
        info = store.version().build_info
    assert info["embedder"].startswith("e5-small-") and info["embedder"].endswith("-query")
    assert info["onnxruntime"] and info["cpu"]
    assert isinstance(info["cpu_features"], list)


def _write() -> None:  # pragma: no cover - run once by hand when the model changes on purpose
    model = _model()
    out = {"weights": model.weights}
    for side, texts in TEXTS.items():
        out[side] = np.round(model.embed(texts, side).astype(np.float64), 6).tolist()
    REF.write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(f"{REF} written")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--write"]:
        _write()
