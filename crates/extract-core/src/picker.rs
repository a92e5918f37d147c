//! Choosing the official website among search hits.
//!
//! Each hit is scored on how well its domain matches the company name, how
//! well its title does, and its rank; aggregator, social, news and directory
//! domains are excluded, and look-alike domains (`walmart-deals.net`) penalised.

use serde::{Deserialize, Serialize};

use crate::extract::social_profile;
use crate::normalize::{compact_name, is_initials, normalize_name, similarity, site_host};
use crate::{Field, Method, SearchHit, SearchResults, SocialProfile};

/// Domains that are never a company's own site (unless the company is that site).
const EXCLUDED: &[&str] = &[
    "wikipedia.org",
    "wikidata.org",
    "wikimedia.org",
    "linkedin.com",
    "facebook.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "youtube.com",
    "tiktok.com",
    "pinterest.com",
    "reddit.com",
    "quora.com",
    "medium.com",
    "crunchbase.com",
    "bloomberg.com",
    "reuters.com",
    "forbes.com",
    "fortune.com",
    "wsj.com",
    "nytimes.com",
    "cnbc.com",
    "ft.com",
    "businessinsider.com",
    "marketwatch.com",
    "yahoo.com",
    "google.com",
    "bing.com",
    "glassdoor.com",
    "indeed.com",
    "zoominfo.com",
    "dnb.com",
    "owler.com",
    "craft.co",
    "pitchbook.com",
    "yelp.com",
    "bbb.org",
    "opencorporates.com",
    "manta.com",
    "macrotrends.net",
    "stockanalysis.com",
    "sec.gov",
    "investing.com",
    "morningstar.com",
    "nasdaq.com",
    "nyse.com",
    "trustpilot.com",
    "comparably.com",
    "simplywall.st",
    "northdata.com",
    "kununu.com",
    "xing.com",
    "cbinsights.com",
    "tracxn.com",
    "similarweb.com",
    "wellfound.com",
    "g2.com",
    "capterra.com",
    "builtin.com",
    "apollo.io",
    "rocketreach.co",
    "cnn.com",
    "bbc.co.uk",
    "bbc.com",
    "theguardian.com",
    "apnews.com",
    "seekingalpha.com",
    "fool.com",
    "barrons.com",
    "companieshouse.gov.uk",
    "find-and-update.company-information.service.gov.uk",
    "dandb.com",
    "hoovers.com",
    "corporationwiki.com",
    "bizapedia.com",
    "zippia.com",
    "ambitionbox.com",
];

/// Extra words that turn a company's name into a look-alike domain.
const LOOKALIKE_WORDS: &[&str] = &[
    "shop",
    "store",
    "deals",
    "deal",
    "reviews",
    "review",
    "jobs",
    "careers",
    "news",
    "online",
    "official",
    "fans",
    "sucks",
    "outlet",
    "sale",
    "sales",
    "discount",
    "coupons",
    "coupon",
    "app",
    "login",
    "info",
    "guide",
    "hq",
    "usa",
    "get",
    "buy",
    "my",
    "the",
    "best",
    "cheap",
    "support",
    "help",
    "blog",
    "watch",
    "stock",
    "insider",
    "directory",
    "list",
    "compare",
];

/// The chosen website.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The homepage URL of the chosen site.
    pub url: String,
    /// Its registrable domain.
    pub domain: String,
    /// Confidence in `0.0..=1.0`.
    pub confidence: f32,
    /// The second-best site, if any.
    pub runner_up: Option<String>,
    /// Social and reference profiles of the company seen among the hits.
    pub evidence: Vec<Field<SocialProfile>>,
}

/// The registrable domain of a host ("www.shop.example.co.uk" -> "example.co.uk"),
/// by the Public Suffix List; the host itself when it has none (an IP address,
/// a bare suffix).
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    psl2::registrable_domain(&host).unwrap_or(host)
}

fn excluded(domain: &str) -> bool {
    EXCLUDED
        .iter()
        .any(|e| domain == *e || domain.ends_with(&format!(".{e}")))
}

