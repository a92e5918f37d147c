//! How a domain and a title relate to the name: the domain's shape, look-alike words, about-site phrases, title similarity.

use crate::normalize::{is_initials, name_words, similarity};

use super::domain_label;
use super::vocab::{ABOUT_PHRASES, LOOKALIKE_WORDS, OWN_WORDS};
use super::Names;

/// How a registrable domain relates to the name, in `0.0..=1.0`, with the reason.
pub(super) fn domain_shape(names: &Names, domain: &str) -> (f32, String) {
    let label = domain.split('.').next().unwrap_or_default();
    let plain = domain_label(domain);
    let tld_label: String = domain
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '-')
        .collect();
    let parts: Vec<&str> = label.split('-').filter(|p| !p.is_empty()).collect();
    let mut best = (0.0_f32, "- the domain does not spell the name".to_owned());
    let mut offer = |score: f32, why: String| {
        if score > best.0 {
            best = (score, why);
        }
    };
    let words = names.distinctive_words();
    for (i, compact) in names.compacts().iter().enumerate() {
        let alias = i > 0;
        let whose = if alias {
            "an alias of the company"
        } else {
            "the name"
        };
        if plain == *compact
            || (domain.split('.').count() == 2 && tld_label == *compact && plain.len() > 1)
        {
            offer(
                if alias { 0.95 } else { 1.0 },
                format!("+ the domain is {whose}"),
            );
            continue;
        }
        // The name plus words: the company's own ("group", "global") or a look-alike's.
        if compact.len() >= 2
            && plain.len() > compact.len()
            && (plain.starts_with(compact.as_str()) || plain.ends_with(compact.as_str()))
        {
            let extra = plain.replacen(compact.as_str(), "", 1);
            let extra_parts: Vec<&str> = if parts.len() > 1 {
                parts
                    .iter()
                    .copied()
                    .filter(|p| !compact.starts_with(p) && !compact.ends_with(p))
                    .collect()
            } else {
                vec![extra.as_str()]
            };
            if extra_parts.iter().all(|p| OWN_WORDS.contains(p)) {
                offer(
                    if alias { 0.9 } else { 0.92 },
                    format!("+ the domain is {whose} and the company's own word {extra:?}"),
                );
            } else if lookalike(&extra, &parts) {
                offer(
                    0.1,
                    format!("- the domain is {whose} plus the look-alike word(s) {extra:?}"),
                );
            } else {
                offer(
                    0.45,
                    format!("- the domain is {whose} plus other words ({extra:?})"),
                );
            }
            continue;
        }
        if !alias && is_initials(&names.normalized, &plain) {
            offer(0.85, "+ the domain is the name's initials".to_owned());
        }
        if !alias {
            // Initials plus the company's own word: "abcompanies", "abgroup".
            let initials: String = names
                .normalized
                .split(' ')
                .filter(|w| *w != "and" && *w != "of")
                .filter_map(|w| w.chars().next())
                .collect();
            if initials.len() >= 2 && plain.starts_with(&initials) {
                let rest = &plain[initials.len()..];
                let mut own: Vec<&str> = OWN_WORDS.to_vec();
                own.extend(names.legal_words.iter().map(String::as_str));
                if own.contains(&rest) {
                    offer(0.85, format!("+ the domain is the name's initials and the company's own word {rest:?}"));
                }
            }
        }
    }
    // A distinctive word of the name, alone: strong for the first word, good for others.
    for (i, w) in words.iter().enumerate() {
        if plain == *w && words.len() > 1 {
            offer(
                if i == 0 { 0.72 } else { 0.68 },
                format!("+ the domain is the distinctive word {w:?} of the name"),
            );
        }
    }
    if best.0 == 0.0 {
        let sim = names
            .compacts()
            .iter()
            .map(|c| {
                let s = similarity(c, &plain);
                if is_abbreviation(c, &plain) {
                    s.max(0.55)
                } else {
                    s
                }
            })
            .fold(0.0, f32::max);
        if sim > 0.0 {
            best = (
                sim * 0.8,
                format!("  the domain resembles the name ({sim:.2})"),
            );
        }
    }
    best
}

/// Whether the extra words of a domain beside the name make it a look-alike.
pub(super) fn lookalike(extra: &str, parts: &[&str]) -> bool {
    parts.iter().any(|p| LOOKALIKE_WORDS.contains(p))
        || LOOKALIKE_WORDS
            .iter()
            .any(|w| w.len() >= 4 && (extra.starts_with(w) || extra.ends_with(w)))
        || LOOKALIKE_WORDS.contains(&extra)
}

/// The first phrase of `text` that says a site is about the company, unless
/// the company's own name holds it.
pub(crate) fn about_phrase(text: &str, names: &Names) -> Option<&'static str> {
    let lower = text.to_lowercase();
    ABOUT_PHRASES
        .iter()
        .copied()
        .find(|p| contains_word(&lower, p) && !names.normalized.contains(p))
}

/// Whether `phrase` occurs in `text` at word boundaries.
pub(crate) fn contains_word(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric)
            && !after.is_some_and(|c| c.is_alphanumeric() && c != 's')
    })
}

/// Whether `label` abbreviates the compact name, ticker-style: same first
/// letter, its letters in order within the name ("becn" in "beaconroofingsupply").
pub(super) fn is_abbreviation(compact: &str, label: &str) -> bool {
    if label.len() < 2
        || label.len() * 2 > compact.len()
        || compact.chars().next() != label.chars().next()
    {
        return false;
    }
    let mut rest = compact.chars();
    label.chars().all(|c| rest.any(|n| n == c))
}

/// How well the title names the company: 1 when it starts with the name,
/// less when the name's words are only somewhere in it.
pub(crate) fn title_similarity(normalized_name: &str, title: &str) -> f32 {
    let title_words = name_words(title);
    let words: Vec<&str> = normalized_name
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return 0.0;
    }
    if title_words.len() >= words.len() && title_words.iter().zip(&words).all(|(t, w)| t == w) {
        return 1.0;
    }
    // The name as a run of words anywhere in a title segment ("Home | Acme").
    if title_words
        .windows(words.len())
        .any(|win| win.iter().zip(&words).all(|(t, w)| t == w))
    {
        return 0.9;
    }
    let found = words
        .iter()
        .filter(|w| title_words.iter().any(|t| t == *w))
        .count();
    0.8 * found as f32 / words.len() as f32
}
