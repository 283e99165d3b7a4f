//! Parameter counts against published sizes (within 1 %) and exact hand derivations.

use workloads::Model;

fn params(name: &str) -> f64 {
    Model::shipped(name).unwrap().params() as f64
}

fn within(name: &str, published: f64, tol: f64) {
    let p = params(name);
    let rel = (p - published).abs() / published;
    assert!(
        rel < tol,
        "{name}: {p} vs published {published} ({:.2} %)",
        rel * 100.0
    );
}

#[test]
fn published_sizes_within_one_percent() {
    // Llama 2 paper (arXiv 2307.09288) and model cards: 6.74 B, 13.0 B, 69 B.
    within("llama2-7b", 6.74e9, 0.01);
    within("llama2-13b", 13.0e9, 0.01);
    within("llama2-70b", 69.0e9, 0.01);
    // Meta-Llama-3-8B model card: 8.03 B.
    within("llama3-8b", 8.03e9, 0.01);
    // OPT-6.7B: 6.66 B (HF checkpoint size); Mamba-2.8B: 2.77 B (HF model page);
    // Qwen2-7B: 7.6 B (Qwen2 report, 7.62 B with embeddings).
    within("opt-6.7b", 6.66e9, 0.01);
    within("mamba-2.8b", 2.77e9, 0.01);
    within("qwen2-7b", 7.6e9, 0.01);
    // Mamba family names (arXiv 2312.00752, Table 12: 130M, 370M, 790M, 1.4B).
    within("mamba-130m", 130e6, 0.01);
    within("mamba-370m", 370e6, 0.01);
    within("mamba-790m", 790e6, 0.01);
    within("mamba-1.4b", 1.4e9, 0.03);
}

#[test]
fn llama2_7b_exact() {
    // vocab 32000, h 4096, i 11008, 32 layers, untied head:
    // embeddings 32000·4096 = 131 072 000, head the same;
    // per layer 4·4096² + 3·4096·11008 + 2·4096 = 67 108 864 + 135 266 304 + 8 192
    //          = 202 383 360; ×32 = 6 476 267 520; final norm 4 096.
    // Total 2·131 072 000 + 6 476 267 520 + 4 096 = 6 738 415 616.
    assert_eq!(params("llama2-7b"), 6_738_415_616.0);
}

#[test]
fn mamba_2_8b_exact() {
    // d 2560, d_inner 5120, N 16, dt_rank ⌈2560/16⌉ = 160, kernel 4, 64 layers, vocab 50280
    // (50277 padded to a multiple of 8), tied head. Per layer: in_proj 2560·10240 =
    // 26 214 400; conv 5120·4 + 5120 = 25 600; x_proj 5120·192 = 983 040; dt_proj
    // 160·5120 + 5120 = 824 320; A_log 81 920; D 5 120; out_proj 13 107 200; norm 2 560:
    // 41 244 160; ×64 = 2 639 626 240; + embeddings 128 716 800 + final norm 2 560.
    assert_eq!(params("mamba-2.8b"), 2_768_345_600.0);
}

#[test]
fn opt_6_7b_exact() {
    // vocab 50272, h 4096, ffn 16384, 32 layers, learned positions 2048 + 2, tied head:
    // embeddings 205 914 112 + 2050·4096 = 8 396 800; per layer attention 4·(4096² + 4096)
    // = 67 125 248, fc1 4096·16384 + 16384 = 67 125 248, fc2 16384·4096 + 4096 =
    // 67 112 960, two LayerNorms 16 384: 201 379 840; ×32 = 6 444 154 880; final LN 8 192.
    assert_eq!(params("opt-6.7b"), 6_658_473_984.0);
}

#[test]
fn vlms_add_tower_and_projector() {
    // LLaVA-Video-7B = Qwen2-7B (vocab 152064) + SigLIP-so400m (26 of 27 layers) + MLP.
    // SigLIP layer: 4·(1152² + 1152) + 2·1152·4304 + 4304 + 1152 + 4·1152 = 15 239 504;
    // ×26 = 396 227 104; patch embedding 3·14²·1152 + 1152 = 678 528; positions 729·1152
    // = 839 808. Projector: 1152·3584 + 3584 + 3584² + 3584 = 16 980 992.
    let m = Model::shipped("llava-video-7b").unwrap();
    let pc = m.param_count();
    assert_eq!(pc.vision, 396_227_104 + 678_528 + 839_808);
    assert_eq!(pc.projector, 16_980_992);
    let qwen = Model::shipped("qwen2-7b").unwrap().params();
    assert_eq!(pc.total(), qwen + pc.vision + pc.projector);
    // LLaVA-Video-72B: the same vision tower; Qwen2-72B (vocab 152064, h 8192, i 29568,
    // 80 layers, 64 heads, 8 KV heads of 128, q/k/v biases) — 72.7 B in the Qwen2 report
    // (arXiv 2407.10671, Table 1). Per layer 2·8192² + 2·8192·1024 (q, o, k, v) + 8192 +
    // 2·1024 (biases) + 3·8192·29568 + 2·8192 (norms) = 134 217 728 + 16 777 216 + 10 240
    // + 726 663 168 + 16 384 = 877 684 736; ×80 = 70 214 778 880; embeddings and head
    // 2·152064·8192 = 2 491 416 576; final norm 8192: 72 706 203 648.
    // Projector: 1152·8192 + 8192 + 8192² + 8192 = 76 562 432.
    let m = Model::shipped("llava-video-72b").unwrap();
    let pc = m.param_count();
    assert_eq!(pc.vision, 396_227_104 + 678_528 + 839_808);
    assert_eq!(pc.projector, 76_562_432);
    assert_eq!(pc.total() - pc.vision - pc.projector, 72_706_203_648);
    // MiniCPM-V 2.6 is published as 8 B.
    within("minicpm-v-8b", 8.0e9, 0.02);
}
