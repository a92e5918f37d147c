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
