//! Organisations named in text: the copyright holder of a notice, and every
//! name carrying a legal form (`Acme GmbH`, written out or abbreviated) with
//! the words around it, for the legal-name rules to judge.

use std::sync::LazyLock;

use regex::Regex;

/// `© 2023 Los Angeles Rams. All rights reserved`: the holder's name.
// The holder's length is checked after the match: a bounded repetition of
// a Unicode class is that many copies of it in the automaton, which made
// this one search a few per cent of a small page's extraction.
static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:©|\(c\)|(?i:copyright))(?:\s*(?:©|\(c\)))?\s*(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?\s*,?\s*)?([A-Z][\w&.'’ -]+?)\s*(?:\.\s|,|\||\n|$|(?i:all rights))")
        .expect("copyright pattern")
});
/// The longest holder read (in characters, the first letter included).
const MAX_HOLDER_CHARS: usize = 61;

/// The copyright holder named in the text (the last notice wins: it is
/// usually the footer's).
pub(crate) fn copyright_holder(text: &str) -> Option<String> {
    static SIGNS: LazyLock<[memchr::memmem::Finder<'static>; 3]> = LazyLock::new(|| {
        [
            memchr::memmem::Finder::new("©"),
            memchr::memmem::Finder::new("opyright"),
            memchr::memmem::Finder::new("(c)"),
        ]
    });
    // The pattern runs only just after each notice sign; the last notice wins.
    let mut at: Vec<usize> = SIGNS
        .iter()
        .flat_map(|f| f.find_iter(text.as_bytes()).map(|i| i.saturating_sub(1)))
        .collect();
    at.sort_unstable();
    at.dedup();
    let mut found = None;
    for start in at {
        let mut start = start;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + 160).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        if let Some(c) = COPYRIGHT
            .captures(&text[start..end])
            .filter(|c| c[1].chars().count() <= MAX_HOLDER_CHARS)
        {
            let mut name = c[1].trim().trim_end_matches(['.', ',', '-']).trim();
            // "Acme 2007 - 26": the years after the holder are not its name.
            while let Some((head, last)) = name.rsplit_once(' ') {
                if last
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '–'))
                {
                    name = head.trim_end();
                } else {
                    break;
                }
            }
            let words = name.split_whitespace().count();
            if (1..=6).contains(&words) && !name.eq_ignore_ascii_case("all rights reserved") {
                found = Some(name.to_owned());
            }
        }
    }
    found
}

/// A name with its legal form: "acme GmbH + Co. KG", "Acme, Inc.", "acme2go NA, LLC".
/// Letters as in `address.rs`: an ASCII letter or any non-ASCII character.
static LEGAL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:(?:&|[A-Za-z\x{80}-\x{10FFFF}0-9][A-Za-z\x{80}-\x{10FFFF}0-9&'.-]*)\s){0,5}[A-Za-z\x{80}-\x{10FFFF}0-9][A-Za-z\x{80}-\x{10FFFF}0-9&'.-]*),?\s([Gg]mb[Hh](?:\s?(?:&|\+|und)\s?Co\.\s?KG(?:aA)?)?|gGmbH|AG|SE|KGaA|KG|Inc\.|Inc|LLC|L\.L\.C\.|Ltd\.?|Ltda\.?|Limited|S\.p\.A\.|SpA|S\.r\.l\.|S\.A\.S?\.?|SAS|SARL|SA|S\.L\.U?\.?|B\.V\.|BV|N\.V\.|NV|AB|ApS|A/S|ASA|Oy|Oyj|plc|PLC|LLP|Corp\.|Corporation|Pvt\.? Ltd\.?|Pty\.? Ltd\.?)(?:$|[\s,.;)|])")
        .expect("legal name pattern")
});

/// A name with its legal form written out in words ("Acme, Société par
/// Actions Simplifiée", "Acme, a simplified joint stock company"): the
/// name, then the words, mapped to the form's abbreviation by
/// [`written_form`].
static WRITTEN_LEGAL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:[A-Z\x{80}-\x{10FFFF}0-9][A-Za-z\x{80}-\x{10FFFF}0-9&'.-]*\s){0,3}[A-Z\x{80}-\x{10FFFF}0-9][A-Za-z\x{80}-\x{10FFFF}0-9&'.-]*)\s?,\s(?:(?i)(?:une?|a|an)\s)?((?i)soci[ée]t[ée] par actions simplifi[ée]e(?: unipersonnelle)?|simplified joint[- ]stock company|soci[ée]t[ée] [àa] responsabilit[ée] limit[ée]e|soci[ée]t[ée] anonyme|gesellschaft mit beschr[äa]nkter haftung|societ[àa] per azioni|societ[àa] a responsabilit[àa] limitata|sociedad an[óo]nima|sociedad limitada|besloten vennootschap|naamloze vennootschap|limited liability company)")
        .expect("written legal name pattern")
});

/// The abbreviation of a legal form written out in words.
fn written_form(words: &str) -> &'static str {
    let w = words.to_lowercase();
    if w.contains("unipersonnelle") {
        "SASU"
    } else if w.contains("actions simplifi") || w.contains("simplified joint") {
        "SAS"
    } else if w.contains("responsabilit") && w.starts_with("soci") && w.contains("limitée")
        || w.contains("responsabilite limitee")
    {
        "SARL"
    } else if w.contains("responsabilit") {
        "S.r.l."
    } else if w.contains("per azioni") {
        "S.p.A."
    } else if w.contains("anonyme") || w.contains("anónima") || w.contains("anonima") {
        "SA"
    } else if w.contains("sociedad limitada") {
        "S.L."
    } else if w.contains("beschr") {
        "GmbH"
    } else if w.contains("besloten") {
        "B.V."
    } else if w.contains("naamloze") {
        "N.V."
    } else {
        "LLC"
    }
}

