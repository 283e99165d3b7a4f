"""Count the instructions of the fused low-bit GEMVs' main loop in their SASS.

Silica's GPU model counts the lane operations a fused dequantising GEMV needs per weight
(`arch/src/gpu/matmul.rs`: W4 2.125 + 1.25 per activation row, W3 4.09 + 2.19) and issues
them at `efficiency.dequant_alu` of the CUDA-core rate. This script compiles the harness's
Triton kernels (`qgemv.py`) for a GPU target without a GPU (Triton's `ASTSource` and the
`ptxas` / `cuobjdump` Triton ships), finds each kernel's main loop (the longest range
closed by a backward branch) and prints, per configuration, the warp instructions the loop
issues per iteration, the weights one thread handles per iteration, and the ratio of the
model's count to the issued instructions: the default of `dequant_alu`
(`arch/src/gpu/spec.rs`, `DEFAULT_DEQUANT_ALU_EFFICIENCY`) is that ratio for the
configurations the harness chose.

    python3 validation/gpu/sass_count.py [--arch 90a] [--keep DIR]

Needs Triton (no PyTorch, no GPU); not run in CI. The parser below is plain Python and is
tested by `test_sass_count.py`.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import types
from typing import Dict, List, Tuple

# Model lane operations per weight at one activation row (arch/src/gpu/matmul.rs,
# GemvWork::fused): unpack = 2 * planes + bits / 32, per_row = planes + 2 * bits / 32.
def model_ops_per_weight(bits: int) -> float:
    planes = bin(bits).count("1")
    return 2 * planes + bits / 32 + planes + 2 * bits / 32


_INSN = re.compile(r"^\s*/\*([0-9a-f]{4,})\*/\s+(?:@!?U?P[T0-9]+\s+)?([A-Z][A-Z0-9_.]*)\s*([^;]*);")

# Pipes of sm_80/sm_90 (Nsight Compute's names): the FMA pipe runs FP32 and FP16x2
# arithmetic and IMAD; the ALU pipe (16 lanes per scheduler: one warp instruction every
# two cycles) integer logic, shifts, compares and moves; LSU loads and stores.
_ALU = {"LOP3", "SHF", "IADD3", "ISETP", "LEA", "PRMT", "SGXT", "SEL", "IABS", "IMNMX",
        "VIADD", "VIMNMX", "BMSK", "FLO", "POPC", "MOV", "FSEL", "FSETP", "FMNMX", "PLOP3"}
_FMA = {"FFMA", "FADD", "FMUL", "HADD2", "HFMA2", "HMUL2", "IMAD"}
_LSU = {"LDG", "STG", "LDS", "STS", "LDC", "LD", "ST", "ATOM", "ATOMG", "RED", "LDSM",
        "LDGSTS", "SHFL"}


def pipe(opcode: str) -> str:
    """The pipe an opcode issues to: `fma`, `alu`, `lsu` or `other`."""
    base = opcode.split(".")[0]
    if base in _FMA:
        return "fma"
    if base in _ALU:
        return "alu"
    if base in _LSU:
        return "lsu"
    return "other"


def parse_sass(text: str) -> List[Tuple[int, str, str]]:
    """(address, opcode, operands) of every instruction in `cuobjdump -sass` output."""
    out = []
    for line in text.splitlines():
        m = _INSN.match(line)
        if m:
            out.append((int(m.group(1), 16), m.group(2), m.group(3)))
    return out


def main_loop(insns: List[Tuple[int, str, str]]) -> List[str]:
    """Opcodes of the longest loop: from a backward branch's target to the branch."""
    best: List[str] = []
    for addr, op, args in insns:
        if not op.startswith("BRA"):
            continue
        t = re.search(r"0x([0-9a-f]+)", args)
        if not t:
            continue
        target = int(t.group(1), 16)
        if target >= addr:
            continue
        body = [o for a, o, _ in insns if target <= a <= addr]
        if len(body) > len(best):
            best = body
    return best


