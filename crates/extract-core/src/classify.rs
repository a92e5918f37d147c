//! The picker's coarse business sector of a blurb: a keyword taxonomy onto
//! the 20 NAICS sectors, enough to notice that an encyclopedia and a
//! homepage describe different businesses. A profile's industry is the
//! finer classifier in [`crate::industry`].

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use serde::Deserialize;

/// A NAICS sector and the terms that voted for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Business {
    /// The two-digit NAICS sector code, e.g. `"44-45"`.
    pub(crate) code: String,
    /// The sector's label.
    pub(crate) label: String,
    /// The terms that voted.
    pub(crate) evidence: Vec<String>,
}

/// The taxonomy as written in `data/taxonomy.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Taxonomy {
    sector: Vec<SectorSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectorSpec {
    code: String,
    label: String,
    terms: Vec<String>,
    #[serde(default)]
    weights: HashMap<String, f32>,
    #[serde(default)]
    schema_types: Vec<String>,
}

/// A sector ready to score: its terms as pattern ids with their weights.
struct Sector {
    code: String,
    label: String,
    /// (pattern id, term, weight), in the order written.
    terms: Vec<(usize, String, f32)>,
    schema_types: Vec<String>,
}

/// Every sector, and one automaton over all their terms.
struct Classifier {
    sectors: Vec<Sector>,
    patterns: AhoCorasick,
    pattern_count: usize,
}

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| {
    Classifier::new(include_str!("../data/taxonomy.toml"))
        .expect("data/taxonomy.toml is a valid taxonomy (checked by a test)")
});

impl Classifier {
    fn new(toml_text: &str) -> Result<Classifier, String> {
        let taxonomy: Taxonomy = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut sectors = Vec::with_capacity(taxonomy.sector.len());
        for spec in taxonomy.sector {
            let terms = spec
                .terms
                .iter()
                .map(|term| {
                    let next = ids.len();
                    let id = *ids.entry(term.clone()).or_insert(next);
                    // Longer terms, being more specific, weigh more.
                    let weight = spec
                        .weights
                        .get(term)
                        .copied()
                        .unwrap_or(term.split(' ').count() as f32);
                    (id, term.clone(), weight)
                })
                .collect();
            sectors.push(Sector {
                code: spec.code,
                label: spec.label,
                terms,
                schema_types: spec.schema_types,
            });
        }
        let mut patterns = vec![String::new(); ids.len()];
        for (term, id) in ids {
            patterns[id] = term;
        }
        let pattern_count = patterns.len();
        let patterns = AhoCorasick::new(&patterns).map_err(|e| e.to_string())?;
        Ok(Classifier {
            sectors,
            patterns,
            pattern_count,
        })
    }

    /// Which terms occur in `haystack` on word boundaries (ASCII letters and
    /// digits on neither side), by pattern id.
    fn found(&self, haystack: &str) -> Vec<bool> {
        let mut found = vec![false; self.pattern_count];
        let bytes = haystack.as_bytes();
        for m in self.patterns.find_overlapping_iter(haystack) {
            let (start, end) = (m.start(), m.end());
            let before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            let after = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
            if before && after {
                found[m.pattern().as_usize()] = true;
            }
        }
        found
    }
}

/// Classifies a blurb onto a NAICS sector: the sector (with the terms that
/// decided it) and a confidence, or `None` when nothing matched.
pub(crate) fn classify(
    description: Option<&str>,
    keywords: &[String],
    schema_types: &[String],
    title: Option<&str>,
) -> Option<(Business, f32)> {
    let description = description.map(normalise).unwrap_or_default();
    let keywords = normalise(&keywords.join(" , "));
    let title = title.map(normalise).unwrap_or_default();
    let c = &*CLASSIFIER;
    let (in_description, in_keywords, in_title) =
        (c.found(&description), c.found(&keywords), c.found(&title));
    // (score, sector index, evidence)
    let mut scores: Vec<(f32, usize, Vec<String>)> = Vec::new();
    for (i, sector) in c.sectors.iter().enumerate() {
        let mut score = 0.0;
        let mut evidence: Vec<String> = Vec::new();
        for (id, term, weight) in &sector.terms {
            let hit = f32::from(u8::from(in_description[*id]))
                + 1.5 * f32::from(u8::from(in_keywords[*id]))
                + 0.5 * f32::from(u8::from(in_title[*id]));
            if hit > 0.0 {
                score += hit * weight;
                evidence.push(term.clone());
            }
        }
        for t in schema_types {
            if sector
                .schema_types
                .iter()
                .any(|s| s == t || (s.len() > 4 && t.ends_with(s.as_str())))
            {
                score += 4.0;
                evidence.push(format!("schema.org:{t}"));
            }
        }
        if score > 0.0 {
            scores.push((score, i, evidence));
        }
    }
    scores.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let total: f32 = scores.iter().map(|s| s.0).sum();
    let (top, index, mut evidence) = scores.into_iter().next()?;
    // Share of the vote, tempered by how much evidence there was at all.
    let confidence = (top / total) * (top / (top + 1.0));
    evidence.truncate(8);
    let sector = &c.sectors[index];
    Some((
        Business {
            code: sector.code.clone(),
            label: sector.label.clone(),
            evidence,
        },
        confidence.clamp(0.0, 1.0),
    ))
}

/// Lowercase, punctuation other than `,` `:` `-` `&` turned to spaces, padded
/// with spaces so that terms match on word boundaries.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || matches!(c, ',' | ':' | '-' | '&') {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out.push(' ');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_taxonomy_file_parses_and_every_sector_has_terms() {
        let c = Classifier::new(include_str!("../data/taxonomy.toml")).unwrap();
        assert_eq!(c.sectors.len(), 20);
        assert!(c.sectors.iter().all(|s| !s.terms.is_empty()));
        assert!(Classifier::new("[[sector]]\ncode = 1").is_err());
    }

    fn check(description: &str, types: &[&str], sector: &str) {
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        let got = classify(Some(description), &[], &types, None).map(|(i, _)| i.code);
        assert_eq!(got.as_deref(), Some(sector), "{description}");
    }

    #[test]
    fn sectors() {
        check(
            "Exxon Mobil is a petroleum refining company headquartered in Irving, TX.",
            &[],
            "31-33",
        );
        check("JPMorgan Chase is a leader in commercial banks, with operations across the United States.", &[], "52");
        check("We design cloud software for teams.", &[], "51");
        check(
            "Family-run trattoria in the old town.",
            &["Restaurant"],
            "72",
        );
        check(
            "UPS is a leader in mail, package and freight delivery.",
            &[],
            "48-49",
        );
        check(
            "Kroger operates supermarkets and food and drug stores.",
            &[],
            "44-45",
        );
        check(
            "Cardinal Health is a wholesalers: health care company.",
            &[],
            "42",
        );
        assert!(classify(Some("Lorem ipsum dolor."), &[], &[], None).is_none());
        // A term inside a longer word does not count ("oil" in "toilet").
        assert!(classify(Some("Toilets and boiling."), &[], &[], None).is_none());
        assert!(classify(None, &[], &[], None).is_none());
    }
}
