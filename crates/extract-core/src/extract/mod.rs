//! HTML extraction: one streaming, memory-capped pass per page
//! ([`page`]), then a fixed-precedence merge of several pages ([`merge`]).
//!
//! Precedence comes from confidence, which starts from the method
//! (JSON-LD > microdata > link > OpenGraph > meta > text) and is scaled by
//! how the value sits on the page (a publisher or a favicon counts less).

mod address;
mod facts;
mod html;
mod jsonld;
mod microdata;
mod phone;
mod schema;
mod social;
mod text;

use serde::{Deserialize, Serialize};

pub use facts::{Link, PageFacts};
pub(crate) use html::{collapse_ws, decode as decode_entities};
pub use social::social_profile;
pub use text::phone_digits;

pub(crate) use crate::normalize::similarity;
use crate::{Address, Conflict, Employees, Field, SocialNetwork, SocialProfile};

/// Bounds on what one page may cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Bytes of HTML read; the rest is ignored and the page marked truncated.
    pub max_html_bytes: usize,
    /// Bytes of visible text kept for pattern matching.
    pub max_text_bytes: usize,
    /// Bytes of one JSON-LD block.
    pub max_jsonld_bytes: usize,
    /// JSON-LD blocks read.
    pub max_jsonld_blocks: usize,
    /// Links kept.
    pub max_links: usize,
    /// Top-level microdata items kept.
    pub max_items: usize,
    /// Memory the HTML parser may use for its buffers.
    pub parser_memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_html_bytes: 5 * 1024 * 1024,
            max_text_bytes: 256 * 1024,
            max_jsonld_bytes: 512 * 1024,
            max_jsonld_blocks: 32,
            max_links: 2000,
            max_items: 64,
            parser_memory_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Extracts the candidate facts of one page. Never fails: a page that cannot
/// be parsed yields what was read before the problem, marked truncated.
///
/// `content_type` is the response's `Content-Type` (for its charset).
///
/// ```
/// use extract_core::extract::{page, Limits};
/// let html = br#"<html><head><title>Acme | Rockets</title>
///   <meta property="og:description" content="We make rockets.">
///   <script type="application/ld+json">{"@type":"Organization","name":"Acme","foundingDate":"1949"}</script>
///   </head><body><a href="https://twitter.com/acme">Twitter</a></body></html>"#;
/// let facts = page("https://acme.com/", html, None, &Limits::default());
/// assert_eq!(facts.names[0].value, "Acme");
/// assert_eq!(facts.founded[0].value, 1949);
/// assert_eq!(facts.social[0].value.url, "https://twitter.com/acme");
/// ```
pub fn page(url: &str, body: &[u8], content_type: Option<&str>, limits: &Limits) -> PageFacts {
    let charset = content_type.and_then(|ct| {
        ct.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"'))
    });
    let raw = html::scan(body, charset, limits);
    PageFacts::from_raw(url, raw)
}

/// A page's structured data as written, for debugging and for comparison
/// with other tools: JSON-LD blocks, microdata items (in the
/// `{"type", "properties"}` shape extruct prints) and OpenGraph properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Structured {
    /// Every JSON-LD block that parsed; a top-level array counts as its items.
    pub jsonld: Vec<serde_json::Value>,
    /// Every top-level microdata item.
    pub microdata: Vec<serde_json::Value>,
    /// OpenGraph and related (`article:`, `profile:`, `fb:` …) meta properties, in order.
    pub opengraph: Vec<(String, String)>,
}

