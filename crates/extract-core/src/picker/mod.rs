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

mod verify;
mod vocab;

use serde::{Deserialize, Serialize};

use crate::extract::{social_profile, PageFacts};
use crate::normalize::{
    compact_name, is_initials, name_words, normalize_name, similarity, site_host,
};
use crate::{Field, MatchStatus, Method, SearchHit, SearchResults, SocialProfile};

pub use verify::decide;
use vocab::{
    ABOUT_PHRASES, ENCYCLOPEDIAS, EXCLUDED, GENERIC_WORDS, HOLDING_WORDS, LOOKALIKE_WORDS,
    OWN_WORDS, SITE_WORDS,
};

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
}

/// The forms of a company's name the picker compares with.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// The query normalised (legal forms and a leading "the" dropped).
    pub normalized: String,
    /// The query squeezed into a domain label.
    pub compact: String,
    /// The legal-form and holding words the query ends with (`inc`, `companies`).
    pub legal_words: Vec<String>,
    /// Other names: an encyclopedia article's title, "trading as …", "known as …".
    pub aliases: Vec<String>,
    /// The encyclopedia's one-line description of the company, if a hit gave one.
    pub description: Option<String>,
    /// `normalized` then the aliases normalised, computed once.
    forms: Vec<String>,
    /// `compact` then the aliases compacted, computed once.
    compacts: Vec<String>,
    /// The description's industry and confidence, classified once.
    business: Option<(crate::Industry, f32)>,
}

impl Names {
    /// The forms of `name`, with the aliases and description the encyclopedia hits among `hits` give.
    pub fn new(name: &str, hits: &[SearchHit]) -> Self {
        let normalized = normalize_name(name);
        let words = name_words(name);
        let kept = normalized.split(' ').count();
        let mut legal_words: Vec<String> = words
            .iter()
            .skip_while(|w| *w == "the")
            .skip(kept)
            .cloned()
            .collect();
        legal_words.retain(|w| w != "and");
        let mut names = Names {
            compact: compact_name(name),
            normalized,
            legal_words,
            aliases: Vec::new(),
            description: None,
            forms: Vec::new(),
            compacts: Vec::new(),
            business: None,
        };
        for hit in hits {
            names.read_encyclopedia(hit);
        }
        names.forms = std::iter::once(names.normalized.clone())
            .chain(names.aliases.iter().map(|a| normalize_name(a)))
            .filter(|f| !f.is_empty())
            .collect();
        names.compacts = std::iter::once(names.compact.clone())
            .chain(names.aliases.iter().map(|a| compact_name(a)))
            .filter(|c| !c.is_empty())
            .collect();
        names.business = names
            .description
            .as_deref()
            .and_then(|d| crate::classify::classify(Some(d), &[], &[], None));
        names
    }

