//! Patterns in visible text: emails (with simple obfuscation), phone numbers,
//! founding year, head count and postal address lines.

use std::sync::LazyLock;

use regex::Regex;

use crate::Employees;

mod mentions;

pub(crate) use mentions::{copyright_holder, legal_names};

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,24}(?-u:\b)")
        .expect("email pattern")
});

/// `name [at] domain [dot] com` and the like.
static OBFUSCATED_AT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:\[at\]|\(at\)|\{at\}|\s\[@\]\s|\sat\s(?:\w+\s*(?:\[dot\]|\(dot\))))\s*")
        .expect("obfuscated at pattern")
});
/// Cheap test for any obfuscation marker before running the full patterns.
static OBFUSCATION_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[at\]|\(at\)|\{at\}|\[@\]|\[dot\]|\(dot\)")
        .expect("obfuscation marker pattern")
});
static OBFUSCATED_DOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:\[dot\]|\(dot\)|\{dot\})\s*").expect("obfuscated dot pattern")
});

/// A phone number: optional `+country`, optional area code in parentheses,
/// then groups of digits separated by spaces, dots, dashes or slashes.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\+[0-9]{1,3}[\s.\-/]?)?(?:\([0-9]{1,5}\)\s?[\s.\-/]?)?[0-9]{2,10}(?: ?[\s.\-/] ?[0-9]{1,8}){0,5}",
    )
    .expect("phone pattern")
});
static PHONE_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?-u:\b)tel(?-u:\b)|phone|call|(?-u:\b)fon(?-u:\b)|telefon|téléphone|telefono|☎|📞)",
    )
    .expect("phone context pattern")
});

/// Runs on the ASCII-lowercased text.
static FOUNDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:founded|established|est\.|since|incorporated|gegründet|fondée?|fundada|fondata|opgericht)(?:\s+(?:in|im|en|nel|em))?\s+(1[6-9]\d\d|20[0-3]\d)(?-u:\b)")
        .expect("founded pattern")
});

/// The words that follow a head count (on the lowercased text); found first,
/// cheaply, so that the full pattern runs only just before them.
static EMPLOYEE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"employees|associates|team members|staff|colleagues|mitarbeiter|salariés|empleados")
        .expect("employee words pattern")
});

static EMPLOYEES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(\d{1,3}(?:[,.\u{a0} ]\d{3})+|\d{1,7})\s*(\+)?\s*(?:full[- ]time\s+)?(?:employees|associates|team members|staff members|staff|colleagues|mitarbeiter(?:innen|:innen)?|salariés|empleados)(?-u:\b)")
        .expect("employees pattern")
});

/// Email addresses in `text`, lowercased, without obvious non-addresses
/// (image file names, placeholders).
pub(crate) fn emails(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut scan = |t: &str| {
        for m in EMAIL.find_iter(t) {
            let e = m.as_str().to_ascii_lowercase();
            if plausible_email(&e) && !out.contains(&e) {
                out.push(e);
            }
        }
    };
    scan(text);
    if OBFUSCATION_MARKER.is_match(text) && OBFUSCATED_AT.is_match(text) {
        let t = OBFUSCATED_AT.replace_all(text, "@");
        let t = OBFUSCATED_DOT.replace_all(&t, ".");
        scan(&t);
    }
    out
}

/// Whether an address found in text or a `mailto:` is worth keeping.
pub(crate) fn plausible_email(e: &str) -> bool {
    const NOT_TLDS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js"];
    const PLACEHOLDER_DOMAINS: &[&str] = &[
        "example.com",
        "example.org",
        "example.net",
        "domain.com",
        "email.com",
        "company.com",
        "yourcompany.com",
        "mycompany.com",
        "website.com",
        "test.com",
        "sentry.io",
    ];
    let Some((_, domain)) = e.rsplit_once('@') else {
        return false;
    };
    let tld = domain.rsplit('.').next().unwrap_or_default();
    // Themes' stand-ins: `info@yourdomain.com`, `name@example.de`, `mail@domain.tld`.
    let stand_in = domain.split('.').next().is_some_and(|l| {
        l.starts_with("your")
            || matches!(
                l,
                "example" | "domain" | "beispiel" | "exemple" | "esempio" | "ejemplo"
            )
    }) || tld == "tld";
    !NOT_TLDS.contains(&tld) && !PLACEHOLDER_DOMAINS.contains(&domain) && !stand_in
}

/// Whether a phone number is a theme's stand-in rather than a line anyone
/// answers: a run of six or more of one digit, or seven or more digits in
/// sequence (`+44 1234 567890`, `000 000 0000`).
pub(crate) fn placeholder_phone(raw: &str) -> bool {
    let digits: Vec<u8> = raw.bytes().filter(u8::is_ascii_digit).collect();
    let mut same = 1;
    let mut up = 1;
    for w in digits.windows(2) {
        same = if w[1] == w[0] { same + 1 } else { 1 };
        up = if w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'0') {
            up + 1
        } else {
            1
        };
        if same >= 6 || up >= 7 {
            return true;
        }
    }
    false
}

