//! Legal identifiers in a page's text: VAT ids (USt-IdNr., TVA, P.IVA,
//! CIF/NIF, BTW, MOMS, UID, MWST), register entries (HRB/HRA, FN, RCS, KvK,
//! Registro delle Imprese, REA), national company numbers (Companies House,
//! organisationsnummer, CVR, SIREN/SIRET, CNPJ, ABN, CHE) and LEIs.
//!
//! Each is found by the label that introduces it, in the languages of
//! imprints and legal notices, and emitted only when its check digits hold
//! (where the scheme has them) and the words before it do not give it to
//! someone else: a hosting provider, a general partner, an insurer, a
//! payment provider, an agency, a parent company.

mod check;
mod registers;

use registers::registers;

use std::sync::LazyLock;

use regex::Regex;

use crate::Register;

/// The identifiers found on one page, first (primary) first.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Found {
    pub(crate) vat_ids: Vec<String>,
    pub(crate) registers: Vec<Register>,
    pub(crate) company_numbers: Vec<String>,
    pub(crate) leis: Vec<String>,
}

/// How far before the first label the patterns read: the longest number
/// written before its label and the words that give it to someone else.
const LOOK_BEHIND: usize = 400;

/// Reads the identifiers of `text` (visible text, one node a line).
pub(crate) fn identifiers(text: &str) -> Found {
    let mut found = Found::default();
    // One pass finds whether any label is there at all: most pages carry
    // none, and then none of the patterns below runs. Its letters fold as
    // ASCII only and its digits are ASCII: Unicode case folding and digit
    // classes made this one pass an eighth of a page's extraction.
    static ANY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
        re(&r"(?i-u)ust\.?\s?-?\s?id|umsatzsteuer|\buid\b|\bvat\b|\btva\b|\biva\b|\bbtw\b|\bmoms\b|\bmwst\b|\bc\.?i\.?f\b|\bn\.?i\.?f\b|\bh\.?\s?r\.?\s?[ab]\b|\bhr[ab]\d|\bfn\s?\d|\br\.?\s?c\.?\s?s\b|registre\s+du\s+commerce|companies\s+register|registro\s+(?:delle\s+)?imprese|\bk\.?\s?v\.?\s?k\b|\br\.?\s?e\.?\s?a\b|company\s+(?:reg|no|number|nr)|registered\s+in|companies\s+house|\borg(?:anisation|anization)?s?\.?\s?-?\s?(?:nr|nummer|number|no)|organisationsnummer|organizational\s+number|\d{6}-\d{4}|\bcvr\b|\bcnpj\b|\bsiren\b|\bsiret\b|\babn\b|\bche[-\s]?\d|\blei\b"
            // Any white space, a no-break space too, between a label's words.
            .replace(r"\s", r"(?u:\s)"))
    });
    let Some(first) = ANY_LABEL.find(text) else {
        return found;
    };
    // Every pattern below starts at a label, or a number just before one
    // ("sous le numéro … au RCS"), and looks back a little for whose it
    // is: the text from a little before the first label is enough, and
    // most pages name their labels at the end, in the footer.
    let mut from = first.start().saturating_sub(LOOK_BEHIND);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let text = &text[from..];
    // One line: a label and its number often sit in separate nodes.
    let flat: String = if text.contains(|c: char| !c.is_ascii() && c.is_whitespace()) {
        text.chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect()
    } else {
        // ASCII white space only: a byte never inside a multi-byte character.
        let bytes = text
            .bytes()
            .map(|b| {
                if b.is_ascii_whitespace() || b == 0x0b {
                    b' '
                } else {
                    b
                }
            })
            .collect();
        String::from_utf8(bytes).expect("ASCII bytes replaced by ASCII bytes")
    };
    vat_ids(&flat, &mut found);
    registers(&flat, &mut found);
    company_numbers(&flat, &mut found);
    leis(&flat, &mut found);
    found
}

/// A pattern whose `\b` is the ASCII word boundary: a Unicode one makes
/// the regex engine fall back to its slowest matcher on any non-ASCII
/// text (it took 95% of an extraction's time on real pages), and the labels
/// and numbers around it are ASCII.
fn re(pattern: &str) -> Regex {
    Regex::new(&pattern.replace(r"\b", r"(?-u:\b)")).expect("identifier pattern")
}

