"""Standard-library tests of the GPU harness: case list, formulas, CSV, CLI.

Run from the repository root on any machine (no PyTorch, no GPU):

    python3 -m unittest discover -s validation/gpu -p 'test_*.py'
"""

import csv
import io
import math
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases as C  # noqa: E402
import kernel_trace as KT  # noqa: E402
import summary as SUM  # noqa: E402

EXPECTED_HEADER = (
    "case_id,kernel_class,model,op,dtype,weight_bits,group_size,batch,m,n,k,seq_len,heads,"
    "kv_heads,head_dim,d_state,d_inner,layers,median_us,p10_us,p90_us,bytes,flops,"
    "achieved_gbps,achieved_tflops,n_runs,device,driver,torch,triton,cuda,error"
)


def _by_id(quick=False):
    return C.cases_by_id(C.build_cases(quick=quick))


class CaseListTest(unittest.TestCase):
    def test_non_empty_and_unique_ids(self):
        for quick in (False, True):
            cs = C.build_cases(quick=quick)
            self.assertTrue(cs)
            ids = [c.case_id for c in cs]
            self.assertEqual(len(ids), len(set(ids)), "duplicate case ids")

    def test_every_class_present(self):
        for quick in (False, True):
            classes = {c.kernel_class for c in C.build_cases(quick=quick)}
            self.assertEqual(classes, set(C.KERNEL_CLASSES))

    def test_quick_is_subset_and_smaller(self):
        full = set(_by_id(False))
        quick = set(_by_id(True))
        self.assertTrue(quick < full)
        self.assertLess(len(quick), len(full) / 3)

    def test_gemv_shapes_deduplicated(self):
        gemv = [c for c in C.build_cases() if c.kernel_class == "gemv"]
        keys = [(c.dtype, c.m, c.k, c.n, c.model, c.op.endswith(C.LINEAR_SUFFIX))
                for c in gemv]
        self.assertEqual(len(keys), len(set(keys)))
        # 11 distinct projection shapes x 5 batches x 2 dtypes with W[k, n], plus the
        # fp16 ones at m = 1 and 4 with nn.Linear's W[n, k]
        self.assertEqual(len(keys), 11 * 5 * 2 + 11 * 2)
        linear = [c for c in gemv if c.op.endswith(C.LINEAR_SUFFIX)]
        self.assertEqual({c.dtype for c in linear}, {"fp16"})
        self.assertEqual(sorted({c.m for c in linear}), [1, 4])
        # every linear row has a W[k, n] twin of the same shape (the layout comparison)
        plain = {(c.model, c.op, c.m, c.n, c.k) for c in gemv
                 if not c.op.endswith(C.LINEAR_SUFFIX)}
        for c in linear:
            self.assertIn((c.model, c.op[:-len(C.LINEAR_SUFFIX)], c.m, c.n, c.k), plain)

    def test_class_constraints(self):
        for c in C.build_cases():
            if c.kernel_class == "gemv":
                self.assertLessEqual(c.m, 16)
            if c.kernel_class == "gemm":
                self.assertGreaterEqual(c.m, 128)
            if c.kernel_class == "qgemv":
                self.assertEqual(c.k % c.group_size, 0)
                self.assertIn(c.weight_bits, (3, 4))
                # every qgemv has its fp16 GEMV baseline in the same list
                self.assertIn(f"gemv-fp16-{c.model}-{c.op}-m{c.m}", _by_id(False))
            if c.kernel_class == "attention":
                self.assertEqual(c.heads % c.kv_heads, 0)

    def test_llava_video_token_counts(self):
        self.assertEqual(C.N_DENSE, 64 * 210 + 128)  # 13568
        self.assertEqual(C.N_FRAMEFUSION, round(0.3 * 13440) + 128)  # 4160
        ns = {c.seq_len for c in C.build_cases() if c.kernel_class == "attention"}
        self.assertTrue({13568, 4160, 1024, 2048, 8192} <= ns)

    def test_tiny_cases_keep_constraints(self):
        for c in C.build_cases():
            t = C.tiny_case(c)
            self.assertEqual(t.case_id, c.case_id)
            self.assertEqual(t.kernel_class, c.kernel_class)
            if t.kernel_class == "qgemv":
                self.assertEqual(t.k % t.group_size, 0)
            self.assertGreater(t.bytes, 0)
            self.assertLess(t.bytes, c.bytes + 1)

    def test_runtime_estimates(self):
        full = C.est_total_s(C.build_cases())
        quick = C.est_total_s(C.build_cases(quick=True))
        self.assertLess(full, 300.0)  # the brief: full run under ~5 minutes on an H100
        self.assertLess(quick, 60.0)
        self.assertLess(quick, full)

    def test_run_order_puts_triton_last(self):
        order = [c.kernel_class for c in C.run_order(C.build_cases())]
        first_triton = min(order.index("qgemv"), order.index("scan"))
        torch_only = {"gemv", "gemm", "attention", "softmax", "decoder_step"}
        self.assertTrue(all(cls in torch_only for cls in order[:first_triton]))


