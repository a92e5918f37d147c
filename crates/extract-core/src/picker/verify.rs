//! The second step of website choice: what each candidate's homepage says it
//! is. A site that names itself as the company (or states its legal name)
//! gains; one that reads as a site about the company, or names itself as
//! another company sharing a word of the name, or describes another business
//! than the encyclopedia does, loses.

use super::{
    about_phrase, title_similarity, Choice, Names, Shortlist, Verified, HOLDING_WORDS, OWN_WORDS,
    SITE_WORDS,
};
use crate::extract::PageFacts;
use crate::normalize::{compact_name, name_words, normalize_name};
use crate::{Hints, MatchStatus};

/// How much the search's evidence weighs against the homepage's.
const SEARCH_WEIGHT: f32 = 0.6;
/// The identity assumed for a candidate whose homepage was not read.
const UNREAD_IDENTITY: f32 = 0.4;
/// The confidence below which a choice is `uncertain` whatever the gap.
const CONFIDENT_AT: f32 = 0.6;
/// The lead over the runner-up below which a choice is `uncertain`.
const CLEAR_GAP: f32 = 0.08;

/// Chooses among the shortlist's candidates, reading the homepages in
/// `pages` (`(candidate domain, facts)`); with no pages, on the search's
/// evidence alone. `None` when there is no candidate.
pub fn decide(list: &Shortlist, pages: &[Verified<'_>]) -> Option<Choice> {
    let mut judged: Vec<(f32, usize, Vec<String>)> = list
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut reasons = c.reasons.clone();
            let page = pages.iter().find(|(d, _)| *d == c.domain).map(|(_, f)| *f);
            let (hinted, why) = if list.hints.is_empty() {
                (0.0, Vec::new())
            } else {
                super::hints::judge(&list.hints, &c.domain, page)
            };
            if pages.is_empty() {
                reasons.extend(why);
                return (c.score + hinted, i, reasons);
            }
            let score = hinted
                + match page {
                    Some(facts) => {
                        let (identity, adjust, why) = read_homepage(&list.names, facts);
                        reasons.extend(why);
                        SEARCH_WEIGHT * c.score + (1.0 - SEARCH_WEIGHT) * identity + adjust
                    }
                    None => {
                        reasons.push("  the homepage was not read".to_owned());
                        SEARCH_WEIGHT * c.score + (1.0 - SEARCH_WEIGHT) * UNREAD_IDENTITY
                    }
                };
            reasons.extend(why);
            (score, i, reasons)
        })
        .collect();
    judged.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut iter = judged.into_iter();
    let (score, index, reasons) = iter.next()?;
    let runner = iter.next();
    let gap = runner.as_ref().map_or(0.25, |r| (score - r.0).min(0.25));
    let confidence = (score * 0.75 + gap).clamp(0.0, 1.0);
    let runner_up_confidence = runner.as_ref().map(|r| (r.0 * 0.75).clamp(0.0, 1.0));
    let mut reasons = reasons;
    let status = if confidence >= CONFIDENT_AT && gap >= CLEAR_GAP {
        if let Some(why) = unconfirmed_part(&reasons) {
            reasons.push(why);
            MatchStatus::Uncertain
        } else {
            MatchStatus::Confident
        }
    } else {
        MatchStatus::Uncertain
    };
    let winner = &list.candidates[index];
    Some(Choice {
        url: winner.url.clone(),
        domain: winner.domain.clone(),
        confidence,
        runner_up: runner.map(|r| list.candidates[r.1].url.clone()),
        runner_up_confidence,
        status,
        reasons,
        evidence: list.evidence.clone(),
    })
}