/// A VAT id given in structured data (`vatID`, `taxID`): it must carry its
/// country prefix and pass its check.
pub(crate) fn structured_vat(value: &str) -> Option<String> {
    let token: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    vat_of(&token, "").filter(|v| token.starts_with(&v[..2]))
}

/// A LEI given in structured data (`leiCode`), checked.
pub(crate) fn structured_lei(value: &str) -> Option<String> {
    let v = value.trim().to_ascii_uppercase();
    check::lei(&v).then_some(v)
}

/// Labels of a VAT id, with the country a bare number under them belongs to.
static VAT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?P<de>ust\.?\s?-?\s?id(?:ent)?\.?\s?-?\s?(?:nr|nummer)?\.?|umsatzsteuer\s?-?\s?(?:identifikations\s?-?\s?nummer|id(?:ent)?\.?\s?-?\s?(?:nr|nummer)?))|(?P<uid>\buid(?:\s?-?\s?(?:nr|nummer))?\.?)|(?P<gb>\bvat(?:\s+(?:reg(?:istration)?\.?|id(?:entification)?))?(?:\s+(?:no|number|nr|code|n°)\.?)?)|(?P<fr>\btva(?:\s+intra\s?-?\s?communautaire)?|intra\s?-?\s?community\s+vat(?:\s+(?:number|no)\.?)?)|(?P<it>\bp\.?\s?iva\b|partita\s+iva)|(?P<nl>\bbtw(?:\s?-?\s?(?:nr|nummer|id))?\.?)|(?P<dk>\bmoms(?:\s?-?\s?(?:nr|reg\.?\s?nr))?\.?)|(?P<ch>\bmwst\.?(?:\s?-?\s?(?:nr|nummer))?\.?)|(?P<es>\b(?:c\.?i\.?f|n\.?i\.?f)\b\.?)",
    )
});

/// The VAT ids after their labels.
fn vat_ids(flat: &str, found: &mut Found) {
    for caps in VAT_LABEL.captures_iter(flat) {
        let m = caps.get(0).expect("whole match");
        let hint = ["de", "uid", "gb", "fr", "it", "nl", "dk", "ch", "es"]
            .into_iter()
            .find(|g| caps.name(g).is_some())
            .unwrap_or("gb");
        if third_party(flat, m.start()) {
            continue;
        }
        let after = window(flat, m.end(), 90);
        if let Some(v) = tokens(after).find_map(|t| vat_of(&t, hint)) {
            if !found.vat_ids.contains(&v) {
                found.vat_ids.push(v);
            }
        }
    }
}

/// A VAT id from a token (upper case, separators removed), its country from
/// its prefix, else from the label (`hint`); checked where the country's
/// scheme has check digits.
fn vat_of(token: &str, hint: &str) -> Option<String> {
    static PREFIXED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?:DE\d{9}|ATU\d{8}|IT\d{11}|FR[0-9A-Z]{2}\d{9}|NL\d{9}B\d{2}|ES[0-9A-Z]\d{7}[0-9A-Z]|BE[01]\d{9}|GB\d{9}|DK\d{8}|SE\d{12}|PL\d{10}|PT\d{9}|LU\d{8}|FI\d{8}|IE\d{7}[A-Z]{1,2}|IE\d[A-Z+*]\d{5}[A-Z]|EL\d{9}|CZ\d{8,10}|SK\d{10}|HU\d{8}|SI\d{8}|HR\d{11}|RO\d{2,10}|BG\d{9,10}|LT\d{9,12}|LV\d{11}|EE\d{9}|CY\d{8}[A-Z]|MT\d{8}|NO\d{9}MVA|CHE\d{9}(?:MWST|TVA|IVA))",
        )
    });
    if let Some(m) = PREFIXED.find(token) {
        let v = m.as_str().to_owned();
        let ok = match v.strip_prefix("CHE") {
            Some(d) => check::swiss(&d[..9]),
            None => check::vat(&v).unwrap_or(true),
        };
        return ok.then_some(v);
    }
    // A bare number: the label says whose (a Spanish CIF may start with a
    // letter; the others are digits).
    let digits: String = if hint == "es" {
        token.chars().take(9).collect()
    } else {
        token.chars().take_while(char::is_ascii_digit).collect()
    };
    let candidates: &[&str] = match hint {
        "de" => &["DE"],
        "it" => &["IT"],
        "fr" => &["FR"],
        "nl" => &["NL", "BE"],
        "dk" => &["DK", "SE"],
        "uid" => &["ATU"],
        "es" => &["ES"],
        "gb" => &["GB"],
        _ => &[],
    };
    candidates.iter().find_map(|cc| {
        let v = format!("{cc}{digits}");
        (PREFIXED.find(&v).is_some_and(|m| m.as_str() == v) && check::vat(&v) == Some(true))
            .then_some(v)
    })
}

