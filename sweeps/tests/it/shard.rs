//! Shards and merge: equality with the whole run, discovery of `shard-*`, and the checks.

use std::path::{Path, PathBuf};

use crate::common::{GRID, cells, read, run, spec, tmp};
use sweeps::{RunOptions, Shard, merge};

fn run_shards(parent: &Path, text: &str, n: u64) {
    let s = spec(text);
    for i in 0..n {
        let shard = Shard::new(i, n).unwrap();
        let options = RunOptions {
            threads: 2,
            shard: Some(shard),
            ..RunOptions::default()
        };
        let sum = run(&s, &parent.join(shard.dir_name()), options);
        // 24 points over n shards: shard i holds the ids ≡ i (mod n).
        assert_eq!(sum.points, (0..24).filter(|id| id % n == i).count() as u64);
    }
}

#[test]
fn merged_shards_equal_the_whole_run() {
    let (whole, parent) = (tmp(), tmp());
    run(&spec(GRID), whole.path(), RunOptions::default());
    run_shards(parent.path(), GRID, 5);
    let shard3 = cells(&read(&parent.path().join("shard-3"), "results.csv"));
    let ids: Vec<&str> = shard3[1..].iter().map(|c| c[0].as_str()).collect();
    assert_eq!(ids, ["3", "8", "13", "18", "23"]);
    // The parent folder stands for its shard-* folders; merge into it.
    let sum = merge(&[parent.path().to_path_buf()], parent.path()).unwrap();
    assert_eq!((sum.dirs.len(), sum.points), (5, 24));
    for f in ["results.csv", "pareto.csv", "spec.toml"] {
        assert_eq!(read(parent.path(), f), read(whole.path(), f), "{f}");
    }
    // Merging again into the same folder is allowed (it holds a merge, not a run).
    merge(&[parent.path().to_path_buf()], parent.path()).unwrap();
    // But not into a run's folder.
    let e = merge(&[parent.path().to_path_buf()], whole.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("holds a sweep run"), "{e}");
}

#[test]
fn merge_names_missing_and_doubled_points() {
    let parent = tmp();
    run_shards(parent.path(), GRID, 3);
    let shard = |i: u64| parent.path().join(format!("shard-{i}"));
    let out = tmp();
    let e = merge(&[shard(0), shard(2)], out.path())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "cannot merge: 8 point(s) missing: 1, 4, 7, 10, 13, 16, 19, 22 (of shard-1 of 3)"
    );
    let e = merge(&[shard(0), shard(1), shard(2), shard(1)], out.path())
        .unwrap_err()
        .to_string();
    let first = shard(1).display().to_string();
    assert_eq!(
        e,
        format!(
            "cannot merge: 8 point(s) appear more than once: 1, 4, 7, 10, 13, 16, 19, 22 \
             (point 1 is in {first} and {first})"
        )
    );
    assert!(!out.path().join("results.csv").exists());
}

#[test]
fn merge_refuses_folders_of_different_specs() {
    let (a, b) = (tmp(), tmp());
    run_shards(a.path(), GRID, 2);
    run_shards(b.path(), &GRID.replace("seed = 11", "seed = 99"), 2);
    let dirs: Vec<PathBuf> = vec![a.path().join("shard-0"), b.path().join("shard-1")];
    let e = merge(&dirs, tmp().path()).unwrap_err().to_string();
    assert!(
        e.starts_with("cannot merge: the folders come from different specs"),
        "{e}"
    );
    assert!(e.contains(&spec(GRID).hash().to_string()), "{e}");
}

#[test]
fn an_interrupted_shard_is_named() {
    let parent = tmp();
    run_shards(parent.path(), GRID, 2);
    // Cut shard-1 back to its header, as if killed at once, and mark it unfinished.
    let dir = parent.path().join("shard-1");
    let text = read(&dir, "results.csv");
    std::fs::write(dir.join("results.csv"), text.lines().next().unwrap()).unwrap();
    let mut meta = sweeps::meta::Meta::read(&dir).unwrap().unwrap();
    meta.finished = None;
    meta.write(&dir).unwrap();
    let e = merge(
        &[parent.path().to_path_buf()],
        &parent.path().join("merged"),
    )
    .unwrap_err();
    let e = e.to_string();
    assert!(e.contains("12 point(s) missing: 1, 3, 5"), "{e}");
    assert!(
        e.contains("unfinished (resume them): ") && e.ends_with("shard-1"),
        "{e}"
    );
}
