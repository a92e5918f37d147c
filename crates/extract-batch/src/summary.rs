//! The summary and industry analysis of a batch's results.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Counts, Item, ItemState};

/// What a finished (or running) batch found, in aggregate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Distinct companies.
    pub items: usize,
    /// Items over.
    pub finished: usize,
    /// (succeeded + cached) / finished.
    pub success_rate: Option<f64>,
    /// cached / (succeeded + cached).
    pub cache_hit_ratio: Option<f64>,
    /// Median item time, ms.
    pub p50_ms: Option<u64>,
    /// 95th percentile item time, ms.
    pub p95_ms: Option<u64>,
    /// 99th percentile item time, ms.
    pub p99_ms: Option<u64>,
    /// Companies per LinkedIn industry (its name); companies whose words
    /// did not say are not counted.
    #[serde(default)]
    pub industries: BTreeMap<String, usize>,
    /// Companies per NAICS sector (`sector label`).
    pub sectors: BTreeMap<String, usize>,
    /// Companies per headquarters country.
    pub countries: BTreeMap<String, usize>,
    /// Companies per founding decade (`1960s`).
    pub founded_decades: BTreeMap<String, usize>,
    /// Companies per head-count band (`51-200`).
    pub size_bands: BTreeMap<String, usize>,
    /// Failures per error kind.
    pub errors: BTreeMap<String, usize>,
}

const BANDS: &[(u64, &str)] = &[
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (500, "201-500"),
    (1_000, "501-1000"),
    (5_000, "1001-5000"),
    (10_000, "5001-10000"),
    (u64::MAX, "10001+"),
];

/// Builds the summary of `items`.
pub fn summarize(items: &[Item]) -> Summary {
    let mut s = Summarizer::default();
    for i in items {
        s.add(i);
    }
    s.finish()
}

/// Builds a summary an item at a time, so that a big batch is summarised
/// a page at a time (only the item times are kept, a number each).
#[derive(Debug, Default)]
pub struct Summarizer {
    s: Summary,
    times: Vec<u64>,
    ok: usize,
    cached: usize,
    counts: Counts,
}

impl Summarizer {
    /// Counts one item.
    pub fn add(&mut self, i: &Item) {
        let s = &mut self.s;
        s.items += 1;
        *self.counts.slot(i.state) += 1;
        if i.state.is_final() {
            s.finished += 1;
        }
        match i.state {
            ItemState::Succeeded => self.ok += 1,
            ItemState::Cached => self.cached += 1,
            ItemState::Failed | ItemState::Skipped => {
                if let Some(e) = &i.error {
                    *s.errors.entry(e.kind.as_str().to_owned()).or_default() += 1;
                }
            }
            _ => {}
        }
        if let Some(ms) = i.elapsed_ms {
            self.times.push(ms);
        }
        let Some(p) = &i.profile else { return };
        if let Some(ind) = &p.industry {
            if let Some(li) = &ind.value.linkedin {
                *s.industries.entry(li.name.clone()).or_default() += 1;
            }
            if let (Some(sector), Some(label)) = (&ind.value.sector, &ind.value.label) {
                *s.sectors.entry(format!("{sector} {label}")).or_default() += 1;
            }
        }
        if let Some(c) = p
            .headquarters
            .as_ref()
            .and_then(|h| h.value.country.clone())
        {
            *s.countries.entry(c).or_default() += 1;
        }
        if let Some(y) = &p.founded_year {
            *s.founded_decades
                .entry(format!("{}0s", y.value / 10))
                .or_default() += 1;
        }
        if let Some(e) = &p.employees {
            let n = e.value.max.unwrap_or(e.value.min);
            if let Some((_, band)) = BANDS.iter().find(|(max, _)| n <= *max) {
                *s.size_bands.entry((*band).to_owned()).or_default() += 1;
            }
        }
    }

    /// Items counted per state so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The summary of every item added.
    pub fn finish(self) -> Summary {
        let Summarizer {
            mut s,
            mut times,
            ok,
            cached,
            ..
        } = self;
        if s.finished > 0 {
            s.success_rate = Some((ok + cached) as f64 / s.finished as f64);
        }
        if ok + cached > 0 {
            s.cache_hit_ratio = Some(cached as f64 / (ok + cached) as f64);
        }
        times.sort_unstable();
        let q = |p: f64| -> Option<u64> {
            (!times.is_empty())
                .then(|| times[((times.len() as f64 * p) as usize).min(times.len() - 1)])
        };
        s.p50_ms = q(0.5);
        s.p95_ms = q(0.95);
        s.p99_ms = q(0.99);
        s
    }
}

impl Summary {
    /// The summary as key-value lines (the XLSX Summary sheet).
    pub fn lines(&self) -> Vec<(String, String)> {
        let f = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_default();
        let u = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
        let mut out = vec![
            ("items".to_owned(), self.items.to_string()),
            ("finished".to_owned(), self.finished.to_string()),
            ("success_rate".to_owned(), f(self.success_rate)),
            ("cache_hit_ratio".to_owned(), f(self.cache_hit_ratio)),
            ("p50_ms".to_owned(), u(self.p50_ms)),
            ("p95_ms".to_owned(), u(self.p95_ms)),
            ("p99_ms".to_owned(), u(self.p99_ms)),
        ];
        for (group, map) in [
            ("industry", &self.industries),
            ("sector", &self.sectors),
            ("country", &self.countries),
            ("founded", &self.founded_decades),
            ("size", &self.size_bands),
            ("error", &self.errors),
        ] {
            for (k, v) in map {
                out.push((format!("{group}: {k}"), v.to_string()));
            }
        }
        out
    }
}
