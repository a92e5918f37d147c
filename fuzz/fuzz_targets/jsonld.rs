//! The JSON-LD reader: arbitrary bytes as the content of a JSON-LD block.
#![no_main]

use extract_core::extract::{page, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut html = b"<html><head><script type=\"application/ld+json\">".to_vec();
    html.extend_from_slice(data);
    html.extend_from_slice(b"</script></head><body></body></html>");
    let _ = page("https://fuzz.example/", &html, None, &Limits::default());
});
