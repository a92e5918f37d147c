//! A search scenario: fixed search hits for given queries, and for every host
//! among those hits a homepage made from the hit's title and snippet. It lets
//! a set of hard names written elsewhere (`hard_names/` of the shared corpus)
//! be served end to end, so that website choice is tested over real HTTP
//! with the pages a real reader would find, and nothing of the set has to
//! live in this crate.

use std::collections::HashMap;

use serde::Deserialize;

use crate::search::Hit;

/// One query of a scenario and the hits the engine answers it with.
#[derive(Debug, Clone, Deserialize)]
pub struct ScenarioCase {
    /// The query, compared case-insensitively with the whitespace collapsed.
    pub q: String,
    /// `[url, title, snippet]` in rank order.
    pub hits: Vec<(String, String, String)>,
    /// Pages served exactly as given, by URL (scheme and host included):
    /// an encyclopedia article with its infobox, say. Every other path of a
    /// hit's host serves the page built from the hit.
    #[serde(default)]
    pub pages: HashMap<String, String>,
}

/// Queries with fixed answers; each hit's host serves a homepage.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    answers: HashMap<String, Vec<Hit>>,
    /// host → (title, snippet) of the first hit seen on it.
    pages: HashMap<String, (String, String)>,
    /// (host, path) → a page given as is.
    given: HashMap<(String, String), String>,
}

impl Scenario {
    /// Builds a scenario from its cases. The same shape as
    /// `dev_hard_names.json`, whose other keys are ignored.
    ///
    /// ```
    /// let cases: Vec<extract_sandbox::ScenarioCase> = serde_json::from_str(
    ///     r#"[{"q": "Acme", "want": ["acme.com"], "hits": [["https://www.acme.com/", "Acme", "We make anvils"]]}]"#,
    /// ).unwrap();
    /// let scenario = extract_sandbox::Scenario::new(cases);
    /// assert_eq!(scenario.len(), 1);
    /// ```
    pub fn new(cases: Vec<ScenarioCase>) -> Self {
        let mut s = Scenario::default();
        for case in cases {
            let hits = case
                .hits
                .iter()
                .map(|(url, title, snippet)| Hit {
                    url: url.clone(),
                    title: title.clone(),
                    content: snippet.clone(),
                    engine: "scenario",
                })
                .collect();
            for (url, title, snippet) in &case.hits {
                if let Some(host) = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                {
                    s.pages
                        .entry(host)
                        .or_insert_with(|| (title.clone(), snippet.clone()));
                }
            }
            for (url, body) in case.pages {
                if let Ok(u) = url::Url::parse(&url) {
                    if let Some(host) = u.host_str() {
                        s.given
                            .insert((host.to_ascii_lowercase(), u.path().to_owned()), body);
                    }
                }
            }
            s.answers.insert(key(&case.q), hits);
        }
        s
    }

    /// Reads a JSON array of cases from `path`.
    pub fn from_file(path: &std::path::Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        let cases: Vec<ScenarioCase> = serde_json::from_slice(&bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(Scenario::new(cases))
    }

    /// How many queries it answers.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// True when it answers no query.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    pub(crate) fn answer(&self, query: &str) -> Option<&[Hit]> {
        self.answers.get(&key(query)).map(Vec::as_slice)
    }

    /// The homepage of `host`, if a hit of the scenario is on it.
    pub(crate) fn homepage(&self, host: &str) -> Option<String> {
        let (title, snippet) = self.pages.get(host)?;
        Some(render(title, snippet))
    }

    /// The page given for `path` on `host`, if the scenario gives one.
    pub(crate) fn given(&self, host: &str, path: &str) -> Option<&str> {
        self.given
            .get(&(host.to_owned(), path.to_owned()))
            .map(String::as_str)
    }
}

fn key(q: &str) -> String {
    q.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A plain homepage: the title as `<title>` and heading, the snippet as the
/// description and the first paragraph — what the search engine saw.
fn render(title: &str, snippet: &str) -> String {
    let t = escape(title);
    let s = escape(snippet);
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta name=\"description\" content=\"{s}\"></head>\n<body><header><a href=\"/\">{t}</a></header>\
         <main><h1>{t}</h1><p>{s}</p></main></body></html>\n"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