/// Reads the structured data of one page.
pub fn structured(body: &[u8], content_type: Option<&str>, limits: &Limits) -> Structured {
    let raw = html::scan(body, charset_of(content_type), limits);
    let mut out = Structured::default();
    for block in &raw.jsonld {
        match jsonld::parse_block(block) {
            Some(serde_json::Value::Array(items)) => out
                .jsonld
                .extend(items.into_iter().filter(|i| !i.is_null())),
            Some(v) if !v.is_null() && !v.is_boolean() => out.jsonld.push(v),
            _ => {}
        }
    }
    out.microdata = raw.microdata.iter().map(microdata::to_json).collect();
    out.opengraph = raw
        .metas
        .iter()
        .filter(|(k, _)| !k.starts_with("twitter:") && k.contains(':'))
        .map(|(k, v)| (k.clone(), html::decode(v)))
        .collect();
    out
}

/// The address a saved page names for itself: its `og:url`, else its
/// canonical link, when absolute http(s).
///
/// ```
/// use extract_core::extract::{page_url, Limits};
/// let html = br#"<html><head><link rel="canonical" href="https://www.acme.example/about"></head></html>"#;
/// assert_eq!(page_url(html, None, &Limits::default()).as_deref(), Some("https://www.acme.example/about"));
/// ```
pub fn page_url(body: &[u8], content_type: Option<&str>, limits: &Limits) -> Option<String> {
    let raw = html::scan(body, charset_of(content_type), limits);
    let og = raw
        .metas
        .iter()
        .filter(|(k, _)| k == "og:url")
        .map(|(_, v)| html::decode(v.trim()));
    let canonical = raw
        .icons
        .iter()
        .filter(|(rel, _)| rel.contains("canonical"))
        .map(|(_, href)| html::decode(href.trim()));
    og.chain(canonical)
        .find(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// The official website an encyclopedia article's infobox names: the link
/// of its `url` or `official-website` entry (how Wikipedia's `{{URL}}` and
/// `{{Official website}}` templates render), else the link of a row headed
/// "Website". Only absolute http(s) links count.
///
/// ```
/// use extract_core::extract::{official_website, Limits};
/// let html = br#"<table class="infobox vcard"><tr><th>Founded</th><td>1901</td></tr>
///   <tr><th class="infobox-label">Website</th><td class="infobox-data">
///   <span class="url"><a class="external text" href="https://www.acme.example/">acme.example</a></span></td></tr></table>"#;
/// assert_eq!(official_website(html, &Limits::default()).as_deref(), Some("https://www.acme.example/"));
/// ```
pub fn official_website(body: &[u8], limits: &Limits) -> Option<String> {
    const WEBSITE_HEADERS: &[&str] = &[
        "website",
        "web",
        "webseite",
        "site web",
        "site internet",
        "sito web",
        "sitio web",
        "websted",
        "webbplats",
        "nettsted",
        "verkkosivusto",
    ];
    use std::cell::RefCell;
    use std::rc::Rc;

    use lol_html::{element, text, HtmlRewriter, MemorySettings, Settings};

    #[derive(Default)]
    struct Found {
        templated: Option<String>,
        labelled: Option<String>,
        /// The last row header seen in the infobox, lowercased.
        header: String,
        /// Whether that header says "website" (in one of the corpus's languages).
        row_is_website: bool,
    }
    let found = Rc::new(RefCell::new(Found::default()));
    let absolute = |href: Option<String>| {
        href.map(|h| html::decode(h.trim()))
            .filter(|h| h.starts_with("https://") || h.starts_with("http://"))
    };
    let (f1, f2, f3, f4) = (found.clone(), found.clone(), found.clone(), found.clone());
    let settings = Settings {
        element_content_handlers: vec![
            element!(
                ".infobox .url a[href], .infobox .official-website a[href]",
                move |el| {
                    let mut f = f1.borrow_mut();
                    if f.templated.is_none() {
                        f.templated = absolute(el.get_attribute("href"));
                    }
                    Ok(())
                }
            ),
            element!(".infobox tr", move |_| {
                let mut f = f2.borrow_mut();
                f.header.clear();
                f.row_is_website = false;
                Ok(())
            }),
            text!(".infobox th", move |t| {
                let mut f = f3.borrow_mut();
                f.header.push_str(&t.as_str().to_lowercase());
                let h = f.header.trim();
                f.row_is_website = WEBSITE_HEADERS.contains(&h);
                Ok(())
            }),
            element!(".infobox td a[href]", move |el| {
                let mut f = f4.borrow_mut();
                if f.row_is_website && f.labelled.is_none() {
                    f.labelled = absolute(el.get_attribute("href"));
                }
                Ok(())
            }),
        ],
        memory_settings: MemorySettings {
            max_allowed_memory_usage: limits.parser_memory_bytes,
            ..MemorySettings::default()
        },
        ..Settings::new()
    };
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    let input = &body[..body.len().min(limits.max_html_bytes)];
    let ok = input
        .chunks(64 * 1024)
        .all(|piece| rewriter.write(piece).is_ok());
    if ok {
        let _ = rewriter.end();
    }
    let f = found.borrow();
    f.templated.clone().or_else(|| f.labelled.clone())
}

fn charset_of(content_type: Option<&str>) -> Option<&str> {
    content_type.and_then(|ct| {
        ct.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"'))
    })
}

/// The best value of each field over several pages.

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Merged {
    /// Company name.
    pub name: Option<Field<String>>,
    /// The website's name (often, not always, the company's).
    pub site_name: Option<Field<String>>,
    /// Legal name.
    pub legal_name: Option<Field<String>>,
    /// Description.
    pub description: Option<Field<String>>,
    /// Logo URL.
    pub logo: Option<Field<String>>,
    /// Icon URL (favicon or touch icon), kept apart from the logo.
    pub icon: Option<Field<String>>,
    /// Founding year.
    pub founded_year: Option<Field<u16>>,
    /// Head count.
    pub employees: Option<Field<Employees>>,
    /// Headquarters.
    pub headquarters: Option<Field<Address>>,
    /// Phones, best first, duplicates removed.
    pub phones: Vec<Field<String>>,
    /// Emails, best first, duplicates removed.
    pub emails: Vec<Field<String>>,
    /// One profile per network, best first.
    pub social: Vec<Field<SocialProfile>>,
    /// Keywords, first seen first.
    pub keywords: Vec<String>,
    /// schema.org organisation types seen (for the classifier).
    pub schema_types: Vec<String>,
    /// Values that lost to the chosen ones.
    pub conflicts: Vec<Conflict>,
}

/// Merges the facts of several pages: for single values the most confident
/// candidate wins (the earlier page on a tie) and the disagreeing ones are
/// recorded as conflicts; lists are deduplicated. Phone numbers become E.164
/// when their country is known from the address or from `domain`.
pub fn merge<'a>(pages: impl IntoIterator<Item = &'a PageFacts>, domain: Option<&str>) -> Merged {
    let pages: Vec<&PageFacts> = pages.into_iter().collect();
    let all =
        |f: fn(&PageFacts) -> &Vec<Field<String>>| pages.iter().flat_map(move |p| f(p).iter());
    let mut conflicts = Vec::new();
    let name = best(all(|p| &p.names));
    record_conflicts(
        "name",
        &name,
        all(|p| &p.names),
        |a, b| a.eq_ignore_ascii_case(b),
        |v| v.clone(),
        &mut conflicts,
    );
    let legal_name = best(all(|p| &p.legal_names));
    record_conflicts(
        "legal_name",
        &legal_name,
        all(|p| &p.legal_names),
        |a, b| a.eq_ignore_ascii_case(b),
        |v| v.clone(),
        &mut conflicts,
    );
    let founded_year = best(pages.iter().flat_map(|p| p.founded.iter()));
    record_conflicts(
        "founded_year",
        &founded_year,
        pages.iter().flat_map(|p| p.founded.iter()),
        |a, b| a == b,
        u16::to_string,
        &mut conflicts,
    );
    let employees = best(pages.iter().flat_map(|p| p.employees.iter()));
    record_conflicts(
        "employees",
        &employees,
        pages.iter().flat_map(|p| p.employees.iter()),
        |a, b| a == b,
        |e| format!("{}-{:?}", e.min, e.max),
        &mut conflicts,
    );
    let headquarters = best(pages.iter().flat_map(|p| p.addresses.iter()));
    record_conflicts(
        "headquarters",
        &headquarters,
        pages.iter().flat_map(|p| p.addresses.iter()),
        |a, b| a.locality.is_none() || b.locality.is_none() || a.locality == b.locality,
        |a| {
            [
                a.street.as_deref(),
                a.locality.as_deref(),
                a.country.as_deref(),
            ]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
        },
        &mut conflicts,
    );
    let country = country_of(&headquarters, domain, &pages);
    let mut headquarters = headquarters;
    match (&mut headquarters, country) {
        // The address's country in ISO form, or the inferred one where the
        // address wrote none (a written country that is not recognised stays).
        (Some(h), Some((iso, how)))
            if how == CountryEvidence::Address || h.value.country.is_none() =>
        {
            h.value.country = Some(iso.to_owned());
        }
        // No address, but a country-code domain: the country alone, weakly.
        (None, Some((iso, CountryEvidence::Domain))) => {
            let mut f = Field::new(
                Address {
                    country: Some(iso.to_owned()),
                    ..Address::default()
                },
                pages.first().map_or("", |p| p.url.as_str()),
                crate::Method::Meta,
            );
            f.confidence = 0.4;
            headquarters = Some(f);
        }
        _ => {}
    }
    let country = country.map(|(iso, _)| iso);
    // An English page with no country evidence: a number in the North
    // American 3-3-4 shape ("877-488-4224") is one of the +1 plan.
    let english = pages
        .first()
        .and_then(|p| p.lang.as_deref())
        .is_some_and(|l| l == "en" || l.starts_with("en-"));
    let phones = unique(all(|p| &p.phones), same_phone)
        .into_iter()
        .map(|mut f| {
            let country =
                country.or_else(|| (english && phone::nanp_shaped(&f.value)).then_some("US"));
            if let Some(e164) = phone::to_e164(&f.value, country) {
                f.value = e164;
            }
            f
        })
        .collect();
    let mut m = Merged {
        name,
        site_name: best(all(|p| &p.site_names)),

        legal_name,
        description: best(all(|p| &p.descriptions)).map(|mut d| {
            if d.value.chars().count() > 1000 {
                d.value = d.value.chars().take(1000).collect();
            }
            d
        }),
        logo: best(all(|p| &p.logos)),
        icon: best(all(|p| &p.icons)),
        founded_year,
        employees,
        headquarters,
        phones,
        emails: unique(all(|p| &p.emails), |a, b| a.eq_ignore_ascii_case(b)),
        social: Vec::new(),
        keywords: Vec::new(),
        schema_types: Vec::new(),
        conflicts,
    };
    for network in SocialNetwork::ALL {
        if let Some(s) = best(
            pages
                .iter()
                .flat_map(|p| p.social.iter())
                .filter(|s| s.value.network == network),
        ) {
            m.social.push(s);
        }
    }
    for k in pages.iter().flat_map(|p| p.keywords.iter()) {
        if m.keywords.len() < 32 && !m.keywords.contains(k) {
            m.keywords.push(k.clone());
        }
    }
    for t in pages.iter().flat_map(|p| p.schema_types.iter()) {
        if !m.schema_types.contains(t) {
            m.schema_types.push(t.clone());
        }
    }
    m
}

/// How a profile's country was inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CountryEvidence {
    /// Written in the address, or implied by its postal-code format.
    Address,
    /// The domain's country-code TLD.
    Domain,
    /// The calling code of the page's international phone numbers.
    Phone,
}

