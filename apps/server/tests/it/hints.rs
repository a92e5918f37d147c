//! Hints in website choice, end to end over HTTP: a stand-in web of two
//! builders of one name, one in Berlin and one in Vienna, found by the same
//! search. Without a hint the answer is `uncertain`; a country or a city
//! picks the right one; a domain given with a name is checked, not trusted.

use extract_sandbox::{Config as SandboxConfig, Sandbox, Scenario, ScenarioCase};
use extract_server::{sandbox, Config};
use serde_json::json;

use crate::common::{extract, start_server};

const NAME: &str = "Hoffmann Bau GmbH";

/// A homepage: the company's name, phone, address and language.
fn home(lang: &str, phone: &str, address: &str) -> String {
    format!(
        r#"<!doctype html><html lang="{lang}"><head><title>{NAME}</title>
<meta property="og:site_name" content="{NAME}">
<meta name="description" content="Hochbau, Umbau und Sanierung seit 1984."></head>
<body><h1>{NAME}</h1><p>Hochbau, Umbau und Sanierung seit 1984.</p>
<footer><address>{NAME} · {address}</address>
<p>Telefon: <a href="tel:{phone}">{phone}</a></p></footer></body></html>"#
    )
}

async fn same_name_web() -> Sandbox {
    let hit = |url: &str| {
        (
            url.to_owned(),
            NAME.to_owned(),
            "Hochbau, Umbau und Sanierung.".to_owned(),
        )
    };
    let case = ScenarioCase {
        q: NAME.into(),
        hits: vec![
            hit("https://hoffmann-bau.de/"),
            hit("https://hoffmann-bau.at/"),
        ],
        pages: [
            (
                "https://hoffmann-bau.de/".to_owned(),
                home(
                    "de",
                    "+49 30 4418 2957",
                    "Friedrichstraße 112, 10117 Berlin, Deutschland",
                ),
            ),
            (
                "https://hoffmann-bau.at/".to_owned(),
                home(
                    "de-AT",
                    "+43 1 5872 3916",
                    "Mariahilfer Straße 88, 1070 Wien, Österreich",
                ),
            ),
        ]
        .into(),
    };
    Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxConfig {
            companies: 20,
            scenario: Scenario::new(vec![case]),
            ..SandboxConfig::default()
        },
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_country_or_city_hint_picks_the_right_one_of_two_same_name_companies() {
    let web = same_name_web().await;
    let mut config = Config::defaults();
    sandbox::point_at(&mut config, web.addr());
    config.cache.warm_file = String::new();
    config.search.rate_per_sec = 0.0;
    config.crawl.per_host_rate = 0.0;
    let server = start_server(config).await;
    let a = server.addr();
    let choice = |r: &crate::common::Reply| {
        (
            r.json["domain"].as_str().unwrap_or_default().to_owned(),
            r.json["website_choice"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };

    let r = extract(a, &json!({ "company_name": NAME })).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        choice(&r).1,
        "uncertain",
        "no hint: {}",
        r.json["website_choice"]
    );

    for (hint, want) in [
        (json!({ "country": "AT" }), "hoffmann-bau.at"),
        (json!({ "country": "Germany" }), "hoffmann-bau.de"),
        (json!({ "city": "Wien" }), "hoffmann-bau.at"),
        (json!({ "city": "Berlin" }), "hoffmann-bau.de"),
    ] {
        let mut body = hint.clone();
        body["company_name"] = json!(NAME);
        let r = extract(a, &body).await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(
            choice(&r),
            (want.to_owned(), "confident".to_owned()),
            "{hint}: {}",
            r.json["website_choice"]
        );
        let reasons = r.json["website_choice"]["reasons"].to_string();
        assert!(
            reasons.contains("given"),
            "{hint}: the reasons say what the hint did: {reasons}"
        );
    }

    // A domain given with the name is read and checked, not searched.
    let searches = web.stats().search_requests;
    let r = extract(
        a,
        &json!({ "company_name": NAME, "domain": "hoffmann-bau.at" }),
    )
    .await;
    assert_eq!(
        choice(&r),
        ("hoffmann-bau.at".to_owned(), "confident".to_owned()),
        "{}",
        r.json
    );
    let r = extract(
        a,
        &json!({ "company_name": "Gruber Elektrotechnik", "domain": "hoffmann-bau.at" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(choice(&r).1, "uncertain", "{}", r.json["website_choice"]);
    assert!(r.json["website_choice"]["reasons"]
        .to_string()
        .contains("does not name itself"));
    assert_eq!(
        web.stats().search_requests,
        searches,
        "a given domain is not searched"
    );

    // A hint that is not one is a 422 naming it.
    let r = extract(a, &json!({ "company_name": NAME, "country": "Atlantis" })).await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"), "{}", r.json);
    assert_eq!(r.json["error"]["details"]["field"], "country");
    server.shutdown().await;
    web.shutdown().await;
}
