//! Slurm submission, status and resubmission against recorded `sbatch`/`scontrol`/`squeue`
//! outputs (no cluster: `slurm_cluster.rs` runs the real one).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{GRID, run, spec, tmp};
use sweeps::slurm::{
    Commands, Output, SbatchOptions, SubmitRequest, TaskArg, TaskState, submit, sweep_status,
};
use sweeps::{RunOptions, Shard, Spec, merge, meta::Meta};

/// A reply: exit status, stdout, stderr (`None`: the program is not installed).
type Reply<'a> = (&'static str, Option<(i32, &'a str, &'a str)>);

/// Answers each program with a fixed output (or "not installed") and records the calls.
struct Fake {
    replies: BTreeMap<&'static str, Option<Output>>,
    calls: RefCell<Vec<String>>,
}

impl Fake {
    fn new(replies: &[Reply<'_>]) -> Fake {
        Fake {
            replies: replies
                .iter()
                .map(|(p, r)| {
                    let out = r.map(|(status, stdout, stderr)| Output {
                        status: Some(status),
                        stdout: stdout.into(),
                        stderr: stderr.into(),
                    });
                    (*p, out)
                })
                .collect(),
            calls: RefCell::new(Vec::new()),
        }
    }
    fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

impl Commands for Fake {
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<Output> {
        self.calls
            .borrow_mut()
            .push(format!("{program} {}", args.join(" ")));
        match self.replies.get(program) {
            Some(Some(out)) => Ok(out.clone()),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not installed",
            )),
        }
    }
}

fn request<'a>(spec: &'a Spec, spec_path: &'a Path, dir: &'a Path) -> SubmitRequest<'a> {
    SubmitRequest {
        spec,
        spec_path,
        dir,
        program: Path::new("/opt/silica/bin/silica"),
        task_args: vec![TaskArg::Literal("--threads".into()), TaskArg::Cpus],
        options: SbatchOptions {
            shards: Some(4),
            ..SbatchOptions::default()
        },
        resume: false,
        dry_run: false,
    }
}

/// Runs shard `i` of 4 of GRID into `dir/shard-i` with the toy evaluator.
fn run_shard(spec: &Spec, dir: &Path, i: u64) {
    let shard = Shard::new(i, 4).unwrap();
    run(
        spec,
        &dir.join(shard.dir_name()),
        RunOptions {
            shard: Some(shard),
            ..RunOptions::default()
        },
    );
}

/// Turns a finished shard folder into one killed after `keep` rows.
fn cut_shard(dir: &Path, keep: usize) {
    let results = dir.join("results.csv");
    let text = std::fs::read_to_string(&results).unwrap();
    let lines: Vec<&str> = text.lines().take(1 + keep).collect();
    std::fs::write(&results, format!("{}\n", lines.join("\n"))).unwrap();
    let mut meta = Meta::read(dir).unwrap().unwrap();
    meta.finished = None;
    meta.counts = None;
    meta.write(dir).unwrap();
}

#[test]
fn first_submission_writes_the_script_and_records_the_job() {
    let work = tmp();
    let spec_path = work.path().join("grid.toml");
    std::fs::write(&spec_path, GRID).unwrap();
    let spec = spec(GRID);
    let dir = work.path().join("dse");
    let fake = Fake::new(&[("sbatch", Some((0, "42\n", "")))]);
    let out = submit(&request(&spec, &spec_path, &dir), &fake).unwrap();
    let script = dir.join("slurm/sweep.sbatch");
    assert_eq!(
        fake.calls(),
        [format!("sbatch --parsable {}", script.display())]
    );
    assert_eq!(out.submitted, [0, 1, 2, 3]);
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("#SBATCH --array=0-3\n"), "{text}");
    assert!(
        text.contains(&format!(
            "exec /opt/silica/bin/silica sweep {} --shard \"$task/4\" --out {}/shard-\"$task\" \
             --resume --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"",
            spec_path.display(),
            dir.display()
        )),
        "{text}"
    );
    let meta = Meta::read(&dir).unwrap().unwrap();
    assert_eq!((meta.points_total, meta.shard, meta.runs), (24, None, 1));
    let record = meta.slurm.unwrap();
    assert_eq!(
        (record.shards, record.script.as_str()),
        (4, "slurm/sweep.sbatch")
    );
    assert_eq!(record.submissions.len(), 1);
    let sub = &record.submissions[0];
    assert_eq!((sub.job_id.as_str(), sub.array.as_str()), ("42", "0-3"));
    assert_eq!(sub.shards, [0, 1, 2, 3]);

    // Again without resume: refused, nothing run.
    let e = submit(&request(&spec, &spec_path, &dir), &fake).unwrap_err();
    assert!(
        e.to_string().contains("already submitted (Slurm job 42)"),
        "{e}"
    );
    assert!(e.to_string().contains("--resume"), "{e}");
    assert_eq!(fake.calls().len(), 1);
}

