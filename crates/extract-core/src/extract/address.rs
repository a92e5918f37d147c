//! Postal addresses in visible text, as footers, contact blocks and imprints
//! write them: on one line (`Juval 2, I-39020 Kastelbell-Tschars`) or over
//! several (`Reuterstr. 123` / `51467 Bergisch Gladbach` / `Germany`), in
//! the European postal-code-then-locality order, the US `City, ST 12345`
//! order, the UK outward/inward code and the Indian PIN. A postal code and
//! locality alone are not enough: a street must stand before them, so that
//! "5000 Euro Kredit" or a price list is never an address.

use std::sync::LazyLock;

use regex::Regex;

use crate::Address;

// Letters are written `[A-Za-z\x{80}-\x{10FFFF}]` (an ASCII letter or any
// non-ASCII character), not `\p{L}`: repeated Unicode classes make automata
// whose search state costs megabytes in every thread that runs them (all the
// address patterns together took 60 MB over 8 threads), and the non-ASCII
// characters of an address line are letters or harmless punctuation.

/// `[CC-]postal locality` at the end of a line (European order).
static EU_POSTAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[,;]\s*|\s)(?:([A-Z]{1,2})-)?(\d{4,5}|\d{4}\s?[A-Z]{2}|\d{3}\s\d{2})\s+(\p{Lu}[A-Za-z\x{80}-\x{10FFFF}.'/-]*(?:[\s-]+(?:am|an|im|in|bei|a\.|sur|de|del|di|la|le|[A-Z\x{80}-\x{10FFFF}][A-Za-z\x{80}-\x{10FFFF}.'/-]*)){0,3})\s*\.?$")
        .expect("postal pattern")
});
/// `locality PIN` (India) or `locality postcode` (UK) at the end of a line.
static LOCALITY_POSTAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|,\s*)(\p{Lu}[A-Za-z\x{80}-\x{10FFFF}.'-]*(?:\s[A-Z\x{80}-\x{10FFFF}][A-Za-z\x{80}-\x{10FFFF}.'-]*){0,2})[\s,-]+(\d{6}|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})\s*\.?$")
        .expect("locality postal pattern")
});
/// `street, City, ST 12345` (US).
static US: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d{1,6}\s[A-Za-z\x{80}-\x{10FFFF}0-9 .'#-]{2,60}),\s*(\p{Lu}[A-Za-z\x{80}-\x{10FFFF} .'-]{1,40}),\s*([A-Z]{2})\s+(\d{5}(?:-\d{4})?)(?-u:\b)")
        .expect("US address pattern")
});
/// A street: words then a house number, or a number then words that name a street.
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z\x{80}-\x{10FFFF}][A-Za-z\x{80}-\x{10FFFF}.'-]*\s){0,4}[A-Za-z\x{80}-\x{10FFFF}][A-Za-z\x{80}-\x{10FFFF}.'-]*\.?\s?\d{1,5}\s?[a-zA-Z]?(?:[-/]\d{1,4})?$|^\d{1,6}[a-zA-Z]?,?\s(?:[A-Za-z\x{80}-\x{10FFFF}][A-Za-z\x{80}-\x{10FFFF}.'-]*\s){0,4}(?i:street|st\.?|road|rd\.?|avenue|ave\.?|boulevard|blvd\.?|drive|dr\.?|lane|ln\.?|way|place|pl\.?|court|ct\.?|square|sq\.?|parkway|pkwy\.?|highway|hwy\.?|rue|avenida|via|calle|quai|chemin)(?:\s[A-Za-z\x{80}-\x{10FFFF}][A-Za-z\x{80}-\x{10FFFF}.'-]*){0,3}$")
        .expect("street pattern")
});

/// Postal-code prefixes written before the code (`D-`, `I-`, `CH-`).
const POSTAL_PREFIXES: &[(&str, &str)] = &[
    ("D", "DE"),
    ("A", "AT"),
    ("CH", "CH"),
    ("I", "IT"),
    ("F", "FR"),
    ("E", "ES"),
    ("NL", "NL"),
    ("B", "BE"),
    ("L", "LU"),
    ("DK", "DK"),
    ("S", "SE"),
    ("N", "NO"),
    ("FI", "FI"),
    ("FL", "LI"),
];

