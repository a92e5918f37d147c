//! The simulated web's companies: the 500 real Fortune 500 identities carried
//! in `data/fortune500.tsv`, plus generated ones, each with a site style and
//! the ground truth an extractor should find on its homepage.

use std::collections::HashMap;

use serde::Serialize;

mod vocab;

use vocab::{PREFIXES, SECTORS, STREETS, SUFFIXES, TAGLINES, US_CITIES, WORDS};

const FORTUNE500: &str = include_str!("../data/fortune500.tsv");

/// How a company's homepage carries its facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// A JSON-LD Organization (or subtype) block with everything.
    JsonLd,
    /// schema.org microdata only.
    Microdata,
    /// OpenGraph tags, social links and a mailto link; nothing structured.
    OpenGraph,
    /// A title, a meta description, and contacts only in the footer text.
    FooterText,
}

const STYLES: [Style; 4] = [
    Style::JsonLd,
    Style::Microdata,
    Style::OpenGraph,
    Style::FooterText,
];

/// A company of the simulated web.
#[derive(Debug, Clone, Serialize)]
pub struct Company {
    /// Position in the world (stable for a seed).
    pub index: usize,
    /// The name, as the company writes it.
    pub name: String,
    /// The website host, e.g. `www.walmart.com`.
    pub host: String,
    /// The registrable domain, e.g. `walmart.com`.
    pub domain: String,
    /// Sector (Fortune 500 sector names).
    pub sector: String,
    /// Industry label.
    pub industry: String,
    /// Headquarters city.
    pub city: String,
    /// Headquarters region (US state code for US companies).
    pub region: String,
    /// Street line of the headquarters.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// Country code.
    pub country: String,
    /// A one-sentence description.
    pub description: String,
    /// Tagline used in titles.
    pub tagline: String,
    /// Founding year.
    pub founded: u16,
    /// Head count.
    pub employees: u64,
    /// Main phone number, as printed.
    pub phone: String,
    /// Contact email.
    pub email: String,
    /// Social profile URLs (network, url).
    pub social: Vec<(String, String)>,
    /// How the homepage is written.
    pub style: Style,
    /// From the Fortune 500 list (true) or generated (false).
    pub real: bool,
}

/// The companies of the simulated web, indexed by host and by name.
pub struct World {
    pub(crate) seed: u64,
    companies: Vec<Company>,
    by_host: HashMap<String, usize>,
    by_key: HashMap<String, usize>,
}

