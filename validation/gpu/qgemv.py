"""Fused low-bit weight GEMV (W4 / W3, group-wise asymmetric) in Triton.

y[m, n] = sum_k x[m, k] * W[k, n],  W[k, n] = (q[k, n] - z[g, n]) * s[g, n],  g = k // G

Storage (weights packed along k, n contiguous, like GPTQ; scales/zeros fp16 [k/G, n]):

* W4: ``qw [k/8, n] int32``; word row r holds k = 8r + j in bits [4j, 4j+4).
  4 bits/weight (+ 32/G for fp16 scale and zero: 4.25 at G = 128).
* W3: bit planes, 32 weights in 3 int32 words:
  ``lo [k/16, n] int32`` holds the low 2 bits of k = 16r + j in bits [2j, 2j+2);
  ``hi [k/32, n] int32`` holds bit 2 of k = 32r + t in bit t.
  Exactly 3 bits/weight, no bits wasted (+ 32/G: 3.25 at G = 128).

Kernel: one program per (row m, block of BLOCK_N columns, k slice), looping over
its k slice in BLOCK_K steps with the next weight tile loaded one step ahead.
With SPLIT_K > 1 each program writes an fp32 partial and the last one to arrive
at an output tile (atomic counter) sums the partials in a fixed order, so results
are deterministic and one launch suffices.  Unpacking avoids shifts and int->float conversions per weight:
``(word & (mask << p)) | 0x4B000000`` reinterpreted as fp32 is 2^23 + q*2^p
exactly, so ``- 2^23`` gives q*2^p and the 2^-p is folded into x (an exact
power-of-two scale applied to the short x vector, not to the weights).  Products
are accumulated in fp32 per packed word; the scale and zero point are applied per
word as  s * (sum_j x_j q_j - z * sum_j x_j).  Batch rows > 1 are separate
programs (weights are re-read from L2).

Runs under TRITON_INTERPRET=1 on CPU tensors (small shapes) for testing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import torch

try:
    import triton
    import triton.language as tl
    HAVE_TRITON = True
except ImportError:  # packing / reference helpers stay usable with PyTorch alone
    HAVE_TRITON = False

    class _NoTriton:
        """Stand-in so the module imports without Triton; launching a kernel fails."""

        @staticmethod
        def jit(fn):
            return fn

        @staticmethod
        def cdiv(a, b):
            raise RuntimeError("Triton is not installed: the kernels cannot run")

    triton = _NoTriton()
    tl = None

MAGIC_I = 0x4B000000  # bit pattern of 2^23 as fp32
MAGIC_F = 8388608.0


@dataclass(frozen=True)
class QConfig:
    block_n: int
    block_k: int
    num_warps: int
    split_k: int = 1
    num_stages: int = 1

    def __str__(self) -> str:
        return f"bn{self.block_n}_bk{self.block_k}_w{self.num_warps}_sk{self.split_k}"


# A small search space; the harness times each on rotated buffers and keeps the
# fastest.  Programs = m x ceil(n / BLOCK_N) x SPLIT_K: small BLOCK_N and split-K give
# enough programs for n = 512..4096 at m = 1 (132 SMs); BLOCK_K sets the bytes each
# program has in flight (the next tile is loaded before the current one is used).
# Chosen on an H100 (2026-11-26) from 31 configs over W4/W3 and four shapes: this set
# was within 0.3% of the best of all 31 on every (bits, shape) tried.
_CONFIGS = [QConfig(32, 512, 4, split_k=4), QConfig(16, 512, 8, split_k=8),
            QConfig(16, 1024, 4), QConfig(32, 512, 4), QConfig(16, 512, 4, split_k=4),
            QConfig(64, 512, 8, split_k=2)]
CONFIGS = {4: _CONFIGS, 3: _CONFIGS}


@dataclass
class QWeight:
    bits: int
    group: int
    k: int
    n: int
    planes: List[torch.Tensor]  # W4: [qw]; W3: [lo, hi]
    scales: torch.Tensor  # [k/G, n] fp16
    zeros: torch.Tensor  # [k/G, n] fp16

    def nbytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.planes) \
            + 2 * self.scales.numel() * self.scales.element_size()


# --------------------------------------------------------------------------
# Triton kernels
# --------------------------------------------------------------------------


@triton.jit
def _split_k_epilogue(y, y_ptr, ws_ptr, cnt_ptr, pid_m, pid_n, pid_k, M, N, offs_n, mask_n,
                      stride_ym, SPLIT_K: tl.constexpr):
    """Store y, or (split-K) store the fp32 partial and let the last program of this
    output tile sum the partials in a fixed order (deterministic) and reset its counter."""
    if SPLIT_K == 1:
        tl.store(y_ptr + pid_m * stride_ym + offs_n, y.to(y_ptr.dtype.element_ty), mask=mask_n)
    else:
        tl.store(ws_ptr + (pid_k * M + pid_m) * N + offs_n, y, mask=mask_n)
        tl.debug_barrier()  # every thread's partial is written before the release below
        idx = pid_m * tl.num_programs(1) + pid_n
        cnt = tl.atomic_add(cnt_ptr + idx, 1, sem="acq_rel", scope="gpu")
        if cnt == SPLIT_K - 1:
            tot = tl.zeros_like(y)
            for sk in tl.static_range(SPLIT_K):
                tot += tl.load(ws_ptr + (sk * M + pid_m) * N + offs_n, mask=mask_n, other=0.0,
                               cache_modifier=".cg")
            tl.store(y_ptr + pid_m * stride_ym + offs_n, tot.to(y_ptr.dtype.element_ty),
                     mask=mask_n)
            tl.atomic_xchg(cnt_ptr + idx, 0)


@triton.jit
def _w4_gemv_kernel(x_ptr, qw_ptr, s_ptr, z_ptr, y_ptr, ws_ptr, cnt_ptr, M, N, K, K_PER,
                    stride_xm, stride_ym, GROUP: tl.constexpr, BLOCK_N: tl.constexpr,
                    BLOCK_K: tl.constexpr, SPLIT_K: tl.constexpr):
    BKK: tl.constexpr = BLOCK_K // 8
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    pid_k = tl.program_id(2)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    mask_n = offs_n < N
    offs_c = tl.arange(0, BKK)
    KW = K // 8
    k_lo = pid_k * K_PER
    c_end = (k_lo + K_PER) // 8
    x_row = x_ptr + pid_m * stride_xm
    yacc = tl.zeros([BKK, BLOCK_N], dtype=tl.float32)
    c = k_lo // 8 + offs_c
    m2 = ((c < KW) & (c < c_end))[:, None] & mask_n[None, :]
    p_next = tl.load(qw_ptr + c[:, None] * N + offs_n[None, :], mask=m2, other=0)
    for k0 in range(k_lo, k_lo + K_PER, BLOCK_K):
        p = p_next
        c = k0 // 8 + offs_c  # packed word row
        m2 = ((c < KW) & (c < c_end))[:, None] & mask_n[None, :]
        cn = c + BKK  # prefetch the next tile before computing this one
        mn2 = ((cn < KW) & (cn < c_end))[:, None] & mask_n[None, :]
        p_next = tl.load(qw_ptr + cn[:, None] * N + offs_n[None, :], mask=mn2, other=0)
        g = (c * 8) // GROUP
        s = tl.load(s_ptr + g[:, None] * N + offs_n[None, :], mask=m2, other=0.0).to(tl.float32)
        z = tl.load(z_ptr + g[:, None] * N + offs_n[None, :], mask=m2, other=0.0).to(tl.float32)
        p_hi = p >> 12  # arithmetic shift; the sign bits land above every mask below
        acc = tl.zeros([BKK, BLOCK_N], dtype=tl.float32)
        mc = ((c < KW) & (c < c_end))[:, None]
        xs = tl.zeros([BKK, 1], dtype=tl.float32)
        for j in tl.static_range(8):
            xj = tl.load(x_row + (c * 8 + j)[:, None], mask=mc, other=0.0).to(tl.float32)
            xs += xj
            if j < 5:
                v = (p & (15 << (4 * j))) | 0x4B000000
                xj = xj * (1.0 / (1 << (4 * j)))
            else:
                v = (p_hi & (15 << (4 * j - 12))) | 0x4B000000
                xj = xj * (1.0 / (1 << (4 * j - 12)))
            vf = v.to(tl.float32, bitcast=True) - 8388608.0
            acc += vf * xj
        yacc += s * (acc - z * xs)
    y = tl.sum(yacc, axis=0)
    _split_k_epilogue(y, y_ptr, ws_ptr, cnt_ptr, pid_m, pid_n, pid_k, M, N, offs_n, mask_n,
                      stride_ym, SPLIT_K)


@triton.jit
def _w3_gemv_kernel(x_ptr, lo_ptr, hi_ptr, s_ptr, z_ptr, y_ptr, ws_ptr, cnt_ptr, M, N, K, K_PER,
                    stride_xm, stride_ym, GROUP: tl.constexpr, BLOCK_N: tl.constexpr,
                    BLOCK_K: tl.constexpr, SPLIT_K: tl.constexpr):
    BKL: tl.constexpr = BLOCK_K // 16
    BKH: tl.constexpr = BLOCK_K // 32
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    pid_k = tl.program_id(2)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    mask_n = offs_n < N
    offs_l = tl.arange(0, BKL)
    offs_h = tl.arange(0, BKH)
    KL = K // 16
    KH = K // 32
    k_lo = pid_k * K_PER
    l_end = (k_lo + K_PER) // 16
    h_end = (k_lo + K_PER) // 32
    x_row = x_ptr + pid_m * stride_xm
    yl = tl.zeros([BKL, BLOCK_N], dtype=tl.float32)
    yh = tl.zeros([BKH, BLOCK_N], dtype=tl.float32)
    cl = k_lo // 16 + offs_l
    ch = k_lo // 32 + offs_h
    ml2 = ((cl < KL) & (cl < l_end))[:, None] & mask_n[None, :]
    mh2 = ((ch < KH) & (ch < h_end))[:, None] & mask_n[None, :]
    lo_next = tl.load(lo_ptr + cl[:, None] * N + offs_n[None, :], mask=ml2, other=0)
    hi_next = tl.load(hi_ptr + ch[:, None] * N + offs_n[None, :], mask=mh2, other=0)
    for k0 in range(k_lo, k_lo + K_PER, BLOCK_K):
        lo = lo_next
        hi = hi_next
        cl = k0 // 16 + offs_l
        ch = k0 // 32 + offs_h
        ml2 = ((cl < KL) & (cl < l_end))[:, None] & mask_n[None, :]
        mh2 = ((ch < KH) & (ch < h_end))[:, None] & mask_n[None, :]
        cln = cl + BKL  # prefetch the next tiles before computing these
        chn = ch + BKH
        mln = ((cln < KL) & (cln < l_end))[:, None] & mask_n[None, :]
        mhn = ((chn < KH) & (chn < h_end))[:, None] & mask_n[None, :]
        lo_next = tl.load(lo_ptr + cln[:, None] * N + offs_n[None, :], mask=mln, other=0)
        hi_next = tl.load(hi_ptr + chn[:, None] * N + offs_n[None, :], mask=mhn, other=0)
        gl = (cl * 16) // GROUP
        gh = (ch * 32) // GROUP
        sl = tl.load(s_ptr + gl[:, None] * N + offs_n[None, :], mask=ml2, other=0.0).to(tl.float32)
        zl = tl.load(z_ptr + gl[:, None] * N + offs_n[None, :], mask=ml2, other=0.0).to(tl.float32)
        sh = tl.load(s_ptr + gh[:, None] * N + offs_n[None, :], mask=mh2, other=0.0).to(tl.float32)
        lo_s = lo >> 12
        hi_s = hi >> 9
        acc_l = tl.zeros([BKL, BLOCK_N], dtype=tl.float32)
        mlc = ((cl < KL) & (cl < l_end))[:, None]
        mhc = ((ch < KH) & (ch < h_end))[:, None]
        xsum = tl.zeros([BKL, 1], dtype=tl.float32)
        for j in tl.static_range(16):
            xj = tl.load(x_row + (cl * 16 + j)[:, None], mask=mlc, other=0.0).to(tl.float32)
            xsum += xj
            if j < 11:
                v = (lo & (3 << (2 * j))) | 0x4B000000
                xj = xj * (1.0 / (1 << (2 * j)))
            else:
                v = (lo_s & (3 << (2 * j - 12))) | 0x4B000000
                xj = xj * (1.0 / (1 << (2 * j - 12)))
            acc_l += (v.to(tl.float32, bitcast=True) - 8388608.0) * xj
        acc_h = tl.zeros([BKH, BLOCK_N], dtype=tl.float32)
        for t in tl.static_range(32):
            xt = tl.load(x_row + (ch * 32 + t)[:, None], mask=mhc, other=0.0).to(tl.float32)
            if t < 23:
                v = (hi & (1 << t)) | 0x4B000000
                xt = xt * (4.0 / (1 << t))
            else:
                v = (hi_s & (1 << (t - 9))) | 0x4B000000
                xt = xt * (4.0 / (1 << (t - 9)))
            acc_h += (v.to(tl.float32, bitcast=True) - 8388608.0) * xt
        yl += sl * (acc_l - zl * xsum)
        yh += sh * acc_h
    y = tl.sum(yl, axis=0) + tl.sum(yh, axis=0)
    _split_k_epilogue(y, y_ptr, ws_ptr, cnt_ptr, pid_m, pid_n, pid_k, M, N, offs_n, mask_n,
                      stride_ym, SPLIT_K)


_SPLIT_STATE = {}


def _split_state(device, split: int, m: int, n: int, n_blocks: int):
    """fp32 partials [split, m, n] and zeroed arrival counters [m * n_blocks], kept per
    (device, split, m, n, n_blocks).  The last program of each tile resets its counter, so
    the buffers are reusable by the next launch on the same stream (not across streams)."""
    key = (str(device), split, m, n, n_blocks)
    st = _SPLIT_STATE.get(key)
    if st is None:
        st = (torch.empty(split * m * n, dtype=torch.float32, device=device),
              torch.zeros(m * n_blocks, dtype=torch.int32, device=device))
        _SPLIT_STATE[key] = st
    return st


def qgemv(x: torch.Tensor, w: QWeight, cfg: QConfig, out: Optional[torch.Tensor] = None
          ) -> torch.Tensor:
    """y = x @ dequant(w); x [m, k] fp16 contiguous rows, returns [m, n] in x.dtype."""
    assert x.dim() == 2 and x.shape[1] == w.k and x.stride(1) == 1
    assert w.k % w.group == 0 and w.group % 32 == 0
    m = x.shape[0]
    if out is None:
        out = torch.empty((m, w.n), dtype=x.dtype, device=x.device)
    n_blocks = triton.cdiv(w.n, cfg.block_n)
    split = max(1, cfg.split_k)
    k_per = triton.cdiv(triton.cdiv(w.k, split), cfg.block_k) * cfg.block_k
    if split > 1:
        ws, cnt = _split_state(x.device, split, m, w.n, n_blocks)
    else:
        ws, cnt = out, out  # unused
    grid = (m, n_blocks, split)
    common = dict(GROUP=w.group, BLOCK_N=cfg.block_n, BLOCK_K=cfg.block_k, SPLIT_K=split,
                  num_warps=cfg.num_warps, num_stages=cfg.num_stages)
    if w.bits == 4:
        _w4_gemv_kernel[grid](x, w.planes[0], w.scales, w.zeros, out, ws, cnt, m, w.n, w.k,
                              k_per, x.stride(0), out.stride(0), **common)
    elif w.bits == 3:
        _w3_gemv_kernel[grid](x, w.planes[0], w.planes[1], w.scales, w.zeros, out, ws, cnt, m,
                              w.n, w.k, k_per, x.stride(0), out.stride(0), **common)
    else:
        raise ValueError(f"unsupported bits {w.bits}")
    return out


# --------------------------------------------------------------------------
# Packing, unpacking, reference (plain PyTorch)
# --------------------------------------------------------------------------


def _to_int32(w64: torch.Tensor) -> torch.Tensor:
    """uint32 values held in int64 -> int32 with the same bit pattern."""
    w64 = w64 & 0xFFFFFFFF
    w64 = torch.where(w64 >= 2 ** 31, w64 - 2 ** 32, w64)
    return w64.to(torch.int32)


def _pack(vals: torch.Tensor, per_word: int, width: int) -> torch.Tensor:
    kk, n = vals.shape
    v = vals.to(torch.int64).reshape(kk // per_word, per_word, n)
    shifts = (torch.arange(per_word, device=vals.device, dtype=torch.int64) * width).view(1, -1, 1)
    return _to_int32((v << shifts).sum(dim=1))


def _unpack(words: torch.Tensor, per_word: int, width: int) -> torch.Tensor:
    r, n = words.shape
    w = words.to(torch.int64) & 0xFFFFFFFF
    shifts = (torch.arange(per_word, device=words.device, dtype=torch.int64) * width).view(1, -1, 1)
    return ((w.view(r, 1, n) >> shifts) & ((1 << width) - 1)).reshape(r * per_word, n)


def pack(q: torch.Tensor, bits: int) -> List[torch.Tensor]:
    """q [k, n] integers in [0, 2^bits) -> packed planes (see module doc)."""
    if bits == 4:
        assert q.shape[0] % 8 == 0
        return [_pack(q, 8, 4)]
    if bits == 3:
        assert q.shape[0] % 32 == 0
        q = q.to(torch.int64)
        return [_pack(q & 3, 16, 2), _pack((q >> 2) & 1, 32, 1)]
    raise ValueError(bits)


def unpack(planes: List[torch.Tensor], bits: int) -> torch.Tensor:
    """Inverse of :func:`pack`: int64 [k, n]."""
    if bits == 4:
        return _unpack(planes[0], 8, 4)
    if bits == 3:
        return _unpack(planes[0], 16, 2) | (_unpack(planes[1], 32, 1) << 2)
    raise ValueError(bits)


def dequant(w: QWeight) -> torch.Tensor:
    """fp32 [k, n] dequantised weights."""
    q = unpack(w.planes, w.bits).to(torch.float32)
    s = w.scales.to(torch.float32).repeat_interleave(w.group, dim=0)
    z = w.zeros.to(torch.float32).repeat_interleave(w.group, dim=0)
    return (q - z) * s


def reference(x: torch.Tensor, w: QWeight) -> torch.Tensor:
    """Dequantise-then-matmul in float64 (fp32 dequantisation is exact here)."""
    return x.to(torch.float64) @ dequant(w).to(torch.float64)


def random_qweight(k: int, n: int, bits: int, group: int, device, generator=None) -> QWeight:
    """Random packed weights (any bit pattern is a valid packing), fp16 scales in
    [0.5, 1.5] / 2^bits / sqrt(k) and fp16 zero points in [0, 2^bits - 1]."""
    assert k % group == 0 and group % 32 == 0
    kw = dict(device=device, generator=generator)
    if bits == 4:
        planes = [torch.randint(-2 ** 31, 2 ** 31, (k // 8, n), dtype=torch.int32, **kw)]
    elif bits == 3:
        planes = [torch.randint(-2 ** 31, 2 ** 31, (k // 16, n), dtype=torch.int32, **kw),
                  torch.randint(-2 ** 31, 2 ** 31, (k // 32, n), dtype=torch.int32, **kw)]
    else:
        raise ValueError(bits)
    g = k // group
    scales = ((torch.rand(g, n, **kw) + 0.5) / (2 ** bits) / (k ** 0.5)).to(torch.float16)
    zeros = (torch.rand(g, n, **kw) * (2 ** bits - 1)).to(torch.float16)
    return QWeight(bits, group, k, n, planes, scales, zeros)


def rel_err(y: torch.Tensor, ref: torch.Tensor) -> float:
    """||y - ref|| / ||ref|| in float64; inf if y has a non-finite value."""
    y64 = y.to(torch.float64)
    if not torch.isfinite(y64).all():
        return float("inf")
    den = ref.to(torch.float64).norm().item()
    return (y64 - ref.to(torch.float64)).norm().item() / max(den, 1e-300)


# fp32 accumulation error is ~1e-6; the fp16 output rounding is ~3e-4 relative.
TOLERANCE = 2e-3


def check(x: torch.Tensor, w: QWeight, cfg: QConfig, ref: Optional[torch.Tensor] = None
          ) -> float:
    """Run once into a NaN-poisoned output and return the relative error vs the
    float64 dequantise-then-matmul reference (inf if an element was not written)."""
    out = torch.full((x.shape[0], w.n), float("nan"), dtype=x.dtype, device=x.device)
    qgemv(x, w, cfg, out=out)
    return rel_err(out, reference(x, w) if ref is None else ref)
