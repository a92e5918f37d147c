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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_match_the_ground_truth() {
    let stack = stack(1_000, |_| {}).await;
    // Real and generated companies, every markup style.
    let companies: Vec<String> = stack
        .sandbox
        .world()
        .companies()
        .iter()
        .filter(|c| c.index % 10 == 3)
        .take(80)
        .map(|c| c.name.clone())
        .collect();
    assert!(companies.len() >= 50);
    let (mut right, mut counted) = (0, 0);
    let mut report = Vec::new();
    for name in &companies {
        let reply = extract(stack.addr(), &serde_json::json!({ "company_name": name })).await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.json);
        let profile: CompanyProfile = serde_json::from_value(reply.json).unwrap();
        let truth = stack.sandbox.truth(name).unwrap();
        let (r, c, misses) = compare(&truth, &profile);
        right += r;
        counted += c;
        if !misses.is_empty() {
            report.push(format!("{name} ({:?}): {}", truth.style, misses.join("; ")));
        }
    }
    let share = right as f64 / counted as f64;
    println!(
        "fields right: {right}/{counted} = {:.1}% over {} companies",
        share * 100.0,
        companies.len()
    );
    for line in &report {
        println!("  {line}");
    }
    assert!(
        share >= 0.95,
        "only {:.1}% of fields right:\n{}",
        share * 100.0,
        report.join("\n")
    );
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
    // walmart.com redirects to www.walmart.com: two requests, one page.
    assert_eq!(stats.page_requests, 2);
}
