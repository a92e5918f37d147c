//! Alerts with hysteresis: a rule fires when its value crosses the fire
//! threshold and clears only once it is back past the (laxer) clear
//! threshold, so a value hovering around one line never flaps.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

/// Alert changes kept for the report.
const RECENT: usize = 100;

/// Which side of a threshold is bad.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Bad {
    /// Values at or above `fire` fire; below `clear` clear.
    High,
    /// Values at or below `fire` fire; above `clear` clear.
    Low,
}

/// One rule's value now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Check {
    pub(crate) rule: String,
    /// `None`: not enough data to judge; the state stays.
    pub(crate) value: Option<f64>,
    pub(crate) bad: Bad,
    pub(crate) fire: f64,
    pub(crate) clear: f64,
    /// What the alert means, for people.
    pub(crate) what: String,
}

/// Whether an alert event starts or ends an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// The rule's value crossed its firing threshold.
    Firing,
    /// It came back past its clearing threshold.
    Resolved,
}

impl AlertState {
    /// The name on the wire (events, webhooks, metrics labels).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

impl std::fmt::Display for AlertState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A firing or resolved alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertEvent {
    /// The rule, e.g. `search_error_rate`.
    pub rule: String,
    /// Firing or resolved.
    pub state: AlertState,
    /// The value that crossed.
    pub value: f64,
    /// The threshold it crossed.
    pub threshold: f64,
    /// What it means.
    pub message: String,
    /// When, Unix ms.
    pub at_ms: u64,
}

impl AlertEvent {
    /// The webhook event it is sent as: `alert.firing` or `alert.resolved`.
    pub fn webhook_event(&self) -> String {
        format!("alert.{}", self.state)
    }
}

/// Where alert changes are delivered (the server: a signed webhook through
/// its SSRF-guarded client, retried with backoff).
#[async_trait::async_trait]
pub trait AlertSink: Send + Sync {
    /// Delivers one change: its webhook `event` name and JSON `body`;
    /// answers whether it arrived.
    async fn deliver(&self, event: &str, body: Vec<u8>) -> bool;
}

/// Delivers alert changes to `sink`, in the order they happened; one that
/// does not arrive is logged and the next still goes.
pub async fn deliver_alerts(events: Vec<AlertEvent>, sink: &dyn AlertSink) {
    for e in events {
        let body = serde_json::to_vec(&e).unwrap_or_default();
        if !sink.deliver(&e.webhook_event(), body).await {
            tracing::warn!(rule = %e.rule, "alert webhook not delivered");
        }
    }
}

/// An alert firing now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveAlert {
    /// The rule.
    pub rule: String,
    /// Firing since, Unix ms.
    pub since_ms: u64,
    /// The value at the last evaluation.
    pub value: f64,
    /// The fire threshold.
    pub threshold: f64,
    /// What it means.
    pub message: String,
}

/// The alert state machine.
#[derive(Debug, Default)]
pub(crate) struct Alerting {
    active: BTreeMap<String, ActiveAlert>,
    recent: VecDeque<AlertEvent>,
}

impl Alerting {
    /// Applies this round's checks; answers the changes.
    pub(crate) fn evaluate(&mut self, checks: &[Check], now_ms: u64) -> Vec<AlertEvent> {
        let mut events = Vec::new();
        for c in checks {
            let Some(value) = c.value else { continue };
            let (fires, clears) = match c.bad {
                Bad::High => (value >= c.fire, value < c.clear),
                Bad::Low => (value <= c.fire, value > c.clear),
            };
            match self.active.get_mut(&c.rule) {
                None if fires => {
                    let message = format!("{}: {value:.3} (fires at {})", c.what, c.fire);
                    self.active.insert(
                        c.rule.clone(),
                        ActiveAlert {
                            rule: c.rule.clone(),
                            since_ms: now_ms,
                            value,
                            threshold: c.fire,
                            message: message.clone(),
                        },
                    );
                    events.push(AlertEvent {
                        rule: c.rule.clone(),
                        state: AlertState::Firing,
                        value,
                        threshold: c.fire,
                        message,
                        at_ms: now_ms,
                    });
                }
                Some(_) if clears => {
                    self.active.remove(&c.rule);
                    events.push(AlertEvent {
                        rule: c.rule.clone(),
                        state: AlertState::Resolved,
                        value,
                        threshold: c.clear,
                        message: format!("{}: back to {value:.3} (clears at {})", c.what, c.clear),
                        at_ms: now_ms,
                    });
                }
                Some(a) => a.value = value,
                None => {}
            }
        }
        for e in &events {
            if self.recent.len() == RECENT {
                self.recent.pop_front();
            }
            self.recent.push_back(e.clone());
        }
        events
    }

    pub(crate) fn active(&self) -> Vec<ActiveAlert> {
        self.active.values().cloned().collect()
    }

    /// Newest first.
    pub(crate) fn recent(&self) -> Vec<AlertEvent> {
        self.recent.iter().rev().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f64) -> Check {
        Check {
            rule: "search_error_rate".into(),
            value: Some(value),
            bad: Bad::High,
            fire: 0.5,
            clear: 0.1,
            what: "search failures".into(),
        }
    }

    #[test]
    fn a_hovering_value_fires_once_and_clears_once() {
        let mut a = Alerting::default();
        let mut events = Vec::new();
        for (t, v) in [0.0, 0.6, 0.4, 0.55, 0.3, 0.7, 0.2, 0.05, 0.2, 0.05]
            .into_iter()
            .enumerate()
        {
            events.extend(a.evaluate(&[check(v)], t as u64));
        }
        let states: Vec<(&str, u64)> = events.iter().map(|e| (e.state.as_str(), e.at_ms)).collect();
        assert_eq!(states, vec![("firing", 1), ("resolved", 7)]);
        assert!(a.active().is_empty());
        assert_eq!(a.recent().len(), 2);
        // No data changes nothing.
        a.evaluate(&[check(0.9)], 10);
        let none = Check {
            value: None,
            ..check(0.0)
        };
        assert!(a.evaluate(&[none], 11).is_empty());
        assert_eq!(a.active().len(), 1);
    }

    /// Changes go in order; one that does not arrive does not stop the next.
    #[tokio::test]
    async fn alert_changes_are_delivered_in_order_past_a_failure() {
        struct Sink(std::sync::Mutex<Vec<(String, serde_json::Value)>>);
        #[async_trait::async_trait]
        impl AlertSink for Sink {
            async fn deliver(&self, event: &str, body: Vec<u8>) -> bool {
                let mut seen = self.0.lock().unwrap();
                seen.push((event.to_owned(), serde_json::from_slice(&body).unwrap()));
                seen.len() > 1
            }
        }
        let change = |rule: &str, state| AlertEvent {
            rule: rule.to_owned(),
            state,
            value: 0.5,
            threshold: 0.2,
            message: String::new(),
            at_ms: 1,
        };
        let sink = Sink(Default::default());
        let events = vec![
            change("search_error_rate", AlertState::Firing),
            change("search_error_rate", AlertState::Resolved),
        ];
        deliver_alerts(events, &sink).await;
        let seen = sink.0.into_inner().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0, "alert.firing");
        assert_eq!(seen[1].0, "alert.resolved");
        assert_eq!(seen[1].1["rule"], "search_error_rate");
    }
}
