//! Loading the documents under `tests/data/vocab/` for the `vocab_*` tests.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use rhizome_federation::vocab::DEFAULT_MAX_DOCUMENT_BYTES;

/// Where the vocab test documents live.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vocab")
}

/// The JSON bytes of a document, by path relative to [`data_dir`]. Authored `.jsonc` files
/// start with `//` comment lines saying where their shape comes from; those are stripped.
pub fn load(relative: &str) -> Vec<u8> {
    read(&data_dir().join(relative))
}

fn read(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    if path.extension().is_some_and(|ext| ext == "jsonc") {
        let text = String::from_utf8(bytes).expect("jsonc test files are UTF-8");
        let json: Vec<&str> = text
            .lines()
            .skip_while(|line| line.trim_start().starts_with("//"))
            .collect();
        json.join("\n").into_bytes()
    } else {
        bytes
    }
}

/// Every test document (`.json`, `.jsonc`, `.body`), with its relative path, sorted.
pub fn all_documents() -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    collect(&data_dir(), &mut found);
    found.sort();
    found
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(data_dir())
                .expect("found under the data dir")
                .display()
                .to_string();
            let bytes = read(&path);
            (relative, bytes)
        })
        .collect()
}

fn collect(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("the data dir is readable") {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            collect(&path, found);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "json" || ext == "jsonc" || ext == "body")
        {
            found.push(path);
        }
    }
}

/// The limit the tests parse with.
pub const MAX: usize = DEFAULT_MAX_DOCUMENT_BYTES;

/// Shorthand for a URL in expectations.
pub fn url(text: &str) -> url::Url {
    url::Url::parse(text).expect("test URLs are valid")
}
