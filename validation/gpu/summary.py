"""Summary of harness rows (torch-free): per-class medians and the seed-paper ratios.

Works on rows as read back from results.csv (all values strings; empty where not
applicable), so it can be re-run on any saved CSV:

    python3 validation/gpu/summary.py validation/data/<device>.csv
"""

from __future__ import annotations

import math
import os
import statistics
import sys
from typing import Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as C  # noqa: E402

MBQ_CLAIM = "MBQ claim: W3 fused dequant-GEMV 1.4x vs fp16 (LLaVA-OneVision-7B = Qwen2-7B LLM, RTX 4090)"
FF_CLAIM = ("FrameFusion claim: 30% of vision tokens kept -> 3.4-4.4x LLM speed-up "
            f"(N {C.N_DENSE} -> {C.N_FRAMEFUSION})")


def _f(row: Dict[str, str], key: str) -> Optional[float]:
    v = row.get(key, "")
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _ok(row: Dict[str, str]) -> bool:
    return not row.get("error") and _f(row, "median_us") is not None


def _gmean(xs: List[float]) -> Optional[float]:
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def _s(x: Optional[float], fmt: str = "{:.2f}") -> str:
    return "-" if x is None else fmt.format(x)


def class_table(rows: List[Dict[str, str]]) -> List[str]:
    lines = [f"{'class':<13} {'cases':>5} {'timed':>5} {'err':>4} {'med GB/s':>10} "
             f"{'med TFLOP/s':>11} {'med us':>10}"]
    for cls in C.KERNEL_CLASSES:
        rs = [r for r in rows if r.get("kernel_class") == cls]
        if not rs:
            continue
        ok = [r for r in rs if _ok(r)]
        gb = [_f(r, "achieved_gbps") for r in ok]
        tf = [_f(r, "achieved_tflops") for r in ok]
        us = [_f(r, "median_us") for r in ok]
        med = lambda xs: statistics.median([x for x in xs if x is not None]) \
            if any(x is not None for x in xs) else None  # noqa: E731
        n_err = sum(1 for r in rs if r.get("error"))
        lines.append(f"{cls:<13} {len(rs):>5} {len(ok):>5} {n_err:>4} "
                     f"{_s(med(gb), '{:.0f}'):>10} {_s(med(tf), '{:.2f}'):>11} "
                     f"{_s(med(us), '{:.1f}'):>10}")
    return lines


def mbq_ratios(rows: List[Dict[str, str]]) -> List[Dict[str, object]]:
    """Per (bits, model, m): fp16 time / quantised time, geometric mean over shapes,
    layer-weighted ratio (sum of fp16 times of one layer's projections over the sum
    of quantised ones), and the median fraction of the fp16 GEMV's achieved GB/s."""
    base = {}
    for r in rows:
        if r.get("kernel_class") == "gemv" and r.get("dtype") == "fp16" and _ok(r):
            base[(r["model"], r["op"], r["m"])] = r
    mult = {(model, op): mu for model, projs in C.PROJECTIONS.items()
            for op, _k, _n, mu in projs}
    groups: Dict[tuple, list] = {}
    for r in rows:
        if r.get("kernel_class") != "qgemv" or not _ok(r):
            continue
        b = base.get((r["model"], r["op"], r["m"]))
        if b is None:
            continue
        groups.setdefault((r["weight_bits"], r["model"], r["m"]), []).append((r, b))
    out = []
    for (bits, model, m), pairs in sorted(groups.items()):
        ratios = [_f(b, "median_us") / _f(q, "median_us") for q, b in pairs]
        fracs = [_f(q, "achieved_gbps") / _f(b, "achieved_gbps") for q, b in pairs
                 if _f(b, "achieved_gbps")]
        t16 = sum(mult.get((model, q["op"]), 1) * _f(b, "median_us") for q, b in pairs)
        tq = sum(mult.get((model, q["op"]), 1) * _f(q, "median_us") for q, b in pairs)
        all_ops = {op for op, _k, _n, _mu in C.PROJECTIONS.get(model, [])}
        complete = {q["op"] for q, _b in pairs} == all_ops
        out.append(dict(bits=bits, model=model, m=m, n_shapes=len(pairs),
                        gmean_ratio=_gmean(ratios), layer_ratio=t16 / tq if tq else None,
                        layer_complete=complete,
                        median_bw_frac=statistics.median(fracs) if fracs else None))
    return out


def framefusion_ratios(rows: List[Dict[str, str]]) -> Dict[str, Optional[float]]:
    """Dense / FrameFusion-reduced time for attention alone and for one Qwen2-7B
    prefill layer (7 projections weighted by multiplicity + attention)."""
    def attn(n):
        for r in rows:
            if r.get("kernel_class") == "attention" and r.get("seq_len") == str(n) and _ok(r):
                return _f(r, "median_us")
        return None

    def layer(n):
        a = attn(n)
        if a is None:
            return None
        total = a
        for op, _k, _n, mu in C.PROJECTIONS["qwen2_7b"]:
            t = None
            for r in rows:
                if (r.get("kernel_class") == "gemm" and r.get("model") == "qwen2_7b"
                        and r.get("op") == op and r.get("m") == str(n) and _ok(r)):
                    t = _f(r, "median_us")
            if t is None:
                return None
            total += mu * t
        return total

    ad, ar = attn(C.N_DENSE), attn(C.N_FRAMEFUSION)
    ld, lr = layer(C.N_DENSE), layer(C.N_FRAMEFUSION)
    return dict(attn_dense_us=ad, attn_reduced_us=ar,
                attn_ratio=(ad / ar) if ad and ar else None,
                attn_flop_ratio=(C.N_DENSE / C.N_FRAMEFUSION) ** 2,
                layer_dense_us=ld, layer_reduced_us=lr,
                layer_ratio=(ld / lr) if ld and lr else None)


def summary_lines(rows: List[Dict[str, str]], wall_s: Optional[float] = None) -> List[str]:
    lines = ["", "=== summary ===" + (f" (wall {wall_s:.1f} s)" if wall_s is not None else "")]
    lines += class_table(rows)
    lines.append("")
    lines.append(MBQ_CLAIM)
    mb = mbq_ratios(rows)
    if not mb:
        lines.append("  no qgemv rows with a matching fp16 GEMV baseline")
    for d in mb:
        lines.append(
            f"  W{d['bits']} {d['model']:<10} m={d['m']:<2} shapes={d['n_shapes']} "
            f"speed-up vs fp16: gmean {_s(d['gmean_ratio'])}x, "
            f"layer {_s(d['layer_ratio'])}x{'' if d['layer_complete'] else ' (partial layer)'}; "
            f"GB/s vs fp16 GEMV {_s(d['median_bw_frac'], '{:.0%}')}")
    lines.append(FF_CLAIM)
    ff = framefusion_ratios(rows)
    lines.append(f"  attention dense/reduced: {_s(ff['attn_ratio'])}x "
                 f"({_s(ff['attn_dense_us'], '{:.0f}')} us / {_s(ff['attn_reduced_us'], '{:.0f}')} us;"
                 f" causal-flop ratio {ff['attn_flop_ratio']:.2f}x)")
    lines.append(f"  Qwen2-7B prefill layer (7 GEMMs + attention) dense/reduced: "
                 f"{_s(ff['layer_ratio'])}x")
    return lines


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: summary.py RESULTS.csv", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(C.read_rows(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
