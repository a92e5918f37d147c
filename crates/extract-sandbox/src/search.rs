//! The search engine of the simulated web: SearXNG-format JSON results that
//! mix the official site with the noise a real engine returns — Wikipedia,
//! LinkedIn, news, directories and look-alike domains — in varying order.

use serde::Serialize;

use crate::world::{slug, Company, World};

/// One result as SearXNG writes it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Hit {
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) content: String,
    pub(crate) engine: &'static str,
}

/// Look-alike domain words.
const LOOKALIKE: &[&str] = &[
    "deals", "reviews", "careers", "shop", "news", "online", "fans", "outlet",
];
const LOOKALIKE_TLDS: &[&str] = &["com", "net", "info", "co", "store"];

/// A knowledge panel: the entity's name and website.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Panel {
    pub(crate) title: String,
    pub(crate) website: String,
}

/// The results for `query`, deterministic for a world seed.
pub(crate) fn results(world: &World, query: &str, seed: u64) -> Vec<Hit> {
    results_with_panel(world, query, seed).0
}

/// The results and, for most companies, a knowledge panel (only the
/// Google-style format shows it).
pub(crate) fn results_with_panel(
    world: &World,
    query: &str,
    seed: u64,
) -> (Vec<Hit>, Option<Panel>) {
    match world.lookup(query) {
        Some(c) => {
            let panel = (mix_panel(seed, c.index) % 10 < 6).then(|| Panel {
                title: c.name.clone(),
                website: format!("https://{}/", c.host),
            });
            (company_results(c, seed), panel)
        }
        None => (unknown_results(query), None),
    }
}

fn mix_panel(seed: u64, index: usize) -> u64 {
    (seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).rotate_left(17) % 1009
}