/// The ISO country of the company: from its address, else from a
/// country-code domain, else from the calling code its numbers share.
fn country_of(
    headquarters: &Option<Field<Address>>,
    domain: Option<&str>,
    pages: &[&PageFacts],
) -> Option<(&'static str, CountryEvidence)> {
    if let Some(c) = headquarters
        .as_ref()
        .and_then(|h| h.value.country.as_deref())
        .and_then(phone::country_code)
    {
        return Some((c, CountryEvidence::Address));
    }
    if let Some(c) = domain.and_then(phone::country_of_domain) {
        return Some((c, CountryEvidence::Domain));
    }
    let mut codes = pages
        .iter()
        .flat_map(|p| p.phones.iter())
        .filter(|p| p.value.starts_with('+'))
        .filter_map(|p| phone::country_of_e164(&phone_digits(&p.value)));
    let first = codes.next()?;
    (headquarters.is_some() && codes.all(|c| c == first)).then_some((first, CountryEvidence::Phone))
}

/// Records every candidate that disagrees with the chosen value, once per value.
fn record_conflicts<'a, T: 'a>(
    field: &str,
    chosen: &Option<Field<T>>,
    candidates: impl Iterator<Item = &'a Field<T>>,
    same: impl Fn(&T, &T) -> bool,
    show: impl Fn(&T) -> String,
    out: &mut Vec<Conflict>,
) {
    let Some(chosen) = chosen else { return };
    let mut seen: Vec<String> = Vec::new();
    for c in candidates {
        if same(&c.value, &chosen.value) {
            continue;
        }
        let value = show(&c.value);
        if seen.contains(&value) || out.len() >= 32 {
            continue;
        }
        seen.push(value.clone());
        out.push(Conflict {
            field: field.to_owned(),
            value,
            source: c.source.clone(),
            confidence: c.confidence,
        });
    }
}