/// A structured address with each part's stray separators trimmed (a CMS
/// field written `"80054 -"` or `", Paris"`), empty parts dropped.
pub(crate) fn tidy(a: Address) -> Address {
    let part = |p: Option<String>| {
        p.map(|s| {
            s.trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, '-' | '–' | ',' | ';' | '|' | '/')
            })
            .to_owned()
        })
        .filter(|s| !s.is_empty())
    };
    Address {
        street: part(a.street),
        locality: part(a.locality),
        region: part(a.region),
        postal_code: part(a.postal_code),
        country: part(a.country),
    }
}

/// The first postal address in `text` (one text node a line).
pub(crate) fn address(text: &str) -> Option<Address> {
    // A page's text has thousands of lines and few hold an address, which
    // always has a digit: go from digit to digit, and gather the three
    // lines before and the one after only for a line that may hold a
    // postal code.
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(digit) = next_digit(bytes, at) {
        let start = memchr::memrchr(b'\n', &bytes[..digit]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[digit..]).map_or(bytes.len(), |i| digit + i);
        at = end;
        let line = trim_line(&text[start..end]);
        if !may_be_address_line(line) {
            continue;
        }
        let mut before: [&str; 3] = [""; 3];
        for (slot, l) in before.iter_mut().rev().zip(lines_before(text, start)) {
            *slot = l;
        }
        if let Some(a) = address_at(line, &before, text_lines(&text[end..]).next()) {
            // A third party's address (the host's, in an imprint) is not the
            // owner's: the line, or the heading above it, says so. Asked only
            // of a line that holds an address: most lines with digits do not.
            let heading = before
                .iter()
                .any(|h| !h.is_empty() && h.len() < 40 && names_third_party(h));
            if !heading && !names_third_party(&collapse(line)) {
                return Some(a);
            }
        }
    }
    None
}

/// Where the next ASCII digit at or after `from` is; sixteen bytes are
/// tested at once.
fn next_digit(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 16 <= bytes.len() {
        let chunk = &bytes[i..i + 16];
        if chunk.iter().fold(false, |any, b| any | b.is_ascii_digit()) {
            break;
        }
        i += 16;
    }
    bytes
        .get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| i + p)
}

/// A line of `text` trimmed of white space and of the `|` and `·` that
/// separate footer items. Most lines start and end with a letter: they
/// are taken as they are, without decoding a character.
fn trim_line(line: &str) -> &str {
    let plain = |b: Option<&u8>| {
        b.is_some_and(|&b| b.is_ascii() && !b.is_ascii_whitespace() && b != b'|' && b != 0x0b)
    };
    let bytes = line.as_bytes();
    if plain(bytes.first()) && plain(bytes.last()) {
        line
    } else {
        line.trim_matches(|c: char| c.is_whitespace() || c == '|' || c == '·')
    }
}

/// The non-empty trimmed lines of a page's text, in order.
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(trim_line).filter(|l| !l.is_empty())
}

/// The non-empty trimmed lines before byte `start` (a line's start), nearest first.
fn lines_before(text: &str, start: usize) -> impl Iterator<Item = &str> {
    let mut end = start;
    std::iter::from_fn(move || loop {
        if end == 0 {
            return None;
        }
        // `end` is just past a line break.
        let line_end = end - 1;
        let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..line_end]).map_or(0, |i| i + 1);
        end = line_start;
        let line = trim_line(&text[line_start..line_end]);
        if !line.is_empty() {
            return Some(line);
        }
    })
}

/// Most lines cannot hold a postal code: a byte scan spares them the patterns.
fn may_be_address_line(line: &str) -> bool {
    (6..=400).contains(&line.len()) && may_hold_postal_code(line.as_bytes())
}

