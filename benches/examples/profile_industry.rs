//! What the industry classifier adds to reading a page, on the sandbox's
//! small homepages and the corpus pages: extraction and classification
//! timed in alternating rounds in one process, the fastest round of each
//! kept (a shared machine's noise only ever slows a round down).
//!
//! Run: `cargo run --release -p extract-benches --example profile_industry`
use std::time::{Duration, Instant};

use extract_benches::pages::{corpus_pages, sandbox_homepages};
use extract_core::extract::{page, Limits};

fn main() {
    let limits = Limits::default();
    for (name, pages) in [("sandbox", sandbox_homepages()), ("corpus", corpus_pages())] {
        if pages.is_empty() {
            continue;
        }
        let facts: Vec<_> = pages
            .iter()
            .map(|(url, body)| page(url, body, Some("text/html"), &limits))
            .collect();
        let (mut extract, mut classify) = (Duration::MAX, Duration::MAX);
        for _ in 0..15 {
            let t = Instant::now();
            for (url, body) in &pages {
                std::hint::black_box(page(url, body, Some("text/html"), &limits));
            }
            extract = extract.min(t.elapsed());
            let t = Instant::now();
            for f in &facts {
                std::hint::black_box(extract_core::industry::of_pages(std::slice::from_ref(f)));
            }
            classify = classify.min(t.elapsed());
        }
        let per = |d: Duration| d.as_secs_f64() * 1e6 / pages.len() as f64;
        println!(
            "{name}: {} pages, extraction {:.1} µs a page, classification {:.1} µs a page = {:.1}% of extraction",
            pages.len(),
            per(extract),
            per(classify),
            100.0 * classify.as_secs_f64() / extract.as_secs_f64()
        );
    }
}