/// Phone numbers in lines that say they hold one (`Tel`, `Phone`, …) or that
/// start with `+country`. Returned as written, whitespace collapsed.
/// `lower` is `text` ASCII-lowercased (same byte offsets).
pub(crate) fn phones(text: &str, lower: &str) -> Vec<String> {
    // Find the lines worth a look in one pass over the text (a keyword, or
    // `+` before a digit), rather than running the phone pattern on every line.
    let bytes = text.as_bytes();
    let mut hits: Vec<(usize, bool)> = PHONE_CONTEXT
        .find_iter(lower)
        .map(|m| (m.start(), true))
        .collect();
    hits.extend(
        memchr::memchr_iter(b'+', bytes)
            .filter(|i| bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
            .map(|i| (i, false)),
    );
    hits.sort_unstable();
    // (line start, line end, has a keyword), one entry per line, in order.
    let mut lines: Vec<(usize, usize, bool)> = Vec::new();
    for (at, context) in hits {
        if let Some(last) = lines.last_mut() {
            if at < last.1 {
                last.2 |= context;
                continue;
            }
        }
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        lines.push((start, end, context));
    }
    // A line that is only a label ("Tel.", "Fon", "Office Contact:") gives
    // its context to the next line, where the number stands.
    let mut carried: Vec<(usize, usize, bool)> = Vec::new();
    for &(start, end, context) in &lines {
        carried.push((start, end, context));
        let label = text[start..end].trim();
        if context && label.len() <= 24 && !label.bytes().any(|b| b.is_ascii_digit()) {
            let next_start = (end + 1).min(text.len());
            let next_end = text[next_start..]
                .find('\n')
                .map_or(text.len(), |i| next_start + i);
            if next_start < next_end {
                carried.push((next_start, next_end, true));
            }
        }
    }
    // A carried line may be a line of its own too: read each line once.
    carried.sort_unstable_by_key(|l| l.0);
    carried.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        kept.2 |= same && next.2;
        same
    });
    let mut out: Vec<String> = Vec::new();
    for (start, end, context) in carried {
        let line = &text[start..end];
        // A fax line holds no phone number to call.
        if lower[start..end].trim_start().starts_with("fax") {
            continue;
        }
        for m in PHONE.find_iter(line) {
            let candidate = m.as_str().trim();
            if !(context || candidate.starts_with('+')) {
                continue;
            }
            if let Some(p) = clean_phone(candidate) {
                if !out.iter().any(|o| phone_digits(o) == phone_digits(&p)) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// A phone number as written, whitespace collapsed, if it has 7 to 15 digits.
pub(crate) fn clean_phone(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_start_matches("tel:").trim();
    let digits = phone_digits(raw);
    if !(7..=15).contains(&digits.len()) || placeholder_phone(raw) {
        return None;
    }
    // A year range or a date is not a phone number.
    if digits.len() == 8 && (raw.contains('.') || raw.contains('/')) && !raw.starts_with('+') {
        return None;
    }
    Some(super::html::collapse_ws(raw))
}

/// The digits of a phone number, with a leading `+` kept.
pub fn phone_digits(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    if p.trim_start().starts_with('+') {
        out.push('+');
    }
    out.extend(p.chars().filter(char::is_ascii_digit));
    out
}

/// The founding year stated in the text ("founded in 1962", "since 1962").
pub(crate) fn founded_year(lower: &str) -> Option<u16> {
    FOUNDED
        .captures_iter(lower)
        .filter_map(|c| c[1].parse::<u16>().ok())
        .next()
}

/// A head count stated in the text ("2,100,000 associates", "50+ employees").
pub(crate) fn employees(text: &str, lower: &str) -> Option<Employees> {
    for word in EMPLOYEE_WORDS.find_iter(lower) {
        let mut start = word.start().saturating_sub(48);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        // Never start inside a number: skip to the next whitespace.
        if start > 0 && !text[..start].ends_with(char::is_whitespace) {
            start = text[start..word.start()]
                .find(char::is_whitespace)
                .map_or(word.start(), |i| start + i);
        }

        let end = (word.end() + 12).min(text.len());
        let end = (end..=text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        for c in EMPLOYEES.captures_iter(&text[start..end]) {
            let digits: String = c[1].chars().filter(char::is_ascii_digit).collect();
            let Ok(n) = digits.parse::<u64>() else {
                continue;
            };
            if n == 0 || n > 10_000_000 {
                continue;
            }
            let open = c.get(2).is_some();
            return Some(Employees {
                min: n,
                max: if open { None } else { Some(n) },
            });
        }
    }
    None
}

#[cfg(test)]
mod tests;
