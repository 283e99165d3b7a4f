//! Writing a calibrated preset: the platform file's text with its `[gpu.efficiency]`
//! table replaced by the fitted values (everything else, comments included, kept).

use anyhow::Context;

/// The TOML text of platform `arch`: a preset's embedded file, or the file at that path.
pub fn source_text(arch: &str) -> anyhow::Result<String> {
    if let Some(t) = arch::preset_toml(arch) {
        return Ok(t.to_string());
    }
    std::fs::read_to_string(arch).with_context(|| format!("reading platform file `{arch}`"))
}

fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

fn key_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if t.starts_with('#') {
        return None;
    }
    t.split_once('=').map(|(k, _)| k.trim())
}

/// `text` with the `[gpu.efficiency]` table replaced: the comment lines `note` (written
/// with `# `), then `key = new` for each `(key, new, old)` of `values` (with `# was <old>`
/// where they differ; `old` is the value in effect before, default or written), then the
/// old table's other keys as they were. Without such a table one is appended.
pub fn with_efficiency(text: &str, note: &[String], values: &[(&str, f64, f64)]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "[gpu.efficiency]" || l.trim().starts_with("[gpu.efficiency]"));
    let (before, old, after): (&[&str], &[&str], &[&str]) = match start {
        Some(s) => {
            let end = lines[s + 1..]
                .iter()
                .position(|l| is_header(l))
                .map_or(lines.len(), |e| s + 1 + e);
            (&lines[..s], &lines[s + 1..end], &lines[end..])
        }
        None => (&lines[..], &[], &[]),
    };
    let mut out: Vec<String> = before.iter().map(|l| l.to_string()).collect();
    if start.is_none() && out.last().is_some_and(|l| !l.trim().is_empty()) {
        out.push(String::new());
    }
    out.push("[gpu.efficiency]".into());
    out.extend(note.iter().map(|n| format!("# {n}")));
    for (k, v, o) in values {
        let line = format!("{k} = {v}");
        if o == v {
            out.push(line);
        } else {
            out.push(format!("{line:<33} # was {o}"));
        }
    }
    for l in old {
        if let Some(k) = key_of(l)
            && !values.iter().any(|(vk, _, _)| *vk == k)
        {
            out.push(l.to_string());
        }
    }
    if !after.is_empty() {
        out.push(String::new());
        out.extend(after.iter().map(|l| l.to_string()));
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock (civil-from-days, H. Hinnant).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn replaces_only_the_efficiency_table() {
        let text = "name = \"x\"\n[gpu]\nsm_count = 2\n\n[gpu.efficiency]\ntensor = 0.7   # [MEAS]\n\
                    alu = 0.5\n# old note\n\n[system]\ndevices = 2\n";
        let out = with_efficiency(
            text,
            &["fitted".into()],
            &[("tensor", 0.8, 0.7), ("mem_bandwidth", 0.9, 0.9)],
        );
        assert_eq!(
            out,
            "name = \"x\"\n[gpu]\nsm_count = 2\n\n[gpu.efficiency]\n# fitted\n\
             tensor = 0.8                      # was 0.7\nmem_bandwidth = 0.9\nalu = 0.5\n\n\
             [system]\ndevices = 2\n"
        );
        let bare = with_efficiency("[gpu]\nsm_count = 2\n", &[], &[("tensor", 0.8, 0.85)]);
        assert_eq!(
            bare,
            "[gpu]\nsm_count = 2\n\n[gpu.efficiency]\ntensor = 0.8                      # was 0.85\n"
        );
    }

    #[test]
    fn date_is_well_formed() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"), "{d}");
    }
}