class FormulaTest(unittest.TestCase):
    """bytes/flops against values worked out by hand (derivations in comments)."""

    def test_gemv_llama_qkvo_m1(self):
        c = _by_id()["gemv-fp16-llama2_7b-qkvo_proj-m1"]
        # A 1x4096 + W 4096x4096 + C 1x4096 fp16:
        # 2 * (4096 + 16_777_216 + 4096) = 2 * 16_785_408 = 33_570_816 bytes
        self.assertEqual(c.bytes, 33_570_816)
        # 2 * m * n * k = 2 * 1 * 4096 * 4096 = 33_554_432
        self.assertEqual(c.flops, 33_554_432)

    def test_qgemv_w3_qwen_kv_m1(self):
        c = _by_id()["qgemv-w3g128-qwen2_7b-k_v_proj-m1"]
        # k = 3584, n = 512, m = 1, 3 bits, group 128:
        # x: 2 * 3584 = 7_168; packed W: 3 * 3584 * 512 / 8 = 688_128;
        # scale + zero: (3584 / 128 = 28) * 512 * 2 B * 2 = 57_344; y: 2 * 512 = 1_024
        # total 7_168 + 688_128 + 57_344 + 1_024 = 753_664
        self.assertEqual(c.bytes, 753_664)
        self.assertEqual(c.flops, 2 * 512 * 3584)  # 3_670_016
        # bits per weight incl. scale and zero: 3 + 32/128 = 3.25
        w = C.qgemv_weight_bytes(3584, 512, 3, 128)
        self.assertAlmostEqual(8 * w / (3584 * 512), 3.25)

    def test_attention_dense_llava_video(self):
        c = _by_id()["attention-fp16-qwen2_7b-N13568"]
        # Q, O: 28 heads; K, V: 4 heads; N = 13568, d = 128, fp16:
        # 2 B * 13568 * 128 * (2*28 + 2*4 = 64) = 222_298_112 bytes
        self.assertEqual(c.bytes, 222_298_112)
        # causal: 4 * b * h * N^2 * d / 2 = 2 * 28 * 128 * 13568^2
        #       = 7168 * 184_090_624 = 1_319_561_592_832
        self.assertEqual(c.flops, 1_319_561_592_832)

    def test_scan_mamba_L1024(self):
        c = _by_id()["scan-seq-mamba_2.8b-L1024-b1"]
        # u, delta: 2 * (1 * 1024 * 5120) fp16 = 20_971_520; B, C: 2 * 1024 * 16 fp16 = 65_536;
        # y: 1024 * 5120 fp16 = 10_485_760; A: 5120 * 16 fp32 = 327_680; D: 5120 fp32 = 20_480
        # total 31_870_976
        self.assertEqual(c.bytes, 31_870_976)
        # 9 * b * L * d_inner * d_state = 9 * 1024 * 5120 * 16 = 754_974_720
        self.assertEqual(c.flops, 754_974_720)

    def test_scan_step_b8(self):
        c = _by_id()["scan-step-mamba_2.8b-b8"]
        # u, delta, y: 3 * 8 * 5120 fp16 = 245_760; B, C: 2 * 8 * 16 fp16 = 512;
        # A + D fp32: 327_680 + 20_480; state read + write: 2 * 4 * 8 * 5120 * 16 = 5_242_880
        self.assertEqual(c.bytes, 245_760 + 512 + 348_160 + 5_242_880)
        self.assertEqual(c.flops, 9 * 8 * 5120 * 16)

    def test_decoder_step_b1(self):
        c = _by_id()["decoder-llama2_7b-cudagraph-b1"]
        # params/layer: q,k,v,o 4 * 4096^2 = 67_108_864; gate, up, down 3 * 4096 * 11008
        # = 135_266_304; total 202_375_168 -> 404_750_336 B fp16
        # KV read: 2 (K,V) * 2 B * 1 * 1025 tokens * 4096 = 16_793_600; KV write 16_384;
        # RMSNorm weights 2 * 2 * 4096 = 16_384; per layer 421_576_704; x 4 layers:
        self.assertEqual(c.bytes, 1_686_306_816)
        # per layer 2 * 202_375_168 + 4 * 32 * 1025 * 128 = 404_750_336 + 16_793_600
        self.assertEqual(c.flops, 4 * 421_543_936)

    def test_softmax_rows(self):
        c = _by_id()["softmax-fp16-L1024"]
        # rows = 32 * ceil(64 MiB / (2 * 2 B * 1024 * 32)) = 32 * 512 = 16384
        self.assertEqual(c.m, 16384)
        self.assertEqual(c.bytes, 2 * 2 * 16384 * 1024)  # 64 MiB
        self.assertEqual(c.flops, 5 * 16384 * 1024)
        for s in (x for x in C.build_cases() if x.kernel_class == "softmax"):
            self.assertGreaterEqual(s.bytes, 64 * 1024 * 1024)
            self.assertEqual(s.m % 32, 0)