/// The address on `raw` (a line [`may_be_address_line`] lets through),
/// given the (up to three, oldest first) lines `before` it and the line
/// after it.
fn address_at(raw: &str, before: &[&str; 3], next: Option<&str>) -> Option<Address> {
    let line = collapse(raw);
    if line.len() > 200 {
        // A sentence of an imprint: "… with registered offices at 15
        // rue des Halles, 75001 Paris, France."
        if let Some(a) = within_sentence(&line) {
            return Some(a);
        }
        return None;
    }
    if let Some(c) = US.captures(&line) {
        return Some(Address {
            street: Some(c[1].trim().to_owned()),
            locality: Some(c[2].trim().to_owned()),
            region: Some(c[3].to_owned()),
            postal_code: Some(c[4].to_owned()),
            country: Some("US".to_owned()),
        });
    }
    // "…, 71634 Ludwigsburg, Baden-Württemberg, Germany": region and
    // country after the locality are read off the end first.
    let (line, tail_region, tail_country) = split_tail(&line);
    let found = EU_POSTAL
        .captures(&line)
        .map(|c| {
            let prefix = c.get(1).map(|m| m.as_str());
            let country = prefix.and_then(|p| {
                POSTAL_PREFIXES
                    .iter()
                    .find(|(k, _)| *k == p)
                    .map(|(_, v)| (*v).to_owned())
            });
            (
                c.get(0).map_or(0, |m| m.start()),
                c[2].to_owned(),
                // "Eschborn/Ts.": the locality, not its qualifier.
                c[3].split('/')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(['.', ','])
                    .to_owned(),
                country,
            )
        })
        .or_else(|| {
            LOCALITY_POSTAL.captures(&line).map(|c| {
                let code = c[2].to_owned();
                let country = if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
                    Some("IN".to_owned())
                } else {
                    Some("GB".to_owned())
                };
                (
                    c.get(0).map_or(0, |m| m.start()),
                    code,
                    c[1].to_owned(),
                    country,
                )
            })
        });
    let (at, postal, locality, mut country) = found?;
    let head = line[..at].trim().trim_end_matches(',').trim();
    let street = if head.is_empty() {
        // The street is the line above, when it looks like one.
        Some(collapse(before[2])).filter(|s| !s.is_empty() && STREET.is_match(s))
    } else {
        street_before(head)
    };
    let street = street.map(without_lead_in)?;
    country = country.or(tail_country);
    if country.is_none() {
        country = next
            .and_then(|next| super::phone::country_code(next.trim_end_matches(['.', ','])))
            .map(str::to_owned);
    }
    Some(Address {
        street: Some(street),
        locality: Some(locality),
        region: tail_region,
        postal_code: Some(postal),
        country,
    })
}

/// A street with its number first (`15 rue des Halles`, `650 Main Street`)
/// or last (`Hauptstraße 5`), then a five-digit postal code and the
/// locality, inside a longer sentence.
static IN_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d{1,4}(?:\s?(?i:bis|ter))?,?\s(?i:rue|place|avenue|boulevard|bd|chemin|quai|all[ée]e|impasse|route|via|viale|piazza|corso|calle|avenida|paseo|street|road)\s[A-Za-z\x{80}-\x{10FFFF}' .-]{2,40}?|\p{Lu}[A-Za-z\x{80}-\x{10FFFF}.-]*(?i:stra(?:ß|ss)e|str\.|weg|platz|allee|gasse|ring|damm)\s\d{1,4}[a-z]?),?\s(\d{5})\s(\p{Lu}[A-Za-z\x{80}-\x{10FFFF}'-]+(?:[\s-]\p{Lu}[A-Za-z\x{80}-\x{10FFFF}'-]+){0,2})")
        .expect("in-sentence address pattern")
});

/// The address inside a long line, if one is written there whole.
fn within_sentence(line: &str) -> Option<Address> {
    let c = IN_SENTENCE.captures(line)?;
    let rest = &line[c.get(0)?.end()..];
    let country = rest
        .trim_start_matches([',', ' '])
        .split([',', '.', ';', '('])
        .next()
        .and_then(|w| super::phone::country_code(w.trim()))
        .map(str::to_owned);
    Some(Address {
        street: Some(without_lead_in(
            c[1].trim().trim_end_matches(',').to_owned(),
        )),
        locality: Some(c[3].to_owned()),
        region: None,
        postal_code: Some(c[2].to_owned()),
        country,
    })
}

/// Whether a line speaks of a third party's premises: the site's host.
fn names_third_party(line: &str) -> bool {
    let lower = line.to_lowercase();
    ["hosting", "hosted by", "hébergeur", "hébergement", "gehostet", "hoster", "hébergé par"]
        .iter()
        .any(|w| lower.contains(w))
        // "exploité et hébergé par la société X": the operator hosts itself.
        && !lower.contains("exploit")
}

