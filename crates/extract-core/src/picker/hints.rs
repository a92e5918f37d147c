//! What the caller's hints say of a candidate site. A country agrees or
//! disagrees with the domain's country code, the calling code of the
//! homepage's numbers, the country of its address, the law of its
//! identifiers and its language; a city with the address and the page's
//! own words; a LinkedIn page with the homepage's link to it. Each hint
//! that counts says so in the choice's reasons.

use crate::extract::{
    country_code, country_of_domain, identifier_country, language_countries, shared_calling_code,
    PageFacts,
};
use crate::normalize::normalize_name;
use crate::query::linkedin_slug_of;
use crate::{Hints, SocialNetwork};

/// How much one agreeing (or disagreeing) hint moves a candidate.
const HINT_WEIGHT: f32 = 0.15;

/// `(adjustment, reasons)` of the hints for the candidate at `domain`,
/// whose homepage says `facts` when it was read.
pub(super) fn judge(hints: &Hints, domain: &str, facts: Option<&PageFacts>) -> (f32, Vec<String>) {
    let mut adjust = 0.0;
    let mut reasons = Vec::new();
    if let Some(country) = &hints.country {
        let (a, why) = country_hint(country, domain, facts);
        adjust += a;
        reasons.push(why);
    }
    if let (Some(city), Some(facts)) = (&hints.city, facts) {
        let (a, why) = city_hint(city, facts);
        adjust += a;
        reasons.extend(why);
    }
    if let (Some(slug), Some(facts)) = (&hints.linkedin, facts) {
        let links = facts.social.iter().any(|s| {
            s.value.network == SocialNetwork::Linkedin
                && linkedin_slug_of(&s.value.url).is_some_and(|s| s.eq_ignore_ascii_case(slug))
        });
        if links {
            adjust += HINT_WEIGHT;
            reasons.push(format!(
                "+ the homepage links to the LinkedIn page given ({slug})"
            ));
        }
    }
    (adjust, reasons)
}

/// The country hint against what the site says of its country.
fn country_hint(country: &str, domain: &str, facts: Option<&PageFacts>) -> (f32, String) {
    let mut said: Vec<(&'static str, &'static str)> = Vec::new();
    if let Some(c) = country_of_domain(domain) {
        said.push(("the domain's country code", c));
    }
    if let Some(f) = facts {
        if let Some(c) = shared_calling_code(&[f]) {
            said.push(("the phone numbers' calling code", c));
        }
        if let Some(c) = f
            .addresses
            .iter()
            .find_map(|a| a.value.country.as_deref().and_then(country_code))
        {
            said.push(("the address", c));
        }
        if let Some(c) = identifier_country(&f.identifiers) {
            said.push(("the identifiers' law", c));
        }
    }
    // A language is spoken in several countries (German in three): it only
    // adds to what the rest says, English never.
    let lang = facts.and_then(|f| f.lang.as_deref()).unwrap_or_default();
    let spoken = !lang.starts_with("en") && language_countries(lang).contains(&country);
    let mut agree: Vec<&str> = said
        .iter()
        .filter(|(_, c)| *c == country)
        .map(|(w, _)| *w)
        .collect();
    let disagree: Vec<String> = said
        .iter()
        .filter(|(_, c)| *c != country)
        .map(|(w, c)| format!("{w} says {c}"))
        .collect();
    match (agree.is_empty(), disagree.is_empty()) {
        (false, true) => {
            if spoken {
                agree.push("the page's language");
            }
            (
                HINT_WEIGHT,
                format!(
                    "+ the country given ({country}) agrees with {}",
                    agree.join(", ")
                ),
            )
        }
        (false, false) => (
            HINT_WEIGHT / 3.0,
            format!(
                "  the country given ({country}) agrees with {} but {}",
                agree.join(", "),
                disagree.join(", ")
            ),
        ),
        (true, false) => (
            -HINT_WEIGHT,
            format!(
                "- the country given ({country}) disagrees: {}",
                disagree.join(", ")
            ),
        ),
        (true, true) if spoken => (
            HINT_WEIGHT / 3.0,
            format!("  the country given ({country}) agrees with the page's language only"),
        ),
        (true, true) => (
            0.0,
            format!("  the country given ({country}): nothing the site shows names a country"),
        ),
    }
}