fn best<'a, T: Clone + 'a>(candidates: impl Iterator<Item = &'a Field<T>>) -> Option<Field<T>> {
    let mut best: Option<&Field<T>> = None;
    for c in candidates {
        if best.is_none_or(|b| c.confidence > b.confidence) {
            best = Some(c);
        }
    }
    best.cloned()
}

fn unique<'a>(
    candidates: impl Iterator<Item = &'a Field<String>>,
    same: impl Fn(&str, &str) -> bool,
) -> Vec<Field<String>> {
    let mut sorted: Vec<&Field<String>> = candidates.collect();
    // Stable: equally confident values keep page order.
    sorted.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let mut out: Vec<Field<String>> = Vec::new();
    for c in sorted {
        if !out.iter().any(|o| same(&o.value, &c.value)) && out.len() < 16 {
            out.push(c.clone());
        }
    }
    out
}

/// Two phone numbers are the same when their digits are, or when one is the
/// other with a country code in front.
fn same_phone(a: &str, b: &str) -> bool {
    let (a, b) = (phone_digits(a), phone_digits(b));
    let (a, b) = (a.trim_start_matches('+'), b.trim_start_matches('+'));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7 && long.ends_with(short) && long.len() - short.len() <= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_website_of_an_infobox() {
        let check = |html: &str, want: Option<&str>| {
            assert_eq!(
                official_website(html.as_bytes(), &Limits::default()).as_deref(),
                want,
                "{html}"
            );
        };
        // {{Official website}}: a span of its own class around the link.
        check(
            r#"<table class="infobox"><tr><th class="infobox-label">Website</th><td class="infobox-data">
            <span class="official-website"><span class="url"><a class="external text" href="https://example.org/">example.org</a></span></span></td></tr></table>"#,
            Some("https://example.org/"),
        );
        // A plain link in a row headed Website (German article: "Website").
        check(
            r#"<table class="infobox"><tr><th>Sitz</th><td><a href="/wiki/Berlin">Berlin</a></td></tr>
            <tr><th>Website</th><td><a href="https://www.beispiel.de">www.beispiel.de</a></td></tr></table>"#,
            Some("https://www.beispiel.de"),
        );
        // Internal links and links outside the infobox do not count.
        check(
            r#"<p><span class="url"><a href="https://elsewhere.example/">x</a></span></p>
            <table class="infobox"><tr><th>Headquarters</th><td><a href="/wiki/Paris">Paris</a></td></tr></table>"#,
            None,
        );
    }

    #[test]
    fn microdata_and_text_on_one_page() {
        let html = br#"<html><head><title>Joe's Plumbing - Springfield</title></head><body>
          <div itemscope itemtype="http://schema.org/Plumber">
            <h1 itemprop="name">Joe&#39;s <b>Plumbing</b></h1>
            <div itemprop="address" itemscope itemtype="http://schema.org/PostalAddress">
              <span itemprop="streetAddress">12 Main St</span>, <span itemprop="addressLocality">Springfield</span>
            </div>
            <span itemprop="telephone">(555) 010-0199</span>
            <a itemprop="sameAs" href="https://www.facebook.com/joesplumbing">fb</a>
          </div>
          <footer>Founded in 1987. Email: joe [at] joesplumbing [dot] com. Tel: (555) 010-0100</footer>
        </body></html>"#;
        let f = page(
            "https://www.joesplumbing.com/",
            html,
            Some("text/html; charset=utf-8"),
            &Limits::default(),
        );
        assert_eq!(f.names[0].value, "Joe's Plumbing");
        assert_eq!(f.names[0].source.method, crate::Method::Microdata);
        assert_eq!(
            f.addresses[0].value.locality.as_deref(),
            Some("Springfield")
        );
        let m = merge([&f], None);
        assert_eq!(m.founded_year.unwrap().value, 1987);
        assert_eq!(m.emails[0].value, "joe@joesplumbing.com");
        assert_eq!(m.phones.len(), 2);
        assert_eq!(m.phones[0].value, "(555) 010-0199");
        assert_eq!(m.social[0].value.url, "https://facebook.com/joesplumbing");
    }

    #[test]
    fn charset_from_header_and_meta() {
        let latin1 =
            b"<html><head><meta name=description content=\"Caf\xe9 M\xfcller\"></head></html>";
        let f = page(
            "https://x.de/",
            latin1,
            Some("text/html; charset=ISO-8859-1"),
            &Limits::default(),
        );
        assert_eq!(f.descriptions[0].value, "Café Müller");
        let meta = b"<html><head><meta charset=\"windows-1252\"><meta name=description content=\"Caf\xe9\"></head></html>";
        let f = page("https://x.de/", meta, None, &Limits::default());
        assert_eq!(f.descriptions[0].value, "Café");
    }

    #[test]
    fn relative_urls_resolve_and_caps_hold() {
        let html = br#"<html><head><base href="/site/"><link rel="apple-touch-icon" href="img/logo.png"></head>
            <body><a href="about">About us</a><a href="tel:+1%20555%20010%200100">call</a></body></html>"#;
        let f = page("https://acme.com/x/y", html, None, &Limits::default());
        assert_eq!(f.icons[0].value, "https://acme.com/site/img/logo.png");
        assert_eq!(f.links()[0].url, "https://acme.com/site/about");
        assert_eq!(f.links()[0].text, "About us");
        assert_eq!(f.phones[0].value, "+1 555 010 0100");
        let big = format!(
            "<html><body>{}</body></html>",
            "<p>filler text</p>".repeat(100_000)
        );
        let limits = Limits {
            max_html_bytes: 100_000,
            ..Limits::default()
        };
        let f = page("https://acme.com/", big.as_bytes(), None, &limits);
        assert!(f.truncated);
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in [
            &b""[..],
            b"\xff\xfe\x00garbage",
            b"<<<>>><a href=",
            b"<script type=application/ld+json>{",
        ] {
            let _ = page(
                "https://x.com/",
                input,
                Some("text/html; charset=nonsense"),
                &Limits::default(),
            );
        }
    }
}