/// National company numbers stated on their own.
fn company_numbers(flat: &str, found: &mut Found) {
    type Check = fn(&str) -> bool;
    static PATTERNS: LazyLock<Vec<(Regex, Check)>> = LazyLock::new(|| {
        let any: Check = |_| true;
        let luhn_digits: Check =
            |n| check::luhn(&n.chars().filter(char::is_ascii_digit).collect::<String>());
        let cvr: Check = |n| check::cvr(&n.replace(' ', ""));
        let cnpj: Check =
            |n| check::cnpj(&n.chars().filter(char::is_ascii_digit).collect::<String>());
        let abn: Check = |n| check::abn(&n.replace(' ', ""));
        vec![
            // UK Companies House.
            (
                re(
                    r"(?i)\b(?:company\s+(?:reg(?:istration)?\.?\s+)?(?:no|number|nr)\.?|registered\s+in\s+(?:england(?:\s+(?:and|&)\s+wales)?|scotland|wales)(?:\s+(?:under|with))?(?:\s+company)?\s+(?:no|number)\.?|companies\s+house\s+(?:no|number|registration)\.?)\s?:?\s?(?P<n>(?:SC|NI|OC|SO|NC)?\d{6,8})\b",
                ),
                any,
            ),
            // Swedish organisationsnummer.
            (
                re(
                    r"(?i)\b(?:org(?:anisation|anization)?s?\.?\s?-?\s?(?:nr|nummer|number|no)\.?|organisationsnummer|organizational\s+number|organisation\s+number)\s?:?\s?(?P<n>\d{6}-?\d{4})\b",
                ),
                luhn_digits,
            ),
            (
                re(
                    r"(?i)(?:enregistrée|registered|immatriculée|registrerad)[^0-9]{0,40}?\b(?P<n>\d{6}-\d{4})\b",
                ),
                luhn_digits,
            ),
            // Danish CVR.
            (
                re(
                    r"(?i)\bCVR(?:\s?-?\s?(?:nr|nummer|no)\.?)?\s?:?\s?(?:DK\s?)?(?P<n>\d{2}\s?\d{2}\s?\d{2}\s?\d{2})\b",
                ),
                cvr,
            ),
            // Brazilian CNPJ.
            (
                re(r"(?i)\bCNPJ\b[^0-9]{0,40}?(?P<n>\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2})"),
                cnpj,
            ),
            // French SIREN, then SIRET.
            (
                re(r"(?i)\bSIREN\b[^0-9]{0,40}?(?P<n>\d{3}\s?\d{3}\s?\d{3})\b"),
                luhn_digits,
            ),
            (
                re(r"(?i)\bSIRET\b[^0-9]{0,20}?(?P<n>\d{3}\s?\d{3}\s?\d{3}\s?\d{5})\b"),
                luhn_digits,
            ),
            // Australian ABN.
            (
                re(r"(?i)\bABN\b\s?:?\s?(?P<n>\d{2}\s?\d{3}\s?\d{3}\s?\d{3})\b"),
                abn,
            ),
            // Swiss UID without a VAT suffix.
            (
                re(r"\bCHE[-\s]?(?P<n>\d{3}[.\s]?\d{3}[.\s]?\d{3})\b(?:\s?(?:MWST|TVA|IVA))?"),
                |n| check::swiss(&n.chars().filter(char::is_ascii_digit).collect::<String>()),
            ),
        ]
    });
    let mut hits: Vec<(usize, String)> = Vec::new();
    for (i, (pattern, ok)) in PATTERNS.iter().enumerate() {
        for caps in pattern.captures_iter(flat) {
            let m = caps.get(0).expect("whole match");
            if third_party(flat, m.start()) || !ok(&caps["n"]) {
                continue;
            }
            // A Swiss UID carrying a VAT suffix is the VAT id, read there.
            if i == PATTERNS.len() - 1 && m.as_str().ends_with(['T', 'A']) {
                continue;
            }
            let n = collapse(&caps["n"]);
            let n = if i == PATTERNS.len() - 1 {
                format!("CHE-{}", n.replace(' ', "."))
            } else {
                n
            };
            hits.push((m.start(), n));
        }
    }
    // In page order; a number stated twice counts once.
    hits.sort();
    for (_, n) in hits {
        if !found.company_numbers.contains(&n) {
            found.company_numbers.push(n);
        }
    }
}

