//! Extraction of the sandbox's small homepages in a loop, for a profiler:
//! shows the fixed cost per page.
fn main() {
    let pages = extract_benches::pages::sandbox_homepages();
    let limits = extract_core::extract::Limits::default();
    let t = std::time::Instant::now();
    let n = 20;
    for _ in 0..n {
        for (url, body) in &pages {
            std::hint::black_box(extract_core::extract::page(
                url,
                body,
                Some("text/html"),
                &limits,
            ));
        }
    }
    println!(
        "{:.1} µs per page",
        t.elapsed().as_secs_f64() * 1e6 / (n * pages.len()) as f64
    );
}
