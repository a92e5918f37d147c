//! Runs extraction over the corpus in a loop, beside lol_html with no
//! handlers, for a profiler or a quick ratio: `cargo run --release -p extract-benches --example profile_extract`.

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/html");
    let pages: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("the corpus beside the checkout")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("html"))
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    let limits = extract_core::extract::Limits::default();
    let bytes: usize = pages.iter().map(Vec::len).sum::<usize>() * 5;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        for _ in 0..5 {
            for p in &pages {
                let mut rw = lol_html::HtmlRewriter::new(lol_html::Settings::new(), |_: &[u8]| {});
                let _ = rw.write(p);
                let _ = rw.end();
            }
        }
        let bare = bytes as f64 / t.elapsed().as_secs_f64() / 1e6;
        let t = std::time::Instant::now();
        for _ in 0..5 {
            for p in &pages {
                std::hint::black_box(extract_core::extract::page(
                    "https://x.com/",
                    p,
                    Some("text/html"),
                    &limits,
                ));
            }
        }
        let full = bytes as f64 / t.elapsed().as_secs_f64() / 1e6;
        println!(
            "lol_html alone {bare:.1} MB/s, extraction {full:.1} MB/s, ratio {:.2}",
            full / bare
        );
    }
}
