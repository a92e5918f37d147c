//! Name and domain normalisation: the one definition of "the same company"
//! used by cache keys, batch deduplication and the website picker.

/// Legal-form and filler words dropped from the end (and `the` from the start)
/// of a company name. Compared after lowercasing and removing punctuation.
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "cos",
    "companies",
    "llc",
    "lp",
    "llp",
    "ltd",
    "limited",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "kgaa",
    "se",
    "sa",
    "sas",
    "sarl",
    "spa",
    "srl",
    "nv",
    "bv",
    "oy",
    "oyj",
    "ab",
    "asa",
    "as",
    "pty",
    "pte",
    "kk",
    "holdings",
    "holding",
    "group",
];

/// Normalises a company name: lowercase, accents folded for common Latin
/// letters, `&` read as `and`, punctuation dropped, legal suffixes and a
/// leading `the` removed, whitespace collapsed.
///
/// Returns an empty string when nothing is left (the caller treats that as invalid).
///
/// ```
/// use extract_core::normalize_name;
/// assert_eq!(normalize_name("  The Walt Disney Company "), "walt disney");
/// assert_eq!(normalize_name("AT&T Inc."), "at and t");
/// assert_eq!(normalize_name("Nestlé S.A."), "nestle");
/// ```
pub fn normalize_name(name: &str) -> String {
    let mut words = name_words(name);
    // Strip suffixes from the end, but never the last remaining word: "Group"
    // alone or "Holding" alone is still a name.
    // "GmbH & Co. KG" leaves an "and" behind: it goes with the suffixes.
    while words.len() > 1
        && (LEGAL_SUFFIXES.contains(&words[words.len() - 1].as_str())
            || words[words.len() - 1] == "and")
    {
        words.pop();
    }
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words.join(" ")
}

/// The words of a name, lowercased and folded, punctuation removed; a dotted
/// abbreviation ("S.A.", "J.P.") becomes one word.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '&' || c == '+' {
            flush(&mut words, &mut current);
            words.push("and".to_owned());
        } else if c == '.' || c == '\'' || c == '’' {
            // Dots and apostrophes join: "J.P." -> "jp", "McDonald's" -> "mcdonalds".
            // A dot followed by a space ends the word.
            if chars.peek().is_some_and(|n| n.is_whitespace()) {
                flush(&mut words, &mut current);
            }
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                push_folded(&mut current, l);
            }
        } else {
            flush(&mut words, &mut current);
        }
    }
    flush(&mut words, &mut current);
    words
}

/// The name squeezed into one token, as it would appear in a domain label:
/// "Exxon Mobil" -> "exxonmobil", "AT&T" -> "att" (the `and` of `&` dropped).
pub fn compact_name(name: &str) -> String {
    let normalized = normalize_name(name);
    let words: Vec<&str> = normalized.split(' ').collect();
    let mut out = String::with_capacity(normalized.len());
    for (i, w) in words.iter().enumerate() {
        // "AT&T" -> "at and t": drop the `and` that came from an ampersand
        // between short words, as domains do (att.com, pg.com).
        let between_short = i > 0
            && i + 1 < words.len()
            && *w == "and"
            && words[i - 1].len() <= 2
            && words[i + 1].len() <= 2;
        if !between_short {
            out.push_str(w);
        }
    }
    out
}

/// Normalises a domain or URL given by a user: scheme, path, port, trailing
/// dot and a leading `www.` removed, lowercased. `None` when it is not a
/// plausible host name (no dot, bad characters).
///
/// ```
/// use extract_core::normalize_domain;
/// assert_eq!(normalize_domain("https://WWW.Example.com/about").as_deref(), Some("example.com"));
/// assert_eq!(normalize_domain("localhost"), None);
/// ```
pub fn normalize_domain(input: &str) -> Option<String> {
    let s = input.trim();
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let host = s.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or_default();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let valid = host.contains('.')
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    valid.then_some(host)
}

/// The host of a URL without a leading `www.` (or `m.`), lowercased.
pub(crate) fn site_host(host: &str) -> &str {
    let host = host.strip_prefix("www.").unwrap_or(host);
    host.strip_prefix("m.").unwrap_or(host)
}