def loop_summary(text: str) -> Dict[str, int]:
    """Instructions of the main loop per pipe, plus `total`."""
    body = main_loop(parse_sass(text))
    c = collections.Counter(pipe(o) for o in body)
    out = {k: c.get(k, 0) for k in ("fma", "alu", "lsu", "other")}
    out["total"] = len(body)
    return out


def _compile(fn, sig, consts, warps, stages, arch, workdir, name):
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    import triton.backends.nvidia as nv

    cap = int(re.sub(r"\D", "", arch))
    attrs = {(i,): [["tt.divisibility", 16]]
             for i, (k, v) in enumerate(sig.items()) if v != "constexpr"}
    src = ASTSource(fn=fn, signature=sig, constexprs=consts, attrs=attrs)
    k = triton.compile(src, target=GPUTarget("cuda", cap, 32),
                       options=dict(num_warps=warps, num_stages=stages))
    ptx = os.path.join(workdir, name + ".ptx")
    cubin = os.path.join(workdir, name + ".cubin")
    with open(ptx, "w") as f:
        f.write(k.asm["ptx"])
    bindir = os.path.join(os.path.dirname(nv.__file__), "bin")
    subprocess.run([os.path.join(bindir, "ptxas"), f"-arch=sm_{arch}", ptx, "-o", cubin],
                   check=True, capture_output=True)
    return subprocess.run([os.path.join(bindir, "cuobjdump"), "-sass", cubin],
                          check=True, capture_output=True, text=True).stdout


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", default="90a", help="ptxas target without sm_ (default 90a)")
    ap.add_argument("--keep", help="folder to keep the PTX, cubins and SASS in")
    a = ap.parse_args(argv)
    try:
        import torch  # noqa: F401  (qgemv.py imports it for its packing helpers)
    except ImportError:
        sys.modules["torch"] = types.ModuleType("torch")  # the kernels need Triton only
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import qgemv as Q

    common = {"y_ptr": "*fp16", "ws_ptr": "*fp32", "cnt_ptr": "*i32", "M": "i32", "N": "i32",
              "K": "i32", "K_PER": "i32", "stride_xm": "i32", "stride_ym": "i32",
              "GROUP": "constexpr", "BLOCK_N": "constexpr", "BLOCK_K": "constexpr",
              "SPLIT_K": "constexpr"}
    sigs = {4: (Q._w4_gemv_kernel,
                {"x_ptr": "*fp16", "qw_ptr": "*i32", "s_ptr": "*fp16", "z_ptr": "*fp16",
                 **common}),
            3: (Q._w3_gemv_kernel,
                {"x_ptr": "*fp16", "lo_ptr": "*i32", "hi_ptr": "*i32", "s_ptr": "*fp16",
                 "z_ptr": "*fp16", **common})}
    workdir = a.keep or tempfile.mkdtemp(prefix="sass-count-")
    os.makedirs(workdir, exist_ok=True)
    print(f"{'bits':>4}  {'config':<20} {'insns':>6} {'fma':>5} {'alu':>5} {'lsu':>5} "
          f"{'w/thread':>8} {'model':>6} {'ratio':>6}")
    for bits in (4, 3):
        fn, sig = sigs[bits]
        for cfg in Q.CONFIGS[bits]:
            consts = {"GROUP": 128, "BLOCK_N": cfg.block_n, "BLOCK_K": cfg.block_k,
                      "SPLIT_K": cfg.split_k}
            sass = _compile(fn, sig, consts, cfg.num_warps, cfg.num_stages, a.arch, workdir,
                            f"w{bits}_{cfg}")
            s = loop_summary(sass)
            per_thread = cfg.block_n * cfg.block_k / (32 * cfg.num_warps)
            model = per_thread * model_ops_per_weight(bits)
            ratio = model / s["total"] if s["total"] else float("nan")
            print(f"{bits:>4}  {str(cfg):<20} {s['total']:>6} {s['fma']:>5} {s['alu']:>5} "
                  f"{s['lsu']:>5} {per_thread:>8.0f} {model:>6.0f} {ratio:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
