//! Choosing the official website among search hits, by evidence.
//!
//! Two steps. [`shortlist`] scores each hit on what the search shows: how
//! the registrable domain relates to the name (the name itself, its
//! initials, a distinctive word of it, the name plus the company's own words
//! such as "group", or the name plus words of a look-alike such as "reviews"
//! or "lawsuit"), how the title names the company, whether the title or
//! snippet says the site is *about* the company, the rank, and the aliases
//! and legal name an encyclopedia hit gives ("trading as Acme Group", an
//! article titled with an initialism). Aggregator, social, news and directory domains are
//! never candidates; their profile links become evidence.
//!
//! Then [`decide`] reads the top candidates' homepages (the pipeline fetches
//! them concurrently) and asks whether each site identifies itself as the
//! company — JSON-LD, `og:site_name`, title, copyright holder or legal name
//! matching the query, legal forms, `&`/"and", accents and initialisms
//! handled — or as something about it, or as another company sharing a word
//! of its name. The answer carries its confidence, the reasons for and
//! against, the runner-up and a [`MatchStatus`].

mod hints;
mod names;
mod shape;
mod verify;
mod vocab;

use serde::{Deserialize, Serialize};

use crate::extract::{social_profile, PageFacts};
use crate::normalize::{compact_name, normalize_name, similarity, site_host};
use crate::{Field, Hints, MatchStatus, Method, SearchHit, SearchResults, SocialProfile};

pub use names::Names;
use shape::{about_phrase, domain_shape, title_similarity};
pub use verify::{confirm_given, decide};
use vocab::{EXCLUDED, HOLDING_WORDS, OWN_WORDS, SITE_WORDS};

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
    /// The runner-up's confidence on the same scale.
    pub runner_up_confidence: Option<f32>,
    /// `confident` or `uncertain`.
    pub status: MatchStatus,
    /// The evidence that counted, for (`+`) and against (`-`).
    pub reasons: Vec<String>,
    /// Social and reference profiles of the company seen among the hits.
    pub evidence: Vec<Field<SocialProfile>>,
}

/// How far below the best candidate's search score another is still worth
/// reading: a homepage can outweigh this much of the search's evidence.
pub const VERIFY_MARGIN: f32 = 0.6;

/// A site that may be the company's, scored on the search's evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The homepage URL (`scheme://host/`).
    pub url: String,
    /// The registrable domain.
    pub domain: String,
    /// Score on the search's evidence alone, roughly `0.0..=1.0`.
    pub score: f32,
    /// Why, for and against.
    pub reasons: Vec<String>,
}

/// The candidates, best first, with what the hits said about the company.
#[derive(Debug, Clone, Default)]
pub struct Shortlist {
    /// Candidate sites, best first.
    pub candidates: Vec<Candidate>,
    /// Profiles of the company on social and reference sites among the hits.
    pub evidence: Vec<Field<SocialProfile>>,
    /// What the query and the encyclopedia hits say the company is called.
    pub names: Names,
    /// What the caller knows besides the name: weighed by [`decide`].
    pub hints: Hints,
}

/// The registrable domain of a host ("www.shop.example.co.uk" -> "example.co.uk"),
/// by the Public Suffix List; the host itself when it has none (an IP address,
/// a bare suffix).
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    psl2::registrable_domain(&host).unwrap_or(host)
}

/// The first label of a registrable domain with its dashes removed, as a
/// name would be squeezed into it (`best-of-acme.example` -> `bestofacme`).
pub(crate) fn domain_label(domain: &str) -> String {
    domain
        .split('.')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '-')
        .collect()
}

/// Whether `host` is one of `list`'s domains or below one.
fn listed(host: &str, list: &[&str]) -> bool {
    list.iter().any(|e| {
        host.strip_suffix(e)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
    })
}

/// Picks the official website of `name` among `hits` on the search's
/// evidence alone, or `None` when no hit looks like it.
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
    let results = SearchResults {
        hits: hits.to_vec(),
        knowledge: None,
    };
    pick_results(name, &results)
}

/// [`pick`] over whole search results (the knowledge panel counts).
pub fn pick_results(name: &str, results: &SearchResults) -> Option<Choice> {
    decide(&shortlist(name, results), &[])
}

/// Scores every hit of `results` as a candidate site for `name`.
pub fn shortlist(name: &str, results: &SearchResults) -> Shortlist {
    shortlist_with(name, &Hints::default(), results)
}

