//! Website choice on names whose official site is easy to get wrong
//! (`../shared/corpus/hard_names/`), end to end: the sandbox serves each
//! name's hits as a SearXNG answer and a homepage per host made from the
//! hit's title and snippet; the pipeline searches, picks (reading the top
//! candidates' homepages) and extracts over loopback HTTP.

use std::path::Path;
use std::sync::Arc;

use extract_core::search::{HttpSearch, Searxng};
use extract_core::{CompanyQuery, MatchStatus, Pipeline, ProfileSource};
use extract_sandbox::{Sandbox, Scenario, ScenarioCase};
use serde::Deserialize;

/// One case of the set.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// The name a user types.
    pub q: String,
    /// Domains (or hosts) that count as the official site.
    pub want: Vec<String>,
    /// `[url, title, snippet]`.
    pub hits: Vec<(String, String, String)>,
}

/// Right, wrong and unanswered, each miss printed.
#[derive(Debug, Clone, Default)]
pub struct HardNamesReport {
    /// Names answered with an official domain.
    pub right: usize,
    /// Names answered with another site.
    pub wrong: usize,
    /// Names answered with no site.
    pub no_answer: usize,
    /// Right answers whose status was `confident`.
    pub confident: usize,
    /// Wrong answers whose status was `confident` (must be none).
    pub confident_wrong: usize,
    /// One line per name: what was chosen, its status and confidence.
    pub lines: Vec<String>,
}

impl HardNamesReport {
    /// Names scored.
    pub fn total(&self) -> usize {
        self.right + self.wrong + self.no_answer
    }

    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = format!(
            "hard names: {}/{} right, {} wrong, {} no answer ({} right and confident, {} wrong and confident)\n",
            self.right,
            self.total(),
            self.wrong,
            self.no_answer,
            self.confident,
            self.confident_wrong
        );
        for l in &self.lines {
            out.push_str(&format!("  [hard names] {l}\n"));
        }
        out
    }
}

/// Reads the cases of `file`.
pub fn cases(file: &Path) -> anyhow::Result<Vec<Case>> {
    Ok(serde_json::from_slice(&std::fs::read(file)?)?)
}

/// The sandbox serving `cases` as a search scenario.
pub async fn sandbox(cases: &[Case]) -> anyhow::Result<Sandbox> {
    let scenario = Scenario::new(
        cases
            .iter()
            .map(|c| ScenarioCase {
                q: c.q.clone(),
                hits: c.hits.clone(),
                pages: Default::default(),
            })
            .collect(),
    );
    Ok(Sandbox::start(
        "127.0.0.1:0".parse()?,
        extract_sandbox::Config {
            companies: 500,
            scenario,
            ..extract_sandbox::Config::default()
        },
    )
    .await?)
}

/// A pipeline searching the sandbox at `sandbox` (SearXNG) and fetching through it.
pub fn pipeline(sandbox: &Sandbox) -> anyhow::Result<Pipeline> {
    pipeline_with(sandbox, extract_core::Config::default())
}

/// [`pipeline`] with pipeline settings of one's own (e.g. `verify_candidates`).
pub fn pipeline_with(sandbox: &Sandbox, config: extract_core::Config) -> anyhow::Result<Pipeline> {
    let http = Arc::new(extract_resources::HttpClient::new(
        extract_resources::Config {
            connect_to: sandbox.addr().to_string(),
            allow_private: true,
            ..extract_resources::Config::default()
        },
    )?);
    let search = HttpSearch::new(Box::new(Searxng::new(&sandbox.url())), http.clone());
    Ok(Pipeline::new(Arc::new(search), http, config))
}

/// Extracts every case through `pipeline` and judges the chosen site.
pub async fn score(pipeline: &Pipeline, cases: &[Case]) -> HardNamesReport {
    let mut report = HardNamesReport::default();
    for case in cases {
        let Ok(query) = CompanyQuery::by_name(&case.q) else {
            report.no_answer += 1;
            continue;
        };
        match pipeline.profile(&query).await {
            Ok(profile) => {
                let host = profile
                    .website
                    .as_ref()
                    .and_then(|w| url::Url::parse(&w.value).ok())
                    .and_then(|u| {
                        u.host_str()
                            .map(|h| h.trim_start_matches("www.").to_owned())
                    })
                    .unwrap_or_default();
                let domain = profile.domain.clone().unwrap_or_default();
                let choice = profile.website_choice.as_ref();
                let status = choice.map_or(MatchStatus::NotFound, |c| c.status);
                let confidence = choice.map_or(0.0, |c| c.confidence);
                let ok = case.want.iter().any(|w| *w == domain || *w == host);
                if ok {
                    report.right += 1;
                    if status == MatchStatus::Confident {
                        report.confident += 1;
                    }
                } else {
                    report.wrong += 1;
                    if status == MatchStatus::Confident {
                        report.confident_wrong += 1;
                    }
                }
                report.lines.push(format!(
                    "{} {:?}: chose {host} ({status:?}, {confidence:.2}); want {:?}; runner-up {:?}; reasons: {}",
                    if ok { "ok   " } else { "WRONG" },
                    case.q,
                    case.want,
                    choice.and_then(|c| c.runner_up.clone()),
                    choice.map(|c| c.reasons.join("; ")).unwrap_or_default(),
                ));
            }
            Err(e) => {
                report.no_answer += 1;
                report.lines.push(format!(
                    "NONE  {:?}: no answer ({e}); want {:?}",
                    case.q, case.want
                ));
            }
        }
    }
    report
}
