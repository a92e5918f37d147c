//! One company at a time, end to end, compared with the sandbox's ground truth.

use extract_core::{phone_digits, CompanyProfile};
use extract_sandbox::Truth;

use crate::common::{extract, stack};

/// Field-by-field agreement of one profile with the truth: (right, counted, misses).
fn compare(truth: &Truth, p: &CompanyProfile) -> (usize, usize, Vec<String>) {
    let mut right = 0;
    let mut counted = 0;
    let mut misses = Vec::new();
    let mut check = |field: &str, expected: Option<String>, got: Option<String>| {
        if expected.is_none() && got.is_none() {
            return;
        }
        counted += 1;
        if expected == got {
            right += 1;
        } else {
            misses.push(format!("{field}: expected {expected:?}, got {got:?}"));
        }
    };
    let hq = p.headquarters.as_ref().map(|h| &h.value);
    check(
        "name",
        Some(truth.name.clone()),
        p.name.as_ref().map(|f| f.value.clone()),
    );
    check("domain", Some(truth.domain.clone()), p.domain.clone());
    check(
        "website",
        Some(truth.website.clone()),
        p.website.as_ref().map(|f| f.value.clone()),
    );
    check(
        "description",
        truth.description.clone(),
        p.description.as_ref().map(|f| f.value.clone()),
    );
    check(
        "founded_year",
        truth.founded_year.map(|y| y.to_string()),
        p.founded_year.as_ref().map(|f| f.value.to_string()),
    );
    check(
        "employees",
        truth.employees.map(|e| e.to_string()),
        p.employees.as_ref().map(|f| f.value.min.to_string()),
    );
    check(
        "city",
        truth.city.clone(),
        hq.and_then(|h| h.locality.clone()),
    );
    check(
        "postal_code",
        truth.postal_code.clone(),
        hq.and_then(|h| h.postal_code.clone()),
    );
    check(
        "logo",
        truth.logo.clone(),
        p.logo.as_ref().map(|f| f.value.clone()),
    );
    let digits = |s: &str| {
        let d = phone_digits(s).trim_start_matches('+').to_owned();
        d.strip_prefix('1')
            .filter(|r| r.len() == 10)
            .map_or(d.clone(), str::to_owned)
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        (!v.is_empty()).then(|| v.join(" "))
    };
    check(
        "phones",
        sorted(truth.phones.iter().map(|s| digits(s)).collect()),
        sorted(p.phones.iter().map(|f| digits(&f.value)).collect()),
    );
    check(
        "emails",
        sorted(truth.emails.clone()),
        sorted(p.emails.iter().map(|f| f.value.clone()).collect()),
    );
    let mut expected_social = truth.social.clone();
    expected_social.extend(truth.serp_profiles.iter().cloned());
    check(
        "social",
        sorted(expected_social),
        sorted(p.social.iter().map(|f| f.value.url.clone()).collect()),
    );
    (right, counted, misses)
}

/// Extracts `companies` in `mode` and returns (right, counted, report lines).
async fn agreement(
    stack: &crate::common::Stack,
    companies: &[String],
    mode: &str,
) -> (usize, usize, Vec<String>) {
    let (mut right, mut counted) = (0, 0);
    let mut report = Vec::new();
    // Eight at a time: sites with a Crawl-delay take a while in comprehensive mode.
    for chunk in companies.chunks(8) {
        let addr = stack.addr();
        let replies = futures_util::future::join_all(chunk.iter().map(|name| async move {
            let body = serde_json::json!({ "company_name": name, "extraction_mode": mode });
            extract(addr, &body).await
        }))
        .await;
        for (name, reply) in chunk.iter().zip(replies) {
            assert_eq!(reply.status, 200, "{name}: {}", reply.json);
            let profile: CompanyProfile = serde_json::from_value(reply.json).unwrap();
            let truth = if mode == "comprehensive" {
                stack.sandbox.truth_comprehensive(name).unwrap()
            } else {
                stack.sandbox.truth(name).unwrap()
            };
            let (r, c, misses) = compare(&truth, &profile);
            right += r;
            counted += c;
            if !misses.is_empty() {
                report.push(format!("{name} ({:?}): {}", truth.style, misses.join("; ")));
            }
        }
    }
    (right, counted, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_match_the_ground_truth_in_both_modes() {
    let stack = stack(1_000, |c| c.crawl.per_host_rate = 50.0).await;
    // Real and generated companies, every markup style.
    let companies: Vec<String> = stack
        .sandbox
        .world()
        .companies()
        .iter()
        .filter(|c| c.index % 10 == 3 || c.index % 10 == 7)
        .take(80)
        .map(|c| c.name.clone())
        .collect();
    assert!(companies.len() >= 50);
    for mode in ["basic", "comprehensive"] {
        let (right, counted, report) = agreement(&stack, &companies, mode).await;
        let share = right as f64 / counted as f64;
        println!(
            "{mode}: fields right {right}/{counted} = {:.1}% over {} companies",
            share * 100.0,
            companies.len()
        );
        for line in &report {
            println!("  {line}");
        }
        assert!(
            share >= 0.97,
            "{mode}: only {:.1}% of fields right:\n{}",
            share * 100.0,
            report.join("\n")
        );
    }
    // Provenance is filled: every field names its page and method.
    let reply = extract(
        stack.addr(),
        &serde_json::json!({ "company_name": "Walmart" }),
    )
    .await;
    assert_eq!(reply.json["domain"], "walmart.com");
    assert_eq!(
        reply.json["description"]["source"]["url"],
        "https://www.walmart.com/"
    );
    assert!(reply.json["social"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
    assert!(
        reply.json["industry"]["value"]["sector"].is_string(),
        "{}",
        reply.json
    );
}

/// Every search provider's format, through the sandbox, finds the same site.
#[tokio::test]
async fn every_search_provider() {
    for provider in ["duckduckgo", "searxng", "serpapi", "brave"] {
        let stack = stack(600, |c| {
            c.search.provider = serde_json::from_value(serde_json::json!(provider)).unwrap();
            c.search.api_key = extract_core::Secret::new("sandbox-key");
        })
        .await;
        let reply = extract(
            stack.addr(),
            &serde_json::json!({ "company_name": "Exxon Mobil" }),
        )
        .await;
        assert_eq!(reply.status, 200, "{provider}: {}", reply.json);
        assert_eq!(reply.json["domain"], "exxonmobil.com", "{provider}");
        assert_eq!(stack.sandbox.stats().search_requests, 1, "{provider}");
    }
}

#[tokio::test]
async fn a_domain_query_skips_search() {
    let stack = stack(600, |_| {}).await;
    let reply = extract(
        stack.addr(),
        &serde_json::json!({ "domain": "https://www.walmart.com/" }),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["domain"], "walmart.com");
    assert_eq!(reply.json["website"]["source"]["method"], "query");
    let stats = stack.sandbox.stats();
    assert_eq!(stats.search_requests, 0);
    // walmart.com redirects to www.walmart.com: robots.txt and the homepage,
    // two requests each.
    assert_eq!(stats.page_requests, 4);
    assert_eq!(stats.robots_requests, 2);
}
