//! The forms of a company's name the picker compares with, computed once per query.

use crate::normalize::{compact_name, name_words, normalize_name};
use crate::SearchHit;

use super::listed;
use super::vocab::{ENCYCLOPEDIAS, GENERIC_WORDS};

/// The forms of a company's name the picker compares with.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// The query normalised (legal forms and a leading "the" dropped).
    pub normalized: String,
    /// The query squeezed into a domain label.
    pub compact: String,
    /// The legal-form and holding words the query ends with (`inc`, `companies`).
    pub legal_words: Vec<String>,
    /// Other names: an encyclopedia article's title, "trading as …", "known as …".
    pub aliases: Vec<String>,
    /// The encyclopedia's one-line description of the company, if a hit gave one.
    pub description: Option<String>,
    /// `normalized` then the aliases normalised, computed once.
    pub(super) forms: Vec<String>,
    /// `compact` then the aliases compacted, computed once.
    pub(super) compacts: Vec<String>,
    /// The description's industry and confidence, classified once.
    pub(super) business: Option<(crate::classify::Business, f32)>,
}

impl Names {
    /// The forms of `name`, with the aliases and description the encyclopedia hits among `hits` give.
    pub fn new(name: &str, hits: &[SearchHit]) -> Self {
        let normalized = normalize_name(name);
        let words = name_words(name);
        let kept = normalized.split(' ').count();
        let mut legal_words: Vec<String> = words
            .iter()
            .skip_while(|w| *w == "the")
            .skip(kept)
            .cloned()
            .collect();
        legal_words.retain(|w| w != "and");
        let mut names = Names {
            compact: compact_name(name),
            normalized,
            legal_words,
            aliases: Vec::new(),
            description: None,
            forms: Vec::new(),
            compacts: Vec::new(),
            business: None,
        };
        for hit in hits {
            names.read_encyclopedia(hit);
        }
        names.refresh();
        names
    }

    /// With the forms of the name the caller's `hints` give: a LinkedIn
    /// page's slug, `acme-gmbh` read as `acme gmbh`.
    pub(super) fn with_hints(mut self, hints: &crate::Hints) -> Self {
        if let Some(slug) = &hints.linkedin {
            self.add_alias(&slug.replace(['-', '_'], " "));
            self.refresh();
        }
        self
    }

    /// Recomputes the forms, compact forms and business from the name and aliases.
    fn refresh(&mut self) {
        let names = self;
        names.forms = std::iter::once(names.normalized.clone())
            .chain(names.aliases.iter().map(|a| normalize_name(a)))
            .filter(|f| !f.is_empty())
            .collect();
        names.compacts = std::iter::once(names.compact.clone())
            .chain(names.aliases.iter().map(|a| compact_name(a)))
            .filter(|c| !c.is_empty())
            .collect();
        names.business = names
            .description
            .as_deref()
            .and_then(|d| crate::classify::classify(Some(d), &[], &[], None));
    }

    /// Aliases from an encyclopedia article about this company: its title
    /// when the article's first words name the company (or the title does),
    /// and the names it says the company trades as or is known by.
    pub(super) fn read_encyclopedia(&mut self, hit: &SearchHit) {
        let Some(host) = url::Url::parse(&hit.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        else {
            return;
        };
        if !listed(&host, ENCYCLOPEDIAS) {
            return;
        }
        let title = [" - ", " – ", " | "]
            .iter()
            .fold(hit.title.as_str(), |t, sep| {
                t.split(sep).next().unwrap_or(t)
            })
            .trim();
        let subject = hit
            .snippet
            .split([',', '(', ';'])
            .next()
            .unwrap_or_default()
            .split(" is ")
            .next()
            .unwrap_or_default()
            .split(" was ")
            .next()
            .unwrap_or_default()
            .trim();
        let about_us = |s: &str| {
            let n = normalize_name(s);
            !n.is_empty() && (n == self.normalized || compact_name(s) == self.compact)
        };
        if !(about_us(title) || about_us(subject)) {
            return;
        }
        for alias in [title, subject] {
            self.add_alias(alias);
        }
        let lower = hit.snippet.to_lowercase();
        for marker in [
            "trading as ",
            "trade name ",
            "known as ",
            "referred to as ",
            "doing business as ",
        ] {
            if let Some(at) = lower.find(marker) {
                let rest = &hit.snippet[at + marker.len()..];
                let alias: String = rest
                    .split([',', ';', '.', ')', '('])
                    .next()
                    .unwrap_or_default()
                    .split(" is ")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                self.add_alias(alias.trim());
            }
        }
        if self.description.is_none() && !hit.snippet.is_empty() {
            self.description = Some(hit.snippet.clone());
        }
    }

    pub(super) fn add_alias(&mut self, alias: &str) {
        let compact = compact_name(alias);
        if compact.len() >= 2
            && alias.split_whitespace().count() <= 6
            && compact != self.compact
            && !self.aliases.iter().any(|a| compact_name(a) == compact)
        {
            self.aliases.push(alias.to_owned());
        }
    }

    /// The compact forms: the query's, then the aliases'.
    pub(super) fn compacts(&self) -> &[String] {
        &self.compacts
    }

    /// The normalised forms: the query's, then the aliases'.
    pub(super) fn normalized_forms(&self) -> &[String] {
        &self.forms
    }

    /// The distinctive words of the name (not generic, at least three letters).
    pub(super) fn distinctive_words(&self) -> Vec<&str> {
        self.normalized
            .split(' ')
            .filter(|w| w.len() >= 3 && !GENERIC_WORDS.contains(w))
            .collect()
    }
}
