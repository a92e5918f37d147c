//! The crawl planner of comprehensive mode: which of the homepage's links
//! lead to the about, company, contact, imprint and team pages, on the same
//! registrable domain, in several languages.

use crate::extract::Link;
use crate::picker::registrable_domain;

/// A kind of page worth reading besides the homepage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageKind {
    /// About us, who we are, our story.
    About,
    /// Contact.
    Contact,
    /// Imprint / Impressum / legal notice: legal name, address, register.
    Imprint,
    /// Company, corporate information.
    Company,
    /// Team, leadership.
    Team,
}

/// Words in a link's path or text that mark each kind, across languages.
const SIGNS: &[(PageKind, &[&str])] = &[
    (
        PageKind::About,
        &[
            "about",
            "about-us",
            "aboutus",
            "who-we-are",
            "our-story",
            "ueber-uns",
            "uber-uns",
            "über uns",
            "ueber uns",
            "a-propos",
            "à propos",
            "qui-sommes-nous",
            "qui sommes-nous",
            "chi-siamo",
            "chi siamo",
            "quienes-somos",
            "quiénes somos",
            "sobre-nosotros",
            "sobre nosotros",
            "over-ons",
            "over ons",
            "om-oss",
            "om oss",
            "sobre-nos",
        ],
    ),
    (
        PageKind::Contact,
        &[
            "contact",
            "contact-us",
            "contactus",
            "kontakt",
            "contacto",
            "contatti",
            "contato",
            "nous-contacter",
            "contactez",
            "get in touch",
            "get-in-touch",
        ],
    ),
    (
        PageKind::Imprint,
        &[
            "impressum",
            "imprint",
            "legal-notice",
            "legal notice",
            "mentions-legales",
            "mentions légales",
            "aviso-legal",
            "aviso legal",
            "note-legali",
            "colofon",
            "legal",
        ],
    ),
    (
        PageKind::Company,
        &[
            "company",
            "corporate",
            "unternehmen",
            "entreprise",
            "empresa",
            "azienda",
            "bedrijf",
            "our-company",
        ],
    ),
    (
        PageKind::Team,
        &[
            "team",
            "leadership",
            "management",
            "our-people",
            "equipe",
            "équipe",
            "mitarbeiter",
        ],
    ),
];

/// Up to `max` pages to read besides `home`, best first, at most one per kind
/// while kinds remain, all on the homepage's registrable domain.
pub fn plan(home: &str, links: &[Link], max: usize) -> Vec<(PageKind, String)> {
    let Some(home_url) = url::Url::parse(home).ok() else {
        return Vec::new();
    };
    let Some(home_domain) = home_url.host_str().map(registrable_domain) else {
        return Vec::new();
    };
    // (score, kind, url)
    let mut candidates: Vec<(u32, PageKind, String)> = Vec::new();
    for link in links {
        let Ok(mut url) = url::Url::parse(&link.url) else {
            continue;
        };
        if url.host_str().map(registrable_domain).as_deref() != Some(home_domain.as_str()) {
            continue;
        }
        url.set_fragment(None);
        let path = url.path().to_ascii_lowercase();
        if path == "/" || path.is_empty() || looks_like_a_file(&path) {
            continue;
        }
        let text = link.text.to_lowercase();
        for (kind, signs) in SIGNS {
            let mut score = 0;
            for sign in *signs {
                if path_has(&path, sign) {
                    score = score.max(3);
                }
                if text == *sign
                    || text.starts_with(&format!("{sign} "))
                    || text.ends_with(&format!(" {sign}"))
                {
                    score = score.max(2);
                } else if text.contains(sign) && text.len() <= 30 {
                    score = score.max(1);
                }
            }
            if score > 0 {
                // Shallow paths are the section pages, deeper ones articles.
                let depth = path.trim_matches('/').split('/').count() as u32;
                let score = score * 10 - depth.min(9);
                candidates.push((score, *kind, url.to_string()));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<(PageKind, String)> = Vec::new();
    // First the best page of each kind, then the rest by score.
    for pass in 0..2 {
        for (_, kind, url) in &candidates {
            if chosen.len() >= max {
                return chosen;
            }
            let kind_taken = chosen.iter().any(|(k, _)| k == kind);
            let url_taken =
                chosen.iter().any(|(_, u)| u == url) || url.as_str() == home_url.as_str();
            if !url_taken && (pass == 1 || !kind_taken) {
                chosen.push((*kind, url.clone()));
            }
        }
    }
    chosen
}

/// Whether a path segment of `path` is `sign` (or `sign` with an extension).
fn path_has(path: &str, sign: &str) -> bool {
    if sign.contains(' ') {
        return false;
    }
    path.split('/').any(|seg| {
        let seg = seg.split('.').next().unwrap_or(seg);
        seg == sign
    })
}

fn looks_like_a_file(path: &str) -> bool {
    [
        ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".zip", ".xml", ".css", ".js", ".svg", ".mp4",
    ]
    .iter()
    .any(|e| path.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, text: &str) -> Link {
        Link {
            url: url.into(),
            text: text.into(),
        }
    }

    #[test]
    fn plans_by_path_and_text_across_languages() {
        let links = vec![
            link("https://www.acme.de/produkte", "Produkte"),
            link("https://www.acme.de/ueber-uns", "Über uns"),
            link("https://www.acme.de/impressum", "Impressum"),
            link("https://www.acme.de/kontakt/", "Kontakt"),
            link("https://shop.acme.de/contact", "Contact"),
            link("https://twitter.com/acme/about", "About"),
            link(
                "https://www.acme.de/news/2024/about-our-new-plant",
                "About our new plant",
            ),
            link("https://www.acme.de/docs/about.pdf", "About (PDF)"),
        ];
        let chosen = plan("https://www.acme.de/", &links, 3);
        let urls: Vec<&str> = chosen.iter().map(|(_, u)| u.as_str()).collect();
        assert_eq!(urls.len(), 3);
        assert!(urls.contains(&"https://www.acme.de/ueber-uns"));
        assert!(urls.contains(&"https://www.acme.de/impressum"));
        assert!(
            urls.contains(&"https://www.acme.de/kontakt/")
                || urls.contains(&"https://shop.acme.de/contact")
        );
        assert!(!urls
            .iter()
            .any(|u| u.contains("twitter") || u.ends_with(".pdf")));
        assert!(plan("https://www.acme.de/", &links, 0).is_empty());
    }
}