impl World {
    /// The Fortune 500 companies plus generated ones up to `total` (at least
    /// the 500), deterministic for a `seed`.
    pub fn new(total: usize, seed: u64) -> Self {
        let mut companies = Vec::with_capacity(total.max(500));
        for line in FORTUNE500
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 6 {
                continue;
            }
            let index = companies.len();
            let mut rng = fastrand::Rng::with_seed(mix(seed, index as u64));
            companies.push(flesh_out(
                &mut rng, index, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], true,
            ));
        }
        let mut names: std::collections::HashSet<String> =
            companies.iter().map(|c| key(&c.name)).collect();
        let mut domains: std::collections::HashSet<String> =
            companies.iter().map(|c| c.domain.clone()).collect();
        let mut attempt = 0u64;
        let mut tries = 0u32;
        while companies.len() < total {
            let index = companies.len();
            // A name already taken draws again from the next stream; once
            // the drawn names are crowded (a few tries in vain), the index
            // itself numbers the name, so any size of world has distinct
            // companies and builds in one pass.
            attempt += 1;
            tries += 1;
            let mut rng = fastrand::Rng::with_seed(mix(seed, (index as u64) << 20 | attempt));
            let (mut name, mut host) = generated_identity(&mut rng);
            if tries > MAX_TRIES {
                (name, host) = numbered(&name, &host, index);
            }
            // Distinct by name and by site: two companies never share a host.
            let domain = registrable(host.trim_start_matches("www."));
            if names.contains(&key(&name)) || domains.contains(&domain) {
                continue;
            }
            names.insert(key(&name));
            domains.insert(domain);
            tries = 0;
            let sector = SECTORS[rng.usize(..SECTORS.len())];
            let (city, region) = US_CITIES[rng.usize(..US_CITIES.len())];
            companies.push(flesh_out(
                &mut rng, index, &name, &host, sector.0, sector.1, city, region, false,
            ));
        }
        let mut by_host = HashMap::new();
        let mut by_key = HashMap::new();
        for c in &companies {
            by_host.entry(c.host.clone()).or_insert(c.index);
            by_host.entry(c.domain.clone()).or_insert(c.index);
            by_key.entry(key(&c.name)).or_insert(c.index);
        }
        World {
            seed,
            companies,
            by_host,
            by_key,
        }
    }

    /// Every company.
    pub fn companies(&self) -> &[Company] {
        &self.companies
    }

    /// The names of the first `n` companies (every one when there are fewer).
    pub fn names(&self, n: usize) -> Vec<String> {
        self.companies
            .iter()
            .take(n)
            .map(|c| c.name.clone())
            .collect()
    }

    /// The company whose site is at `host` (its www host or bare domain).
    pub fn by_host(&self, host: &str) -> Option<&Company> {
        self.by_host.get(host).map(|i| &self.companies[*i])
    }

    /// The company a search query or a truth request names: by name (case,
    /// punctuation and legal suffixes ignored) or by domain.
    pub fn lookup(&self, query: &str) -> Option<&Company> {
        let q = query.trim().to_ascii_lowercase();
        if let Some(c) = self
            .by_host(q.trim_start_matches("www."))
            .or_else(|| self.by_host(&q))
        {
            return Some(c);
        }
        self.by_key.get(&key(query)).map(|i| &self.companies[*i])
    }
}

/// The lookup key of a name: lowercase letters and digits, legal suffixes dropped.
pub(crate) fn key(name: &str) -> String {
    let lower = name.to_lowercase().replace('&', " and ");
    let mut words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '.' && c != '\'')
        .map(|w| w.replace(['.', '\''], ""))
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1
        && matches!(
            words.last().map(String::as_str),
            Some(
                "inc"
                    | "incorporated"
                    | "corp"
                    | "corporation"
                    | "co"
                    | "company"
                    | "llc"
                    | "ltd"
                    | "plc"
                    | "group"
                    | "holdings"
                    | "the"
            )
        )
    {
        words.pop();
    }
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words.concat()
}