/// How well a compact name ("exxonmobil") matches a domain label
/// ("exxonmobil", "walmartstores", "gm"), in `0.0..=1.0`.
///
/// Exact match is 1; one containing the other scores by how much is left
/// over; initials ("general motors" -> "gm") score 0.75; otherwise the
/// character-bigram overlap, scaled down.
pub fn similarity(compact: &str, label: &str) -> f32 {
    if compact.is_empty() || label.is_empty() {
        return 0.0;
    }
    if compact == label {
        return 1.0;
    }
    let (short, long) = if compact.len() <= label.len() {
        (compact, label)
    } else {
        (label, compact)
    };
    let ratio = short.len() as f32 / long.len() as f32;
    if short.len() >= 3 && (long.starts_with(short) || long.ends_with(short)) {
        return 0.6 + 0.4 * ratio;
    }
    if short.len() >= 4 && long.contains(short) {
        return 0.5 + 0.3 * ratio;
    }
    0.8 * dice(compact, label)
}

/// Whether `label` is the initials of the words of `normalized` ("general motors" -> "gm").
pub(crate) fn is_initials(normalized: &str, label: &str) -> bool {
    let initials: String = normalized
        .split(' ')
        .filter(|w| *w != "and" && *w != "of")
        .filter_map(|w| w.chars().next())
        .collect();
    initials.len() >= 2 && initials == label
}

/// Sørensen–Dice coefficient of the character bigrams of two strings.
fn dice(a: &str, b: &str) -> f32 {
    let bigrams = |s: &str| -> Vec<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (x, mut y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let total = x.len() + y.len();
    let mut common = 0;
    for bg in &x {
        if let Some(pos) = y.iter().position(|o| o == bg) {
            y.swap_remove(pos);
            common += 1;
        }
    }
    2.0 * common as f32 / total as f32
}

fn flush(words: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        words.push(std::mem::take(current));
    }
}

/// Appends `c` to `out`, folding the accented Latin letters common in
/// company names to ASCII.
fn push_folded(out: &mut String, c: char) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' => "a",
        'ä' | 'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' => "o",
        'ö' | 'œ' => "oe",
        'ù' | 'ú' | 'û' => "u",
        'ü' => "ue",
        'ß' => "ss",
        'ł' => "l",
        'š' | 'ś' => "s",
        'ž' | 'ź' | 'ż' => "z",
        'ý' | 'ÿ' => "y",
        other => {
            out.push(other);
            return;
        }
    };
    out.push_str(folded);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, normalized: &str, compact: &str) {
        assert_eq!(
            normalize_name(input),
            normalized,
            "normalize_name({input:?})"
        );
        assert_eq!(compact_name(input), compact, "compact_name({input:?})");
    }

    #[test]
    fn names() {
        check("Walmart ", "walmart", "walmart");
        check("Exxon Mobil", "exxon mobil", "exxonmobil");
        check("AT&T", "at and t", "att");
        check("Procter & Gamble", "procter and gamble", "procterandgamble");
        check("J.P. Morgan Chase", "jp morgan chase", "jpmorganchase");
        check("McDonald's Corp.", "mcdonalds", "mcdonalds");
        check("The Home Depot, Inc.", "home depot", "homedepot");
        check("UnitedHealth Group", "unitedhealth", "unitedhealth");
        check("Group", "group", "group");
        check("Müller GmbH & Co. KG", "mueller", "mueller");
        check("株式会社", "株式会社", "株式会社");
    }

    #[test]
    fn similarity_orders_candidates() {
        assert_eq!(similarity("walmart", "walmart"), 1.0);
        assert!(similarity("walmart", "walmartstores") > similarity("walmart", "wal"));
        assert!(similarity("walmart", "walmartstores") > 0.7);
        assert!(similarity("exxonmobil", "exxon") > 0.7);
        assert!(similarity("walmart", "target") < 0.3);
        assert!(is_initials("general motors", "gm"));
        assert!(is_initials("international business machines", "ibm"));
        assert!(!is_initials("walmart", "w"));
    }

    #[test]
    fn domains() {
        assert_eq!(
            normalize_domain("walmart.com").as_deref(),
            Some("walmart.com")
        );
        assert_eq!(
            normalize_domain("http://user@www.walmart.com:8080/x?y").as_deref(),
            Some("walmart.com")
        );
        assert_eq!(
            normalize_domain("walmart.com."),
            Some("walmart.com".to_owned())
        );
        assert_eq!(normalize_domain("wal mart.com"), None);
        assert_eq!(normalize_domain("-x.com"), None);
        assert_eq!(normalize_domain(""), None);
    }
}
