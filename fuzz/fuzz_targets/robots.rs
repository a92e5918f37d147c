//! robots.txt parsing and matching on arbitrary bytes.
#![no_main]

use extract_core::robots::Robots;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let robots = Robots::from_response("company-extract", Some(200), data);
    let _ = robots.allowed("https://fuzz.example/some/path?q=1");
    let _ = robots.crawl_delay();
});
