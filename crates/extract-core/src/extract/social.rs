//! Recognising social and reference profile URLs, and normalising them so that
//! the same profile written two ways compares equal.

use url::Url;

use crate::normalize::site_host;
use crate::{SocialNetwork, SocialProfile};

/// First path segments that are site features, not profiles.
const RESERVED: &[&str] = &[
    "intent",
    "share",
    "sharer",
    "sharer.php",
    "share.php",
    "dialog",
    "plugins",
    "tr",
    "home",
    "search",
    "hashtag",
    "i",
    "login",
    "signup",
    "explore",
    "settings",
    "privacy",
    "tos",
    "about",
    "help",
    "legal",
    "policies",
    "watch",
    "embed",
    "results",
    "features",
    "pricing",
    "p",
    "accounts",
    "reel",
    "stories",
    "shareArticle",
    "sharing",
    "feed",
    "jobs",
    "business",
    "events",
    "groups",
    "hashtags",
    "notifications",
    "messages",
    "marketplace",
    "gaming",
    "policy",
    "terms",
    "topics",
    "enterprise",
    "sponsors",
    "orgs",
    "marketplace",
    "login.php",
];

/// The profile `href` points to, if it is one. Share and intent links are not.
///
/// ```
/// use extract_core::{social_profile, SocialNetwork};
/// let p = social_profile("https://www.linkedin.com/company/walmart/?trk=x").unwrap();
/// assert_eq!((p.network, p.url.as_str()), (SocialNetwork::Linkedin, "https://linkedin.com/company/walmart"));
/// assert!(social_profile("https://twitter.com/intent/tweet?text=hi").is_none());
/// ```
pub fn social_profile(href: &str) -> Option<SocialProfile> {
    social_profile_of(&Url::parse(href.trim()).ok()?)
}

/// [`social_profile`] of an already parsed URL.
pub(crate) fn social_profile_of(url: &Url) -> Option<SocialProfile> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = site_host(&host);
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let first = *segments.first()?;
    let reserved = RESERVED.iter().any(|r| r.eq_ignore_ascii_case(first));

    let (network, host, path) = if host == "linkedin.com" || host.ends_with(".linkedin.com") {
        let kind = first.to_ascii_lowercase();
        if !matches!(kind.as_str(), "company" | "school" | "showcase") {
            return None;
        }
        let slug = segments.get(1)?;
        // A country subdomain ("fr.linkedin.com") is kept as the page links
        // it: the same profile, and the value the page states.
        let regional = host
            .strip_suffix(".linkedin.com")
            .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_lowercase()));
        (
            SocialNetwork::Linkedin,
            regional.map_or_else(
                || "linkedin.com".to_owned(),
                |c| format!("{c}.linkedin.com"),
            ),
            format!("{kind}/{}", slug.to_ascii_lowercase()),
        )
    } else if host == "twitter.com" || host == "x.com" {
        if reserved || !is_handle(first) {
            return None;
        }
        (
            SocialNetwork::Twitter,
            host.to_owned(),
            first.to_ascii_lowercase(),
        )
    } else if host == "facebook.com" || host == "fb.com" {
        if reserved || first.ends_with(".php") {
            return None;
        }
        let path = if first.eq_ignore_ascii_case("pages") {
            segments
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        } else {
            first.to_ascii_lowercase()
        };
        (SocialNetwork::Facebook, "facebook.com".to_owned(), path)
    } else if host == "github.com" {
        if reserved || !is_handle(first) {
            return None;
        }
        (
            SocialNetwork::Github,
            host.to_owned(),
            first.to_ascii_lowercase(),
        )
    } else if host == "youtube.com" {
        let path = if first.starts_with('@') {
            first.to_owned()
        } else if matches!(first, "c" | "channel" | "user") {
            format!("{first}/{}", segments.get(1)?)
        } else if !reserved && segments.len() == 1 && is_handle(first) {
            first.to_owned()
        } else {
            return None;
        };
        (SocialNetwork::Youtube, host.to_owned(), path)
    } else if host == "instagram.com" {
        if reserved || !is_handle(first) {
            return None;
        }
        (
            SocialNetwork::Instagram,
            host.to_owned(),
            first.to_ascii_lowercase(),
        )
    } else if host == "crunchbase.com" {
        if first != "organization" {
            return None;
        }
        let slug = segments.get(1)?.to_ascii_lowercase();
        (
            SocialNetwork::Crunchbase,
            host.to_owned(),
            format!("organization/{slug}"),
        )
    } else if host == "xing.com" {
        let kind = first.to_ascii_lowercase();
        if !matches!(kind.as_str(), "companies" | "pages" | "profile") {
            return None;
        }
        let slug = segments.get(1)?;
        if !is_handle(slug) {
            return None;
        }
        let slug = if kind == "profile" {
            (*slug).to_owned()
        } else {
            slug.to_ascii_lowercase()
        };
        (
            SocialNetwork::Xing,
            host.to_owned(),
            format!("{kind}/{slug}"),
        )
    } else if host.ends_with(".wikipedia.org") {
        if first != "wiki" {
            return None;
        }
        let title = segments.get(1)?;
        (
            SocialNetwork::Wikipedia,
            host.to_owned(),
            format!("wiki/{title}"),
        )
    } else {
        return None;
    };
    Some(SocialProfile {
        network,
        url: format!("https://{host}/{path}"),
    })
}