/// A line without the region and country written after its locality:
/// `(line, region, country)`.
fn split_tail(line: &str) -> (String, Option<String>, Option<String>) {
    let mut rest = line.trim_end_matches(['.', ' ']).to_owned();
    let mut country = None;
    let mut region = None;
    for _ in 0..2 {
        let Some((head, last)) = rest.rsplit_once(',') else {
            break;
        };
        let last = last.trim();
        if last.is_empty() || last.len() > 40 || last.chars().any(|c| c.is_ascii_digit()) {
            break;
        }
        if country.is_none() && region.is_none() {
            if let Some(code) = super::phone::country_code(last) {
                country = Some(code.to_owned());
                rest = head.trim().to_owned();
                continue;
            }
        }
        // A region only when what stays still ends in a postal code and locality.
        if region.is_none() && EU_POSTAL.is_match(head.trim()) {
            region = Some(last.to_owned());
            rest = head.trim().to_owned();
        }
        break;
    }
    (rest, region, country)
}

/// Whether a line has the digits of a postal code: a run of four or more
/// (European, US, Indian), three then two (`123 45`, Nordic), or a digit
/// then two capitals at its end (the inward half of a UK postcode).
fn may_hold_postal_code(line: &[u8]) -> bool {
    let mut run = 0;
    for (i, b) in line.iter().enumerate() {
        if b.is_ascii_digit() {
            run += 1;
            if run >= 4 {
                return true;
            }
            continue;
        }
        if run == 3
            && *b == b' '
            && line[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
                == 2
        {
            return true;
        }
        run = 0;
    }
    let end = line.trim_ascii_end();
    let end = end.strip_suffix(b".").unwrap_or(end);
    end.len() >= 3
        && end[end.len() - 3].is_ascii_digit()
        && end[end.len() - 2..].iter().all(u8::is_ascii_uppercase)
}

/// The street at the end of the text before a postal code on the same line:
/// the last comma-separated part, or its last words when more stands before
/// it (`© 2016 ebrosia GmbH + Co. KG W.-C.-Röntgen-Str. 2`).
fn street_before(before: &str) -> Option<String> {
    // The Indian order keeps every part before the locality: "Shop no.9, …, SV Road, Jogeshwari (W)".
    let last = before.rsplit([',', ':']).next().unwrap_or(before).trim();
    if STREET.is_match(last) {
        return Some(last.to_owned());
    }
    let words: Vec<&str> = last.split_whitespace().collect();
    let n = words.len();
    if n >= 2
        && words[n - 1]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    {
        let name = words[n - 2];
        let bare_suffix = matches!(
            name.to_lowercase().trim_end_matches('.'),
            "str"
                | "straße"
                | "strasse"
                | "street"
                | "st"
                | "road"
                | "rd"
                | "weg"
                | "gasse"
                | "allee"
                | "platz"
                | "avenue"
                | "ave"
        );
        let take = if bare_suffix && n >= 3 { 3 } else { 2 };
        return Some(words[n - take..].join(" "));
    }
    (before.contains(',') && before.len() <= 120 && before.chars().any(|c| c.is_ascii_digit()))
        .then(|| before.to_owned())
}

/// A street without the words a sentence introduces it by ("située
/// Torsgatan 21", "located at 5 Main Street", "con sede in Via Roma 1"):
/// lower-case lead-ins only, so "An der Alster 5" stays whole.
fn without_lead_in(street: String) -> String {
    const LEAD_INS: &[&str] = &[
        "située",
        "situées",
        "situé",
        "situés",
        "sise",
        "sis",
        "domiciliée",
        "domicilié",
        "located",
        "based",
        "con sede",
        "sita",
        "sito",
        "situada",
        "situado",
        "ansässig",
        "at",
        "à",
        "au",
        "in",
        "en",
        "a",
    ];
    let mut rest = street.as_str();
    for _ in 0..3 {
        let Some(word) = LEAD_INS.iter().find(|w| {
            rest.strip_prefix(**w)
                .is_some_and(|after| after.starts_with(' ') && after.trim_start().len() > 3)
        }) else {
            break;
        };
        rest = rest[word.len()..].trim_start();
    }
    if rest.len() == street.len() {
        street
    } else {
        rest.to_owned()
    }
}

fn collapse(s: &str) -> String {
    super::html::collapse_ws(&s.replace('\u{a0}', " "))
}

#[cfg(test)]
mod tests;