#[test]
fn sbatch_failures_and_dry_runs() {
    let work = tmp();
    let spec_path = work.path().join("grid.toml");
    std::fs::write(&spec_path, GRID).unwrap();
    let spec = spec(GRID);
    let dir = work.path().join("dse");

    let refused = Fake::new(&[(
        "sbatch",
        Some((1, "", "sbatch: error: invalid partition specified: gpu\n")),
    )]);
    let e = submit(&request(&spec, &spec_path, &dir), &refused).unwrap_err();
    assert!(
        e.to_string().contains("invalid partition specified: gpu"),
        "{e}"
    );
    assert!(Meta::read(&dir).unwrap().is_none(), "nothing recorded");

    // Installed, but no cluster configured (the fatal line of sbatch without a
    // slurm.conf, as in issue 11's audit): a hint how to go on.
    let unconfigured = Fake::new(&[(
        "sbatch",
        Some((
            1,
            "",
            "sbatch: fatal: Could not establish a configuration source\n",
        )),
    )]);
    let e = submit(&request(&spec, &spec_path, &dir), &unconfigured)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Could not establish a configuration source")
            && e.contains("set SLURM_CONF")
            && e.contains("--dry-run"),
        "{e}"
    );
    let e = submit(&request(&spec, &spec_path, &dir), &refused).unwrap_err();
    assert!(
        !e.to_string().contains("SLURM_CONF"),
        "no hint for other failures: {e}"
    );

    let absent = Fake::new(&[]);
    let e = submit(&request(&spec, &spec_path, &dir), &absent).unwrap_err();
    assert!(e.to_string().contains("not installed here"), "{e}");

    let mut dry = request(&spec, &spec_path, &dir);
    dry.dry_run = true;
    let out = submit(&dry, &absent).unwrap();
    assert_eq!((out.submission, out.submitted), (None, vec![0, 1, 2, 3]));
    assert!(out.script.is_file());
    assert_eq!(absent.calls().len(), 1, "the dry run ran nothing");

    let mut too_many = request(&spec, &spec_path, &dir);
    too_many.options.shards = Some(25);
    let e = submit(&too_many, &absent).unwrap_err();
    assert!(e.to_string().contains("25 shards for 24 points"), "{e}");
}

/// Job 42's four tasks: 0 completed, 1 failed, 2 cancelled while pending (no folder),
/// 3 running. Shard 0 finished, 1 killed after 2 rows, 3 wrote 4 of its 6 rows.
const SCONTROL_42: &str = "\
JobId=43 ArrayJobId=42 ArrayTaskId=0 JobName=silica-dse JobState=COMPLETED Reason=None ExitCode=0:0
JobId=44 ArrayJobId=42 ArrayTaskId=1 JobName=silica-dse JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0
JobId=45 ArrayJobId=42 ArrayTaskId=2 JobName=silica-dse JobState=CANCELLED Reason=None ExitCode=0:0
JobId=46 ArrayJobId=42 ArrayTaskId=3 JobName=silica-dse JobState=RUNNING Reason=None ExitCode=0:0
";

