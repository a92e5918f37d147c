//! The streaming HTML extractor on arbitrary bytes, with a small parser budget.
#![no_main]

use extract_core::extract::{page, structured, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { parser_memory_bytes: 1 << 20, max_html_bytes: 1 << 20, ..Limits::default() };
    let facts = page("https://fuzz.example/a/b", data, Some("text/html; charset=windows-1252"), &limits);
    let _ = extract_core::extract::merge([&facts], Some("fuzz.example"));
    let _ = structured(data, None, &limits);
});
