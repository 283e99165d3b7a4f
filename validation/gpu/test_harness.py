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
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases as C  # noqa: E402
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
        keys = [(c.dtype, c.m, c.k, c.n, c.model) for c in C.build_cases()
                if c.kernel_class == "gemv"]
        self.assertEqual(len(keys), len(set(keys)))
        # 11 distinct projection shapes x 5 batches x 2 dtypes
        self.assertEqual(len(keys), 11 * 5 * 2)

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


if __name__ == "__main__":
    unittest.main()