/// Picks the official website of `name` among `hits`, or `None` when no hit
/// looks like it.
///
/// ```
/// use extract_core::{picker::pick, SearchHit};
/// let hit = |rank: usize, url: &str, title: &str| SearchHit { url: url.into(), title: title.into(), snippet: String::new(), rank };
/// let hits = vec![
///     hit(1, "https://en.wikipedia.org/wiki/Walmart", "Walmart - Wikipedia"),
///     hit(2, "https://walmart-deals.net/", "Walmart Deals"),
///     hit(3, "https://www.walmart.com/", "Walmart | Save Money. Live Better."),
/// ];
/// let choice = pick("Walmart", &hits).unwrap();
/// assert_eq!(choice.domain, "walmart.com");
/// assert_eq!(choice.evidence[0].value.url, "https://en.wikipedia.org/wiki/Walmart");
/// ```
pub fn pick(name: &str, hits: &[SearchHit]) -> Option<Choice> {
    pick_with(name, hits, None)
}

/// [`pick`], with the provider's knowledge panel: a website it names for an
/// entity of the same name is a strong candidate.
pub fn pick_results(name: &str, results: &SearchResults) -> Option<Choice> {
    let panel = results
        .knowledge
        .as_ref()
        .filter(|k| title_similarity(&normalize_name(name), &k.title) >= 0.8)
        .and_then(|k| k.website.as_deref());
    pick_with(name, &results.hits, panel)
}