/// The site the caller gave for `name`, checked instead of searched: whether
/// its homepage (`facts`, when it was read) names itself as the company or
/// states its legal name, and what the `hints` say of it. `confident` when
/// the homepage confirms the name, `uncertain` (saying why) when it does not.
pub fn confirm_given(
    name: &str,
    hints: &Hints,
    url: &str,
    domain: &str,
    facts: Option<&PageFacts>,
) -> Choice {
    let names = Names::new(name, &[]).with_hints(hints);
    let mut reasons = vec![format!("+ the site was given ({domain})")];
    let (hinted, why) = super::hints::judge(hints, domain, facts);
    let (identity, adjust) = match facts {
        Some(f) => {
            let (identity, adjust, read) = read_homepage(&names, f);
            reasons.extend(read);
            (identity, adjust)
        }
        None => {
            reasons.push("  the homepage was not read".to_owned());
            (UNREAD_IDENTITY, 0.0)
        }
    };
    reasons.extend(why);
    let confirmed = homepage_confirms(&reasons);
    let confidence = (0.5 + 0.45 * identity + adjust + hinted).clamp(0.0, 1.0);
    let status = if confirmed && confidence >= CONFIDENT_AT {
        MatchStatus::Confident
    } else {
        reasons.push(format!(
            "- uncertain: the site given does not name itself {name:?}"
        ));
        MatchStatus::Uncertain
    };
    Choice {
        url: url.to_owned(),
        domain: domain.to_owned(),
        confidence,
        runner_up: None,
        runner_up_confidence: None,
        status,
        reasons,
        evidence: Vec::new(),
    }
}

/// Whether the reasons hold the homepage's own confirmation: it names itself
/// as the company, states the legal name, or links to the LinkedIn page given.
fn homepage_confirms(reasons: &[String]) -> bool {
    reasons.iter().any(|r| {
        r.starts_with("+ the homepage names itself")
            || r.starts_with("+ the homepage states the legal name")
            || r.starts_with("+ the homepage links to the LinkedIn page given")
    })
}

/// Why a choice the scores call confident is only `uncertain`: its domain
/// spells only part of the name (its initials, one distinctive word of it),
/// which another company may share, and its homepage does not confirm it by
/// naming itself as the company or stating the legal name.
fn unconfirmed_part(reasons: &[String]) -> Option<String> {
    let partial = reasons.iter().any(|r| {
        r.starts_with("+ the domain is the name's initials")
            || r.starts_with("+ the domain is the distinctive word")
    });
    (partial && !homepage_confirms(reasons)).then(|| {
        "- uncertain: the domain spells only part of the name and the homepage does not confirm it"
            .to_owned()
    })
}

/// `(identity in 0..=1, adjustment, reasons)` of one homepage.
fn read_homepage(names: &Names, facts: &PageFacts) -> (f32, f32, Vec<String>) {
    let mut reasons = Vec::new();
    let mut adjust = 0.0;
    let self_names = self_names(facts);
    let forms = names.normalized_forms();
    let mut identity: f32 = 0.0;
    let mut identity_name = String::new();
    let mut other: Option<String> = None;
    let distinctive = names.distinctive_words();
    for s in &self_names {
        let n = normalize_name(s);
        if n.is_empty() {
            continue;
        }
        let score = forms
            .iter()
            .map(|f| {
                if n == *f || compact_name(s) == compact_name(f) {
                    1.0
                } else if n.starts_with(&format!("{f} ")) {
                    let extra: Vec<&str> = n[f.len()..].split_whitespace().collect();
                    if extra
                        .iter()
                        .all(|w| OWN_WORDS.contains(w) || SITE_WORDS.contains(w) || w.len() <= 3)
                    {
                        0.9
                    } else {
                        0.5
                    }
                } else if f.starts_with(&format!("{n} ")) || f.ends_with(&format!(" {n}")) {
                    0.6
                } else {
                    title_similarity(f, s) * 0.7
                }
            })
            .fold(0.0, f32::max);
        if score > identity {
            identity = score;
            identity_name = s.clone();
        }
        // Another company: shares a distinctive word, adds a distinctive word of its own.
        let words: Vec<&str> = n.split(' ').collect();
        let shares = words.iter().any(|w| distinctive.contains(w));
        let foreign = words.iter().any(|w| {
            w.len() >= 3
                && !forms.iter().any(|f| f.split(' ').any(|fw| fw == *w))
                && !OWN_WORDS.contains(w)
                && !SITE_WORDS.contains(w)
        });
        if shares && foreign && words.len() <= 4 && other.is_none() {
            other = Some(s.clone());
        }
    }
    let legal = states_legal_name(names, facts);
    // A query naming a holding ("… Companies", "… Group") against a site that
    // names itself without that word: a brand's or subsidiary's site.
    if let Some(h) = names
        .legal_words
        .iter()
        .find(|w| HOLDING_WORDS.contains(&w.as_str()))
    {
        let named_so = self_names.iter().any(|s| name_words(s).contains(h));
        if legal.is_none() && identity > 0.6 && !named_so {
            identity = 0.6;
            reasons.push(format!(
                "- the homepage names itself {identity_name:?}, without the holding's {h:?} (a brand's site?)"
            ));
        }
    }
    if identity >= 0.9 {
        reasons.push(format!("+ the homepage names itself {identity_name:?}"));
        other = None;
    } else if identity > 0.0 {
        reasons.push(format!(
            "  the homepage names itself {identity_name:?} ({identity:.2})"
        ));
    } else {
        reasons.push("- the homepage does not name the company".to_owned());
    }
    if let Some(o) = other {
        adjust -= 0.2;
        reasons.push(format!("- the homepage names another company, {o:?}"));
    }
    if let Some(legal) = legal {
        adjust += 0.12;
        reasons.push(format!("+ the homepage states the legal name {legal:?}"));
    }
    let blurb = blurb(facts);
    if let Some(p) = about_phrase(&blurb, names) {
        adjust -= 0.25;
        reasons.push(format!(
            "- the homepage reads as a site about the company ({p:?})"
        ));
    }
    if let Some(why) = other_business(names, &blurb) {
        adjust -= 0.25;
        reasons.push(why);
    }
    (identity, adjust, reasons)
}

