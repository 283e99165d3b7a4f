"""Tests of sass_count.py's parser (standard library only; no Triton, no GPU)."""

import unittest

import sass_count as S

# A hand-written stretch of `cuobjdump -sass` output: a prologue, a loop from 0x0040 to the
# backward branch at 0x00c0 (9 instructions, the branch included), a forward branch and
# an epilogue.
SASS = """
        /*0000*/                   MOV R1, c[0x0][0x28] ;                  /* 0x00000a0000017a02 */
        /*0010*/                   S2R R0, SR_TID.X ;                      /* 0x0000000000007919 */
        /*0020*/                   LDG.E.128 R4, desc[UR4][R2.64] ;        /* 0x0000000402047981 */
        /*0030*/               @P0 BRA 0xe0 ;                              /* 0x0000000000000947 */
.L_x_1:
        /*0040*/                   LOP3.LUT R8, R4, 0xf, RZ, 0xc0, !PT ;   /* 0x0000000f04087812 */
        /*0050*/                   LOP3.LUT R8, R8, 0x4b000000, RZ, 0xfc, !PT ;
        /*0060*/                   FADD R8, R8, -8388608 ;
        /*0070*/                   FFMA R9, R8, R10, R9 ;
        /*0080*/                   HADD2.F32 R10, -RZ, R11.H0_H0 ;
        /*0090*/                   LDG.E.U16 R11, desc[UR4][R12.64] ;
        /*00a0*/                   IADD3 R12, P1, R12, 0x2, RZ ;
        /*00b0*/                   ISETP.GE.AND P0, PT, R12, R13, PT ;
        /*00c0*/              @!P0 BRA 0x40 ;
        /*00d0*/                   STG.E.U16 desc[UR4][R14.64], R9 ;
        /*00e0*/                   EXIT ;
"""


class SassCount(unittest.TestCase):
    def test_parses_every_instruction_with_and_without_predicates(self):
        ins = S.parse_sass(SASS)
        self.assertEqual(len(ins), 15)
        self.assertEqual(ins[3][:2], (0x30, "BRA"))
        self.assertEqual(ins[12][:2], (0xC0, "BRA"))

    def test_the_main_loop_is_the_backward_branch_range(self):
        body = S.main_loop(S.parse_sass(SASS))
        self.assertEqual(body[0], "LOP3.LUT")
        self.assertEqual(body[-1], "BRA")
        self.assertEqual(len(body), 9)

    def test_pipes_of_the_loop(self):
        # By hand: FMA pipe FADD, FFMA, HADD2.F32 = 3; ALU two LOP3, IADD3, ISETP = 4;
        # LSU the LDG = 1; the branch `other`.
        self.assertEqual(S.loop_summary(SASS),
                         {"fma": 3, "alu": 4, "lsu": 1, "other": 1, "total": 9})

    def test_no_backward_branch_means_no_loop(self):
        self.assertEqual(S.main_loop(S.parse_sass(SASS.replace("BRA 0x40", "BRA 0xe0"))), [])

    def test_model_counts_match_the_rust_model(self):
        # arch/src/gpu/matmul.rs: W4 2.125 + 1.25, W3 4.094 + 2.1875 lane ops per weight.
        self.assertAlmostEqual(S.model_ops_per_weight(4), 3.375)
        self.assertAlmostEqual(S.model_ops_per_weight(3), 6.28125)


if __name__ == "__main__":
    unittest.main()
