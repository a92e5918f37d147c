//! HTML extraction: one streaming, memory-capped pass per page
//! ([`page`]), then a fixed-precedence merge of several pages ([`merge`]).
//!
//! Precedence comes from confidence, which starts from the method
//! (JSON-LD > microdata > link > OpenGraph > meta > text) and is scaled by
//! how the value sits on the page (a publisher or a favicon counts less).

mod address;
mod clues;
mod country;
mod facts;
mod html;
mod identifiers;
mod infobox;
mod jsonld;
mod legal;
mod merge;
mod microdata;
mod phone;
mod schema;
mod social;
mod text;

use serde::{Deserialize, Serialize};

pub(crate) use country::{identifier_country, language_countries, shared_calling_code};
pub use facts::{Link, PageFacts};
pub(crate) use html::{collapse_ws, decode as decode_entities};
pub use infobox::official_website;
pub use merge::{merge, Merged};
pub(crate) use phone::{country_code, country_of_domain};
pub use social::social_profile;
pub use text::phone_digits;

pub(crate) use crate::normalize::similarity;

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
    let raw = html::scan(body, charset_of(content_type), limits);
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

/// The `charset` parameter of a `Content-Type` value (a header, or a meta
/// tag's `content`).
fn charset_of(content_type: Option<&str>) -> Option<&str> {
    content_type.and_then(|ct| {
        ct.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"'))
    })
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
    fn a_legal_name_is_what_follows_the_word_that_hands_it_over() {
        let check = |text: &str, want: Option<&str>| {
            let html = format!("<html><body><p>{text}</p></body></html>");
            let facts = page(
                "https://www.beispiel.de/",
                html.as_bytes(),
                None,
                &Limits::default(),
            );
            assert_eq!(
                facts.legal_names.first().map(|f| f.value.as_str()),
                want,
                "{text}"
            );
        };
        check(
            "Wir setzen Cookies durch Beispiel GmbH ein.",
            Some("Beispiel GmbH"),
        );
        check("Services provided by Beispiel AB", Some("Beispiel AB"));
        check("© 2024 Beispiel GmbH", Some("Beispiel GmbH"));
        // The operator or publisher named as such, and the copyright
        // holder, are the owner whatever their name; a name handed over
        // otherwise must spell the site's.
        check(
            "Le site est exploité par Autre Société SAS",
            Some("Autre Société SAS"),
        );
        check("© 2024 Autre Holding AB", Some("Autre Holding AB"));
        check("Webdesign realisiert von Agentur Muster GmbH", None);
        check("Hosted by Other Host Ltd", None);
        check(
            "Le site est édité par la société Autre, SAS au capital de 1 000 €",
            Some("Autre SAS"),
        );
        check("© 2024 Beispiel, Inc.", Some("Beispiel, Inc."));
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
    fn a_same_as_profile_the_page_does_not_link_is_less_sure() {
        let html = br#"<html><head><script type="application/ld+json">{"@type":"Organization","name":"Acme",
          "sameAs":["https://www.linkedin.com/company/acme","https://x.com/acme"]}</script></head>
          <body><footer><a href="https://www.linkedin.com/company/acme/">LinkedIn</a></footer></body></html>"#;
        let f = page("https://www.acme.example/", html, None, &Limits::default());
        let m = merge([&f], Some("acme.example"));
        let conf = |net: crate::SocialNetwork| {
            m.social
                .iter()
                .find(|s| s.value.network == net)
                .map(|s| s.confidence)
        };
        assert!(
            conf(crate::SocialNetwork::Linkedin).is_some_and(|c| c >= 0.9),
            "{:?}",
            m.social
        );
        assert!(
            conf(crate::SocialNetwork::Twitter).is_some_and(|c| c < 0.8),
            "{:?}",
            m.social
        );
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
        // The visible text is decoded the same way: from the header's
        // character set, or the one a meta tag names.
        let imprint = b"<html><body><p>Impressum</p><p>M\xfcller Maschinenbau GmbH</p><p>Stra\xdfe 1, 10115 Berlin</p></body></html>";
        let f = page(
            "https://x.de/",
            imprint,
            Some("text/html; charset=ISO-8859-1"),
            &Limits::default(),
        );
        assert_eq!(f.addresses[0].value.street.as_deref(), Some("Straße 1"));
        let mut with_meta = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head>".to_vec();
        with_meta.extend_from_slice(&imprint[6..]);
        let f = page("https://x.de/", &with_meta, None, &Limits::default());
        assert_eq!(f.addresses[0].value.street.as_deref(), Some("Straße 1"));
        let f = page("https://x.de/", imprint, None, &Limits::default());
        assert_eq!(
            f.addresses[0].value.street.as_deref(),
            Some("Stra\u{fffd}e 1")
        );
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
    fn the_words_the_industry_classifier_reads() {
        let filler = "<p>Lorem ipsum dolor sit amet.</p>".repeat(300);
        let html = format!(
            r#"<html><head><script type="application/ld+json">{{"@type":"schema:Recipe","name":"Pancakes"}}</script></head>
            <body><nav><a href="/r">Recipes</a><a href="/d">Donate</a></nav>{filler}<footer>Registered Charity No. 123</footer></body></html>"#
        );
        let f = page("https://x.org/", html.as_bytes(), None, &Limits::default());
        assert!(f.topic_page);
        assert!(
            f.nav_text().contains("Recipes | Donate"),
            "{}",
            f.nav_text()
        );
        // The text's head and tail, without the navigation's words (read
        // in the navigation).
        assert!(f.text_edges.contains("Lorem") && f.text_edges.contains("Registered Charity"));
        assert!(!f.text_edges.contains("Recipes"), "{}", f.text_edges);
        assert!(f.text_edges.len() < 4200, "{}", f.text_edges.len());
        // Entities are decoded, the links still left out.
        let html = html.replace("Lorem", "Lorem &amp;");
        let f = page("https://x.org/", html.as_bytes(), None, &Limits::default());
        assert!(f.text_edges.contains("Lorem &") && !f.text_edges.contains("Recipes"));
        // A page whose JSON-LD only names a type ending so is no article.
        let html = br#"<html><head><script type="application/ld+json">{"@type":"Organization","name":"NoRecipe"}</script></head></html>"#;
        assert!(!page("https://x.org/", html, None, &Limits::default()).topic_page);
        let html = br#"<html><head><meta property="og:type" content="article"></head></html>"#;
        assert!(page("https://x.org/", html, None, &Limits::default()).topic_page);
        let html = br#"<html><head><script type="application/ld+json">{"@type":"http://schema.org/SoftwareApplication","name":"Acme Desktop"}</script></head></html>"#;
        let f = page("https://x.org/", html, None, &Limits::default());
        assert_eq!(f.offer_types, ["SoftwareApplication"]);
        assert!(!f.topic_page);
        // The trade an organisation states in its structured data.
        let html = br#"<html><head><script type="application/ld+json">{"@type":"Organization","name":"Acme",
          "industry":"Waterproofing","knowsAbout":[{"@type":"Thing","name":"Roofing"},"Damp proofing"]}</script></head></html>"#;
        let f = page("https://x.org/", html, None, &Limits::default());
        assert_eq!(f.industries, ["Waterproofing", "Roofing", "Damp proofing"]);
        let (industry, _) = crate::industry::of_pages(&[f]).unwrap();
        assert_eq!(industry.naics.unwrap().code, "238390");
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

    #[test]
    fn a_site_name_loses_its_page_word_and_the_header_logo_outranks_structured_data() {
        let html = br#"<html><head><meta property="og:site_name" content="NORDSTERN - Homepage">
          <script type="application/ld+json">{"@type":"Organization","name":"Nordstern","logo":"https://nordstern.at/square-icon.png"}</script>
          </head><body><header><a href="/"><img class="site-logo" src="/img/nordstern-logo.svg"></a></header></body></html>"#;
        let facts = page("https://nordstern.at/", html, None, &Limits::default());
        let m = merge([&facts], Some("nordstern.at"));
        assert!(facts.site_names.iter().any(|n| n.value == "NORDSTERN"));
        assert_eq!(
            m.logo.unwrap().value,
            "https://nordstern.at/img/nordstern-logo.svg"
        );
    }
}