/// Scores every hit of `results` as a candidate site for `name`, with the
/// caller's `hints`: a LinkedIn slug is one more form of the name, a city
/// named by a hit counts for it, and [`decide`] weighs the rest.
pub fn shortlist_with(name: &str, hints: &Hints, results: &SearchResults) -> Shortlist {
    let names = Names::new(name, &results.hits).with_hints(hints);
    let city = hints
        .city
        .as_deref()
        .map(normalize_name)
        .filter(|c| !c.is_empty());
    let mut list = Shortlist {
        names,
        hints: hints.clone(),
        ..Shortlist::default()
    };
    if list.names.compact.is_empty() {
        return list;
    }
    let panel = results.knowledge.as_ref().filter(|k| {
        list.names
            .normalized_forms()
            .iter()
            .any(|n| title_similarity(n, &k.title) >= 0.8)
    });
    let panel_domain = panel
        .and_then(|k| k.website.as_deref())
        .and_then(|w| url::Url::parse(w).ok())
        .and_then(|u| u.host_str().map(registrable_domain));
    let panel_hit = panel.and_then(|k| k.website.as_deref()).map(|w| SearchHit {
        url: w.to_owned(),
        title: name.to_owned(),
        snippet: String::new(),
        rank: 1,
    });
    for hit in results.hits.iter().chain(panel_hit.iter()) {
        let Ok(url) = url::Url::parse(&hit.url) else {
            continue;
        };
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            continue;
        };
        let domain = registrable_domain(&host);
        let (shape, shape_reason) = domain_shape(&list.names, &domain);
        if listed(&domain, EXCLUDED) && shape < 1.0 {
            list.note_profile(hit);
            continue;
        }
        let mut reasons = vec![shape_reason];
        let title_sim = list
            .names
            .normalized_forms()
            .iter()
            .map(|n| title_similarity(n, &hit.title))
            .fold(0.0, f32::max);
        let rank_score = 1.0 - ((hit.rank.max(1) - 1) as f32 / 10.0).min(1.0);
        let mut score = 0.5 * shape + 0.3 * title_sim + 0.2 * rank_score;
        if title_sim >= 0.8 {
            reasons.push("+ the search title names the company".to_owned());
        }
        if let Some(city) = &city {
            let said = normalize_name(&format!("{} {}", hit.title, hit.snippet));
            if format!(" {said} ").contains(&format!(" {city} ")) {
                score += 0.05;
                reasons.push("+ the search result names the city given".to_owned());
            }
        }
        let about = about_phrase(&format!("{} {}", hit.title, hit.snippet), &list.names);
        if let Some(p) = about {
            score -= 0.35;
            reasons.push(format!(
                "- the search result reads as a site about the company ({p:?})"
            ));
        }
        if panel_domain.as_deref() == Some(domain.as_str()) {
            score += 0.3;
            reasons.push("+ the knowledge panel names this website".to_owned());
        }
        if site_host(&host) != domain {
            score -= 0.03; // a subdomain (investors.x.com) is the site, but a weaker sign
        }
        if shape < 0.3 && title_sim < 0.5 && panel_domain.as_deref() != Some(domain.as_str()) {
            continue;
        }
        let home = format!("{}://{}/", url.scheme(), host);
        match list.candidates.iter_mut().find(|c| c.domain == domain) {
            Some(existing) if score > existing.score => {
                *existing = Candidate {
                    url: home,
                    domain,
                    score,
                    reasons,
                };
            }
            Some(_) => {}
            None => list.candidates.push(Candidate {
                url: home,
                domain,
                score,
                reasons,
            }),
        }
    }
    list.candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    list
}

impl Shortlist {
    /// A hit on a social or reference site: the company's profile there, if the slug names it.
    fn note_profile(&mut self, hit: &SearchHit) {
        let Some(p) = social_profile(&hit.url) else {
            return;
        };
        let slug = p.url.rsplit('/').next().unwrap_or_default();
        let slug: String = url::form_urlencoded::parse(format!("s={slug}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let slug = compact_name(&slug.replace(['_', '-'], " "));
        let named = self
            .names
            .compacts()
            .iter()
            .any(|c| similarity(c, &slug) >= 0.6);
        if named && !self.evidence.iter().any(|e| e.value.network == p.network) {
            self.evidence.push(Field::new(p, &hit.url, Method::Serp));
        }
    }

    /// The candidates worth reading: the best `n` within [`VERIFY_MARGIN`] of the first.
    pub fn to_verify(&self, n: usize) -> Vec<&Candidate> {
        let Some(top) = self.candidates.first() else {
            return Vec::new();
        };
        self.candidates
            .iter()
            .take(n)
            .filter(|c| c.score >= top.score - VERIFY_MARGIN)
            .collect()
    }
}

/// A page's facts for [`decide`]: the candidate's homepage, read.
pub type Verified<'a> = (&'a str, &'a PageFacts);

#[cfg(test)]
mod tests;
