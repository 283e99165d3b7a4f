"""Case list, byte/flop formulas, runtime estimates and CSV I/O for the GPU harness.

This module is deliberately free of PyTorch/Triton so that the case list, the
formulas and the CSV schema can be listed and unit-tested on a machine without
them (``python3 validation/gpu/harness.py --list``).

Conventions (also in validation/README.md):

* GEMM/GEMV: ``C[m x n] = A[m x k] @ W[k x n]``; for GEMV ``m`` is the batch.
* ``bytes`` is the *minimum* traffic: every input read once, every output
  written once, at the stored precision.  ``flops`` counts useful arithmetic
  (a multiply-add is 2).  Formulas per class are in :func:`case_bytes` and
  :func:`case_flops`.
* ``achieved_gbps = bytes / median`` (1 GB/s = 1e9 B/s) and
  ``achieved_tflops = flops / median`` (1 TFLOP/s = 1e12 FLOP/s).
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional

# --------------------------------------------------------------------------
# CSV schema
# --------------------------------------------------------------------------

CSV_COLUMNS = [
    "case_id", "kernel_class", "model", "op", "dtype", "weight_bits", "group_size",
    "batch", "m", "n", "k", "seq_len", "heads", "kv_heads", "head_dim", "d_state",
    "d_inner", "layers", "median_us", "p10_us", "p90_us", "bytes", "flops",
    "achieved_gbps", "achieved_tflops", "n_runs", "device", "driver", "torch",
    "triton", "cuda", "error",
]

KERNEL_CLASSES = ["gemv", "gemm", "qgemv", "softmax", "attention", "scan", "decoder_step"]

DTYPE_BYTES = {"fp16": 2, "bf16": 2, "fp32": 4}

# --------------------------------------------------------------------------
# Model shapes (HuggingFace config.json values)
# --------------------------------------------------------------------------

# Projection shapes per model as (op, k, n, occurrences per layer).  Identical
# shapes are merged (e.g. Llama-2-7B q/k/v/o are all 4096x4096); the
# multiplicity lets the summary weight a whole decoder layer.
PROJECTIONS = {
    "llama2_7b": [  # hidden 4096, intermediate 11008, 32 heads (MHA)
        ("qkvo_proj", 4096, 4096, 4),
        ("gate_up_proj", 4096, 11008, 2),
        ("down_proj", 11008, 4096, 1),
    ],
    "qwen2_7b": [  # hidden 3584, intermediate 18944, 28 heads, 4 KV heads, head_dim 128
        ("q_o_proj", 3584, 3584, 2),
        ("k_v_proj", 3584, 512, 2),
        ("gate_up_proj", 3584, 18944, 2),
        ("down_proj", 18944, 3584, 1),
    ],
    "mamba_2.8b": [  # d_model 2560, d_inner 5120, d_state 16, dt_rank 160, conv 4
        ("in_proj", 2560, 10240, 1),
        ("x_proj", 5120, 160 + 2 * 16, 1),
        ("dt_proj", 160, 5120, 1),
        ("out_proj", 5120, 2560, 1),
    ],
}

GEMV_BATCHES = [1, 2, 4, 8, 16]
# Batches of the nn.Linear-layout GEMVs (W[n, k]); `op` of those rows ends in LINEAR_SUFFIX.
LINEAR_BATCHES = [1, 4]
LINEAR_SUFFIX = "_linear"
GEMM_M = [128, 512, 2048, 8192]
GEMM_SHAPES = [  # (model, op, k, n)
    ("llama2_7b", "qkvo_proj", 4096, 4096),
    ("llama2_7b", "gate_up_proj", 4096, 11008),
    ("llama2_7b", "down_proj", 11008, 4096),
    ("qwen2_7b", "gate_up_proj", 3584, 18944),
]

# LLaVA-Video-7B (LLM = Qwen2-7B): 64 frames x 210 tokens/frame + 128 text tokens.
LLAVA_VIDEO_FRAMES = 64
LLAVA_VIDEO_TOKENS_PER_FRAME = 210
LLAVA_TEXT_TOKENS = 128
N_VISION = LLAVA_VIDEO_FRAMES * LLAVA_VIDEO_TOKENS_PER_FRAME  # 13440
N_DENSE = N_VISION + LLAVA_TEXT_TOKENS  # 13568
N_FRAMEFUSION = round(0.3 * N_VISION) + LLAVA_TEXT_TOKENS  # 4032 + 128 = 4160
ATTN_N = [1024, 2048, N_FRAMEFUSION, 8192, N_DENSE]
QWEN_HEADS, QWEN_KV_HEADS, QWEN_HEAD_DIM = 28, 4, 128

SOFTMAX_LENGTHS = [128 << i for i in range(9)]  # 128 .. 32768
SOFTMAX_HEADS = 32
SOFTMAX_MIN_BYTES = 64 * 1024 * 1024

MAMBA_D_INNER, MAMBA_D_STATE = 5120, 16
SCAN_SEQ_LENS = [256, 1024, 2048]
SCAN_STEP_BATCHES = [1, 8]

QGEMV_BITS = [4, 3]
QGEMV_GROUP = 128
QGEMV_BATCHES = [1, 4]
QGEMV_MODELS = ["llama2_7b", "qwen2_7b"]

DECODER = dict(model="llama2_7b", hidden=4096, inter=11008, heads=32, kv_heads=32,
               head_dim=128, layers=4, ctx=1024, batches=[1, 8])


# --------------------------------------------------------------------------
# Case
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One timed kernel.  Unused shape fields stay ``None`` (empty in the CSV).

    Field use per class:
      gemv/gemm/qgemv: batch=m, m, n, k (+ weight_bits, group_size for qgemv)
      softmax:   batch=1, heads, m=rows (all heads x query rows), n=seq_len=row length
      attention: batch, seq_len=N, heads, kv_heads, head_dim
      scan:      batch, seq_len, d_inner, d_state (op selects the implementation)
      decoder_step: batch, seq_len=KV context, heads, kv_heads, head_dim, layers,
                    k=hidden size, n=intermediate (MLP) size
    """

    case_id: str
    kernel_class: str
    model: str
    op: str
    dtype: str
    weight_bits: Optional[int] = None
    group_size: Optional[int] = None
    batch: Optional[int] = None
    m: Optional[int] = None
    n: Optional[int] = None
    k: Optional[int] = None
    seq_len: Optional[int] = None
    heads: Optional[int] = None
    kv_heads: Optional[int] = None
    head_dim: Optional[int] = None
    d_state: Optional[int] = None
    d_inner: Optional[int] = None
    layers: Optional[int] = None
    quick: bool = False

    @property
    def bytes(self) -> int:
        return case_bytes(self)

    @property
    def flops(self) -> int:
        return case_flops(self)

    def shape_str(self) -> str:
        parts = []
        for f in ("weight_bits", "group_size", "batch", "m", "n", "k", "seq_len", "heads",
                  "kv_heads", "head_dim", "d_state", "d_inner", "layers"):
            v = getattr(self, f)
            if v is not None:
                parts.append(f"{f}={v}")
        return " ".join(parts)


