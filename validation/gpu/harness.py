#!/usr/bin/env python3
"""Silica real-GPU timing harness.

    python3 validation/gpu/harness.py --out DIR [--quick] [--device-name-override X]
    python3 validation/gpu/harness.py --list [--quick]
    python3 validation/gpu/harness.py --out DIR --cpu-dry-run [--quick]
    python3 validation/gpu/harness.py --out DIR --no-kernel-trace

Times every case of ``cases.build_cases`` on the CUDA device with CUDA events
(>= 10 warm-up runs, >= 50 individually timed runs; median, p10, p90), inputs
rotated over enough buffer sets that one rotation moves > 2 x L2, random data.
Writes DIR/results.csv (one row per case, flushed per row), DIR/env.json, and
prints a summary table last.  Every case is wrapped: a failure becomes a row with
the ``error`` column set and the run carries on.

After every case has been timed, a second pass rebuilds each timed case and runs it
3 more times under ``torch.profiler`` (CUDA activity, i.e. CUPTI): env.json gets the
kernels of one run and their device durations (``kernel_trace.py``).  The timed
numbers never see the profiler.  ``--no-kernel-trace`` skips the pass.

``--cpu-dry-run`` runs each case's setup and one untimed execution on tiny shapes
on the CPU (Triton kernels through TRITON_INTERPRET=1), including the
correctness checks, to catch shape bugs without a GPU.

PyTorch and Triton are imported lazily: ``--list`` needs neither.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import signal
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases as C  # noqa: E402
import kernel_trace as KT  # noqa: E402
import summary as SUM  # noqa: E402

DEFAULT_WARMUP = 10
DEFAULT_ITERS = 50
TUNE_WARMUP = 3
TUNE_ITERS = 15
SPACER_US = 100.0  # GPU sleep before each timed run so host launch latency stays outside
DEFAULT_L2_BYTES = 50 * 1024 * 1024
TRACE_WARMUP = 3  # untimed runs after a case is rebuilt for its trace
TRACE_RUNS = 3  # profiled runs per case
TRACE_PAD = 8  # tiny adds opening each profiler session, + 1 per earlier session
EST_TRACE_SESSION_S = 0.15  # profiler start, stop and event parsing per case (a guess)


def log(msg: str = "") -> None:
    print(msg, flush=True)


def percentile(sorted_xs, p: float) -> float:
    """Linear-interpolated percentile of an ascending list (p in [0, 100])."""
    if not sorted_xs:
        return float("nan")
    pos = (len(sorted_xs) - 1) * p / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


class CaseError(Exception):
    """A case-level failure with a readable message (becomes the error column)."""


# ---------------------------------------------------------------------------
# Environment
# ---------------------------------------------------------------------------


def _nvidia_smi() -> dict:
    fields = ["driver_version", "name", "clocks.max.sm", "clocks.max.mem", "clocks.sm",
              "power.limit", "temperature.gpu", "pstate", "memory.total"]
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=" + ",".join(fields), "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            return {"nvidia_smi_error": out.stderr.strip()[:200]}
        vals = [v.strip() for v in out.stdout.strip().splitlines()[0].split(",")]
        return {"nvidia_smi": dict(zip(fields, vals))}
    except Exception as e:  # noqa: BLE001
        return {"nvidia_smi_error": f"{type(e).__name__}: {e}"[:200]}


def collect_env(torch, device: str, triton_version: str, override: str) -> dict:
    env = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda or "",
        "triton": triton_version,
        "device_kind": device,
    }
    try:
        env["cudnn"] = str(torch.backends.cudnn.version())
    except Exception:  # noqa: BLE001
        pass
    if device == "cuda":
        props = torch.cuda.get_device_properties(0)
        env["device_name"] = props.name
        env["sm_count"] = props.multi_processor_count
        env["l2_bytes"] = int(getattr(props, "L2_cache_size", 0) or 0)
        env["total_memory_bytes"] = int(props.total_memory)
        env["compute_capability"] = f"{props.major}.{props.minor}"
        smi = _nvidia_smi()
        env.update(smi)
        driver = smi.get("nvidia_smi", {}).get("driver_version", "")
        if not driver:
            try:
                import pynvml  # type: ignore
                pynvml.nvmlInit()
                d = pynvml.nvmlSystemGetDriverVersion()
                driver = d.decode() if isinstance(d, bytes) else str(d)
            except Exception:  # noqa: BLE001
                try:
                    driver = "cuda-driver-api-" + str(torch._C._cuda_getDriverVersion())
                except Exception:  # noqa: BLE001
                    driver = ""
        env["driver"] = driver
    else:
        env["device_name"] = "cpu-dry-run"
        env["driver"] = ""
    env["device"] = override or env["device_name"]
    return env


# ---------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------


class Runner:
    def __init__(self, torch, device: str, args, env: dict):
        self.torch = torch
        self.F = torch.nn.functional
        self.device = device
        self.dry = device != "cuda"
        self.args = args
        self.env = env
        self.warmup = max(1, args.warmup)
        self.iters = max(3, args.iters)
        self.notes = {}
        self.tracing = False  # second pass: measure() traces instead of timing
        self._trace_note = None
        self._chosen = {}  # case_id -> tuned config, reused by the trace pass
        self.trace_sessions = 0
        self.is_spacer = KT.spacer_matcher(None)
        self._triton_mods = {}
        self._scan_checks = {}
        self.l2 = env.get("l2_bytes") or DEFAULT_L2_BYTES
        self.mem_cap = args.max_rotation_gb * 1e9
        self.spacer_cycles = 0
        if not self.dry:
            try:
                free, _total = torch.cuda.mem_get_info()
                self.mem_cap = min(self.mem_cap, 0.3 * free)
            except Exception:  # noqa: BLE001
                pass
            try:
                torch.cuda._sleep(1000)
                torch.cuda.synchronize()
                clk_mhz = 1980.0
                try:
                    clk_mhz = float(env.get("nvidia_smi", {}).get("clocks.max.sm", "").split()[0])
                except Exception:  # noqa: BLE001
                    pass
                self.spacer_cycles = int(SPACER_US * clk_mhz)
            except Exception as e:  # noqa: BLE001
                log(f"note: torch.cuda._sleep unavailable ({e}); no launch spacer")
        env["timing"] = dict(warmup=self.warmup, iters=self.iters, tune_warmup=TUNE_WARMUP,
                             tune_iters=TUNE_ITERS, spacer_cycles=self.spacer_cycles,
                             rotation_target_bytes=2 * self.l2, rotation_cap_bytes=self.mem_cap,
                             method="torch.cuda.Event per run, median/p10/p90")

    # -- helpers -----------------------------------------------------------

    def dt(self, name: str):
        t = self.torch
        return {"fp16": t.float16, "bf16": t.bfloat16, "fp32": t.float32}[name]

    def randn(self, shape, dtype, scale: float = 1.0):
        t = self.torch
        try:
            x = t.randn(*shape, device=self.device, dtype=dtype)
        except RuntimeError:  # some CPU builds lack half-precision normal_
            x = t.randn(*shape, device=self.device).to(dtype)
        if scale != 1.0:
            x.mul_(scale)
        return x

    def n_sets(self, set_bytes: int) -> int:
        """Buffer sets so that one rotation moves > 2 x L2, capped by memory."""
        if self.dry:
            return 1
        set_bytes = max(int(set_bytes), 1)
        n = int(2 * self.l2 // set_bytes) + 1
        n = min(n, 256, max(1, int(self.mem_cap // set_bytes)))
        return max(1, n)

    def sync(self):
        if not self.dry:
            self.torch.cuda.synchronize()

    def measure(self, fn, n_sets: int, warmup=None, iters=None):
        """Time fn(i) (i = buffer set) per run with CUDA events; dry run: one call."""
        if self.dry:
            fn(0)
            return None
        if self.tracing:
            self._trace_note = self.trace_fn(fn, n_sets)
            return None
        torch = self.torch
        warmup = self.warmup if warmup is None else warmup
        iters = self.iters if iters is None else iters
        for i in range(warmup):
            fn(i % n_sets)
        torch.cuda.synchronize()
        starts = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
        ends = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
        for i in range(iters):
            if self.spacer_cycles:
                torch.cuda._sleep(self.spacer_cycles)
            starts[i].record()
            fn((warmup + i) % n_sets)
            ends[i].record()
        torch.cuda.synchronize()
        us = sorted(s.elapsed_time(e) * 1000.0 for s, e in zip(starts, ends))
        return dict(median_us=percentile(us, 50), p10_us=percentile(us, 10),
                    p90_us=percentile(us, 90), n_runs=iters)

    def triton_module(self, name: str):
        if name not in self._triton_mods:
            try:
                self._triton_mods[name] = __import__(name)
            except Exception as e:  # noqa: BLE001
                self._triton_mods[name] = e
        mod = self._triton_mods[name]
        if isinstance(mod, Exception):
            raise CaseError(f"cannot import {name} (torch/triton): {type(mod).__name__}: {mod}")
        return mod

    def tune(self, case_id: str, configs, make_fn, n_sets: int):
        """Pick the fastest config (rotated buffers, short timing); dry run: the first.
        The trace pass reuses the config the timed pass picked."""
        if self.tracing:  # never tune under the profiler
            return self._chosen.get(case_id, configs[0]), {}
        if self.dry or len(configs) == 1:
            self._chosen[case_id] = configs[0]
            return configs[0], {}
        tune = {}
        best, best_t = None, float("inf")
        for cfg in configs:
            try:
                r = self.measure(make_fn(cfg), n_sets, TUNE_WARMUP, TUNE_ITERS)
            except Exception as e:  # noqa: BLE001
                tune[str(cfg)] = f"{type(e).__name__}: {e}"[:200]
                continue
            tune[str(cfg)] = round(r["median_us"], 3)
            if r["median_us"] < best_t:
                best, best_t = cfg, r["median_us"]
        if best is None:
            raise CaseError(f"every config failed while tuning: {tune}")
        self._chosen[case_id] = best
        return best, tune

    def calibrate(self) -> dict:
        """Two reference numbers for the simulator, timed like the cases: the floor of
        one tiny kernel (launch + event overhead) and a 1 GiB device-to-device copy."""
        if self.dry:
            return {}
        torch = self.torch
        out = {}
        try:
            a = torch.zeros(1, device="cuda")
            r = self.measure(lambda i: a.add_(1), 1)
            out["tiny_kernel_floor_us"] = round(r["median_us"], 3)
            src = torch.empty(2 ** 30, dtype=torch.uint8, device="cuda")
            src.random_(0, 255)
            dst = torch.empty_like(src)
            r = self.measure(lambda i: dst.copy_(src), 1, 3, 10)
            out["copy_1gib_us"] = round(r["median_us"], 1)
            out["copy_gbps_read_plus_write"] = round(2 * 2 ** 30 / (r["median_us"] * 1e3), 1)
            src = dst = None  # free the 2 GiB before the cases
            torch.cuda.empty_cache()
        except Exception as e:  # noqa: BLE001
            out["error"] = f"{type(e).__name__}: {e}"[:300]
        return out

    # -- kernel trace (second pass, after every case has been timed) ---------

    def start_trace(self) -> dict:
        """Trace one lone GPU sleep: checks that the profiler records device kernels
        and learns the sleep kernel's name, the run marker.  env.json's kernel_trace."""
        if not self.spacer_cycles:
            return dict(enabled=False, reason="no GPU sleep (torch.cuda._sleep) to mark runs")
        events = KT.probe_spacer(self.torch, self.spacer_cycles)
        self.trace_sessions += 1
        if len(events) != 1:
            return dict(enabled=False, reason=f"a lone GPU sleep traced as {len(events)} device "
                                              f"events {[n[:60] for n, _ in events[:4]]}")
        self.is_spacer = KT.spacer_matcher(events[0][0])
        return dict(enabled=True, warmup=TRACE_WARMUP, runs=TRACE_RUNS,
                    spacer_kernel=events[0][0][:KT.NAME_CHARS],
                    spacer_device_us=round(events[0][1], 3),
                    method="torch.profiler CUDA activity (CUPTI), one session per case, "
                           "run after all cases were timed")

    def trace_fn(self, fn, n_sets: int) -> dict:
        """TRACE_WARMUP untimed runs, then TRACE_RUNS runs under the profiler."""
        torch = self.torch
        for i in range(TRACE_WARMUP):
            fn(i % n_sets)
        torch.cuda.synchronize()
        n_pad = TRACE_PAD + self.trace_sessions
        self.trace_sessions += 1
        events = KT.profile_runs(torch, fn, n_sets, TRACE_WARMUP, TRACE_RUNS,
                                 self.spacer_cycles, n_pad)
        return KT.note_from_events(events, TRACE_RUNS, self.is_spacer)

    def trace_tiny(self, cal: dict) -> None:
        """calibration.tiny_kernel_device_us: the device time of the one-element add
        whose event-timed median is tiny_kernel_floor_us."""
        try:
            a = self.torch.zeros(1, device="cuda")
            note = self.trace_fn(lambda i: a.add_(1), 1)
            cal["tiny_kernel_trace"] = note
            if not note.get("kernels_error"):
                cal["tiny_kernel_device_us"] = note.get("device_us_per_run")
        except Exception as e:  # noqa: BLE001
            cal["tiny_kernel_trace"] = {"kernels_error": f"{type(e).__name__}: {e}"[:300]}

    def trace_case(self, c: C.Case) -> dict:
        """Rebuild a timed case (same shapes, buffer sets and tuned config) and trace
        it: the note's kernel fields, or kernels_error.  The case's notes from the
        timed pass are kept."""
        saved = self.notes.get(c.case_id)
        self.tracing, self._trace_note = True, None
        err = ""
        try:
            self.run(c)
            self.sync()
        except _Interrupted:
            raise
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {e}"[:300]
        finally:
            self.tracing = False
            if saved is None:
                self.notes.pop(c.case_id, None)
            else:
                self.notes[c.case_id] = saved
        note, self._trace_note = self._trace_note, None
        if note is None:
            return {"kernels_error": err or "the case made no call to trace"}
        if err:
            note = dict(note, after_trace_error=err)
        return note

    # -- classes -------------------------------------------------------------

    def run(self, c: C.Case):
        """Returns (timing dict or None, op override or None)."""
        fn = {"gemv": self.run_matmul, "gemm": self.run_matmul, "qgemv": self.run_qgemv,
              "softmax": self.run_softmax, "attention": self.run_attention,
              "scan": self.run_scan, "decoder_step": self.run_decoder}[c.kernel_class]
        return fn(c)

    def run_matmul(self, c: C.Case):
        torch = self.torch
        dt = self.dt(c.dtype)
        n = self.n_sets(c.bytes)
        A = [self.randn((c.m, c.k), dt) for _ in range(n)]
        if c.op.endswith(C.LINEAR_SUFFIX):  # nn.Linear's layout: W[n, k], y = x W^T
            W = [self.randn((c.n, c.k), dt, scale=c.k ** -0.5) for _ in range(n)]
            linear = torch.nn.functional.linear
            res = self.measure(lambda i: linear(A[i], W[i]), n)
            self.notes[c.case_id] = dict(n_sets=n, layout="W[n,k] (F.linear)")
            return res, None
        W = [self.randn((c.k, c.n), dt, scale=c.k ** -0.5) for _ in range(n)]
        res = self.measure(lambda i: torch.matmul(A[i], W[i]), n)
        self.notes[c.case_id] = dict(n_sets=n)
        return res, None

    def run_qgemv(self, c: C.Case):
        torch = self.torch
        Q = self.triton_module("qgemv")
        n = self.n_sets(c.bytes)
        ws = [Q.random_qweight(c.k, c.n, c.weight_bits, c.group_size, self.device)
              for _ in range(n)]
        xs = [self.randn((c.m, c.k), torch.float16) for _ in range(n)]
        outs = [torch.empty((c.m, c.n), dtype=torch.float16, device=self.device)
                for _ in range(n)]
        ref = Q.reference(xs[0], ws[0])
        passing, errs, rel = [], [], {}
        for cfg in Q.CONFIGS[c.weight_bits]:
            try:
                e = Q.check(xs[0], ws[0], cfg, ref=ref)
            except Exception as ex:  # noqa: BLE001
                errs.append(f"{cfg}: {type(ex).__name__}: {str(ex)[:300]}")
                continue
            rel[str(cfg)] = e
            if e <= Q.TOLERANCE:
                passing.append(cfg)
            else:
                errs.append(f"{cfg}: rel err {e:.3g} > {Q.TOLERANCE}")
        if not passing:
            raise CaseError("qgemv correctness check failed for every config: " + "; ".join(errs))
        if errs:
            log(f"    warning: some qgemv configs failed: {'; '.join(errs)[:400]}")

        def make(cfg):
            return lambda i: Q.qgemv(xs[i], ws[i], cfg, out=outs[i])
        best, tune = self.tune(c.case_id, passing, make, n)
        res = self.measure(make(best), n)
        # set 0 was last written by the timed runs of the chosen config: check it again
        # (catches a split-K race that a single check run could miss)
        self.sync()
        post = Q.rel_err(outs[0], ref)
        if not post <= Q.TOLERANCE:
            raise CaseError(f"qgemv {best}: output after timing has rel err {post:.3g} > "
                            f"{Q.TOLERANCE}")
        self.notes[c.case_id] = dict(n_sets=n, config=str(best), tune_us=tune, rel_err=rel,
                                     post_timing_rel_err=post, failed_configs=errs,
                                     tolerance=Q.TOLERANCE)
        if res is not None:
            log(f"    qgemv config {best} (tuned: {tune})")
        return res, None

    def run_softmax(self, c: C.Case):
        torch = self.torch
        n = self.n_sets(c.bytes)
        X = [self.randn((c.m, c.n), self.dt(c.dtype)) for _ in range(n)]
        res = self.measure(lambda i: torch.softmax(X[i], dim=-1), n)
        self.notes[c.case_id] = dict(n_sets=n)
        return res, None

    def run_attention(self, c: C.Case):
        F = self.F
        dt = self.dt(c.dtype)
        n = self.n_sets(c.bytes)
        b, N, h, kv, d = c.batch, c.seq_len, c.heads, c.kv_heads, c.head_dim
        Q = [self.randn((b, h, N, d), dt) for _ in range(n)]
        K = [self.randn((b, kv, N, d), dt) for _ in range(n)]
        V = [self.randn((b, kv, N, d), dt) for _ in range(n)]
        op = None
        gqa = kv != h
        if gqa:
            try:
                F.scaled_dot_product_attention(Q[0], K[0], V[0], is_causal=True, enable_gqa=True)
                self.sync()
            except (TypeError, RuntimeError) as e:
                log(f"    enable_gqa unavailable ({type(e).__name__}: {str(e)[:120]}); "
                    "repeating K/V heads")
                rep = h // kv
                K = [k.repeat_interleave(rep, dim=1) for k in K]
                V = [v.repeat_interleave(rep, dim=1) for v in V]
                gqa = False
                op = c.op + "_kvrepeat"
        if gqa:
            fn = lambda i: F.scaled_dot_product_attention(  # noqa: E731
                Q[i], K[i], V[i], is_causal=True, enable_gqa=True)
        else:
            fn = lambda i: F.scaled_dot_product_attention(  # noqa: E731
                Q[i], K[i], V[i], is_causal=True)
        res = self.measure(fn, n)
        self.notes[c.case_id] = dict(n_sets=n, enable_gqa=gqa)
        return res, op

    def _scan_passing(self, S, impl: str):
        """Configs of one scan kernel that pass the small-shape check (cached)."""
        if impl not in self._scan_checks:
            configs = S.CONFIGS[impl][:1] if self.dry else S.CONFIGS[impl]
            passing, errs, rel = [], [], {}
            for cfg in configs:
                try:
                    e = S.check(impl, cfg, self.device)
                except Exception as ex:  # noqa: BLE001
                    errs.append(f"{cfg}: {type(ex).__name__}: {str(ex)[:300]}")
                    continue
                rel[str(cfg)] = e
                if e <= S.TOLERANCE:
                    passing.append(cfg)
                else:
                    errs.append(f"{cfg}: rel err {e:.3g} > {S.TOLERANCE}")
            self._scan_checks[impl] = (passing, errs, rel)
            if errs:
                log(f"    warning: scan {impl} configs failed the check: {'; '.join(errs)[:400]}")
        return self._scan_checks[impl]

    def run_scan(self, c: C.Case):
        torch = self.torch
        S = self.triton_module("scan")
        impl = {"selective_scan_seq": "seq", "selective_scan_assoc": "assoc",
                "selective_scan_step": "step"}[c.op]
        passing, errs, rel = self._scan_passing(S, impl)
        if not passing:
            raise CaseError(f"scan {impl} correctness check failed: " + "; ".join(errs))
        n = self.n_sets(c.bytes)
        b, L, d, ns = c.batch, c.seq_len, c.d_inner, c.d_state
        sets = [S.random_inputs(b, L, d, ns, self.device) for _ in range(n)]
        if impl == "step":
            steps = []
            for (u, dt, A, B, Cm, D) in sets:
                h = torch.randn(b, d, ns, device=self.device)
                steps.append((h, u[:, 0].contiguous(), dt[:, 0].contiguous(), A,
                              B[:, 0].contiguous(), Cm[:, 0].contiguous(), D,
                              torch.empty((b, d), dtype=u.dtype, device=self.device)))

            def make(cfg):
                def f(i):
                    h, u, dt, A, B, Cm, D, y = steps[i]
                    S.scan_step(h, u, dt, A, B, Cm, D, cfg, out=y)
                return f
        else:
            outs = [torch.empty_like(s[0]) for s in sets]

            def make(cfg):
                def f(i):
                    u, dt, A, B, Cm, D = sets[i]
                    S.selective_scan(u, dt, A, B, Cm, D, impl, cfg, out=outs[i])
                return f
        best, tune = self.tune(c.case_id, passing, make, n)
        res = self.measure(make(best), n)
        self.notes[c.case_id] = dict(n_sets=n, config=str(best), tune_us=tune,
                                     check_rel_err=rel, failed_configs=errs)
        if res is not None:
            log(f"    scan config {best} (tuned: {tune})")
        return res, None

    def build_decoder(self, c: C.Case):
        """Llama-style decoder layers (random fp16 weights) for one decode step."""
        torch, F = self.torch, self.F
        dt = self.dt(c.dtype)
        b, hid, inter = c.batch, c.k, c.n
        h, kv, d, ctx = c.heads, c.kv_heads, c.head_dim, c.seq_len
        layers = []
        for _ in range(c.layers):
            layers.append(dict(
                g1=1.0 + 0.1 * self.randn((hid,), dt), g2=1.0 + 0.1 * self.randn((hid,), dt),
                wq=self.randn((hid, h * d), dt, hid ** -0.5),
                wk=self.randn((hid, kv * d), dt, hid ** -0.5),
                wv=self.randn((hid, kv * d), dt, hid ** -0.5),
                wo=self.randn((h * d, hid), dt, (h * d) ** -0.5),
                wg=self.randn((hid, inter), dt, hid ** -0.5),
                wu=self.randn((hid, inter), dt, hid ** -0.5),
                wd=self.randn((inter, hid), dt, inter ** -0.5),
                kc=self.randn((b, kv, ctx + 1, d), dt),  # ctx cached tokens + the new one
                vc=self.randn((b, kv, ctx + 1, d), dt),
            ))
        inv = 1.0 / (10000.0 ** (torch.arange(0, d, 2, device=self.device,
                                                dtype=torch.float32) / d))
        ang = ctx * inv
        cos = torch.cat([ang.cos(), ang.cos()]).to(dt)
        sin = torch.cat([ang.sin(), ang.sin()]).to(dt)
        half = d // 2
        gqa = kv != h

        def rms(x, g):
            xf = x.float()
            return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-5)).to(dt) * g

        def rope(t):
            return t * cos + torch.cat((-t[..., half:], t[..., :half]), dim=-1) * sin

        def step(x):
            for p in layers:
                a = rms(x, p["g1"])
                q = rope((a @ p["wq"]).view(b, h, 1, d))
                k = rope((a @ p["wk"]).view(b, kv, 1, d))
                v = (a @ p["wv"]).view(b, kv, 1, d)
                p["kc"][:, :, ctx:ctx + 1].copy_(k)
                p["vc"][:, :, ctx:ctx + 1].copy_(v)
                if gqa:
                    o = F.scaled_dot_product_attention(q, p["kc"], p["vc"], enable_gqa=True)
                else:
                    o = F.scaled_dot_product_attention(q, p["kc"], p["vc"])
                x = x + o.reshape(b, h * d) @ p["wo"]
                a2 = rms(x, p["g2"])
                x = x + (F.silu(a2 @ p["wg"]) * (a2 @ p["wu"])) @ p["wd"]
            return x

        x0 = self.randn((b, hid), dt)
        return step, x0

    def run_decoder(self, c: C.Case):
        torch = self.torch
        step, x0 = self.build_decoder(c)
        graph = c.op.endswith("_cudagraph")
        if graph and not self.dry:
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                for _ in range(3):
                    step(x0)
            torch.cuda.current_stream().wait_stream(s)
            torch.cuda.synchronize()
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                y = step(x0)
            fn = lambda i: g.replay()  # noqa: E731
        else:
            fn = lambda i: step(x0)  # noqa: E731
            y = None
        if self.dry:
            out = step(x0)
            if not bool(torch.isfinite(out.float()).all()):
                raise CaseError("decoder step produced non-finite values")
        res = self.measure(fn, 1)
        if y is not None:
            self.sync()
            if not bool(torch.isfinite(y.float()).all()):
                raise CaseError("decoder step (graph) produced non-finite values")
        self.notes[c.case_id] = dict(n_sets=1, cuda_graph=graph and not self.dry)
        return res, None


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", help="output directory (results.csv, env.json)")
    p.add_argument("--quick", action="store_true", help="subset of cases (< 1 min)")
    p.add_argument("--list", action="store_true", help="print the case list and exit (no torch)")
    p.add_argument("--cpu-dry-run", action="store_true",
                   help="tiny shapes on the CPU, one untimed run per case (Triton interpreter)")
    p.add_argument("--device-name-override", default="", help="value of the device column")
    p.add_argument("--only", default="", help="regex on case_id: run matching cases only")
    p.add_argument("--warmup", type=int, default=DEFAULT_WARMUP)
    p.add_argument("--iters", type=int, default=DEFAULT_ITERS)
    p.add_argument("--max-rotation-gb", type=float, default=8.0,
                   help="cap on the bytes of rotated buffer sets per case")
    p.add_argument("--no-kernel-trace", action="store_true",
                   help="skip the kernel trace pass (torch.profiler after all timing)")
    p.add_argument("--time-budget-s", type=float, default=None,
                   help="skip (error row) the remaining cases after this many seconds "
                        "(default 390 on a GPU, none for --cpu-dry-run)")
    return p.parse_args(argv)


def select_cases(args):
    cases = C.build_cases(quick=args.quick)
    if args.only:
        rx = re.compile(args.only)
        cases = [c for c in cases if rx.search(c.case_id)]
    return cases


def est_trace_s(cases) -> float:
    """Estimated seconds of the kernel trace pass: per case the setup again (the
    formula of cases.est_case_s), TRACE_WARMUP + TRACE_RUNS runs and a profiler
    session; plus CUPTI's start."""
    t = 2.0
    for c in cases:
        setup = 0.03 + 2.0 * max(c.bytes, 100e6) / 1.0e12
        if c.kernel_class == "decoder_step":
            setup += 1.0
        t += (setup + (TRACE_WARMUP + TRACE_RUNS) * (C.est_kernel_s(c) + C.EST_SPACER_S)
              + EST_TRACE_SESSION_S)
    return t