/// The city hint against the homepage's addresses and its own words.
fn city_hint(city: &str, facts: &PageFacts) -> (f32, Option<String>) {
    let want = normalize_name(city);
    if want.is_empty() {
        return (0.0, None);
    }
    let localities: Vec<String> = facts
        .addresses
        .iter()
        .filter_map(|a| a.value.locality.as_deref())
        .map(normalize_name)
        .filter(|l| !l.is_empty())
        .collect();
    if localities
        .iter()
        .any(|l| *l == want || l.split(' ').any(|w| w == want))
    {
        return (
            HINT_WEIGHT,
            Some(format!(
                "+ the homepage's address is in the city given ({city})"
            )),
        );
    }
    let words = facts
        .descriptions
        .iter()
        .map(|d| d.value.as_str())
        .chain(std::iter::once(facts.title.as_str()))
        .map(normalize_name);
    if words
        .into_iter()
        .any(|t| format!(" {t} ").contains(&format!(" {want} ")))
    {
        return (
            HINT_WEIGHT * 0.6,
            Some(format!("+ the homepage names the city given ({city})")),
        );
    }
    match localities.first() {
        Some(other) => (
            -HINT_WEIGHT * 0.6,
            Some(format!(
                "- the homepage's address is in {other}, not the city given ({city})"
            )),
        ),
        None => (0.0, None),
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::{self, PageFacts};
    use crate::picker::{decide, shortlist_with};
    use crate::{Hints, MatchStatus, SearchHit, SearchResults};

    /// A small company homepage: its name, phone, address and language.
    fn home(url: &str, lang: &str, phone: &str, address: &str, extra: &str) -> PageFacts {
        let html = format!(
            r#"<html lang="{lang}"><head><title>Hoffmann Bau GmbH</title>
            <meta property="og:site_name" content="Hoffmann Bau GmbH"></head><body>
            <h1>Hoffmann Bau GmbH</h1><p>Hochbau, Umbau und Sanierung seit 1984.</p>{extra}
            <footer><address>Hoffmann Bau GmbH · {address}</address>
            <p>Telefon: <a href="tel:{phone}">{phone}</a></p></footer></body></html>"#
        );
        extract::page(url, html.as_bytes(), None, &crate::Config::default().limits)
    }

    /// Two builders of one name, one in Berlin and one in Vienna, found by
    /// the same search with the same titles.
    fn twins() -> (SearchResults, [(&'static str, PageFacts); 2]) {
        let hit = |rank, url: &str| SearchHit {
            url: url.to_owned(),
            title: "Hoffmann Bau GmbH".to_owned(),
            snippet: "Hochbau, Umbau und Sanierung.".to_owned(),
            rank,
        };
        let results = SearchResults {
            hits: vec![
                hit(1, "https://www.hoffmann-bau.de/"),
                hit(2, "https://www.hoffmann-bau.at/"),
            ],
            knowledge: None,
        };
        let de = home(
            "https://www.hoffmann-bau.de/",
            "de",
            "+49 30 4418 2957",
            "Friedrichstraße 112, 10117 Berlin, Deutschland",
            "",
        );
        let at = home(
            "https://www.hoffmann-bau.at/",
            "de-AT",
            "+43 1 5872 3916",
            "Mariahilfer Straße 88, 1070 Wien, Österreich",
            r#"<a href="https://www.linkedin.com/company/hoffmann-bau-wien">LinkedIn</a>"#,
        );
        (results, [("hoffmann-bau.de", de), ("hoffmann-bau.at", at)])
    }

    fn choose(hints: Hints) -> (String, MatchStatus, Vec<String>) {
        let (results, pages) = twins();
        let list = shortlist_with("Hoffmann Bau GmbH", &hints, &results);
        let verified: Vec<(&str, &PageFacts)> = pages.iter().map(|(d, f)| (*d, f)).collect();
        let c = decide(&list, &verified).unwrap();
        (c.domain, c.status, c.reasons)
    }

    #[test]
    fn without_a_hint_two_same_name_companies_are_uncertain() {
        let (_, status, reasons) = choose(Hints::default());
        assert_eq!(status, MatchStatus::Uncertain, "{reasons:#?}");
    }

    #[test]
    fn a_country_hint_picks_the_company_of_that_country() {
        for (country, want) in [
            ("AT", "hoffmann-bau.at"),
            ("Deutschland", "hoffmann-bau.de"),
        ] {
            let hints = Hints::new(Some(country), None, None).unwrap();
            let (domain, status, reasons) = choose(hints);
            assert_eq!(
                (domain.as_str(), status),
                (want, MatchStatus::Confident),
                "{country}: {reasons:#?}"
            );
            assert!(
                reasons.iter().any(|r| r.starts_with("+ the country given")),
                "{reasons:#?}"
            );
        }
    }

    #[test]
    fn a_city_hint_picks_the_company_in_that_city() {
        for (city, want) in [("Wien", "hoffmann-bau.at"), ("Berlin", "hoffmann-bau.de")] {
            let hints = Hints::new(None, Some(city), None).unwrap();
            let (domain, status, reasons) = choose(hints);
            assert_eq!(
                (domain.as_str(), status),
                (want, MatchStatus::Confident),
                "{city}: {reasons:#?}"
            );
        }
    }

    #[test]
    fn a_linkedin_hint_confirms_the_site_that_links_to_it() {
        let hints = Hints::new(None, None, Some("linkedin.com/company/hoffmann-bau-wien")).unwrap();
        let (domain, status, reasons) = choose(hints);
        assert_eq!(
            (domain.as_str(), status),
            ("hoffmann-bau.at", MatchStatus::Confident),
            "{reasons:#?}"
        );
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("+ the homepage links to the LinkedIn page given")));
    }

    #[test]
    fn a_hint_the_site_contradicts_counts_against_it() {
        let (results, pages) = twins();
        let hints = Hints::new(Some("CH"), None, None).unwrap();
        let list = shortlist_with("Hoffmann Bau GmbH", &hints, &results);
        let (_, de) = &pages[0];
        let (adjust, reasons) = super::judge(&list.hints, "hoffmann-bau.de", Some(de));
        assert!(adjust < 0.0, "{reasons:?}");
        assert!(reasons[0].starts_with("- the country given (CH) disagrees"));
    }
}
