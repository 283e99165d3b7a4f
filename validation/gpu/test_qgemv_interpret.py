"""Numerics of the Triton kernels on CPU (TRITON_INTERPRET=1) and of the PyTorch
references.  Opt-in: every test here is skipped when PyTorch (or, for the kernel
tests, Triton) is not importable, so CI without PyTorch only sees skips.

    python3 -m venv /tmp/tvenv && /tmp/tvenv/bin/pip install torch triton numpy
    /tmp/tvenv/bin/python -m unittest discover -s validation/gpu -p 'test_*.py'
"""

import os
import subprocess
import sys
import tempfile
import unittest

# Must be set before the first `import triton` in this process.
os.environ.setdefault("TRITON_INTERPRET", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import torch
    HAVE_TORCH = True
except Exception:  # noqa: BLE001
    HAVE_TORCH = False

HAVE_TRITON = False
if HAVE_TORCH:
    import qgemv as Q  # noqa: E402
    import scan as S  # noqa: E402
    HAVE_TRITON = Q.HAVE_TRITON and S.HAVE_TRITON

INTERPRETED = os.environ.get("TRITON_INTERPRET") == "1"
needs_torch = unittest.skipUnless(HAVE_TORCH, "PyTorch not importable: skipped (opt-in test)")
needs_triton = unittest.skipUnless(
    HAVE_TORCH and HAVE_TRITON and INTERPRETED,
    "PyTorch/Triton not importable (or TRITON_INTERPRET != 1): skipped (opt-in test)")


@needs_torch
class PackingTest(unittest.TestCase):
    def test_w4_bit_layout(self):
        # one column, k = 0..7 holding q = k: word = 0x76543210
        q = torch.arange(8, dtype=torch.int64).view(8, 1)
        (w,) = Q.pack(q, 4)
        self.assertEqual(w.dtype, torch.int32)
        self.assertEqual(w.item(), 0x76543210)
        # q = 15 in the top nibble sets the sign bit: stored as a negative int32
        q2 = torch.zeros(8, 1, dtype=torch.int64)
        q2[7] = 15
        self.assertEqual(Q.pack(q2, 4)[0].item(), 0xF0000000 - 2 ** 32)

    def test_w3_bit_layout(self):
        q = torch.zeros(32, 1, dtype=torch.int64)
        q[0], q[1], q[15], q[16], q[31] = 7, 2, 5, 4, 3
        lo, hi = Q.pack(q, 3)
        self.assertEqual(lo.shape, (2, 1))
        self.assertEqual(hi.shape, (1, 1))
        # low 2 bits: k=0 -> 3 at bits 0-1, k=1 -> 2 at bits 2-3, k=15 -> 1 at bits 30-31
        self.assertEqual(lo[0].item() & 0xFFFFFFFF, 3 | (2 << 2) | (1 << 30))
        # second word: k=16 -> 0, k=31 -> 3 at bits 30-31
        self.assertEqual(lo[1].item() & 0xFFFFFFFF, 3 << 30)
        # bit 2: k=0 (7), k=15 (5), k=16 (4)
        self.assertEqual(hi[0].item() & 0xFFFFFFFF, (1 << 0) | (1 << 15) | (1 << 16))

    def test_round_trip(self):
        g = torch.Generator().manual_seed(0)
        for bits in (4, 3):
            q = torch.randint(0, 2 ** bits, (256, 24), generator=g)
            planes = Q.pack(q, bits)
            self.assertTrue(torch.equal(Q.unpack(planes, bits), q))
            # any random bit pattern is a valid packing
            w = Q.random_qweight(256, 24, bits, 128, "cpu", generator=g)
            back = Q.pack(Q.unpack(w.planes, bits), bits)
            for a, b in zip(back, w.planes):
                self.assertTrue(torch.equal(a, b))
            bits_per_weight = 8 * w.nbytes() / (256 * 24)
            self.assertAlmostEqual(bits_per_weight, bits + 32 / 128)

    def test_dequant_formula(self):
        g = torch.Generator().manual_seed(1)
        w = Q.random_qweight(256, 5, 3, 128, "cpu", generator=g)
        W = Q.dequant(w)
        q = Q.unpack(w.planes, 3)
        for k in (0, 127, 128, 255):
            for n in range(5):
                s = w.scales[k // 128, n].float()
                z = w.zeros[k // 128, n].float()
                self.assertAlmostEqual(W[k, n].item(), ((q[k, n] - z) * s).item(), places=6)
        x = torch.randn(2, 256, generator=g).half()
        ref = Q.reference(x, w)
        self.assertEqual(ref.dtype, torch.float64)
        self.assertTrue(torch.allclose(ref, x.double() @ W.double()))


@needs_torch
class ScanReferenceTest(unittest.TestCase):
    def test_single_step_closed_form(self):
        g = torch.Generator().manual_seed(2)
        u, dt, A, B, C, D = S.random_inputs(2, 1, 6, 4, "cpu", generator=g)
        y, h = S.scan_ref(u, dt, A, B, C, D)
        # from h0 = 0: h = dt*u*B, y = C.h + D*u
        h_cf = (dt[:, 0].double() * u[:, 0].double())[:, :, None] * B[:, 0, None, :].double()
        y_cf = (h_cf * C[:, 0, None, :].double()).sum(-1) + D.double() * u[:, 0].double()
        self.assertTrue(torch.allclose(h, h_cf))
        self.assertTrue(torch.allclose(y[:, 0], y_cf))

    def test_split_in_time_with_carried_state(self):
        g = torch.Generator().manual_seed(3)
        u, dt, A, B, C, D = S.random_inputs(1, 12, 5, 8, "cpu", generator=g)
        y, h = S.scan_ref(u, dt, A, B, C, D)
        y1, h1 = S.scan_ref(u[:, :7], dt[:, :7], A, B[:, :7], C[:, :7], D)
        y2, h2 = S.scan_ref(u[:, 7:], dt[:, 7:], A, B[:, 7:], C[:, 7:], D, h0=h1)
        self.assertTrue(torch.allclose(torch.cat([y1, y2], 1), y))
        self.assertTrue(torch.allclose(h2, h))

    def test_state_decays(self):
        # A < 0 and dt > 0: with zero input after step 0 the state shrinks
        g = torch.Generator().manual_seed(4)
        u, dt, A, B, C, D = S.random_inputs(1, 6, 3, 4, "cpu", generator=g)
        u[:, 1:] = 0
        _y, h = S.scan_ref(u, dt, A, B, C, D)
        _y1, h1 = S.scan_ref(u[:, :1], dt[:, :1], A, B[:, :1], C[:, :1], D)
        self.assertTrue(bool((h.abs() <= h1.abs() + 1e-12).all()))


@needs_triton
class QgemvInterpreterTest(unittest.TestCase):
    def test_all_configs_match_reference(self):
        g = torch.Generator().manual_seed(5)
        for bits in (4, 3):
            for (m, k, n) in [(1, 256, 40), (3, 384, 24)]:
                w = Q.random_qweight(k, n, bits, 128, "cpu", generator=g)
                x = torch.randn(m, k, generator=g).half()
                ref = Q.reference(x, w)
                for cfg in Q.CONFIGS[bits]:
                    with self.subTest(bits=bits, m=m, k=k, n=n, cfg=str(cfg)):
                        self.assertLessEqual(Q.check(x, w, cfg, ref=ref), Q.TOLERANCE)

    def test_unpacking_is_exact_in_fp32(self):
        # with an fp32 output the only error left is fp32 summation (~1e-7)
        g = torch.Generator().manual_seed(6)
        for bits in (4, 3):
            w = Q.random_qweight(512, 40, bits, 128, "cpu", generator=g)
            x = torch.randn(1, 512, generator=g).half()
            out = torch.full((1, 40), float("nan"), dtype=torch.float32)
            Q.qgemv(x, w, Q.CONFIGS[bits][2], out=out)
            self.assertLess(Q.rel_err(out, Q.reference(x, w)), 1e-5)

    def test_split_k_resets_counters_and_repeats(self):
        g = torch.Generator().manual_seed(7)
        w = Q.random_qweight(1152, 40, 4, 128, "cpu", generator=g)
        x = torch.randn(2, 1152, generator=g).half()
        cfg = Q.QConfig(16, 256, 4, split_k=8)  # 8 slices of 256 cover 2048 > 1152
        ref = Q.reference(x, w)
        y1 = Q.qgemv(x, w, cfg).clone()
        y2 = Q.qgemv(x, w, cfg)
        self.assertTrue(torch.equal(y1, y2))  # fixed summation order: deterministic
        self.assertLessEqual(Q.rel_err(y2, ref), Q.TOLERANCE)
        for _ws, cnt in Q._SPLIT_STATE.values():
            self.assertEqual(int(cnt.abs().sum()), 0)

    def test_wrong_result_is_detected(self):
        g = torch.Generator().manual_seed(8)
        w = Q.random_qweight(256, 16, 4, 128, "cpu", generator=g)
        x = torch.randn(1, 256, generator=g).half()
        bad = Q.reference(x, w) * 1.01
        self.assertGreater(Q.check(x, w, Q.CONFIGS[4][0], ref=bad), Q.TOLERANCE)


@needs_triton
class ScanInterpreterTest(unittest.TestCase):
    def test_seq_and_step_all_configs(self):
        for impl in ("seq", "step"):
            for cfg in S.CONFIGS[impl]:
                with self.subTest(impl=impl, cfg=str(cfg)):
                    self.assertLessEqual(S.check(impl, cfg, "cpu"), S.TOLERANCE)

    def test_assoc_chunked(self):
        # L = 21 is not a multiple of the chunk: the padded steps must pass the state through
        cfg = S.CONFIGS["assoc"][0]
        self.assertLessEqual(S.check("assoc", cfg, "cpu", b=1, L=21, d=20, n=16), S.TOLERANCE)


@needs_triton
class HarnessDryRunTest(unittest.TestCase):
    def test_cpu_dry_run_quick(self):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run(
                [sys.executable, os.path.join(HERE, "harness.py"), "--cpu-dry-run", "--quick",
                 "--out", d], capture_output=True, text=True, timeout=900)
            self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-2000:])
            import cases as C
            rows = C.read_rows(os.path.join(d, "results.csv"))
            self.assertEqual(len(rows), len(C.build_cases(quick=True)))
            errors = [(row["case_id"], row["error"]) for row in rows if row["error"]]
            self.assertEqual(errors, [])
            self.assertTrue(os.path.exists(os.path.join(d, "env.json")))
            self.assertIn("=== summary ===", r.stdout)


if __name__ == "__main__":
    unittest.main()