def do_list(cases) -> int:
    log(f"{'case_id':<52} {'class':<13} {'est_s':>6}  shape")
    for c in cases:
        log(f"{c.case_id:<52} {c.kernel_class:<13} {C.est_case_s(c):6.2f}  {c.shape_str()}")
    counts = {}
    for c in cases:
        counts[c.kernel_class] = counts.get(c.kernel_class, 0) + 1
    log(f"{len(cases)} cases: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    log(f"estimated H100 runtime: {C.est_total_s(cases):.0f} s "
        "(bytes/3 TB/s, flops/700 TFLOP/s, + launch, spacer, setup, compile)")
    log(f"kernel trace pass after the timing: about {est_trace_s(cases):.0f} s more "
        f"({TRACE_RUNS} profiled runs per case, setup again; --no-kernel-trace skips it)")
    return 0


class _Interrupted(Exception):
    pass


def trace_pass(runner: Runner, timed, env: dict, args, t0: float, save) -> dict:
    """The kernel trace of the calibration's tiny add and of every timed case (after
    all timing, so no timed run shares the process with an active or finished
    profiler session).  Returns env.json's kernel_trace; notes go to case_notes."""
    t1 = time.time()
    try:
        info = runner.start_trace()
    except _Interrupted as e:
        return dict(enabled=False, reason=f"interrupted ({e})")
    except Exception as e:  # noqa: BLE001
        return dict(enabled=False, reason=f"profiler probe failed: {type(e).__name__}: {e}"[:300])
    if not info.get("enabled"):
        log(f"kernel trace: off ({info.get('reason')})")
        return info
    log(f"kernel trace: {len(timed)} timed cases, {TRACE_RUNS} profiled runs each "
        f"(run marker {info['spacer_kernel'][:60]!r})")
    cal = env.get("calibration")
    if cal and "tiny_kernel_floor_us" in cal:
        runner.trace_tiny(cal)
    n = 0
    budget = float("inf") if args.time_budget_s is None else args.time_budget_s
    try:
        for case in timed:
            if time.time() - t0 > budget:
                info["stopped"] = f"time budget of {budget:.0f} s exhausted"
                break
            note = runner.trace_case(case)
            runner.notes.setdefault(case.case_id, {}).update(note)
            n += 1
            if note.get("kernels_error"):
                log(f"    trace {case.case_id}: {note['kernels_error'][:200]}")
            try:
                runner.torch.cuda.synchronize()
                runner.torch.cuda.empty_cache()
            except Exception as e:  # noqa: BLE001
                info["stopped"] = f"CUDA context broken: {type(e).__name__}: {e}"[:300]
                break
            if n % 25 == 0 or n == len(timed):
                log(f"kernel trace: {n}/{len(timed)} cases, {time.time() - t0:6.1f}s")
                save()
    except _Interrupted as e:
        info["stopped"] = f"interrupted ({e})"
    info["traced"] = n
    info["wall_s"] = round(time.time() - t1, 1)
    return info


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    cases = select_cases(args)
    if args.list:
        return do_list(cases)
    if not args.out:
        log("error: --out DIR is required (or --list)")
        return 2
    os.makedirs(args.out, exist_ok=True)
    if args.time_budget_s is None:
        args.time_budget_s = float("inf") if args.cpu_dry_run else 390.0
    t0 = time.time()
    if args.cpu_dry_run:
        os.environ["TRITON_INTERPRET"] = "1"  # before the first import of triton
    elif not args.no_kernel_trace:
        os.environ.setdefault("KINETO_LOG_LEVEL", "5")  # no Kineto chatter per session

    def on_term(signum, _frame):
        raise _Interrupted(f"signal {signum}")
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            signal.signal(sig, on_term)
        except (ValueError, OSError):
            pass

    try:
        import torch
    except Exception as e:  # noqa: BLE001
        log(f"error: cannot import torch: {e}")
        return 2
    triton_version = ""
    try:
        import triton
        triton_version = triton.__version__
    except Exception as e:  # noqa: BLE001
        log(f"note: triton not importable ({e}); qgemv and scan cases will be error rows")

    if args.cpu_dry_run:
        device = "cpu"
        torch.manual_seed(0)
    else:
        if not torch.cuda.is_available():
            log("error: no CUDA device (use --cpu-dry-run to check the harness on CPU)")
            return 2
        device = "cuda"
        torch.manual_seed(0)
        torch.backends.cuda.matmul.allow_tf32 = False
    env = collect_env(torch, device, triton_version, args.device_name_override)
    env["mode"] = "cpu-dry-run" if args.cpu_dry_run else ("quick" if args.quick else "full")
    env["argv"] = sys.argv[1:] if argv is None else list(argv)
    runner = Runner(torch, device, args, env)
    env_path = os.path.join(args.out, "env.json")

    def write_env(extra=None):
        e = dict(env)
        e["case_notes"] = runner.notes
        if extra:
            e.update(extra)
        with open(env_path, "w", encoding="utf-8") as f:
            json.dump(e, f, indent=1, default=str)

    env["calibration"] = runner.calibrate()
    write_env()
    ordered = C.run_order(cases)
    est = C.est_total_s(ordered)
    log(f"device: {env['device']} | torch {env['torch']} cuda {env['cuda']} triton "
        f"{env['triton']} driver {env.get('driver', '')} | SMs {env.get('sm_count', '-')} "
        f"L2 {env.get('l2_bytes', '-')} B")
    if env.get("calibration"):
        log(f"calibration: {env['calibration']}")
    log(f"{len(ordered)} cases ({env['mode']}), estimated {est:.0f} s on an H100"
        + ("" if args.cpu_dry_run or args.no_kernel_trace else
           f" + {est_trace_s(ordered):.0f} s kernel trace")
        + f"; time budget {args.time_budget_s:.0f} s")

    writer = C.CsvWriter(os.path.join(args.out, "results.csv"))
    rows = []
    timed = []  # cases with a timing, for the trace pass
    broken = ""  # set when the CUDA context is unusable
    interrupted = ""
    try:
        for idx, case in enumerate(ordered, 1):
            c = C.tiny_case(case) if args.cpu_dry_run else case
            start = time.time()
            timing, op, err = None, None, ""
            if interrupted:
                err = f"skipped: interrupted ({interrupted})"
            elif broken:
                err = f"skipped: CUDA context broken by an earlier error: {broken}"[:300]
            elif time.time() - t0 > args.time_budget_s:
                err = f"skipped: time budget of {args.time_budget_s:.0f} s exhausted"
            else:
                try:
                    timing, op = runner.run(c)
                    runner.sync()
                except _Interrupted as e:
                    interrupted = str(e)
                    err = f"interrupted ({e})"
                except Exception as e:  # noqa: BLE001
                    err = f"{type(e).__name__}: {e}"
                    tb = traceback.format_exc().strip().splitlines()
                    log(f"    error: {err[:300]}")
                    log("    " + " | ".join(tb[-4:])[:600])
                    if not args.cpu_dry_run:
                        try:
                            torch.cuda.synchronize()
                            torch.cuda.empty_cache()
                        except Exception as e2:  # noqa: BLE001
                            broken = f"{type(e2).__name__}: {e2}"
                finally:
                    if not args.cpu_dry_run and not broken:
                        try:
                            torch.cuda.empty_cache()
                        except Exception:  # noqa: BLE001
                            pass
            row = C.make_row(c, timing, env, err, op=op)
            writer.write(row)
            rows.append(row)
            if timing:
                timed.append(c)
            took = time.time() - start
            if timing:
                msg = (f"{timing['median_us']:10.1f} us {float(row['achieved_gbps']):7.0f} GB/s "
                       f"{float(row['achieved_tflops']):7.2f} TFLOP/s")
            elif err:
                msg = "ERROR " + err[:100]
            else:
                msg = "ok (untimed)"
            log(f"[{idx:>3}/{len(ordered)}] {time.time() - t0:6.1f}s {c.case_id:<48} {msg} "
                f"(est {C.est_case_s(case):.2f}s, took {took:.2f}s)")
    except _Interrupted as e:
        log(f"interrupted: {e}")
    finally:
        writer.close()
        try:
            write_env({"wall_s": round(time.time() - t0, 1), "broken": broken,
                       "interrupted": interrupted})
        except Exception as e:  # noqa: BLE001
            log(f"warning: could not write env.json: {e}")

    if args.no_kernel_trace:
        env["kernel_trace"] = dict(enabled=False, reason="--no-kernel-trace")
    elif args.cpu_dry_run:
        env["kernel_trace"] = dict(enabled=False, reason="cpu-dry-run: no CUDA")
    elif broken or interrupted:
        env["kernel_trace"] = dict(enabled=False, reason="skipped: " + (
            f"CUDA context broken ({broken})" if broken else f"interrupted ({interrupted})"))
    else:
        env["kernel_trace"] = trace_pass(runner, timed, env, args, t0,
                                         lambda: write_env({"wall_s": round(time.time() - t0, 1),
                                                            "broken": broken,
                                                            "interrupted": interrupted}))
    try:
        write_env({"wall_s": round(time.time() - t0, 1), "broken": broken,
                   "interrupted": interrupted})
    except Exception as e:  # noqa: BLE001
        log(f"warning: could not write env.json: {e}")
    lines = SUM.summary_lines(rows, wall_s=time.time() - t0)
    cal = env.get("calibration") or {}
    if cal:
        lines.insert(2, f"calibration: tiny-kernel floor {cal.get('tiny_kernel_floor_us', '-')} us, "
                        f"1 GiB copy {cal.get('copy_gbps_read_plus_write', '-')} GB/s (read+write)")
    lines.append(KT.summary_line(rows, runner.notes, cal, env.get("kernel_trace")))
    log("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