fn half_done_sweep(work: &Path) -> (Spec, std::path::PathBuf, std::path::PathBuf) {
    let spec_path = work.join("grid.toml");
    std::fs::write(&spec_path, GRID).unwrap();
    let spec = spec(GRID);
    let dir = work.join("dse");
    let fake = Fake::new(&[("sbatch", Some((0, "42", "")))]);
    submit(&request(&spec, &spec_path, &dir), &fake).unwrap();
    run_shard(&spec, &dir, 0);
    run_shard(&spec, &dir, 1);
    cut_shard(&dir.join("shard-1"), 2);
    run_shard(&spec, &dir, 3);
    cut_shard(&dir.join("shard-3"), 4);
    (spec, spec_path, dir)
}

#[test]
fn status_counts_points_and_names_failed_shards() {
    let work = tmp();
    let (_, _, dir) = half_done_sweep(work.path());
    let fake = Fake::new(&[("scontrol", Some((0, SCONTROL_42, "")))]);
    let st = sweep_status(&dir, Some(&fake)).unwrap();
    assert_eq!(
        fake.calls(),
        ["scontrol -o show job 42"],
        "one query per job"
    );
    // 24 points in 4 round-robin shards: 6 each. Done: 6 + 2 + 0 + 4.
    let done: Vec<(u64, u64)> = st.shards.iter().map(|s| (s.points, s.done())).collect();
    assert_eq!(done, [(6, 6), (6, 2), (6, 0), (6, 4)]);
    assert_eq!((st.points_total, st.done()), (24, 12));
    assert_eq!(st.unfinished(), [1, 2, 3]);
    assert_eq!(st.failed(), [1, 2], "3 is still running");
    assert_eq!(st.shards[3].state, Some(TaskState::Running));
    assert_eq!(st.shards[2].task.as_deref(), Some("42_2"));
    let text = st.to_string();
    assert!(text.contains("12 of 24 points done in 4 shards"), "{text}");
    assert!(text.contains("failed: shard-1, shard-2"), "{text}");
    assert!(text.contains("42_3 RUNNING"), "{text}");

    // Without Slurm: progress only, nothing called failed.
    let none = Fake::new(&[]);
    let st = sweep_status(&dir, Some(&none)).unwrap();
    assert_eq!((st.done(), st.failed()), (12, vec![]));
    assert!(st.slurm_note.as_deref().unwrap().contains("scontrol"));
}

#[test]
fn resume_resubmits_only_failed_shards_and_status_follows_the_new_job() {
    let work = tmp();
    let (spec, spec_path, dir) = half_done_sweep(work.path());
    let fake = Fake::new(&[
        ("scontrol", Some((0, SCONTROL_42, ""))),
        ("sbatch", Some((0, "57;cluster-a\n", ""))),
    ]);
    let mut req = request(&spec, &spec_path, &dir);
    req.resume = true;
    req.options.shards = None;
    let out = submit(&req, &fake).unwrap();
    let script = dir.join("slurm/sweep.sbatch");
    assert_eq!(
        fake.calls(),
        [
            "scontrol -o show job 42".to_string(),
            format!("sbatch --parsable --array=1-2 {}", script.display()),
        ]
    );
    assert_eq!(
        (out.submitted, out.active, out.finished),
        (vec![1, 2], vec![3], vec![0])
    );
    let record = Meta::read(&dir).unwrap().unwrap().slurm.unwrap();
    assert_eq!(record.submissions.len(), 2);
    let sub = &record.submissions[1];
    assert_eq!(
        (
            sub.job_id.as_str(),
            sub.cluster.as_deref(),
            sub.array.as_str()
        ),
        ("57", Some("cluster-a"), "1-2")
    );

    // Status asks about job 57 for shards 1 and 2, job 42 for 0 and 3.
    let scontrol = format!(
        "{SCONTROL_42}JobId=57 ArrayJobId=57 ArrayTaskId=1-2 JobName=silica-dse JobState=PENDING\n"
    );
    let fake = Fake::new(&[("scontrol", Some((0, scontrol.as_str(), "")))]);
    let st = sweep_status(&dir, Some(&fake)).unwrap();
    assert_eq!(
        fake.calls(),
        ["scontrol -o show job 42", "scontrol -o show job 57"]
    );
    let tasks: Vec<Option<&str>> = st.shards.iter().map(|s| s.task.as_deref()).collect();
    assert_eq!(
        tasks,
        [Some("42_0"), Some("57_1"), Some("57_2"), Some("42_3")]
    );
    assert_eq!(st.failed(), Vec::<u64>::new());

    // Resuming with another shard count is refused.
    req.options.shards = Some(3);
    let e = submit(&req, &fake).unwrap_err();
    assert!(
        e.to_string().contains("submitted in 4 shards, not 3"),
        "{e}"
    );
}

