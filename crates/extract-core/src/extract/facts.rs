//! Turning one page's raw signals into candidate fields with provenance
//! (the merge of several pages is in `merge`).

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use url::Url;

mod org;

use super::clues::{
    is_brand_image, is_builder_default, is_placeholder_description, may_be_social, name_from_title,
    names_other_brand, percent_decode, plausible_name, slug_names_site,
};
use super::html::{collapse_ws, decode, Raw};
use super::schema::{microdata_orgs, OrgFacts, Role};
use super::social::{social_profile, social_profile_of};
use super::{jsonld, text};
use crate::normalize::site_host;
use crate::{Address, Employees, Field, Method, SocialProfile};

/// A link found on a page, resolved to an absolute URL.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// The absolute URL.
    pub url: String,
    /// The link text, whitespace collapsed.
    pub text: String,
}

/// Everything one page says about the company, each candidate with its
/// provenance and confidence; several candidates per field are normal.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PageFacts {
    /// The page URL.
    pub url: String,
    /// The `<title>`.
    pub title: String,
    /// Name candidates.
    pub names: Vec<Field<String>>,
    /// Site name candidates (`og:site_name`, the publisher, the title, the host).
    pub site_names: Vec<Field<String>>,
    /// Legal name candidates.
    pub legal_names: Vec<Field<String>>,
    /// Description candidates.
    pub descriptions: Vec<Field<String>>,
    /// Logo URL candidates.
    pub logos: Vec<Field<String>>,
    /// Icon URL candidates (favicons, touch icons): never a logo.
    pub icons: Vec<Field<String>>,
    /// Founding year candidates.
    pub founded: Vec<Field<u16>>,
    /// Head count candidates.
    pub employees: Vec<Field<Employees>>,
    /// Address candidates.
    pub addresses: Vec<Field<Address>>,
    /// Phone numbers.
    pub phones: Vec<Field<String>>,
    /// Email addresses.
    pub emails: Vec<Field<String>>,
    /// Social profiles.
    pub social: Vec<Field<SocialProfile>>,
    /// Legal identifiers, the page's first (primary) one of each kind.
    pub identifiers: crate::Identifiers,
    /// Keywords stated by the page.
    pub keywords: Vec<String>,
    /// schema.org types of the organisations on the page (`Restaurant`, `Corporation`, …).
    pub schema_types: Vec<String>,
    /// What the site's organisation states as its trade in structured data
    /// (`industry`, `knowsAbout`).
    pub industries: Vec<String>,
    /// schema.org types of what the page offers that say a trade by
    /// themselves (`SoftwareApplication`, `MobileApplication`, `VideoGame`,
    /// `Course` …).
    pub offer_types: Vec<String>,
    /// Links to other pages, as written (resolved by [`PageFacts::links`]).
    #[serde(skip)]
    anchors: Vec<(String, String)>,
    /// The base URL links resolve against.
    #[serde(skip)]
    base: Option<Url>,
    /// The page's language (`<html lang>`), lowercased.
    pub lang: Option<String>,
    /// The page is an article, a post or a recipe (`og:type` article, a
    /// JSON-LD or microdata `Article`/`BlogPosting`/`Recipe`): its title and
    /// description speak of a topic, not of the company.
    pub topic_page: bool,
    /// The head and the tail of the visible text outside links (a page's
    /// header and footer), capped: what the industry classifier reads of
    /// the text beside the navigation.
    #[serde(skip)]
    pub text_edges: String,
    /// The page went over a limit and was read only in part.
    pub truncated: bool,
}

