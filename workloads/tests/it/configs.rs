//! Config parsing: shipped names, paths, original Mamba configs, and clear errors.

use workloads::config::ModelConfig;
use workloads::{Model, SHIPPED, Workload, WorkloadError};

const LLAMA: &str = r#"{
  "model_type": "llama",
  "hidden_size": 4096,
  "intermediate_size": 11008,
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "vocab_size": 32000
}"#;

fn err(text: &str) -> String {
    Model::from_json("t", text, "bad/config.json")
        .unwrap_err()
        .to_string()
}

#[test]
fn every_shipped_model_builds_both_phases() {
    for (name, _, _) in SHIPPED {
        let m = Model::shipped(name).unwrap();
        let frames = if matches!(m.config, ModelConfig::Vlm(_)) {
            2
        } else {
            0
        };
        for w in [Workload::prefill(16), Workload::decode(64)] {
            let g = m.build(&w.with_frames(frames)).unwrap();
            assert!(g.len() > 10, "{name}");
        }
    }
}

#[test]
fn minimal_llama_defaults() {
    // num_key_value_heads absent → = heads; head_dim = 4096/32.
    let m = Model::from_json("t", LLAMA, "t.json").unwrap();
    let ModelConfig::Decoder(d) = &m.config else {
        panic!()
    };
    assert_eq!(
        (d.kv_heads, d.head_dim, d.tied_embeddings),
        (32, 128, false)
    );
    assert_eq!(m.params(), Model::shipped("llama2-7b").unwrap().params());
}

#[test]
fn missing_field_names_field_and_file() {
    let text = LLAMA.replace("\"num_attention_heads\": 32,\n", "");
    let e = err(&text);
    assert!(e.contains("bad/config.json"), "{e}");
    assert!(e.contains("num_attention_heads"), "{e}");
    assert!(e.contains("missing field"), "{e}");
}

#[test]
fn zero_heads() {
    let e = err(&LLAMA.replace("\"num_attention_heads\": 32", "\"num_attention_heads\": 0"));
    assert!(e.contains("num_attention_heads: must be > 0"), "{e}");
}

#[test]
fn heads_must_divide_hidden() {
    let e = err(&LLAMA.replace("\"num_attention_heads\": 32", "\"num_attention_heads\": 33"));
    assert!(e.contains("33 heads do not divide hidden_size 4096"), "{e}");
    let e = err(&LLAMA.replace(
        "\"vocab_size\"",
        "\"num_key_value_heads\": 5, \"vocab_size\"",
    ));
    assert!(e.contains("5 key/value heads do not divide 32"), "{e}");
}

#[test]
fn syntax_and_type_errors_name_the_line() {
    let e = err("{ \"model_type\": \"llama\", }");
    assert!(e.starts_with("bad/config.json: "), "{e}");
    assert!(e.contains("line 1"), "{e}");
    let e = err(&LLAMA.replace("4096", "\"big\""));
    assert!(e.contains("line 3"), "{e}");
}

#[test]
fn unknown_model_type_suggests() {
    let e = err(&LLAMA.replace("\"llama\"", "\"lama\""));
    assert!(e.contains("did you mean `llama`"), "{e}");
    let e = err("{ \"hidden_size\": 8 }");
    assert!(e.contains("model_type: missing field"), "{e}");
}

#[test]
fn unknown_short_name_suggests_closest() {
    let e = Model::resolve("llama2-7").unwrap_err();
    let WorkloadError::UnknownModel { suggestion, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(suggestion.as_deref(), Some("llama2-7b"));
    assert!(e.to_string().contains("did you mean `llama2-7b`"));
    let e = Model::resolve("mamba2.8b").unwrap_err().to_string();
    assert!(e.contains("`mamba-2.8b`"), "{e}");
}

#[test]
fn original_mamba_ssm_config() {
    // state-spaces/mamba-2.8b (not -hf): d_model, n_layer, vocab 50277 padded to 50280.
    let text = r#"{"d_model": 2560, "n_layer": 64, "vocab_size": 50277, "ssm_cfg": {},
        "rms_norm": true, "residual_in_fp32": true, "fused_add_norm": true,
        "pad_vocab_size_multiple": 8}"#;
    let m = Model::from_json("mamba", text, "config.json").unwrap();
    assert_eq!(m.params(), Model::shipped("mamba-2.8b").unwrap().params());
    let e = err(r#"{"n_layer": 64, "model_type": "mamba", "vocab_size": 5}"#);
    assert!(e.contains("hidden_size: missing field"), "{e}");
}

#[test]
fn config_by_path() {
    let dir = std::env::temp_dir().join(format!("silica-workloads-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("my-llama")).unwrap();
    let p = dir.join("my-llama").join("config.json");
    std::fs::write(&p, LLAMA).unwrap();
    let m = Model::resolve(p.to_str().unwrap()).unwrap();
    assert_eq!(m.name, "my-llama");
    let e = Model::resolve(dir.join("none.json").to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("cannot read"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn vlm_tokens_per_frame() {
    // LLaVA-Video: 27×27 patches pooled to 14×14, plus a newline per row: 210 per frame.
    let m = Model::shipped("llava-video-7b").unwrap();
    let ModelConfig::Vlm(v) = &m.config else {
        panic!()
    };
    assert_eq!(v.vision.patches(), 729);
    assert_eq!(v.vision.layers, 26);
    assert_eq!(v.frame.tokens(64), 13_440);
    // LLaVA-OneVision: 196 per frame and one newline after the video.
    let ModelConfig::Vlm(v) = &Model::shipped("llava-onevision-7b").unwrap().config else {
        panic!()
    };
    assert_eq!(v.frame.tokens(32), 32 * 196 + 1);
    // MiniCPM-V 2.6: 64 resampler queries per frame; 448/14 = 32 patches per side.
    let ModelConfig::Vlm(v) = &Model::shipped("minicpm-v-8b").unwrap().config else {
        panic!()
    };
    assert_eq!(
        (v.frame.tokens(8), v.vision.patches(), v.vision.layers),
        (512, 1024, 27)
    );
    // An unknown tower is named.
    let text = include_str!("../../models/llava-video-7b.json").replace("so400m", "so401m");
    let e = err(&text);
    assert!(
        e.contains("mm_vision_tower") && e.contains("did you mean"),
        "{e}"
    );
}

#[test]
fn bad_workloads() {
    let m = Model::shipped("llama2-7b").unwrap();
    let e = m
        .build(&Workload::decode(4).with_batch(0))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "batch: must be ≥ 1");
    let e = m
        .build(&Workload::prefill(16).with_frames(4))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no vision tower"), "{e}");
    let e = m
        .build(&Workload::prefill(1 << 25))
        .unwrap_err()
        .to_string();
    assert!(e.contains("2^24"), "{e}");
}