# --------------------------------------------------------------------------
# Formulas
# --------------------------------------------------------------------------


def qgemv_weight_bytes(k: int, n: int, bits: int, group: int) -> int:
    """Packed weight bytes plus fp16 scale and fp16 zero per (group, column).

    W4: 8 weights per int32 -> k*n/2 bytes.  W3: bit planes, 16 low 2-bit parts
    per int32 plus 32 high bits per int32 (32 weights in 3 words) -> 3*k*n/8
    bytes.  Scales+zeros: (k/group)*n*2*2 bytes.  Bits/weight incl. scale and
    zero = bits + 32/group (W3, g128: 3.25; W4: 4.25).
    """
    return (bits * k * n) // 8 + (k // group) * n * 2 * 2


def decoder_params_per_layer(c: Case) -> int:
    hidden, inter = c.k, c.n
    q = c.heads * c.head_dim
    kv = c.kv_heads * c.head_dim
    # wq + wk + wv + wo + gate + up + down
    return hidden * q + 2 * hidden * kv + q * hidden + 3 * hidden * inter


def case_bytes(c: Case) -> int:
    """Minimum bytes moved (each input read once, each output written once)."""
    e = DTYPE_BYTES[c.dtype]
    cls = c.kernel_class
    if cls in ("gemv", "gemm"):
        # A (m x k) + W (k x n) + C (m x n), all at dtype
        return e * (c.m * c.k + c.k * c.n + c.m * c.n)
    if cls == "qgemv":
        # x (m x k fp16) + packed W + scales/zeros + y (m x n fp16)
        return e * c.m * c.k + qgemv_weight_bytes(c.k, c.n, c.weight_bits, c.group_size) \
            + e * c.m * c.n
    if cls == "softmax":
        # read rows x L, write rows x L
        return 2 * e * c.m * c.n
    if cls == "attention":
        # Q and O: b*h*N*d each; K and V: b*kv*N*d each (GQA: KV read once)
        return e * c.batch * c.seq_len * c.head_dim * (2 * c.heads + 2 * c.kv_heads)
    if cls == "scan":
        b, L, d, n = c.batch, c.seq_len, c.d_inner, c.d_state
        common = 4 * d * n + 4 * d  # A (d x n fp32) + D (d fp32)
        if c.op == "selective_scan_step":
            # u, delta (b x d) + B, C (b x n) + y (b x d) at dtype; state h (b x d x n fp32)
            # read and written.
            return e * (2 * b * d + 2 * b * n + b * d) + common + 2 * 4 * b * d * n
        # u, delta (b x L x d) + B, C (b x L x n) + y (b x L x d); state stays on chip
        return e * (2 * b * L * d + 2 * b * L * n + b * L * d) + common
    if cls == "decoder_step":
        b, layers = c.batch, c.layers
        kv_tok = c.kv_heads * c.head_dim
        per_layer = (
            e * decoder_params_per_layer(c)  # weights
            + 2 * e * b * (c.seq_len + 1) * kv_tok  # K and V cache read (ctx + new token)
            + 2 * e * b * kv_tok  # new K and V written
            + 2 * e * c.k  # two RMSNorm weight vectors
        )
        return layers * per_layer  # activations (b x hidden) are negligible and not counted
    raise ValueError(f"unknown kernel class {cls!r}")