fn leis(flat: &str, found: &mut Found) {
    static LEI: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\bLEI(?:\s?-?\s?(?:code|number|no|nr)\.?)?\s?:?\s?(?P<n>[0-9A-Z]{20})\b")
    });
    for caps in LEI.captures_iter(flat) {
        let start = caps.get(0).map_or(0, |m| m.start());
        let n = caps["n"].to_ascii_uppercase();
        if !third_party(flat, start) && check::lei(&n) && !found.leis.contains(&n) {
            found.leis.push(n);
        }
    }
}

/// Whether the words just before `at` give what follows to another party:
/// the nearest role word within a short window decides.
fn third_party(flat: &str, at: usize) -> bool {
    static ROLE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)(?P<other>h[ée]berg|\bhost(?:ed|ing|er)?\b|\bgehostet|komplement[äa]r|persönlich\s+haftende|general\s+partner|versicherung|\binsur(?:er|ance)|assureur|\bassurance|zahlungs|payment|paiement|prestataire|\bagen(?:ce|cy|tur)\b|r[ée]alis[ée]\s+par|con[çc]u\s+par|developed\s+by|d[ée]velopp[ée]\s+par|webdesign|soci[ée]t[ée]\s+m[èe]re|muttergesellschaft|parent\s+company|\bcnil\b)|(?P<own>exploit[ée]e?s?(?:\s+et\s+h[ée]berg[ée]e?s?)?|operated(?:\s+and\s+hosted)?|betrieben|[ée]diteur|[ée]dit[ée]\s+par|\beditor\b|publisher|herausgeber|anbieter|betreiber|angaben\s+gem[äa]ß|verantwortlich|\bowner\b|propri[ée]taire|titolare|impressum|mentions\s+l[ée]gales|legal\s+notice|\bimprint\b|registered\s+office|si[èe]ge\s+social|sede\s+legale)",
        )
    });
    let from = back(flat, at, 160);
    let before = &flat[from..at];
    ROLE.captures_iter(before)
        .last()
        .is_some_and(|c| c.name("other").is_some())
}

/// `flat[at..]`, at most `len` bytes, cut on a character boundary.
fn window(flat: &str, at: usize, len: usize) -> &str {
    let mut end = (at + len).min(flat.len());
    while !flat.is_char_boundary(end) {
        end -= 1;
    }
    &flat[at..end]
}

/// About `len` bytes on each side of `at`.
fn window_around(flat: &str, at: usize, len: usize) -> &str {
    let from = back(flat, at, len);
    let mut end = (at + len).min(flat.len());
    while !flat.is_char_boundary(end) {
        end -= 1;
    }
    &flat[from..end]
}

/// The character boundary at most `len` bytes before `at`.
fn back(flat: &str, at: usize, len: usize) -> usize {
    let mut from = at.saturating_sub(len);
    while !flat.is_char_boundary(from) {
        from += 1;
    }
    from
}

/// The runs of `text` that may be an identifier: from a letter or digit
/// after a non-word character, over letters, digits and separators, upper
/// case, separators removed.
fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    (0..chars.len()).filter_map(move |i| {
        let (_, c) = chars[i];
        let starts = c.is_ascii_alphanumeric() && (i == 0 || !chars[i - 1].1.is_alphanumeric());
        if !starts {
            return None;
        }
        let mut out = String::new();
        for &(_, c) in &chars[i..] {
            if c.is_ascii_digit()
                || c.is_ascii_uppercase()
                || (c.is_ascii_lowercase() && out.is_empty())
            {
                out.push(c.to_ascii_uppercase());
            } else if matches!(c, ' ' | '.' | '-' | '/') {
                continue;
            } else {
                break;
            }
        }
        out.chars().any(|c| c.is_ascii_digit()).then_some(out)
    })
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
