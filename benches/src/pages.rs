//! The pages the extraction benches and profiling examples read: the
//! sandbox's generated homepages and the corpus pages beside the checkout.

use crate::accuracy::corpus_dir;

/// The homepages of every sixth of a 600-company sandbox world (seed 42),
/// each with its URL: 100 small pages.
pub fn sandbox_homepages() -> Vec<(String, Vec<u8>)> {
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

/// The corpus's HTML pages (`../shared/corpus/html`), each with a URL made
/// of its file name, sorted; none when the corpus is not beside the
/// checkout.
pub fn corpus_pages() -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(corpus_dir().join("html")) else {
        return Vec::new();
    };
    let mut pages: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("html"))
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((format!("https://{name}/"), std::fs::read(&p).ok()?))
        })
        .collect();
    pages.sort();
    pages
}
