use extract_core::clock::ManualClock;

use super::*;
use crate::BottleneckKind;

fn clocked(config: Config) -> (Monitor, Arc<ManualClock>) {
    let now = Arc::new(ManualClock::at(1_800_000_000_000));
    let m = Monitor::with_clock(config, "test", now.clone());
    (m, now)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_search_stage_spent_waiting_for_tokens_names_the_rate_limiter() {
    let (m, now) = clocked(Config::default());
    let mut wait = 0.0;
    for _ in 0..60 {
        for _ in 0..5 {
            m.observe(Stage::Search, ms(900), "ok");
            m.observe(Stage::Fetch, ms(100), "ok");
        }
        wait += 4.0; // of the 4.5 s of search a second
        m.sample(Sample {
            limiter_wait_s: wait,
            limiter_waited: 1,
            limiter_rate_per_s: 1.0,
            ..Sample::default()
        });
        now.advance(ms(1000));
    }
    let r = m.report().unwrap();
    let b = r.bottleneck.unwrap();
    assert_eq!(b.kind, BottleneckKind::RateLimiter, "{b:?}");
    assert!(b.evidence.saturation.unwrap() > 0.9);
    assert!(r
        .recommendations
        .iter()
        .any(|r| r.id == crate::RecommendationId::RaiseSearchRate));
}

#[test]
fn slow_fetches_with_a_fast_search_name_fetching() {
    let (m, now) = clocked(Config::default());
    for _ in 0..30 {
        m.observe(Stage::Search, ms(20), "ok");
        m.observe(Stage::Robots, ms(30), "ok");
        m.observe(Stage::Fetch, ms(1200), "ok");
        m.observe(Stage::Extract, ms(2), "ok");
        m.sample(Sample::default());
        now.advance(ms(1000));
    }
    let r = m.report().unwrap();
    let b = r.bottleneck.unwrap();
    assert_eq!(
        (b.kind, b.name.as_str()),
        (BottleneckKind::Latency, "fetch")
    );
    assert!(b.evidence.time_share.unwrap() > 0.9);
    assert!(r
        .recommendations
        .iter()
        .any(|r| r.id == crate::RecommendationId::SpeedUpFetching));
    let fetch = r.stages.iter().find(|s| s.stage == Stage::Fetch).unwrap();
    assert_eq!(fetch.level, Some(crate::Grade::Good));
    assert_eq!(fetch.windows["1m"].count, 30);
}

#[test]
fn repeats_missing_the_cache_recommend_caching_and_hits_do_not() {
    let (m, _) = clocked(Config::default());
    for i in 0..100u64 {
        m.profile_request(i % 10, false);
    }
    let r = m.report().unwrap();
    assert!((r.cache.repeat_ratio.unwrap() - 0.9).abs() < 1e-9);
    assert!(r
        .recommendations
        .iter()
        .any(|r| r.id == crate::RecommendationId::EnableCaching));

    let (m, _) = clocked(Config::default());
    for i in 0..100u64 {
        m.profile_request(i % 10, i >= 10);
    }
    let r = m.report().unwrap();
    assert!(!r
        .recommendations
        .iter()
        .any(|r| r.id == crate::RecommendationId::EnableCaching));
}

#[test]
fn a_failing_upstream_fires_once_and_resolves_once() {
    let (m, now) = clocked(Config {
        alerts: crate::Alerts {
            window_s: 5,
            min_calls: 5,
            ..crate::Alerts::default()
        },
        ..Config::default()
    });
    let mut events = Vec::new();
    for second in 0..40 {
        let failing = (5..20).contains(&second);
        for _ in 0..4 {
            let outcome = if failing { "upstream_status" } else { "ok" };
            m.observe(Stage::Search, ms(50), outcome);
        }
        events.extend(m.sample(Sample::default()));
        now.advance(ms(1000));
    }
    let search: Vec<&str> = events
        .iter()
        .filter(|e| e.rule == "search_error_rate")
        .map(|e| e.state.as_str())
        .collect();
    assert_eq!(search, vec!["firing", "resolved"]);
    // Failing, the search provider was the bottleneck; recovered, not.
    now.set(now.now_ms() - 25_000);
    let during = m.report().unwrap().bottleneck.unwrap();
    assert_eq!(
        (during.kind, during.name.as_str()),
        (BottleneckKind::Upstream, "search")
    );
    now.advance(ms(25_000));

    let text = m.render();
    assert!(
        text.contains("extract_alert_events_total{state=\"firing\"} 1"),
        "{text}"
    );
    assert!(text.contains(
        "extract_upstream_requests_total{upstream=\"search\",outcome=\"upstream_status\"} 60"
    ));
}

#[test]
fn an_hour_whose_p95_rose_is_flagged_as_a_regression() {
    let (m, now) = clocked(Config::default());
    let start = 1_800_000_000_000 / 3_600_000 * 3_600_000;
    now.set(start);
    for _ in 0..50 {
        m.observe(Stage::Fetch, ms(100), "ok");
    }
    now.set(start + 3_600_000);
    for _ in 0..50 {
        m.observe(Stage::Fetch, ms(300), "ok");
        m.observe(Stage::Search, ms(100), "ok");
    }
    let r = m.report().unwrap();
    assert_eq!(r.trends.hours.len(), 2);
    assert_eq!(r.trends.regressions.len(), 1, "{:?}", r.trends.regressions);
    let reg = &r.trends.regressions[0];
    assert_eq!(reg.stage, Stage::Fetch);
    assert!(reg.change > 1.5, "{reg:?}");
}

#[test]
fn switched_off_there_is_no_report_but_metrics_stay() {
    let m = Monitor::new(
        Config {
            enabled: false,
            ..Config::default()
        },
        "test",
    );
    m.observe(Stage::Fetch, ms(10), "ok");
    assert!(m.report().is_none());
    assert!(m.sample(Sample::default()).is_empty());
    assert!(m
        .render()
        .contains("extract_stage_duration_seconds_count{stage=\"fetch\",outcome=\"ok\"} 1"));
}
