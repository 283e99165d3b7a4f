//! Multi-device systems: collectives and a tensor-parallel GEMM checked by hand.

use arch::gpu::{DType, KernelModel, KernelRequest};
use arch::system::{SystemSpec, Topology, TpSplit};
use sim_core::Time;

use crate::common::gpu;

fn spec(text: &str) -> SystemSpec {
    toml::from_str(text).unwrap()
}

fn close(t: Time, ps: f64) {
    assert!(
        (t.as_ps() as f64 - ps).abs() <= 1.0,
        "{} ps vs {ps} ps",
        t.as_ps()
    );
}

#[test]
fn two_gpu_tensor_parallel_gemm_costs_its_all_reduce() {
    // Two A100s over NVLink 3 (300 GB/s per direction, NCCL: 0.6 µs per step, 6.6 µs base).
    let sys = spec("devices = 2\ninterconnect = \"nvlink3\"")
        .validate("system")
        .unwrap();
    let a100 = gpu("a100-sxm4-80gb");
    let (m, n, k) = (512u64, 8192u64, 8192u64);

    // Row-parallel: each GPU multiplies 512 × 8192 × 4096, then all-reduces C:
    // B = 512 × 8192 × 2 bytes = 8,388,608. Each GPU sends 2·(2−1)/2 · B = B bytes;
    // time = 8,388,608 / 300e9 s + 2 steps × 0.6 µs + 6.6 µs = 27.962 + 7.8 = 35.762 µs.
    let row = sys
        .tp_gemm(&a100, m, n, k, DType::Fp16, TpSplit::Row)
        .unwrap();
    let comm = row.comm.unwrap();
    assert_eq!(comm.bytes_sent_per_device, 8_388_608.0);
    assert_eq!(comm.steps, 2);
    close(comm.time, (8_388_608.0 / 300e9 + 7.8e-6) * 1e12);
    let shard = a100
        .estimate(&KernelRequest::Gemm {
            m,
            n,
            k: 4096,
            dtype: DType::Fp16,
        })
        .unwrap();
    assert_eq!(row.per_device, shard);
    assert_eq!(row.time, shard.time + comm.time);

    // Column-parallel: each GPU computes 512 × 4096 × 8192; nothing to reduce.
    let col = sys
        .tp_gemm(&a100, m, n, k, DType::Fp16, TpSplit::Column)
        .unwrap();
    assert!(col.comm.is_none());
    let shard = a100
        .estimate(&KernelRequest::Gemm {
            m,
            n: 4096,
            k,
            dtype: DType::Fp16,
        })
        .unwrap();
    assert_eq!(col.time, shard.time);
}

#[test]
fn four_gpu_collectives_by_hand() {
    // The HGX A100 4-GPU preset: fully connected, 300 GB/s per GPU per direction.
    let sys = arch::system::preset("4x-a100-sxm4-80gb-nvlink").unwrap();
    assert_eq!(
        (sys.devices(), sys.topology()),
        (4, Topology::FullyConnected)
    );
    // All-reduce of 64 MiB: each GPU sends 2·3/4 · 67,108,864 = 100,663,296 B in two direct
    // phases: 335.544 µs + 2 × 0.6 µs + 6.6 µs.
    let ar = sys.all_reduce(67_108_864.0);
    assert_eq!(ar.bytes_sent_per_device, 100_663_296.0);
    close(ar.time, (100_663_296.0 / 300e9 + 7.8e-6) * 1e12);
    // Pipeline send of 16 MiB to one peer: a pair has 300/3 = 100 GB/s: 167.772 µs + 7.2 µs.
    close(
        sys.send(16_777_216.0).time,
        (16_777_216.0 / 100e9 + 7.2e-6) * 1e12,
    );
    // The same all-reduce on a ring: 2·3 = 6 steps.
    let ring = spec("devices = 4\ninterconnect = \"nvlink3\"\ntopology = \"ring\"")
        .validate("system")
        .unwrap();
    close(
        ring.all_reduce(67_108_864.0).time,
        (100_663_296.0 / 300e9 + 6.0 * 0.6e-6 + 6.6e-6) * 1e12,
    );
    // All-gather of 64 MiB: 3/4 of it sent, one direct step.
    close(
        sys.all_gather(67_108_864.0).time,
        (50_331_648.0 / 300e9 + 0.6e-6 + 6.6e-6) * 1e12,
    );
}

#[test]
fn pcie_and_overrides() {
    let sys = arch::system::preset("2x-rtx-4090-pcie4").unwrap();
    assert_eq!(sys.link_bytes_per_s(), 31.5e9);
    let custom = spec(
        "devices = 8\ninterconnect = \"groq-c2c\"\nlink_bytes_per_s = 2e11\nstep_latency_us = 0.25",
    )
    .validate("system")
    .unwrap();
    assert_eq!(custom.link_bytes_per_s(), 2e11);
    assert_eq!(custom.step_latency_s(), 0.25e-6);
    assert_eq!(custom.base_latency_s(), 0.0);
    let err = spec("devices = 0\ninterconnect = \"pcie5\"")
        .validate("sys")
        .unwrap_err();
    assert!(matches!(err, arch::ArchError::Invalid { key, .. } if key == "sys.devices"));
}
