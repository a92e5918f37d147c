//! The dependency rule of the workspace, checked on `cargo metadata`.

use std::collections::BTreeMap;

/// Which project crates each crate may depend on (normal dependencies; the
/// sandbox and the test support may come in as dev-dependencies anywhere).
fn allowed(package: &str) -> Option<&'static [&'static str]> {
    Some(match package {
        "extract-core" | "extract-sandbox" | "extract-test-support" => &[],
        "extract-concurrency"
        | "extract-resources"
        | "extract-export"
        | "extract-perf"
        | "extract-redis" => &["extract-core"],
        "extract-cache" => &["extract-core", "extract-redis"],
        "extract-batch" => &["extract-core", "extract-concurrency", "extract-redis"],
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
    assert_eq!(seen.len(), 12, "{seen:?}");
    // The test support is never a normal dependency of anything.
    for (name, local) in &seen {
        assert!(
            !local.contains(&"extract-test-support"),
            "{name} must take extract-test-support as a dev-dependency only"
        );
    }
}

/// Redis connections are built in one place: `extract-redis`.
#[test]
fn only_extract_redis_builds_a_redis_pool() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut offenders = Vec::new();
    let mut dirs = vec![root.join("crates"), root.join("apps"), root.join("benches")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.ends_with("extract-redis") || path.ends_with("target") {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains(concat!("build_", "pool("))
                    || text.contains(concat!("Builder::", "from_config("))
                {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "Redis pools built outside extract-redis: {offenders:?}"
    );
}