class CsvTest(unittest.TestCase):
    def test_header_exact(self):
        self.assertEqual(",".join(C.CSV_COLUMNS), EXPECTED_HEADER)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.csv")
            w = C.CsvWriter(path)
            w.close()
            with open(path, encoding="utf-8") as f:
                self.assertEqual(f.read().strip(), EXPECTED_HEADER)

    def test_row_round_trip(self):
        c = _by_id()["gemv-fp16-llama2_7b-qkvo_proj-m1"]
        env = {"device": "H100-test", "driver": "580.1", "torch": "2.11", "triton": "3.6",
               "cuda": "13.0"}
        timing = {"median_us": 17.0, "p10_us": 16.5, "p90_us": 18.25, "n_runs": 50}
        row = C.make_row(c, timing, env)
        err_row = C.make_row(c, None, env, error="RuntimeError: boom,\nwith a comma")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.csv")
            w = C.CsvWriter(path)
            w.write(row)
            # flushed per row: readable before close
            self.assertEqual(len(C.read_rows(path)), 1)
            w.write(err_row)
            w.close()
            back = C.read_rows(path)
        self.assertEqual(back[0], row)
        self.assertEqual(back[1], err_row)
        self.assertEqual(back[0]["bytes"], "33570816")
        self.assertEqual(back[0]["m"], "1")
        self.assertEqual(back[0]["weight_bits"], "")
        # 33_570_816 B / 17 us = 1974.75 GB/s; 33_554_432 / 17 us = 1.97379 TFLOP/s
        self.assertAlmostEqual(float(back[0]["achieved_gbps"]), 1974.75, places=2)
        self.assertAlmostEqual(float(back[0]["achieved_tflops"]), 1.97379, places=4)
        self.assertEqual(back[1]["median_us"], "")
        self.assertNotIn("\n", back[1]["error"])
        self.assertTrue(back[1]["error"].startswith("RuntimeError: boom,"))

    def test_writer_quotes_commas(self):
        c = _by_id()["softmax-fp16-L128"]
        row = C.make_row(c, None, {}, error="a, b")
        buf = io.StringIO()
        wr = csv.DictWriter(buf, fieldnames=C.CSV_COLUMNS)
        wr.writerow(row)
        self.assertEqual(next(csv.DictReader(io.StringIO(EXPECTED_HEADER + "\n" + buf.getvalue())))
                         ["error"], "a, b")


