//! Extraction speed: the streaming extractor over every page of the corpus
//! (`../shared/corpus/html`) and over the sandbox's generated homepages,
//! reported as bytes per second on one core, and the industry classifier
//! over the same pages' facts (bytes of the pages it classified).
//!
//! Run: `cargo bench -p extract-benches --bench extraction`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use extract_benches::pages::{corpus_pages, sandbox_homepages};
use extract_core::extract::{page, Limits};

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("extraction");
    for (name, pages) in [("corpus", corpus_pages()), ("sandbox", sandbox_homepages())] {
        if pages.is_empty() {
            eprintln!("no {name} pages (the corpus is read from ../shared/corpus/html)");
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
                    std::hint::black_box(page(url, body, Some("text/html"), &limits));
                }
            });
        });
        // The industry classifier alone, over the same pages' facts (it runs
        // once a profile's pages are read): its time beside `extract` is
        // what classifying adds to reading a page.
        let facts: Vec<_> = pages
            .iter()
            .map(|(url, body)| page(url, body, Some("text/html"), &limits))
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
