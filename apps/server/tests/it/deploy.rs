//! `deploy/`: the Prometheus config and alert rules pass `promtool` (checked
//! and unit-tested), every metric the alerts and the Grafana dashboard name is
//! one `/metrics` exposes (the catalog), the Kubernetes ConfigMap is
//! `config/default.toml`, and the memory limit leaves room over
//! `MAX_MEMORY_MB`. hadolint and kubernetes-validate run in `.ci/run`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// The `extract_…` metric names an expression text mentions (histogram
/// series suffixes stripped).
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("extract_") {
        let start = i + at;
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase()
                || bytes[end] == b'_'
                || bytes[end].is_ascii_digit())
        {
            end += 1;
        }
        let preceded =
            start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        if !preceded {
            let name = &text[start..end];
            let name = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name);
            out.insert(name.to_owned());
        }
        i = end.max(start + 1);
    }
    out
}

#[test]
fn alerts_and_the_dashboard_name_only_exposed_metrics() {
    let known: BTreeSet<&str> = extract_perf::catalog::METRICS.iter().map(|m| m.0).collect();
    for file in [
        "prometheus/alerts.yml",
        "grafana/dashboards/company-extract.json",
    ] {
        let text = std::fs::read_to_string(deploy().join(file)).unwrap();
        let names = metric_names(&text);
        assert!(names.len() >= 5, "{file}: {names:?}");
        for n in &names {
            assert!(
                known.contains(n.as_str()),
                "{file} names {n}, which /metrics does not expose"
            );
        }
    }
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(deploy().join("grafana/dashboards/company-extract.json")).unwrap(),
    )
    .unwrap();
    assert!(dashboard["panels"].as_array().unwrap().len() >= 8);
}

#[test]
fn prometheus_config_and_rules_pass_promtool() {
    let dir = deploy().join("prometheus");
    for args in [
        vec!["check", "config", "prometheus.yml"],
        vec!["check", "rules", "alerts.yml"],
        vec!["test", "rules", "alerts_test.yml"],
    ] {
        let out = match std::process::Command::new("promtool")
            .args(&args)
            .current_dir(&dir)
            .output()
        {
            Ok(o) => o,
            Err(e) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "promtool is missing under CI=true ({e}); .ci/run installs the prometheus package"
                );
                eprintln!("SKIPPED promtool {args:?}: promtool not installed");
                return;
            }
        };
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_configmap_is_the_documented_configuration() {
    let config = std::fs::read_to_string(deploy().join("../config/default.toml")).unwrap();
    let map = std::fs::read_to_string(deploy().join("k8s/configmap.yaml")).unwrap();
    let body = map
        .split_once("  default.toml: |\n")
        .expect("a default.toml key")
        .1;
    let unindented: Vec<&str> = body
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    assert_eq!(
        unindented.join("\n").trim_end(),
        config.trim_end(),
        "deploy/k8s/configmap.yaml is stale: python3 deploy/k8s/configmap.py > deploy/k8s/configmap.yaml"
    );
}

#[test]
fn the_memory_limit_leaves_room_over_max_memory_mb() {
    let d = std::fs::read_to_string(deploy().join("k8s/deployment.yaml")).unwrap();
    let after = |key: &str| -> String {
        let at = d
            .find(key)
            .unwrap_or_else(|| panic!("{key} in deployment.yaml"));
        d[at + key.len()..]
            .lines()
            .next()
            .unwrap()
            .trim()
            .trim_matches('"')
            .to_owned()
    };
    let max_mb: u64 = after("- name: MAX_MEMORY_MB\n              value:")
        .parse()
        .unwrap();
    let limits = &d[d.find("limits:").unwrap()..];
    let limit = limits
        .lines()
        .find_map(|l| l.trim().strip_prefix("memory:"))
        .unwrap()
        .trim();
    let limit_mb: u64 = limit.strip_suffix("Mi").unwrap().parse().unwrap();
    assert!(
        limit_mb >= max_mb + max_mb / 10,
        "limit {limit_mb}Mi against MAX_MEMORY_MB {max_mb}: the service must shed before the kernel kills it"
    );
}