/// What a homepage says it is in a line: its title and first description.
fn blurb(facts: &PageFacts) -> String {
    let description = facts.descriptions.first().map(|d| d.value.as_str());
    format!("{} {}", facts.title, description.unwrap_or_default())
}

/// What a page calls itself: its names, site names and legal names, and the
/// segments of its title.
fn self_names(facts: &PageFacts) -> Vec<String> {
    let mut out: Vec<String> = facts
        .names
        .iter()
        .chain(&facts.site_names)
        .chain(&facts.legal_names)
        .map(|f| f.value.clone())
        .collect();
    let mut segments = vec![facts.title.as_str()];
    for sep in [" | ", " - ", " – ", " — ", " · ", ": "] {
        segments = segments.iter().flat_map(|s| s.split(sep)).collect();
    }
    out.extend(
        segments
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.split_whitespace().count() <= 6)
            .map(str::to_owned),
    );
    out
}

/// The legal name the page states, when the query carries a legal form and
/// the page writes the name with that form ("Acme Inc.").
fn states_legal_name(names: &Names, facts: &PageFacts) -> Option<String> {
    let form = names.legal_words.first()?;
    let want: Vec<&str> = names.normalized.split(' ').collect();
    let texts = facts
        .legal_names
        .iter()
        .chain(&facts.names)
        .chain(&facts.descriptions)
        .map(|f| f.value.as_str())
        .chain(std::iter::once(facts.title.as_str()));
    for text in texts {
        let words = name_words(text);
        let at = words.windows(want.len() + 1).position(|w| {
            w[..want.len()].iter().zip(&want).all(|(a, b)| a == b) && w[want.len()] == *form
        });
        if let Some(at) = at {
            return Some(words[at..=at + want.len()].join(" "));
        }
    }
    None
}

/// A reason when the encyclopedia and the homepage describe businesses of
/// different sectors, each clearly.
fn other_business(names: &Names, page: &str) -> Option<String> {
    let (a, ca) = names.business.as_ref()?;
    let (b, cb) = crate::classify::classify(Some(page), &[], &[], None)?;
    (a.code != b.code && *ca >= 0.5 && cb >= 0.5).then(|| {
        format!(
            "- the homepage describes another business ({} where the encyclopedia says {})",
            b.label, a.label
        )
    })
}