class SummaryTest(unittest.TestCase):
    def _row(self, case_id, median):
        c = _by_id()[case_id]
        return C.make_row(c, {"median_us": median, "p10_us": median, "p90_us": median,
                              "n_runs": 50}, {})

    def test_mbq_and_framefusion_ratios(self):
        rows = [
            self._row("gemv-fp16-qwen2_7b-q_o_proj-m1", 14.0),
            self._row("qgemv-w3g128-qwen2_7b-q_o_proj-m1", 10.0),
            self._row("attention-fp16-qwen2_7b-N13568", 2300.0),
            self._row("attention-fp16-qwen2_7b-N4160", 250.0),
        ]
        mb = SUM.mbq_ratios(rows)
        self.assertEqual(len(mb), 1)
        self.assertAlmostEqual(mb[0]["gmean_ratio"], 1.4)
        self.assertFalse(mb[0]["layer_complete"])
        ff = SUM.framefusion_ratios(rows)
        self.assertAlmostEqual(ff["attn_ratio"], 9.2)
        self.assertIsNone(ff["layer_ratio"])  # no prefill GEMM rows
        text = "\n".join(SUM.summary_lines(rows, wall_s=1.0))
        self.assertIn("1.40x", text)
        self.assertIn("9.20x", text)

    def test_layer_ratio_weights_by_multiplicity(self):
        rows = []
        for op, _k, _n, _mu in C.PROJECTIONS["qwen2_7b"]:
            rows.append(self._row(f"gemv-fp16-qwen2_7b-{op}-m1", 20.0))
            rows.append(self._row(f"qgemv-w4g128-qwen2_7b-{op}-m1", 10.0))
        d = SUM.mbq_ratios(rows)[0]
        self.assertTrue(d["layer_complete"])
        self.assertAlmostEqual(d["layer_ratio"], 2.0)

    def test_summary_survives_errors_and_empty(self):
        c = _by_id()["gemv-fp16-llama2_7b-qkvo_proj-m1"]
        rows = [C.make_row(c, None, {}, error="boom")]
        text = "\n".join(SUM.summary_lines(rows))
        self.assertIn("gemv", text)
        self.assertTrue(SUM.summary_lines([]))