def case_flops(c: Case) -> int:
    """Useful floating-point operations (multiply-add = 2)."""
    cls = c.kernel_class
    if cls in ("gemv", "gemm", "qgemv"):
        return 2 * c.m * c.n * c.k  # dequantisation work of qgemv not counted
    if cls == "softmax":
        # per element: max, subtract, exp, sum, scale = 5
        return 5 * c.m * c.n
    if cls == "attention":
        # QK^T and PV: 2 matmuls x 2 flop x b*h*N^2*d, halved by the causal mask
        return 4 * c.batch * c.heads * c.seq_len * c.seq_len * c.head_dim // 2
    if cls == "scan":
        # per (b, t, channel, state): delta*A, exp (ex2 + scale: 2), delta*u*B (2),
        # dA*h + dBu (2), C*h and its sum (2) = 9
        L = 1 if c.op == "selective_scan_step" else c.seq_len
        return 9 * c.batch * L * c.d_inner * c.d_state
    if cls == "decoder_step":
        # linear layers 2*b*params + attention over ctx+1 keys (QK^T and PV: 4*b*h*T*d);
        # norms, rotary and element-wise work are not counted
        b = c.batch
        per_layer = 2 * b * decoder_params_per_layer(c) \
            + 4 * b * c.heads * (c.seq_len + 1) * c.head_dim
        return c.layers * per_layer
    raise ValueError(f"unknown kernel class {cls!r}")


# --------------------------------------------------------------------------
# Case list
# --------------------------------------------------------------------------


def _softmax_rows(length: int, elt: int = 2) -> int:
    """Rows (multiple of 32 heads) so that read+write >= 64 MiB."""
    per_row = 2 * elt * length
    q_rows = max(1, math.ceil(SOFTMAX_MIN_BYTES / (per_row * SOFTMAX_HEADS)))
    return SOFTMAX_HEADS * q_rows