/// A name with its legal form on a line of text, and the words before it
/// on that line (what says whose name it is: "Éditeur :", "ägs av").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LegalMention {
    /// The text just before the name, whitespace collapsed.
    pub(crate) before: String,
    /// The name with its legal form, as written.
    pub(crate) name: String,
    /// The text just after it, whitespace collapsed.
    pub(crate) after: String,
}

/// The legal forms looked for: `(form, after white space, may run on)`.
/// A short form stands after white space ("Acme AG", not "PAGE"): it is
/// searched without the space, so that the search skips ahead on its rare
/// capitals instead of stopping at every space, and the space is checked
/// after. A form that runs on into a lower-case word is a word of the text
/// ("Incredible"), except those that may ("Corporation", "Ltda", "Oyj").
/// The written-out forms start at their first letter, in both cases: a
/// search that starts at a common letter inside a word stops everywhere.
const FORMS: &[(&str, bool, bool)] = &[
    ("GmbH", false, false),
    ("Gmbh", false, false),
    ("AG", true, false),
    ("SE", true, false),
    ("KG", true, false),
    ("Inc", false, false),
    ("LLC", false, false),
    ("Ltd", false, true),
    ("Limited", false, false),
    ("S.p.A", false, false),
    ("SpA", false, false),
    ("S.r.l", false, false),
    ("S.A", false, false),
    ("SA", true, false),
    ("SAS", false, false),
    ("SARL", false, false),
    ("S.L", true, false),
    ("BV", true, false),
    ("B.V.", false, false),
    ("NV", true, false),
    ("N.V.", false, false),
    ("AB", true, false),
    ("ApS", false, false),
    ("A/S", false, false),
    ("ASA", true, false),
    ("Oy", true, true),
    ("plc", false, false),
    ("PLC", false, false),
    ("LLP", false, false),
    ("Corp", false, true),
    ("KGaA", false, false),
    ("Société", false, false),
    ("société", false, false),
    ("SOCIÉTÉ", false, false),
    ("Societe", false, false),
    ("societe", false, false),
    ("Società", false, false),
    ("società", false, false),
    ("Sociedad", false, false),
    ("sociedad", false, false),
    ("Limited liability", false, false),
    ("limited liability", false, false),
    ("Simple joint", false, false),
    ("simple joint", false, false),
    ("Simplified joint", false, false),
    ("simplified joint", false, false),
    ("Gesellschaft mit", false, false),
    ("gesellschaft mit", false, false),
    ("Vennootschap", false, false),
    ("vennootschap", false, false),
];

/// Names carrying a legal form in `text`, at most a few, as written.
pub(crate) fn legal_names(text: &str) -> Vec<LegalMention> {
    static SEARCH: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(false)
            // Leftmost-first lets the search use its SIMD prefilter (Teddy);
            // the standard semantics run the automaton over every byte.
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(FORMS.iter().map(|(form, ..)| form))
            .expect("legal forms")
    });
    let mut out: Vec<LegalMention> = Vec::new();
    let bytes = text.as_bytes();
    // `at..end` is the name in `text`; what is before it reaches back over
    // blank lines into the line before ("Drinkoteket ägs av" / "Acme AB"),
    // what is after it forward ("Acme SpA, Via Roma 1 – P.IVA …").
    let context = |from: usize, to: usize| {
        let (mut from, mut to) = (from, to.min(text.len()));
        while !text.is_char_boundary(from) {
            from += 1;
        }
        while !text.is_char_boundary(to) {
            to += 1;
        }
        crate::extract::html::collapse_ws(&text[from..to])
    };
    let mut push = |at: usize, end: usize, full: String| {
        let mention = LegalMention {
            before: context(at.saturating_sub(160), at),
            name: full,
            after: context(end, end + 160),
        };
        if out.len() < 8 && !out.iter().any(|m| m.name == mention.name) {
            out.push(mention);
        }
    };
    // Each form found is read in a window around it (paragraphs of an
    // imprint run long): the name's words before it, a little after.
    let stands = |m: &aho_corasick::Match| {
        let (_, after_space, runs_on) = FORMS[m.pattern().as_usize()];
        (!after_space || m.start() > 0 && bytes[m.start() - 1].is_ascii_whitespace())
            && (runs_on || bytes.get(m.end()).is_none_or(|b| !b.is_ascii_lowercase()))
    };
    for m in SEARCH.find_iter(text).filter(stands).take(64) {
        let line_start = memchr::memrchr(b'\n', &bytes[..m.start()]).map_or(0, |i| i + 1);
        let line_end =
            memchr::memchr(b'\n', &bytes[m.end()..]).map_or(bytes.len(), |i| m.end() + i);
        let mut start = m.start().saturating_sub(160).max(line_start);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let mut end = (m.end() + 96).min(line_end);
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let line = &text[start..end];
        for c in LEGAL_NAME.captures_iter(line) {
            let (Some(name), Some(form)) = (c.get(1), c.get(2)) else {
                continue;
            };
            // As written, from the name to its legal form ("Fortinet, Inc.").
            let full = crate::extract::html::collapse_ws(&line[name.start()..form.end()]);
            push(start + name.start(), start + form.end(), full);
        }
        for c in WRITTEN_LEGAL_NAME.captures_iter(line) {
            let (Some(name), Some(form)) = (c.get(1), c.get(2)) else {
                continue;
            };
            let full = format!(
                "{} {}",
                crate::extract::html::collapse_ws(name.as_str()),
                written_form(form.as_str())
            );
            push(start + name.start(), start + form.end(), full);
        }
    }
    out
}
