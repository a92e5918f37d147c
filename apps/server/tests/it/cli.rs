//! The command line: `inspect` on a saved page, and start-up errors.

use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_extract-server"))
}

#[test]
fn inspect_prints_the_profile_of_a_saved_page() {
    let page = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/html/adbar-trafilatura__fincompare.de.firmenwagen.html"
    );
    let out = server()
        .args([
            "inspect",
            page,
            "--url",
            "https://www.fincompare.de/firmenwagen",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let profile: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(profile["domain"], "fincompare.de");
    assert_eq!(profile["name"]["source"]["method"], "json-ld");
    assert!(
        profile["social"].as_array().is_some_and(|s| !s.is_empty()),
        "{profile}"
    );

    let out = server()
        .args([
            "inspect",
            page,
            "--url",
            "https://www.fincompare.de/",
            "--structured",
        ])
        .output()
        .unwrap();
    let structured: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(structured["jsonld"]
        .as_array()
        .is_some_and(|j| !j.is_empty()));

    let missing = server()
        .args(["inspect", "/nonexistent.html", "--url", "https://x.com/"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(66));
    let bad_url = server()
        .args(["inspect", page, "--url", "not a url"])
        .output()
        .unwrap();
    assert_eq!(bad_url.status.code(), Some(64));
}

#[test]
fn a_keyed_provider_without_a_key_stops_the_start_naming_the_setting() {
    let out = server()
        .env("EXTRACT_SEARCH__PROVIDER", "brave")
        .env_remove("EXTRACT_SEARCH__API_KEY")
        .args(["--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("search.api_key"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}