#[test]
fn resume_needs_slurm_to_know_what_is_running() {
    let work = tmp();
    let (spec, spec_path, dir) = half_done_sweep(work.path());
    let fake = Fake::new(&[("sbatch", Some((0, "57", "")))]);
    let mut req = request(&spec, &spec_path, &dir);
    req.resume = true;
    let e = submit(&req, &fake).unwrap_err();
    assert!(e.to_string().contains("cannot tell which shards"), "{e}");
    assert!(!fake.calls().iter().any(|c| c.starts_with("sbatch")));

    // A job Slurm has forgotten: its unfinished shards are resubmitted.
    let fake = Fake::new(&[
        (
            "scontrol",
            Some((1, "", "slurm_load_jobs error: Invalid job id specified\n")),
        ),
        ("sbatch", Some((0, "58", ""))),
    ]);
    let out = submit(&req, &fake).unwrap();
    assert_eq!(out.submitted, [1, 2, 3]);
}

/// The README's flow without a record: `--dry-run`, `sbatch` by hand (job 42), shards 0, 1
/// and 3 of 4 finished, shard 2 never started. `--resume` keeps the 4 shards (from the
/// shards' meta.json, not the default count) and resubmits shard 2 only.
#[test]
fn resume_of_a_script_submitted_by_hand_keeps_its_shard_count() {
    let work = tmp();
    let spec_path = work.path().join("grid.toml");
    std::fs::write(&spec_path, GRID).unwrap();
    let spec = spec(GRID);
    let dir = work.path().join("dse");
    let mut dry = request(&spec, &spec_path, &dir);
    dry.dry_run = true;
    let none = Fake::new(&[]);
    submit(&dry, &none).unwrap();
    assert!(
        Meta::read(&dir).unwrap().is_none(),
        "a dry run records nothing"
    );
    for i in [0, 1, 3] {
        run_shard(&spec, &dir, i);
        std::fs::write(dir.join(format!("slurm/shard-{i}.job-42.out")), "").unwrap();
    }

    // Without --resume: refused, with the hint.
    let mut again = request(&spec, &spec_path, &dir);
    again.options.shards = None;
    let e = submit(&again, &none).unwrap_err().to_string();
    assert!(
        e.contains("no record of a Slurm job") && e.contains("--resume"),
        "{e}"
    );
    // Another shard count: refused.
    let mut other = request(&spec, &spec_path, &dir);
    (other.resume, other.options.shards) = (true, Some(2));
    let e = submit(&other, &none).unwrap_err().to_string();
    assert!(e.contains("in 4 shards, not 2"), "{e}");

    // A dry run of the resume: shard 2 only, and the script keeps "/4".
    let mut resume = request(&spec, &spec_path, &dir);
    (resume.resume, resume.dry_run, resume.options.shards) = (true, true, None);
    let out = submit(&resume, &none).unwrap();
    assert_eq!(
        (out.shards, out.submitted, out.finished),
        (4, vec![2], vec![0, 1, 3])
    );
    let script = std::fs::read_to_string(&out.script).unwrap();
    assert!(script.contains("--shard \"$task/4\""), "{script}");

    // For real: job 42 (named by the logs) is asked about; its task 2 is gone.
    resume.dry_run = false;
    let scontrol = "JobId=43 ArrayJobId=42 ArrayTaskId=0 JobState=COMPLETED\n\
                    JobId=44 ArrayJobId=42 ArrayTaskId=1 JobState=COMPLETED\n\
                    JobId=46 ArrayJobId=42 ArrayTaskId=3 JobState=COMPLETED\n";
    let fake = Fake::new(&[
        ("scontrol", Some((0, scontrol, ""))),
        ("sbatch", Some((0, "57\n", ""))),
    ]);
    let out = submit(&resume, &fake).unwrap();
    assert_eq!(
        fake.calls(),
        [
            "scontrol -o show job 42".to_string(),
            format!("sbatch --parsable --array=2 {}", out.script.display()),
        ]
    );
    let record = Meta::read(&dir).unwrap().unwrap().slurm.unwrap();
    assert_eq!(
        (record.shards, record.submissions[0].shards.clone()),
        (4, vec![2])
    );
}