fn company_results(c: &Company, seed: u64) -> Vec<Hit> {
    let mut rng = fastrand::Rng::with_seed(
        seed ^ (c.index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xA5A5,
    );
    let name = &c.name;
    let s = slug(name);
    let compact: String = s.replace('-', "");
    let wiki = name.replace(' ', "_");
    let mut noise = vec![
        Hit {
            url: format!("https://en.wikipedia.org/wiki/{wiki}"),
            title: format!("{name} - Wikipedia"),
            content: format!("{name} is an American company in the {} sector.", c.sector),
            engine: "wikipedia",
        },
        Hit {
            url: format!("https://www.linkedin.com/company/{s}"),
            title: format!("{name} | LinkedIn"),
            content: format!(
                "{name} | {} followers on LinkedIn.",
                rng.u32(1_000..900_000)
            ),
            engine: "bing",
        },
        Hit {
            url: format!(
                "https://www.reuters.com/business/{s}-reports-quarterly-results-2024-05-16/"
            ),
            title: format!("{name} reports quarterly results | Reuters"),
            content: format!("{name} on Thursday reported results above estimates."),
            engine: "google",
        },
        Hit {
            url: format!("https://www.crunchbase.com/organization/{s}"),
            title: format!("{name} - Crunchbase Company Profile & Funding"),
            content: format!("{name} is located in {}, {}.", c.city, c.region),
            engine: "duckduckgo",
        },
        Hit {
            url: format!(
                "https://www.zoominfo.com/c/{s}/{}",
                rng.u32(10_000..99_999_999)
            ),
            title: format!("{name} - Overview, News & Competitors | ZoomInfo.com"),
            content: format!("View {name} company profile, revenue and employees."),
            engine: "bing",
        },
        Hit {
            url: format!(
                "https://www.glassdoor.com/Overview/Working-at-{s}-EI_IE{}.htm",
                rng.u32(1_000..999_999)
            ),
            title: format!("Working at {name} | Glassdoor"),
            content: format!("{name} reviews by employees."),
            engine: "google",
        },
        Hit {
            url: format!(
                "https://www.bloomberg.com/profile/company/{}:US",
                compact.to_uppercase().chars().take(4).collect::<String>()
            ),
            title: format!("{name} - Company Profile and News - Bloomberg Markets"),
            content: format!("{name} company profile."),
            engine: "google",
        },
    ];
    rng.shuffle(&mut noise);
    noise.truncate(rng.usize(4..=6));
    for _ in 0..rng.usize(1..=2) {
        let word = LOOKALIKE[rng.usize(..LOOKALIKE.len())];
        let tld = LOOKALIKE_TLDS[rng.usize(..LOOKALIKE_TLDS.len())];
        let url = match rng.u8(0..3) {
            0 => format!("https://{compact}-{word}.{tld}/"),
            1 => format!("https://www.{compact}{word}.{tld}/"),
            _ => format!("https://{word}{compact}.{tld}/"),
        };
        noise.push(Hit {
            url,
            title: format!("{name} {} - Best {word} 2024", capitalise(word)),
            content: format!("Find the best {name} {word}. Not affiliated with {name}."),
            engine: "bing",
        });
    }
    rng.shuffle(&mut noise);
    let official = Hit {
        url: format!("https://{}/", c.host),
        title: format!("{name} | {}", c.tagline),
        content: c.description.clone(),
        engine: "google",
    };
    // Real engines mostly rank the official site first, not always.
    let position = match rng.u8(0..100) {
        0..=54 => 0,
        55..=74 => 1,
        75..=87 => 2,
        _ => rng.usize(3..=5),
    }
    .min(noise.len());
    noise.insert(position, official);
    if rng.f32() < 0.3 {
        let at = rng.usize(position + 1..=noise.len());
        noise.insert(
            at,
            Hit {
                url: format!("https://{}/about", c.host),
                title: format!("About us | {name}"),
                content: format!("Learn about {name}, our history and our people."),
                engine: "google",
            },
        );
    }
    noise
}

fn unknown_results(query: &str) -> Vec<Hit> {
    let q = query.trim();
    let s = slug(q);
    vec![
        Hit {
            url: format!("https://en.wikipedia.org/wiki/Special:Search?search={s}"),
            title: format!("Search results for {q} - Wikipedia"),
            content: String::new(),
            engine: "wikipedia",
        },
        Hit {
            url: format!("https://www.reuters.com/site-search/?query={s}"),
            title: format!("{q} - Search | Reuters"),
            content: String::new(),
            engine: "google",
        },
    ]
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The hosts of look-alike sites that search results may point to.
pub(crate) fn is_lookalike_host(host: &str) -> bool {
    LOOKALIKE.iter().any(|w| host.contains(w))
}

/// The SerpAPI (Google) JSON document.
pub(crate) fn serpapi_json(query: &str, hits: &[Hit], panel: Option<&Panel>) -> String {
    let organic: Vec<serde_json::Value> = hits
        .iter()
        .enumerate()
        .map(|(i, h)| {
            serde_json::json!({
                "position": i + 1,
                "title": h.title,
                "link": h.url,
                "displayed_link": h.url.trim_end_matches('/'),
                "snippet": h.content,
            })
        })
        .collect();
    let mut doc = serde_json::json!({
        "search_metadata": { "status": "Success" },
        "search_parameters": { "engine": "google", "q": query },
        "organic_results": organic,
    });
    if let Some(p) = panel {
        doc["knowledge_graph"] =
            serde_json::json!({ "title": p.title, "type": "Company", "website": p.website });
    }
    doc.to_string()
}

/// The Brave Search JSON document.
pub(crate) fn brave_json(query: &str, hits: &[Hit]) -> String {
    let results: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            let host = url::Url::parse(&h.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            serde_json::json!({
                "title": h.title,
                "url": h.url,
                "description": format!("<strong>{}</strong>", crate::render::esc(&h.content)),
                "type": "search_result",
                "meta_url": { "scheme": "https", "hostname": host },
            })
        })
        .collect();
    serde_json::json!({
        "type": "search",
        "query": { "original": query },
        "web": { "type": "search", "results": results },
    })
    .to_string()
}

/// DuckDuckGo's HTML results page, an ad first.
pub(crate) fn duckduckgo_html(query: &str, hits: &[Hit]) -> String {
    use crate::render::esc;
    let mut page = format!(
        "<!DOCTYPE html><html><head><title>{} at DuckDuckGo</title></head><body><div class=\"serp__results\"><div id=\"links\" class=\"results\">\n",
        esc(query)
    );
    page.push_str("<div class=\"result results_links results_links_deep result--ad\"><div class=\"links_main links_deep result__body\"><h2 class=\"result__title\"><a class=\"result__a\" href=\"https://duckduckgo.com/y.js?ad_domain=ads.example\">Sponsored: best deals</a></h2><a class=\"result__snippet\" href=\"#\">Ad</a></div></div>\n");
    for h in hits {
        let encoded: String = url::form_urlencoded::byte_serialize(h.url.as_bytes()).collect();
        page.push_str(&format!(
            "<div class=\"result results_links results_links_deep web-result \"><div class=\"links_main links_deep result__body\"><h2 class=\"result__title\"><a rel=\"nofollow\" class=\"result__a\" href=\"//duckduckgo.com/l/?uddg={encoded}&amp;rut=0\">{}</a></h2><div class=\"result__extras\"><a class=\"result__url\" href=\"//duckduckgo.com/l/?uddg={encoded}\">{}</a></div><a class=\"result__snippet\" href=\"//duckduckgo.com/l/?uddg={encoded}\">{}</a></div></div>\n",
            esc(&h.title),
            esc(h.url.trim_start_matches("https://").trim_end_matches('/')),
            esc(&h.content)
        ));
    }
    page.push_str("</div></div></body></html>\n");
    page
}

/// The SearXNG JSON document for `results`.
pub(crate) fn searxng_json(query: &str, hits: &[Hit]) -> String {
    serde_json::json!({
        "query": query,
        "number_of_results": hits.len(),
        "results": hits,
        "answers": [],
        "corrections": [],
        "infoboxes": [],
        "suggestions": [],
        "unresponsive_engines": [],
    })
    .to_string()
}
