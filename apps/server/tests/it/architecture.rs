//! The dependency rule of the workspace, checked on `cargo metadata`.

use std::collections::BTreeMap;

/// Which project crates each crate may depend on (normal dependencies; the
/// sandbox and the test support may come in as dev-dependencies anywhere).
fn allowed(package: &str) -> Option<&'static [&'static str]> {
    Some(match package {
        "extract-core" | "extract-sandbox" | "extract-test-support" => &[],
        "extract-cache"
        | "extract-concurrency"
        | "extract-resources"
        | "extract-export"
        | "extract-perf" => &["extract-core"],
        "extract-batch" => &["extract-core", "extract-concurrency"],
        "extract-server" | "extract-benches" => return None,
        other => panic!("unknown workspace member {other}: add it to the dependency rule"),
    })
}

#[test]
fn dependencies_point_the_right_way() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut seen = BTreeMap::new();
    for p in meta["packages"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        let local: Vec<&str> = p["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null() && d["name"].as_str().unwrap().starts_with("extract-"))
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        if let Some(ok) = allowed(name) {
            for dep in &local {
                assert!(ok.contains(dep), "{name} must not depend on {dep}");
            }
        }
        seen.insert(name.to_owned(), local);
    }
    assert_eq!(seen.len(), 11, "{seen:?}");
    // The test support is never a normal dependency of anything.
    for (name, local) in &seen {
        assert!(
            !local.contains(&"extract-test-support"),
            "{name} must take extract-test-support as a dev-dependency only"
        );
    }
}