class CliTest(unittest.TestCase):
    def _run(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, "harness.py"), *args],
                              capture_output=True, text=True, timeout=120)

    def test_list_runs(self):
        r = self._run("--list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("gemv-fp16-llama2_7b-qkvo_proj-m1", r.stdout)
        self.assertIn(f"{len(C.build_cases())} cases", r.stdout)
        rq = self._run("--list", "--quick")
        self.assertEqual(rq.returncode, 0, rq.stderr)
        self.assertIn(f"{len(C.build_cases(quick=True))} cases", rq.stdout)
        self.assertIn("kernel trace pass after the timing", r.stdout)

    def test_kernel_trace_flag_and_estimate(self):
        import harness
        self.assertTrue(harness.parse_args(["--out", "x", "--no-kernel-trace"]).no_kernel_trace)
        self.assertFalse(harness.parse_args(["--out", "x"]).no_kernel_trace)
        # the trace pass must stay a small part of the run: under a minute for all cases
        full = harness.est_trace_s(C.build_cases())
        self.assertGreater(full, 0.0)
        self.assertLess(full, 60.0)

    def test_list_imports_no_torch(self):
        code = ("import sys; sys.path.insert(0, %r); import harness; "
                "rc = harness.main(['--list']); "
                "assert rc == 0; assert 'torch' not in sys.modules; "
                "assert 'triton' not in sys.modules" % HERE)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_out_required(self):
        r = self._run()
        self.assertEqual(r.returncode, 2)

    def test_percentile(self):
        import harness
        xs = [1.0, 2.0, 3.0, 4.0, 5.0]
        self.assertEqual(harness.percentile(xs, 50), 3.0)
        self.assertAlmostEqual(harness.percentile(xs, 10), 1.4)
        self.assertAlmostEqual(harness.percentile(xs, 90), 4.6)
        self.assertTrue(math.isnan(harness.percentile([], 50)))


class KernelNoteTest(unittest.TestCase):
    """kernel_trace's pure part: profiler records -> the env.json note (values by hand)."""

    def test_two_kernels_per_run(self):
        # a split-K GEMV and its reduce kernel, 3 runs
        recs = [("gemv_splitk", 5.0, 0), ("reduce", 1.0, 0),
                ("gemv_splitk", 6.0, 1), ("reduce", 1.0, 1),
                ("gemv_splitk", 7.0, 2), ("reduce", 2.0, 2)]
        n = KT.kernel_note(recs, 3)
        self.assertEqual(n["kernels"], [
            {"name": "gemv_splitk", "calls_per_run": 1, "device_us": 6.0},  # median(5, 6, 7)
            {"name": "reduce", "calls_per_run": 1, "device_us": 1.0},  # median(1, 1, 2)
        ])
        self.assertEqual(n["kernels_per_run"], 2)
        self.assertEqual(n["device_us_per_run"], 7.0)  # run sums 6, 7, 9 -> median 7
        self.assertTrue(n["same_kernels_each_run"])
        self.assertEqual(n["trace_runs"], 3)
        self.assertNotIn("missing_durations", n)
        self.assertNotIn("kernels_error", n)

    def test_repeated_names(self):
        # A, B, A per run: A twice per run, listed once, in order of first launch
        recs = [("A", 2.0, 0), ("B", 3.0, 0), ("A", 4.0, 0),
                ("A", 2.0, 1), ("B", 3.0, 1), ("A", 4.0, 1)]
        n = KT.kernel_note(recs, 2)
        self.assertEqual([k["name"] for k in n["kernels"]], ["A", "B"])
        self.assertEqual(n["kernels"][0]["calls_per_run"], 2)
        self.assertEqual(n["kernels"][0]["device_us"], 3.0)  # median(2, 4, 2, 4)
        self.assertEqual(n["kernels_per_run"], 3)
        self.assertEqual(n["device_us_per_run"], 9.0)  # 2 + 3 + 4 in both runs

    def test_runs_that_differ(self):
        recs = [("A", 1.0, 0), ("B", 1.0, 0), ("A", 1.0, 1)]
        n = KT.kernel_note(recs, 2)
        self.assertEqual(n["kernels"][1]["calls_per_run"], 0.5)  # B: 1 call in 2 runs
        self.assertEqual(n["kernels_per_run"], 1.5)  # median(2, 1)
        self.assertEqual(n["device_us_per_run"], 1.5)  # median(2.0, 1.0)
        self.assertFalse(n["same_kernels_each_run"])

    def test_missing_durations(self):
        recs = [("A", 5.0, 0), ("B", None, 0),
                ("A", 6.0, 1), ("B", 2.0, 1),
                ("A", 7.0, 2), ("B", float("nan"), 2), ("C", -1.0, 2)]
        n = KT.kernel_note(recs, 3)
        self.assertEqual(n["missing_durations"], 3)  # None, NaN, negative
        self.assertEqual(n["kernels"][1]["device_us"], 2.0)  # the one B with a duration
        self.assertIsNone(n["kernels"][2]["device_us"])  # C has none
        self.assertEqual(n["device_us_per_run"], 8.0)  # only run 1 is complete: 6 + 2
        only_missing = KT.kernel_note([("A", None, 0)], 1)
        self.assertIsNone(only_missing["device_us_per_run"])
        self.assertEqual(only_missing["kernels_per_run"], 1)

    def test_empty_and_bad_input(self):
        n = KT.kernel_note([], 3)
        self.assertIn("kernels_error", n)
        self.assertNotIn("kernels", n)
        with self.assertRaises(ValueError):
            KT.kernel_note([("A", 1.0, 3)], 3)  # run outside [0, 3)
        with self.assertRaises(ValueError):
            KT.kernel_note([("A", 1.0, 0)], 0)

    def test_long_names_truncated(self):
        long_a, long_b = "k" * 200 + "a", "k" * 200 + "b"
        n = KT.kernel_note([(long_a, 1.0, 0), (long_b, 1.0, 0)], 1)
        self.assertEqual(len(n["kernels"]), 2)  # distinct by full name
        self.assertEqual(n["kernels"][0]["name"], "k" * KT.NAME_CHARS)

    def test_split_runs_by_spacer(self):
        spin = "void at::cuda::(anonymous namespace)::spin_kernel(long)"
        is_spacer = KT.spacer_matcher(None)
        self.assertTrue(is_spacer(spin))
        self.assertFalse(is_spacer("ampere_fp16_gemv"))
        events = [("pad_add", 1.0), ("pad_add", 1.0),  # before the first spacer: dropped
                  (spin, 100.0), ("A", 5.0), ("B", 1.0),
                  (spin, 100.0), ("A", 6.0), ("B", 1.0),
                  (spin, 100.0), ("A", 7.0), ("B", 2.0)]
        recs, runs = KT.split_runs(events, is_spacer)
        self.assertEqual(runs, 3)
        self.assertEqual(recs[0], ("A", 5.0, 0))
        self.assertEqual(recs[-1], ("B", 2.0, 2))
        self.assertEqual(len(recs), 6)
        self.assertEqual(KT.split_runs([("A", 1.0)], is_spacer), ([], 0))
        note = KT.note_from_events(events, 3, KT.spacer_matcher(spin))
        self.assertEqual(note["device_us_per_run"], 7.0)
        self.assertNotIn("kernels_error", note)
        short = KT.note_from_events(events[:8], 3, is_spacer)  # the third spacer is lost
        self.assertIn("2 run markers", short["kernels_error"])
        self.assertEqual(short["trace_runs"], 2)

    def test_summary_line(self):
        c1 = _by_id()["gemv-fp16-llama2_7b-qkvo_proj-m1"]
        c2 = _by_id()["gemv-fp16-qwen2_7b-k_v_proj-m1"]
        c3 = _by_id()["softmax-fp16-L128"]
        t = lambda us: {"median_us": us, "p10_us": us, "p90_us": us, "n_runs": 50}  # noqa: E731
        rows = [C.make_row(c1, t(9.5), {}), C.make_row(c2, t(10.0), {}),
                C.make_row(c3, t(20.0), {})]
        notes = {c1.case_id: {"n_sets": 3, "kernels": [{"name": "g"}], "kernels_per_run": 2,
                              "device_us_per_run": 6.0},
                 c2.case_id: {"kernels": [{"name": "g"}], "kernels_per_run": 1,
                              "device_us_per_run": 7.5},
                 c3.case_id: {"kernels_error": "boom"}}
        cal = {"tiny_kernel_floor_us": 4.0, "tiny_kernel_device_us": 1.5}
        line = KT.summary_line(rows, notes, cal, {"enabled": True})
        self.assertIn("2 of 3 timed cases traced (1 with kernels_error)", line)
        # gaps 9.5 - 6.0 = 3.5 and 10.0 - 7.5 = 2.5 -> median 3.0; kernels 2, 1 -> 1.5
        self.assertIn("gemv (2): event median - device time per run, median 3.00 us", line)
        self.assertIn("kernels per run, median 1.5", line)
        self.assertIn("floor 4.00 us - device 1.50 us = 2.50 us", line)
        off = KT.summary_line(rows, {}, {}, {"enabled": False, "reason": "--no-kernel-trace"})
        self.assertEqual(off, "kernel trace: off (--no-kernel-trace)")


class _FakeCuda:
    def __init__(self):
        self.sleeps = 0

    def mem_get_info(self):
        return (10 ** 10, 10 ** 10)

    def _sleep(self, cycles):
        self.sleeps += 1

    def synchronize(self):
        pass

    def empty_cache(self):
        pass


class _FakeTensor:
    def add_(self, x):
        return self


class _FakeTorch:
    """Just enough of torch for the Runner's trace plumbing (no kernels run)."""

    def __init__(self):
        self.cuda = _FakeCuda()
        self.nn = type("nn", (), {"functional": None})()

    def zeros(self, *shape, device=None):
        return _FakeTensor()


SPIN = "void at::cuda::(anonymous namespace)::spin_kernel(long)"


def _fake_profile_runs(torch, fn, n_sets, first_set, runs, spacer_cycles, n_pad):
    """One pad, then per run a spacer and two kernels: gemv 5 us, reduce 1 us."""
    for i in range(runs):
        fn((first_set + i) % n_sets)
    ev = [("pad", 1.0)]
    for _ in range(runs):
        ev += [(SPIN, 100.0), ("gemv", 5.0), ("reduce", 1.0)]
    return ev


class TracePlumbingTest(unittest.TestCase):
    """The trace pass with a fake torch and a fake profiler: notes kept, errors caught."""

    def setUp(self):
        import harness
        from unittest import mock
        self.H = harness
        self.torch = _FakeTorch()
        args = harness.parse_args(["--out", "unused"])
        env = {"nvidia_smi": {"clocks.max.sm": "1980 MHz"}}
        self.runner = harness.Runner(self.torch, "cuda", args, env)
        self.assertEqual(self.runner.spacer_cycles, 198_000)  # 100 us x 1980 MHz
        for name, fake in (("profile_runs", _fake_profile_runs),
                           ("probe_spacer", lambda torch, cycles: [(SPIN, 100.0)])):
            p = mock.patch.object(harness.KT, name, fake)
            p.start()
            self.addCleanup(p.stop)
        self.calls = []

    def _stub_run(self, fail_before=False, fail_after=False):
        r = self.runner

        def run(c):
            if fail_before:
                raise RuntimeError("setup failed")
            cfg, tune = r.tune(c.case_id, ["cfg-a", "cfg-b"], None, 4)
            self.calls.append(cfg)
            res = r.measure(lambda i: self.calls.append(i), 4)
            r.notes[c.case_id] = {"n_sets": 4, "tune_us": tune}
            if fail_after:
                raise RuntimeError("check failed")
            return res, None
        r.run = run

    def test_trace_pass_keeps_notes_and_traces(self):
        r = self.runner
        c1 = _by_id()["gemv-fp16-llama2_7b-qkvo_proj-m1"]
        c2 = _by_id()["softmax-fp16-L128"]
        r._chosen[c1.case_id] = "cfg-b"  # picked by the timed pass
        r.notes[c1.case_id] = {"n_sets": 4, "tune_us": {"cfg-a": 9.0, "cfg-b": 8.0}}
        self._stub_run()
        env = {"calibration": {"tiny_kernel_floor_us": 4.0}}
        saves = []
        info = self.H.trace_pass(r, [c1, c2], env, r.args, time.time(),
                                 lambda: saves.append(1))
        self.assertTrue(info["enabled"])
        self.assertEqual(info["traced"], 2)
        self.assertEqual(info["spacer_kernel"], SPIN)
        self.assertTrue(saves)
        n1 = r.notes[c1.case_id]
        self.assertEqual(n1["tune_us"], {"cfg-a": 9.0, "cfg-b": 8.0})  # timed pass's note kept
        self.assertEqual([k["name"] for k in n1["kernels"]], ["gemv", "reduce"])
        self.assertEqual(n1["device_us_per_run"], 6.0)
        self.assertEqual(n1["kernels_per_run"], 2)
        self.assertEqual(self.calls[0], "cfg-b")  # no re-tuning in the trace pass
        # 3 untimed runs on sets 0, 1, 2, then 3 profiled runs on sets 3, 0, 1
        self.assertEqual(self.calls[1:7], [0, 1, 2, 3, 0, 1])
        self.assertEqual(env["calibration"]["tiny_kernel_device_us"], 6.0)
        self.assertFalse(r.tracing)

    def test_errors_become_kernels_error(self):
        r = self.runner
        c = _by_id()["softmax-fp16-L128"]
        r.notes[c.case_id] = {"n_sets": 1}
        r.start_trace()
        self._stub_run(fail_before=True)
        n = r.trace_case(c)
        self.assertEqual(n, {"kernels_error": "RuntimeError: setup failed"})
        self.assertEqual(r.notes[c.case_id], {"n_sets": 1})
        self._stub_run(fail_after=True)
        n = r.trace_case(c)
        self.assertEqual(n["after_trace_error"], "RuntimeError: check failed")
        self.assertEqual(n["device_us_per_run"], 6.0)
        self.assertFalse(r.tracing)

    def test_probe_failure_turns_trace_off(self):
        from unittest import mock
        with mock.patch.object(self.H.KT, "probe_spacer", lambda torch, cycles: []):
            info = self.H.trace_pass(self.runner, [], {}, self.runner.args, time.time(),
                                     lambda: None)
        self.assertFalse(info["enabled"])
        self.assertIn("0 device events", info["reason"])


if __name__ == "__main__":
    unittest.main()