def build_cases(quick: bool = False) -> List[Case]:
    """All cases in a stable order; ``quick=True`` keeps the subset flagged quick."""
    out: List[Case] = []

    # 1. fp16/bf16 GEMV, batch 1..16
    for dtype in ("fp16", "bf16"):
        for model, projs in PROJECTIONS.items():
            for op, k, n, _mult in projs:
                for m in GEMV_BATCHES:
                    qk = dtype == "fp16" and model in ("llama2_7b", "qwen2_7b") and m in (1, 8)
                    out.append(Case(
                        case_id=f"gemv-{dtype}-{model}-{op}-m{m}", kernel_class="gemv",
                        model=model, op=op, dtype=dtype, batch=m, m=m, n=n, k=k, quick=qk))

    # 1b. the same fp16 GEMVs with nn.Linear's weight layout, W[n, k] (k contiguous):
    # F.linear(x, W) makes cuBLAS run its transposed GEMV (a warp per output row along a
    # contiguous row), while x @ W[k, n] above runs the non-transposed one (n contiguous,
    # the reduction split across blocks when n is small). op gets a `_linear` suffix.
    for model, projs in PROJECTIONS.items():
        for op, k, n, _mult in projs:
            for m in LINEAR_BATCHES:
                qk = model == "qwen2_7b" and op == "k_v_proj" and m == 1
                out.append(Case(
                    case_id=f"gemv-fp16-{model}-{op}-linear-m{m}", kernel_class="gemv",
                    model=model, op=f"{op}{LINEAR_SUFFIX}", dtype="fp16", batch=m, m=m, n=n,
                    k=k, quick=qk))

    # 2. prefill GEMM fp16; the Qwen2-7B shapes also at the LLaVA-Video token counts
    gemm = [(model, op, k, n, m) for model, op, k, n in GEMM_SHAPES for m in GEMM_M]
    for op, k, n, _mult in PROJECTIONS["qwen2_7b"]:
        for m in (N_FRAMEFUSION, N_DENSE):
            gemm.append(("qwen2_7b", op, k, n, m))
    for model, op, k, n, m in gemm:
        qk = (model == "llama2_7b" and op == "qkvo_proj" and m == 2048) or \
            (model == "qwen2_7b" and op == "gate_up_proj" and m == 2048)
        out.append(Case(
            case_id=f"gemm-fp16-{model}-{op}-m{m}", kernel_class="gemm", model=model, op=op,
            dtype="fp16", batch=m, m=m, n=n, k=k, quick=qk))

    # 3. fused low-bit GEMV (Triton), group 128, asymmetric
    for bits in QGEMV_BITS:
        for model in QGEMV_MODELS:
            for op, k, n, _mult in PROJECTIONS[model]:
                for m in QGEMV_BATCHES:
                    qk = m == 1 and op in ("qkvo_proj", "q_o_proj")
                    out.append(Case(
                        case_id=f"qgemv-w{bits}g{QGEMV_GROUP}-{model}-{op}-m{m}",
                        kernel_class="qgemv", model=model, op=op, dtype="fp16",
                        weight_bits=bits, group_size=QGEMV_GROUP, batch=m, m=m, n=n, k=k,
                        quick=qk))

    # 4. softmax over the last dim
    for length in SOFTMAX_LENGTHS:
        rows = _softmax_rows(length)
        out.append(Case(
            case_id=f"softmax-fp16-L{length}", kernel_class="softmax", model="generic",
            op="softmax_lastdim", dtype="fp16", batch=1, m=rows, n=length, seq_len=length,
            heads=SOFTMAX_HEADS, quick=length in (1024, 8192)))

    # 5. causal prefill attention, Qwen2-7B heads, LLaVA-Video token counts
    for n_tok in ATTN_N:
        out.append(Case(
            case_id=f"attention-fp16-qwen2_7b-N{n_tok}", kernel_class="attention",
            model="qwen2_7b", op="sdpa_causal_prefill", dtype="fp16", batch=1, seq_len=n_tok,
            heads=QWEN_HEADS, kv_heads=QWEN_KV_HEADS, head_dim=QWEN_HEAD_DIM,
            quick=n_tok in (N_FRAMEFUSION, N_DENSE)))

    # 6. Mamba-2.8B selective scan: sequential and chunked (associative) Triton kernels,
    #    plus the single-step decode update
    for impl in ("seq", "assoc"):
        for L in SCAN_SEQ_LENS:
            out.append(Case(
                case_id=f"scan-{impl}-mamba_2.8b-L{L}-b1", kernel_class="scan",
                model="mamba_2.8b", op=f"selective_scan_{impl}", dtype="fp16", batch=1,
                seq_len=L, d_state=MAMBA_D_STATE, d_inner=MAMBA_D_INNER,
                quick=L == 1024))
    for b in SCAN_STEP_BATCHES:
        out.append(Case(
            case_id=f"scan-step-mamba_2.8b-b{b}", kernel_class="scan", model="mamba_2.8b",
            op="selective_scan_step", dtype="fp16", batch=b, seq_len=1,
            d_state=MAMBA_D_STATE, d_inner=MAMBA_D_INNER, quick=b == 1))

    # 7. decoder step, 4 Llama-2-7B-shaped layers, KV context 1024
    d = DECODER
    for mode in ("eager", "cudagraph"):
        for b in d["batches"]:
            out.append(Case(
                case_id=f"decoder-{d['model']}-{mode}-b{b}", kernel_class="decoder_step",
                model=d["model"], op=f"{d['model']}_layers_{mode}", dtype="fp16", batch=b,
                m=b, n=d["inter"], k=d["hidden"], seq_len=d["ctx"], heads=d["heads"],
                kv_heads=d["kv_heads"], head_dim=d["head_dim"], layers=d["layers"],
                quick=b == 1))

    if quick:
        out = [c for c in out if c.quick]
    return out


