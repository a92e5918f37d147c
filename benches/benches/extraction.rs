//! Extraction speed: the streaming extractor over every page of the corpus
//! (`../shared/corpus/html`) and over the sandbox's generated homepages,
//! reported as bytes per second on one core, and the industry classifier
//! over the same pages' facts (bytes of the pages it classified).
//!
//! Run: `cargo bench -p extract-benches --bench extraction`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use extract_core::extract::{page, Limits};

fn corpus_pages() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/html");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "corpus not found at {}: benchmarking sandbox pages only",
            dir.display()
        );
        return Vec::new();
    };
    let mut pages: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("html"))
        .filter_map(|p| {
            Some((
                p.file_name()?.to_string_lossy().into_owned(),
                std::fs::read(&p).ok()?,
            ))
        })
        .collect();
    pages.sort();
    pages
}

fn sandbox_pages() -> Vec<(String, Vec<u8>)> {
    let world = extract_sandbox::World::new(600, 42);
    world
        .companies()
        .iter()
        .step_by(6)
        .map(|c| {
            (
                format!("https://{}/", c.host),
                extract_sandbox::render_homepage(c).into_bytes(),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("extraction");
    for (name, pages) in [("corpus", corpus_pages()), ("sandbox", sandbox_pages())] {
        if pages.is_empty() {
            continue;
        }
        let bytes: usize = pages.iter().map(|(_, b)| b.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        // The parser with no handlers, as the floor extraction is compared with.
        group.bench_function(format!("{name}/lol_html_alone"), |b| {
            b.iter(|| {
                for (_, body) in &pages {
                    let mut rewriter =
                        lol_html::HtmlRewriter::new(lol_html::Settings::new(), |_: &[u8]| {});
                    let _ = rewriter.write(body);
                    let _ = rewriter.end();
                }
            });
        });
        group.bench_function(format!("{name}/extract"), |b| {
            b.iter(|| {
                for (url, body) in &pages {
                    let url = if url.starts_with("http") {
                        url.clone()
                    } else {
                        format!("https://{url}/")
                    };
                    std::hint::black_box(page(&url, body, Some("text/html"), &limits));
                }
            });
        });
        // The industry classifier alone, over the same pages' facts (it runs
        // once a profile's pages are read): its time beside `extract` is
        // what classifying adds to reading a page.
        let facts: Vec<_> = pages
            .iter()
            .map(|(url, body)| {
                let url = if url.starts_with("http") {
                    url.clone()
                } else {
                    format!("https://{url}/")
                };
                page(&url, body, Some("text/html"), &limits)
            })
            .collect();
        group.bench_function(format!("{name}/classify_industry"), |b| {
            b.iter(|| {
                for f in &facts {
                    std::hint::black_box(extract_core::industry::of_pages(std::slice::from_ref(f)));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