fn pick_with(name: &str, hits: &[SearchHit], panel_website: Option<&str>) -> Option<Choice> {
    let normalized = normalize_name(name);
    let compact = compact_name(name);
    if compact.is_empty() {
        return None;
    }
    let mut evidence: Vec<Field<SocialProfile>> = Vec::new();
    // (score, homepage url, registrable domain)
    let mut scored: Vec<(f32, String, String)> = Vec::new();
    let panel_domain = panel_website
        .and_then(|w| url::Url::parse(w).ok())
        .and_then(|u| u.host_str().map(registrable_domain));
    let panel_hit = panel_website.map(|w| SearchHit {
        url: w.to_owned(),
        title: name.to_owned(),
        snippet: String::new(),
        rank: 1,
    });
    for hit in hits.iter().chain(panel_hit.iter()) {
        let Ok(url) = url::Url::parse(&hit.url) else {
            continue;
        };
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            continue;
        };
        let domain = registrable_domain(&host);
        let label = domain.split('.').next().unwrap_or_default().to_owned();
        let label_plain: String = label.chars().filter(|c| *c != '-').collect();
        let mut name_sim = similarity(&compact, &label_plain);
        if is_initials(&normalized, &label_plain) {
            name_sim = name_sim.max(0.75);
        } else if is_abbreviation(&compact, &label_plain) {
            name_sim = name_sim.max(0.55);
        }
        if excluded(&domain) && name_sim < 1.0 {
            if let Some(p) = social_profile(&hit.url) {
                let slug = p.url.rsplit('/').next().unwrap_or_default();
                let slug: String = url::form_urlencoded::parse(format!("s={slug}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                if similarity(&compact, &compact_name(&slug.replace(['_', '-'], " "))) >= 0.6
                    && !evidence.iter().any(|e| e.value.network == p.network)
                {
                    evidence.push(Field::new(p, &hit.url, Method::Serp));
                }
            }
            continue;
        }
        let title_sim = title_similarity(&normalized, &hit.title);
        let rank_score = 1.0 - ((hit.rank.max(1) - 1) as f32 / 10.0).min(1.0);
        let mut score = 0.45 * name_sim + 0.3 * title_sim + 0.25 * rank_score;
        if label_plain != compact && name_sim < 1.0 {
            // The name plus a word such as "reviews" or "shop": a look-alike,
            // whatever its title says.
            let extra = label_plain.replacen(&compact, "", 1);
            if label_plain.contains(&compact)
                && LOOKALIKE_WORDS.iter().any(|w| {
                    extra.starts_with(w) || extra.ends_with(w) || label.split('-').any(|p| p == *w)
                })
            {
                score -= 0.5;
            }
            if label.contains('-') {
                score -= 0.1;
            }
            let tld = domain.rsplit('.').next().unwrap_or_default();
            if matches!(
                tld,
                "net"
                    | "info"
                    | "biz"
                    | "xyz"
                    | "shop"
                    | "store"
                    | "online"
                    | "site"
                    | "top"
                    | "club"
            ) {
                score -= 0.1;
            }
        }
        if panel_domain.as_deref() == Some(domain.as_str()) {
            score += 0.3;
        }
        let sub = site_host(&host);
        if sub != domain {
            score -= 0.05; // a subdomain (investors.x.com) is the site, but a weaker sign
        }
        if name_sim < 0.3 && title_sim < 0.5 {
            continue;
        }
        let home = format!("{}://{}/", url.scheme(), host);
        if let Some(existing) = scored.iter_mut().find(|(_, _, d)| *d == domain) {
            if score > existing.0 {
                *existing = (score, home, domain);
            }
        } else {
            scored.push((score, home, domain));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut iter = scored.into_iter();
    let (score, url, domain) = iter.next()?;
    let runner_up = iter.next();
    let gap = runner_up.as_ref().map_or(0.3, |r| (score - r.0).min(0.3));
    let confidence = (score * 0.7 + gap).clamp(0.0, 1.0);
    Some(Choice {
        url,
        domain,
        confidence,
        runner_up: runner_up.map(|r| r.1),
        evidence,
    })
}

/// Whether `label` abbreviates the compact name, ticker-style: same first
/// letter, its letters in order within the name ("becn" in "beaconroofingsupply").
fn is_abbreviation(compact: &str, label: &str) -> bool {
    if label.len() < 2
        || label.len() * 2 > compact.len()
        || compact.chars().next() != label.chars().next()
    {
        return false;
    }
    let mut rest = compact.chars();
    label.chars().all(|c| rest.any(|n| n == c))
}

/// How well the title names the company: 1 when it starts with the name,
/// less when the name's words are only somewhere in it.
fn title_similarity(normalized_name: &str, title: &str) -> f32 {
    let title_words = crate::normalize::name_words(title);
    let words: Vec<&str> = normalized_name
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return 0.0;
    }
    if title_words.len() >= words.len() && title_words.iter().zip(&words).all(|(t, w)| t == w) {
        return 1.0;
    }
    let found = words
        .iter()
        .filter(|w| title_words.iter().any(|t| t == *w))
        .count();
    0.8 * found as f32 / words.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(urls: &[(&str, &str)]) -> Vec<SearchHit> {
        urls.iter()
            .enumerate()
            .map(|(i, (u, t))| SearchHit {
                url: (*u).into(),
                title: (*t).into(),
                snippet: String::new(),
                rank: i + 1,
            })
            .collect()
    }

    fn check(name: &str, results: &[(&str, &str)], expected: Option<&str>) {
        let got = pick(name, &hits(results)).map(|c| c.domain);
        assert_eq!(got.as_deref(), expected, "{name}");
    }

    #[test]
    fn picks_official_domains() {
        check(
            "General Motors",
            &[
                (
                    "https://www.linkedin.com/company/general-motors",
                    "General Motors | LinkedIn",
                ),
                ("https://www.gm.com/", "General Motors: Electric Vehicles"),
            ],
            Some("gm.com"),
        );
        check(
            "Walmart",
            &[
                ("https://walmartreviews.com/", "Walmart Reviews"),
                ("https://www.walmart.com/", "Walmart"),
            ],
            Some("walmart.com"),
        );
        check(
            "Exxon Mobil",
            &[
                ("https://corporate.exxonmobil.com/", "ExxonMobil"),
                ("https://exxonmobil-jobs.net/", "Exxon Mobil Jobs"),
            ],
            Some("exxonmobil.com"),
        );
        check(
            "Acme",
            &[("https://en.wikipedia.org/wiki/Acme", "Acme - Wikipedia")],
            None,
        );
        check(
            "LinkedIn",
            &[("https://www.linkedin.com/", "LinkedIn")],
            Some("linkedin.com"),
        );
        check(
            "Tesco",
            &[("https://www.tesco.co.uk/", "Tesco")],
            Some("tesco.co.uk"),
        );
        check(
            "Beacon Roofing Supply",
            &[
                (
                    "https://beaconroofingsupplydeals.net/",
                    "Beacon Roofing Supply Deals",
                ),
                ("https://www.becn.com/", "Beacon Roofing Supply | Home"),
            ],
            Some("becn.com"),
        );
        check(
            "Plains GP Holdings",
            &[
                (
                    "https://www.plainsgpholdingsreviews.net/",
                    "Plains GP Holdings Reviews",
                ),
                (
                    "https://www.plainsallamerican.com/",
                    "Plains GP Holdings | Welcome",
                ),
            ],
            Some("plainsallamerican.com"),
        );
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(
            registrable_domain("www.shop.example.co.uk"),
            "example.co.uk"
        );
        assert_eq!(registrable_domain("corporate.walmart.com"), "walmart.com");
        assert_eq!(registrable_domain("walmart.com"), "walmart.com");
    }
}
