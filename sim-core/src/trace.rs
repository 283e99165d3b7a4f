//! Optional recording of timeline spans, written as Chrome trace-event JSON.
//!
//! A [`Trace`] is either disabled (the default: recording is one branch and the label
//! closure is never called) or enabled, collecting `(component, start, end, label)` spans.
//! [`Trace::write_chrome_json`] writes the "JSON object format" of the Trace Event Format
//! (complete events, `"ph":"X"`, times in microseconds) with one thread per component,
//! named by a `thread_name` metadata event, which opens in Perfetto and chrome://tracing.

use std::io::{self, Write};

use crate::{CompId, Time};

/// One recorded span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The component the span belongs to (one track per component).
    pub comp: CompId,
    /// Start time.
    pub start: Time,
    /// End time (≥ start).
    pub end: Time,
    /// What happened.
    pub label: String,
}

/// A span recorder that costs nothing when disabled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    spans: Option<Vec<Span>>,
}

impl Trace {
    /// A recorder that records nothing.
    pub fn disabled() -> Self {
        Trace { spans: None }
    }

    /// A recorder that keeps every span.
    pub fn enabled() -> Self {
        Trace {
            spans: Some(Vec::new()),
        }
    }

    /// Whether spans are being recorded.
    pub fn is_enabled(&self) -> bool {
        self.spans.is_some()
    }

    /// Records a span; `label` is only evaluated when enabled. An `end` before `start` is
    /// clamped to `start`.
    #[inline]
    pub fn record_with(
        &mut self,
        comp: CompId,
        start: Time,
        end: Time,
        label: impl FnOnce() -> String,
    ) {
        if let Some(v) = &mut self.spans {
            v.push(Span {
                comp,
                start,
                end: end.max(start),
                label: label(),
            });
        }
    }

    /// The spans recorded, in recording order.
    pub fn spans(&self) -> &[Span] {
        self.spans.as_deref().unwrap_or(&[])
    }

    /// Writes the spans as Chrome trace-event JSON; `names[i]` names component `i`'s track.
    pub fn write_chrome_json(&self, names: &[String], mut w: impl Write) -> io::Result<()> {
        w.write_all(b"{\"displayTimeUnit\":\"ns\",\"traceEvents\":[")?;
        let mut first = true;
        let mut sep = |w: &mut dyn Write| -> io::Result<()> {
            if !std::mem::take(&mut first) {
                w.write_all(b",\n")?;
            }
            Ok(())
        };
        for (i, n) in names.iter().enumerate() {
            sep(&mut w)?;
            write!(
                w,
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":{i},\"args\":{{\"name\":{}}}}}",
                json_string(n)
            )?;
        }
        for s in self.spans() {
            sep(&mut w)?;
            write!(
                w,
                "{{\"name\":{},\"ph\":\"X\",\"pid\":0,\"tid\":{},\"ts\":{},\"dur\":{}}}",
                json_string(&s.label),
                s.comp.0,
                ps_as_us(s.start),
                ps_as_us(s.end - s.start)
            )?;
        }
        w.write_all(b"]}\n")
    }
}

/// Picoseconds as a decimal number of microseconds, exactly (no float rounding).
fn ps_as_us(t: Time) -> String {
    let ps = t.as_ps();
    format!("{}.{:06}", ps / 1_000_000, ps % 1_000_000)
}

/// `s` as a JSON string literal (RFC 8259 escaping).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_trace_never_calls_the_label() {
        let mut t = Trace::disabled();
        t.record_with(CompId(0), Time::ZERO, Time::from_ns(1), || {
            unreachable!("label evaluated while tracing is off")
        });
        assert!(t.spans().is_empty());
    }

    #[test]
    fn chrome_json_shape() {
        let mut t = Trace::enabled();
        t.record_with(
            CompId(1),
            Time::from_ps(1_500_000),
            Time::from_ps(2_000_001),
            || "gemm \"a\"".into(),
        );
        let mut buf = Vec::new();
        t.write_chrome_json(&["dram".into(), "pe".into()], &mut buf)
            .unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.contains("\"name\":\"gemm \\\"a\\\"\""));
        // 1.5 µs start, 0.500001 µs duration.
        assert!(s.contains("\"ts\":1.500000,\"dur\":0.500001"));
        assert!(s.contains("\"args\":{\"name\":\"pe\"}"));
    }
}