fn is_handle(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(href: &str, expected: Option<&str>) {
        assert_eq!(
            social_profile(href).map(|p| p.url).as_deref(),
            expected,
            "{href}"
        );
    }

    #[test]
    fn profiles_and_non_profiles() {
        check(
            "https://twitter.com/Walmart",
            Some("https://twitter.com/walmart"),
        );
        check(
            "https://x.com/walmart?lang=en",
            Some("https://x.com/walmart"),
        );
        check("https://twitter.com/intent/tweet?url=x", None);
        check("https://twitter.com/share", None);
        check(
            "https://www.facebook.com/walmart/",
            Some("https://facebook.com/walmart"),
        );
        check("https://www.facebook.com/sharer/sharer.php?u=x", None);
        check("https://facebook.com/sharer.php?u=x", None);
        check(
            "https://m.facebook.com/Walmart",
            Some("https://facebook.com/walmart"),
        );
        check(
            "https://www.linkedin.com/company/walmart/",
            Some("https://linkedin.com/company/walmart"),
        );
        check(
            "https://fr.linkedin.com/company/acme-sa/",
            Some("https://fr.linkedin.com/company/acme-sa"),
        );
        check("https://www.linkedin.com/in/somebody", None);
        check("https://www.linkedin.com/shareArticle?mini=true", None);
        check(
            "https://github.com/rust-lang",
            Some("https://github.com/rust-lang"),
        );
        check("https://github.com/features", None);
        check(
            "https://www.youtube.com/user/Walmart",
            Some("https://youtube.com/user/Walmart"),
        );
        check(
            "https://www.youtube.com/@walmart",
            Some("https://youtube.com/@walmart"),
        );
        check("https://www.youtube.com/watch?v=abc", None);
        check(
            "https://www.instagram.com/walmart/",
            Some("https://instagram.com/walmart"),
        );
        check("https://www.instagram.com/p/abc/", None);
        check(
            "https://www.crunchbase.com/organization/walmart",
            Some("https://crunchbase.com/organization/walmart"),
        );
        check(
            "https://en.wikipedia.org/wiki/Walmart",
            Some("https://en.wikipedia.org/wiki/Walmart"),
        );
        check(
            "https://www.xing.com/companies/ManagementCircleAG?sc_o=x",
            Some("https://xing.com/companies/managementcircleag"),
        );
        check("https://www.xing.com/jobs/search", None);
        check("https://www.xing.com/spi/shares/new?url=x", None);
        check("mailto:x@y.com", None);
        check("/relative", None);
    }
}