impl PageFacts {
    /// Interprets the raw signals of the page at `page_url`.
    pub(crate) fn from_raw(page_url: &str, mut raw: Raw) -> Self {
        let base = Url::parse(page_url).ok().map(|u| {
            match raw.base.as_deref().map(|b| u.join(b.trim())) {
                Some(Ok(b)) => b,
                _ => u,
            }
        });
        let resolve_url = |href: &str| -> Option<Url> {
            let href = decode(href.trim());
            let url = match &base {
                Some(b) => b.join(&href).ok()?,
                None => Url::parse(&href).ok()?,
            };
            matches!(url.scheme(), "http" | "https").then_some(url)
        };
        let resolve = |href: &str| resolve_url(href).map(String::from);
        let host = base
            .as_ref()
            .and_then(|b| {
                b.host_str()
                    .map(|h| site_host(&h.to_ascii_lowercase()).to_owned())
            })
            .unwrap_or_default();
        // The site's registrable domain and its label ("bestofacme"):
        // what tells the site's own names, logos and profiles from others'.
        let site = crate::picker::registrable_domain(&host);
        let site_label = crate::picker::domain_label(&site);
        let mut f = PageFacts {
            url: page_url.to_owned(),
            title: collapse_ws(&decode(&raw.title)),
            truncated: raw.truncated,
            lang: raw.lang.as_deref().map(|l| l.trim().to_ascii_lowercase()),
            ..PageFacts::default()
        };

        // Structured data first: JSON-LD, then microdata.
        for (org, role) in jsonld::organizations(&raw.jsonld) {
            f.add_org(&org, Method::JsonLd, role, &resolve_url);
        }
        for (org, role) in microdata_orgs(&raw.microdata) {
            f.add_org(&org, Method::Microdata, role, &resolve_url);
        }

        // Meta tags.
        for (key, content) in &raw.metas {
            let value = collapse_ws(&decode(content));
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                // A site builder's default title is nobody's name.
                "og:site_name" if is_builder_default(&value) => {
                    f.site_names.push(f.field(value, Method::Opengraph, 0.3));
                }
                // "Acme - Homepage": the page word is not part of the name.
                "og:site_name" => {
                    let value = super::clues::strip_page_words(&value).to_owned();
                    f.site_names
                        .push(f.field(value.clone(), Method::Opengraph, 1.0));
                    f.names.push(f.field(value, Method::Opengraph, 1.0));
                }
                "application-name" => {
                    let value = super::clues::strip_page_words(&value).to_owned();
                    f.site_names.push(f.field(value.clone(), Method::Meta, 0.9));
                    f.names.push(f.field(value, Method::Meta, 0.9));
                }
                "og:description" | "description" | "twitter:description"
                    if is_placeholder_description(&value) => {}
                "og:description" => f.descriptions.push(f.field(value, Method::Opengraph, 1.0)),
                "description" => f.descriptions.push(f.field(value, Method::Meta, 1.0)),
                "twitter:description" => f.descriptions.push(f.field(value, Method::Meta, 0.95)),
                "og:image" | "og:logo" | "twitter:image"
                    if key == "og:logo" || value.to_ascii_lowercase().contains("logo") =>
                {
                    if let Some(u) = resolve(&value) {
                        f.logos.push(f.field(u, Method::Opengraph, 0.9));
                    }
                }
                "twitter:site" | "twitter:creator" => {
                    let handle = value.trim_start_matches('@');
                    if let Some(p) = social_profile(&format!("https://twitter.com/{handle}")) {
                        let conf = if key == "twitter:site" { 0.9 } else { 0.7 };
                        f.social.push(f.field(p, Method::Meta, conf));
                    }
                }
                "keywords" => {
                    for k in value
                        .split(',')
                        .map(collapse_ws)
                        .filter(|k| !k.is_empty() && k.len() <= 64)
                    {
                        if f.keywords.len() < 32 && !f.keywords.contains(&k) {
                            f.keywords.push(k);
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(name) =
            name_from_title(&f.title, &site_label).filter(|n| !is_builder_default(n))
        {
            f.site_names.push(f.field(name.clone(), Method::Meta, 0.85));
            f.names.push(f.field(name, Method::Meta, 0.85));
        }
        if !host.is_empty() {
            // The last resort of a site name is the site's address.
            f.site_names.push(f.field(host.clone(), Method::Meta, 0.2));
        }
        for (rel, href) in &raw.icons {
            let Some(u) = resolve(href) else { continue };
            if rel.contains("logo") {
                f.logos.push(f.field(u, Method::Meta, 1.0));
                continue;
            }
            let weight = if rel.contains("apple-touch-icon") {
                0.95
            } else if rel.contains("icon") {
                0.7
            } else {
                continue;
            };
            f.icons.push(f.field(u, Method::Meta, weight));
        }
        // The header's brand image: the first image in the home link or
        // named a logo, unless it belongs to a partner, client or payment strip.
        let elsewhere = |img: &&super::html::Image| {
            img.link
                .as_deref()
                .and_then(&resolve_url)
                .and_then(|u| u.host_str().map(crate::picker::registrable_domain))
                .is_some_and(|d| d != site)
        };
        if let Some(img) = raw.images.iter().find(|i| {
            is_brand_image(i)
                && !elsewhere(i)
                && (i.in_home_link || !names_other_brand(i, &site_label))
        }) {
            if let Some(u) = resolve(&img.src) {
                // The image the home link shows and names a logo is the mark
                // the site shows itself by: it outranks a structured-data
                // logo, which is often another file (a square or social one).
                // Named a logo outside the home link, it may be anyone's.
                let weight = if img.in_home_link && img.hints.contains("logo") {
                    1.15
                } else {
                    0.9
                };
                f.logos.push(f.field(u, Method::Link, weight));
            }
        }

        let named = named_types(&raw);
        // An article, a post or a recipe speaks of its topic.
        f.topic_page = named.iter().any(|t| TOPIC_TYPES.contains(t))
            || raw
                .metas
                .iter()
                .any(|(k, v)| k == "og:type" && v.trim().eq_ignore_ascii_case("article"));
        f.offer_types = named
            .into_iter()
            .filter(|t| OFFER_TYPES.contains(t))
            .map(str::to_owned)
            .collect();

        // Links: contacts, social profiles, and pages for the crawl planner.
        // The links are moved out, their strings kept where nothing needs decoding.
        for a in std::mem::take(&mut raw.anchors) {
            let href = if a.href.contains('&') || a.href.trim().len() != a.href.len() {
                decode(a.href.trim())
            } else {
                a.href
            };
            let lower = href.to_ascii_lowercase();
            if let Some(addr) = lower.strip_prefix("mailto:") {
                // Some sites write the scheme twice ("mailto:Mailto:info@…").
                let addr = addr.trim_start().strip_prefix("mailto:").unwrap_or(addr);
                let addr = addr.split('?').next().unwrap_or_default().trim();
                let addr = percent_decode(addr);
                if text::plausible_email(&addr) && addr.contains('@') {
                    f.emails.push(f.field(addr, Method::Link, 1.0));
                }
            } else if lower.starts_with("tel:") {
                if let Some(p) = text::clean_phone(&percent_decode(&href[4..])) {
                    f.phones.push(f.field(p, Method::Link, 1.0));
                }
            } else if may_be_social(&lower) {
                if let Some(p) = resolve_url(&href).as_ref().and_then(social_profile_of) {
                    // A profile whose handle has nothing of the site's name is
                    // more likely an author's or a project's than the company's:
                    // it only stands in when no better one exists, and a code
                    // host's never does (articles link to other people's repositories).
                    // A code host's profile is a project's as often as the
                    // company's, even when its handle resembles the site.
                    let weight = if p.network == crate::SocialNetwork::Github
                        && slug_names_site(&p.url, &site_label)
                    {
                        0.9
                    } else if slug_names_site(&p.url, &site_label) {
                        1.0
                    } else if p.network == crate::SocialNetwork::Github {
                        continue;
                    } else {
                        0.6
                    };
                    f.social.push(f.field(p, Method::Link, weight));
                }
            } else if f.anchors.len() < 1000
                && !lower.starts_with('#')
                && !lower.starts_with("javascript:")
            {
                // Resolved only when asked for (comprehensive mode): URL
                // parsing of every link is a good part of a page's cost.
                f.anchors.push((href, a.text));
            }
        }
        f.base = base.clone();

        // Text patterns last: the least trusted.
        let body = decode(&raw.text);
        // Entities decoded after the cut, where the links still are.
        f.text_edges = decode(&edges(&raw.text, &raw.link_text, TEXT_EDGE_BYTES));
        let lower = body.to_ascii_lowercase();
        for e in text::emails(&body) {
            f.emails.push(f.field(e, Method::Text, 1.0));
        }
        for p in text::phones(&body, &lower) {
            f.phones.push(f.field(p, Method::Text, 1.0));
        }
        if let Some(y) = text::founded_year(&lower) {
            f.founded.push(f.field(y, Method::Text, 1.0));
        }
        if let Some(n) = text::employees(&body, &lower) {
            f.employees.push(f.field(n, Method::Text, 1.0));
        }
        if let Some(a) = super::address::address(&body) {
            f.addresses.push(f.field(a, Method::Text, 1.0));
        }
        f.add_identifiers(&body);
        // Names with a legal form in the imprint, footer or copyright line
        // that are the owner's (see `legal.rs`).
        for legal in super::legal::own_legal_names(&body, &site_label) {
            f.legal_names.push(f.field(legal, Method::Text, 1.0));
        }
        if let Some(holder) = text::copyright_holder(&body) {
            f.site_names
                .push(f.field(holder.clone(), Method::Text, 0.7));
            f.names.push(f.field(holder, Method::Text, 0.8));
        }
        // A sentence or a web address is no organisation's name: better
        // none than a title or a host passed off as one.
        f.names.retain(|n| plausible_name(&n.value));

        f
    }

    /// The short texts of the page's links (its navigation),
    /// `|`-separated, up to a few kilobytes, entities decoded; white space
    /// inside a link's text as the page has it (the industry classifier,
    /// its reader, collapses it with its lowercasing).
    pub fn nav_text(&self) -> String {
        let mut out = String::new();
        for (_, text) in &self.anchors {
            let t = text.trim();
            if t.is_empty() || t.len() > super::html::SHORT_LINK_BYTES {
                continue;
            }
            if out.len() + t.len() > super::html::NAV_BYTES {
                break;
            }
            out.push_str(t);
            out.push_str(" | ");
        }
        decode(&out)
    }

    /// The page's links to other pages, resolved to absolute http(s) URLs.
    pub fn links(&self) -> Vec<Link> {
        self.anchors
            .iter()
            .filter_map(|(href, text)| {
                let url = match &self.base {
                    Some(b) => b.join(href.trim()).ok()?,
                    None => Url::parse(href.trim()).ok()?,
                };
                matches!(url.scheme(), "http" | "https").then(|| Link {
                    url: url.into(),
                    text: collapse_ws(&decode(text)),
                })
            })
            .collect()
    }

    fn field<T>(&self, value: T, method: Method, weight: f32) -> Field<T> {
        let mut field = Field::new(value, &self.url, method);
        field.confidence = (field.confidence * weight).clamp(0.0, 1.0);
        field
    }
}

/// How much of the text's head and tail the industry classifier reads.
const TEXT_EDGE_BYTES: usize = 2000;

/// The first and the last `n` bytes of `text` (on character boundaries),
/// without the text of the short links at `links`: the classifier reads
/// those as the navigation.
fn edges(text: &str, links: &[std::ops::Range<usize>], n: usize) -> String {
    let (head, tail) = if text.len() <= 2 * n {
        (text.len(), text.len())
    } else {
        let mut head = n;
        while !text.is_char_boundary(head) {
            head -= 1;
        }
        let mut tail = text.len() - n;
        while !text.is_char_boundary(tail) {
            tail += 1;
        }
        (head, tail)
    };
    let mut out = String::with_capacity(head + text.len() - tail + 1);
    // The pieces of `from..to` between links.
    let keep = |from: usize, to: usize, out: &mut String| {
        let mut at = from;
        for r in links.iter().filter(|r| r.end > from && r.start < to) {
            out.push_str(&text[at..r.start.max(at)]);
            at = r.end.min(to);
        }
        out.push_str(&text[at..to]);
    };
    keep(0, head, &mut out);
    if tail < text.len() {
        out.push('\n');
        keep(tail, text.len(), &mut out);
    }
    out
}

/// The schema.org types of [`TYPES`] the page's structured data names, as
/// JSON-LD writes a type (`"Recipe"`, `"schema:Recipe"`, a full IRI) or as
/// microdata does: one search of each JSON-LD block for all of them.
fn named_types(raw: &Raw) -> Vec<&'static str> {
    static NAMES: LazyLock<AhoCorasick> = LazyLock::new(|| {
        // Leftmost: "NewsArticle" is found as itself, not as "Article".
        AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(TYPES)
            .expect("type names")
    });
    let mut named: Vec<&'static str> = Vec::new();
    for b in &raw.jsonld {
        for m in NAMES.find_iter(b.as_str()) {
            let t = TYPES[m.pattern().as_usize()];
            if matches!(b[..m.start()].chars().next_back(), Some('"' | ':' | '/'))
                && b[m.end()..].starts_with('"')
                && !named.contains(&t)
            {
                named.push(t);
            }
        }
    }
    for t in TYPES {
        if !named.contains(&t) && raw.microdata.iter().any(|i| i.types.iter().any(|x| x == t)) {
            named.push(t);
        }
    }
    named
}

/// The types [`named_types`] looks for: an article's, a post's, a
/// recipe's or a review's ([`TOPIC_TYPES`]: a page of one speaks of its
/// topic), then those of what a company offers that say its trade by
/// themselves ([`OFFER_TYPES`]).
const TYPES: [&str; 10] = [
    "Article",
    "BlogPosting",
    "NewsArticle",
    "Recipe",
    "Review",
    "SoftwareApplication",
    "WebApplication",
    "MobileApplication",
    "VideoGame",
    "Course",
];
const TOPIC_TYPES: &[&str] = TYPES.split_at(5).0;
const OFFER_TYPES: &[&str] = TYPES.split_at(5).1;
