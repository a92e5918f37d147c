//! robots.txt against the 48 verdicts and 11 crawl delays that come with the
//! real files of the corpus.

use extract_core::robots::Robots;

use crate::corpus::read;

#[test]
fn verdicts_and_crawl_delays() {
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&read(
        "robots/Smerity-texting_robots__integration_test_expectations.json",
    ))
    .unwrap();
    let (mut verdicts, mut delays) = (0, 0);
    for case in cases {
        let file = case["robots_file"].as_str().unwrap();
        let agent = case["user_agent"].as_str().unwrap();
        let robots = Robots::from_response(
            agent,
            Some(200),
            &read(&format!("robots/Smerity-texting_robots__{file}")),
        );
        if let Some(allowed) = case["allowed"].as_bool() {
            let url = case["url"].as_str().unwrap();
            assert_eq!(robots.allowed(url), allowed, "{file} {agent} {url}");
            verdicts += 1;
        } else {
            let expected = case["crawl_delay"].as_str().unwrap();
            let got = match robots.crawl_delay() {
                Some(d) => format!("Some({:?})", d.as_secs_f32()),
                None => "None".to_owned(),
            };
            assert_eq!(got, expected, "{file} {agent}");
            delays += 1;
        }
    }
    assert_eq!((verdicts, delays), (48, 11));
}