#[test]
fn finished_shards_merge_into_the_submitted_folder_keeping_its_jobs() {
    let work = tmp();
    let (spec, spec_path, dir) = half_done_sweep(work.path());
    for i in 1..4 {
        let shard = Shard::new(i, 4).unwrap();
        run(
            &spec,
            &dir.join(shard.dir_name()),
            RunOptions {
                shard: Some(shard),
                resume: true,
                ..RunOptions::default()
            },
        );
    }
    let st = sweep_status(&dir, None).unwrap();
    assert!(st.complete());
    assert!(st.to_string().contains("every shard finished"), "{st}");
    merge(std::slice::from_ref(&dir), &dir).unwrap();
    // The merge equals the unsharded run, and meta.json still names the job.
    let whole = work.path().join("whole");
    run(&spec, &whole, RunOptions::default());
    assert_eq!(
        std::fs::read(dir.join("results.csv")).unwrap(),
        std::fs::read(whole.join("results.csv")).unwrap()
    );
    let meta = Meta::read(&dir).unwrap().unwrap();
    assert_eq!(meta.merged_from.len(), 4);
    assert_eq!(meta.slurm.unwrap().submissions[0].job_id, "42");
    // Resuming a finished sweep submits nothing.
    let fake = Fake::new(&[("scontrol", Some((0, SCONTROL_42, "")))]);
    let mut req = request(&spec, &spec_path, &dir);
    req.resume = true;
    let out = submit(&req, &fake).unwrap();
    assert_eq!((out.submitted.len(), out.finished.len()), (0, 4));
    assert!(sweep_status(&dir, None).unwrap().merged);
}

#[test]
fn slurm_table_in_the_spec() {
    let text = format!(
        "{GRID}\n[slurm]\nshards = 3\npartition = \"cpu\"\ntime = \"0-02:00:00\"\n\
         cpus_per_task = 2\nextra = [\"#SBATCH --mem=2G\", \"--qos=short\"]\n"
    );
    let s = spec(&text);
    let d = s.slurm().unwrap();
    assert_eq!(d.extra, ["--mem=2G", "--qos=short"], "prefix stripped");
    assert_eq!(s.hash(), spec(GRID).hash(), "[slurm] does not change rows");
    // The command line wins; spec extras come first.
    let cli = SbatchOptions {
        partition: Some("debug".into()),
        extra: vec!["--mem=4G".into()],
        ..SbatchOptions::default()
    };
    let o = cli.or_defaults(s.slurm());
    assert_eq!(o.shards, Some(3));
    assert_eq!(o.partition.as_deref(), Some("debug"));
    assert_eq!(o.time.as_deref(), Some("0-02:00:00"));
    assert_eq!(o.extra, ["--mem=2G", "--qos=short", "--mem=4G"]);

    let err = |extra: &str| {
        Spec::parse(&format!("{GRID}\n[slurm]\n{extra}\n"), "test.toml")
            .unwrap_err()
            .to_string()
    };
    let e = err("time = \"2h\"");
    assert!(e.contains("slurm.time: time `2h`"), "{e}");
    let e = err("partiton = \"cpu\"");
    assert!(e.contains("(did you mean `partition`?)"), "{e}");
    let e = err("extra = [\"--array=0-9\"]");
    assert!(e.contains("slurm.extra[0]"), "{e}");
    let e = err("shards = 0");
    assert!(e.contains("slurm.shards: expected at least 1 shard"), "{e}");
}

