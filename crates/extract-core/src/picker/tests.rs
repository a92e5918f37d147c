//! Website choice on snippets of real result pages: data-driven `check(name, hits, expected)`.

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

/// A domain that spells only one word of the name is another company's as
/// often as this one's: confident only when the homepage confirms it.
#[test]
fn a_partial_domain_is_uncertain_unless_the_homepage_confirms_it() {
    let results = SearchResults {
        hits: hits(&[("https://www.ridgeway.com/", "Ridgeway")]),
        knowledge: None,
    };
    let list = shortlist("Ridgeway Robotics", &results);
    let page = |site_name: &str| {
        let html = format!(
            r#"<html><head><title>{site_name}</title><meta property="og:site_name" content="{site_name}"></head><body></body></html>"#
        );
        crate::extract::page(
            "https://www.ridgeway.com/",
            html.as_bytes(),
            None,
            &crate::extract::Limits::default(),
        )
    };
    let confirming = page("Ridgeway Robotics");
    let choice = decide(&list, &[("ridgeway.com", &confirming)]).unwrap();
    assert_eq!(choice.status, MatchStatus::Confident, "{choice:?}");
    let bare = page("Ridgeway");
    let choice = decide(&list, &[("ridgeway.com", &bare)]).unwrap();
    assert_eq!(choice.domain, "ridgeway.com");
    assert_eq!(choice.status, MatchStatus::Uncertain, "{choice:?}");
    assert!(
        choice
            .reasons
            .iter()
            .any(|r| r.contains("only part of the name")),
        "{:?}",
        choice.reasons
    );
}
