//! Random and truncated bytes into every parser: never a panic. (The fuzz
//! targets in `fuzz/` do the same for as long as one lets them.)

use extract_core::extract::{page, structured, Limits};
use extract_core::robots::Robots;
use extract_core::search::{Brave, Codec, DuckDuckGo, Searxng, SerpApi};
use extract_core::Secret;

use crate::corpus::path;

fn inputs() -> Vec<Vec<u8>> {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut out: Vec<Vec<u8>> = (0..200)
        .map(|i| {
            (0..rng.usize(0..(64 << (i % 8))))
                .map(|_| rng.u8(..))
                .collect()
        })
        .collect();
    // Real pages and responses, cut at many points, and with bytes flipped.
    let mut real = Vec::new();
    for dir in ["html", "search_api", "robots"] {
        for e in std::fs::read_dir(path(dir)).unwrap().filter_map(Result::ok) {
            real.push(std::fs::read(e.path()).unwrap());
        }
    }
    for body in real.iter().step_by(3) {
        for cut in [
            1,
            7,
            body.len() / 3,
            body.len() / 2,
            body.len().saturating_sub(5),
        ] {
            out.push(body[..cut.min(body.len())].to_vec());
        }
        let mut flipped = body.clone();
        for _ in 0..20 {
            if !flipped.is_empty() {
                let i = rng.usize(..flipped.len());
                flipped[i] = rng.u8(..);
            }
        }
        out.push(flipped);
    }
    out
}

#[test]
fn no_parser_panics_on_random_or_truncated_bytes() {
    let limits = Limits {
        parser_memory_bytes: 1 << 20,
        ..Limits::default()
    };
    let codecs: Vec<Box<dyn Codec>> = vec![
        Box::new(Searxng::new("http://s")),
        Box::new(SerpApi::new("http://s", Secret::new("k"))),
        Box::new(Brave::new("http://s", Secret::new("k"))),
        Box::new(DuckDuckGo::new("http://s")),
    ];
    for input in inputs() {
        let _ = page(
            "https://x.com/",
            &input,
            Some("text/html; charset=windows-1252"),
            &limits,
        );
        let _ = structured(&input, None, &limits);
        for c in &codecs {
            let _ = c.parse(&input);
        }
        let r = Robots::from_response("company-extract", Some(200), &input);
        let _ = r.allowed("https://x.com/a/b?c");
        let _ = r.crawl_delay();
    }
}
