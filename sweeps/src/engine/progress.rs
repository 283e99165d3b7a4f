//! Progress display: an `indicatif` bar with rate and ETA on a terminal; plain lines on
//! stderr every 5 s or 10 % otherwise (logs of batch jobs); nothing when disabled.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const PLAIN_EVERY: Duration = Duration::from_secs(5);

struct Plain {
    done: u64,
    last_print: Instant,
    last_decile: u64,
}

pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    plain: Option<Mutex<Plain>>,
    total: u64,
    start: Instant,
}

impl Progress {
    /// A display for `total` points to evaluate (`resumed` were done before).
    pub fn new(enabled: bool, total: u64, resumed: u64) -> Progress {
        let start = Instant::now();
        let mut p = Progress {
            bar: None,
            plain: None,
            total,
            start,
        };
        if !enabled {
            return p;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if bar.is_hidden() {
            eprintln!(
                "sweep: {total} points to evaluate{}",
                if resumed > 0 {
                    format!(" ({resumed} already done)")
                } else {
                    String::new()
                }
            );
            p.plain = Some(Mutex::new(Plain {
                done: 0,
                last_print: start,
                last_decile: 0,
            }));
        } else {
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {pos}/{len} points  {per_sec}  ETA {eta}  {msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            if resumed > 0 {
                bar.set_message(format!("({resumed} done before)"));
            }
            p.bar = Some(bar);
        }
        p
    }

    /// One more point done.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        let Some(plain) = &self.plain else { return };
        let Ok(mut s) = plain.lock() else { return };
        s.done += 1;
        let decile = s.done * 10 / self.total.max(1);
        let now = Instant::now();
        if decile > s.last_decile || now.duration_since(s.last_print) >= PLAIN_EVERY {
            s.last_decile = decile;
            s.last_print = now;
            let secs = now.duration_since(self.start).as_secs_f64();
            let rate = s.done as f64 / secs.max(1e-9);
            let eta = (self.total - s.done.min(self.total)) as f64 / rate.max(1e-9);
            eprintln!(
                "sweep: {}/{} points ({}%), {rate:.1} points/s, ETA {eta:.0} s",
                s.done,
                self.total,
                s.done * 100 / self.total.max(1)
            );
        }
    }

    /// The run is over.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
        if self.plain.is_some() {
            eprintln!(
                "sweep: done, {} points in {:.1} s",
                self.total,
                self.start.elapsed().as_secs_f64()
            );
        }
    }
}