def cases_by_id(cases: Iterable[Case]) -> Dict[str, Case]:
    return {c.case_id: c for c in cases}


# --------------------------------------------------------------------------
# Run order and runtime estimate
# --------------------------------------------------------------------------

# Torch-only classes first: a Triton kernel fault (illegal address) poisons the
# CUDA context for every later case, so the Triton cases run last; bf16 GEMVs
# are the lowest-priority torch cases.
_ORDER = {"gemv": 0, "gemm": 1, "attention": 2, "softmax": 3, "decoder_step": 4,
          "gemv_bf16": 5, "qgemv": 6, "scan": 7}


def run_order(cases: Iterable[Case]) -> List[Case]:
    def key(c: Case):
        cls = "gemv_bf16" if (c.kernel_class == "gemv" and c.dtype == "bf16") else c.kernel_class
        return _ORDER[cls]
    return sorted(cases, key=key)  # stable: keeps list order within a class


# Device model used only for the runtime estimate (H100 SXM, measured-ish numbers).
EST_HBM_BPS = 3.0e12
EST_TENSOR_FLOPS = 700e12
EST_SIMT_FLOPS = 30e12  # scan/softmax arithmetic on CUDA cores (exp, fma)
EST_LAUNCH_S = 5e-6
EST_SPACER_S = 100e-6  # GPU sleep before each timed run (hides host launch latency)
EST_WARMUP, EST_ITERS = 10, 50
EST_FIXED_S = 6.0  # python + torch import, CUDA context, cuBLAS handles, calibration
# Triton compile time per config and specialisation (H100 machine, 2026-11-26: W4 ~0.7 s,
# W3 1.2-2 s, scan ~0.5 s).  m = 1 and m > 1 compile separately (Triton specialises an
# integer argument equal to 1).
EST_QGEMV_COMPILE_S = {4: 0.7, 3: 1.5}
EST_SCAN_COMPILE_S = 0.6
QGEMV_N_CONFIGS = 6
SCAN_N_CONFIGS = 3
EST_AUTOTUNE_RUNS = 3 + 15


def est_kernel_s(c: Case) -> float:
    """Rough time of one run on an H100: max(bytes/BW, flops/rate) + launch."""
    tensor = c.kernel_class in ("gemv", "gemm", "qgemv", "attention", "decoder_step")
    rate = EST_TENSOR_FLOPS if tensor else EST_SIMT_FLOPS
    t = max(c.bytes / EST_HBM_BPS, c.flops / rate) + EST_LAUNCH_S
    if c.kernel_class == "scan" and c.op == "selective_scan_seq":
        t = max(t, c.seq_len * 1.0e-6)  # serial loop, ~1 us latency per step
    if c.kernel_class == "decoder_step":
        launches = 25 * c.layers
        if c.op.endswith("_eager"):
            t += launches * 8e-6  # host launch overhead of eager mode
        else:
            t += launches * 1.5e-6
    return t


def est_case_s(c: Case) -> float:
    runs = EST_WARMUP + EST_ITERS
    if c.kernel_class in ("qgemv", "scan") and c.op != "selective_scan_step":
        runs += EST_AUTOTUNE_RUNS * (QGEMV_N_CONFIGS if c.kernel_class == "qgemv"
                                     else SCAN_N_CONFIGS)
    setup = 0.03 + 2.0 * max(c.bytes, 100e6) / 1.0e12  # allocation + random fill
    if c.kernel_class == "decoder_step":
        setup += 1.0  # weights, KV cache, graph capture
    return runs * (est_kernel_s(c) + EST_SPACER_S) + setup