    /// Aliases from an encyclopedia article about this company: its title
    /// when the article's first words name the company (or the title does),
    /// and the names it says the company trades as or is known by.
    fn read_encyclopedia(&mut self, hit: &SearchHit) {
        let Some(host) = url::Url::parse(&hit.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        else {
            return;
        };
        if !listed(&host, ENCYCLOPEDIAS) {
            return;
        }
        let title = [" - ", " – ", " | "]
            .iter()
            .fold(hit.title.as_str(), |t, sep| {
                t.split(sep).next().unwrap_or(t)
            })
            .trim();
        let subject = hit
            .snippet
            .split([',', '(', ';'])
            .next()
            .unwrap_or_default()
            .split(" is ")
            .next()
            .unwrap_or_default()
            .split(" was ")
            .next()
            .unwrap_or_default()
            .trim();
        let about_us = |s: &str| {
            let n = normalize_name(s);
            !n.is_empty() && (n == self.normalized || compact_name(s) == self.compact)
        };
        if !(about_us(title) || about_us(subject)) {
            return;
        }
        for alias in [title, subject] {
            self.add_alias(alias);
        }
        let lower = hit.snippet.to_lowercase();
        for marker in [
            "trading as ",
            "trade name ",
            "known as ",
            "referred to as ",
            "doing business as ",
        ] {
            if let Some(at) = lower.find(marker) {
                let rest = &hit.snippet[at + marker.len()..];
                let alias: String = rest
                    .split([',', ';', '.', ')', '('])
                    .next()
                    .unwrap_or_default()
                    .split(" is ")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                self.add_alias(alias.trim());
            }
        }
        if self.description.is_none() && !hit.snippet.is_empty() {
            self.description = Some(hit.snippet.clone());
        }
    }

    fn add_alias(&mut self, alias: &str) {
        let compact = compact_name(alias);
        if compact.len() >= 2
            && alias.split_whitespace().count() <= 6
            && compact != self.compact
            && !self.aliases.iter().any(|a| compact_name(a) == compact)
        {
            self.aliases.push(alias.to_owned());
        }
    }

    /// The compact forms: the query's, then the aliases'.
    fn compacts(&self) -> &[String] {
        &self.compacts
    }

    /// The normalised forms: the query's, then the aliases'.
    fn normalized_forms(&self) -> &[String] {
        &self.forms
    }

    /// The distinctive words of the name (not generic, at least three letters).
    fn distinctive_words(&self) -> Vec<&str> {
        self.normalized
            .split(' ')
            .filter(|w| w.len() >= 3 && !GENERIC_WORDS.contains(w))
            .collect()
    }
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
    let names = Names::new(name, &results.hits);
    let mut list = Shortlist {
        names,
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

/// How a registrable domain relates to the name, in `0.0..=1.0`, with the reason.
fn domain_shape(names: &Names, domain: &str) -> (f32, String) {
    let label = domain.split('.').next().unwrap_or_default();
    let plain = domain_label(domain);
    let tld_label: String = domain
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '-')
        .collect();
    let parts: Vec<&str> = label.split('-').filter(|p| !p.is_empty()).collect();
    let mut best = (0.0_f32, "- the domain does not spell the name".to_owned());
    let mut offer = |score: f32, why: String| {
        if score > best.0 {
            best = (score, why);
        }
    };
    let words = names.distinctive_words();
    for (i, compact) in names.compacts().iter().enumerate() {
        let alias = i > 0;
        let whose = if alias {
            "an alias of the company"
        } else {
            "the name"
        };
        if plain == *compact
            || (domain.split('.').count() == 2 && tld_label == *compact && plain.len() > 1)
        {
            offer(
                if alias { 0.95 } else { 1.0 },
                format!("+ the domain is {whose}"),
            );
            continue;
        }
        // The name plus words: the company's own ("group", "global") or a look-alike's.
        if compact.len() >= 2
            && plain.len() > compact.len()
            && (plain.starts_with(compact.as_str()) || plain.ends_with(compact.as_str()))
        {
            let extra = plain.replacen(compact.as_str(), "", 1);
            let extra_parts: Vec<&str> = if parts.len() > 1 {
                parts
                    .iter()
                    .copied()
                    .filter(|p| !compact.starts_with(p) && !compact.ends_with(p))
                    .collect()
            } else {
                vec![extra.as_str()]
            };
            if extra_parts.iter().all(|p| OWN_WORDS.contains(p)) {
                offer(
                    if alias { 0.9 } else { 0.92 },
                    format!("+ the domain is {whose} and the company's own word {extra:?}"),
                );
            } else if lookalike(&extra, &parts) {
                offer(
                    0.1,
                    format!("- the domain is {whose} plus the look-alike word(s) {extra:?}"),
                );
            } else {
                offer(
                    0.45,
                    format!("- the domain is {whose} plus other words ({extra:?})"),
                );
            }
            continue;
        }
        if !alias && is_initials(&names.normalized, &plain) {
            offer(0.85, "+ the domain is the name's initials".to_owned());
        }
        if !alias {
            // Initials plus the company's own word: "abcompanies", "abgroup".
            let initials: String = names
                .normalized
                .split(' ')
                .filter(|w| *w != "and" && *w != "of")
                .filter_map(|w| w.chars().next())
                .collect();
            if initials.len() >= 2 && plain.starts_with(&initials) {
                let rest = &plain[initials.len()..];
                let mut own: Vec<&str> = OWN_WORDS.to_vec();
                own.extend(names.legal_words.iter().map(String::as_str));
                if own.contains(&rest) {
                    offer(0.85, format!("+ the domain is the name's initials and the company's own word {rest:?}"));
                }
            }
        }
    }
    // A distinctive word of the name, alone: strong for the first word, good for others.
    for (i, w) in words.iter().enumerate() {
        if plain == *w && words.len() > 1 {
            offer(
                if i == 0 { 0.72 } else { 0.68 },
                format!("+ the domain is the distinctive word {w:?} of the name"),
            );
        }
    }
    if best.0 == 0.0 {
        let sim = names
            .compacts()
            .iter()
            .map(|c| {
                let s = similarity(c, &plain);
                if is_abbreviation(c, &plain) {
                    s.max(0.55)
                } else {
                    s
                }
            })
            .fold(0.0, f32::max);
        if sim > 0.0 {
            best = (
                sim * 0.8,
                format!("  the domain resembles the name ({sim:.2})"),
            );
        }
    }
    best
}

/// Whether the extra words of a domain beside the name make it a look-alike.
fn lookalike(extra: &str, parts: &[&str]) -> bool {
    parts.iter().any(|p| LOOKALIKE_WORDS.contains(p))
        || LOOKALIKE_WORDS
            .iter()
            .any(|w| w.len() >= 4 && (extra.starts_with(w) || extra.ends_with(w)))
        || LOOKALIKE_WORDS.contains(&extra)
}

/// The first phrase of `text` that says a site is about the company, unless
/// the company's own name holds it.
pub(crate) fn about_phrase(text: &str, names: &Names) -> Option<&'static str> {
    let lower = text.to_lowercase();
    ABOUT_PHRASES
        .iter()
        .copied()
        .find(|p| contains_word(&lower, p) && !names.normalized.contains(p))
}

/// Whether `phrase` occurs in `text` at word boundaries.
pub(crate) fn contains_word(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric)
            && !after.is_some_and(|c| c.is_alphanumeric() && c != 's')
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
pub(crate) fn title_similarity(normalized_name: &str, title: &str) -> f32 {
    let title_words = name_words(title);
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
    // The name as a run of words anywhere in a title segment ("Home | Acme").
    if title_words
        .windows(words.len())
        .any(|win| win.iter().zip(&words).all(|(t, w)| t == w))
    {
        return 0.9;
    }
    let found = words
        .iter()
        .filter(|w| title_words.iter().any(|t| t == *w))
        .count();
    0.8 * found as f32 / words.len() as f32
}

/// A page's facts for [`decide`]: the candidate's homepage, read.
pub type Verified<'a> = (&'a str, &'a PageFacts);

#[cfg(test)]
mod tests;