proptest::proptest! {
    /// Any set of array indices survives `--array` formatting and Slurm-style parsing.
    #[test]
    fn index_lists_round_trip(ids in proptest::collection::btree_set(0u64..300, 0..40)) {
        let ids: Vec<u64> = ids.into_iter().collect();
        let text = sweeps::slurm::format_index_list(&ids);
        if ids.is_empty() {
            proptest::prop_assert_eq!(text, "");
        } else {
            proptest::prop_assert_eq!(sweeps::slurm::parse_index_list(&text).unwrap(), ids);
        }
    }
}

#[test]
fn a_resubmission_keeps_the_settings_not_given_again() {
    let work = tmp();
    let spec_path = work.path().join("grid.toml");
    let text = format!("{GRID}\n[slurm]\npartition = \"cpu\"\nextra = [\"--qos=short\"]\n");
    std::fs::write(&spec_path, &text).unwrap();
    let spec = spec(&text);
    let dir = work.path().join("dse");
    let mut req = request(&spec, &spec_path, &dir);
    req.options.time = Some("30".into());
    req.options.extra = vec!["--mem=1G".into()];
    submit(&req, &Fake::new(&[("sbatch", Some((0, "42", "")))])).unwrap();
    let directives = || -> Vec<String> {
        std::fs::read_to_string(dir.join("slurm/sweep.sbatch"))
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("#SBATCH") && !l.contains("put=") && !l.contains("ror="))
            .map(str::to_string)
            .collect()
    };
    let first = [
        "#SBATCH --job-name=silica-dse",
        "#SBATCH --array=0-3",
        "#SBATCH --partition=cpu",
        "#SBATCH --time=30",
        "#SBATCH --qos=short",
        "#SBATCH --mem=1G",
    ];
    assert_eq!(directives(), first);

    // Job 42 forgotten, nothing written: resubmit all, with a longer time only.
    let mut again = request(&spec, &spec_path, &dir);
    again.resume = true;
    again.options.shards = None;
    again.options.time = Some("1:00:00".into());
    let fake = Fake::new(&[
        ("scontrol", Some((1, "", "Invalid job id specified"))),
        ("sbatch", Some((0, "43", ""))),
    ]);
    submit(&again, &fake).unwrap();
    let mut second = first.map(str::to_string).to_vec();
    second[3] = "#SBATCH --time=1:00:00".into();
    assert_eq!(directives(), second);
    let record = Meta::read(&dir).unwrap().unwrap().slurm.unwrap();
    assert_eq!(
        record.submissions[1].settings.extra,
        ["--qos=short", "--mem=1G"]
    );
}

/// Slurm whose `scontrol` sees task 3 end: the task writes its last rows just before the
/// query answers, as a task finishing between two reads of `sweep status` does.
struct EndsDuringQuery<'a> {
    spec: &'a Spec,
    dir: &'a Path,
}

impl Commands for EndsDuringQuery<'_> {
    fn run(&self, program: &str, _args: &[String]) -> std::io::Result<Output> {
        assert_eq!(program, "scontrol");
        std::fs::remove_dir_all(self.dir.join("shard-3"))?;
        run_shard(self.spec, self.dir, 3);
        Ok(Output {
            status: Some(0),
            stdout: SCONTROL_42.replace(
                "ArrayTaskId=3 JobName=silica-dse JobState=RUNNING",
                "ArrayTaskId=3 JobName=silica-dse JobState=COMPLETED",
            ),
            stderr: String::new(),
        })
    }
}

#[test]
fn a_task_ending_while_status_runs_is_read_with_its_last_rows() {
    // Slurm is asked before the shards' files are read: a task it reports COMPLETED has
    // written everything, so shard 3 shows its 6 of 6 points, finished — not the 4 rows it
    // had when status started, which would make a finished shard look failed.
    let work = tmp();
    let (spec, _, dir) = half_done_sweep(work.path());
    let slurm = EndsDuringQuery {
        spec: &spec,
        dir: &dir,
    };
    let st = sweep_status(&dir, Some(&slurm)).unwrap();
    assert_eq!((st.shards[3].points, st.shards[3].done()), (6, 6));
    assert_eq!(st.shards[3].state, Some(TaskState::Completed));
    assert_eq!(st.failed(), [1, 2], "{st}");
}