def est_total_s(cases: List[Case]) -> float:
    t = EST_FIXED_S + sum(est_case_s(c) for c in cases)
    # Triton compilation, once per kernel specialisation
    specs = {(c.weight_bits, c.m == 1) for c in cases if c.kernel_class == "qgemv"}
    t += sum(QGEMV_N_CONFIGS * EST_QGEMV_COMPILE_S.get(bits, 2.0) for bits, _one in specs)
    scan_ops = {c.op for c in cases if c.kernel_class == "scan"}
    t += len(scan_ops) * SCAN_N_CONFIGS * EST_SCAN_COMPILE_S
    return t


# --------------------------------------------------------------------------
# Tiny shapes for --cpu-dry-run
# --------------------------------------------------------------------------


def tiny_case(c: Case) -> Case:
    """Same case on shapes small enough for the CPU (and the Triton interpreter).

    Keeps the structural constraints: k a multiple of the quantisation group, n
    not a power of two (exercises masks), GQA head ratio, d_state.
    """
    r = dataclasses.replace
    cls = c.kernel_class
    if cls in ("gemv", "gemm", "qgemv"):
        k = 256 if c.k >= 256 else c.k
        # n not a multiple of any BLOCK_N (exercises masks); smaller for the slow
        # Triton interpreter
        n = min(c.n, 72 if cls == "qgemv" else 200)
        m = c.m if c.m <= 16 else 48
        if cls == "qgemv":
            m = min(m, 2)  # rows > 1 still exercised; the interpreter is slow
        return r(c, m=m, batch=m, n=n, k=k)
    if cls == "softmax":
        L = min(c.n, 300)
        return r(c, m=64, n=L, seq_len=L)
    if cls == "attention":
        return r(c, seq_len=min(c.seq_len, 96))
    if cls == "scan":
        L = 1 if c.op == "selective_scan_step" else min(c.seq_len, 40)
        return r(c, seq_len=L, d_inner=72, batch=min(c.batch, 2))
    if cls == "decoder_step":
        return r(c, k=256, n=688, heads=4, kv_heads=4, head_dim=64, seq_len=16, layers=2)
    raise ValueError(cls)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return ""
        return f"{v:.6g}"
    return str(v)


def make_row(case: Case, timing: Optional[dict], env: dict, error: str = "",
             op: Optional[str] = None) -> Dict[str, str]:
    """One CSV row.  ``timing``: dict with median_us, p10_us, p90_us, n_runs (or None)."""
    row = {col: "" for col in CSV_COLUMNS}
    for f in ("case_id", "kernel_class", "model", "op", "dtype", "weight_bits", "group_size",
              "batch", "m", "n", "k", "seq_len", "heads", "kv_heads", "head_dim", "d_state",
              "d_inner", "layers"):
        row[f] = _fmt(getattr(case, f))
    if op:
        row["op"] = op
    nbytes, nflops = case.bytes, case.flops
    row["bytes"] = str(nbytes)
    row["flops"] = str(nflops)
    if timing and timing.get("median_us"):
        med = float(timing["median_us"])
        row["median_us"] = _fmt(med)
        row["p10_us"] = _fmt(timing.get("p10_us"))
        row["p90_us"] = _fmt(timing.get("p90_us"))
        row["n_runs"] = _fmt(timing.get("n_runs"))
        row["achieved_gbps"] = _fmt(nbytes / (med * 1e-6) / 1e9)
        row["achieved_tflops"] = _fmt(nflops / (med * 1e-6) / 1e12)
    for f in ("device", "driver", "torch", "triton", "cuda"):
        row[f] = _fmt(env.get(f, ""))
    row["error"] = " ".join(str(error).split())[:500]  # one line, bounded
    return row


class CsvWriter:
    """Writes the header once and flushes (and fsyncs) after every row."""

    def __init__(self, path: str):
        self.path = path
        self._f = open(path, "w", newline="", encoding="utf-8")
        self._w = csv.DictWriter(self._f, fieldnames=CSV_COLUMNS, extrasaction="raise")
        self._w.writeheader()
        self._flush()

    def _flush(self):
        self._f.flush()
        try:
            os.fsync(self._f.fileno())
        except OSError:
            pass

    def write(self, row: Dict[str, str]) -> None:
        self._w.writerow(row)
        self._flush()

    def close(self) -> None:
        if not self._f.closed:
            self._f.close()


def read_rows(path: str) -> List[Dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
