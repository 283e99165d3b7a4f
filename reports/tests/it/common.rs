//! Helpers: scratch folders and minimal PNG / SVG checks.

use std::path::PathBuf;

use reports::Table;

/// A fresh, empty scratch folder for `test` under cargo's target tmp dir.
pub fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("reports-it")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn table(csv: &str) -> Table {
    Table::from_csv_reader(csv.as_bytes(), "test").unwrap()
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "file too short for a PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk must be IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    assert_eq!(be(&bytes[8..12]), 13, "IHDR length");
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Width and height of an SVG's root element, after checking that its tags nest.
pub fn svg_size(text: &str) -> (u32, u32) {
    check_tags_nest(text);
    let start = text.find("<svg").expect("no <svg root");
    let root = &text[start..start + text[start..].find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let at = root
            .find(&key)
            .unwrap_or_else(|| panic!("<svg has no {name}"))
            + key.len();
        root[at..at + root[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    (attr("width"), attr("height"))
}

/// Every start tag is closed in order; the outermost element is `svg`.
fn check_tags_nest(text: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut outermost = None;
    let mut rest = text;
    while let Some(lt) = rest.find('<') {
        let gt = rest[lt..].find('>').expect("unterminated tag") + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else {
            let name = tag
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            outermost.get_or_insert_with(|| name.clone());
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    assert_eq!(outermost.as_deref(), Some("svg"));
}