fn mix(seed: u64, index: u64) -> u64 {
    // SplitMix64 finaliser: independent streams per company.
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[allow(clippy::too_many_arguments)]
fn flesh_out(
    rng: &mut fastrand::Rng,
    index: usize,
    name: &str,
    host: &str,
    sector: &str,
    industry: &str,
    city: &str,
    region: &str,
    real: bool,
) -> Company {
    let domain = registrable(host);
    let label = domain.split('.').next().unwrap_or_default().to_owned();
    let slug = slug(name);
    let handle = label.replace('-', "");
    let mut social = vec![(
        "linkedin".to_owned(),
        format!("https://www.linkedin.com/company/{slug}/"),
    )];
    if rng.f32() < 0.85 {
        social.push((
            "twitter".to_owned(),
            format!("https://twitter.com/{handle}"),
        ));
    }
    if rng.f32() < 0.8 {
        social.push((
            "facebook".to_owned(),
            format!("https://www.facebook.com/{handle}/"),
        ));
    }
    if rng.f32() < 0.5 {
        social.push((
            "youtube".to_owned(),
            format!("https://www.youtube.com/user/{handle}"),
        ));
    }
    if rng.f32() < 0.5 {
        social.push((
            "instagram".to_owned(),
            format!("https://www.instagram.com/{handle}/"),
        ));
    }
    if sector == "Technology" && rng.f32() < 0.6 {
        social.push(("github".to_owned(), format!("https://github.com/{handle}")));
    }
    let area = rng.u32(201..990);
    let phone = match rng.u8(0..3) {
        0 => format!("+1 {area}-{}-{:04}", rng.u32(200..999), rng.u32(0..10000)),
        1 => format!("({area}) {}-{:04}", rng.u32(200..999), rng.u32(0..10000)),
        _ => format!("+1 ({area}) {} {:04}", rng.u32(200..999), rng.u32(0..10000)),
    };
    let email = format!(
        "{}@{}",
        ["info", "contact", "press", "hello", "media"][rng.usize(..5)],
        domain
    );
    let employees = if real {
        rng.u64(5_000..400_000)
    } else {
        rng.u64(12..20_000)
    };
    let street = format!(
        "{} {} {}",
        rng.u32(1..9999),
        STREETS[rng.usize(..STREETS.len())],
        ["St", "Ave", "Blvd", "Rd", "Way", "Pkwy"][rng.usize(..6)]
    );
    let industry_lower = industry.to_lowercase();
    let article = if industry_lower.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let description = match rng.u8(0..3) {
        0 => format!("{name} is {article} {industry_lower} company headquartered in {city}, {region}, serving customers worldwide."),
        1 => format!("Founded in {city}, {name} builds {industry_lower} products and services for businesses and consumers."),
        _ => format!("{name} is a leader in {industry_lower}, with operations across the United States and beyond."),
    };
    let tagline = TAGLINES[rng.usize(..TAGLINES.len())].to_owned();
    Company {
        index,
        name: name.to_owned(),
        host: host.to_owned(),
        domain,
        sector: sector.to_owned(),
        industry: industry.to_owned(),
        city: city.to_owned(),
        region: region.to_owned(),
        street,
        postal_code: format!("{:05}", rng.u32(10_000..99_950)),
        country: "US".to_owned(),
        description,
        tagline,
        founded: rng.u16(1850..2021),
        employees,
        phone,
        email,
        social,
        style: STYLES[rng.usize(..STYLES.len())],
        real,
    }
}

/// `www.shop.example.com` -> `example.com` (the sandbox only uses simple suffixes
/// and `co.uk`).
pub(crate) fn registrable(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    let keep = if host.ends_with(".co.uk") { 3 } else { 2 };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

/// Draws of a generated name before the world numbers it.
const MAX_TRIES: u32 = 8;

/// A drawn identity made unique by a number: "Nexora Labs 48213" at
/// `nexoralabs48213.com`.
fn numbered(name: &str, host: &str, index: usize) -> (String, String) {
    let (www, rest) = host
        .strip_prefix("www.")
        .map_or(("", host), |r| ("www.", r));
    let (label, tld) = rest.split_once('.').unwrap_or((rest, "com"));
    (
        format!("{name} {index}"),
        format!("{www}{label}{index}.{tld}"),
    )
}

fn generated_identity(rng: &mut fastrand::Rng) -> (String, String) {
    let stem = format!(
        "{}{}",
        PREFIXES[rng.usize(..PREFIXES.len())],
        SUFFIXES[rng.usize(..SUFFIXES.len())]
    );
    let word = WORDS[rng.usize(..WORDS.len())];
    let (name, label) = match rng.u8(0..4) {
        0 => (stem.clone(), stem.to_lowercase()),
        1 | 2 => (
            format!("{stem} {word}"),
            format!("{}{}", stem.to_lowercase(), word.to_lowercase()),
        ),
        _ => (format!("{stem} {word}"), stem.to_lowercase()),
    };
    let tld = ["com", "com", "com", "com", "io", "co", "net"][rng.usize(..7)];
    let www = if rng.f32() < 0.8 { "www." } else { "" };
    (name, format!("{www}{label}.{tld}"))
}

/// `name` as a URL path word: lowercase, runs of anything but letters and
/// digits as one hyphen (`Acme & Co.` → `acme-co`).
pub(crate) fn slug(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests;
